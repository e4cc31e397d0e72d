package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/graph/model"
	"github.com/synchronizer/synchronizer/kv"
	"github.com/synchronizer/synchronizer/mail"
)

// Automatic re-invitation of a user whose Microsoft 365 delegated grant was refused.
//
// When a user's job fails because Microsoft refused the user's refresh token (revoked by an admin or the user,
// expired, or a Conditional Access sign-in frequency policy: msgraph.AuthError with invalid_grant or
// interaction_required), the scheduler opens the user's "auth" breaker and the job waits. The reinviter, which
// follows the scheduler's events (scheduler.Subscribe) and also looks over its snapshot every reinviteScanEvery in
// case it missed one, then
//   - e-mails the user a new sign-in invitation through the same code as the admin's "E-mail a sign-in invitation"
//     (graph.Resolver.InviteMailboxUser),
//   - e-mails every admin a notice naming the user, the profile, the error and what to do,
//   - records the outcome in the audit log and under reinvite/<profile>/<user>, which the dashboard shows (for
//     example "re-invitation not sent: SMTP not configured"),
//
// at most once per user per reinviteEvery, also across restarts (the record is written before anything is sent).
const (
	reinviteEvery     = 24 * time.Hour
	reinviteScanEvery = 5 * time.Minute
	// reinviteActor is the audit actor of what the reinviter does.
	reinviteActor = "synchronizer (automatic re-invitation)"
)

// Audit actions of the reinviter.
const (
	actionReinviteSent   = "mail.reinvitation_sent"
	actionReinviteFailed = "mail.reinvitation_failed"
)

// reasonNoSMTP is the reason shown when no SMTP settings are saved.
const reasonNoSMTP = "re-invitation not sent: SMTP not configured (Settings → Outgoing e-mail)"

// reinviteRecord is the stored outcome of the last automatic re-invitation of one user.
type reinviteRecord struct {
	Profile        string    `json:"profile"`
	User           string    `json:"user"`
	At             time.Time `json:"at"`
	Error          string    `json:"error"`
	Sent           bool      `json:"sent"`
	To             string    `json:"to,omitempty"`
	Reason         string    `json:"reason"`
	AdminsNotified int       `json:"adminsNotified"`
}

func reinviteKey(profileID, userID string) []byte {
	return []byte(kv.PrefixReinvite + profileID + "/" + userID)
}

// inviteFunc sends a user's sign-in invitation: graph.Resolver.InviteMailboxUser.
type inviteFunc func(ctx context.Context, profileID, userID string) (*model.MailResult, error)

// reinviter is the background worker described above. Start it once; stop waits for it.
type reinviter struct {
	sched  *scheduler.Scheduler
	eng    *engine.Engine
	db     *kv.DB
	auth   *auth.Service
	invite inviteFunc
	now    func() time.Time
	log    *slog.Logger
	// mailer builds the mailer of the admins' notices from the saved settings (tests may set its TLS roots).
	mailer func(mail.Settings) *mail.Mailer

	stopOnce sync.Once
	cancel   context.CancelFunc
	done     chan struct{}
}

func newReinviter(sched *scheduler.Scheduler, eng *engine.Engine, db *kv.DB, authSvc *auth.Service, invite inviteFunc,
	logger *slog.Logger) *reinviter {
	return &reinviter{sched: sched, eng: eng, db: db, auth: authSvc, invite: invite, now: time.Now, log: logger,
		mailer: func(s mail.Settings) *mail.Mailer { return &mail.Mailer{Settings: s} }}
}

// start subscribes to the scheduler's events and handles them until stop. One goroutine drains the events at
// once (so the scheduler never counts them as dropped while an e-mail is being sent) and notes the users whose job
// failed; another re-invites them, and scans the snapshot every scanEvery for what a gap may have hidden.
func (ri *reinviter) start(ctx context.Context, scanEvery time.Duration) {
	ctx, ri.cancel = context.WithCancel(context.WithoutCancel(ctx))
	ri.done = make(chan struct{})
	events, unsubscribe := ri.sched.Subscribe(256)
	type userKey struct{ profile, user string }
	var mu sync.Mutex
	failed := map[userKey]bool{}
	wake := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				if ev.Type != scheduler.EventFailed || ev.Profile == "" || ev.User == "" {
					continue
				}
				mu.Lock()
				failed[userKey{ev.Profile, ev.User}] = true
				mu.Unlock()
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}
	})
	wg.Go(func() {
		tick := time.NewTicker(scanEvery)
		defer tick.Stop()
		ri.scan(ctx) // users whose grant failed before this start
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
				mu.Lock()
				keys := make([]userKey, 0, len(failed))
				for k := range failed {
					keys = append(keys, k)
				}
				clear(failed)
				mu.Unlock()
				for _, k := range keys {
					if st, ok := ri.sched.UserStatus(k.profile, k.user); ok && ctx.Err() == nil {
						ri.consider(ctx, st)
					}
				}
			case <-tick.C:
				ri.scan(ctx)
			}
		}
	})
	go func() {
		wg.Wait()
		close(ri.done)
	}()
}

// stop ends the worker and waits for it (an e-mail being sent is given up through its context).
func (ri *reinviter) stop() {
	if ri == nil || ri.cancel == nil {
		return
	}
	ri.stopOnce.Do(func() {
		ri.cancel()
		<-ri.done
	})
}

// scan considers every user of the scheduler's snapshot.
func (ri *reinviter) scan(ctx context.Context) {
	for _, st := range ri.sched.Snapshot().Users {
		if ctx.Err() != nil {
			return
		}
		ri.consider(ctx, st)
	}
}

// grantRefused reports whether errText is msgraph's refusal of a user's delegated grant: an AuthError naming the
// user with the OAuth error invalid_grant (revoked, expired, sign-in frequency) or interaction_required. A user who
// never signed in (no refresh token) is not re-invited: the admin sends the first invitation.
func grantRefused(errText string) bool {
	return strings.Contains(errText, "authentication failed for user ") &&
		(strings.Contains(errText, "invalid_grant") || strings.Contains(errText, "interaction_required"))
}

// delegatedMailbox reports whether the profile's mailbox system is Microsoft 365 with delegated permissions.
func (ri *reinviter) delegatedMailbox(profileID string) bool {
	p, err := ri.eng.Profile(profileID)
	if err != nil || p.Mailbox.Type != msgraph.Type {
		return false
	}
	var set struct {
		Auth string `json:"auth"`
	}
	return json.Unmarshal(p.Mailbox.Settings, &set) == nil && set.Auth == msgraph.AuthDelegated
}

// consider re-invites the user of st when the auth breaker holds them for a refused delegated grant and no
// re-invitation went out within reinviteEvery.
func (ri *reinviter) consider(ctx context.Context, st scheduler.UserStatus) {
	if st.BreakerReason != "auth" || !grantRefused(st.LastError) || !ri.delegatedMailbox(st.Profile) {
		return
	}
	now := ri.now().UTC()
	rec := reinviteRecord{Profile: st.Profile, User: st.User, At: now, Error: st.LastError,
		Reason: "re-invitation being sent"}
	claimed := false
	err := ri.db.Update(func(tx *kv.Tx) error {
		old, err := kv.GetJSON[reinviteRecord](tx, reinviteKey(st.Profile, st.User))
		switch {
		case err == nil && now.Sub(old.At) < reinviteEvery && !old.At.After(now.Add(time.Minute)):
			return nil // one re-invitation per user per day
		case err != nil && !errors.Is(err, kv.ErrNotFound):
			ri.log.Warn("reinvite: unreadable record; replacing it", "profile", st.Profile, "user", st.User, "err", err)
		}
		claimed = true
		return kv.PutJSON(tx, reinviteKey(st.Profile, st.User), rec)
	})
	if err != nil {
		ri.log.Error("reinvite: could not record the re-invitation; not sending", "profile", st.Profile, "user", st.User, "err", err)
		return
	}
	if !claimed {
		return
	}
	ri.reinvite(ctx, &rec)
	if err := ri.db.Update(func(tx *kv.Tx) error {
		return kv.PutJSON(tx, reinviteKey(st.Profile, st.User), rec)
	}); err != nil {
		ri.log.Error("reinvite: could not record the outcome", "profile", st.Profile, "user", st.User, "err", err)
	}
}

// reinvite sends the invitation and the admins' notices and fills in rec's outcome.
func (ri *reinviter) reinvite(ctx context.Context, rec *reinviteRecord) {
	// The invitation code audits and starts the sign-in in the name of the viewer in ctx.
	actx := auth.WithViewer(ctx, &auth.Viewer{Email: reinviteActor, Role: auth.RoleAdmin, Via: "system"})
	who := rec.Profile + "/" + rec.User
	if u, err := ri.eng.User(rec.Profile, rec.User); err == nil {
		rec.To = strings.TrimSpace(u.Mailbox.Email)
		if n := strings.TrimSpace(u.Mailbox.Name); n != "" {
			who = n + " <" + rec.To + ">"
		} else if rec.To != "" {
			who = rec.To
		}
	}
	settings, err := mail.Load(ri.db)
	switch {
	case errors.Is(err, mail.ErrNotConfigured):
		rec.Reason = reasonNoSMTP
	case err != nil:
		rec.Reason = "re-invitation not sent: reading the SMTP settings failed: " + err.Error()
	default:
		res, err := ri.invite(actx, rec.Profile, rec.User)
		switch {
		case err != nil:
			rec.Reason = "re-invitation not sent: " + err.Error()
		case !res.Sent:
			rec.Reason = "re-invitation not sent: " + strings.TrimPrefix(res.Message, "Not sent: ")
		default:
			rec.Sent, rec.To = true, res.To
			rec.Reason = "re-invitation sent to " + res.To
		}
		rec.AdminsNotified = ri.notifyAdmins(actx, settings, who, rec)
	}
	action := actionReinviteSent
	if !rec.Sent {
		action = actionReinviteFailed
	}
	if err := ri.auth.Audit(actx, auth.Event{Action: action, Target: rec.Profile + "/" + rec.User,
		Detail: fmt.Sprintf("%s; %d admins notified; error: %s", rec.Reason, rec.AdminsNotified, rec.Error)}); err != nil {
		ri.log.Error("reinvite: audit failed", "err", err)
	}
	ri.log.Warn("reinvite: a user's Microsoft grant was refused", "profile", rec.Profile, "user", rec.User,
		"outcome", rec.Reason, "admins_notified", rec.AdminsNotified)
}

// notifyAdmins e-mails every admin the notice and returns how many the SMTP server accepted.
func (ri *reinviter) notifyAdmins(ctx context.Context, settings mail.Settings, who string, rec *reinviteRecord) int {
	admins, err := ri.auth.Admins(ctx)
	if err != nil {
		ri.log.Error("reinvite: listing the admins failed", "err", err)
		return 0
	}
	ml := ri.mailer(settings)
	n := 0
	for _, a := range admins {
		if err := ml.Send(ctx, mail.GrantRefusedNotice(a.Email, who, rec.Profile, rec.Error, rec.Reason)); err != nil {
			ri.log.Warn("reinvite: notice to an admin not sent", "admin", a.Email, "err", err)
			continue
		}
		n++
	}
	return n
}

// reinvitations lists the stored re-invitations, newest first; of one profile when profileID is not empty.
func reinvitations(db *kv.DB, profileID string) ([]*model.Reinvitation, error) {
	prefix := kv.PrefixReinvite
	if profileID != "" {
		prefix += profileID + "/"
	}
	out := []*model.Reinvitation{}
	err := db.Scan([]byte(prefix), func(key, value []byte) error {
		var r reinviteRecord
		if err := json.Unmarshal(value, &r); err != nil {
			return fmt.Errorf("re-invitation record %s: %w", key, err)
		}
		out = append(out, &model.Reinvitation{ProfileID: r.Profile, UserID: r.User, At: r.At, Error: r.Error,
			Sent: r.Sent, To: r.To, Reason: r.Reason, AdminsNotified: r.AdminsNotified})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *model.Reinvitation) int { return b.At.Compare(a.At) })
	return out, nil
}

// startReinviter starts the stack's reinviter; stack.stop stops it before the scheduler.
func (s *syncStack) startReinviter(ctx context.Context, db *kv.DB, authSvc *auth.Service, invite inviteFunc, logger *slog.Logger) {
	s.reinvite = newReinviter(s.sched, s.eng, db, authSvc, invite, logger.With("component", "reinvite"))
	s.reinvite.start(ctx, reinviteScanEvery)
}
