package auth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/kv"
)

// linked is a LinkedLookup over a fixed set of linked users.
func linked(users map[string]auth.LinkedIdentity) auth.LinkedLookup {
	return func(profile, user string) (auth.LinkedIdentity, error) {
		id, ok := users[profile+"/"+user]
		if !ok {
			return auth.LinkedIdentity{}, errors.New("no such linked user")
		}
		return id, nil
	}
}

func tokenOf(t *testing.T, inv *auth.Invitation) string {
	t.Helper()
	tok, ok := strings.CutPrefix(inv.Link, "/invite/")
	if !ok || tok == "" {
		t.Fatalf("invitation link %q", inv.Link)
	}
	return tok
}

func TestPortalInvitations(t *testing.T) {
	t.Parallel()
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newService(t, db, clock)
	if _, err := s.Bootstrap("admin@example.com", pw); err != nil {
		t.Fatal(err)
	}
	admin := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: "a", Email: "admin@example.com", Role: auth.RoleAdmin})
	users := map[string]auth.LinkedIdentity{
		"p1/u1":  {Email: "alice@example.com", Name: "Alice"},
		"p1/u10": {Email: "carl@example.com"},
		"p2/u1":  {Email: "Alice@Example.com"},
		"p1/adm": {Email: "admin@example.com"},
	}
	lookup := linked(users)
	invite := func(profile, user string) string {
		t.Helper()
		inv, err := s.InvitePortalUser(admin, profile, user, users[profile+"/"+user].Email, "")
		if err != nil {
			t.Fatal(err)
		}
		if !inv.ExpiresAt.Equal(now.Add(auth.PortalInvitationTTL)) {
			t.Errorf("expires %v", inv.ExpiresAt)
		}
		return tokenOf(t, inv)
	}

	// Only admins invite; bad ids are refused naming the field.
	user := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: "x", Role: auth.RoleUser})
	if _, err := s.InvitePortalUser(user, "p1", "u1", "alice@example.com", ""); auth.CodeOf(err) != auth.CodeForbidden {
		t.Errorf("a user invited: %v", err)
	}
	for _, c := range [][3]string{{"", "u1", "profileId"}, {"p/1", "u1", "profileId"}, {"p1", "", "userId"}, {"p1", "u1", "email"}} {
		email := "alice@example.com"
		if c[2] == "email" {
			email = "not an address"
		}
		var ae *auth.Error
		if _, err := s.InvitePortalUser(admin, c[0], c[1], email, ""); !errors.As(err, &ae) || ae.Field != c[2] {
			t.Errorf("invite(%q, %q, %q): %v, want the field %s", c[0], c[1], email, err, c[2])
		}
	}

	// Alice: one account, created without a password, links from two profiles (her address in another case).
	a1, err := s.AcceptPortalInvitation(context.Background(), invite("p1", "u1"), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if a1.Role != auth.RoleUser || a1.Hash != "" || s.HasPassword(a1.ID) {
		t.Errorf("account %+v", a1)
	}
	a2, err := s.AcceptPortalInvitation(context.Background(), invite("p2", "u1"), lookup)
	if err != nil || a2.ID != a1.ID {
		t.Fatalf("second invitation of alice: %+v %v", a2, err)
	}
	if got := s.Links(a1.ID); !slices.Equal(got, []auth.Link{{Profile: "p1", User: "u1"}, {Profile: "p2", User: "u1"}}) {
		t.Errorf("alice's links %v", got)
	}
	// A password-less account cannot log in with any password.
	if _, err := s.Login(context.Background(), "alice@example.com", "anything at all 123"); auth.CodeOf(err) != auth.CodeUnauthenticated {
		t.Errorf("password-less login: %v", err)
	}

	// Newest only: a second invitation of carl revokes the first.
	old := invite("p1", "u10")
	cur := invite("p1", "u10")
	if _, err := s.AcceptPortalInvitation(context.Background(), old, lookup); auth.CodeOf(err) != auth.CodeNotFound {
		t.Errorf("replaced invitation: %v", err)
	}
	// Dropping u1's links does not touch u10 (whose id starts with u1), nor its pending invitation.
	pendingU1 := invite("p1", "u1")
	if err := s.DropLinks(admin, "p1", "u1"); err != nil {
		t.Fatal(err)
	}
	if got := s.Links(a1.ID); !slices.Equal(got, []auth.Link{{Profile: "p2", User: "u1"}}) {
		t.Errorf("alice's links after dropping p1/u1: %v", got)
	}
	if _, err := s.AcceptPortalInvitation(context.Background(), pendingU1, lookup); auth.CodeOf(err) != auth.CodeNotFound {
		t.Errorf("the invitation of a dropped link: %v", err)
	}
	carl, err := s.AcceptPortalInvitation(context.Background(), cur, lookup)
	if err != nil {
		t.Fatalf("carl's invitation after dropping p1/u1: %v", err)
	}
	// One-time.
	if _, err := s.AcceptPortalInvitation(context.Background(), cur, lookup); auth.CodeOf(err) != auth.CodeNotFound {
		t.Errorf("used invitation: %v", err)
	}
	// A whole profile.
	if err := s.DropLinks(admin, "p1", ""); err != nil {
		t.Fatal(err)
	}
	if got := s.Links(carl.ID); len(got) != 0 {
		t.Errorf("carl's links after dropping p1: %v", got)
	}

	// An unlinked user's token, an admin's address, expiry, garbage.
	gone := invite("p1", "u1")
	delete(users, "p1/u1")
	if _, err := s.AcceptPortalInvitation(context.Background(), gone, lookup); auth.CodeOf(err) != auth.CodeNotFound {
		t.Errorf("token of an unlinked user: %v", err)
	}
	if _, err := s.AcceptPortalInvitation(context.Background(), invite("p1", "adm"), lookup); auth.CodeOf(err) != auth.CodeConflict {
		t.Errorf("invitation to the admin's address: %v", err)
	}
	late := invite("p2", "u1")
	mu.Lock()
	now = now.Add(auth.PortalInvitationTTL)
	mu.Unlock()
	if _, err := s.AcceptPortalInvitation(context.Background(), late, lookup); auth.CodeOf(err) != auth.CodeNotFound {
		t.Errorf("expired invitation: %v", err)
	}
	for _, tok := range []string{"", "   ", strings.Repeat("x", 200), "nope"} {
		if _, err := s.AcceptPortalInvitation(context.Background(), tok, lookup); err == nil {
			t.Errorf("token %q accepted", tok)
		}
	}

	// SuperOffice sign-in: links required; an admin's address refused; admins never get links.
	if _, err := s.SignInLinked(context.Background(), "dora@example.com", "Dora", nil, "test"); auth.CodeOf(err) != auth.CodeForbidden {
		t.Errorf("sign-in without links: %v", err)
	}
	if _, err := s.SignInLinked(context.Background(), "ADMIN@example.com", "", []auth.Link{{Profile: "p2", User: "u1"}}, "test"); auth.CodeOf(err) != auth.CodeConflict {
		t.Errorf("sign-in of an admin's address: %v", err)
	}
	admins, _ := s.Admins(admin)
	if got := s.Links(admins[0].ID); len(got) != 0 {
		t.Errorf("the admin has links %v", got)
	}

	// Everything survives a restart (the store is the source of truth).
	s2 := newService(t, db, clock)
	if got := s2.Links(a1.ID); !slices.Equal(got, []auth.Link{{Profile: "p2", User: "u1"}}) {
		t.Errorf("alice's links after a restart: %v", got)
	}
}

// TestPortalInvitationConcurrentRedeem redeems one token from many goroutines: exactly one succeeds.
func TestPortalInvitationConcurrentRedeem(t *testing.T) {
	t.Parallel()
	s := newService(t, nil, nil)
	admin := auth.WithViewer(context.Background(), &auth.Viewer{Email: "admin@example.com", Role: auth.RoleAdmin})
	inv, err := s.InvitePortalUser(admin, "p1", "u1", "alice@example.com", "Alice")
	if err != nil {
		t.Fatal(err)
	}
	tok := tokenOf(t, inv)
	lookup := linked(map[string]auth.LinkedIdentity{"p1/u1": {Email: "alice@example.com"}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 16 {
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
		t.Errorf("%d redemptions of one token succeeded, want 1", ok)
	}
}
