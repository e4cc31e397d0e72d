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

// requestCtx returns the context Middleware gives a request from remoteAddr.
func requestCtx(t *testing.T, s *auth.Service, remoteAddr string) context.Context {
	t.Helper()
	var ctx context.Context
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.RemoteAddr = remoteAddr
	s.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { ctx = r.Context() })).ServeHTTP(httptest.NewRecorder(), req)
	if ctx == nil || auth.RequestIP(ctx) == "" {
		t.Fatal("the middleware recorded no client IP")
	}
	return ctx
}

// TestPortalInvitationRateLimit: unusable invitation tokens count against the client IP's failed sign-in budget;
// beyond it the IP is refused with RATE_LIMITED — even with a valid token, which stays unspent — without an audit
// event per attempt, while other IPs redeem as usual; the window passing lifts the block.
func TestPortalInvitationRateLimit(t *testing.T) {
	t.Parallel()
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := auth.New(db, auth.Options{Password: cheap, Now: clock,
		LoginLimit: auth.LoginLimit{PerAccount: 5, PerIP: 3, Window: 15 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bootstrap("admin@example.com", pw); err != nil {
		t.Fatal(err)
	}
	admin := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: "a", Email: "admin@example.com", Role: auth.RoleAdmin})
	lookup := linked(map[string]auth.LinkedIdentity{"p1/u1": {Email: "alice@example.com"}, "p1/u2": {Email: "bob@example.com"}})
	invite := func(user, email string) string {
		t.Helper()
		inv, err := s.InvitePortalUser(admin, "p1", user, email, "")
		if err != nil {
			t.Fatal(err)
		}
		return tokenOf(t, inv)
	}
	alice, bob := invite("u1", "alice@example.com"), invite("u2", "bob@example.com")
	mallory := requestCtx(t, s, "192.0.2.66:4711")
	refusals := func() int {
		t.Helper()
		evs, _, err := s.AuditLog(admin, 500, "")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Action == auth.ActionPortalInviteRefused {
				n++
			}
		}
		return n
	}

	for i, tok := range []string{"guess-1", "guess-2", string(make([]byte, 200))} {
		if _, err := s.AcceptPortalInvitation(mallory, tok, lookup); auth.CodeOf(err) != auth.CodeNotFound {
			t.Fatalf("guess %d: %v, want NOT_FOUND", i, err)
		}
	}
	for i := range 5 {
		if _, err := s.AcceptPortalInvitation(mallory, "guess-more", lookup); auth.CodeOf(err) != auth.CodeRateLimited {
			t.Fatalf("guess %d beyond the budget: %v, want RATE_LIMITED", i, err)
		}
	}
	if _, err := s.AcceptPortalInvitation(mallory, alice, lookup); auth.CodeOf(err) != auth.CodeRateLimited {
		t.Fatalf("a valid token from the blocked IP: %v, want RATE_LIMITED", err)
	}
	if n := refusals(); n != 2 { // the over-long token is refused before the store is read
		t.Errorf("%d refusals audited, want 2 (none for the rate-limited attempts)", n)
	}
	// Another address is not affected.
	if _, err := s.AcceptPortalInvitation(requestCtx(t, s, "198.51.100.7:1234"), bob, lookup); err != nil {
		t.Fatalf("bob from another IP: %v", err)
	}
	// Once the window has passed, alice's token (never spent) works from the same address.
	mu.Lock()
	now = now.Add(15 * time.Minute)
	mu.Unlock()
	if a, err := s.AcceptPortalInvitation(mallory, alice, lookup); err != nil || a.Email != "alice@example.com" {
		t.Fatalf("alice after the window: %+v %v", a, err)
	}
}

// TestPortalInvitationOneTimeUnderConcurrency: many browsers redeeming one invitation token at the same moment get
// exactly one session's account; every other attempt is refused.
func TestPortalInvitationOneTimeUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := newService(t, nil, nil)
	if _, err := s.Bootstrap("admin@example.com", pw); err != nil {
		t.Fatal(err)
	}
	admin := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: "a", Email: "admin@example.com", Role: auth.RoleAdmin})
	lookup := linked(map[string]auth.LinkedIdentity{"p1/u1": {Email: "alice@example.com"}})
	for round := range 20 {
		inv, err := s.InvitePortalUser(admin, "p1", "u1", "alice@example.com", "")
		if err != nil {
			t.Fatal(err)
		}
		tok := tokenOf(t, inv)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for range 8 {
			wg.Go(func() {
				if _, err := s.AcceptPortalInvitation(context.Background(), tok, lookup); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ok != 1 {
			t.Fatalf("round %d: %d redemptions of one token succeeded, want 1", round, ok)
		}
	}
}

// TestAdminInvitationRateLimit: unusable admin invitation tokens count against the client IP's failed sign-in
// budget too; beyond it a valid token from that address is refused (and stays unspent), another address is not.
func TestAdminInvitationRateLimit(t *testing.T) {
	t.Parallel()
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	s, err := auth.New(db, auth.Options{Password: cheap, LoginLimit: auth.LoginLimit{PerAccount: 5, PerIP: 2, Window: 15 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bootstrap("admin@example.com", pw); err != nil {
		t.Fatal(err)
	}
	admin := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: "a", Email: "admin@example.com", Role: auth.RoleAdmin})
	inv, err := s.InviteAdmin(admin, "second@example.com", "Second")
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimPrefix(inv.Link, "/invite?token=")
	mallory := requestCtx(t, s, "192.0.2.66:4711")
	for i := range 2 {
		if _, err := s.AcceptInvitation(mallory, "guess", "", pw); auth.CodeOf(err) != auth.CodeNotFound {
			t.Fatalf("guess %d: %v, want NOT_FOUND", i, err)
		}
	}
	if _, err := s.AcceptInvitation(mallory, tok, "", pw); auth.CodeOf(err) != auth.CodeRateLimited {
		t.Fatalf("a valid token from the blocked IP: %v, want RATE_LIMITED", err)
	}
	if a, err := s.AcceptInvitation(requestCtx(t, s, "198.51.100.7:1"), tok, "", pw); err != nil || a.Role != auth.RoleAdmin {
		t.Fatalf("the token from another IP: %+v %v", a, err)
	}
}
