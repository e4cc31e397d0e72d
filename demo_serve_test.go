package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// TestServeDemo starts `serve --demo` in-process and checks what a newcomer sees through the API: the ready demo
// profile with its 5 users, and sync runs that complete on their own within the first minute.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Demo = true
	cfg.AdminEmail, cfg.AdminPassword = "admin@example.com", "a long demo password"
	ts := startServe(t, cfg)
	base := "http://" + ts.st.addrs["http"]

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	csrf := ""
	gql := func(query string) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"query": query})
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data   map[string]any   `json:"data"`
			Errors []map[string]any `json:"errors"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if len(out.Errors) > 0 {
			t.Fatalf("%s: %v", query, out.Errors)
		}
		return out.Data
	}
	login := gql(`mutation { login(email: "admin@example.com", password: "a long demo password") { csrfToken } }`)
	csrf = login["login"].(map[string]any)["csrfToken"].(string)

	profiles := gql(`{ syncProfiles { id users { id } } }`)["syncProfiles"].([]any)
	if len(profiles) != 1 {
		t.Fatalf("demo mode has %d profiles, want the one demo profile", len(profiles))
	}
	p := profiles[0].(map[string]any)
	if users := p["users"].([]any); len(users) != 5 {
		t.Fatalf("demo profile %v has %d users, want 5", p["id"], len(users))
	}

	deadline := time.Now().Add(60 * time.Second)
	for {
		runs := gql(`{ syncRuns(profileId: "` + p["id"].(string) + `") { status } }`)["syncRuns"].([]any)
		ok := 0
		for _, r := range runs {
			if strings.EqualFold(r.(map[string]any)["status"].(string), "OK") {
				ok++
			}
		}
		if ok >= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s only %d of the demo's first runs completed: %v\nlog:\n%s", ok, runs, ts.stderr.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}
