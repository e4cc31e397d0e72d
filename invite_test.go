package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
	"github.com/synchronizer/synchronizer/mail/mailtest"
)

// TestInviteMailboxUserLinkWorks e-mails linked user u1 the delegated Microsoft sign-in invitation through the real
// sign-in flows (oauth.go) and an SMTP server on 127.0.0.1, then completes the sign-in with the link from the mail.
func TestInviteMailboxUserLinkWorks(t *testing.T) {
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	g := msgraphtest.New(msgraphtest.Options{})
	defer g.Close()
	g.AddClient("app-1", "app-secret")
	a := newAppliance(t, nil)
	putSignInProfile(t, a, so, g)
	smtp := mailtest.Start(t, mailtest.WithAuth("app", "smtp-secret"))

	// Admin consent first (the tenant id), as an admin would.
	pu, _ := url.Parse(a.begin(t, "MAILBOX", ""))
	q := pu.Query()
	a.follow(t, q.Get("redirect_uri")+"?"+url.Values{"tenant": {"tenant-42"}, "admin_consent": {"True"}, "state": {q.Get("state")}}.Encode())

	if _, msg := a.gql(t, `mutation($in: SmtpSettingsInput!) { saveSmtpSettings(input: $in) { passwordSet } }`, map[string]any{"in": map[string]any{
		"host": smtp.Host, "port": smtp.Port, "security": "NONE", "username": "app", "password": "smtp-secret", "from": "sync@example.com"}}); msg != "" {
		t.Fatal(msg)
	}
	data, msg := a.gql(t, `mutation { inviteMailboxUser(profileId: "p1", userId: "u1") { sent to message } }`, nil)
	if msg != "" || !strings.Contains(string(data), `"sent":true`) || !strings.Contains(string(data), `"to":"alice@example.com"`) {
		t.Fatalf("inviteMailboxUser: %s %s", data, msg)
	}
	got := smtp.Messages()
	if len(got) != 1 || got[0].To[0] != "alice@example.com" {
		t.Fatalf("delivered %+v", got)
	}
	body, err := got[0].Body()
	if err != nil {
		t.Fatal(err)
	}
	var link string
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, g.URL+"/tenant-42/oauth2/v2.0/authorize?") {
			link = line
		}
	}
	if link == "" {
		t.Fatalf("no authorize link in the invitation:\n%s", body)
	}
	lu, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q = lu.Query()
	if q.Get("redirect_uri") != a.srv.URL+pathMicrosoftCallback || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("link query %v", q)
	}
	// Alice opens the link and signs in; Entra ID sends her browser back to the appliance.
	code := g.Issue("alice@example.com", q.Get("code_challenge"), q.Get("redirect_uri"))
	wantDashboard(t, a.follow(t, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()), "signin=ok")
	if rt := a.secret(t, "m365", "refresh.alice@example.com"); rt == "" {
		t.Error("no refresh token stored for alice after following the invitation")
	}
}
