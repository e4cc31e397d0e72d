package superoffice_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

func statusOf(rs []engine.CheckResult, name string) engine.CheckStatus {
	for _, r := range rs {
		if r.Name == name {
			return r.Status
		}
	}
	return ""
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	tn := newTenant(t)
	accounts := []engine.Account{{ID: "101", Email: "alice@example.com"}, {ID: "999", Email: "ghost@example.com"}}

	// No public URL: every check passes but the webhook one, which says the profile runs on polling.
	c := tn.connector(t, nil)
	rs := c.Check(ctx, accounts)
	for name, want := range map[string]engine.CheckStatus{"API reachable": engine.CheckWarning, "credentials valid": engine.CheckOK,
		"right: read the task list": engine.CheckOK, "associate alice@example.com": engine.CheckOK,
		"associate ghost@example.com": engine.CheckFailed, "webhook target reachable": engine.CheckWarning} {
		if got := statusOf(rs, name); got != want {
			t.Errorf("%s: %s, want %s (%+v)", name, got, want, rs)
		}
	}
	// A public URL that answers: reachable. One that does not: failed, with a fix.
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer down.Close()
	for url, want := range map[string]engine.CheckStatus{ok.URL: engine.CheckOK, down.URL: engine.CheckFailed} {
		env := tn.env()
		env.PublicURL = url
		c, err := superoffice.NewConnector(tn.raw(t, nil), env)
		if err != nil {
			t.Fatal(err)
		}
		if got := statusOf(c.Check(ctx, nil), "webhook target reachable"); got != want {
			t.Errorf("public URL answering %s: %s, want %s", url, got, want)
		}
	}
	// Refused credentials stop the checks there.
	bad := newTenant(t)
	bad.secrets.m[superoffice.SecretClientSecret] = []byte("wrong")
	rs = bad.connector(t, nil).Check(ctx, nil)
	if statusOf(rs, "credentials valid") != engine.CheckFailed || rs[len(rs)-1].Fix == "" {
		t.Errorf("bad credentials: %+v", rs)
	}
	// Unreachable API.
	env := tn.env()
	c2, _ := superoffice.NewConnector(tn.raw(t, map[string]any{"baseUrl": "http://127.0.0.1:1/api/"}), env)
	if rs := c2.Check(ctx, nil); statusOf(rs, "API reachable") != engine.CheckFailed {
		t.Errorf("unreachable: %+v", rs)
	}
	// On-site Basic authentication.
	tn.fake.SetBasic("crm-admin", "s3cret")
	tn.secrets.m[superoffice.SecretPassword] = []byte("s3cret")
	on, err := superoffice.NewConnector(tn.raw(t, map[string]any{"mode": "onsite", "user": "crm-admin"}), tn.env())
	if err != nil {
		t.Fatal(err)
	}
	if id, err := on.SystemAssociate(ctx); err != nil || id != superofficetest.SystemAssociateID {
		t.Errorf("on-site Basic: %d %v", id, err)
	}
	accts, err := on.Accounts(ctx)
	if err != nil || len(accts) != 2 || accts[0].Email != "alice@example.com" {
		t.Errorf("accounts: %+v %v", accts, err)
	}
}
