package main

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/graph/model"
	"github.com/synchronizer/synchronizer/kv"
	"github.com/synchronizer/synchronizer/mail"
	"github.com/synchronizer/synchronizer/mail/mailtest"
)

// testClock is a settable clock safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// reinviteSetup is an appliance with a public URL, a signed-in SuperOffice tenant against Microsoft 365 with
// delegated permissions, linked user u-alice signed in (refresh token stored) and synced once, and two admins.
func reinviteSetup(t *testing.T) (*appliance, *msgraphtest.Server) {
	t.Helper()
	pemKey, pub := superofficetest.PartnerKeyPEM()
	so := superofficetest.New(superofficetest.Options{PartnerKey: pub})
	base := so.Start()
	t.Cleanup(so.Close)
	so.AddAssociate(assocAlice, "Alice", "alice@example.com")
	g := msgraphtest.New(msgraphtest.Options{})
	t.Cleanup(g.Close)
	g.AddClient("app-1", "app-secret")
	// Delegated tokens reach only the mailbox whose id is the signed-in user's.
	g.AddUser(msgraphtest.User{ID: "alice@example.com", Mail: "alice@example.com", UPN: "alice@example.com", DisplayName: "Alice"})

	a := newAppliance(t, func(srvURL string) string { return srvURL })
	ctx := context.Background()
	for name, v := range map[string]string{superoffice.SecretPartnerKey: pemKey,
		superoffice.SecretClientSecret: superofficetest.ClientSecret, superoffice.SecretSystemToken: superofficetest.SystemToken} {
		if err := a.stack.secrets("so1").Put(ctx, name, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.stack.eng.PutProfile(engine.Profile{ID: "p1", Name: "Sales",
		CRM: engine.SystemRef{Type: "superoffice", Instance: "so1", Settings: mustJSONRaw(t, map[string]any{
			"baseUrl": base + "/api/", "loginUrl": base + "/login", "clientId": superofficetest.ClientID,
			"contextIdentifier": superofficetest.ContextIdentifier})},
		Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: mustJSONRaw(t, map[string]any{
			"tenantId": "contoso", "clientId": "app-1", "clientSecret": "app-secret", "auth": msgraph.AuthDelegated,
			"authority": g.URL, "graphUrl": g.URL})},
		PollSeconds: 3600,
		Directions:  map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.stack.eng.LinkUser("p1", engine.LinkedUser{ID: "u-alice",
		CRM:     engine.Account{ID: "101", Email: "alice@example.com"},
		Mailbox: engine.Account{ID: "alice@example.com", Email: "alice@example.com", Name: "Alice"}}); err != nil {
		t.Fatal(err)
	}
	// Alice signs in (authorization code + PKCE), as from an invitation.
	vars := map[string]any{"p": "p1", "s": "MAILBOX", "u": "u-alice"}
	data, msg := a.gql(t, beginSignIn, vars)
	if msg != "" {
		t.Fatal(msg)
	}
	s := string(data)
	raw := s[strings.Index(s, `"url":"`)+7:]
	raw = strings.ReplaceAll(raw[:strings.Index(raw, `"`)], `\u0026`, "&")
	pu, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	code := g.Issue("alice@example.com", q.Get("code_challenge"), q.Get("redirect_uri"))
	wantDashboard(t, a.follow(t, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()), "signin=ok")

	// Two admins to tell.
	admin, err := a.auth.Setup(ctx, a.auth.SetupToken(), "admin@example.com", "Admin", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	actx := auth.WithViewer(ctx, &auth.Viewer{AccountID: admin.ID, Email: admin.Email, Role: auth.RoleAdmin, Via: "session"})
	if _, err := a.auth.AddAdmin(actx, "second@example.com", "Second", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := graphLoadSchedule(a); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, _ := a.stack.sched.UserStatus("p1", "u-alice")
		if st.LastOK != nil && !st.Running && !st.Queued {
			break
		}
		if st.LastError != "" || time.Now().After(deadline) {
			t.Fatalf("alice's first sync did not succeed: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return a, g
}

func TestReinviteOnRevokedGrant(t *testing.T) {
	t.Parallel()
	a, g := reinviteSetup(t)
	ctx := context.Background()
	clk := &testClock{now: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)}
	flows := newOAuthFlows(a.stack, a.db, a.auth, a.srv.URL, slog.New(slog.DiscardHandler))
	res := &graph.Resolver{Auth: a.auth, DB: a.db, Logger: slog.New(slog.DiscardHandler), Engine: a.stack.eng,
		Scheduler: a.stack.sched, Governor: a.stack.gov, Secrets: a.stack.secrets,
		// As serve builds it with --domain: links are made without a request, from the public URL.
		SignIn: flows, Portal: flows}
	ri := newReinviter(a.stack.sched, a.stack.eng, a.db, a.auth, res.InviteMailboxUser, slog.New(slog.DiscardHandler))
	ri.now = clk.Now
	ri.start(ctx, time.Hour)

	// An admin revokes Alice's sessions; her next sync fails with ErrAuth and the auth breaker opens. No SMTP is
	// configured yet: nothing can be sent, and the dashboard says why.
	g.RevokeUser("alice@example.com")
	if err := a.stack.sched.SyncNow(ctx, "p1", "u-alice"); err != nil {
		t.Fatal(err)
	}
	rec := waitReinvitation(t, a.db, func(r reinviteRecord) bool { return r.Reason != "re-invitation being sent" })
	st, _ := a.stack.sched.UserStatus("p1", "u-alice")
	if st.BreakerReason != "auth" || !strings.Contains(st.LastError, "AADSTS50173") {
		t.Fatalf("alice's status after the revocation: %+v", st)
	}
	if rec.Sent || rec.Reason != reasonNoSMTP || rec.AdminsNotified != 0 || !strings.Contains(rec.Error, "AADSTS50173") ||
		!rec.At.Equal(clk.Now()) {
		t.Fatalf("record without SMTP: %+v", rec)
	}
	ri.stop()

	// SMTP configured, a day later: the scan re-invites Alice and tells both admins, once.
	smtp := mailtest.Start(t)
	if _, err := mail.Save(a.db, mail.Settings{Host: smtp.Host, Port: smtp.Port, Security: mail.SecurityNone,
		From: "sync@example.com"}, false); err != nil {
		t.Fatal(err)
	}
	clk.Add(reinviteEvery - time.Minute)
	ri.scan(ctx)
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("%d mails sent within 24 hours of the last re-invitation", n)
	}
	clk.Add(time.Minute)
	ri.scan(ctx)
	rec = loadReinvitation(t, a.db)
	if !rec.Sent || rec.To != "alice@example.com" || rec.AdminsNotified != 2 || rec.Reason != "re-invitation sent to alice@example.com" {
		t.Fatalf("record with SMTP: %+v", rec)
	}
	msgs := smtp.Messages()
	if len(msgs) != 3 {
		t.Fatalf("delivered %d mails, want the invitation and two notices", len(msgs))
	}
	to := map[string]string{}
	for _, m := range msgs {
		body, err := m.Body()
		if err != nil {
			t.Fatal(err)
		}
		to[m.To[0]] = body
	}
	// The invitation is the durable portal link; from the portal Alice authorizes her mailbox again.
	if !strings.Contains(to["alice@example.com"], a.srv.URL+"/invite/") {
		t.Errorf("alice's invitation lacks the portal invitation link:\n%s", to["alice@example.com"])
	}
	for _, admin := range []string{"admin@example.com", "second@example.com"} {
		b := to[admin]
		for _, want := range []string{"Alice <alice@example.com>", "profile p1", "AADSTS50173", "re-invitation sent to alice@example.com", "What to do"} {
			if !strings.Contains(b, want) {
				t.Errorf("notice to %s lacks %q:\n%s", admin, want, b)
			}
		}
		if strings.Contains(b, "/invite/") || strings.Contains(b, "authorize?") {
			t.Errorf("the notice to %s carries the user's sign-in link", admin)
		}
	}

	// Neither another scan nor a restart (a new reinviter over the same store) sends again within 24 hours.
	clk.Add(time.Hour)
	ri.scan(ctx)
	again := newReinviter(a.stack.sched, a.stack.eng, a.db, a.auth, res.InviteMailboxUser, slog.New(slog.DiscardHandler))
	again.now = clk.Now
	again.scan(ctx)
	if n := len(smtp.Messages()); n != 3 {
		t.Errorf("%d mails after a rescan and a restart, want still 3", n)
	}

	// Audited, with the outcome, and listed for the dashboard.
	events, _, err := a.auth.AuditLog(auth.WithViewer(ctx, &auth.Viewer{Role: auth.RoleAdmin}), 100, "")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range events {
		counts[e.Action]++
		if e.Action == actionReinviteSent && (e.Actor != reinviteActor || e.Target != "p1/u-alice") {
			t.Errorf("audit event %+v", e)
		}
	}
	if counts[actionReinviteFailed] != 1 || counts[actionReinviteSent] != 1 || counts[actionInvitationSentForTest] != 1 {
		t.Errorf("audit counts %v", counts)
	}
	list, err := reinvitations(a.db, "p1")
	if err != nil || len(list) != 1 || list[0].UserID != "u-alice" || !list[0].Sent || list[0].AdminsNotified != 2 {
		t.Errorf("reinvitations: %+v %v", list, err)
	}
	if other, err := reinvitations(a.db, "p2"); err != nil || len(other) != 0 {
		t.Errorf("reinvitations of another profile: %+v %v", other, err)
	}
}

// actionInvitationSentForTest is graph's audit action of a sent invitation (the code path the admin's button uses).
const actionInvitationSentForTest = "mail.invitation_sent"

func loadReinvitation(t *testing.T, db *kv.DB) reinviteRecord {
	t.Helper()
	var r reinviteRecord
	if err := db.View(func(tx *kv.Tx) error {
		var err error
		r, err = kv.GetJSON[reinviteRecord](tx, reinviteKey("p1", "u-alice"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return r
}

func waitReinvitation(t *testing.T, db *kv.DB, done func(reinviteRecord) bool) reinviteRecord {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var r reinviteRecord
		err := db.View(func(tx *kv.Tx) error {
			var err error
			r, err = kv.GetJSON[reinviteRecord](tx, reinviteKey("p1", "u-alice"))
			return err
		})
		if err == nil && done(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no re-invitation recorded within 15 s (last: %+v, %v)", r, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGrantRefusedMatchesMsgraph ties grantRefused to the text of msgraph's AuthError.
func TestGrantRefusedMatchesMsgraph(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&msgraph.AuthError{User: "alice@example.com", Code: "invalid_grant", Reason: "AADSTS70043: sign-in frequency"}, true},
		{&msgraph.AuthError{User: "alice@example.com", Code: "interaction_required", Reason: "AADSTS50076: MFA"}, true},
		{&msgraph.AuthError{User: "alice@example.com", Reason: "the user has not signed in yet (no refresh token): send an invitation"}, false},
		{&msgraph.AuthError{Code: "invalid_client", Reason: "AADSTS7000215: Invalid client secret provided."}, false},
	} {
		// The engine wraps the connector's error with context; the scheduler keeps its text.
		text := "open mailbox appointment store of alice@example.com: " + tc.err.Error()
		if got := grantRefused(text); got != tc.want {
			t.Errorf("grantRefused(%q) = %v, want %v", text, got, tc.want)
		}
	}
}

// TestReinviteOnlyForRefusedDelegatedGrants: nothing is sent or recorded for an app-only mailbox system, for a
// credentials error of the CRM, for a user who never signed in, or while the breaker is not the auth one.
func TestReinviteOnlyForRefusedDelegatedGrants(t *testing.T) {
	t.Parallel()
	a := newAppliance(t, nil)
	for id, auth := range map[string]string{"app": msgraph.AuthApp, "deleg": msgraph.AuthDelegated} {
		if _, err := a.stack.eng.PutProfile(engine.Profile{ID: id, Name: id,
			CRM: engine.SystemRef{Type: "superoffice", Instance: "so-" + id, Settings: mustJSONRaw(t, map[string]any{"loginUrl": "https://so.example.com/login", "clientId": "c"})},
			Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m-" + id, Settings: mustJSONRaw(t, map[string]any{
				"tenantId": "contoso", "clientId": "app-1", "clientSecret": "s", "auth": auth})},
			Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}}); err != nil {
			t.Fatal(err)
		}
	}
	revoked := "list mailbox changes: " + (&msgraph.AuthError{User: "u@example.com", Code: "invalid_grant", Reason: "AADSTS50173: revoked"}).Error()
	neverSignedIn := (&msgraph.AuthError{User: "u@example.com", Reason: "the user has not signed in yet (no refresh token): send an invitation"}).Error()
	var invited []string
	ri := newReinviter(a.stack.sched, a.stack.eng, a.db, a.auth, func(_ context.Context, p, u string) (*model.MailResult, error) {
		invited = append(invited, p+"/"+u)
		return nil, nil
	}, slog.New(slog.DiscardHandler))
	for _, st := range []scheduler.UserStatus{
		{Profile: "app", User: "u1", BreakerReason: "auth", LastError: revoked},
		{Profile: "deleg", User: "u2", BreakerReason: "auth", LastError: "CRM refused the credentials: superoffice: SuperOffice refused the system user"},
		{Profile: "deleg", User: "u3", BreakerReason: "auth", LastError: neverSignedIn},
		{Profile: "deleg", User: "u4", BreakerReason: "failures", LastError: revoked},
		{Profile: "gone", User: "u5", BreakerReason: "auth", LastError: revoked},
	} {
		ri.consider(context.Background(), st)
	}
	list, err := reinvitations(a.db, "")
	if err != nil || len(list) != 0 || len(invited) != 0 {
		t.Fatalf("re-invitations %+v (%v), invited %v: want none", list, err, invited)
	}
	// The one case that qualifies is recorded (no SMTP here, so nothing is sent).
	ri.consider(context.Background(), scheduler.UserStatus{Profile: "deleg", User: "u6", BreakerReason: "auth", LastError: revoked})
	if list, _ := reinvitations(a.db, "deleg"); len(list) != 1 || list[0].UserID != "u6" || list[0].Reason != reasonNoSMTP {
		t.Fatalf("re-invitations %+v, want u6 without SMTP", list)
	}
}
