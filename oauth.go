package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/kv"
)

// This file is "Sign in with SuperOffice" and "Sign in with Microsoft": the start of a sign-in (called by the
// beginSystemSignIn mutation through graph.SignInStarter) and the three HTTP callbacks the providers send the
// browser back to. A pending sign-in lives under kv.PrefixOAuth for signInTTL and is deleted by the first callback
// that names it, so a replayed or forged callback is refused. Tokens are stored as connector secrets and never
// appear in a redirect, a log line or the audit log.

// Callback paths, relative to the appliance's base URL; they are the redirect URIs to register with the providers.
const (
	pathSuperOfficeCallback = "/oauth/superoffice/callback"
	pathMicrosoftConsent    = "/oauth/microsoft/consent"
	pathMicrosoftCallback   = "/oauth/microsoft/callback"
)

// signInTTL is how long a started sign-in may take.
const signInTTL = 10 * time.Minute

// Sign-in flows, recorded in a pending sign-in.
const (
	flowSuperOffice     = "superoffice"
	flowMicrosoftAdmin  = "msgraph-consent"
	flowMicrosoftMember = "msgraph-user"
)

// Audit actions of the sign-in callbacks.
const (
	actionSignInCompleted = "sync.signin_completed"
	actionSignInFailed    = "sync.signin_failed"
)

// pendingSignIn is what a started sign-in remembers until its callback.
type pendingSignIn struct {
	Flow     string    `json:"flow"`
	Profile  string    `json:"profile"`
	Side     string    `json:"side"`              // "crm" or "mailbox"
	User     string    `json:"user,omitempty"`    // the linked user (delegated Microsoft sign-in)
	Account  string    `json:"account,omitempty"` // the mailbox the delegated refresh token belongs to
	Nonce    string    `json:"nonce,omitempty"`
	Verifier string    `json:"verifier,omitempty"` // PKCE code verifier
	Redirect string    `json:"redirect"`           // the redirect_uri sent to the provider (the exchange repeats it)
	Actor    string    `json:"actor,omitempty"`    // the admin who started it
	Portal   bool      `json:"portal,omitempty"`   // started from the user portal: the callback returns there
	Instance string    `json:"instance,omitempty"` // a user's SuperOffice sign-in: the connector instance
	Binding  string    `json:"binding,omitempty"`  // a user's SuperOffice sign-in: sha256 of the browser's binding cookie
	ReturnTo string    `json:"returnTo,omitempty"` // the dashboard page the callback returns to (checkReturnTo); empty: the profile's
	Started  time.Time `json:"started"`
}

// oauthFlows implements graph.SignInStarter and serves the callbacks.
type oauthFlows struct {
	db      *kv.DB
	eng     *engine.Engine
	secrets func(instance string) engine.Secrets
	auth    *auth.Service // audit; nil: no audit events
	http    *http.Client
	// publicURL is the appliance's public base URL (https://<domain>); empty: the request's own scheme and host.
	publicURL string
	log       *slog.Logger
	now       func() time.Time
	// userLimit bounds the anonymous user sign-in routes per client address (portal.go).
	userLimit *ipLimiter
}

var (
	_ graph.SignInStarter  = (*oauthFlows)(nil)
	_ graph.SignInReturner = (*oauthFlows)(nil)
)

// newOAuthFlows returns the sign-in flows of the sync stack s.
func newOAuthFlows(s *syncStack, db *kv.DB, authSvc *auth.Service, publicURL string, logger *slog.Logger) *oauthFlows {
	return &oauthFlows{db: db, eng: s.eng, secrets: s.secrets, auth: authSvc, publicURL: strings.TrimRight(publicURL, "/"),
		http: &http.Client{Timeout: 30 * time.Second, Transport: remoteTransport()}, log: logger, now: time.Now,
		userLimit: newIPLimiter(userSignInPerIP, userSignInWindow, time.Now)}
}

type requestBaseKey struct{}

// withRequestBase records the request's own scheme and host in its context; sign-ins started without a public URL
// build their redirect URIs from it (loopback use).
func withRequestBase(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestBaseKey{}, scheme+"://"+r.Host)))
	})
}

// base returns the base URL redirect URIs are built from.
func (f *oauthFlows) base(ctx context.Context) (string, error) {
	if f.publicURL != "" {
		return f.publicURL, nil
	}
	if b, _ := ctx.Value(requestBaseKey{}).(string); b != "" && !strings.HasSuffix(b, "://") {
		return b, nil
	}
	return "", errors.New("sign-in: the appliance has no public URL (start it with --domain)")
}

func inputErr(field, format string, a ...any) error {
	return &engine.InputError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// randomToken returns 32 random bytes, base64url.
func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// system returns the profile and its system on side.
func (f *oauthFlows) system(profileID, side string) (engine.Profile, engine.SystemRef, error) {
	p, err := f.eng.Profile(profileID)
	if err != nil {
		return engine.Profile{}, engine.SystemRef{}, err
	}
	switch side {
	case engine.SideCRM.String():
		return p, p.CRM, nil
	case engine.SideMailbox.String():
		return p, p.Mailbox, nil
	}
	return engine.Profile{}, engine.SystemRef{}, inputErr("side", "%q: want crm or mailbox", side)
}

// BeginSignIn starts a sign-in; see graph.SignInStarter.
func (f *oauthFlows) BeginSignIn(ctx context.Context, profileID, side, userID string) (string, time.Time, error) {
	return f.beginSignIn(ctx, profileID, side, userID, "")
}

// BeginSignInReturning starts a sign-in whose callback returns to returnTo; see graph.SignInReturner.
func (f *oauthFlows) BeginSignInReturning(ctx context.Context, profileID, side, userID, returnTo string) (string, time.Time, error) {
	if err := checkReturnTo(returnTo); err != nil {
		return "", time.Time{}, err
	}
	return f.beginSignIn(ctx, profileID, side, userID, returnTo)
}

// returnToMax is the longest returnTo accepted.
const returnToMax = 300

// checkReturnTo accepts the dashboard pages a sign-in may return to: a path under /profiles on the appliance
// itself (the profile's page, the wizard's /profiles/<id>/edit). It refuses, naming returnTo, anything that could
// send the browser elsewhere or to another part of the appliance: an absolute or scheme-relative URL ("//host",
// "/\host"), a query or fragment, dot segments (also percent-encoded), control characters, and paths outside
// /profiles.
// returnToRune reports whether r may appear in a returnTo path.
func returnToRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._~-@+%", r)
}

func checkReturnTo(s string) error {
	bad := func(why string) error {
		return inputErr("returnTo", "%q is not a page of the dashboard under /profiles: %s", firstLine(s), why)
	}
	if s == "" || len(s) > returnToMax {
		return bad(fmt.Sprintf("give a path of 1 to %d characters", returnToMax))
	}
	for _, r := range s {
		if !returnToRune(r) {
			return bad("it may hold only letters, digits and / . _ ~ - @ + % (no query, no backslash, no spaces)")
		}
	}
	dec, err := url.PathUnescape(s)
	if err != nil {
		return bad("a percent sign must start an escape like %40")
	}
	for _, p := range []string{s, dec} {
		if !strings.HasPrefix(p, "/profiles/") && p != "/profiles" {
			return bad("it must start with /profiles/")
		}
		if strings.Contains(p, "//") || strings.ContainsAny(p, "\\?#") || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return bad("no empty segments, backslashes or escaped queries")
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == "." || seg == ".." {
				return bad("no . or .. segments")
			}
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return bad("a path on this appliance, not a URL")
	}
	return nil
}

func (f *oauthFlows) beginSignIn(ctx context.Context, profileID, side, userID, returnTo string) (string, time.Time, error) {
	p, ref, err := f.system(profileID, side)
	if err != nil {
		return "", time.Time{}, err
	}
	base, err := f.base(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	state, err := randomToken()
	if err != nil {
		return "", time.Time{}, err
	}
	rec := pendingSignIn{Profile: p.ID, Side: side, ReturnTo: returnTo, Started: f.now().UTC()}
	if v := auth.ViewerFrom(ctx); v != nil {
		rec.Actor, rec.Portal = v.Email, v.Role == auth.RoleUser
	}
	var authURL string
	switch ref.Type {
	case "superoffice":
		if userID != "" {
			return "", time.Time{}, inputErr("userId", "SuperOffice signs in once for the whole tenant: leave userId out")
		}
		rec.Flow, rec.Redirect = flowSuperOffice, base+pathSuperOfficeCallback
		oidc, err := f.superOfficeOIDC(ctx, ref, side, rec.Redirect)
		if err != nil {
			return "", time.Time{}, err
		}
		if err := oidc.Discover(ctx); err != nil {
			return "", time.Time{}, err
		}
		if rec.Nonce, err = randomToken(); err != nil {
			return "", time.Time{}, err
		}
		authURL = oidc.AuthURL(state, rec.Nonce)
	case msgraph.Type:
		if userID == "" {
			rec.Flow, rec.Redirect = flowMicrosoftAdmin, base+pathMicrosoftConsent
			c, _, err := f.msgraphConnector(ref, side, rec.Redirect, true)
			if err != nil {
				return "", time.Time{}, err
			}
			authURL = c.AdminConsentURL(state)
			break
		}
		rec.Flow, rec.Redirect, rec.User = flowMicrosoftMember, base+pathMicrosoftCallback, userID
		c, set, err := f.msgraphConnector(ref, side, rec.Redirect, false)
		if err != nil {
			return "", time.Time{}, err
		}
		if set.Auth != msgraph.AuthDelegated {
			return "", time.Time{}, inputErr("userId", "the system uses application permissions (auth %q): per-user sign-in needs auth %q", set.Auth, msgraph.AuthDelegated)
		}
		u, err := f.eng.User(p.ID, userID)
		if err != nil {
			return "", time.Time{}, err
		}
		acct := u.Mailbox
		if side == engine.SideCRM.String() {
			acct = u.CRM
		}
		if rec.Account = acct.ID; rec.Account == "" {
			rec.Account = acct.Email
		}
		if rec.Account == "" {
			return "", time.Time{}, inputErr("userId", "linked user %q has no %s account id or address", userID, side)
		}
		verifier, challenge, err := msgraph.NewPKCE()
		if err != nil {
			return "", time.Time{}, err
		}
		rec.Verifier = verifier
		authURL = c.AuthCodeURL(state, challenge)
	default:
		return "", time.Time{}, inputErr("side", "the %s system is of type %q, which has no sign-in", side, ref.Type)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := f.db.Update(func(tx *kv.Tx) error {
		return tx.SetWithTTL([]byte(kv.PrefixOAuth+state), b, signInTTL)
	}); err != nil {
		return "", time.Time{}, fmt.Errorf("sign-in: saving the state: %w", err)
	}
	return authURL, rec.Started.Add(signInTTL), nil
}

// settingsOf decodes a system's settings as a JSON object.
func settingsOf(ref engine.SystemRef, side string) (map[string]any, error) {
	m := map[string]any{}
	if len(ref.Settings) > 0 {
		if err := json.Unmarshal(ref.Settings, &m); err != nil || m == nil {
			return nil, inputErr(side+".settings", "not a JSON object")
		}
	}
	return m, nil
}

// superOfficeOIDC builds the OIDC client of a SuperOffice system from its saved settings (loginUrl, clientId) and
// its client_secret secret. baseUrl and contextIdentifier are not needed: the sign-in yields them.
func (f *oauthFlows) superOfficeOIDC(ctx context.Context, ref engine.SystemRef, side, redirect string) (*superoffice.OIDC, error) {
	m, err := settingsOf(ref, side)
	if err != nil {
		return nil, err
	}
	if mode, _ := m["mode"].(string); mode == "onsite" {
		return nil, inputErr(side+".settings.mode", "an on-site NetServer has no SuperOffice sign-in (use user/password or a ticket)")
	}
	login, _ := m["loginUrl"].(string)
	if u, err := url.Parse(login); login == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, inputErr(side+".settings.loginUrl", "%q is not an absolute URL (for example https://online.superoffice.com/login)", login)
	}
	clientID, _ := m["clientId"].(string)
	if clientID == "" {
		return nil, inputErr(side+".settings.clientId", "required for SuperOffice sign-in")
	}
	if f.secrets == nil {
		return nil, errors.New("sign-in: no secret store")
	}
	secret, err := f.secrets(ref.Instance).Get(ctx, superoffice.SecretClientSecret)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, inputErr("secrets."+superoffice.SecretClientSecret, "not set for instance %q: save the client secret first (setSystemSecrets)", ref.Instance)
	}
	if err != nil {
		return nil, fmt.Errorf("sign-in: reading the client secret: %w", err)
	}
	return &superoffice.OIDC{Issuer: strings.TrimSuffix(login, "/"), ClientID: clientID, ClientSecret: string(secret),
		RedirectURL: redirect, HTTP: f.http, Now: f.now}, nil
}

// msgraphConnector builds a Microsoft Graph connector from a system's saved settings, with redirect as its
// redirect URL. consent allows a missing tenantId (the admin consent yields it).
func (f *oauthFlows) msgraphConnector(ref engine.SystemRef, side, redirect string, consent bool) (*msgraph.Connector, msgraph.Settings, error) {
	var set msgraph.Settings
	if len(ref.Settings) > 0 {
		if err := json.Unmarshal(ref.Settings, &set); err != nil {
			return nil, set, inputErr(side+".settings", "%v", err)
		}
	}
	if set.TenantID == "" && consent {
		set.TenantID = "organizations"
	}
	set.RedirectURL = redirect
	env := engine.Env{Logger: f.log, Now: f.now, HTTP: f.http}
	if f.secrets != nil {
		env.Secrets = f.secrets(ref.Instance)
	}
	c, err := msgraph.NewConnector(set, env)
	if err != nil {
		return nil, set, inputErr(side+".settings", "%v", err)
	}
	if set.Auth == "" {
		set.Auth = msgraph.AuthApp
	}
	return c, set, nil
}

// take returns the pending sign-in of state and deletes it (one-time); a missing or expired state is an error.
func (f *oauthFlows) take(state string) (pendingSignIn, error) {
	var rec pendingSignIn
	if state == "" || len(state) > 128 {
		return rec, errors.New("missing or malformed state")
	}
	key := []byte(kv.PrefixOAuth + state)
	err := f.db.Update(func(tx *kv.Tx) error {
		b, err := tx.Get(key)
		if err != nil {
			return err
		}
		if err := tx.Delete(key); err != nil {
			return err
		}
		return json.Unmarshal(b, &rec)
	})
	if errors.Is(err, kv.ErrNotFound) {
		return rec, errors.New("unknown, used or expired state")
	}
	return rec, err
}

// reasonRE keeps a failure reason safe to put in the dashboard's URL.
var reasonRE = regexp.MustCompile(`[^a-z0-9_]+`)

// finish writes the audit event and redirects the browser to the profile's page.
func (f *oauthFlows) finish(w http.ResponseWriter, r *http.Request, rec pendingSignIn, reason string, err error) {
	target := rec.Profile + "/" + rec.Side
	if rec.User != "" {
		target += "/" + rec.User
	}
	dest := "/profiles"
	if rec.Profile != "" {
		dest += "/" + url.PathEscape(rec.Profile)
	}
	if rec.ReturnTo != "" && checkReturnTo(rec.ReturnTo) == nil {
		dest = rec.ReturnTo // the page that started it (the profile wizard); checked again, as it came from the store
	}
	if rec.Portal {
		dest = "/portal" // a user's own mailbox sign-in, started from the portal
	}
	action, detail := actionSignInCompleted, rec.Flow
	if err != nil {
		action, detail = actionSignInFailed, rec.Flow+": "+err.Error()
		reason = reasonRE.ReplaceAllString(strings.ToLower(reason), "_")
		if len(reason) > 40 {
			reason = reason[:40]
		}
		dest += "?" + url.Values{"signin": {"error"}, "reason": {reason}}.Encode()
		f.log.Warn("sign-in failed", slog.String("flow", rec.Flow), slog.String("target", target), slog.Any("error", err))
	} else {
		dest += "?signin=ok"
		f.log.Info("sign-in completed", slog.String("flow", rec.Flow), slog.String("target", target))
	}
	if f.auth != nil {
		if aerr := f.auth.Audit(r.Context(), auth.Event{Actor: rec.Actor, Action: action, Target: target, Detail: detail}); aerr != nil {
			f.log.Error("sign-in: audit failed", slog.Any("error", aerr))
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// callback is the common part of the three callbacks: take the state, check the flow and the provider's error.
func (f *oauthFlows) callback(flow string, done func(ctx context.Context, rec pendingSignIn, q url.Values) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		rec, err := f.take(q.Get("state"))
		if err != nil {
			f.finish(w, r, pendingSignIn{Flow: flow}, "unknown_state", err)
			return
		}
		if rec.Flow != flow {
			f.finish(w, r, rec, "wrong_callback", fmt.Errorf("a %s sign-in came back to the %s callback", rec.Flow, flow))
			return
		}
		if e := q.Get("error"); e != "" {
			f.finish(w, r, rec, e, fmt.Errorf("the provider answered %s: %s", e, firstLine(q.Get("error_description"))))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		reason, err := done(ctx, rec, q)
		f.finish(w, r, rec, reason, err)
	})
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return strings.TrimSpace(s)
}

// updateSettings sets fields of the settings of the profile's system on side, under the engine's profile lock (an
// admin saving the same profile at the same moment loses nothing, nor does this).
func (f *oauthFlows) updateSettings(profileID, side string, set map[string]any) error {
	_, err := f.eng.UpdateProfile(profileID, func(p engine.Profile, exists bool) (engine.Profile, error) {
		if !exists {
			return p, fmt.Errorf("profile %q: %w", profileID, engine.ErrNoSuchProfile)
		}
		ref := &p.Mailbox
		switch side {
		case engine.SideCRM.String():
			ref = &p.CRM
		case engine.SideMailbox.String():
		default:
			return p, inputErr("side", "%q: want crm or mailbox", side)
		}
		m, err := settingsOf(*ref, side)
		if err != nil {
			return p, err
		}
		for k, v := range set {
			m[k] = v
		}
		b, err := json.Marshal(m)
		if err != nil {
			return p, err
		}
		ref.Settings = b
		return p, nil
	})
	return err
}

// superOfficeCallback redeems the code, stores the system token and the tenant's API address.
func (f *oauthFlows) superOfficeCallback() http.Handler {
	return f.callback(flowSuperOffice, func(ctx context.Context, rec pendingSignIn, q url.Values) (string, error) {
		_, ref, err := f.system(rec.Profile, rec.Side)
		if err != nil {
			return "profile_changed", err
		}
		if ref.Type != "superoffice" {
			return "profile_changed", fmt.Errorf("the %s system is no longer a SuperOffice system", rec.Side)
		}
		oidc, err := f.superOfficeOIDC(ctx, ref, rec.Side, rec.Redirect)
		if err != nil {
			return "settings", err
		}
		claims, err := oidc.Exchange(ctx, q.Get("code"), rec.Nonce)
		if err != nil {
			return "exchange_failed", err
		}
		if claims.SystemToken == "" || claims.WebAPIURL == "" || claims.ContextIdentifier == "" {
			return "no_system_token", errors.New("the id_token carries no system token, webapi_url or tenant: sign in as a SuperOffice administrator of an application that requests system-user access")
		}
		sec := f.secrets(ref.Instance)
		if err := sec.Put(ctx, superoffice.SecretSystemToken, []byte(claims.SystemToken)); err != nil {
			return "save_failed", err
		}
		// A ticket cached from an earlier system token must not be used with the new one.
		if err := sec.Delete(ctx, superoffice.SecretTicket); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return "save_failed", err
		}
		if err := f.updateSettings(rec.Profile, rec.Side, map[string]any{"baseUrl": claims.WebAPIURL,
			"contextIdentifier": claims.ContextIdentifier}); err != nil {
			return "save_failed", err
		}
		return "", nil
	})
}

// microsoftConsent records the consenting tenant.
func (f *oauthFlows) microsoftConsent() http.Handler {
	return f.callback(flowMicrosoftAdmin, func(ctx context.Context, rec pendingSignIn, q url.Values) (string, error) {
		_, ref, err := f.system(rec.Profile, rec.Side)
		if err != nil {
			return "profile_changed", err
		}
		if ref.Type != msgraph.Type {
			return "profile_changed", fmt.Errorf("the %s system is no longer a Microsoft Graph system", rec.Side)
		}
		c, _, err := f.msgraphConnector(ref, rec.Side, rec.Redirect, true)
		if err != nil {
			return "settings", err
		}
		tenant, err := c.HandleConsentCallback(ctx, q, q.Get("state"))
		if err != nil {
			return "consent_failed", err
		}
		if err := f.updateSettings(rec.Profile, rec.Side, map[string]any{"tenantId": tenant}); err != nil {
			return "save_failed", err
		}
		return "", nil
	})
}

// microsoftCallback redeems a delegated user's code; the connector saves the refresh token.
func (f *oauthFlows) microsoftCallback() http.Handler {
	return f.callback(flowMicrosoftMember, func(ctx context.Context, rec pendingSignIn, q url.Values) (string, error) {
		_, ref, err := f.system(rec.Profile, rec.Side)
		if err != nil {
			return "profile_changed", err
		}
		if ref.Type != msgraph.Type {
			return "profile_changed", fmt.Errorf("the %s system is no longer a Microsoft Graph system", rec.Side)
		}
		c, _, err := f.msgraphConnector(ref, rec.Side, rec.Redirect, false)
		if err != nil {
			return "settings", err
		}
		if q.Get("code") == "" {
			return "no_code", errors.New("the callback carries no code")
		}
		if err := c.ExchangeCode(ctx, rec.Account, q.Get("code"), rec.Verifier); err != nil {
			if ae := (*msgraph.AuthError)(nil); errors.As(err, &ae) && ae.Code == "wrong_account" {
				return "wrong_account", err // someone else's Microsoft account signed in: nothing stored
			}
			return "exchange_failed", err
		}
		return "", nil
	})
}

// mount adds the callback routes to mux through handle.
func (f *oauthFlows) mount(handle func(pattern string, h http.Handler)) {
	handle("GET "+pathSuperOfficeCallback, f.superOfficeCallback())
	handle("GET "+pathMicrosoftConsent, f.microsoftConsent())
	handle("GET "+pathMicrosoftCallback, f.microsoftCallback())
	if f.auth != nil {
		f.mountPortal(handle, f.auth.Middleware) // users' Sign in with SuperOffice (portal.go)
	}
}
