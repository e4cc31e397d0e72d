package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary bodies and content types to the endpoint:
// it must never panic, always answer JSON, and put a code on every error.
func FuzzRequest(f *testing.F) {
	for _, seed := range []struct{ ct, body string }{
		{"application/json", `{"query": "{ systemStatus { state } }"}`},
		{"application/json", `{"query": "mutation { login(email: \"a@b.c\", password: \"x\") { csrfToken } }"}`},
		{"application/json", `{"query": "query($n: Int) { auditLog(first: $n) { edges { cursor } } }", "variables": {"n": 1e400}}`},
		{"application/json", `{"query": "{ __schema { types { name } } }", "operationName": 3}`},
		{"application/json; charset=latin1", `{"query": "{ version { version } }"}`},
		{"text/plain", `{`},
		{"", ``},
		{"application/json", `{"query": "mutation($in: SetupInput!) { setup(input: $in) { csrfToken } }", "variables": {"in": {"token": 1}}}`},
		{"application/json", `{"query": "{ me { ...F } } fragment F on Account { ...F }"}`},
	} {
		f.Add(seed.ct, seed.body)
	}
	e := newEnv(f)
	h := e.srv.Config.Handler
	f.Fuzz(func(t *testing.T, ct, body string) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var resp struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d, body is not JSON: %q", rec.Code, rec.Body)
		}
		for _, e := range resp.Errors {
			if c, _ := e.Extensions["code"].(string); c == "" || e.Message == "" {
				t.Fatalf("error without code or message: %q", rec.Body)
			}
			if e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("bad input produced an INTERNAL error: %q", rec.Body)
			}
		}
		if rec.Code >= 500 {
			t.Fatalf("status %d for client input: %q", rec.Code, rec.Body)
		}
	})
}
