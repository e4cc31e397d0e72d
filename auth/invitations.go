package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

// InvitationTTL is how long an admin invitation stays valid.
const InvitationTTL = 7 * 24 * time.Hour

// invitation is stored under auth/inv/<sha256 of the token>.
type invitation struct {
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	InvitedBy string    `json:"invitedBy"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Invitation is a pending admin invitation. Link is relative
// (/invite?token=…); the caller prefixes the public base URL.
type Invitation struct {
	Email     string
	Name      string
	Link      string
	ExpiresAt time.Time
}

// InviteAdmin creates a one-time invitation for email to become an admin,
// valid for InvitationTTL. The caller must be an admin.
func (s *Service) InviteAdmin(ctx context.Context, email, name string) (*Invitation, error) {
	if err := RequireRole(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	email, lower, err := normalizeEmail("email", email)
	if err != nil {
		return nil, err
	}
	if name, err = checkName("name", name); err != nil {
		return nil, err
	}
	s.mu.RLock()
	_, taken := s.byEmail[lower]
	s.mu.RUnlock()
	if taken {
		return nil, &Error{Code: CodeConflict, Field: "email", Message: fmt.Sprintf("an account with e-mail %s already exists", email)}
	}
	token := randomToken(32)
	inv := &invitation{Email: email, Name: name, InvitedBy: ViewerFrom(ctx).Email, ExpiresAt: s.now().UTC().Add(InvitationTTL)}
	err = s.db.Update(func(tx *kv.Tx) error {
		b, err := marshal(inv)
		if err != nil {
			return err
		}
		return tx.SetWithTTL([]byte(keyInvite+hashSecret(token)), b, InvitationTTL)
	})
	if err != nil {
		return nil, err
	}
	_ = s.Audit(ctx, Event{Action: ActionAdminInvited, Target: email})
	return &Invitation{Email: email, Name: name, Link: "/invite?token=" + url.QueryEscape(token), ExpiresAt: inv.ExpiresAt}, nil
}

// AcceptInvitation redeems an invitation token: it creates the admin
// account with the given name (empty keeps the invited name) and password.
// The token works once. Unusable tokens count against the client IP's failed
// sign-in budget, as in AcceptPortalInvitation.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password string) (*Account, error) {
	if strings.TrimSpace(token) == "" {
		return nil, badInput("token", "token is required: use the link from the invitation")
	}
	if err := checkPassword("password", password); err != nil {
		return nil, err
	}
	ip := RequestIP(ctx)
	if wait := s.limiter.blockedIP(ip); wait > 0 {
		s.log.Info("invitation refused: rate limited", "ip", ip)
		return nil, &Error{Code: CodeRateLimited, RetryAfter: wait,
			Message: fmt.Sprintf("too many unusable invitation links from your address; try again in %d seconds", int(wait.Round(time.Second)/time.Second)+1)}
	}
	key := []byte(keyInvite + hashSecret(token))
	var inv invitation
	err := s.db.Update(func(tx *kv.Tx) error {
		var err error
		inv, err = kv.GetJSON[invitation](tx, key)
		if errors.Is(err, kv.ErrNotFound) {
			return &Error{Code: CodeNotFound, Field: "token", Message: "the invitation is unknown, already used or expired: ask an admin for a new one"}
		} else if err != nil {
			return err
		}
		return tx.Delete(key)
	})
	if err != nil {
		if CodeOf(err) == CodeNotFound {
			s.limiter.failIP(ip)
		}
		return nil, err
	}
	if s.now().After(inv.ExpiresAt) {
		s.limiter.failIP(ip)
		return nil, &Error{Code: CodeNotFound, Field: "token", Message: "the invitation is unknown, already used or expired: ask an admin for a new one"}
	}
	if strings.TrimSpace(name) == "" {
		name = inv.Name
	}
	a, err := s.createAccount(inv.Email, name, password, RoleAdmin, false)
	if err != nil {
		return nil, err
	}
	_ = s.Audit(ctx, Event{Actor: a.Email, Action: ActionInvitationAccepted, Target: a.Email, Detail: "invited by " + inv.InvitedBy})
	return a.public(), nil
}
