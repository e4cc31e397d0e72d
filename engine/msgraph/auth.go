package msgraph

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Secret names used in engine.Env.Secrets.
const (
	// SecretClientSecret holds the app registration's client secret when it is not in the settings.
	SecretClientSecret = "client-secret"
	// SecretCertificate holds the app's certificate and its private key (PEM: a CERTIFICATE block and a PRIVATE
	// KEY or RSA PRIVATE KEY block), used instead of a client secret.
	SecretCertificate = "client-certificate"
	// SecretTenant holds the tenant id stored by HandleConsentCallback.
	SecretTenant = "tenant-id"
)

// secretRefresh names the refresh token of a delegated user. The name has no slash: engine.KVSecrets (the
// appliance's secret store) refuses names with one.
func secretRefresh(user string) string { return "refresh." + strings.ToLower(user) }

// RefreshSecretName is the name of the secret that holds the refresh token of delegated user (a mailbox id or
// address): the appliance checks it to tell a user whether their mailbox is authorized.
func RefreshSecretName(user string) string { return secretRefresh(user) }

// Scopes of the delegated flow (the app-only flow asks for https://graph.microsoft.com/.default).
const delegatedScopes = "offline_access Calendars.ReadWrite Contacts.ReadWrite Tasks.ReadWrite User.Read"

type cachedToken struct {
	access  string
	expires time.Time
}

// tokenSource obtains access tokens: one app-only token per tenant (client credentials), or one per delegated
// user from the user's refresh token in Secrets (rotated tokens are saved before the new access token is used).
type tokenSource struct {
	c  *Connector
	mu sync.Mutex
	// cache is keyed by user ("" for the app-only token).
	cache map[string]cachedToken
	// userLocks serialises refreshes per user so a rotated refresh token is never spent twice.
	userLocks map[string]*sync.Mutex
}

func (ts *tokenSource) lock(user string) *sync.Mutex {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	m := ts.userLocks[user]
	if m == nil {
		m = &sync.Mutex{}
		ts.userLocks[user] = m
	}
	return m
}

// token returns a valid access token for user (app-only: the tenant token whatever the user). force discards the
// cached token first.
func (ts *tokenSource) token(ctx context.Context, user string, force bool) (string, error) {
	key := ""
	if ts.c.set.Auth == AuthDelegated {
		key = strings.ToLower(user)
		if key == "" {
			return "", fmt.Errorf("%w: delegated access needs a user", engine.ErrAuth)
		}
	}
	l := ts.lock(key)
	l.Lock()
	defer l.Unlock()
	ts.mu.Lock()
	t, ok := ts.cache[key]
	ts.mu.Unlock()
	if ok && !force && ts.c.now().Add(2*time.Minute).Before(t.expires) {
		return t.access, nil
	}
	var tr tokenResponse
	var err error
	if key == "" {
		tr, err = ts.c.tokenRequest(ctx, url.Values{"grant_type": {"client_credentials"}, "client_id": {ts.c.set.ClientID},
			"scope": {ts.c.graph + "/.default"}})
	} else {
		tr, err = ts.c.refreshUser(ctx, key)
	}
	if err != nil {
		return "", err
	}
	ts.mu.Lock()
	ts.cache[key] = cachedToken{access: tr.AccessToken, expires: ts.c.now().Add(time.Duration(tr.ExpiresIn) * time.Second)}
	ts.mu.Unlock()
	return tr.AccessToken, nil
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

// addCredential adds the client's credential to a token request: the client secret (settings or Secrets), or,
// when Secrets holds a certificate (SecretCertificate), a client assertion signed with its key.
func (c *Connector) addCredential(ctx context.Context, form url.Values, endpoint string) error {
	if c.set.ClientSecret != "" {
		form.Set("client_secret", c.set.ClientSecret)
		return nil
	}
	if c.secrets == nil {
		return &AuthError{Code: "no_credential", Reason: "no client secret or certificate configured (field clientSecret)"}
	}
	b, err := c.secrets.Get(ctx, SecretClientSecret)
	switch {
	case err == nil:
		form.Set("client_secret", string(b))
		return nil
	case !errors.Is(err, engine.ErrNotFound):
		return fmt.Errorf("msgraph: reading the client secret: %w", err)
	}
	pemData, err := c.secrets.Get(ctx, SecretCertificate)
	if errors.Is(err, engine.ErrNotFound) {
		return &AuthError{Code: "no_credential", Reason: "no client secret or certificate configured (field clientSecret)"}
	}
	if err != nil {
		return fmt.Errorf("msgraph: reading the client certificate: %w", err)
	}
	assertion, err := clientAssertion(pemData, c.set.ClientID, endpoint, c.now())
	if err != nil {
		return &AuthError{Code: "bad_certificate", Reason: err.Error()}
	}
	form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	form.Set("client_assertion", assertion)
	return nil
}

// refreshUser redeems the user's refresh token and saves the rotated one before returning.
func (c *Connector) refreshUser(ctx context.Context, user string) (tokenResponse, error) {
	if c.secrets == nil {
		return tokenResponse{}, fmt.Errorf("%w: no secret store for delegated tokens", engine.ErrAuth)
	}
	rt, err := c.secrets.Get(ctx, secretRefresh(user))
	if errors.Is(err, engine.ErrNotFound) {
		return tokenResponse{}, &AuthError{User: user, Reason: "the user has not signed in yet (no refresh token): send an invitation"}
	}
	if err != nil {
		return tokenResponse{}, fmt.Errorf("msgraph: reading the refresh token of %s: %w", user, err)
	}
	tr, err := c.tokenRequest(ctx, url.Values{"grant_type": {"refresh_token"}, "client_id": {c.set.ClientID},
		"refresh_token": {string(rt)}, "scope": {delegatedScopes}})
	if err != nil {
		var ae *AuthError
		if errors.As(err, &ae) {
			ae.User = user
		}
		return tokenResponse{}, err
	}
	if tr.RefreshToken != "" {
		if err := c.secrets.Put(ctx, secretRefresh(user), []byte(tr.RefreshToken)); err != nil {
			return tokenResponse{}, fmt.Errorf("msgraph: saving the rotated refresh token of %s: %w", user, err)
		}
	}
	return tr, nil
}

// AuthError is an OAuth grant failure: consent revoked, a refresh token expired or revoked (including a
// Conditional Access sign-in frequency policy), a bad client secret. It wraps engine.ErrAuth; User names the
// delegated user whose grant failed (empty for app-only), so the dashboard can re-invite them and tell the admin.
type AuthError struct {
	User   string
	Code   string // the OAuth error (invalid_grant, invalid_client, ...)
	Reason string
}

func (e *AuthError) Error() string {
	who := "the application"
	if e.User != "" {
		who = "user " + e.User
	}
	return fmt.Sprintf("authentication failed for %s: %s %s", who, e.Code, e.Reason)
}

// Unwrap returns engine.ErrAuth.
func (e *AuthError) Unwrap() error { return engine.ErrAuth }

// tokenRequest posts to the token endpoint. It is governed by the app scope.
func (c *Connector) tokenRequest(ctx context.Context, form url.Values) (tokenResponse, error) {
	tenant := c.set.TenantID
	endpoint := c.authority + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
	if err := c.addCredential(ctx, form, endpoint); err != nil {
		return tokenResponse{}, err
	}
	permit, err := c.gov.Acquire(ctx, c.scopes("")...)
	if err != nil {
		return tokenResponse{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		permit.Done(engine.Outcome{Err: err})
		return tokenResponse{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start := c.now()
	resp, err := c.http.Do(req)
	if err != nil {
		permit.Done(engine.Outcome{Err: err, Latency: c.now().Sub(start)})
		return tokenResponse{}, fmt.Errorf("msgraph: token endpoint: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	out := engine.Outcome{Status: resp.StatusCode, Latency: c.now().Sub(start)}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := retryAfter(resp.Header, c.now()); ok {
			out.RetryAfter = d
		}
		permit.Done(out)
		return tokenResponse{}, &engine.RetryAfterError{Wait: out.RetryAfter, Err: fmt.Errorf("token endpoint: HTTP %d", resp.StatusCode)}
	}
	permit.Done(out)
	var tr tokenResponse
	if err := json.Unmarshal(b, &tr); err != nil {
		return tokenResponse{}, fmt.Errorf("msgraph: token endpoint: HTTP %d, undecodable answer: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		if tr.Error == "" {
			return tokenResponse{}, fmt.Errorf("msgraph: token endpoint: HTTP %d", resp.StatusCode)
		}
		if resp.StatusCode >= 500 {
			return tokenResponse{}, fmt.Errorf("msgraph: token endpoint: HTTP %d %s", resp.StatusCode, engine.QuoteRemote(tr.Error))
		}
		return tokenResponse{}, &AuthError{Code: engine.QuoteRemote(tr.Error), Reason: grantReason(tr.Error, engine.QuoteRemote(firstLine(tr.Description)))}
	}
	return tr, nil
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// AdminConsentURL returns the URL that starts the admin-consent flow ("Sign in with Microsoft" on the
// dashboard). The admin signs in, grants the application permissions for the whole tenant, and Entra ID
// redirects to the configured redirect URL with tenant, admin_consent and state.
func (c *Connector) AdminConsentURL(state string) string {
	tenant := c.set.TenantID
	if tenant == "" {
		tenant = "organizations"
	}
	q := url.Values{"client_id": {c.set.ClientID}, "redirect_uri": {c.set.RedirectURL}, "state": {state}}
	return c.authority + "/" + url.PathEscape(tenant) + "/adminconsent?" + q.Encode()
}

// HandleConsentCallback checks the admin-consent redirect's query (state must equal wantState) and returns the
// consenting tenant's id, which it stores in Secrets (SecretTenant). The caller persists it into the settings'
// tenantId as well.
func (c *Connector) HandleConsentCallback(ctx context.Context, query url.Values, wantState string) (string, error) {
	if e := query.Get("error"); e != "" {
		return "", &AuthError{Code: e, Reason: firstLine(query.Get("error_description"))}
	}
	if wantState == "" || query.Get("state") != wantState {
		return "", errors.New("msgraph: admin consent: the state does not match (a forged or stale callback)")
	}
	if !strings.EqualFold(query.Get("admin_consent"), "true") {
		return "", &AuthError{Code: "consent_denied", Reason: "the administrator did not grant consent"}
	}
	tenant := strings.TrimSpace(query.Get("tenant"))
	if tenant == "" {
		return "", errors.New("msgraph: admin consent: the callback carries no tenant")
	}
	if c.secrets != nil {
		if err := c.secrets.Put(ctx, SecretTenant, []byte(tenant)); err != nil {
			return "", fmt.Errorf("msgraph: saving the tenant id: %w", err)
		}
	}
	return tenant, nil
}

// NewPKCE returns a fresh PKCE verifier and its S256 challenge.
func NewPKCE() (verifier, challenge string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// AuthCodeURL returns the authorize URL a delegated user opens from the invitation link (authorization code with
// PKCE, S256).
func (c *Connector) AuthCodeURL(state, pkceChallenge string) string {
	q := url.Values{"client_id": {c.set.ClientID}, "response_type": {"code"}, "redirect_uri": {c.set.RedirectURL},
		"response_mode": {"query"}, "scope": {delegatedScopes}, "state": {state}, "code_challenge": {pkceChallenge},
		"code_challenge_method": {"S256"}, "prompt": {"select_account"}}
	return c.authority + "/" + url.PathEscape(c.set.TenantID) + "/oauth2/v2.0/authorize?" + q.Encode()
}

// ExchangeCode redeems the authorization code of the invitation flow for user (the mailbox's Graph user id or
// address, as the profile links it) and saves the refresh token in Secrets at once — only when the account that
// signed in is user (checkGrantAccount): a grant of another account (chosen by mistake at the account picker, or a
// colleague's who opened a forwarded link) is refused with AuthError code wrong_account and not stored.
func (c *Connector) ExchangeCode(ctx context.Context, user, code, pkceVerifier string) error {
	if c.secrets == nil {
		return errors.New("msgraph: no secret store for delegated tokens")
	}
	tr, err := c.tokenRequest(ctx, url.Values{"grant_type": {"authorization_code"}, "client_id": {c.set.ClientID},
		"code": {code}, "code_verifier": {pkceVerifier}, "redirect_uri": {c.set.RedirectURL}, "scope": {delegatedScopes}})
	if err != nil {
		var ae *AuthError
		if errors.As(err, &ae) {
			ae.User = user
		}
		return err
	}
	if tr.RefreshToken == "" {
		return &AuthError{User: user, Code: "no_refresh_token", Reason: "the token endpoint returned no refresh token (offline_access not granted)"}
	}
	if err := c.checkGrantAccount(ctx, user, tr.AccessToken); err != nil {
		return err
	}
	if err := c.secrets.Put(ctx, secretRefresh(user), []byte(tr.RefreshToken)); err != nil {
		return fmt.Errorf("msgraph: saving the refresh token of %s: %w", user, err)
	}
	key := strings.ToLower(user)
	c.tokens.mu.Lock()
	c.tokens.cache[key] = cachedToken{access: tr.AccessToken, expires: c.now().Add(time.Duration(tr.ExpiresIn) * time.Second)}
	c.tokens.mu.Unlock()
	return nil
}

// checkGrantAccount asks Graph who a new delegated access token belongs to (GET /me, within the User.Read scope the
// sign-in asks for) and refuses it unless user is that account's id, mail, user principal name or one of its SMTP
// proxy addresses (case-insensitive). Without the check the refresh token of whoever signed in would be stored as
// user's, and the mailbox would be synced with another person's rights and in their name.
func (c *Connector) checkGrantAccount(ctx context.Context, user, access string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.graph+"/v1.0/me?$select=id,mail,userPrincipalName,proxyAddresses", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("msgraph: checking the signed-in account of %s: %w", user, err)
	}
	defer resp.Body.Close()
	var me struct {
		ID                string   `json:"id"`
		Mail              string   `json:"mail"`
		UserPrincipalName string   `json:"userPrincipalName"`
		ProxyAddresses    []string `json:"proxyAddresses"`
	}
	if resp.StatusCode != http.StatusOK {
		return &AuthError{User: user, Code: "account_unverified", Reason: fmt.Sprintf("Graph answered HTTP %d to /me, so the signed-in account could not be checked", resp.StatusCode)}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&me); err != nil {
		return &AuthError{User: user, Code: "account_unverified", Reason: "Graph's answer to /me is not a user: " + err.Error()}
	}
	names := []string{me.ID, me.Mail, me.UserPrincipalName}
	for _, p := range me.ProxyAddresses {
		if scheme, addr, ok := strings.Cut(p, ":"); ok && strings.EqualFold(scheme, "smtp") {
			names = append(names, addr)
		}
	}
	for _, n := range names {
		if n != "" && strings.EqualFold(strings.TrimSpace(n), strings.TrimSpace(user)) {
			return nil
		}
	}
	who := me.UserPrincipalName
	if who == "" {
		who = me.ID
	}
	return &AuthError{User: user, Code: "wrong_account",
		Reason: fmt.Sprintf("the sign-in was made with the account %s, not with %s: sign in with the mailbox's own account", who, user)}
}
