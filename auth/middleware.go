package auth

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
)

// requestInfo is what Middleware records about the HTTP request for the
// layers below it.
type requestInfo struct {
	ip     string
	w      http.ResponseWriter
	secure bool
}

func requestFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestKey).(*requestInfo)
	return ri
}

// RequestIP returns the client IP recorded by Middleware, or "".
func RequestIP(ctx context.Context) string {
	if ri := requestFrom(ctx); ri != nil {
		return ri.ip
	}
	return ""
}

// ResponseWriterFrom returns the http.ResponseWriter of the request, which
// Middleware stores in the context so resolvers can set cookies, or nil.
func ResponseWriterFrom(ctx context.Context) http.ResponseWriter {
	if ri := requestFrom(ctx); ri != nil {
		return ri.w
	}
	return nil
}

// Middleware resolves the caller of every request into its context
// (ViewerFrom) from the session cookie or an "Authorization: Bearer syn_…"
// header, and enforces CSRF: a cookie-authenticated request with an unsafe
// method (POST, PUT, PATCH, DELETE) must carry the session's CSRF token in
// the X-CSRF-Token header, else it is refused with 403. A malformed or
// unknown bearer token is refused with 401. Neither cookies nor tokens are
// ever logged.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &requestInfo{ip: clientIP(r), w: w, secure: s.secure || r.TLS != nil}
		ctx := context.WithValue(r.Context(), requestKey, ri)

		if authz := r.Header.Get("Authorization"); authz != "" {
			scheme, secret, _ := strings.Cut(authz, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				writeError(w, http.StatusUnauthorized, CodeUnauthenticated, "unsupported Authorization scheme: use \"Authorization: Bearer syn_…\" with an API token")
				return
			}
			v, err := s.lookupToken(strings.TrimSpace(secret))
			if err != nil {
				if CodeOf(err) == CodeUnauthenticated {
					w.Header().Set("WWW-Authenticate", `Bearer realm="synchronizer"`)
					writeError(w, http.StatusUnauthorized, CodeUnauthenticated, err.Error())
					return
				}
				s.log.Error("auth: token lookup failed", "err", err)
				writeError(w, http.StatusInternalServerError, "INTERNAL", "internal error while checking the API token")
				return
			}
			next.ServeHTTP(w, r.WithContext(WithViewer(ctx, v)))
			return
		}

		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			v, csrf, err := s.lookupSession(c.Value)
			if err != nil {
				s.log.Error("auth: session lookup failed", "err", err)
				writeError(w, http.StatusInternalServerError, "INTERNAL", "internal error while checking the session")
				return
			}
			if v == nil {
				// Unknown or expired session: continue anonymously and
				// tell the browser to drop the stale cookies.
				clearSessionCookies(ri, s.secure)
				next.ServeHTTP(w, r.WithContext(ctx))
				return
			}
			if unsafeMethod(r.Method) && !csrfOK(r.Header.Get(CSRFHeader), csrf) {
				writeError(w, http.StatusForbidden, CodeForbidden,
					"CSRF check failed: a request authenticated by the session cookie must send the value of the "+CSRFCookie+" cookie in the "+CSRFHeader+" header")
				return
			}
			ctx = WithViewer(ctx, v)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// clientIP returns the host part of the request's remote address. Proxy
// headers are not trusted here: the server layer rewrites RemoteAddr when it
// is configured behind a trusted proxy (--trusted-proxy).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeError writes a GraphQL-shaped JSON error so API clients can parse it
// like any other error response.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}

func setSessionCookies(ri *requestInfo, sess *Session, secure bool) {
	secure = secure || ri.secure
	// Secure follows the transport: browsers drop Secure cookies on the
	// plain-HTTP loopback setup, and TLS deployments always get it.
	//nolint:gosec // G124: Secure is set whenever the appliance is served over TLS.
	http.SetCookie(ri.w, &http.Cookie{Name: SessionCookie, Value: sess.ID, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	//nolint:gosec // G124: the CSRF cookie must be readable by scripts (double submit); Secure as above.
	http.SetCookie(ri.w, &http.Cookie{Name: CSRFCookie, Value: sess.CSRF, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: false, Secure: secure, SameSite: http.SameSiteLaxMode})
}

func clearSessionCookies(ri *requestInfo, secure bool) {
	secure = secure || ri.secure
	for _, name := range []string{SessionCookie, CSRFCookie} {
		//nolint:gosec // G124: a deletion cookie; attributes mirror the ones set above.
		http.SetCookie(ri.w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: name == SessionCookie, Secure: secure, SameSite: http.SameSiteLaxMode})
	}
}

// ViewerFromWebsocketInit authenticates a websocket connection from its
// connection_init payload: {"authorization": "Bearer syn_…"} (the key is
// matched case-insensitively) selects an API token. Without it the viewer
// resolved by Middleware from the upgrade request's session cookie stays in
// ctx. An invalid token is an error, which closes the connection.
func (s *Service) ViewerFromWebsocketInit(ctx context.Context, payload map[string]any) (context.Context, error) {
	for k, raw := range payload {
		if !strings.EqualFold(k, "authorization") {
			continue
		}
		str, _ := raw.(string)
		scheme, secret, _ := strings.Cut(str, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return ctx, &Error{Code: CodeUnauthenticated, Field: "authorization", Message: "connection_init authorization must be \"Bearer syn_…\""}
		}
		v, err := s.lookupToken(strings.TrimSpace(secret))
		if err != nil {
			return ctx, err
		}
		return WithViewer(ctx, v), nil
	}
	return ctx, nil
}
