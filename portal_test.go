package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/kv"
)

// portalAppliance is the sync stack with the GraphQL API behind the real auth middleware (sessions, CSRF) and the
// app routes, on 127.0.0.1; callers are browsers with their own cookie jars.
type portalAppliance struct {
	db    *kv.DB
	stack *syncStack
	auth  *auth.Service
	srv   *httptest.Server
	admin *browser
}

// browser is an HTTP client with a cookie jar that does not follow redirects and sends the CSRF cookie's value in
// the X-CSRF-Token header, like the SPA.
type browser struct {
	t   *testing.T
	a   *portalAppliance
	jar *cookiejar.Jar
	c   *http.Client
}

const portalTestPassword = "correct horse battery staple"

func newPortalAppliance(t *testing.T) *portalAppliance {
	t.Helper()
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
	a := &portalAppliance{db: db, auth: authSvc}
	var app http.Handler
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	t.Cleanup(a.srv.Close)
	stack, err := startSyncAt(context.Background(), Config{}, db, logger, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stack.stop(context.Background()) })
	a.stack = stack
	flows := newOAuthFlows(stack, db, authSvc, "", logger)
	gql := graph.NewHandler(&graph.Resolver{Auth: authSvc, DB: db, Logger: logger, Engine: stack.eng,
		Scheduler: stack.sched, Governor: stack.gov, Secrets: stack.secrets, SignIn: flows, Portal: flows}, graph.HandlerOptions{})
	app = newAppHandler(appDeps{logger: logger, metrics: newMetrics("test", "test"), readiness: &Readiness{},
		graphql: authSvc.Middleware(withRequestBase(gql)), hooks: stack.intake, oauth: flows, ui: http.NotFoundHandler()})
	if _, err := authSvc.Bootstrap("admin@example.com", portalTestPassword); err != nil {
		t.Fatal(err)
	}
	a.admin = a.browser(t)
	a.admin.mustGQL(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { csrfToken } }`,
		map[string]any{"e": "admin@example.com", "p": portalTestPassword})
	return a
}

func (a *portalAppliance) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, a: a, jar: jar, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// gql runs one operation and returns its data and the first error's code ("" when none).
func (b *browser) gql(query string, vars map[string]any) (map[string]any, string, string) {
	b.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, b.a.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	u, _ := url.Parse(b.a.srv.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == auth.CSRFCookie {
			req.Header.Set(auth.CSRFHeader, c.Value)
		}
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		b.t.Fatalf("graphql answer %d %q: %v", resp.StatusCode, raw, err)
	}
	if len(out.Errors) > 0 {
		code, _ := out.Errors[0].Extensions["code"].(string)
		return out.Data, code, string(raw)
	}
	return out.Data, "", string(raw)
}

func (b *browser) mustGQL(query string, vars map[string]any) map[string]any {
	b.t.Helper()
	data, code, raw := b.gql(query, vars)
	if code != "" {
		b.t.Fatalf("%s: %s", query, raw)
	}
	return data
}

// get GETs u and returns the redirect's Location ("" when it does not redirect).
func (b *browser) get(u string) string {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	loc := resp.Header.Get("Location")
	if strings.Contains(loc, superofficetest.SystemToken) || strings.Contains(string(body), superofficetest.SystemToken) {
		b.t.Errorf("GET %s: the redirect or body shows the system token", u)
	}
	return loc
}

// links returns "profile/user" of the browser's portal links.
func (b *browser) links() []string {
	b.t.Helper()
	data := b.mustGQL(`{ myLinks { profileId userId mailboxSignIn mailboxAuthorized } }`, nil)
	var out []string
	for _, l := range data["myLinks"].([]any) {
		m := l.(map[string]any)
		out = append(out, m["profileId"].(string)+"/"+m["userId"].(string))
	}
	return out
}

// putPortalProfiles saves p1 (SuperOffice so1 → Microsoft 365 delegated) with alice (associate 7) and bob
// (associate 8), and p2 (the same SuperOffice) with alice again under an older associate id and her address in
// another case, and carol's associate linked nowhere.
func putPortalProfiles(t *testing.T, a *portalAppliance, so *superofficetest.Server, g *msgraphtest.Server) {
	t.Helper()
	so.AddAssociate(7, "Alice", "alice@example.com")
	so.AddAssociate(8, "Bob", "bob@example.com")
	so.AddAssociate(10, "Carol", "carol@example.com")
	// The Microsoft accounts that sign in (the mailbox sign-in checks who signed in with /me).
	for _, u := range []string{"alice", "bob"} {
		g.AddUser(msgraphtest.User{ID: u + "@example.com", Mail: u + "@example.com", UPN: u + "@example.com"})
	}
	for _, id := range []string{"p1", "p2"} {
		_, err := a.stack.eng.PutProfile(engine.Profile{ID: id, Name: "Profile " + id,
			CRM: engine.SystemRef{Type: "superoffice", Instance: "so1", Settings: mustJSONRaw(t, map[string]any{
				"loginUrl": so.URL() + "/login", "clientId": superofficetest.ClientID,
				"contextIdentifier": superofficetest.ContextIdentifier})}, // as the admin's sign-in records it
			Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: mustJSONRaw(t, map[string]any{
				"clientId": "app-1", "clientSecret": "app-secret", "auth": msgraph.AuthDelegated,
				"authority": g.URL, "graphUrl": g.URL})},
			Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []struct {
		p string
		u engine.LinkedUser
	}{
		{"p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: "7", Email: "alice@example.com", Name: "Alice"},
			Mailbox: engine.Account{ID: "alice@example.com", Email: "alice@example.com"}}},
		{"p1", engine.LinkedUser{ID: "u2", CRM: engine.Account{ID: "8", Email: "bob@example.com"},
			Mailbox: engine.Account{ID: "bob@example.com", Email: "bob@example.com"}}},
		{"p2", engine.LinkedUser{ID: "u3", CRM: engine.Account{ID: "old-7", Email: "ALICE@Example.com"},
			Mailbox: engine.Account{ID: "alice@example.com", Email: "alice@example.com"}}},
	} {
		if _, err := a.stack.eng.LinkUser(l.p, l.u); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPortalSignInWithSuperOffice signs users in to the portal through the SuperOffice fake's real OIDC endpoints:
// alice's associate id and e-mail map to her linked users in both profiles; carol, linked nowhere, is refused
// without an account; a callback carried to another browser is refused; then alice authorizes her own mailbox with
// Microsoft from the portal and lands back on it.
func TestPortalSignInWithSuperOffice(t *testing.T) {
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	g := msgraphtest.New(msgraphtest.Options{})
	defer g.Close()
	g.AddClient("app-1", "app-secret")
	a := newPortalAppliance(t)
	putPortalProfiles(t, a, so, g)
	anon := a.browser(t)

	// No provider until the instance's client secret is saved; then one, by name only.
	providers := `{ signInProviders { id name type startUrl } }`
	if data := anon.mustGQL(providers, nil); len(data["signInProviders"].([]any)) != 0 {
		t.Errorf("providers without a client secret: %v", data)
	}
	if err := a.stack.secrets("so1").Put(context.Background(), superoffice.SecretClientSecret, []byte(superofficetest.ClientSecret)); err != nil {
		t.Fatal(err)
	}
	_, _, raw := anon.gql(providers, nil)
	if want := `{"data":{"signInProviders":[{"id":"so1","name":"SuperOffice","type":"superoffice","startUrl":"/oauth/superoffice/signin?instance=so1"}]}}`; raw != want {
		t.Errorf("providers: %s, want %s", raw, want)
	}

	// Alice signs in with SuperOffice.
	alice := a.browser(t)
	so.SignInAs(7)
	authorize := alice.get(a.srv.URL + "/oauth/superoffice/signin?instance=so1")
	au, err := url.Parse(authorize)
	if err != nil || !strings.HasPrefix(authorize, so.URL()+"/login/common/oauth/authorize?") {
		t.Fatalf("start redirected to %q", authorize)
	}
	if q := au.Query(); q.Get("scope") != "openid email" || q.Get("redirect_uri") != a.srv.URL+pathSuperOfficeUserCallback ||
		q.Get("client_id") != superofficetest.ClientID || q.Get("client_secret") != "" {
		t.Errorf("authorize query %v", q)
	}
	callback := alice.get(authorize)
	if !strings.HasPrefix(callback, a.srv.URL+pathSuperOfficeUserCallback+"?") {
		t.Fatalf("the provider sent the browser to %q", callback)
	}
	if loc := alice.get(callback); loc != "/portal" {
		t.Fatalf("callback redirected to %q, want /portal", loc)
	}
	if got := alice.links(); !slices.Equal(got, []string{"p1/u1", "p2/u3"}) {
		t.Errorf("alice sees %v, want p1/u1 (associate id) and p2/u3 (e-mail)", got)
	}
	if data := alice.mustGQL(`{ me { email role } }`, nil); data["me"].(map[string]any)["role"] != "USER" {
		t.Errorf("alice signed in as %v", data["me"])
	}
	if _, code, _ := alice.gql(`{ linkedUsers(profileId: "p1") { id } }`, nil); code != "FORBIDDEN" {
		t.Errorf("an admin field for alice: %s", code)
	}
	// The callback is one-time.
	if loc := a.browser(t).get(callback); loc != "/login?signin=unknown_state" {
		t.Errorf("replayed callback redirected to %q", loc)
	}

	// Carol's CRM user is linked to no mailbox: refused, and no account or session.
	carol := a.browser(t)
	so.SignInAs(10)
	if loc := carol.get(carol.get(carol.get(a.srv.URL + "/oauth/superoffice/signin?instance=so1"))); loc != "/login?signin=not_linked" {
		t.Errorf("carol's sign-in redirected to %q, want /login?signin=not_linked", loc)
	}
	if data := carol.mustGQL(`{ me { email } }`, nil); data["me"] != nil {
		t.Errorf("carol is signed in: %v", data)
	}
	if _, err := a.auth.Login(context.Background(), "carol@example.com", "whatever password 1"); auth.CodeOf(err) != auth.CodeUnauthenticated {
		t.Errorf("carol's login: %v", err)
	}

	// Bob's callback carried to another browser (a forged link) signs nobody in.
	bob, mallory := a.browser(t), a.browser(t)
	so.SignInAs(8)
	cb := bob.get(bob.get(a.srv.URL + "/oauth/superoffice/signin?instance=so1"))
	if loc := mallory.get(cb); loc != "/login?signin=other_browser" {
		t.Errorf("the callback in another browser redirected to %q", loc)
	}
	if data := mallory.mustGQL(`{ me { email } }`, nil); data["me"] != nil {
		t.Errorf("the other browser is signed in: %v", data)
	}
	// An unknown instance.
	if loc := anon.get(a.srv.URL + "/oauth/superoffice/signin?instance=nope"); loc != "/login?signin=unknown_provider" {
		t.Errorf("unknown instance redirected to %q", loc)
	}

	// From the portal alice authorizes her own mailbox (after the admin's consent) and lands back on the portal.
	admin := a.admin
	data := admin.mustGQL(`mutation { beginSystemSignIn(profileId: "p1", side: MAILBOX) { url } }`, nil)
	pu, _ := url.Parse(data["beginSystemSignIn"].(map[string]any)["url"].(string))
	q := pu.Query()
	admin.get(q.Get("redirect_uri") + "?" + url.Values{"tenant": {"tenant-42"}, "admin_consent": {"True"}, "state": {q.Get("state")}}.Encode())
	if _, code, _ := alice.gql(`mutation { beginMyMailboxSignIn(profileId: "nope") { url } }`, nil); code != "NOT_FOUND" {
		t.Errorf("beginMyMailboxSignIn of another profile: %s", code)
	}
	data = alice.mustGQL(`{ myLinks { profileId mailboxSignIn mailboxAuthorized } }`, nil)
	if l := data["myLinks"].([]any)[0].(map[string]any); l["mailboxSignIn"] != true || l["mailboxAuthorized"] != false {
		t.Errorf("before the mailbox sign-in: %v", l)
	}
	// Bob's Microsoft account (picked by mistake, or bob opening a link alice forwarded) is refused, and nothing is
	// stored as alice's grant: her mailbox is never synced with bob's rights.
	data = alice.mustGQL(`mutation { beginMyMailboxSignIn(profileId: "p1") { url } }`, nil)
	bu, _ := url.Parse(data["beginMyMailboxSignIn"].(map[string]any)["url"].(string))
	bq := bu.Query()
	bobCode := g.Issue("bob@example.com", bq.Get("code_challenge"), bq.Get("redirect_uri"))
	if loc := alice.get(bq.Get("redirect_uri") + "?" + url.Values{"code": {bobCode}, "state": {bq.Get("state")}}.Encode()); loc != "/portal?reason=wrong_account&signin=error" {
		t.Errorf("a grant of bob's account for alice's mailbox redirected to %q, want /portal?reason=wrong_account&signin=error", loc)
	}
	if _, err := a.stack.secrets("m365").Get(context.Background(), msgraph.RefreshSecretName("alice@example.com")); err == nil {
		t.Error("bob's grant is stored as alice's")
	}
	// Alice's own account.
	data = alice.mustGQL(`mutation { beginMyMailboxSignIn(profileId: "p1") { url } }`, nil)
	lu, _ := url.Parse(data["beginMyMailboxSignIn"].(map[string]any)["url"].(string))
	q = lu.Query()
	code := g.Issue("alice@example.com", q.Get("code_challenge"), q.Get("redirect_uri"))
	if loc := alice.get(q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()); loc != "/portal?signin=ok" {
		t.Errorf("mailbox sign-in redirected to %q, want /portal?signin=ok", loc)
	}
	data = alice.mustGQL(`{ myLinks { profileId mailboxSignIn mailboxAuthorized } }`, nil)
	if l := data["myLinks"].([]any)[0].(map[string]any); l["mailboxSignIn"] != true || l["mailboxAuthorized"] != true {
		t.Errorf("after the mailbox sign-in: %v", l)
	}

	// Unlinked: alice's next look shows only what is left.
	if err := a.stack.eng.UnlinkUser("p1", "u1"); err != nil {
		t.Fatal(err)
	}
	if got := alice.links(); !slices.Equal(got, []string{"p2/u3"}) {
		t.Errorf("after unlinking u1 alice sees %v", got)
	}
}

// TestPortalSignInOtherTenant: one SuperOffice login service and client id serve every tenant, and associate ids are
// small per-tenant numbers, so an id_token of another tenant (the fake issues tenant Cust12345) must not match the
// linked users of ours by associate id or address — nor may a profile whose tenant is not recorded yet.
func TestPortalSignInOtherTenant(t *testing.T) {
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	a := newPortalAppliance(t)
	so.AddAssociate(7, "Alice", "alice@example.com")
	for _, p := range []struct {
		id  string
		set map[string]any
	}{
		{"ours", map[string]any{"loginUrl": so.URL() + "/login", "clientId": superofficetest.ClientID, "contextIdentifier": "Cust99999"}},
		{"unrecorded", map[string]any{"loginUrl": so.URL() + "/login", "clientId": superofficetest.ClientID}},
	} {
		if _, err := a.stack.eng.PutProfile(engine.Profile{ID: p.id, Name: p.id,
			CRM:        engine.SystemRef{Type: "superoffice", Instance: "so1", Settings: mustJSONRaw(t, p.set)},
			Mailbox:    engine.SystemRef{Type: "caldav", Instance: "dav", Settings: mustJSONRaw(t, map[string]any{"url": "https://dav.example.com/"})},
			Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.stack.eng.LinkUser(p.id, engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: "7", Email: "alice@example.com"},
			Mailbox: engine.Account{ID: "alice@example.com", Email: "alice@example.com"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.stack.secrets("so1").Put(context.Background(), superoffice.SecretClientSecret, []byte(superofficetest.ClientSecret)); err != nil {
		t.Fatal(err)
	}
	mallory := a.browser(t)
	so.SignInAs(7) // associate 7 of tenant Cust12345, with the same address
	if loc := mallory.get(mallory.get(mallory.get(a.srv.URL + "/oauth/superoffice/signin?instance=so1"))); loc != "/login?signin=not_linked" {
		t.Errorf("a sign-in of another tenant redirected to %q, want /login?signin=not_linked", loc)
	}
	if data := mallory.mustGQL(`{ me { email } }`, nil); data["me"] != nil {
		t.Errorf("a user of another tenant is signed in: %v", data)
	}
}
