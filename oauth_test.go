package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// appliance is the sync stack with the GraphQL API (every caller is an admin) and the app routes behind an
// httptest server on 127.0.0.1.
type appliance struct {
	db     *kv.DB
	stack  *syncStack
	flows  *oauthFlows
	auth   *auth.Service
	srv    *httptest.Server
	client *http.Client // does not follow redirects
}

func newAppliance(t *testing.T, publicURL func(srvURL string) string) *appliance {
	t.Helper()
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	logger := slog.New(slog.DiscardHandler)
	authSvc, err := auth.New(db, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &appliance{db: db, auth: authSvc, client: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	// The server's URL is known only once it listens; the handler reads a.flows and a.stack at request time.
	var app http.Handler
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	t.Cleanup(a.srv.Close)
	cfg := Config{}
	pub := ""
	if publicURL != nil {
		pub = publicURL(a.srv.URL)
	}
	stack, err := startSyncAt(context.Background(), cfg, db, logger, pub)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stack.stop(context.Background()) })
	a.stack = stack
	a.flows = newOAuthFlows(stack, db, authSvc, "", logger)
	gql := graph.NewHandler(&graph.Resolver{Auth: authSvc, DB: db, Logger: logger, Engine: stack.eng,
		Scheduler: stack.sched, Governor: stack.gov, Secrets: stack.secrets, SignIn: a.flows, Portal: a.flows}, graph.HandlerOptions{})
	asAdmin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &auth.Viewer{AccountID: "admin-1", Email: "admin@example.com", Role: auth.RoleAdmin, Via: "token"}
		withRequestBase(gql).ServeHTTP(w, r.WithContext(auth.WithViewer(r.Context(), v)))
	})
	app = newAppHandler(appDeps{logger: logger, metrics: newMetrics("test", "test"), readiness: &Readiness{},
		graphql: asAdmin, hooks: stack.intake, oauth: a.flows, ui: http.NotFoundHandler()})
	return a
}

// gql runs one GraphQL operation and returns its data, or its first error message.
func (a *appliance) gql(t *testing.T, query string, vars map[string]any) (json.RawMessage, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := a.client.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("graphql answer: %v", err)
	}
	if len(out.Errors) > 0 {
		return nil, out.Errors[0].Message
	}
	return out.Data, ""
}

const beginSignIn = `mutation($p: ID!, $s: Side!, $u: ID) { beginSystemSignIn(profileId: $p, side: $s, userId: $u) { url expiresAt } }`

// begin starts a sign-in through the API and returns the provider URL.
func (a *appliance) begin(t *testing.T, side, user string) string {
	t.Helper()
	vars := map[string]any{"p": "p1", "s": side}
	if user != "" {
		vars["u"] = user
	}
	data, msg := a.gql(t, beginSignIn, vars)
	if msg != "" {
		t.Fatalf("beginSystemSignIn(%s, %q): %s", side, user, msg)
	}
	var out struct {
		Begin struct {
			URL       string    `json:"url"`
			ExpiresAt time.Time `json:"expiresAt"`
		} `json:"beginSystemSignIn"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(out.Begin.ExpiresAt); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("expiresAt %v: want about 10 minutes from now", out.Begin.ExpiresAt)
	}
	return out.Begin.URL
}

// follow GETs u without following redirects and returns the Location it redirects to.
func (a *appliance) follow(t *testing.T, u string) string {
	t.Helper()
	resp, err := a.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 3 {
		t.Fatalf("GET %s: %d %s, want a redirect", u, resp.StatusCode, b)
	}
	loc := resp.Header.Get("Location")
	if strings.Contains(loc, "token") || strings.Contains(string(b), superofficetest.SystemToken) {
		t.Errorf("redirect or body shows a token: %s %s", loc, b)
	}
	return loc
}

func (a *appliance) secret(t *testing.T, instance, name string) string {
	t.Helper()
	b, err := a.stack.secrets(instance).Get(context.Background(), name)
	if err != nil {
		t.Fatalf("secret %s/%s: %v", instance, name, err)
	}
	return string(b)
}

func (a *appliance) settings(t *testing.T, side engine.Side) map[string]any {
	t.Helper()
	p, err := a.stack.eng.Profile("p1")
	if err != nil {
		t.Fatal(err)
	}
	raw := p.CRM.Settings
	if side == engine.SideMailbox {
		raw = p.Mailbox.Settings
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustJSONRaw(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// putSignInProfile saves profile p1: SuperOffice (not signed in yet) against Microsoft Graph (delegated, no tenant
// yet), and links user u1.
func putSignInProfile(t *testing.T, a *appliance, so *superofficetest.Server, g *msgraphtest.Server) {
	t.Helper()
	_, err := a.stack.eng.PutProfile(engine.Profile{ID: "p1", Name: "Sales",
		CRM: engine.SystemRef{Type: "superoffice", Instance: "so1", Settings: mustJSONRaw(t, map[string]any{
			"loginUrl": so.URL() + "/login", "clientId": superofficetest.ClientID})},
		Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: mustJSONRaw(t, map[string]any{
			"clientId": "app-1", "clientSecret": "app-secret", "auth": msgraph.AuthDelegated,
			"authority": g.URL, "graphUrl": g.URL})},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.stack.eng.LinkUser("p1", engine.LinkedUser{ID: "u1",
		CRM:     engine.Account{ID: "7", Email: "alice@example.com"},
		Mailbox: engine.Account{ID: "alice@example.com", Email: "alice@example.com"}}); err != nil {
		t.Fatal(err)
	}
}

func wantDashboard(t *testing.T, loc, query string) {
	t.Helper()
	if loc != "/profiles/p1?"+query {
		t.Errorf("redirected to %q, want /profiles/p1?%s", loc, query)
	}
}

func TestSignInWithSuperOffice(t *testing.T) {
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	g := msgraphtest.New(msgraphtest.Options{})
	defer g.Close()
	a := newAppliance(t, nil)
	putSignInProfile(t, a, so, g)

	// Without the client secret the sign-in does not start, and says which secret is missing.
	if _, msg := a.gql(t, beginSignIn, map[string]any{"p": "p1", "s": "CRM"}); !strings.Contains(msg, "client_secret") {
		t.Fatalf("begin without a client secret: %q, want an error naming client_secret", msg)
	}
	if err := a.stack.secrets("so1").Put(context.Background(), superoffice.SecretClientSecret, []byte(superofficetest.ClientSecret)); err != nil {
		t.Fatal(err)
	}
	if err := a.stack.secrets("so1").Put(context.Background(), superoffice.SecretTicket, []byte("7T:stale")); err != nil {
		t.Fatal(err)
	}
	provider := a.begin(t, "CRM", "")
	if !strings.HasPrefix(provider, so.URL()+"/login/common/oauth/authorize?") {
		t.Fatalf("provider URL %q is not the fake's authorize endpoint", provider)
	}
	pu, _ := url.Parse(provider)
	if got, want := pu.Query().Get("redirect_uri"), a.srv.URL+pathSuperOfficeCallback; got != want {
		t.Errorf("redirect_uri %q, want %q (the request's own host without a public URL)", got, want)
	}
	callback := a.follow(t, provider) // the fake signs the admin in and sends the browser back with a code
	if !strings.HasPrefix(callback, a.srv.URL+pathSuperOfficeCallback+"?") {
		t.Fatalf("the provider sent the browser to %q", callback)
	}
	wantDashboard(t, a.follow(t, callback), "signin=ok")

	if got := a.secret(t, "so1", superoffice.SecretSystemToken); got != superofficetest.SystemToken {
		t.Errorf("system token %q, want %q", got, superofficetest.SystemToken)
	}
	if _, err := a.stack.secrets("so1").Get(context.Background(), superoffice.SecretTicket); err == nil {
		t.Error("the ticket of the previous system token was kept")
	}
	set := a.settings(t, engine.SideCRM)
	if set["baseUrl"] != so.URL()+"/api/" || set["contextIdentifier"] != superofficetest.ContextIdentifier ||
		set["clientId"] != superofficetest.ClientID {
		t.Errorf("settings after sign-in: %v", set)
	}

	// Replaying the callback (the state is one-time) and an unknown state are refused and change nothing.
	if loc := a.follow(t, callback); loc != "/profiles?reason=unknown_state&signin=error" {
		t.Errorf("replayed callback redirected to %q", loc)
	}
	if loc := a.follow(t, a.srv.URL+pathSuperOfficeCallback+"?code=x&state=forged"); loc != "/profiles?reason=unknown_state&signin=error" {
		t.Errorf("forged state redirected to %q", loc)
	}
	// A SuperOffice state is not accepted by the Microsoft callback.
	provider = a.begin(t, "CRM", "")
	pu, _ = url.Parse(provider)
	wantDashboard(t, a.follow(t, a.srv.URL+pathMicrosoftCallback+"?code=x&state="+pu.Query().Get("state")), "reason=wrong_callback&signin=error")

	// The audit log has the completed and the failed sign-ins, without tokens.
	events, _, err := a.auth.AuditLog(auth.WithViewer(context.Background(), &auth.Viewer{Role: auth.RoleAdmin}), 50, "")
	if err != nil {
		t.Fatal(err)
	}
	var ok, failed int
	for _, e := range events {
		if strings.Contains(e.Detail, superofficetest.SystemToken) {
			t.Errorf("audit event shows the system token: %+v", e)
		}
		switch e.Action {
		case actionSignInCompleted:
			ok++
			if e.Actor != "admin@example.com" || e.Target != "p1/crm" {
				t.Errorf("completed sign-in event %+v", e)
			}
		case actionSignInFailed:
			failed++
		}
	}
	if ok != 1 || failed != 3 {
		t.Errorf("audit: %d completed, %d failed sign-ins; want 1 and 3", ok, failed)
	}
}

func TestSignInWithMicrosoft(t *testing.T) {
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	g := msgraphtest.New(msgraphtest.Options{})
	defer g.Close()
	g.AddClient("app-1", "app-secret")
	g.AddUser(msgraphtest.User{ID: "alice@example.com", Mail: "alice@example.com", UPN: "alice@example.com"}) // who signs in (/me)
	a := newAppliance(t, nil)
	putSignInProfile(t, a, so, g)

	// Admin consent: the tenant id lands in the settings.
	provider := a.begin(t, "MAILBOX", "")
	pu, err := url.Parse(provider)
	if err != nil || !strings.HasPrefix(provider, g.URL+"/organizations/adminconsent?") {
		t.Fatalf("consent URL %q", provider)
	}
	q := pu.Query()
	if q.Get("redirect_uri") != a.srv.URL+pathMicrosoftConsent || q.Get("client_id") != "app-1" {
		t.Errorf("consent URL query %v", q)
	}
	// Entra ID sends the browser back with the consenting tenant (the fake has no consent page).
	back := q.Get("redirect_uri") + "?" + url.Values{"tenant": {"tenant-42"}, "admin_consent": {"True"}, "state": {q.Get("state")}}.Encode()
	wantDashboard(t, a.follow(t, back), "signin=ok")
	if got := a.settings(t, engine.SideMailbox)["tenantId"]; got != "tenant-42" {
		t.Errorf("tenantId %v after consent", got)
	}
	if got := a.secret(t, "m365", msgraph.SecretTenant); got != "tenant-42" {
		t.Errorf("tenant secret %q", got)
	}
	if loc := a.follow(t, back); loc != "/profiles?reason=unknown_state&signin=error" {
		t.Errorf("replayed callback redirected to %q", loc)
	}

	// A refused consent comes back as an error with the provider's reason.
	pu, _ = url.Parse(a.begin(t, "MAILBOX", ""))
	denied := a.srv.URL + pathMicrosoftConsent + "?" + url.Values{"error": {"access_denied"},
		"error_description": {"AADSTS65004: User declined to consent"}, "state": {pu.Query().Get("state")}}.Encode()
	wantDashboard(t, a.follow(t, denied), "reason=access_denied&signin=error")

	// Delegated sign-in of linked user u1 (authorization code + PKCE): the refresh token is stored for the mailbox.
	provider = a.begin(t, "MAILBOX", "u1")
	pu, _ = url.Parse(provider)
	q = pu.Query()
	if !strings.HasPrefix(provider, g.URL+"/tenant-42/oauth2/v2.0/authorize?") || q.Get("code_challenge_method") != "S256" ||
		q.Get("redirect_uri") != a.srv.URL+pathMicrosoftCallback {
		t.Fatalf("authorize URL %q", provider)
	}
	code := g.Issue("alice@example.com", q.Get("code_challenge"), q.Get("redirect_uri"))
	back = q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	wantDashboard(t, a.follow(t, back), "signin=ok")
	if rt := a.secret(t, "m365", "refresh.alice@example.com"); rt == "" {
		t.Error("no refresh token stored for alice")
	}
	if loc := a.follow(t, back); loc != "/profiles?reason=unknown_state&signin=error" {
		t.Errorf("replayed callback redirected to %q", loc)
	}

	// The refresh token works: the engine's connector lists alice's calendar with it.
	c, err := a.stack.eng.Connector(context.Background(), a.mustProfile(t).Mailbox)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Open(context.Background(), engine.Scope{Kind: engine.KindAppointment,
		Account: engine.Account{ID: "alice@example.com", Email: "alice@example.com"}}); err != nil {
		t.Fatalf("opening alice's calendar after sign-in: %v", err)
	}

	// Bad requests name what is wrong.
	for _, tc := range []struct{ side, user, want string }{
		{"MAILBOX", "nobody", "nobody"},
		{"CRM", "u1", "userId"},
	} {
		vars := map[string]any{"p": "p1", "s": tc.side, "u": tc.user}
		if _, msg := a.gql(t, beginSignIn, vars); !strings.Contains(msg, tc.want) {
			t.Errorf("begin(%s, %s): %q, want an error naming %q", tc.side, tc.user, msg, tc.want)
		}
	}
	if _, msg := a.gql(t, beginSignIn, map[string]any{"p": "nope", "s": "CRM"}); msg == "" {
		t.Error("begin for an unknown profile succeeded")
	}
}

func (a *appliance) mustProfile(t *testing.T) engine.Profile {
	t.Helper()
	p, err := a.stack.eng.Profile("p1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
