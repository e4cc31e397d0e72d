package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/synchronizer/synchronizer/kv"
)

// Account is a person who can sign in.
type Account struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"createdAt"`
	Disabled  bool      `json:"disabled,omitempty"`
	// Links are the linked users a USER account may see in its portal;
	// admins never have links.
	Links []Link `json:"links,omitempty"`
}

// public returns a copy of a without its password hash.
func (a *Account) public() *Account {
	c := *a
	c.Hash = ""
	c.Links = slices.Clone(a.Links)
	return &c
}

const (
	keyAcct   = kv.PrefixAuth + "acct/"
	keyEmail  = kv.PrefixAuth + "email/"
	keyInvite = kv.PrefixAuth + "inv/"
)

func (s *Service) loadAccounts() error {
	return s.db.View(func(tx *kv.Tx) error {
		return tx.Scan([]byte(keyAcct), func(key, value []byte) error {
			a, err := kv.GetJSON[Account](tx, key)
			if err != nil {
				return fmt.Errorf("auth: reading account %s: %w", key, err)
			}
			s.accounts[a.ID] = &a
			s.byEmail[strings.ToLower(a.Email)] = a.ID
			return nil
		})
	})
}

// normalizeEmail validates an e-mail address named field and returns it
// trimmed, with its lower-case form used as the unique key.
func normalizeEmail(field, email string) (string, string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", "", badInput(field, "%s is required", field)
	}
	if len(email) > 254 {
		return "", "", badInput(field, "%s is too long (at most 254 characters)", field)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email, "@") {
		return "", "", badInput(field, "%s %q is not a valid e-mail address (expected name@domain)", field, email)
	}
	return email, strings.ToLower(email), nil
}

func checkName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", badInput(field, "%s is required", field)
	case utf8.RuneCountInString(name) > 200:
		return "", badInput(field, "%s is too long (at most 200 characters)", field)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", badInput(field, "%s must not contain control characters", field)
	}
	return name, nil
}

// NeedsSetup reports whether no admin account exists yet (first run).
func (s *Service) NeedsSetup() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, a := range s.accounts {
		if a.Role == RoleAdmin && !a.Disabled {
			return false
		}
	}
	return true
}

// SetupToken returns the one-time setup token while setup is needed, else "".
// The server prints it as http://HOST/setup?token=<token>.
func (s *Service) SetupToken() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.setupToken
}

// Setup creates the first admin. It is refused with SETUP_DONE once an admin
// exists and with FORBIDDEN when token is not the setup token.
func (s *Service) Setup(ctx context.Context, token, email, name, password string) (*Account, error) {
	if !s.NeedsSetup() {
		return nil, &Error{Code: CodeSetupDone, Message: "setup is already done: an admin account exists; sign in instead"}
	}
	want := s.SetupToken()
	if token == "" {
		return nil, badInput("token", "token is required: use the setup link printed in the server log")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		_ = s.Audit(ctx, Event{Action: ActionSetupFailed, Actor: email, Detail: "wrong setup token"})
		return nil, &Error{Code: CodeForbidden, Field: "token", Message: "the setup token is wrong: use the setup link printed in the server log"}
	}
	a, err := s.createAccount(email, name, password, RoleAdmin, true)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.setupToken = ""
	s.mu.Unlock()
	_ = s.Audit(ctx, Event{Actor: a.Email, Action: ActionSetup, Target: a.Email})
	s.log.Info("setup done: first admin created", "email", a.Email)
	return a.public(), nil
}

// Bootstrap creates the first admin from the environment
// (SYNCHRONIZER_ADMIN_EMAIL, SYNCHRONIZER_ADMIN_PASSWORD) for automated
// installs. It does nothing and returns false when setup is already done.
func (s *Service) Bootstrap(email, password string) (created bool, err error) {
	if !s.NeedsSetup() {
		return false, nil
	}
	name := email
	if i := strings.IndexByte(email, '@'); i > 0 {
		name = email[:i]
	}
	a, err := s.createAccount(email, name, password, RoleAdmin, true)
	if err != nil {
		return false, fmt.Errorf("auth: bootstrap admin: %w", err)
	}
	s.mu.Lock()
	s.setupToken = ""
	s.mu.Unlock()
	_ = s.Audit(context.Background(), Event{Actor: "environment", Action: ActionSetup, Target: a.Email, Detail: "bootstrap from environment"})
	s.log.Info("setup done: first admin created from the environment", "email", a.Email)
	return true, nil
}

// createAccount validates and stores a new account. With firstAdmin it
// refuses (SETUP_DONE) when an admin was created concurrently.
func (s *Service) createAccount(email, name, password string, role Role, firstAdmin bool) (*Account, error) {
	email, lower, err := normalizeEmail("email", email)
	if err != nil {
		return nil, err
	}
	if name, err = checkName("name", name); err != nil {
		return nil, err
	}
	if err := checkPassword("password", password); err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, badInput("role", "role %q is not one of admin, user", role)
	}
	hash, err := s.hash(password)
	if err != nil {
		return nil, err
	}
	a := &Account{ID: randomToken(12), Email: email, Name: name, Role: role, Hash: hash, CreatedAt: s.now().UTC()}

	s.mu.Lock()
	defer s.mu.Unlock()
	if firstAdmin {
		for _, o := range s.accounts {
			if o.Role == RoleAdmin && !o.Disabled {
				return nil, &Error{Code: CodeSetupDone, Message: "setup is already done: an admin account exists; sign in instead"}
			}
		}
	}
	if _, taken := s.byEmail[lower]; taken {
		return nil, &Error{Code: CodeConflict, Field: "email", Message: fmt.Sprintf("an account with e-mail %s already exists", email)}
	}
	err = s.db.Update(func(tx *kv.Tx) error {
		if _, err := tx.Get([]byte(keyEmail + lower)); err == nil {
			return &Error{Code: CodeConflict, Field: "email", Message: fmt.Sprintf("an account with e-mail %s already exists", email)}
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		if err := kv.PutJSON(tx, []byte(keyAcct+a.ID), a); err != nil {
			return err
		}
		return tx.Set([]byte(keyEmail+lower), []byte(a.ID))
	})
	if err != nil {
		return nil, err
	}
	s.accounts[a.ID] = a
	s.byEmail[lower] = a.ID
	return a, nil
}

// CreateAccount creates an account with the given role. The caller must be
// an admin.
func (s *Service) CreateAccount(ctx context.Context, email, name, password string, role Role) (*Account, error) {
	if err := RequireRole(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	a, err := s.createAccount(email, name, password, role, false)
	if err != nil {
		return nil, err
	}
	action := ActionUserAdded
	if role == RoleAdmin {
		action = ActionAdminAdded
	}
	_ = s.Audit(ctx, Event{Action: action, Target: a.Email})
	return a.public(), nil
}

// AddAdmin creates an admin account with an initial password. The caller
// must be an admin.
func (s *Service) AddAdmin(ctx context.Context, email, name, password string) (*Account, error) {
	return s.CreateAccount(ctx, email, name, password, RoleAdmin)
}

// Account returns the account with id (without its hash), or NOT_FOUND.
func (s *Service) Account(id string) (*Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[id]
	if !ok {
		return nil, &Error{Code: CodeNotFound, Field: "id", Message: fmt.Sprintf("no account with id %q", id)}
	}
	return a.public(), nil
}

// Admins lists the admin accounts ordered by creation time. The caller must
// be an admin.
func (s *Service) Admins(ctx context.Context) ([]*Account, error) {
	if err := RequireRole(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	s.mu.RLock()
	var out []*Account
	for _, a := range s.accounts {
		if a.Role == RoleAdmin {
			out = append(out, a.public())
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Account) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Email, b.Email)
	})
	return out, nil
}

// RemoveAdmin deletes the admin account id together with its sessions and
// API tokens. The last admin can never be removed (CONFLICT).
func (s *Service) RemoveAdmin(ctx context.Context, id string) error {
	if err := RequireRole(ctx, RoleAdmin); err != nil {
		return err
	}
	s.mu.Lock()
	a, ok := s.accounts[id]
	if !ok || a.Role != RoleAdmin {
		s.mu.Unlock()
		return &Error{Code: CodeNotFound, Field: "id", Message: fmt.Sprintf("no admin with id %q", id)}
	}
	admins := 0
	for _, o := range s.accounts {
		if o.Role == RoleAdmin && !o.Disabled {
			admins++
		}
	}
	if admins <= 1 {
		s.mu.Unlock()
		return &Error{Code: CodeConflict, Field: "id", Message: fmt.Sprintf("%s is the last admin and cannot be removed: add another admin first", a.Email)}
	}
	err := s.db.Update(func(tx *kv.Tx) error {
		if err := tx.Delete([]byte(keyAcct + id)); err != nil {
			return err
		}
		return tx.Delete([]byte(keyEmail + strings.ToLower(a.Email)))
	})
	if err == nil {
		delete(s.accounts, id)
		delete(s.byEmail, strings.ToLower(a.Email))
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := s.dropSessions(id, ""); err != nil {
		return err
	}
	if err := s.dropTokens(id); err != nil {
		return err
	}
	_ = s.Audit(ctx, Event{Action: ActionAdminRemoved, Target: a.Email})
	return nil
}

// ChangePassword changes the viewer's password after checking the current
// one. Every other session of the account is signed out.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	v := ViewerFrom(ctx)
	if v == nil {
		return errUnauthenticated
	}
	if err := checkPassword("newPassword", next); err != nil {
		return err
	}
	s.mu.RLock()
	a, ok := s.accounts[v.AccountID]
	var hash string
	if ok {
		hash = a.Hash
	}
	s.mu.RUnlock()
	if !ok {
		return errUnauthenticated
	}
	// An account made by a portal invitation or a SuperOffice sign-in has no
	// password yet: its signed-in owner sets the first one without a current one.
	match := hash == ""
	if !match {
		var err error
		if match, err = s.verify(current, hash); err != nil {
			return err
		}
	}
	if !match {
		_ = s.Audit(ctx, Event{Action: ActionPasswordChangeFailed, Target: v.Email, Detail: "wrong current password"})
		return badInput("currentPassword", "currentPassword is wrong")
	}
	newHash, err := s.hash(next)
	if err != nil {
		return err
	}
	s.mu.Lock()
	a, ok = s.accounts[v.AccountID]
	if !ok {
		s.mu.Unlock()
		return errUnauthenticated
	}
	updated := *a
	updated.Hash = newHash
	err = s.db.Update(func(tx *kv.Tx) error { return kv.PutJSON(tx, []byte(keyAcct+a.ID), &updated) })
	if err == nil {
		s.accounts[a.ID] = &updated
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := s.dropSessions(v.AccountID, v.SessionHash); err != nil {
		return err
	}
	_ = s.Audit(ctx, Event{Action: ActionPasswordChanged, Target: v.Email})
	return nil
}

// Login checks email and password and returns the account. Failures are
// rate-limited per account and per client IP (RATE_LIMITED says when to
// retry) and audited; an unknown e-mail costs the same hashing work as a
// known one. The caller then calls StartSession.
func (s *Service) Login(ctx context.Context, email, password string) (*Account, error) {
	ip := RequestIP(ctx)
	lower := strings.ToLower(strings.TrimSpace(email))
	if lower == "" {
		return nil, badInput("email", "email is required")
	}
	if password == "" {
		return nil, badInput("password", "password is required")
	}
	if len(password) > maxPasswordLength {
		return nil, badInput("password", "password must be at most %d bytes long", maxPasswordLength)
	}
	if wait := s.limiter.blocked(lower, ip); wait > 0 {
		// Not audited: the failures that caused the lock are, and a flood
		// of refused attempts must not flood the audit log.
		s.log.Info("login refused: rate limited", "ip", ip)
		return nil, &Error{Code: CodeRateLimited, RetryAfter: wait,
			Message: fmt.Sprintf("too many failed sign-in attempts; try again in %d seconds", int(wait.Round(time.Second)/time.Second)+1)}
	}
	s.mu.RLock()
	var acct *Account
	if id, ok := s.byEmail[lower]; ok {
		acct = s.accounts[id]
	}
	hash := s.dummyHash
	if acct != nil && acct.Hash != "" {
		hash = acct.Hash
	}
	s.mu.RUnlock()
	match, err := s.verify(password, hash)
	if err != nil {
		return nil, err
	}
	if acct == nil || acct.Hash == "" || !match || acct.Disabled {
		s.limiter.fail(lower, ip)
		_ = s.Audit(ctx, Event{Actor: lower, Action: ActionLoginFailed, Target: lower, Detail: "wrong e-mail or password"})
		return nil, &Error{Code: CodeUnauthenticated, Message: "wrong e-mail or password"}
	}
	s.limiter.succeed(lower)
	_ = s.Audit(ctx, Event{Actor: acct.Email, Action: ActionLoginOK, Target: acct.Email})
	return acct.public(), nil
}
