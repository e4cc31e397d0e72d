// Package graph is Synchronizer's GraphQL API: the schema (*.graphqls, one
// file per domain), the thin resolvers, and NewHandler, which builds the
// GraphQL-over-HTTP handler explicitly (transports, limits, error
// presenter). The generated executor lives in graph/generated and the
// generated models in graph/model; regenerate both with go generate.
package graph

import (
	"log/slog"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/kv"
)

// Resolver is the root resolver and the one place the API's dependencies
// are injected. Resolvers stay thin: validate, call the service, map errors.
// Engine, Scheduler and Governor may be nil: their fields then answer
// UNAVAILABLE.
type Resolver struct {
	// Auth is the authentication service (accounts, sessions, tokens, audit).
	Auth *auth.Service
	// DB is the store.
	DB *kv.DB
	// Logger receives resolver and panic logs.
	Logger *slog.Logger
	// Version and Commit describe the build.
	Version, Commit string
	// Engine is the sync engine (profiles, linked users, runs, conflicts,
	// approvals, quarantine, trace, undo).
	Engine *engine.Engine
	// Scheduler runs the engine's jobs; the API keeps it in step with the
	// profiles and linked users it saves (see LoadSchedule for start-up).
	Scheduler *scheduler.Scheduler
	// Governor admits remote calls; the API shows its state.
	Governor *governor.Governor
	// Secrets returns the secret store of a connector instance: pass the
	// same function as engine.Config.Secrets. Nil: setSystemSecrets and
	// systemSecretsSet answer UNAVAILABLE.
	Secrets func(instance string) engine.Secrets
	// SignIn starts sign-ins with connected systems; nil: beginSystemSignIn
	// answers UNAVAILABLE.
	SignIn SignInStarter
	// CheckTimeout bounds each connection test, preflight check and
	// directory listing (testSystem, profileChecks, systemAccounts,
	// suggestLinks); 0 means DefaultCheckTimeout.
	CheckTimeout time.Duration
	// Now is the clock of check timestamps; nil means time.Now.
	Now func() time.Time
	// Portal gives the user portal the appliance's base URL, per-user mailbox
	// sign-in state and the login page's sign-in providers; nil: invitations
	// answer UNAVAILABLE and no provider is listed.
	Portal PortalSupport
	// Ops is the appliance's TLS status, backup links and re-invitation
	// record; nil: those fields answer UNAVAILABLE.
	Ops Ops

	schedMu sync.Mutex // serialises reschedule
}
