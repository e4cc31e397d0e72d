package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/demo"
)

// TestServeDemo starts `serve --demo` in-process and checks what a newcomer sees through the API: the ready demo
// profile with its 5 users and its four kinds, the first runs of every user and kind completing on their own, and
// the printed portal invitation link opening the first demo user's portal (and only theirs).
func TestServeDemo(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Demo = true
	cfg.AdminEmail, cfg.AdminPassword = "admin@example.com", "a long demo password"
	ts := startServe(t, cfg)
	base := "http://" + ts.st.addrs["http"]

	// client returns a GraphQL client with its own cookie jar (a browser).
	client := func() func(query string) map[string]any {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		csrf := ""
		return func(query string) map[string]any {
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
			for _, k := range []string{"login", "acceptPortalInvitation"} {
				if p, ok := out.Data[k].(map[string]any); ok {
					csrf, _ = p["csrfToken"].(string)
				}
			}
			return out.Data
		}
	}
	gql := client()
	gql(`mutation { login(email: "admin@example.com", password: "a long demo password") { csrfToken } }`)

	profiles := gql(`{ syncProfiles { id users { id } } }`)["syncProfiles"].([]any)
	if len(profiles) != 1 {
		t.Fatalf("demo mode has %d profiles, want the one demo profile", len(profiles))
	}
	p := profiles[0].(map[string]any)
	if users := p["users"].([]any); len(users) != 5 {
		t.Fatalf("demo profile %v has %d users, want 5", p["id"], len(users))
	}

	// The first runs: one per user and kind, triggered at start.
	want := 5 * len(demo.Kinds)
	deadline := time.Now().Add(60 * time.Second)
	for {
		runs := gql(`{ syncRuns(profileId: "` + p["id"].(string) + `", first: 100) { status kind userId } }`)["syncRuns"].([]any)
		ok := map[string]bool{}
		for _, r := range runs {
			m := r.(map[string]any)
			if strings.EqualFold(m["status"].(string), "OK") {
				ok[m["userId"].(string)+"/"+m["kind"].(string)] = true
			}
		}
		if len(ok) >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s only %d of the demo's %d first runs completed: %v\nlog:\n%s", len(ok), want, runs, ts.stderr.String())
		}
		time.Sleep(250 * time.Millisecond)
	}

	// The printed portal invitation: stdout names it next to the setup step, and it opens the first demo user's
	// portal in another browser.
	link := ts.st.demoInvite
	if !strings.HasPrefix(link, base+"/invite/") {
		t.Fatalf("demo invitation link %q is not this server's /invite/<token>\nstdout:\n%s\nlog:\n%s", link, ts.stdout.String(), ts.stderr.String())
	}
	if out := ts.stdout.String(); !strings.Contains(out, "Demo: open "+link+" in a private window to see the user portal as Ada Lind <ada@demo.example>") {
		t.Fatalf("stdout does not print the invitation:\n%s", out)
	}
	token := strings.TrimPrefix(link, base+"/invite/")
	user := client()
	acc := user(`mutation { acceptPortalInvitation(token: "` + token + `") { account { email role } csrfToken } }`)
	if a := acc["acceptPortalInvitation"].(map[string]any)["account"].(map[string]any); a["email"] != "ada@demo.example" || a["role"] != "USER" {
		t.Fatalf("the invitation signed in %v, want Ada's user account", a)
	}
	links := user(`{ myLinks { profileId userId } }`)["myLinks"].([]any)
	if len(links) != 1 || links[0].(map[string]any)["userId"] != "user-101" || links[0].(map[string]any)["profileId"] != demo.ProfileID {
		t.Fatalf("the invited user's links: %v, want only demo/user-101", links)
	}
}
