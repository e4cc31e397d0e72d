package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/kv"
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

// TestUserSignInRateLimit: the anonymous user sign-in routes (start and callback) refuse a client address beyond its
// budget with 429 and Retry-After, before any work or audit event; another address is not affected, and the window
// passing lifts the block.
func TestUserSignInRateLimit(t *testing.T) {
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	logger := slog.New(slog.DiscardHandler)
	authSvc, err := auth.New(db, auth.Options{Password: auth.PasswordParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	stack, err := startSyncAt(context.Background(), Config{}, db, logger, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stack.stop(context.Background()) })
	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	flows := newOAuthFlows(stack, db, authSvc, "", logger)
	flows.userLimit = newIPLimiter(3, time.Minute, clock)
	mux := http.NewServeMux()
	flows.mount(func(pattern string, h http.Handler) { mux.Handle(pattern, h) })

	get := func(path, remote string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	refusals := func() int {
		t.Helper()
		admin := auth.WithViewer(context.Background(), &auth.Viewer{Role: auth.RoleAdmin})
		evs, _, err := authSvc.AuditLog(admin, 500, "")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Action == actionPortalSignInRefused {
				n++
			}
		}
		return n
	}
	start, callback := pathSuperOfficeUserStart+"?instance=nope", pathSuperOfficeUserCallback+"?state=forged"
	for i, p := range []string{start, callback, start} {
		if rec := get(p, "192.0.2.66:1000"); rec.Code != http.StatusSeeOther {
			t.Fatalf("request %d: %d, want 303", i, rec.Code)
		}
	}
	for _, p := range []string{start, callback} {
		rec := get(p, "192.0.2.66:2000")
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s beyond the budget: %d (Retry-After %q), want 429", p, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
	if n := refusals(); n != 3 {
		t.Errorf("%d refusals audited, want 3 (none beyond the budget)", n)
	}
	// One IPv6 client holds a /64: its neighbours share the budget; another address does not.
	for i := range 3 {
		get(start, "[2001:db8:1:2::"+string(rune('a'+i))+"]:1")
	}
	if rec := get(start, "[2001:db8:1:2:ffff::1]:1"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the same IPv6 /64 beyond the budget: %d, want 429", rec.Code)
	}
	if rec := get(start, "198.51.100.7:1000"); rec.Code != http.StatusSeeOther {
		t.Errorf("another address: %d, want 303", rec.Code)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if rec := get(start, "192.0.2.66:3000"); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window: %d, want 303", rec.Code)
	}
}

// TestIPLimiterSpray: the limiter's memory is bounded; under a spray of addresses new ones wait while known ones keep
// their budget.
func TestIPLimiterSpray(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	l := newIPLimiter(2, time.Minute, func() time.Time { return now })
	if l.take("203.0.113.1:1") != 0 {
		t.Fatal("first request refused")
	}
	for i := range maxIPLimiterKeys {
		l.take("10." + itoa(i>>16&255) + "." + itoa(i>>8&255) + "." + itoa(i&255) + ":1")
	}
	if len(l.hits) > maxIPLimiterKeys {
		t.Errorf("%d keys, want at most %d", len(l.hits), maxIPLimiterKeys)
	}
	if l.take("203.0.113.1:1") != 0 {
		t.Error("a known address lost its budget under the spray")
	}
	if l.take("203.0.113.99:1") == 0 {
		t.Error("a new address was let in beyond the key bound")
	}
	now = now.Add(time.Minute)
	if l.take("203.0.113.99:1") != 0 {
		t.Error("a new address still refused after the window")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
