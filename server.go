// Command synchronizer is the Synchronizer appliance: one binary that keeps
// a CRM and people's mailboxes in sync and serves its dashboard and GraphQL
// API.
//
// This file is the top of gqlgen's skeleton (server.go + graph/): it reads
// the configuration (flags + environment, see config.go), opens the kv store,
// builds the auth service, the sync stack (sync.go: governor, engine,
// scheduler, push intake) and the GraphQL handler, serves HTTP or HTTPS
// (tls.go) with the operational endpoints (ops.go) and the middleware chain
// (middleware.go), and shuts everything down cleanly on SIGINT/SIGTERM.
//
// Lifecycle of `serve`: load the key → open the store → build services →
// open listeners (so a busy port fails before anything is announced) →
// print the setup URL when no admin exists → serve until the context ends →
// mark not-ready, stop accepting, let in-flight requests finish (bounded by
// --shutdown-timeout) → stop background loops → close the store. The store is
// closed exactly once, by serve, after every server has returned.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/kv"
	"github.com/synchronizer/synchronizer/ui"
)

// graphqlBodyLimit bounds a GraphQL request body; defaultBodyLimit bounds
// every other request body.
const (
	graphqlBodyLimit = 1 << 20
	defaultBodyLimit = 1 << 20
)

// gcInterval is how often the store's value-log GC runs.
const gcInterval = 10 * time.Minute

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "synchronizer: received %s, shutting down (send it again to force)\n", sig)
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "synchronizer: second signal, exiting now without a clean shutdown")
		os.Exit(1)
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, osGetenv)
	cancel()
	os.Exit(code)
}

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// run executes one command line and returns the process exit status. It
// never calls os.Exit, so tests drive it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		writeHelp(stderr)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		var cfg Config
		cfg, err = loadServeConfig(rest, getenv)
		if errors.Is(err, flag.ErrHelp) {
			writeServeHelp(stdout)
			return exitOK
		}
		if err == nil {
			err = serve(ctx, cfg, stdout, stderr, nil)
		}
	case "backup":
		err = runBackup(rest, stdout, stderr, getenv)
	case "restore":
		err = runRestore(rest, stdin, stdout, stderr, getenv)
	case "healthcheck":
		err = runHealthcheck(ctx, rest, stdout, getenv)
	case "version", "--version", "-version", "-v":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "help", "--help", "-help", "-h":
		if len(rest) > 0 {
			if h, ok := commandHelp[rest[0]]; ok {
				h(stdout)
				return exitOK
			}
			fmt.Fprintf(stderr, "synchronizer: unknown command %q\n\n", rest[0])
			writeHelp(stderr)
			return exitUsage
		}
		writeHelp(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "synchronizer: unknown command %q\n\n", cmd)
		writeHelp(stderr)
		return exitUsage
	}
	if errors.Is(err, flag.ErrHelp) {
		commandHelp[cmd](stdout)
		return exitOK
	}
	var uerr *usageError
	if errors.As(err, &uerr) {
		fmt.Fprintf(stderr, "synchronizer %s: %s\n\n", cmd, uerr.msg)
		commandHelp[cmd](stderr)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "synchronizer %s: %s\n", cmd, err)
		return exitError
	}
	return exitOK
}

// writeHelp prints the top-level help.
func writeHelp(w io.Writer) {
	fmt.Fprint(w, `Synchronizer keeps a CRM and mailboxes in sync; one binary with a dashboard and a GraphQL API.

Usage: synchronizer <command> [flags]

Commands:
  serve                    serve the dashboard and /graphql (see: synchronizer help serve)
  backup [flags] > FILE    write a full backup of a stopped server's store to stdout
  restore FILE --data DIR  restore a backup into an empty data directory
  healthcheck [--url URL]  GET /healthz and exit 0 when it answers 200 (for container health checks)
  version                  print version and commit
  help [command]           show help

Run 'synchronizer help <command>' for the flags of a command.
`)
}

// commandHelp maps a command to its help text printer.
var commandHelp = map[string]func(io.Writer){
	"serve":       writeServeHelp,
	"backup":      writeBackupHelp,
	"restore":     writeRestoreHelp,
	"healthcheck": writeHealthcheckHelp,
	"version":     func(w io.Writer) { fmt.Fprintln(w, "Usage: synchronizer version\n\nPrint the version and commit.") },
	"help":        writeHelp,
}

// started describes a running server to tests: the bound addresses and the
// readiness list.
type started struct {
	addrs     map[string]string // listener name → bound address
	readiness *Readiness
	setupURL  string
	// demoInvite is the portal invitation link demo mode printed ("" otherwise).
	demoInvite string
}

// serve runs the appliance until ctx ends, then shuts down cleanly. When
// onStart is not nil it is called once every listener is bound.
func serve(ctx context.Context, cfg Config, stdout, stderr io.Writer, onStart func(started)) error {
	logger := newLogger(stderr, cfg.Level())
	ver, rev := buildInfo()

	key, created, err := kv.LoadOrCreateKeyLogger(logger, cfg.KeyFile, cfg.DataDir, cfg.Key)
	if err != nil {
		return fmt.Errorf("encryption key: %w", err)
	}
	db, err := kv.Open(kv.Options{Dir: cfg.DataDir, EncryptionKey: key, Logger: logger.With("component", "kv")})
	if err != nil {
		return fmt.Errorf("open store in %s: %w", cfg.DataDir, err)
	}
	if created {
		logger.Warn("created a new store encryption key; back it up, the store cannot be read without it",
			slog.String("key_file", keyFileFor(cfg)))
	}
	// closeDB is called once, on every path out of serve.
	var closeOnce sync.Once
	closeDB := func() {
		closeOnce.Do(func() {
			if err := db.Close(); err != nil {
				logger.Error("closing the store failed", slog.Any("error", err))
			} else {
				logger.Info("store closed")
			}
		})
	}
	defer closeDB()

	tlsMode := cfg.TLSMode()
	authSvc, err := auth.New(db, auth.Options{Logger: logger.With("component", "auth"), Now: time.Now, SecureCookies: tlsMode != TLSOff})
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if err := bootstrapAdmin(authSvc, cfg, logger); err != nil {
		return err
	}

	readiness := &Readiness{}
	var storeClosed atomic.Bool
	readiness.Add("store", func(context.Context) error {
		if storeClosed.Load() {
			return errors.New("store closed")
		}
		return db.View(func(*kv.Tx) error { return nil })
	})
	m := newMetrics(ver, rev)
	stack, err := startSync(ctx, cfg, db, logger)
	if err != nil {
		return err
	}
	// stopSync runs once: on the normal shutdown path after the servers have stopped, or on an early return.
	var stopOnce sync.Once
	stopSync := func() { stopOnce.Do(func() { stack.stop(context.WithoutCancel(ctx)) }) }
	defer stopSync()
	readiness.Add("scheduler", stack.sched.Ready)
	m.registry.MustRegister(stack.sched.Collector(), stack.gov.Collector(), stack.intake.Collector())
	flows := newOAuthFlows(stack, db, authSvc, webhookBaseURL(cfg), logger.With("component", "oauth"))
	ops, err := newOps(cfg, db, authSvc, logger)
	if err != nil {
		return err
	}
	resolver := &graph.Resolver{
		Auth: authSvc, DB: db, Logger: logger.With("component", "graphql"), Version: ver, Commit: rev,
		Engine: stack.eng, Scheduler: stack.sched, Governor: stack.gov, Secrets: stack.secrets, SignIn: flows, Portal: flows, Ops: ops,
	}
	gql := graph.NewHandler(resolver, graph.HandlerOptions{RequestID: requestIDFrom})
	proxies, err := parseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	stack.startReinviter(ctx, db, authSvc, resolver.InviteMailboxUser, logger)
	app := newAppHandler(appDeps{
		logger:         logger,
		metrics:        m,
		readiness:      readiness,
		graphql:        authSvc.Middleware(withBodyLimit(graphqlBodyLimit, withRequestBase(gql))),
		hooks:          stack.intake,
		oauth:          flows,
		backup:         authSvc.Middleware(ops.backupDownloads),
		ui:             ui.Handler(),
		trustedProxies: proxies,
	})

	// connCtx is the base context of every request. It outlives the shutdown
	// signal so in-flight requests can finish, and is cancelled once the
	// servers have shut down, which ends hijacked connections (GraphQL
	// subscriptions over websocket) that Shutdown does not wait for, before
	// the store closes.
	connCtx, cancelConns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelConns()
	servers, err := buildServers(connCtx, cfg, db.CertCache(), app, logger)
	if err != nil {
		return err
	}
	ops.watchServers(servers)
	for _, s := range servers {
		if err := s.listen(); err != nil {
			for _, o := range servers {
				o.close()
			}
			return err
		}
	}
	ops.setPublicURL(publicURL(cfg, servers[0].ln.Addr()))
	if tlsMode == TLSOff && !isLoopback(cfg.Listen) {
		logger.Warn("serving plain HTTP on a non-loopback address: passwords and sessions cross the network in clear; use --domain, --tls-cert or --self-signed",
			slog.String("listen", cfg.Listen))
	}

	gcCtx, stopGC := context.WithCancel(context.WithoutCancel(ctx))
	var bg sync.WaitGroup
	bg.Go(func() { db.RunGC(gcCtx, gcInterval) })

	errc := make(chan error, len(servers))
	addrs := map[string]string{}
	for _, s := range servers {
		addrs[s.name] = s.ln.Addr().String()
		logger.Info("listening", slog.String("listener", s.name), slog.String("addr", s.ln.Addr().String()),
			slog.String("tls", string(tlsMode)))
		go func() { errc <- s.serve() }()
	}
	logger.Info("synchronizer started", slog.String("version", ver), slog.String("commit", rev),
		slog.String("data", cfg.DataDir))

	// Start-up leaves large garbage behind (the argon2id work area of the
	// auth service's reference hash is 64 MiB); return it to the OS now
	// instead of after the runtime's two-minute forced GC, so an idle
	// appliance stays small.
	debug.FreeOSMemory()

	st := started{addrs: addrs, readiness: readiness}
	if authSvc.NeedsSetup() {
		st.setupURL = publicURL(cfg, servers[0].ln.Addr()) + "/setup?token=" + authSvc.SetupToken()
		fmt.Fprintf(stdout, "Open %s to create the first admin.\n", st.setupURL)
	}
	if stack.demo != nil {
		st.demoInvite = printDemoInvitation(ctx, stdout, stack.demo, resolver, publicURL(cfg, servers[0].ln.Addr()), logger)
	}
	if onStart != nil {
		onStart(st)
	}

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	case serveErr = <-errc:
		logger.Error("a listener failed; shutting down", slog.Any("error", serveErr))
	}
	readiness.SetStopping()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	var shut sync.WaitGroup
	for _, s := range servers {
		shut.Go(func() {
			if err := s.srv.Shutdown(shutCtx); err != nil {
				logger.Warn("in-flight requests did not finish in time; closing their connections",
					slog.String("listener", s.name), slog.Any("error", err))
				_ = s.srv.Close()
			}
		})
	}
	shut.Wait()
	cancelConns()
	stopSync()
	stopGC()
	bg.Wait()
	storeClosed.Store(true)
	closeDB()
	logger.Info("stopped")
	return serveErr
}

// bootstrapAdmin creates the first admin from SYNCHRONIZER_ADMIN_EMAIL and
// SYNCHRONIZER_ADMIN_PASSWORD when both are set and no admin exists yet.
func bootstrapAdmin(svc *auth.Service, cfg Config, logger *slog.Logger) error {
	email, password := cfg.AdminEmail, cfg.AdminPassword
	if email == "" && password == "" {
		return nil
	}
	if email == "" || password == "" {
		return errors.New("SYNCHRONIZER_ADMIN_EMAIL and SYNCHRONIZER_ADMIN_PASSWORD must be set together")
	}
	if !svc.NeedsSetup() {
		logger.Info("an admin exists already; ignoring SYNCHRONIZER_ADMIN_EMAIL/SYNCHRONIZER_ADMIN_PASSWORD")
		return nil
	}
	created, err := svc.Bootstrap(email, password)
	if err != nil {
		return fmt.Errorf("SYNCHRONIZER_ADMIN_EMAIL/SYNCHRONIZER_ADMIN_PASSWORD: %w", err)
	}
	if !created {
		return nil
	}
	logger.Info("created the first admin from the environment", slog.String("email", email))
	return nil
}

// appDeps are the parts the application handler is built from.
type appDeps struct {
	logger    *slog.Logger
	metrics   *metrics
	readiness *Readiness
	graphql   http.Handler // already wrapped with auth and the body limit
	hooks     http.Handler // push intake: each connector's receiver validates its own deliveries
	oauth     *oauthFlows  // sign-in callbacks (oauth.go); nil: not mounted
	backup    http.Handler // GET /api/backup (backupdl.go), already wrapped with auth; nil: not mounted
	ui        http.Handler
	// trustedProxies are the --trusted-proxy ranges whose X-Forwarded-For names the client (middleware.go).
	trustedProxies []*net.IPNet
}

// newAppHandler builds the routes and the global middleware chain:
// in-flight gauge → recover → request id → trusted proxy → access log →
// security headers → body limit → mux, with per-route metrics inside the mux.
func newAppHandler(d appDeps) http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, d.metrics.instrument(pattern, h))
	}
	handle("GET /healthz", http.HandlerFunc(serveHealthz))
	handle("GET /readyz", d.readiness)
	handle("GET /metrics", d.metrics.handler())
	handle("/graphql", d.graphql)
	if d.hooks != nil {
		handle("POST /hooks/{connector}/{profile}", d.hooks)
	}
	if d.oauth != nil {
		d.oauth.mount(handle)
	}
	if d.backup != nil {
		handle("GET "+pathBackup, d.backup)
	}
	handle("/", d.ui)
	var h http.Handler = mux
	h = withBodyLimit(defaultBodyLimit, h)
	h = withSecurityHeaders(h)
	h = withAccessLog(d.logger, h)
	h = withTrustedProxy(d.trustedProxies, h)
	h = withRequestID(h)
	h = withRecover(d.logger, h)
	h = d.metrics.countInFlight(h)
	return h
}

// keyFileFor is the key file serve uses: --key-file or the default in the
// data directory.
func keyFileFor(cfg Config) string {
	if cfg.KeyFile != "" {
		return cfg.KeyFile
	}
	return cfg.DataDir + string(os.PathSeparator) + kv.KeyFileName
}

// isLoopback reports whether the host of addr is a loopback address or
// localhost. An empty host (all interfaces) is not loopback.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// publicURL is the base URL printed for the operator: the first domain with
// --domain, else the listener address with wildcard hosts replaced by
// 127.0.0.1.
func publicURL(cfg Config, addr net.Addr) string {
	mode := cfg.TLSMode()
	if mode == TLSACME {
		u := "https://" + cfg.Domains[0]
		if _, port, err := net.SplitHostPort(addr.String()); err == nil && port != "443" {
			u += ":" + port
		}
		return u
	}
	scheme := "http"
	if mode != TLSOff {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
