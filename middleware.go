package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// requestIDHeader carries the request id in both directions: an incoming
// value is kept when it is well-formed, otherwise one is generated; the
// response always carries it.
const requestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an incoming request id.
const maxRequestIDLen = 128

type ctxKey int

const requestIDKey ctxKey = iota

// requestIDFrom returns the request id stored in ctx, or "".
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// validRequestID accepts ids made of letters, digits and -_.:/+= so that a
// client's id can be logged and echoed safely.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '+' || c == '=':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// withRequestID gives every request an id: it is stored in the context, set
// on the request header (so handlers further down can read it without
// importing this package) and returned in the response header.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		r.Header.Set(requestIDHeader, id)
		w.Header().Set(requestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// contextHandler is a slog.Handler that adds the request id from the context
// of a log call (logger.InfoContext(ctx, ...)) to the record.
type contextHandler struct{ slog.Handler }

var _ slog.Handler = contextHandler{}

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// newLogger returns the JSON logger of the process, writing to w.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// statusRecorder remembers the status code and size of a response. It keeps
// http.Flusher and the http.ResponseController escape hatches working, which
// the websocket and streaming transports need.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Flush implements http.Flusher.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer (Hijack
// for websockets, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) code() int {
	if s.status == 0 {
		return http.StatusOK
	}
	return s.status
}

// quietPaths are logged at debug level only: probes and scrapes would drown
// the access log.
var quietPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// parseTrustedProxies reads --trusted-proxy values: IP addresses (a single host) or CIDR ranges.
func parseTrustedProxies(vals []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, v := range vals {
		if _, n, err := net.ParseCIDR(v); err == nil {
			out = append(out, n)
			continue
		}
		ip := net.ParseIP(v)
		if ip == nil {
			return nil, fmt.Errorf("--trusted-proxy: %q is neither an IP address nor a CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)", v)
		}
		bits := 128
		if ip.To4() != nil {
			ip, bits = ip.To4(), 32
		}
		out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
	}
	return out, nil
}

// withTrustedProxy makes a request that arrives from one of the trusted proxies count as coming from the client the
// proxies recorded: RemoteAddr becomes the right-most X-Forwarded-For entry that is not itself a trusted proxy (the
// entries left of it are the client's own claims and are never believed). Requests from other peers, and requests
// without a usable header, keep their RemoteAddr. With no trusted proxy it is the identity.
func withTrustedProxy(trusted []*net.IPNet, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	isTrusted := func(ip net.IP) bool {
		for _, n := range trusted {
			if n.Contains(ip) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		peer := net.ParseIP(host)
		xff := r.Header.Values("X-Forwarded-For")
		if peer == nil || !isTrusted(peer) || len(xff) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		hops := strings.Split(strings.Join(xff, ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			ip := net.ParseIP(strings.TrimSpace(hops[i]))
			if ip == nil {
				break // a malformed hop: nothing left of it can be placed; keep the proxy's address
			}
			if isTrusted(ip) && i > 0 {
				continue
			}
			r2 := r.WithContext(r.Context()) // a shallow copy
			r2.RemoteAddr = net.JoinHostPort(ip.String(), "0")
			next.ServeHTTP(w, r2)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// secretPathPrefixes are paths whose rest is a bearer secret: a portal invitation link (/invite/<token>) signs its
// holder in for 7 days, so the access log must not keep it.
var secretPathPrefixes = []string{"/invite/"}

// logPath is the request path as the access log writes it: the secret part of a secretPathPrefixes path is replaced
// by "[redacted]". Query strings are never logged (OAuth codes and states, backup download tokens).
func logPath(p string) string {
	for _, prefix := range secretPathPrefixes {
		if strings.HasPrefix(p, prefix) && len(p) > len(prefix) {
			return prefix + "[redacted]"
		}
	}
	return p
}

// withAccessLog logs one line per request after it finished.
func withAccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		level := slog.LevelInfo
		if quietPaths[r.URL.Path] {
			level = slog.LevelDebug
		}
		logger.LogAttrs(r.Context(), level, "http request",
			slog.String("method", r.Method),
			slog.String("path", logPath(r.URL.Path)),
			slog.Int("status", rec.code()),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// withRecover turns a panic in a handler into a logged 500 with a JSON body,
// so one bad request never takes the process down.
func withRecover(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
					panic(v)
				}
				logger.ErrorContext(r.Context(), "panic in HTTP handler",
					slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
				writeJSONError(w, http.StatusInternalServerError, "INTERNAL",
					"internal error; the server log has the details under request id "+requestIDFrom(r.Context()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only same-origin resources: the SPA has no
// inline scripts or styles.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// withSecurityHeaders sets the security headers on every response; HSTS only
// when the request came over TLS.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// withBodyLimit refuses request bodies larger than limit bytes with 413 and a
// JSON error. It reads the body up front (at most limit+1 bytes) so that the
// handler behind it never sees a truncated body and the client always gets a
// clear answer, whatever the handler does with read errors.
func withBodyLimit(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > limit {
			tooLarge(w, limit)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		_ = r.Body.Close()
		if err != nil {
			writeJSONError(w, http.StatusBadRequest, "BAD_REQUEST", "could not read the request body: "+err.Error())
			return
		}
		if int64(len(body)) > limit {
			tooLarge(w, limit)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter, limit int64) {
	w.Header().Set("Connection", "close")
	writeJSONError(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
		"request body too large: the limit is "+strconv.FormatInt(limit, 10)+" bytes")
}

// writeJSONError writes {"errors":[{"message":...,"extensions":{"code":...}}]},
// the shape GraphQL clients already understand.
func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}},
	})
}
