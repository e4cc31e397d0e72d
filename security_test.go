package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
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

// TestWithTrustedProxy: only a request whose peer is a trusted proxy is placed at the right-most X-Forwarded-For
// address that is not itself a trusted proxy; what a client writes into the header itself is never believed.
func TestWithTrustedProxy(t *testing.T) {
	nets, err := parseTrustedProxies([]string{"127.0.0.1", "10.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := withTrustedProxy(nets, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.RemoteAddr }))
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"proxy, one hop", "127.0.0.1:5000", []string{"203.0.113.9"}, "203.0.113.9:0"},
		{"proxy, client's own claim left of it", "127.0.0.1:5000", []string{"198.51.100.1, 203.0.113.9"}, "203.0.113.9:0"},
		{"two proxies", "127.0.0.1:5000", []string{"203.0.113.9, 10.1.2.3"}, "203.0.113.9:0"},
		{"two headers", "[::1]:5000", []string{"198.51.100.1", "2001:db8::7"}, "[2001:db8::7]:0"},
		{"only proxies", "127.0.0.1:5000", []string{"10.1.2.3"}, "10.1.2.3:0"},
		{"malformed hop", "127.0.0.1:5000", []string{"203.0.113.9, nonsense"}, "127.0.0.1:5000"},
		{"proxy without header", "127.0.0.1:5000", nil, "127.0.0.1:5000"},
		{"untrusted peer", "192.0.2.66:5000", []string{"203.0.113.9"}, "192.0.2.66:5000"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = c.peer
		for _, v := range c.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got != c.want {
			t.Errorf("%s: RemoteAddr %q, want %q", c.name, got, c.want)
		}
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", ""} {
		if _, err := parseTrustedProxies([]string{bad}); err == nil || !strings.Contains(err.Error(), "--trusted-proxy") {
			t.Errorf("parseTrustedProxies(%q): %v, want an error naming --trusted-proxy", bad, err)
		}
	}
	if _, err := loadServeConfig([]string{"--trusted-proxy", "10.0.0.0/8,127.0.0.1"}, func(string) string { return "" }); err != nil {
		t.Errorf("--trusted-proxy 10.0.0.0/8,127.0.0.1: %v", err)
	}
	if _, err := loadServeConfig(nil, func(k string) string {
		if k == "SYNCHRONIZER_TRUSTED_PROXY" {
			return "not-an-ip"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "--trusted-proxy") {
		t.Errorf("SYNCHRONIZER_TRUSTED_PROXY=not-an-ip: %v", err)
	}
}

// TestRateLimitsBehindTrustedProxy: behind a trusted proxy every client has its own sign-in budget (the proxy's
// address is not one shared budget), and without --trusted-proxy a forged X-Forwarded-For buys no new budget.
func TestRateLimitsBehindTrustedProxy(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	flows := &oauthFlows{userLimit: newIPLimiter(2, time.Minute, func() time.Time { return now })}
	limited := flows.limitUserSignIn(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	nets, _ := parseTrustedProxies([]string{"127.0.0.1"})
	for _, c := range []struct {
		name    string
		trusted []*net.IPNet
		want    []int // the answers to clients a, a, a, b (by X-Forwarded-For), all through 127.0.0.1
	}{
		{"trusted proxy", nets, []int{204, 204, 429, 204}},
		{"no trusted proxy", nil, []int{204, 204, 429, 429}}, // one budget: the proxy's address
	} {
		h := withTrustedProxy(c.trusted, limited)
		for i, client := range []string{"203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"} {
			req := httptest.NewRequest(http.MethodGet, pathSuperOfficeUserStart, nil)
			req.RemoteAddr = "127.0.0.1:4000"
			req.Header.Set("X-Forwarded-For", client)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want[i] {
				t.Errorf("%s: request %d from %s: %d, want %d", c.name, i, client, rec.Code, c.want[i])
			}
		}
	}
}
