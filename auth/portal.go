package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

// This file is the user portal's side of accounts: a USER-role account
// carries the linked users (profile, user) it may see, durable invitation
// links sign a linked user in without a password, and "Sign in with
// SuperOffice" signs in the accounts of matching linked users.
//
// Storage: a portal invitation lives under auth/pinv/<sha256 of the token>
// with a TTL of PortalInvitationTTL, and auth/pinvu/<profile>/<user> holds the
// hash of the newest invitation of that linked user: a newer invitation
// deletes the older one, so only the newest link works.

// PortalInvitationTTL is how long a portal invitation link stays valid.
const PortalInvitationTTL = 7 * 24 * time.Hour

// The audit actions of the portal's accounts.
const (
	ActionPortalInvited        = "portal.invited"
	ActionPortalInviteAccepted = "portal.invitation_accepted"
	ActionPortalInviteRefused  = "portal.invitation_refused"
	ActionPortalSignIn         = "portal.signin"
	ActionPortalAccountCreated = "portal.account_created"
	ActionPortalLinksDropped   = "portal.links_dropped"
)

const (
	keyPortalInvite     = kv.PrefixAuth + "pinv/"
	keyPortalInviteUser = kv.PrefixAuth + "pinvu/"
)

// Link names one linked user of a sync profile that a USER account may see.
type Link struct {
	Profile string `json:"profile"`
	User    string `json:"user"`
}

// portalInvitation is stored under auth/pinv/<sha256 of the token>.
type portalInvitation struct {
	Profile   string    `json:"profile"`
	User      string    `json:"user"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	InvitedBy string    `json:"invitedBy"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// LinkedIdentity is what the caller knows about a linked user when an
// invitation is redeemed: its mailbox e-mail and display name. The engine
// owns linked users, so the caller looks them up (LinkedLookup).
type LinkedIdentity struct {
	Email string
	Name  string
}

// LinkedLookup returns the current identity of linked user (profile, user),
// or an error when the linked user no longer exists.
type LinkedLookup func(profile, user string) (LinkedIdentity, error)

// errInvitationGone is the one answer to every unusable portal invitation:
// the caller learns nothing about which tokens exist.
var errInvitationGone = &Error{Code: CodeNotFound, Field: "token",
	Message: "the invitation link is unknown, already used, replaced by a newer one or expired: ask your administrator for a new one"}

// InvitePortalUser creates the durable invitation link of linked user
// (profile, user) whose mailbox address is email: valid for
// PortalInvitationTTL, one-time, and replacing any earlier invitation of the
// same linked user. The link is relative (/invite/<token>); the caller
// prefixes the public base URL. The caller must be an admin.
func (s *Service) InvitePortalUser(ctx context.Context, profile, user, email, name string) (*Invitation, error) {
	if err := RequireRole(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	if profile == "" || strings.Contains(profile, "/") {
		return nil, badInput("profileId", "profileId %q is not a profile id", profile)
	}
	if user == "" || strings.Contains(user, "/") {
		return nil, badInput("userId", "userId %q is not a linked user id", user)
	}
	email, _, err := normalizeEmail("email", email)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = email
	}
	token := randomToken(32)
	h := hashSecret(token)
	inv := &portalInvitation{Profile: profile, User: user, Email: email, Name: name, InvitedBy: ViewerFrom(ctx).Email,
		ExpiresAt: s.now().UTC().Add(PortalInvitationTTL)}
	idx := []byte(keyPortalInviteUser + profile + "/" + user)
	err = s.db.Update(func(tx *kv.Tx) error {
		if old, err := tx.Get(idx); err == nil {
			if err := tx.Delete([]byte(keyPortalInvite + string(old))); err != nil {
				return err
			}
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		b, err := marshal(inv)
		if err != nil {
			return err
		}
		if err := tx.SetWithTTL([]byte(keyPortalInvite+h), b, PortalInvitationTTL); err != nil {
			return err
		}
		return tx.SetWithTTL(idx, []byte(h), PortalInvitationTTL)
	})
	if err != nil {
		return nil, err
	}
	_ = s.Audit(ctx, Event{Action: ActionPortalInvited, Target: profile + "/" + user, Detail: "to " + email})
	return &Invitation{Email: email, Name: name, Link: "/invite/" + url.PathEscape(token), ExpiresAt: inv.ExpiresAt}, nil
}

// AcceptPortalInvitation redeems a portal invitation token: it works once,
// within PortalInvitationTTL, and only while it is the newest invitation of
// its linked user and lookup still finds that linked user. It returns the
// USER account of the invited address (created without a password when
// absent) with the linked user added to its links; the caller then starts a
// session. An address that belongs to an admin account is refused
// (CONFLICT): admins sign in with their password and never get links.
// Unusable tokens count against the client IP's failed sign-in budget
// (LoginLimit.PerIP, shared with password logins): beyond it every attempt
// is refused with RATE_LIMITED, unaudited, until the window has passed.
func (s *Service) AcceptPortalInvitation(ctx context.Context, token string, lookup LinkedLookup) (*Account, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, badInput("token", "token is required: use the link from the invitation e-mail")
	}
	ip := RequestIP(ctx)
	if wait := s.limiter.blockedIP(ip); wait > 0 {
		// Not audited: the refusals that caused the lock are, and a flood
		// of attempts must not flood the audit log.
		s.log.Info("portal invitation refused: rate limited", "ip", ip)
		return nil, &Error{Code: CodeRateLimited, RetryAfter: wait,
			Message: fmt.Sprintf("too many unusable invitation links from your address; try again in %d seconds", int(wait.Round(time.Second)/time.Second)+1)}
	}
	if len(token) > 128 {
		s.limiter.failIP(ip)
		return nil, errInvitationGone
	}
	h := hashSecret(token)
	key := []byte(keyPortalInvite + h)
	var inv portalInvitation
	err := s.db.Update(func(tx *kv.Tx) error {
		var err error
		inv, err = kv.GetJSON[portalInvitation](tx, key)
		if errors.Is(err, kv.ErrNotFound) {
			return errInvitationGone
		} else if err != nil {
			return err
		}
		if err := tx.Delete(key); err != nil {
			return err
		}
		idx := []byte(keyPortalInviteUser + inv.Profile + "/" + inv.User)
		if cur, err := tx.Get(idx); err == nil && string(cur) == h {
			return tx.Delete(idx)
		} else if err != nil && !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		if CodeOf(err) == CodeNotFound {
			s.limiter.failIP(ip)
			_ = s.Audit(ctx, Event{Action: ActionPortalInviteRefused, Detail: "unknown, used or replaced token"})
		}
		return nil, err
	}
	target := inv.Profile + "/" + inv.User
	if !s.now().Before(inv.ExpiresAt) {
		s.limiter.failIP(ip)
		_ = s.Audit(ctx, Event{Action: ActionPortalInviteRefused, Target: target, Detail: "expired"})
		return nil, errInvitationGone
	}
	if lookup == nil {
		return nil, errors.New("auth: AcceptPortalInvitation needs a linked-user lookup")
	}
	id, err := lookup(inv.Profile, inv.User)
	if err != nil {
		_ = s.Audit(ctx, Event{Action: ActionPortalInviteRefused, Target: target, Detail: "linked user gone: " + err.Error()})
		return nil, &Error{Code: CodeNotFound, Field: "token", Message: "the invitation is for a linked user that no longer exists: ask your administrator"}
	}
	email := inv.Email
	if id.Email != "" {
		email = id.Email
	}
	name := id.Name
	if name == "" {
		name = inv.Name
	}
	a, created, err := s.linkAccount(email, name, []Link{{Profile: inv.Profile, User: inv.User}})
	if err != nil {
		_ = s.Audit(ctx, Event{Action: ActionPortalInviteRefused, Target: target, Detail: err.Error()})
		return nil, err
	}
	if created {
		_ = s.Audit(ctx, Event{Actor: a.Email, Action: ActionPortalAccountCreated, Target: a.Email, Detail: "from the invitation for " + target})
	}
	_ = s.Audit(ctx, Event{Actor: a.Email, Action: ActionPortalInviteAccepted, Target: target, Detail: "invited by " + inv.InvitedBy})
	return a.public(), nil
}

// SignInLinked returns the USER account of email with links added to its
// links, creating it (without a password) when absent. It is how a verified
// external identity (Sign in with SuperOffice) whose CRM account matches
// linked users signs in; links must not be empty. An address that belongs to
// an admin account is refused (CONFLICT). The caller then starts a session.
func (s *Service) SignInLinked(ctx context.Context, email, name string, links []Link, via string) (*Account, error) {
	if len(links) == 0 {
		return nil, &Error{Code: CodeForbidden, Message: "no linked user matches this sign-in: ask your administrator to link your CRM user to a mailbox"}
	}
	a, created, err := s.linkAccount(email, name, links)
	if err != nil {
		return nil, err
	}
	if created {
		_ = s.Audit(ctx, Event{Actor: a.Email, Action: ActionPortalAccountCreated, Target: a.Email, Detail: "from " + via})
	}
	_ = s.Audit(ctx, Event{Actor: a.Email, Action: ActionPortalSignIn, Target: a.Email, Detail: via})
	return a.public(), nil
}

// linkAccount finds or creates the USER account of email and adds links.
func (s *Service) linkAccount(email, name string, links []Link) (*Account, bool, error) {
	email, lower, err := normalizeEmail("email", email)
	if err != nil {
		return nil, false, err
	}
	if name, err = checkName("name", name); err != nil {
		name = email
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var a Account
	created := false
	if id, ok := s.byEmail[lower]; ok {
		a = *s.accounts[id]
		switch {
		case a.Role == RoleAdmin:
			return nil, false, &Error{Code: CodeConflict, Field: "email",
				Message: fmt.Sprintf("%s belongs to an administrator account: sign in with your password instead", email)}
		case a.Disabled:
			return nil, false, &Error{Code: CodeForbidden, Message: "this account is disabled: ask your administrator"}
		}
		a.Links = slices.Clone(a.Links)
	} else {
		a = Account{ID: randomToken(12), Email: email, Name: name, Role: RoleUser, CreatedAt: s.now().UTC()}
		created = true
	}
	for _, l := range links {
		if !slices.Contains(a.Links, l) {
			a.Links = append(a.Links, l)
		}
	}
	err = s.db.Update(func(tx *kv.Tx) error {
		if created {
			if _, err := tx.Get([]byte(keyEmail + lower)); err == nil {
				return &Error{Code: CodeConflict, Field: "email", Message: fmt.Sprintf("an account with e-mail %s already exists", email)}
			} else if !errors.Is(err, kv.ErrNotFound) {
				return err
			}
			if err := tx.Set([]byte(keyEmail+lower), []byte(a.ID)); err != nil {
				return err
			}
		}
		return kv.PutJSON(tx, []byte(keyAcct+a.ID), &a)
	})
	if err != nil {
		return nil, false, err
	}
	s.accounts[a.ID] = &a
	s.byEmail[lower] = a.ID
	return &a, created, nil
}

// Links returns the linked users account id may see (a copy; none for an
// admin or an unknown account).
func (s *Service) Links(accountID string) []Link {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok || a.Role != RoleUser || a.Disabled {
		return nil
	}
	return slices.Clone(a.Links)
}

// ViewerLinks returns the links of the viewer in ctx (none for an anonymous
// caller or an admin).
func (s *Service) ViewerLinks(ctx context.Context) []Link {
	v := ViewerFrom(ctx)
	if v == nil {
		return nil
	}
	return s.Links(v.AccountID)
}

// HasLink reports whether the viewer in ctx may see linked user (profile, user).
func (s *Service) HasLink(ctx context.Context, profile, user string) bool {
	return slices.Contains(s.ViewerLinks(ctx), Link{Profile: profile, User: user})
}

// DropLinks removes linked user (profile, user) from every account's links,
// or every linked user of profile when user is "", together with its pending
// invitation(s). Call it when a linked user is unlinked or a profile deleted.
func (s *Service) DropLinks(ctx context.Context, profile, user string) error {
	match := func(l Link) bool { return l.Profile == profile && (user == "" || l.User == user) }
	s.mu.Lock()
	var changed []*Account
	for _, a := range s.accounts {
		if slices.ContainsFunc(a.Links, match) {
			c := *a
			c.Links = slices.DeleteFunc(slices.Clone(a.Links), match)
			changed = append(changed, &c)
		}
	}
	prefix := keyPortalInviteUser + profile + "/"
	if user != "" {
		prefix += user
	}
	err := s.db.Update(func(tx *kv.Tx) error {
		for _, a := range changed {
			if err := kv.PutJSON(tx, []byte(keyAcct+a.ID), a); err != nil {
				return err
			}
		}
		var dels [][]byte
		err := tx.Scan([]byte(prefix), func(key, value []byte) error {
			if user != "" && string(key) != prefix {
				return nil // another user whose id starts with user
			}
			dels = append(dels, append([]byte(nil), key...), []byte(keyPortalInvite+string(value)))
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dels {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, a := range changed {
			s.accounts[a.ID] = a
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		target := profile
		if user != "" {
			target += "/" + user
		}
		_ = s.Audit(ctx, Event{Action: ActionPortalLinksDropped, Target: target, Detail: fmt.Sprintf("%d account(s)", len(changed))})
	}
	return nil
}

// HasPassword reports whether account id has a password (accounts created by
// a portal invitation or a SuperOffice sign-in start without one).
func (s *Service) HasPassword(accountID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	return ok && a.Hash != ""
}
