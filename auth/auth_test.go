package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/kv"
)

var cheap = auth.PasswordParams{Time: 1, Memory: 1024, Threads: 1}

const pw = "correct horse battery"

func newService(t testing.TB, db *kv.DB, now func() time.Time) *auth.Service {
	t.Helper()
	if db == nil {
		var err error
		db, err = kv.Open(kv.Options{InMemory: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
	}
	s, err := auth.New(db, auth.Options{Password: cheap, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(h, pw) {
		t.Fatalf("hash = %q", h)
	}
	h2, _ := auth.HashPassword(pw, cheap)
	if h == h2 {
		t.Fatal("two hashes of the same password are equal: salt missing")
	}
	for _, tc := range []struct {
		pw, hash string
		ok       bool
		err      bool
	}{
		{pw, h, true, false},
		{pw + "x", h, false, false},
		{"", h, false, false},
		{pw, "", false, true},
		{pw, "$argon2i$v=19$m=1024,t=1,p=1$AAAA$AAAA", false, true},
		{pw, "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", false, true},
		{pw, "$argon2id$v=19$m=1024,t=1,p=1$!!$AAAA", false, true},
		{pw, "$argon2id$v=18$m=1024,t=1,p=1$AAAA$AAAA", false, true},
	} {
		ok, err := auth.VerifyPassword(tc.pw, tc.hash)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("verify(%q, %q) = %v, %v; want %v, err=%v", tc.pw, tc.hash, ok, err, tc.ok, tc.err)
		}
	}
}

func TestSetupAndReload(t *testing.T) {
	t.Parallel()
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := newService(t, db, nil)
	if !s.NeedsSetup() || len(s.SetupToken()) < 30 {
		t.Fatalf("fresh store: NeedsSetup=%v token=%q", s.NeedsSetup(), s.SetupToken())
	}
	ctx := context.Background()
	_, err = s.Setup(ctx, s.SetupToken(), "Admin@Example.com", "Ada", "short")
	if auth.CodeOf(err) != auth.CodeBadUserInput || !strings.Contains(err.Error(), "password") {
		t.Fatalf("short password: %v", err)
	}
	a, err := s.Setup(ctx, s.SetupToken(), "Admin@Example.com", "Ada", pw)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash != "" {
		t.Fatal("Setup returned the password hash")
	}
	sess, err := s.StartSession(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}

	// A new Service over the same store sees the admin and the session.
	s2 := newService(t, db, nil)
	if s2.NeedsSetup() || s2.SetupToken() != "" {
		t.Fatal("reloaded service wants setup again")
	}
	if _, err := s2.Login(ctx, "admin@example.com", pw); err != nil {
		t.Fatalf("login after reload: %v", err)
	}
	var got *auth.Viewer
	h := s2.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = auth.ViewerFrom(r.Context()) }))
	req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: sess.ID})
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got == nil || got.Email != "Admin@Example.com" || got.Role != auth.RoleAdmin {
		t.Fatalf("viewer from a stored session = %+v", got)
	}
	if created, err := s2.Bootstrap("other@example.com", pw); created || err != nil {
		t.Fatalf("Bootstrap after setup = %v, %v; want a no-op", created, err)
	}
}

func TestBootstrap(t *testing.T) {
	t.Parallel()
	s := newService(t, nil, nil)
	if _, err := s.Bootstrap("ops@example.com", "short"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("short bootstrap password: %v", err)
	}
	created, err := s.Bootstrap("ops@example.com", pw)
	if !created || err != nil {
		t.Fatalf("Bootstrap = %v, %v", created, err)
	}
	if s.NeedsSetup() || s.SetupToken() != "" {
		t.Fatal("setup still needed after Bootstrap")
	}
	_, err = s.Setup(context.Background(), "anything", "x@example.com", "X", pw)
	if auth.CodeOf(err) != auth.CodeSetupDone {
		t.Fatalf("Setup after Bootstrap: %v", err)
	}
}

func TestConcurrentSetupCreatesOneAdmin(t *testing.T) {
	t.Parallel()
	s := newService(t, nil, nil)
	tok := s.SetupToken()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Setup(context.Background(), tok, string(rune('a'+i))+"@example.com", "A", pw); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d concurrent setups succeeded, want exactly 1", ok)
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	s := newService(t, nil, nil)
	a, err := s.Setup(context.Background(), s.SetupToken(), "admin@example.com", "Ada", pw)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.StartSession(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := auth.ViewerFrom(r.Context()); v != nil {
			w.Header().Set("X-Viewer", v.Email)
		}
	}))
	for _, tc := range []struct {
		name    string
		method  string
		cookie  string
		csrf    string
		authz   string
		status  int
		viewer  string
		cleared bool
	}{
		{"anonymous", "POST", "", "", "", 200, "", false},
		{"cookie GET", "GET", sess.ID, "", "", 200, "admin@example.com", false},
		{"cookie POST without CSRF", "POST", sess.ID, "", "", 403, "", false},
		{"cookie POST with CSRF", "POST", sess.ID, sess.CSRF, "", 200, "admin@example.com", false},
		{"cookie DELETE with wrong CSRF", "DELETE", sess.ID, "x", "", 403, "", false},
		{"unknown cookie", "POST", "nope", "", "", 200, "", true},
		{"basic auth", "GET", "", "", "Basic eDp5", 401, "", false},
		{"unknown bearer", "GET", "", "", "Bearer syn_x", 401, "", false},
	} {
		req := httptest.NewRequest(tc.method, "/graphql", nil)
		if tc.cookie != "" {
			req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: tc.cookie})
		}
		if tc.csrf != "" {
			req.Header.Set(auth.CSRFHeader, tc.csrf)
		}
		if tc.authz != "" {
			req.Header.Set("Authorization", tc.authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status || rec.Header().Get("X-Viewer") != tc.viewer {
			t.Errorf("%s: status %d viewer %q, want %d %q (%s)", tc.name, rec.Code, rec.Header().Get("X-Viewer"), tc.status, tc.viewer, rec.Body)
		}
		if cleared := strings.Contains(strings.Join(rec.Header().Values("Set-Cookie"), ";"), "Max-Age=0"); cleared != tc.cleared {
			t.Errorf("%s: cookies cleared = %v, want %v", tc.name, cleared, tc.cleared)
		}
		if rec.Code >= 400 && !strings.Contains(rec.Body.String(), `"code"`) {
			t.Errorf("%s: error body lacks a code: %s", tc.name, rec.Body)
		}
	}
}

func TestSecureCookiesUnderTLS(t *testing.T) {
	t.Parallel()
	db, _ := kv.Open(kv.Options{InMemory: true})
	defer db.Close()
	s, err := auth.New(db, auth.Options{Password: cheap, SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Setup(context.Background(), s.SetupToken(), "admin@example.com", "Ada", pw)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.StartSession(r.Context(), a.ID); err != nil {
			t.Error(err)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	res := rec.Result()
	if len(res.Cookies()) != 2 {
		t.Fatalf("cookies = %v", res.Cookies())
	}
	for _, c := range res.Cookies() {
		if !c.Secure || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: Secure=%v SameSite=%v", c.Name, c.Secure, c.SameSite)
		}
	}
}

func TestWebsocketInit(t *testing.T) {
	t.Parallel()
	s := newService(t, nil, nil)
	a, _ := s.Setup(context.Background(), s.SetupToken(), "admin@example.com", "Ada", pw)
	ctx := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: a.ID, Email: a.Email, Role: auth.RoleAdmin})
	_, secret, err := s.CreateAPIToken(ctx, "ws", 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ViewerFromWebsocketInit(context.Background(), map[string]any{"Authorization": "Bearer " + secret})
	if err != nil || auth.ViewerFrom(got) == nil || auth.ViewerFrom(got).Via != "token" {
		t.Fatalf("bearer init: %v %+v", err, auth.ViewerFrom(got))
	}
	if _, err := s.ViewerFromWebsocketInit(context.Background(), map[string]any{"authorization": "Token x"}); auth.CodeOf(err) != auth.CodeUnauthenticated {
		t.Fatalf("wrong scheme: %v", err)
	}
	if _, err := s.ViewerFromWebsocketInit(context.Background(), map[string]any{"authorization": 42}); err == nil {
		t.Fatal("non-string authorization accepted")
	}
	base := auth.WithViewer(context.Background(), &auth.Viewer{Email: "cookie@example.com"})
	got, err = s.ViewerFromWebsocketInit(base, map[string]any{})
	if err != nil || auth.ViewerFrom(got).Email != "cookie@example.com" {
		t.Fatalf("no authorization must keep the cookie viewer: %v", err)
	}
}

func TestLoginInputErrors(t *testing.T) {
	t.Parallel()
	s := newService(t, nil, nil)
	for _, tc := range []struct{ email, pw, field string }{
		{"", pw, "email"},
		{"a@example.com", "", "password"},
		{"a@example.com", strings.Repeat("x", 5000), "password"},
	} {
		_, err := s.Login(context.Background(), tc.email, tc.pw)
		if auth.CodeOf(err) != auth.CodeBadUserInput || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("Login(%q, len %d): %v, want BAD_USER_INPUT naming %s", tc.email, len(tc.pw), err, tc.field)
		}
	}
}
