package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// Server timeouts. There is no write timeout: GraphQL subscriptions keep a
// websocket open for as long as the dashboard is.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// listener is one HTTP server with its address; listen binds it, serve runs
// it until Shutdown.
type listener struct {
	name string // "http", "https", "acme-http"
	addr string
	srv  *http.Server
	ln   net.Listener
}

func (l *listener) listen() error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return fmt.Errorf("listen on %s (%s): %w", l.addr, l.name, err)
	}
	if l.srv.TLSConfig != nil {
		ln = tls.NewListener(ln, l.srv.TLSConfig)
	}
	l.ln = ln
	return nil
}

func (l *listener) serve() error {
	err := l.srv.Serve(l.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("%s listener on %s: %w", l.name, l.addr, err)
}

func (l *listener) close() {
	if l.ln != nil {
		_ = l.ln.Close()
	}
}

// newHTTPServer returns a server for h; baseCtx is the parent context of
// every request.
func newHTTPServer(baseCtx context.Context, h http.Handler, tlsCfg *tls.Config, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}
}

// buildServers returns the listeners for the configured TLS mode:
//   - off: plain HTTP on --listen;
//   - static, self-signed: HTTPS on --listen;
//   - acme: HTTPS on --https-listen (application and TLS-ALPN-01) and HTTP on
//     --http-listen (HTTP-01 challenges, /healthz, redirect to HTTPS).
//
// The first listener returned is the one the application is reached on. ctx
// is the base context of every request (see newHTTPServer).
func buildServers(ctx context.Context, cfg Config, cache autocert.Cache, app http.Handler, logger *slog.Logger) ([]*listener, error) {
	switch cfg.TLSMode() {
	case TLSOff:
		return []*listener{{name: "http", addr: cfg.Listen, srv: newHTTPServer(ctx, app, nil, logger)}}, nil
	case TLSStatic:
		cert, err := loadStaticCert(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, err
		}
		tc := baseTLSConfig()
		tc.Certificates = []tls.Certificate{*cert}
		return []*listener{{name: "https", addr: cfg.Listen, srv: newHTTPServer(ctx, app, tc, logger)}}, nil
	case TLSSelfSigned:
		ss := newSelfSigned(cache, nil, time.Now, logger)
		if _, err := ss.get(ctx); err != nil {
			return nil, err
		}
		tc := baseTLSConfig()
		tc.GetCertificate = ss.GetCertificate
		return []*listener{{name: "https", addr: cfg.Listen, srv: newHTTPServer(ctx, app, tc, logger)}}, nil
	case TLSACME:
		m, err := newACMEManager(cfg, cache)
		if err != nil {
			return nil, err
		}
		local := newSelfSigned(cache, nil, time.Now, logger)
		if _, err := local.get(ctx); err != nil {
			return nil, err
		}
		_, httpsPort, _ := net.SplitHostPort(cfg.HTTPSListen)
		redirect := newRedirectHandler(httpsPort, cfg.Domains)
		return []*listener{
			{name: "https", addr: cfg.HTTPSListen, srv: newHTTPServer(ctx, app, acmeTLSConfig(m, local), logger)},
			{name: "acme-http", addr: cfg.HTTPListen, srv: newHTTPServer(ctx, withRequestID(m.HTTPHandler(redirect)), nil, logger)},
		}, nil
	}
	return nil, fmt.Errorf("unknown TLS mode %q", cfg.TLSMode())
}

// newRedirectHandler serves the plain-HTTP side of --domain (behind
// autocert's HTTP-01 handler): /healthz answers, everything else is
// redirected to HTTPS on the requested host when it is one of domains, else
// on the first domain, so the redirect never leads to a foreign host.
func newRedirectHandler(httpsPort string, domains []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			serveHealthz(w, r)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(strings.TrimSuffix(host, "."))
		if !slices.Contains(domains, host) {
			if len(domains) == 0 {
				http.Error(w, "no HTTPS domain configured", http.StatusNotFound)
				return
			}
			host = domains[0]
		}
		if httpsPort != "" && httpsPort != "443" {
			host = net.JoinHostPort(host, httpsPort)
		}
		// host is one of the configured domains; only the path and query
		// come from the request.
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently) //nolint:gosec // target host is allow-listed

	})
}
