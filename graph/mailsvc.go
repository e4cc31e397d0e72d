package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph/model"
	"github.com/synchronizer/synchronizer/mail"
)

// This file is the API's side of outbound e-mail (package mail): the SMTP
// settings (the password write-only, like system secrets), the test mail and
// the sign-in invitation of a delegated mailbox. Audit events name the
// settings' host and the recipients' addresses, never a password or a link.

// Audit actions of the e-mail fields.
const (
	actionSMTPSaved      = "mail.smtp_saved"
	actionTestMailSent   = "mail.test_sent"
	actionTestMailFailed = "mail.test_failed"
	actionInvitationSent = "mail.invitation_sent"
	actionInvitationFail = "mail.invitation_failed"
)

// mailErr maps an error of package mail to an API error.
func mailErr(err error) error {
	var fe *mail.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return badInput(fe.Field, "%s", fe.Reason)
	case errors.Is(err, mail.ErrNotConfigured):
		return &codedError{code: CodeBadUserInput, field: "smtp", msg: "no SMTP settings are saved: save them under Settings first"}
	}
	return err
}

func (r *Resolver) needDB() error {
	if r.DB == nil {
		return errUnavailable("the store")
	}
	return nil
}

// smtpOut is the API view of s (no password).
func smtpOut(s mail.Settings) *model.SMTPSettings {
	return &model.SMTPSettings{Host: s.Host, Port: s.Port, Security: model.SMTPSecurity(strings.ToUpper(string(s.Security))),
		Username: s.Username, PasswordSet: s.Password != "", From: s.From, FromName: s.FromName}
}

// smtpIn converts the input; keep reports whether the saved password stays.
func smtpIn(in model.SMTPSettingsInput) (s mail.Settings, keep bool) {
	s = mail.Settings{Host: in.Host, Port: in.Port, Security: mail.Security(strings.ToLower(string(in.Security))), From: strings.TrimSpace(in.From)}
	if in.Username != nil {
		s.Username = strings.TrimSpace(*in.Username)
	}
	if in.FromName != nil {
		s.FromName = strings.TrimSpace(*in.FromName)
	}
	if in.Password == nil {
		return s, true
	}
	s.Password = *in.Password
	return s, false
}

// mailer returns a mailer with the saved settings.
func (r *Resolver) mailer() (*mail.Mailer, error) {
	if err := r.needDB(); err != nil {
		return nil, err
	}
	s, err := mail.Load(r.DB)
	if err != nil {
		return nil, mailErr(err)
	}
	return &mail.Mailer{Settings: s}, nil
}

// sendResult sends m and describes the outcome; a refusal by the SMTP server
// (or no answer) is a result, not an error.
func sendResult(ctx context.Context, ml *mail.Mailer, m mail.Message, okMsg string) (*model.MailResult, error) {
	err := ml.Send(ctx, m)
	var se *mail.Error
	switch {
	case err == nil:
		return &model.MailResult{Sent: true, To: m.To, Message: okMsg}, nil
	case errors.As(err, &se):
		return &model.MailResult{Sent: false, To: m.To, Message: "Not sent: " + se.Error()}, nil
	}
	return nil, mailErr(err)
}

func viewerEmail(ctx context.Context) string {
	if v := auth.ViewerFrom(ctx); v != nil {
		return v.Email
	}
	return "an administrator"
}

// sendTestMail is the sendTestMail field.
func (r *Resolver) sendTestMail(ctx context.Context, to string) (*model.MailResult, error) {
	to = strings.TrimSpace(to)
	if err := mail.CheckAddress("to", to); err != nil {
		return nil, mailErr(err)
	}
	ml, err := r.mailer()
	if err != nil {
		return nil, err
	}
	res, err := sendResult(ctx, ml, mail.TestMessage(to, viewerEmail(ctx)),
		"Sent: the SMTP server accepted the test mail for "+to+".")
	if err != nil {
		return nil, err
	}
	action := actionTestMailSent
	if !res.Sent {
		action = actionTestMailFailed
	}
	r.audit(ctx, action, to, "via "+ml.Settings.Host)
	return res, nil
}

// InviteMailboxUser e-mails linked user userID of profileID their portal
// invitation: exactly what the inviteMailboxUser field (an admin's "E-mail a
// sign-in invitation") does, for callers outside the API such as the
// appliance's automatic re-invitation. The audit event's actor is the viewer
// in ctx (auth.WithViewer), else "anonymous".
func (r *Resolver) InviteMailboxUser(ctx context.Context, profileID, userID string) (*model.MailResult, error) {
	return r.inviteMailboxUser(ctx, profileID, userID)
}

// inviteMailboxUser is the inviteMailboxUser field: the durable invitation
// link of the user portal (7 days, one-time), e-mailed to the linked user's
// mailbox address; from the portal the user authorizes their own mailbox.
func (r *Resolver) inviteMailboxUser(ctx context.Context, profileID, userID string) (*model.MailResult, error) {
	eng, err := r.needEngine()
	if err != nil {
		return nil, err
	}
	if r.SignIn == nil {
		return nil, errUnavailable("sign-in with connected systems")
	}
	u, err := eng.User(profileID, userID)
	if err != nil {
		return nil, engineErr(err)
	}
	to := strings.TrimSpace(u.Mailbox.Email)
	if to == "" {
		return nil, badInput("userId", "linked user %q has no mailbox e-mail address to send the invitation to", userID)
	}
	if err := mail.CheckAddress("userId", to); err != nil {
		return nil, mailErr(err)
	}
	ml, err := r.mailer()
	if err != nil {
		return nil, err
	}
	link, expires, err := r.portalInvitation(ctx, profileID, u) // the durable portal link (portal.go)
	if err != nil {
		return nil, engineErr(err)
	}
	name := u.Mailbox.Name
	if name == "" {
		name = u.CRM.Name
	}
	res, err := sendResult(ctx, ml, mail.PortalInvitation(to, name, link, expires),
		"Sent: "+to+" has a sign-in link that expires at "+expires.UTC().Format(time.DateTime)+" UTC.")
	if err != nil {
		return nil, err
	}
	action := actionInvitationSent
	if res.Sent {
		exp := expires
		res.ExpiresAt = &exp
	} else {
		action = actionInvitationFail
	}
	r.audit(ctx, action, profileID+"/"+userID, "to "+to)
	return res, nil
}
