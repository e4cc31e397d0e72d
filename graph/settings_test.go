package graph_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/mail/mailtest"
)

const (
	smtpUser     = "appliance"
	smtpPassword = "smtp-pass-5f0c"
	saveSMTP     = `mutation($in: SmtpSettingsInput!) { saveSmtpSettings(input: $in) { host port security username passwordSet from fromName } }`
	testMail     = `mutation($to: String!) { sendTestMail(to: $to) { sent to message expiresAt } }`
	inviteUser   = `mutation($p: ID!, $u: ID!) { inviteMailboxUser(profileId: $p, userId: $u) { sent to message expiresAt } }`
)

func smtpInput(srv *mailtest.Server, edit func(map[string]any)) map[string]any {
	in := map[string]any{"host": srv.Host, "port": srv.Port, "security": "NONE", "username": smtpUser,
		"password": smtpPassword, "from": "sync@example.com", "fromName": "Synchronizer"}
	if edit != nil {
		edit(in)
	}
	return in
}

func auditActions(t *testing.T, admin *client) string {
	t.Helper()
	r := admin.query(`{ auditLog(first: 100) { edges { node { action target detail } } } }`, nil).must(t)
	var b strings.Builder
	for _, e := range list(field(r.Data, "auditLog", "edges")) {
		n := field(e.(map[string]any), "node").(map[string]any)
		b.WriteString(n["action"].(string) + " " + n["target"].(string) + " " + n["detail"].(string) + "\n")
	}
	return b.String()
}

func TestSMTPSettingsAreWriteOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	srv := mailtest.Start(t)
	if r := admin.query(`{ smtpSettings { host } }`, nil).must(t); r.Data["smtpSettings"] != nil {
		t.Fatalf("smtpSettings before saving: %s", r.Raw)
	}
	for fieldName, edit := range map[string]func(map[string]any){
		"host":     func(m map[string]any) { m["host"] = "" },
		"port":     func(m map[string]any) { m["port"] = 70000 },
		"from":     func(m map[string]any) { m["from"] = "not an address" },
		"fromName": func(m map[string]any) { m["fromName"] = "x\r\nBcc: y@example.com" },
		"username": func(m map[string]any) { m["username"] = "" },
	} {
		r := admin.query(saveSMTP, map[string]any{"in": smtpInput(srv, edit)})
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != fieldName {
			t.Errorf("%s: %s", fieldName, r.Raw)
		}
	}
	r := admin.query(saveSMTP, map[string]any{"in": smtpInput(srv, nil)}).must(t)
	if field(r.Data, "saveSmtpSettings", "passwordSet") != true || field(r.Data, "saveSmtpSettings", "security") != "NONE" {
		t.Errorf("saved: %s", r.Raw)
	}
	// Leaving the password out keeps it; an empty string removes it.
	r = admin.query(saveSMTP, map[string]any{"in": smtpInput(srv, func(m map[string]any) { delete(m, "password"); m["port"] = 2525 })}).must(t)
	if field(r.Data, "saveSmtpSettings", "passwordSet") != true || field(r.Data, "saveSmtpSettings", "port") != float64(2525) {
		t.Errorf("kept: %s", r.Raw)
	}
	r = admin.query(`{ smtpSettings { host port passwordSet username } }`, nil).must(t)
	if field(r.Data, "smtpSettings", "passwordSet") != true || field(r.Data, "smtpSettings", "username") != smtpUser {
		t.Errorf("read back: %s", r.Raw)
	}
	r = admin.query(saveSMTP, map[string]any{"in": smtpInput(srv, func(m map[string]any) { m["password"] = ""; m["username"] = "" })}).must(t)
	if field(r.Data, "saveSmtpSettings", "passwordSet") != false {
		t.Errorf("cleared: %s", r.Raw)
	}
	log := auditActions(t, admin)
	if !strings.Contains(log, "mail.smtp_saved smtp "+srv.Host) {
		t.Errorf("audit log:\n%s", log)
	}
	if strings.Contains(log, smtpPassword) || strings.Contains(e.logs.String(), smtpPassword) {
		t.Error("the SMTP password reached the audit log or the server log")
	}
}

func TestSendTestMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	srv := mailtest.Start(t, mailtest.WithAuth(smtpUser, smtpPassword))

	r := admin.query(testMail, map[string]any{"to": "bob@example.com"})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "smtp" {
		t.Errorf("without settings: %s", r.Raw)
	}
	admin.query(saveSMTP, map[string]any{"in": smtpInput(srv, nil)}).must(t)
	r = admin.query(testMail, map[string]any{"to": "bob"})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "to" {
		t.Errorf("bad address: %s", r.Raw)
	}

	r = admin.query(testMail, map[string]any{"to": "bob@example.com"}).must(t)
	if field(r.Data, "sendTestMail", "sent") != true || !strings.Contains(field(r.Data, "sendTestMail", "message").(string), "bob@example.com") {
		t.Fatalf("test mail: %s", r.Raw)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].To[0] != "bob@example.com" {
		t.Fatalf("delivered: %+v", got)
	}
	m, err := got[0].Message()
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Subject") != "Synchronizer: test mail" || m.Header.Get("To") != "<bob@example.com>" {
		t.Errorf("headers: %v", m.Header)
	}
	if body, _ := got[0].Body(); !strings.Contains(body, "admin@example.com") {
		t.Errorf("body: %s", body)
	}

	// A wrong password: not sent, and the message says why.
	admin.query(saveSMTP, map[string]any{"in": smtpInput(srv, func(m map[string]any) { m["password"] = "wrong-password" })}).must(t)
	r = admin.query(testMail, map[string]any{"to": "bob@example.com"}).must(t)
	msg, _ := field(r.Data, "sendTestMail", "message").(string)
	if field(r.Data, "sendTestMail", "sent") != false || !strings.Contains(msg, "refused the user name or password") {
		t.Errorf("wrong password: %s", r.Raw)
	}
	if strings.Contains(msg, "wrong-password") {
		t.Error("the result shows the password")
	}
	if len(srv.Messages()) != 1 {
		t.Error("a message was delivered with the wrong password")
	}
	log := auditActions(t, admin)
	if !strings.Contains(log, "mail.test_sent bob@example.com") || !strings.Contains(log, "mail.test_failed bob@example.com") {
		t.Errorf("audit log:\n%s", log)
	}
}

// fakeSignIn stands in for the appliance's sign-in flows (oauth.go): it
// answers like BeginSignIn for a delegated Microsoft mailbox.
type fakeSignIn struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (f *fakeSignIn) BeginSignIn(_ context.Context, profileID, side, userID string) (string, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, profileID+"/"+side+"/"+userID)
	if f.fail != nil {
		return "", time.Time{}, f.fail
	}
	q := url.Values{"client_id": {"client-1"}, "state": {"state-" + strings.Repeat("s", 43)}, "code_challenge": {"c"},
		"redirect_uri": {"https://sync.example.com/oauth/microsoft/callback"}, "login_hint": {"alice@example.com"}}
	return "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?" + q.Encode(),
		time.Date(2026, 11, 21, 12, 10, 0, 0, time.UTC), nil
}

func TestInviteMailboxUser(t *testing.T) {
	t.Parallel()
	signIn := &fakeSignIn{}
	se := newSyncEnvWith(t, func(r *graph.Resolver) { r.SignIn, r.Portal = signIn, testPortal{} })
	admin := se.setupAdmin()
	admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(t)
	admin.query(`mutation { linkUser(input: {profileId: "p1", id: "u1", crm: {id: "assoc-1"}, mailbox: {email: "alice@example.com", name: "Alice Andersen"}}) { id } }`, nil).must(t)
	admin.query(`mutation { linkUser(input: {profileId: "p1", id: "u2", crm: {id: "assoc-2"}, mailbox: {id: "mbx-2"}}) { id } }`, nil).must(t)
	srv := mailtest.Start(t, mailtest.WithAuth(smtpUser, smtpPassword))

	r := admin.query(inviteUser, map[string]any{"p": "p1", "u": "u1"})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "smtp" {
		t.Errorf("without SMTP settings: %s", r.Raw)
	}
	admin.query(saveSMTP, map[string]any{"in": smtpInput(srv, nil)}).must(t)

	// The mail carries the durable portal link (7 days), not a provider's sign-in link.
	r = admin.query(inviteUser, map[string]any{"p": "p1", "u": "u1"}).must(t)
	if field(r.Data, "inviteMailboxUser", "sent") != true || field(r.Data, "inviteMailboxUser", "to") != "alice@example.com" ||
		field(r.Data, "inviteMailboxUser", "expiresAt") != "2026-11-28T12:00:00Z" {
		t.Fatalf("invite: %s", r.Raw)
	}
	if strings.Contains(r.Raw, "/invite/") {
		t.Errorf("the API answer carries the link: %s", r.Raw)
	}
	if len(signIn.calls) != 0 {
		t.Errorf("sign-ins started: %v", signIn.calls)
	}
	got := srv.Messages()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "alice@example.com" {
		t.Fatalf("delivered: %+v", got)
	}
	m, err := got[0].Message()
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Header.Get("Subject"); s != "Synchronizer: your invitation to sync your calendar" {
		t.Errorf("subject %q", s)
	}
	body, err := got[0].Body()
	if err != nil {
		t.Fatal(err)
	}
	var link string
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, "https://") {
			link = strings.TrimSpace(line)
		}
	}
	token, ok := strings.CutPrefix(link, "https://sync.example.com/invite/")
	if !ok || token == "" || !strings.Contains(body, "Hello Alice Andersen,") {
		t.Fatalf("the link in the mail %q; body:\n%s", link, body)
	}
	// The link signs alice in to her portal, once.
	alice, r := redeem(t, se.env, nil, token)
	if alice == nil {
		t.Fatalf("redeeming the mailed link: %s", r.Raw)
	}
	if got := linksOf(t, alice); len(got) != 1 || got[0] != "p1/u1" {
		t.Errorf("alice sees %v", got)
	}
	if _, r := redeem(t, se.env, nil, token); r.code() != "NOT_FOUND" {
		t.Errorf("the mailed link worked twice: %s", r.Raw)
	}

	// A user without a mailbox address, an unknown user.
	r = admin.query(inviteUser, map[string]any{"p": "p1", "u": "u2"})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "userId" {
		t.Errorf("no address: %s", r.Raw)
	}
	r = admin.query(inviteUser, map[string]any{"p": "p1", "u": "nobody"})
	if r.code() != "NOT_FOUND" {
		t.Errorf("unknown user: %s", r.Raw)
	}
	if len(srv.Messages()) != 1 {
		t.Errorf("delivered %d messages, want 1", len(srv.Messages()))
	}

	log := auditActions(t, admin)
	if !strings.Contains(log, "mail.invitation_sent p1/u1 to alice@example.com") {
		t.Errorf("audit log:\n%s", log)
	}
	if strings.Contains(log, token) || strings.Contains(se.logs.String(), token) {
		t.Error("the invitation link reached the audit log or the server log")
	}
}
