package superoffice_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

// TestOIDCSignIn runs "Sign in with SuperOffice" against the fake: the authorize redirect, the code exchange and
// the id_token checks (signature by JWKS, issuer, audience, expiry, nonce) give the system token and webapi_url.
func TestOIDCSignIn(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	o := &superoffice.OIDC{Issuer: tn.fake.URL() + "/login", ClientID: superofficetest.ClientID, ClientSecret: superofficetest.ClientSecret,
		RedirectURL: "https://appliance.example.com/auth/superoffice/callback", HTTP: tn.http}
	if err := o.Discover(ctx); err != nil {
		t.Fatal(err)
	}
	code := func(nonce string) string {
		t.Helper()
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noRedirect.Get(o.AuthURL("st-1", nonce))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "st-1" {
			t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc.Query().Get("code")
	}
	cl, err := o.Exchange(ctx, code("n-1"), "n-1")
	if err != nil {
		t.Fatal(err)
	}
	if cl.SystemToken != superofficetest.SystemToken || cl.WebAPIURL != tn.fake.URL()+"/api/" || cl.ContextIdentifier != superofficetest.ContextIdentifier || cl.Email == "" {
		t.Fatalf("claims %+v", cl)
	}
	if _, err := o.Exchange(ctx, code("n-2"), "other"); err == nil || !strings.Contains(err.Error(), "nonce") {
		t.Fatalf("wrong nonce: %v", err)
	}
	if _, err := o.Exchange(ctx, "made-up", "n"); err == nil {
		t.Fatal("a made-up code was accepted")
	}
	tn.fake.SetIDTokenAudience("someone-else")
	if _, err := o.Exchange(ctx, code("n-3"), "n-3"); err == nil || !strings.Contains(err.Error(), "audience") {
		t.Fatalf("a token for another client: %v", err)
	}
	tn.fake.SetIDTokenAudience("")
	late := &superoffice.OIDC{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL, HTTP: tn.http,
		Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}
	if _, err := late.Exchange(ctx, code("n-4"), "n-4"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token: %v", err)
	}
	// A token signed by another key fails the signature check.
	parts := strings.Split(tn.fake.IDTokenForTest(), ".")
	other := newTenant(t)
	forged := strings.Join([]string{parts[0], parts[1], strings.Split(other.fake.IDTokenForTest(), ".")[2]}, ".")
	if _, err := o.Verify(ctx, forged); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("forged token: %v", err)
	}
}

// TestSystemUserSignature checks the signed system token format against the fake's verification: a token signed by
// another key is refused with ErrAuth.
func TestSystemUserSignature(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	otherPEM, _ := superofficetest.PartnerKeyPEM()
	tn.secrets.m[superoffice.SecretPartnerKey] = []byte(otherPEM)
	c := tn.connector(t, nil)
	if _, err := c.SystemAssociate(ctx); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("foreign partner key: %v", err)
	}
	good := newTenant(t)
	gc := good.connector(t, nil)
	id, err := gc.SystemAssociate(ctx)
	if err != nil || id != superofficetest.SystemAssociateID {
		t.Fatalf("system user: %d %v", id, err)
	}
	if tk, err := good.secrets.Get(ctx, superoffice.SecretTicket); err != nil || !strings.HasPrefix(string(tk), "7T:") {
		t.Fatalf("ticket not cached: %q %v", tk, err)
	}
}
