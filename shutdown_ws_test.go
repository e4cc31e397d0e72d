package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// gqlPost posts a GraphQL document and decodes the data member into out.
func gqlPost(t *testing.T, c *http.Client, url, csrf, query string, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var payload struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&payload); err != nil || len(payload.Errors) > 0 {
		t.Fatalf("%s: %v %v", query, err, payload.Errors)
	}
	if err := json.Unmarshal(payload.Data, out); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownEndsSubscriptions holds a GraphQL subscription open over a
// websocket (a hijacked connection, which http.Server.Shutdown does not wait
// for) and checks that shutdown ends it and still closes the store cleanly.
func TestShutdownEndsSubscriptions(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.AdminEmail, cfg.AdminPassword = "admin@example.com", "correct horse battery"
	ts := startServe(t, cfg)
	base := "http://" + ts.st.addrs["http"]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	var login struct {
		Login struct {
			CSRFToken string `json:"csrfToken"`
		} `json:"login"`
	}
	gqlPost(t, c, base+"/graphql", "", `mutation { login(email: "admin@example.com", password: "correct horse battery") { csrfToken } }`, &login)
	var created struct {
		CreateAPIToken struct {
			Secret string `json:"secret"`
		} `json:"createApiToken"`
	}
	gqlPost(t, c, base+"/graphql", login.Login.CSRFToken, `mutation { createApiToken(name: "ws") { secret } }`, &created)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+ts.st.addrs["http"]+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		t.Fatalf("websocket dial: %v", err)
	}
	defer conn.CloseNow() //nolint:errcheck // best effort
	send := func(v map[string]any) {
		b, _ := json.Marshal(v)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]string{"authorization": "Bearer " + created.CreateAPIToken.Secret}})
	_, ack, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(ack), "connection_ack") {
		t.Fatalf("connection_init: %s %v", ack, err)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]string{"query": "subscription { auditEvents { action } }"}})
	time.Sleep(200 * time.Millisecond) // let the subscription register

	stopped := make(chan error, 1)
	go func() { stopped <- ts.stop(t) }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("shutdown hangs on an open subscription")
	}
	// The subscription connection ends instead of outliving the server.
	readCtx, readCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer readCancel()
	for {
		_, msg, err := conn.Read(readCtx)
		if err != nil {
			if readCtx.Err() != nil {
				t.Fatal("the websocket is still open 5 s after shutdown")
			}
			break
		}
		if strings.Contains(string(msg), `"next"`) {
			continue
		}
	}
	if !strings.Contains(ts.stderr.String(), `"msg":"store closed"`) {
		t.Errorf("store not closed cleanly:\n%s", ts.stderr.String())
	}
}
