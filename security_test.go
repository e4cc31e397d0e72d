package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAccessLogRedactsInvitationTokens: a portal invitation link signs its holder in for 7 days, so the access log
// keeps /invite/[redacted], never the token; other paths are logged as they are, and no query string is logged.
func TestAccessLogRedactsInvitationTokens(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	app := newAppHandler(appDeps{logger: logger, metrics: newMetrics("test", "test"), readiness: &Readiness{},
		graphql: http.NotFoundHandler(), ui: http.NotFoundHandler()})
	const token = "Zm9vYmFyLXNlY3JldC1pbnZpdGF0aW9uLXRva2Vu"
	for _, u := range []string{"/invite/" + token, "/invite/" + token + "/x", "/api/backup?token=" + token, "/profiles/p1"} {
		app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, u, nil))
	}
	out := buf.String()
	if strings.Contains(out, token) {
		t.Errorf("the access log shows a token:\n%s", out)
	}
	for _, want := range []string{"path=/invite/[redacted]", "path=/api/backup ", "path=/profiles/p1 "} {
		if !strings.Contains(out, want) {
			t.Errorf("the access log lacks %q:\n%s", want, out)
		}
	}
}

func TestLogPath(t *testing.T) {
	for in, want := range map[string]string{
		"/invite/abc": "/invite/[redacted]", "/invite/": "/invite/", "/invite": "/invite", "/login": "/login", "/": "/",
	} {
		if got := logPath(in); got != want {
			t.Errorf("logPath(%q) = %q, want %q", in, got, want)
		}
	}
}
