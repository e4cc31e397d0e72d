package graph_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph"
)

func TestSetupFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anon := e.client()
	r := anon.query(`{ systemStatus { state version } version { version commit } me { id } }`, nil).must(t)
	if got := field(r.Data, "systemStatus", "state"); got != "SETUP" {
		t.Fatalf("state before setup = %v, want SETUP", got)
	}
	if field(r.Data, "version", "commit") != "abc123" || field(r.Data, "systemStatus", "version") != "1.2.3" {
		t.Fatalf("version = %v", r.Raw)
	}
	if r.Data["me"] != nil {
		t.Fatalf("me for anonymous = %v, want null", r.Data["me"])
	}

	bad := []struct {
		name, token, email, password, code, field string
	}{
		{"short password", e.auth.SetupToken(), "a@example.com", "short", "BAD_USER_INPUT", "password"},
		{"bad email", e.auth.SetupToken(), "not-an-email", testPassword, "BAD_USER_INPUT", "email"},
		{"wrong token", "nope", "a@example.com", testPassword, "FORBIDDEN", "token"},
		{"missing token", "", "a@example.com", testPassword, "BAD_USER_INPUT", "token"},
	}
	for _, tc := range bad {
		r := anon.query(setupMutation, map[string]any{"in": map[string]any{"token": tc.token, "email": tc.email, "name": "A", "password": tc.password}})
		if r.code() != tc.code || r.Errors[0].Extensions["field"] != tc.field || !strings.Contains(r.message(), tc.field) {
			t.Errorf("%s: got code %q field %v message %q, want %s naming %s", tc.name, r.code(), r.Errors[0].Extensions["field"], r.message(), tc.code, tc.field)
		}
	}

	admin := e.setupAdmin()
	r = admin.query(`{ me { email role } systemStatus { state } }`, nil).must(t)
	if field(r.Data, "me", "email") != "admin@example.com" || field(r.Data, "me", "role") != "ADMIN" {
		t.Fatalf("me after setup = %s", r.Raw)
	}
	if field(r.Data, "systemStatus", "state") != "OK" {
		t.Fatalf("state after setup = %s", r.Raw)
	}
	if e.auth.SetupToken() != "" {
		t.Fatal("setup token still set after setup")
	}
	// Setup is refused once done, whatever the token.
	r = e.client().query(setupMutation, map[string]any{"in": map[string]any{"token": "x", "email": "b@example.com", "name": "B", "password": testPassword}})
	if r.code() != "SETUP_DONE" {
		t.Fatalf("second setup: code %q (%s), want SETUP_DONE", r.code(), r.Raw)
	}
}

func TestSessionCookies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	r := c.query(setupMutation, map[string]any{"in": map[string]any{"token": e.auth.SetupToken(), "email": "admin@example.com", "name": "Ada", "password": testPassword}}).must(t)
	var sess, csrf *http.Cookie
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		switch ck.Name {
		case auth.SessionCookie:
			sess = ck
		case auth.CSRFCookie:
			csrf = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Secure {
		t.Fatalf("session cookie = %+v, want HttpOnly SameSite=Lax Path=/ (not Secure over plain HTTP)", sess)
	}
	if csrf == nil || csrf.HttpOnly || csrf.Value != field(r.Data, "setup", "csrfToken") {
		t.Fatalf("csrf cookie = %+v, want readable and equal to csrfToken", csrf)
	}
	if strings.Contains(e.logs.String(), sess.Value) || strings.Contains(e.logs.String(), testPassword) {
		t.Fatal("a secret leaked into the log")
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setupAdmin()
	const login = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { account { email } } }`

	c := e.login("ADMIN@example.com", testPassword) // e-mail is case-insensitive
	if r := c.query(`{ me { email } }`, nil).must(t); field(r.Data, "me", "email") != "admin@example.com" {
		t.Fatalf("me = %s", r.Raw)
	}

	anon := e.client()
	for i := range 5 {
		r := anon.query(login, map[string]any{"e": "admin@example.com", "p": "wrong password " + string(rune('a'+i))})
		if r.code() != "UNAUTHENTICATED" || r.message() != "wrong e-mail or password" {
			t.Fatalf("bad password %d: %s", i, r.Raw)
		}
	}
	// Unknown accounts get the same answer.
	if r := anon.query(login, map[string]any{"e": "nobody@example.com", "p": testPassword}); r.code() != "UNAUTHENTICATED" {
		t.Fatalf("unknown account: %s", r.Raw)
	}
	// The account is now locked for 15 minutes, even with the right password.
	r := anon.query(login, map[string]any{"e": "admin@example.com", "p": testPassword})
	if r.code() != "RATE_LIMITED" || !strings.Contains(r.message(), "try again in") {
		t.Fatalf("6th attempt: %s, want RATE_LIMITED", r.Raw)
	}
	if s, _ := r.Errors[0].Extensions["retryAfterSeconds"].(float64); s < 60 || s > 15*60+1 {
		t.Fatalf("retryAfterSeconds = %v", r.Errors[0].Extensions["retryAfterSeconds"])
	}
	e.clock.Add(15*time.Minute + time.Second)
	anon.query(login, map[string]any{"e": "admin@example.com", "p": testPassword}).must(t)

	// Failed logins are audited.
	admin := e.login("admin@example.com", testPassword)
	r = admin.query(`{ auditLog(first: 100) { edges { node { action target } } } }`, nil).must(t)
	if n := strings.Count(r.Raw, `"login.failed"`); n < 6 {
		t.Fatalf("audit log has %d login.failed events, want ≥ 6: %s", n, r.Raw)
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *auth.Options, _ *graph.HandlerOptions) {
		o.LoginLimit = auth.LoginLimit{PerAccount: 100, PerIP: 3, Window: time.Minute}
	})
	e.setupAdmin()
	anon := e.client()
	const login = `mutation($e: String!) { login(email: $e, password: "wrong password!!") { csrfToken } }`
	for i := range 3 {
		if r := anon.query(login, map[string]any{"e": string(rune('a'+i)) + "@example.com"}); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("attempt %d: %s", i, r.Raw)
		}
	}
	if r := anon.query(login, map[string]any{"e": "z@example.com"}); r.code() != "RATE_LIMITED" {
		t.Fatalf("4th attempt from the same IP: %s, want RATE_LIMITED", r.Raw)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	admin.noCSRF = true
	r := admin.query(`{ me { email } }`, nil)
	if r.Status != http.StatusForbidden || r.code() != "FORBIDDEN" || !strings.Contains(r.message(), auth.CSRFHeader) {
		t.Fatalf("POST without CSRF header: %d %s, want 403 naming %s", r.Status, r.Raw, auth.CSRFHeader)
	}
	admin.csrf = "forged"
	admin.noCSRF = false
	if r := admin.query(`mutation { createApiToken(name: "x") { secret } }`, nil); r.Status != http.StatusForbidden {
		t.Fatalf("POST with a wrong CSRF token: %d %s", r.Status, r.Raw)
	}
	// GET (queries only) needs no CSRF token.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?query="+urlEscape(`{ me { email } }`), nil)
	admin.noCSRF = true
	if r := admin.do(req).must(t); field(r.Data, "me", "email") != "admin@example.com" {
		t.Fatalf("GET me = %s", r.Raw)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	admin.query(`mutation { logout }`, nil).must(t)
	if r := admin.query(`{ me { id } }`, nil).must(t); r.Data["me"] != nil {
		t.Fatalf("me after logout = %s", r.Raw)
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	r := admin.query(`mutation { createApiToken(name: "ci script", expiresInDays: 30) { secret token { id name expiresAt } } }`, nil).must(t)
	secret := field(r.Data, "createApiToken", "secret").(string)
	id := field(r.Data, "createApiToken", "token", "id").(string)
	if !strings.HasPrefix(secret, auth.TokenPrefix) {
		t.Fatalf("secret %q lacks the %s prefix", secret, auth.TokenPrefix)
	}
	if strings.Contains(e.logs.String(), secret) {
		t.Fatal("token secret leaked into the log")
	}

	script := e.client()
	script.bearer = secret
	if r := script.query(`{ me { email } }`, nil).must(t); field(r.Data, "me", "email") != "admin@example.com" {
		t.Fatalf("me by token = %s", r.Raw)
	}
	// Bearer requests need no CSRF token, even for mutations.
	script.query(`mutation { inviteAdmin(email: "x@example.com", name: "X") { link } }`, nil).must(t)

	r = admin.query(`{ apiTokens { id name lastUsedAt } }`, nil).must(t)
	if !strings.Contains(r.Raw, `"ci script"`) || strings.Contains(r.Raw, `"lastUsedAt":null`) || strings.Contains(r.Raw, secret) {
		t.Fatalf("apiTokens = %s, want the token with lastUsedAt and without its secret", r.Raw)
	}

	admin.query(`mutation($id: ID!) { revokeApiToken(id: $id) }`, map[string]any{"id": id}).must(t)
	r = script.query(`{ me { email } }`, nil)
	if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
		t.Fatalf("revoked token: %d %s, want 401 UNAUTHENTICATED", r.Status, r.Raw)
	}
	if r := admin.query(`mutation($id: ID!) { revokeApiToken(id: $id) }`, map[string]any{"id": id}); r.code() != "NOT_FOUND" {
		t.Fatalf("revoking twice: %s", r.Raw)
	}
	script.bearer = "garbage"
	if r := script.query(`{ me { email } }`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("garbage token: %d %s", r.Status, r.Raw)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	r := admin.query(`mutation { createApiToken(name: "short", expiresInDays: 1) { secret } }`, nil).must(t)
	if r := admin.query(`mutation { createApiToken(name: "x", expiresInDays: -1) { secret } }`, nil); r.code() != "BAD_USER_INPUT" || !strings.Contains(r.message(), "expiresInDays") {
		t.Fatalf("negative expiry: %s", r.Raw)
	}
	script := e.client()
	script.bearer = field(r.Data, "createApiToken", "secret").(string)
	script.query(`{ me { id } }`, nil).must(t)
	e.clock.Add(25 * time.Hour)
	if r := script.query(`{ me { id } }`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("expired token: %d %s", r.Status, r.Raw)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	e.clock.Add(23 * time.Hour)
	if r := admin.query(`{ me { id } }`, nil).must(t); r.Data["me"] == nil {
		t.Fatal("session expired too early")
	}
	e.clock.Add(23 * time.Hour) // used 23 h ago: still within the idle limit
	if r := admin.query(`{ me { id } }`, nil).must(t); r.Data["me"] == nil {
		t.Fatal("a used session must stay alive")
	}
	e.clock.Add(25 * time.Hour)
	if r := admin.query(`{ me { id } }`, nil); r.Status != http.StatusOK || r.Data["me"] != nil {
		t.Fatalf("idle session still valid: %s", r.Raw)
	}
}

func TestAdmins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	me := field(admin.query(`{ me { id } }`, nil).must(t).Data, "me", "id").(string)

	if r := admin.query(`mutation($id: ID!) { removeAdmin(id: $id) }`, map[string]any{"id": me}); r.code() != "CONFLICT" || !strings.Contains(r.message(), "last admin") {
		t.Fatalf("removing the last admin: %s", r.Raw)
	}
	r := admin.query(`mutation { addAdmin(email: "bob@example.com", name: "Bob", password: "another long password") { id role } }`, nil).must(t)
	bobID := field(r.Data, "addAdmin", "id").(string)
	if r := admin.query(`mutation { addAdmin(email: "BOB@example.com", name: "Bob", password: "another long password") { id } }`, nil); r.code() != "CONFLICT" {
		t.Fatalf("duplicate e-mail: %s", r.Raw)
	}
	bob := e.login("bob@example.com", "another long password")
	bobScript := e.client()
	bobScript.bearer = field(bob.query(`mutation { createApiToken(name: "bob") { secret } }`, nil).must(t).Data, "createApiToken", "secret").(string)
	bobScript.query(`{ me { id } }`, nil).must(t)

	r = admin.query(`mutation { inviteAdmin(email: "carol@example.com", name: "Carol") { link expiresAt } }`, nil).must(t)
	link := field(r.Data, "inviteAdmin", "link").(string)
	token := strings.TrimPrefix(link, "/invite?token=")
	if token == link || token == "" {
		t.Fatalf("link = %q", link)
	}
	carol := e.client()
	const accept = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { csrfToken account { email name role } } }`
	if r := carol.query(accept, map[string]any{"t": token, "p": "short"}); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("short password on accept: %s", r.Raw)
	}
	r = carol.query(accept, map[string]any{"t": token, "p": "carol's long password"}).must(t)
	if field(r.Data, "acceptInvitation", "account", "name") != "Carol" || field(r.Data, "acceptInvitation", "account", "role") != "ADMIN" {
		t.Fatalf("accepted = %s", r.Raw)
	}
	if r := e.client().query(accept, map[string]any{"t": token, "p": "carol's long password"}); r.code() != "NOT_FOUND" {
		t.Fatalf("invitation reused: %s", r.Raw)
	}

	r = admin.query(`{ admins { email } }`, nil).must(t)
	for _, want := range []string{"admin@example.com", "bob@example.com", "carol@example.com"} {
		if !strings.Contains(r.Raw, want) {
			t.Fatalf("admins = %s, missing %s", r.Raw, want)
		}
	}
	admin.query(`mutation($id: ID!) { removeAdmin(id: $id) }`, map[string]any{"id": bobID}).must(t)
	if r := bob.query(`{ me { id } }`, nil); r.Data["me"] != nil {
		t.Fatalf("removed admin still signed in: %s", r.Raw)
	}
	if r := bobScript.query(`{ me { id } }`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("removed admin's API token still works: %d %s", r.Status, r.Raw)
	}

	// Invitations expire after 7 days.
	r = admin.query(`mutation { inviteAdmin(email: "dave@example.com", name: "Dave") { link } }`, nil).must(t)
	late := strings.TrimPrefix(field(r.Data, "inviteAdmin", "link").(string), "/invite?token=")
	e.clock.Add(7*24*time.Hour + time.Minute)
	if r := e.client().query(accept, map[string]any{"t": late, "p": "dave's long password"}); r.code() != "NOT_FOUND" || !strings.Contains(r.message(), "expired") {
		t.Fatalf("expired invitation: %s", r.Raw)
	}

	admin = e.login("admin@example.com", testPassword) // the old session idled out
	r = admin.query(`{ auditLog(first: 100) { edges { node { action actor target } } } }`, nil).must(t)
	for _, want := range []string{"setup", "admin.added", "admin.invited", "invitation.accepted", "admin.removed", "login.ok"} {
		if !strings.Contains(r.Raw, `"`+want+`"`) {
			t.Errorf("audit log lacks %s: %s", want, r.Raw)
		}
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	other := e.login("admin@example.com", testPassword)
	const change = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`
	if r := admin.query(change, map[string]any{"c": "wrong wrong wrong", "n": "a new long password"}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "currentPassword" {
		t.Fatalf("wrong current password: %s", r.Raw)
	}
	if r := admin.query(change, map[string]any{"c": testPassword, "n": "short"}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "newPassword" {
		t.Fatalf("short new password: %s", r.Raw)
	}
	admin.query(change, map[string]any{"c": testPassword, "n": "a new long password"}).must(t)
	if r := admin.query(`{ me { id } }`, nil).must(t); r.Data["me"] == nil {
		t.Fatal("the session that changed the password was signed out")
	}
	if r := other.query(`{ me { id } }`, nil); r.Data["me"] != nil {
		t.Fatalf("other session survived the password change: %s", r.Raw)
	}
	e.login("admin@example.com", "a new long password")
}

func TestAuditLogPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	for range 3 {
		admin.query(`mutation { createApiToken(name: "t") { secret } }`, nil).must(t)
		e.clock.Add(time.Second)
	}
	const q = `query($a: String) { auditLog(first: 2, after: $a) { edges { cursor node { id action } } pageInfo { hasNextPage endCursor } } }`
	var seen []string
	var after any
	for page := 0; ; page++ {
		r := admin.query(q, map[string]any{"a": after}).must(t)
		edges := field(r.Data, "auditLog", "edges").([]any)
		for _, ed := range edges {
			seen = append(seen, field(ed.(map[string]any), "node", "action").(string))
		}
		if field(r.Data, "auditLog", "pageInfo", "hasNextPage") != true {
			break
		}
		after = field(r.Data, "auditLog", "pageInfo", "endCursor")
		if page > 10 {
			t.Fatal("paging does not end")
		}
	}
	// Newest first: three token.created, then setup.
	want := []string{"token.created", "token.created", "token.created", "setup"}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("audit pages = %v, want %v", seen, want)
	}
	if r := admin.query(`{ auditLog(first: 100000) { edges { cursor } } }`, nil); r.code() != "BAD_USER_INPUT" || !strings.Contains(r.message(), "first") {
		t.Fatalf("huge page: %s", r.Raw)
	}
	if r := admin.query(`{ auditLog(after: "zzz") { edges { cursor } } }`, nil); r.code() != "BAD_USER_INPUT" || !strings.Contains(r.message(), "after") {
		t.Fatalf("bad cursor: %s", r.Raw)
	}
}
