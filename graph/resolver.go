// Package graph is Synchronizer's GraphQL API: the schema (*.graphqls, one
// file per domain), the thin resolvers, and NewHandler, which builds the
// GraphQL-over-HTTP handler explicitly (transports, limits, error
// presenter). The generated executor lives in graph/generated and the
// generated models in graph/model; regenerate both with go generate.
package graph

import (
	"log/slog"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/kv"
)

// Resolver is the root resolver and the one place the API's dependencies
// are injected. Resolvers stay thin: validate, call the service, map errors.
type Resolver struct {
	// Auth is the authentication service (accounts, sessions, tokens, audit).
	Auth *auth.Service
	// DB is the store.
	DB *kv.DB
	// Logger receives resolver and panic logs.
	Logger *slog.Logger
	// Version and Commit describe the build.
	Version, Commit string
}
