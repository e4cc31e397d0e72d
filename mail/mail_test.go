package mail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/kv"
	"github.com/synchronizer/synchronizer/mail"
	"github.com/synchronizer/synchronizer/mail/mailtest"
)

func settingsFor(s *mailtest.Server) mail.Settings {
	return mail.Settings{Host: s.Host, Port: s.Port, Security: mail.SecurityNone, Username: "app", Password: "s3cret pass",
		From: "sync@example.com", FromName: "Synchronizer Å"}
}

func TestSendDelivers(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.WithAuth("app", "s3cret pass"))
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	ml := &mail.Mailer{Settings: settingsFor(srv), Now: func() time.Time { return now }}
	link := "https://login.example.com/authorize?client_id=abc&state=" + strings.Repeat("x", 90) + "&code_challenge=y"
	if err := ml.Send(context.Background(), mail.Invitation("alice@example.com", "Alice", link, now.Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].From != "sync@example.com" || len(got[0].To) != 1 || got[0].To[0] != "alice@example.com" {
		t.Fatalf("delivered %+v", got)
	}
	m, err := got[0].Message()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"To": "<alice@example.com>", "MIME-Version": "1.0",
		"Content-Type": "text/plain; charset=utf-8", "Date": "Sat, 21 Nov 2026 12:00:00 +0000"} {
		if v := m.Header.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
	if id := m.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID %q", id)
	}
	if from, err := m.Header.AddressList("From"); err != nil || from[0].Name != "Synchronizer Å" || from[0].Address != "sync@example.com" {
		t.Errorf("From %q: %v", m.Header.Get("From"), err)
	}
	if s := m.Header.Get("Subject"); !strings.Contains(s, "sign in with Microsoft") {
		t.Errorf("Subject %q", s)
	}
	body, err := got[0].Body()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "\n"+link+"\n") || !strings.Contains(body, "Hello Alice,") {
		t.Errorf("body has no intact link:\n%s", body)
	}
}

func TestSendErrorsNameTheStep(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.WithAuth("app", "s3cret pass"), mailtest.Refuse("nobody@example.com"))
	ctx := context.Background()

	s := settingsFor(srv)
	s.Password = "wrong"
	err := (&mail.Mailer{Settings: s}).Send(ctx, mail.TestMessage("bob@example.com", "admin@example.com"))
	var me *mail.Error
	if !errors.As(err, &me) || me.Step != "auth" || !strings.Contains(err.Error(), "refused the user name or password") {
		t.Errorf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the password: %v", err)
	}

	err = (&mail.Mailer{Settings: settingsFor(srv)}).Send(ctx, mail.TestMessage("nobody@example.com", "a"))
	if !errors.As(err, &me) || me.Step != "recipient" || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Errorf("refused recipient: %v", err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	s = settingsFor(srv)
	s.Port = closed
	err = (&mail.Mailer{Settings: s}).Send(ctx, mail.TestMessage("bob@example.com", "a"))
	if !errors.As(err, &me) || me.Step != "dial" || !strings.Contains(err.Error(), "could not connect") {
		t.Errorf("closed port: %v", err)
	}

	s = settingsFor(srv)
	s.Security = mail.SecurityStartTLS
	err = (&mail.Mailer{Settings: s}).Send(ctx, mail.TestMessage("bob@example.com", "a"))
	if !errors.As(err, &me) || me.Step != "starttls" {
		t.Errorf("no STARTTLS offered: %v", err)
	}
	if len(srv.Messages()) != 0 {
		t.Errorf("delivered %d messages after failures", len(srv.Messages()))
	}
}

// testTLS returns a server config and client roots for 127.0.0.1.
func testTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	hs.StartTLS()
	t.Cleanup(hs.Close)
	roots := x509.NewCertPool()
	roots.AddCert(hs.Certificate())
	return &tls.Config{Certificates: hs.TLS.Certificates, MinVersion: tls.VersionTLS12}, roots
}

func TestSendSTARTTLS(t *testing.T) {
	t.Parallel()
	cfg, roots := testTLS(t)
	srv := mailtest.Start(t, mailtest.WithAuth("app", "s3cret pass"), mailtest.WithSTARTTLS(cfg))
	s := settingsFor(srv)
	s.Security = mail.SecurityStartTLS
	if err := (&mail.Mailer{Settings: s, TLS: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}).Send(context.Background(), mail.TestMessage("bob@example.com", "a")); err != nil {
		t.Fatal(err)
	}
	// Without the test roots the certificate is not trusted: a clear STARTTLS error.
	err := (&mail.Mailer{Settings: s}).Send(context.Background(), mail.TestMessage("bob@example.com", "a"))
	var me *mail.Error
	if !errors.As(err, &me) || me.Step != "starttls" {
		t.Errorf("untrusted certificate: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("delivered %d, want 1", n)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	t.Parallel()
	cfg, roots := testTLS(t)
	srv := mailtest.Start(t, mailtest.WithAuth("app", "s3cret pass"), mailtest.WithTLS(cfg))
	s := settingsFor(srv)
	s.Security = mail.SecurityTLS
	if err := (&mail.Mailer{Settings: s, TLS: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}).Send(context.Background(), mail.TestMessage("bob@example.com", "a")); err != nil {
		t.Fatal(err)
	}
	// A base configuration that allows at most TLS 1.1 gets the minimum of 1.2 all the same, so nothing is left to agree on.
	old := &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11} //nolint:gosec // G402: the test checks that the minimum is raised
	err := (&mail.Mailer{Settings: s, TLS: old}).Send(context.Background(), mail.TestMessage("bob@example.com", "a"))
	var me *mail.Error
	if !errors.As(err, &me) || me.Step != "tls" || !strings.Contains(err.Error(), "TLS handshake") {
		t.Errorf("TLS 1.1 only: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("delivered %d, want 1", n)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	good := mail.Settings{Host: "smtp.example.com", Port: 587, Security: mail.SecurityStartTLS, From: "a@example.com"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		edit  func(*mail.Settings)
	}{
		{"host", func(s *mail.Settings) { s.Host = "" }},
		{"host", func(s *mail.Settings) { s.Host = "https://smtp.example.com" }},
		{"port", func(s *mail.Settings) { s.Port = 0 }},
		{"security", func(s *mail.Settings) { s.Security = "ssl" }},
		{"security", func(s *mail.Settings) { s.Security, s.Username = mail.SecurityNone, "u" }},
		{"from", func(s *mail.Settings) { s.From = "Ops <a@example.com>" }},
		{"username", func(s *mail.Settings) { s.Password = "x" }},
		{"fromName", func(s *mail.Settings) { s.FromName = "a\nBcc: x@example.com" }},
	} {
		field, edit := tc.field, tc.edit
		s := good
		edit(&s)
		var fe *mail.FieldError
		if err := s.Validate(); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestSaveKeepsPassword(t *testing.T) {
	t.Parallel()
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := mail.Load(db); !errors.Is(err, mail.ErrNotConfigured) {
		t.Fatalf("empty store: %v", err)
	}
	s := mail.Settings{Host: "smtp.example.com", Port: 465, Security: mail.SecurityTLS, Username: "u", Password: "p", From: "a@example.com"}
	if _, err := mail.Save(db, s, false); err != nil {
		t.Fatal(err)
	}
	s.Password, s.Port = "", 2465
	if _, err := mail.Save(db, s, true); err != nil {
		t.Fatal(err)
	}
	got, err := mail.Load(db)
	if err != nil || got.Password != "p" || got.Port != 2465 {
		t.Errorf("loaded %+v, %v", got, err)
	}
}

// TestNamesCannotAddLines: a name comes from the CRM or the mailbox (anyone who can edit their own display name
// sets it), so it must not add lines to a message's body — a second, forged link — nor make a notice's subject
// unsendable with a control character.
func TestNamesCannotAddLines(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t, mailtest.WithAuth("app", "s3cret pass"))
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	ml := &mail.Mailer{Settings: settingsFor(srv), Now: func() time.Time { return now }}
	const evil = "Eve\r\n\r\nThat link expired: use https://evil.example/renew\r\nBcc: x@evil.example"
	link := "https://sync.example.com/invite/abc"
	for name, m := range map[string]mail.Message{
		"invitation":        mail.Invitation("alice@example.com", evil, link, now),
		"portal invitation": mail.PortalInvitation("alice@example.com", evil, link, now),
		"portal, NEL":       mail.PortalInvitation("alice@example.com", "Eve\u0085https://evil.example/renew", link, now),
		"portal, LS":        mail.PortalInvitation("alice@example.com", "Eve\u2028https://evil.example/renew", link, now),
		"notice":            mail.GrantRefusedNotice("admin@example.com", "Eve\v<eve@example.com>\r\nBcc: x@evil.example", "p1", "401\r\nevil.example", "sent"),
	} {
		if strings.Contains(m.Body, "evil") || strings.Contains(m.Subject, "evil") {
			t.Errorf("%s: the name added text:\nSubject: %s\n%s", name, m.Subject, m.Body)
		}
		if err := ml.Send(context.Background(), m); err != nil {
			t.Errorf("%s: not sent: %v", name, err)
		}
	}
	for _, r := range srv.Messages() {
		msg, err := r.Message()
		if err != nil {
			t.Fatal(err)
		}
		if len(r.To) != 1 || msg.Header.Get("Bcc") != "" {
			t.Errorf("recipients %v, Bcc %q", r.To, msg.Header.Get("Bcc"))
		}
	}
	if n := len(srv.Messages()); n != 5 {
		t.Errorf("%d messages delivered, want 5", n)
	}
}
