package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph/generated"
	"github.com/synchronizer/synchronizer/graph/model"
)

// HandlerOptions tunes NewHandler. The zero value gives the defaults.
type HandlerOptions struct {
	// ComplexityLimit caps an operation's complexity (default 500).
	ComplexityLimit int
	// DepthLimit caps an operation's selection depth (default 12;
	// introspection fields are not counted).
	DepthLimit int
	// QueryCacheSize is the number of parsed documents kept (default 1000).
	QueryCacheSize int
	// APQ enables automatic persisted queries (off by default).
	APQ bool
	// KeepAlive is the websocket keep-alive interval (default 15 s).
	KeepAlive time.Duration
	// RequestID returns the request id of ctx for panic logs; nil logs none.
	// The HTTP server's request-id middleware provides it.
	RequestID func(ctx context.Context) string
}

// NewHandler builds the GraphQL handler explicitly: GraphQL-over-HTTP POST
// and GET (queries only), graphql-transport-ws websockets for subscriptions
// (authenticated by the upgrade request's cookie or by a bearer token in
// connection_init), an LRU query cache, complexity and depth limits,
// introspection for signed-in callers only, a recover func that logs the
// panic and returns a safe INTERNAL error, and an error presenter that puts
// a stable extensions.code on every error.
//
// Mount it behind r.Auth.Middleware (which resolves the viewer and checks
// CSRF) and a request body limit (http.MaxBytesReader).
func NewHandler(r *Resolver, opts HandlerOptions) http.Handler {
	if opts.ComplexityLimit <= 0 {
		opts.ComplexityLimit = 500
	}
	if opts.DepthLimit <= 0 {
		opts.DepthLimit = 12
	}
	if opts.QueryCacheSize <= 0 {
		opts.QueryCacheSize = 1000
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 15 * time.Second
	}
	log := r.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	requestID := opts.RequestID
	if requestID == nil {
		requestID = func(context.Context) string { return "" }
	}

	cfg := generated.Config{Resolvers: r}
	cfg.Directives.HasRole = hasRole
	srv := handler.New(generated.NewExecutableSchema(cfg))

	srv.AddTransport(transport.Options{AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions}})
	srv.AddTransport(overHTTP{})
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: opts.KeepAlive,
		InitTimeout:           10 * time.Second,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			ctx, err := r.Auth.ViewerFromWebsocketInit(ctx, p)
			return ctx, nil, err
		},
		// The default implementation (coder/websocket) refuses upgrades
		// whose Origin differs from the Host: same-origin only.
	})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](opts.QueryCacheSize))
	if opts.APQ {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	}
	srv.Use(introspectionForViewers{})
	srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	srv.Use(depthLimit{max: opts.DepthLimit})

	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.Error("graphql: panic in resolver", "panic", fmt.Sprint(v), "request_id", requestID(ctx))
		return &codedError{code: CodeInternal, msg: "internal error; the server log has details"}
	})
	srv.SetErrorPresenter(presenter(log, requestID))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.Method {
		case http.MethodGet, http.MethodPost, http.MethodOptions:
			if req.Header.Get("Upgrade") != "" && !sameOrigin(req) {
				// Refuse cross-site websocket hijacking here, with a clear
				// error, before gqlgen's transport (which logs globally).
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusForbidden)
				e := gqlerror.Errorf("websocket upgrade refused: Origin %q does not match the host %q", req.Header.Get("Origin"), req.Host)
				setCode(e, CodeForbidden)
				writeRequestError(w, &graphql.Response{Errors: gqlerror.List{e}})
				return
			}
			srv.ServeHTTP(w, req)
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusMethodNotAllowed)
			e := gqlerror.Errorf("method %s is not allowed: use POST (or GET for queries)", req.Method)
			setCode(e, CodeBadRequest)
			writeRequestError(w, &graphql.Response{Errors: gqlerror.List{e}})
		}
	})
}

// hasRole implements @hasRole: the viewer must have at least role.
func hasRole(ctx context.Context, _ any, next graphql.Resolver, role model.Role) (any, error) {
	want := auth.RoleUser
	if role == model.RoleAdmin {
		want = auth.RoleAdmin
	}
	if err := auth.RequireRole(ctx, want); err != nil {
		return nil, err
	}
	return next(ctx)
}

// introspectionForViewers enables introspection for signed-in callers only.
type introspectionForViewers struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionForViewers{}

func (introspectionForViewers) ExtensionName() string                   { return "IntrospectionForViewers" }
func (introspectionForViewers) Validate(graphql.ExecutableSchema) error { return nil }
func (introspectionForViewers) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	opCtx.DisableIntrospection = auth.ViewerFrom(ctx) == nil
	return nil
}

var errIntrospection = errors.New("introspection disabled")

// sameOrigin reports whether a websocket upgrade comes from the appliance's
// own origin. Non-browser clients send no Origin and are let through (they
// authenticate with a token, and cookies are a browser concern).
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}
