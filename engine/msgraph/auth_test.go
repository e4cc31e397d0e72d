package msgraph_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

func TestDelegatedFlowRotationAndRevocation(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	sec := newSecrets()
	c := newConn(t, srv, engine.Env{Secrets: sec}, func(s *msgraph.Settings) { s.Auth = msgraph.AuthDelegated })

	verifier, challenge, err := msgraph.NewPKCE()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(c.AuthCodeURL("st-1", challenge))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge") != challenge || q.Get("code_challenge_method") != "S256" || q.Get("state") != "st-1" ||
		!strings.Contains(q.Get("scope"), "offline_access") || !strings.HasSuffix(u.Path, "/oauth2/v2.0/authorize") {
		t.Fatalf("authorize URL: %s", u)
	}
	// A wrong verifier is refused; the right one stores the refresh token at once.
	code := srv.Issue(alice, challenge, "https://sync.example.com/auth/msgraph")
	if err := c.ExchangeCode(ctx, alice, code, "wrong-verifier"); !errors.Is(err, engine.ErrAuth) {
		t.Fatalf("bad verifier: %v", err)
	}
	code = srv.Issue(alice, challenge, "https://sync.example.com/auth/msgraph")
	if err := c.ExchangeCode(ctx, alice, code, verifier); err != nil {
		t.Fatal(err)
	}
	rt1, _ := sec.Get(ctx, "refresh."+alice)
	if len(rt1) == 0 {
		t.Fatal("no refresh token saved")
	}
	s := openStore(t, c, engine.KindAppointment, alice)
	if _, _, err := listAll(t, s, ""); err != nil {
		t.Fatal(err)
	}
	// Delegated access is confined to the user's own mailbox.
	carol := openStore(t, c, engine.KindAppointment, "u-carol")
	if _, err := carol.Changes(ctx, ""); err == nil {
		t.Fatal("a delegated token of alice read carol's calendar")
	}
	// The access token expires (force it by revoking only access tokens through a new sign-in being required):
	// the connector refreshes and saves the rotated refresh token before using the new access token.
	srv.ExpireAccessTokens()
	if _, _, err := listAll(t, s, ""); err != nil {
		t.Fatal(err)
	}
	rt2, _ := sec.Get(ctx, "refresh."+alice)
	if string(rt2) == string(rt1) || len(rt2) == 0 {
		t.Fatalf("the refresh token was not rotated and saved: %q → %q", rt1, rt2)
	}
	// Revocation (admin revoked sessions, Conditional Access sign-in frequency): ErrAuth naming the user.
	srv.RevokeUser(alice)
	_, err = s.Changes(ctx, "")
	var ae *msgraph.AuthError
	if !errors.Is(err, engine.ErrAuth) || !errors.As(err, &ae) || ae.User != alice || ae.Code != "invalid_grant" {
		t.Fatalf("revoked grant: %v", err)
	}
	if !strings.Contains(err.Error(), "must sign in again") || !strings.Contains(err.Error(), "AADSTS50173") {
		t.Errorf("revoked grant: the error %q should explain AADSTS50173", err)
	}
	res := c.Check(ctx, []engine.Account{{ID: alice, Email: "alice@contoso.com"}})
	if !hasCheck(res, "mailbox alice@contoso.com", engine.CheckFailed, "invitation") {
		t.Fatalf("check after revocation: %+v", res)
	}
}

func TestAppOnlyConsentAndChecks(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	sec := newSecrets()
	c := newConn(t, srv, engine.Env{Secrets: sec}, func(s *msgraph.Settings) { s.ClientSecret = "" })
	u, _ := url.Parse(c.AdminConsentURL("st-9"))
	if !strings.HasSuffix(u.Path, "/adminconsent") || u.Query().Get("state") != "st-9" || u.Query().Get("client_id") != clientID {
		t.Fatalf("consent URL: %s", u)
	}
	if _, err := c.HandleConsentCallback(ctx, url.Values{"tenant": {"t1"}, "admin_consent": {"True"}, "state": {"forged"}}, "st-9"); err == nil {
		t.Fatal("a callback with a wrong state was accepted")
	}
	if _, err := c.HandleConsentCallback(ctx, url.Values{"error": {"access_denied"}, "error_description": {"AADSTS65004: declined"}}, "st-9"); !errors.Is(err, engine.ErrAuth) {
		t.Fatalf("declined consent: %v", err)
	}
	tenant, err := c.HandleConsentCallback(ctx, url.Values{"tenant": {srv.Tenant}, "admin_consent": {"True"}, "state": {"st-9"}}, "st-9")
	if err != nil || tenant != srv.Tenant {
		t.Fatalf("consent callback: %q %v", tenant, err)
	}
	if v, _ := sec.Get(ctx, msgraph.SecretTenant); string(v) != srv.Tenant {
		t.Fatal("the tenant id was not stored")
	}
	// No secret yet: the consent check fails with a fix.
	res := c.Check(ctx, nil)
	if !hasCheck(res, "consent granted", engine.CheckFailed, "secret") {
		t.Fatalf("checks without a secret: %+v", res)
	}
	_ = sec.Put(ctx, msgraph.SecretClientSecret, []byte(secret))
	srv.Deny("todo")
	res = c.Check(ctx, []engine.Account{{ID: alice, Email: "alice@contoso.com"}, {ID: "u-bob", Email: "bob@contoso.com"}, {ID: "u-nobody", Email: "nobody@contoso.com"}})
	for _, want := range []struct {
		name   string
		status engine.CheckStatus
		detail string
	}{
		{"consent granted", engine.CheckOK, ""},
		{"permission User.Read.All", engine.CheckOK, ""},
		{"clock skew", engine.CheckOK, ""},
		{"application access policy", engine.CheckOK, "application access policy"},
		{"mailbox alice@contoso.com", engine.CheckOK, "Exchange Online"},
		{"mailbox bob@contoso.com", engine.CheckFailed, "no Exchange Online mailbox"},
		{"mailbox nobody@contoso.com", engine.CheckFailed, "no such user"},
		{"change notifications", engine.CheckWarning, "polled"},
		{"permission Calendars.ReadWrite on alice@contoso.com", engine.CheckOK, ""},
		{"permission Tasks.ReadWrite on alice@contoso.com", engine.CheckFailed, "Tasks.ReadWrite"},
	} {
		if !hasCheck(res, want.name, want.status, want.detail) {
			t.Errorf("check %q: want %s with %q in %+v", want.name, want.status, want.detail, res)
		}
	}
	accts, err := c.Accounts(ctx)
	if err != nil || len(accts) != 3 {
		t.Fatalf("accounts: %v %+v", err, accts)
	}
	if accts[0].Email != "alice@contoso.com" || strings.Join(accts[0].Aliases, ",") != "alice@contoso.onmicrosoft.com,a.liddell@contoso.com" {
		t.Fatalf("alice: %+v", accts[0])
	}
}

func TestBadSecretAndSettings(t *testing.T) {
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, engine.Env{}, func(s *msgraph.Settings) { s.ClientSecret = "wrong" })
	s := openStore(t, c, engine.KindAppointment, alice)
	_, err := s.Changes(context.Background(), "")
	var ae *msgraph.AuthError
	if !errors.As(err, &ae) || ae.Code != "invalid_client" || ae.User != "" {
		t.Fatalf("bad secret: %v", err)
	}
	for _, raw := range []string{`{}`, `{"tenantId":"t"}`, `{"tenantId":"t","clientId":"c","auth":"magic"}`, `{"tenantId":"t","clientId":"c","contacts":"x"}`,
		`{"tenantId":"t","clientId":"c","graphUrl":"ftp://x"}`, `{"tenantId":"t","clientId":"c","bogus":1}`, `not json`} {
		if _, err := msgraph.New(context.Background(), []byte(raw), engine.Env{}); err == nil {
			t.Errorf("settings %s accepted", raw)
		}
	}
}

// TestClockSkewCheck: a clock minutes off Microsoft's fails its check.
func TestClockSkewCheck(t *testing.T) {
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, engine.Env{Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }}, nil)
	if res := c.Check(context.Background(), nil); !hasCheck(res, "clock skew", engine.CheckFailed, "NTP") {
		t.Fatalf("checks: %+v", res)
	}
}

func hasCheck(res []engine.CheckResult, name string, st engine.CheckStatus, text string) bool {
	for _, r := range res {
		if r.Name == name && r.Status == st && strings.Contains(r.Detail+" "+r.Fix, text) {
			return true
		}
	}
	return false
}

// TestExchangeCodeChecksTheAccount: the grant is stored only for the account that signed in — named by its id, mail,
// user principal name or an SMTP proxy address, in any case; a grant of another account is refused (wrong_account)
// and nothing is stored under the name it was meant for.
func TestExchangeCodeChecksTheAccount(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	sec := newSecrets()
	c := newConn(t, srv, engine.Env{Secrets: sec}, func(s *msgraph.Settings) { s.Auth = msgraph.AuthDelegated })
	verifier, challenge, err := msgraph.NewPKCE()
	if err != nil {
		t.Fatal(err)
	}
	redirect := "https://sync.example.com/auth/msgraph"
	for _, name := range []string{alice, "ALICE@contoso.com", "alice@contoso.onmicrosoft.com", "A.Liddell@contoso.com"} {
		if err := c.ExchangeCode(ctx, name, srv.Issue(alice, challenge, redirect), verifier); err != nil {
			t.Errorf("alice's grant for %q: %v", name, err)
		}
	}
	err = c.ExchangeCode(ctx, "carol@contoso.com", srv.Issue(alice, challenge, redirect), verifier)
	var ae *msgraph.AuthError
	if !errors.As(err, &ae) || ae.Code != "wrong_account" || !strings.Contains(err.Error(), "alice@contoso.onmicrosoft.com") {
		t.Fatalf("alice's grant for carol: %v, want wrong_account naming alice", err)
	}
	if _, err := sec.Get(ctx, "refresh.carol@contoso.com"); err == nil {
		t.Error("alice's grant is stored as carol's")
	}
}
