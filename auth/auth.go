// Package auth is Synchronizer's authentication and authorization layer:
// accounts with argon2id password hashes, first-run setup, session cookies
// with CSRF protection, hashed bearer API tokens, login rate limiting and
// the security audit log.
//
// It is a top-level package rather than part of graph/ or package main
// because it is a security concern shared by both: the HTTP server mounts
// Service.Middleware in front of every authenticated route, and the GraphQL
// resolvers call the Service for setup, login and account management.
//
// Lifecycle: New loads the accounts from the kv store and, when no admin
// exists yet, generates a one-time setup token (SetupToken). The caller
// mounts Middleware, which resolves the Viewer of every request into its
// context (ViewerFrom). Service holds no goroutines; it needs no Close.
//
// Storage (all under kv key prefixes): accounts under auth/acct/<id> with an
// e-mail index under auth/email/<lower-case e-mail>, invitations under
// auth/inv/<sha256>, sessions under sess/<sha256 of the cookie>, API tokens
// under tok/h/<sha256 of the secret> with an id index under tok/i/<id>, and
// audit events under audit/<time-ordered id>. Secrets (passwords, session ids,
// token secrets, setup and invitation tokens) are never stored or logged in
// clear.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

// Role is an account's role. Admins manage the appliance; users reach their
// own portal only.
type Role string

// The roles an account can have.
const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleUser }

// Options configures a Service. The zero value is usable: production
// defaults apply to every zero field.
type Options struct {
	// Logger receives security-relevant log lines (never secrets). Nil discards.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests inject a clock.
	Now func() time.Time
	// SecureCookies marks the session and CSRF cookies Secure. Set it when
	// the appliance is served over TLS (cookies are also marked Secure on
	// any request that arrived over TLS).
	SecureCookies bool
	// Password is the argon2id cost. Zero means DefaultPasswordParams.
	Password PasswordParams
	// SessionIdle is how long a session lives without use (default 24 h).
	SessionIdle time.Duration
	// SessionMax is a session's absolute lifetime (default 7 days).
	SessionMax time.Duration
	// LoginLimit bounds failed logins (default 5 per account and 20 per IP
	// in 15 minutes).
	LoginLimit LoginLimit
}

// LoginLimit is the failed-login budget of the rate limiter.
type LoginLimit struct {
	// PerAccount is the number of failures allowed per account in Window.
	PerAccount int
	// PerIP is the number of failures allowed per client IP in Window.
	PerIP int
	// Window is the sliding window the failures are counted in.
	Window time.Duration
}

// Service is the authentication service. It is safe for concurrent use.
type Service struct {
	db     *kv.DB
	log    *slog.Logger
	now    func() time.Time
	secure bool
	pw     PasswordParams
	idle   time.Duration
	max    time.Duration

	// hashSem bounds concurrent argon2id computations: each one takes
	// PasswordParams.Memory of RAM, so a burst of logins must queue instead
	// of exhausting a small VM.
	hashSem   chan struct{}
	dummyHash string

	limiter *limiter
	hub     *hub

	// auditMu guards auditLast, the timestamp of the last audit event id.
	auditMu   sync.Mutex
	auditLast int64

	// mu guards setupToken, accounts, byEmail, sessions and tokens: the
	// in-memory caches of records whose source of truth is the kv store.
	// Every write goes to kv first and then to the cache.
	mu         sync.RWMutex
	setupToken string
	accounts   map[string]*Account // by id
	byEmail    map[string]string   // lower-case e-mail → id
	sessions   map[string]*sessionRecord
	tokens     map[string]*tokenRecord
}

// New returns a Service over db. It loads every account into memory and,
// when setup is needed, generates the one-time setup token.
func New(db *kv.DB, opts Options) (*Service, error) {
	if db == nil {
		return nil, errors.New("auth: New needs a kv store (db is nil)")
	}
	s := &Service{
		db:       db,
		log:      opts.Logger,
		now:      opts.Now,
		secure:   opts.SecureCookies,
		pw:       opts.Password,
		idle:     opts.SessionIdle,
		max:      opts.SessionMax,
		hashSem:  make(chan struct{}, 2),
		hub:      newHub(),
		accounts: map[string]*Account{},
		byEmail:  map[string]string{},
		sessions: map[string]*sessionRecord{},
		tokens:   map[string]*tokenRecord{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.pw == (PasswordParams{}) {
		s.pw = DefaultPasswordParams
	}
	if err := s.pw.validate(); err != nil {
		return nil, err
	}
	if s.idle <= 0 {
		s.idle = 24 * time.Hour
	}
	if s.max <= 0 {
		s.max = 7 * 24 * time.Hour
	}
	ll := opts.LoginLimit
	if ll.PerAccount <= 0 {
		ll.PerAccount = 5
	}
	if ll.PerIP <= 0 {
		ll.PerIP = 20
	}
	if ll.Window <= 0 {
		ll.Window = 15 * time.Minute
	}
	s.limiter = newLimiter(ll, s.now)

	dummy, err := dummyHash(s.pw)
	if err != nil {
		return nil, err
	}
	s.dummyHash = dummy

	if err := s.loadAccounts(); err != nil {
		return nil, err
	}
	if err := s.loadAuditClock(); err != nil {
		return nil, err
	}
	if s.NeedsSetup() {
		s.setupToken = randomToken(24)
	}
	return s, nil
}

// Error is an error with a stable code that the API maps to
// extensions.code. Field names the input at fault, when there is one.
type Error struct {
	Code       string
	Field      string
	Message    string
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

// The stable error codes returned by the Service.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeNotFound        = "NOT_FOUND"
	CodeRateLimited     = "RATE_LIMITED"
	CodeSetupDone       = "SETUP_DONE"
	CodeConflict        = "CONFLICT"
)

// CodeOf returns the code of err when it is (or wraps) an *Error, else "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func badInput(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

var (
	errUnauthenticated = &Error{Code: CodeUnauthenticated, Message: "you must sign in (session cookie or API token) to do this"}
	errForbidden       = &Error{Code: CodeForbidden, Message: "your account is not allowed to do this (admin role required)"}
)

// randomToken returns n random bytes, base64url-encoded without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics
		// internally instead); keep the signature simple.
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret returns the hex sha256 of a high-entropy secret (session id,
// API token, invitation token). Such secrets need no slow hash.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// ctxKey is the type of this package's context keys.
type ctxKey int

const (
	viewerKey ctxKey = iota
	requestKey
)

// Viewer is the authenticated caller of a request.
type Viewer struct {
	AccountID string
	Email     string
	Name      string
	Role      Role
	// Via is "session" or "token".
	Via string
	// SessionHash identifies the session (sha256 of the cookie) when Via is "session".
	SessionHash string
	// TokenID identifies the API token when Via is "token".
	TokenID string
}

// IsAdmin reports whether v is an admin. It is false for a nil Viewer.
func (v *Viewer) IsAdmin() bool { return v != nil && v.Role == RoleAdmin }

// WithViewer returns a context carrying v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey, v)
}

// ViewerFrom returns the request's viewer, or nil for an anonymous caller.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey).(*Viewer)
	return v
}

// RequireRole returns nil when the viewer in ctx has at least role (an
// admin satisfies RoleUser), an UNAUTHENTICATED error for an anonymous
// caller and a FORBIDDEN error otherwise.
func RequireRole(ctx context.Context, role Role) error {
	v := ViewerFrom(ctx)
	if v == nil {
		return errUnauthenticated
	}
	if role == RoleAdmin && v.Role != RoleAdmin {
		return errForbidden
	}
	return nil
}
