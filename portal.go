package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/graph/model"
	"github.com/synchronizer/synchronizer/kv"
)

// This file is the user portal's side of the sign-in flows: "Sign in with SuperOffice" for users (OpenID Connect with
// the client id and secret of a SuperOffice system the admin configured, scopes openid and email), whose verified
// e-mail or associate id is mapped to the linked users with that CRM account, and graph.PortalSupport (the base URL
// of invitation links, the per-user mailbox sign-in state, the login page's providers).
//
// A user's SuperOffice sign-in is bound to the browser that started it: the start sets a random cookie whose sha256
// the pending sign-in keeps, and the callback refuses a state that arrives without it, so nobody can sign someone
// else's browser into their own account with a forged callback.

// Paths of a user's SuperOffice sign-in; the callback is a redirect URI to register with SuperOffice besides the
// admin's.
const (
	pathSuperOfficeUserStart    = "/oauth/superoffice/signin"
	pathSuperOfficeUserCallback = "/oauth/superoffice/user-callback"
)

// flowSuperOfficeUser is a user's SuperOffice sign-in to the portal.
const flowSuperOfficeUser = "superoffice-user"

// bindingCookie binds a user's SuperOffice sign-in to the browser that started it.
const bindingCookie = "synchronizer_signin"

// Audit actions of a user's SuperOffice sign-in.
const (
	actionPortalSignInRefused = "portal.signin_refused"
)

var _ graph.PortalSupport = (*oauthFlows)(nil)

// PublicBase implements graph.PortalSupport.
func (f *oauthFlows) PublicBase(ctx context.Context) (string, error) { return f.base(ctx) }

// MailboxSignIn implements graph.PortalSupport: a Microsoft 365 mailbox with delegated permissions signs in per
// user; it is authorized when the user's refresh token is stored.
func (f *oauthFlows) MailboxSignIn(ctx context.Context, p engine.Profile, u engine.LinkedUser) (perUser, authorized bool) {
	if p.Mailbox.Type != msgraph.Type {
		return false, false
	}
	var set msgraph.Settings
	if err := json.Unmarshal(p.Mailbox.Settings, &set); err != nil || set.Auth != msgraph.AuthDelegated {
		return false, false
	}
	acct := u.Mailbox.ID
	if acct == "" {
		acct = u.Mailbox.Email
	}
	if f.secrets == nil || acct == "" {
		return true, false
	}
	_, err := f.secrets(p.Mailbox.Instance).Get(ctx, msgraph.RefreshSecretName(acct))
	return true, err == nil
}

// userSignInSystem is a SuperOffice system users may sign in with.
type userSignInSystem struct {
	profile engine.Profile
	ref     engine.SystemRef
}

// userSignInSystems returns, per connector instance in order of first appearance, the first profile whose CRM is a
// SuperOffice system of that instance with an OIDC client configured (online mode, loginUrl, clientId and the
// client_secret secret).
func (f *oauthFlows) userSignInSystems(ctx context.Context) ([]userSignInSystem, error) {
	ps, err := f.eng.Profiles()
	if err != nil {
		return nil, err
	}
	var out []userSignInSystem
	for _, p := range ps {
		if p.CRM.Type != "superoffice" || slices.ContainsFunc(out, func(s userSignInSystem) bool { return s.ref.Instance == p.CRM.Instance }) {
			continue
		}
		if _, err := f.superOfficeOIDC(ctx, p.CRM, "crm", ""); err != nil {
			continue
		}
		out = append(out, userSignInSystem{profile: p, ref: p.CRM})
	}
	return out, nil
}

// SignInProviders implements graph.PortalSupport: one "Sign in with SuperOffice" per SuperOffice instance with an
// OIDC client. Names only: nothing of the settings or secrets.
func (f *oauthFlows) SignInProviders(ctx context.Context) ([]*model.SignInProvider, error) {
	systems, err := f.userSignInSystems(ctx)
	if err != nil {
		return nil, err
	}
	out := []*model.SignInProvider{}
	for _, s := range systems {
		name := "SuperOffice"
		if len(systems) > 1 {
			name += " (" + s.ref.Instance + ")"
		}
		out = append(out, &model.SignInProvider{ID: s.ref.Instance, Name: name, Type: "superoffice",
			StartURL: pathSuperOfficeUserStart + "?" + url.Values{"instance": {s.ref.Instance}}.Encode()})
	}
	return out, nil
}

// loginRedirect sends the browser back to the login page with the outcome of a user's sign-in.
func (f *oauthFlows) loginRedirect(w http.ResponseWriter, r *http.Request, rec pendingSignIn, reason string, err error) {
	reason = reasonRE.ReplaceAllString(strings.ToLower(reason), "_")
	if len(reason) > 40 {
		reason = reason[:40]
	}
	f.log.Warn("portal sign-in refused", slog.String("instance", rec.Instance), slog.String("reason", reason), slog.Any("error", err))
	if f.auth != nil {
		if aerr := f.auth.Audit(r.Context(), auth.Event{Action: actionPortalSignInRefused, Target: rec.Instance,
			Detail: reason + ": " + err.Error()}); aerr != nil {
			f.log.Error("portal sign-in: audit failed", slog.Any("error", aerr))
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, "/login?"+url.Values{"signin": {reason}}.Encode(), http.StatusSeeOther)
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// superOfficeUserStart starts a user's SuperOffice sign-in: GET /oauth/superoffice/signin?instance=<instance>.
func (f *oauthFlows) superOfficeUserStart() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		instance := r.URL.Query().Get("instance")
		rec := pendingSignIn{Flow: flowSuperOfficeUser, Side: engine.SideCRM.String(), Instance: instance, Started: f.now().UTC()}
		systems, err := f.userSignInSystems(r.Context())
		if err != nil {
			f.loginRedirect(w, r, rec, "unavailable", err)
			return
		}
		i := slices.IndexFunc(systems, func(s userSignInSystem) bool { return s.ref.Instance == instance })
		if i < 0 {
			f.loginRedirect(w, r, rec, "unknown_provider", fmt.Errorf("no SuperOffice system %q with a sign-in client", instance))
			return
		}
		base, err := f.base(r.Context())
		if err != nil {
			f.loginRedirect(w, r, rec, "unavailable", err)
			return
		}
		rec.Profile, rec.Redirect = systems[i].profile.ID, base+pathSuperOfficeUserCallback
		oidc, err := f.superOfficeOIDC(r.Context(), systems[i].ref, "crm", rec.Redirect)
		if err != nil {
			f.loginRedirect(w, r, rec, "settings", err)
			return
		}
		oidc.Scopes = []string{"openid", "email"}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		if err := oidc.Discover(ctx); err != nil {
			f.loginRedirect(w, r, rec, "provider_unreachable", err)
			return
		}
		state, err1 := randomToken()
		nonce, err2 := randomToken()
		binding, err3 := randomToken()
		if err := errors.Join(err1, err2, err3); err != nil {
			f.loginRedirect(w, r, rec, "unavailable", err)
			return
		}
		rec.Nonce, rec.Binding = nonce, sha256Hex(binding)
		b, err := json.Marshal(rec)
		if err == nil {
			err = f.db.Update(func(tx *kv.Tx) error { return tx.SetWithTTL([]byte(kv.PrefixOAuth+state), b, signInTTL) })
		}
		if err != nil {
			f.loginRedirect(w, r, rec, "unavailable", err)
			return
		}
		//nolint:gosec // G124: HttpOnly and SameSite=Lax; Secure whenever the appliance is served over TLS.
		http.SetCookie(w, &http.Cookie{Name: bindingCookie, Value: binding, Path: "/oauth/superoffice/", MaxAge: int(signInTTL.Seconds()),
			HttpOnly: true, Secure: r.TLS != nil || strings.HasPrefix(f.publicURL, "https://"), SameSite: http.SameSiteLaxMode})
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, oidc.AuthURL(state, nonce), http.StatusSeeOther)
	})
}

// crmMatches reports whether a linked user's CRM account is the signed-in SuperOffice user: the same associate id, or
// the same e-mail address (case-insensitive, aliases included).
func crmMatches(a engine.Account, c superoffice.Claims) bool {
	if c.AssociateID != "" && a.ID == c.AssociateID {
		return true
	}
	if c.Email == "" {
		return false
	}
	if strings.EqualFold(a.Email, c.Email) {
		return true
	}
	return slices.ContainsFunc(a.Aliases, func(x string) bool { return strings.EqualFold(x, c.Email) })
}

// superOfficeUserCallback completes a user's SuperOffice sign-in: the linked users whose CRM account is the signed-in
// user (in every profile whose CRM is a SuperOffice system of the same tenant) become the links of the user's USER
// account, and a session starts. No match signs nobody in. It must run behind auth.Service.Middleware, which lets
// StartSession set the session cookies.
func (f *oauthFlows) superOfficeUserCallback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		rec, err := f.take(q.Get("state"))
		if err != nil {
			f.loginRedirect(w, r, pendingSignIn{Flow: flowSuperOfficeUser}, "unknown_state", err)
			return
		}
		if rec.Flow != flowSuperOfficeUser {
			f.loginRedirect(w, r, rec, "wrong_callback", fmt.Errorf("a %s sign-in came back to the user sign-in callback", rec.Flow))
			return
		}
		//nolint:gosec // G124: a deletion cookie; attributes mirror the one set by the start.
		http.SetCookie(w, &http.Cookie{Name: bindingCookie, Path: "/oauth/superoffice/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		c, cerr := r.Cookie(bindingCookie)
		if cerr != nil || subtle.ConstantTimeCompare([]byte(sha256Hex(c.Value)), []byte(rec.Binding)) != 1 {
			f.loginRedirect(w, r, rec, "other_browser", errors.New("the sign-in was started in another browser (binding cookie missing or different)"))
			return
		}
		if e := q.Get("error"); e != "" {
			f.loginRedirect(w, r, rec, e, fmt.Errorf("the provider answered %s: %s", e, firstLine(q.Get("error_description"))))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		_, ref, err := f.system(rec.Profile, rec.Side)
		if err != nil || ref.Type != "superoffice" || ref.Instance != rec.Instance {
			f.loginRedirect(w, r, rec, "profile_changed", fmt.Errorf("the SuperOffice system of profile %q changed during the sign-in", rec.Profile))
			return
		}
		oidc, err := f.superOfficeOIDC(ctx, ref, rec.Side, rec.Redirect)
		if err != nil {
			f.loginRedirect(w, r, rec, "settings", err)
			return
		}
		claims, err := oidc.Exchange(ctx, q.Get("code"), rec.Nonce)
		if err != nil {
			f.loginRedirect(w, r, rec, "exchange_failed", err)
			return
		}
		links, email, name, err := f.matchLinkedUsers(claims)
		if err != nil {
			f.loginRedirect(w, r, rec, "unavailable", err)
			return
		}
		if len(links) == 0 {
			f.loginRedirect(w, r, rec, "not_linked", fmt.Errorf("no linked user of tenant %q has CRM account %s (associate %s)", claims.ContextIdentifier, claims.Email, claims.AssociateID))
			return
		}
		if email == "" {
			f.loginRedirect(w, r, rec, "no_email", errors.New("neither the id_token nor the linked users give an e-mail address"))
			return
		}
		a, err := f.auth.SignInLinked(r.Context(), email, name, links, "Sign in with SuperOffice ("+rec.Instance+")")
		if err != nil {
			reason := "refused"
			if auth.CodeOf(err) == auth.CodeConflict {
				reason = "admin_account"
			}
			f.loginRedirect(w, r, rec, reason, err)
			return
		}
		if _, err := f.auth.StartSession(r.Context(), a.ID); err != nil {
			f.loginRedirect(w, r, rec, "unavailable", err)
			return
		}
		f.log.Info("portal sign-in with SuperOffice", slog.String("instance", rec.Instance), slog.Int("links", len(links)))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
	})
}

// matchLinkedUsers returns the linked users whose CRM account is the signed-in user, in every profile whose CRM is a
// SuperOffice system of the id_token's tenant (its contextIdentifier claim equals the profile's recorded
// contextIdentifier), with the e-mail and name to give the account: the id_token's e-mail, else the first match's
// CRM (or mailbox) address. An id_token without a tenant matches nothing.
func (f *oauthFlows) matchLinkedUsers(c superoffice.Claims) (links []auth.Link, email, name string, err error) {
	ps, err := f.eng.Profiles()
	if err != nil {
		return nil, "", "", err
	}
	email = strings.TrimSpace(c.Email)
	for _, p := range ps {
		if p.CRM.Type != "superoffice" {
			continue
		}
		// The tenant decides, never the instance alone: one SuperOffice login service (and one application's client
		// id) serves every tenant, and associate ids are small per-tenant numbers, so a user of another tenant
		// must not match linked users by associate id or address. A profile without a recorded tenant (the
		// admin's sign-in records it) matches nobody.
		m, _ := settingsOf(p.CRM, "crm")
		ctxID, _ := m["contextIdentifier"].(string)
		if c.ContextIdentifier == "" || ctxID == "" || !strings.EqualFold(ctxID, c.ContextIdentifier) {
			continue
		}
		users, err := f.eng.Users(p.ID)
		if err != nil {
			return nil, "", "", err
		}
		for _, u := range users {
			if !crmMatches(u.CRM, c) {
				continue
			}
			links = append(links, auth.Link{Profile: p.ID, User: u.ID})
			if email == "" {
				email = u.CRM.Email
				if email == "" {
					email = u.Mailbox.Email
				}
			}
			if name == "" {
				name = u.CRM.Name
			}
		}
	}
	if name == "" {
		name = email
	}
	return links, email, name, nil
}

// mountPortal adds the user sign-in routes; the callback runs behind authMW so it can start a session. Both are
// public, so both are rate-limited per client address (limitUserSignIn).
func (f *oauthFlows) mountPortal(handle func(pattern string, h http.Handler), authMW func(http.Handler) http.Handler) {
	handle("GET "+pathSuperOfficeUserStart, f.limitUserSignIn(withRequestBase(f.superOfficeUserStart())))
	handle("GET "+pathSuperOfficeUserCallback, f.limitUserSignIn(authMW(f.superOfficeUserCallback())))
}

// The budget of the anonymous user sign-in routes per client address: every start fetches the provider's discovery
// document and stores a pending sign-in for signInTTL, and every refusal writes an audit event, so an anonymous
// caller must not be able to repeat them without bound. A sign-in takes two requests (start and callback), so the
// budget lets 30 people behind one address sign in per minute.
const (
	userSignInPerIP  = 60
	userSignInWindow = time.Minute
)

// limitUserSignIn refuses a request with 429 Too Many Requests (and Retry-After), before any work, logging or
// auditing, once its client address has used up userSignInPerIP requests in userSignInWindow.
func (f *oauthFlows) limitUserSignIn(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.userLimit != nil {
			if wait := f.userLimit.take(r.RemoteAddr); wait > 0 {
				secs := int(wait.Round(time.Second)/time.Second) + 1
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				w.Header().Set("Cache-Control", "no-store")
				http.Error(w, "Too many sign-in attempts from your address; try again in "+strconv.Itoa(secs)+" seconds.", http.StatusTooManyRequests)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// maxIPLimiterKeys bounds an ipLimiter's memory under a spray of addresses.
const maxIPLimiterKeys = 10_000

// ipLimiter allows per requests per client address (an IPv6 address counts as its /64) in a sliding window. It
// lives in memory; it is safe for concurrent use.
type ipLimiter struct {
	per    int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	hits map[string][]time.Time // address → request times, oldest first
}

func newIPLimiter(per int, window time.Duration, now func() time.Time) *ipLimiter {
	return &ipLimiter{per: per, window: window, now: now, hits: map[string][]time.Time{}}
}

// limiterKey is the address a request counts against: the host of remoteAddr, an IPv6 address reduced to its /64
// (one client holds a whole /64).
func limiterKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// take records a request from remoteAddr and returns 0, or how long to wait when its budget is used up (the
// refused request is not recorded).
func (l *ipLimiter) take(remoteAddr string) time.Duration {
	key, now := limiterKey(remoteAddr), l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	prune := func(k string) []time.Time {
		ts := l.hits[k]
		i := 0
		for i < len(ts) && now.Sub(ts[i]) >= l.window {
			i++
		}
		if ts = ts[i:]; len(ts) == 0 {
			delete(l.hits, k)
		} else {
			l.hits[k] = ts
		}
		return ts
	}
	ts := prune(key)
	if len(ts) >= l.per {
		return ts[len(ts)-l.per].Add(l.window).Sub(now)
	}
	if len(ts) == 0 && len(l.hits) >= maxIPLimiterKeys {
		for k := range l.hits {
			prune(k)
		}
		if len(l.hits) >= maxIPLimiterKeys {
			return l.window // a spray of addresses: new addresses wait, known ones keep their budget
		}
	}
	l.hits[key] = append(ts, now)
	return 0
}
