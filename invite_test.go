package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
	"github.com/synchronizer/synchronizer/mail/mailtest"
)

// TestInviteMailboxUserLinkWorks e-mails linked user u1 the durable portal invitation through an SMTP server on
// 127.0.0.1; alice opens the link from the mail (the portal redeems its token), starts her own Microsoft sign-in
// from the portal, completes it through the real sign-in flows (oauth.go) and lands back on the portal.
func TestInviteMailboxUserLinkWorks(t *testing.T) {
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	g := msgraphtest.New(msgraphtest.Options{})
	defer g.Close()
	g.AddClient("app-1", "app-secret")
	a := newPortalAppliance(t)
	putPortalProfiles(t, a, so, g)
	smtp := mailtest.Start(t, mailtest.WithAuth("app", "smtp-secret"))
	admin := a.admin

	// Admin consent first (the tenant id), as an admin would.
	data := admin.mustGQL(`mutation { beginSystemSignIn(profileId: "p1", side: MAILBOX) { url } }`, nil)
	pu, _ := url.Parse(data["beginSystemSignIn"].(map[string]any)["url"].(string))
	q := pu.Query()
	admin.get(q.Get("redirect_uri") + "?" + url.Values{"tenant": {"tenant-42"}, "admin_consent": {"True"}, "state": {q.Get("state")}}.Encode())

	admin.mustGQL(`mutation($in: SmtpSettingsInput!) { saveSmtpSettings(input: $in) { passwordSet } }`, map[string]any{"in": map[string]any{
		"host": smtp.Host, "port": smtp.Port, "security": "NONE", "username": "app", "password": "smtp-secret", "from": "sync@example.com"}})
	_, code, raw := admin.gql(`mutation { inviteMailboxUser(profileId: "p1", userId: "u1") { sent to message } }`, nil)
	if code != "" || !strings.Contains(raw, `"sent":true`) || !strings.Contains(raw, `"to":"alice@example.com"`) {
		t.Fatalf("inviteMailboxUser: %s", raw)
	}
	got := smtp.Messages()
	if len(got) != 1 || got[0].To[0] != "alice@example.com" {
		t.Fatalf("delivered %+v", got)
	}
	body, err := got[0].Body()
	if err != nil {
		t.Fatal(err)
	}
	var token string
	for line := range strings.SplitSeq(body, "\n") {
		if tok, ok := strings.CutPrefix(strings.TrimSpace(line), a.srv.URL+"/invite/"); ok {
			token = tok
		}
	}
	if token == "" {
		t.Fatalf("no %s/invite/<token> link in the invitation:\n%s", a.srv.URL, body)
	}
	// Alice opens the link: the portal page redeems the token, which signs her in.
	alice := a.browser(t)
	alice.mustGQL(`mutation($t: String!) { acceptPortalInvitation(token: $t) { account { email } } }`, map[string]any{"t": token})
	data = alice.mustGQL(`mutation { beginMyMailboxSignIn(profileId: "p1") { url } }`, nil)
	lu, err := url.Parse(data["beginMyMailboxSignIn"].(map[string]any)["url"].(string))
	if err != nil || !strings.HasPrefix(lu.String(), g.URL+"/tenant-42/oauth2/v2.0/authorize?") {
		t.Fatalf("mailbox sign-in URL %v %v", lu, err)
	}
	q = lu.Query()
	if q.Get("redirect_uri") != a.srv.URL+pathMicrosoftCallback || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("link query %v", q)
	}
	// Alice signs in; Entra ID sends her browser back to the appliance, which returns her to the portal.
	code = g.Issue("alice@example.com", q.Get("code_challenge"), q.Get("redirect_uri"))
	if loc := alice.get(q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()); loc != "/portal?signin=ok" {
		t.Errorf("redirected to %q, want /portal?signin=ok", loc)
	}
	if rt, err := a.stack.secrets("m365").Get(t.Context(), "refresh.alice@example.com"); err != nil || len(rt) == 0 {
		t.Errorf("no refresh token stored for alice after following the invitation: %v", err)
	}
}
