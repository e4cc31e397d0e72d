package main

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
	"github.com/synchronizer/synchronizer/kv"
)

func TestCheckReturnTo(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"/profiles", "/profiles/p1", "/profiles/p1/edit", "/profiles/a%40b.c/edit", "/profiles/x_y-z~1+2"} {
		if err := checkReturnTo(ok); err != nil {
			t.Errorf("checkReturnTo(%q) = %v, want accepted", ok, err)
		}
	}
	for _, bad := range []string{
		"",
		"https://evil.example/profiles/p1",
		"http:/profiles/p1",
		"javascript:alert(1)",
		"//evil.example/profiles",
		"/\\evil.example/profiles",
		"/profiles/\\evil.example",
		"/profiles//evil.example",
		"/profiles/p1/%2f%2fevil.example",
		"/profiles/../graphql",
		"/profiles/%2e%2e/graphql",
		"/profiles/%2E%2E/oauth/superoffice/callback",
		"/profiles/./p1",
		"/profiles/p1?signin=ok",
		"/profiles/p1%3fx=1",
		"/profiles/p1#top",
		"/profiles/p1%23top",
		"/portal",
		"/profilesx/p1",
		"/graphql",
		"profiles/p1",
		"/profiles/p 1",
		"/profiles/p1\r\nSet-Cookie:x=1",
		"/profiles/p1%0d%0aSet-Cookie:x=1",
		"/profiles/%zz",
		"/profiles/ø",
		"/profiles/" + strings.Repeat("a", returnToMax),
	} {
		err := checkReturnTo(bad)
		if err == nil {
			t.Errorf("checkReturnTo(%q) accepted, want refused", bad)
			continue
		}
		if !strings.Contains(err.Error(), "returnTo") {
			t.Errorf("checkReturnTo(%q) = %v, want an error naming returnTo", bad, err)
		}
	}
}

const beginSignInReturn = `mutation($p: ID!, $s: Side!, $r: String) { beginSystemSignIn(profileId: $p, side: $s, returnTo: $r) { url expiresAt } }`

// beginReturning starts a sign-in of p1's side through the API with returnTo and returns the provider URL.
func (a *appliance) beginReturning(t *testing.T, side, returnTo string) string {
	t.Helper()
	data, msg := a.gql(t, beginSignInReturn, map[string]any{"p": "p1", "s": side, "r": returnTo})
	if msg != "" {
		t.Fatalf("beginSystemSignIn(%s, returnTo %q): %s", side, returnTo, msg)
	}
	var out struct {
		Begin struct {
			URL string `json:"url"`
		} `json:"beginSystemSignIn"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out.Begin.URL
}

// TestSignInReturnsToTheWizard: a sign-in started with returnTo (the profile wizard's page) comes back there with
// its outcome, a returnTo that is not a dashboard page under /profiles is refused before anything is stored, and a
// pending sign-in whose stored returnTo was tampered with falls back to the profile's page.
func TestSignInReturnsToTheWizard(t *testing.T) {
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	g := msgraphtest.New(msgraphtest.Options{})
	defer g.Close()
	g.AddClient("app-1", "app-secret")
	a := newAppliance(t, nil)
	putSignInProfile(t, a, so, g)
	if err := a.stack.secrets("so1").Put(context.Background(), superoffice.SecretClientSecret, []byte(superofficetest.ClientSecret)); err != nil {
		t.Fatal(err)
	}

	// SuperOffice: the whole round trip lands on the wizard, signed in.
	provider := a.beginReturning(t, "CRM", "/profiles/p1/edit")
	callback := a.follow(t, provider)
	if loc := a.follow(t, callback); loc != "/profiles/p1/edit?signin=ok" {
		t.Errorf("SuperOffice sign-in returned to %q, want /profiles/p1/edit?signin=ok", loc)
	}
	if got := a.secret(t, "so1", superoffice.SecretSystemToken); got != superofficetest.SystemToken {
		t.Errorf("system token %q after the sign-in", got)
	}

	// Microsoft admin consent: refused by the admin, the wizard shows why.
	pu, err := url.Parse(a.beginReturning(t, "MAILBOX", "/profiles/p1/edit"))
	if err != nil {
		t.Fatal(err)
	}
	denied := a.srv.URL + pathMicrosoftConsent + "?" + url.Values{"error": {"access_denied"}, "state": {pu.Query().Get("state")}}.Encode()
	if loc := a.follow(t, denied); loc != "/profiles/p1/edit?reason=access_denied&signin=error" {
		t.Errorf("refused consent returned to %q", loc)
	}

	// Open redirects and other parts of the appliance are refused, naming returnTo, and start nothing.
	pending := func() int {
		n := 0
		if err := a.db.View(func(tx *kv.Tx) error {
			return tx.Scan([]byte(kv.PrefixOAuth), func(_, _ []byte) error { n++; return nil })
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := pending()
	for _, bad := range []string{"https://evil.example/", "//evil.example/profiles", "/\\evil.example", "/profiles/%2e%2e/graphql", "/portal", "/profiles/p1?next=//evil.example"} {
		if _, msg := a.gql(t, beginSignInReturn, map[string]any{"p": "p1", "s": "CRM", "r": bad}); !strings.Contains(msg, "returnTo") {
			t.Errorf("returnTo %q: answer %q, want an error naming returnTo", bad, msg)
		}
	}
	if after := pending(); after != before {
		t.Errorf("%d pending sign-ins after refused starts, want %d", after, before)
	}
	// Leaving returnTo out (or empty) keeps the profile's page.
	provider = a.beginReturning(t, "CRM", "")
	if loc := a.follow(t, a.follow(t, provider)); loc != "/profiles/p1?signin=ok" {
		t.Errorf("sign-in without returnTo returned to %q", loc)
	}

	// A stored returnTo is checked again at the callback: a tampered one falls back to the profile's page.
	rec := pendingSignIn{Flow: flowMicrosoftAdmin, Profile: "p1", Side: "mailbox", Redirect: a.srv.URL + pathMicrosoftConsent,
		ReturnTo: "//evil.example/", Started: time.Now().UTC()}
	b, _ := json.Marshal(rec)
	if err := a.db.Update(func(tx *kv.Tx) error { return tx.SetWithTTL([]byte(kv.PrefixOAuth+"tampered"), b, time.Minute) }); err != nil {
		t.Fatal(err)
	}
	loc := a.follow(t, a.srv.URL+pathMicrosoftConsent+"?error=access_denied&state=tampered")
	if loc != "/profiles/p1?reason=access_denied&signin=error" {
		t.Errorf("tampered returnTo redirected to %q, want the profile's page", loc)
	}
}
