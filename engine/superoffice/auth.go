package superoffice

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// The secrets a SuperOffice connector keeps (engine.Secrets names).
const (
	SecretPartnerKey   = "partner_key"   // PEM RSA private key of the partner application (online)
	SecretClientSecret = "client_secret" // the application's client secret, sent as SO-AppToken (online)
	SecretSystemToken  = "system_token"  // from the admin's consent (online)
	SecretTicket       = "ticket"        // the current system-user ticket (cached) or the on-site SOTicket
	SecretPassword     = "password"      // on-site Basic password
)

// Claim names of SuperOffice id_tokens and system-user tokens.
const (
	ClaimPrefix      = "http://schemes.superoffice.net/identity/"
	ClaimContext     = ClaimPrefix + "ctx"
	ClaimWebAPIURL   = ClaimPrefix + "webapi_url"
	ClaimSystemToken = ClaimPrefix + "system_token"
	ClaimTicket      = ClaimPrefix + "ticket"
	ClaimAssociateID = ClaimPrefix + "associateid"
	ClaimEmail       = ClaimPrefix + "email"
)

// SignSystemToken signs "<systemToken>.<UTC yyyyMMddHHmm>" with the partner key (RSA PKCS#1 v1.5, SHA-256) and
// returns the token with ".<base64 signature>" appended, as PartnerSystemUser/Authenticate expects.
func SignSystemToken(key *rsa.PrivateKey, systemToken string, now time.Time) (string, error) {
	msg := systemToken + "." + now.UTC().Format("200601021504")
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("superoffice: sign system token: %w", err)
	}
	return msg + "." + base64.StdEncoding.EncodeToString(sig), nil
}

// ParsePartnerKey reads a PEM RSA private key (PKCS#1 or PKCS#8).
func ParsePartnerKey(pemData []byte) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode(pemData)
	if b == nil {
		return nil, errors.New("partner key: no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("partner key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("partner key: not an RSA key")
	}
	return rk, nil
}

// OIDC is the client side of "Sign in with SuperOffice" (OpenID Connect authorization code flow) against one
// SuperOffice environment's login service. The admin's sign-in grants the application consent and yields the
// system token and the tenant's webapi_url; users signing in to their portal get their identity (e-mail and
// associate id) mapped to our user role by the caller.
type OIDC struct {
	Issuer       string // the login service, e.g. "https://online.superoffice.com/login"
	ClientID     string
	ClientSecret string
	RedirectURL  string
	// Scopes are the scopes requested; nil means just "openid" (the admin's sign-in). A user's portal sign-in asks
	// for openid and email.
	Scopes []string
	HTTP   *http.Client
	Now    func() time.Time

	mu   sync.Mutex
	disc *discovery
	keys map[string]*rsa.PublicKey
}

type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

// Claims are the verified claims of an id_token.
type Claims struct {
	Subject           string
	Email             string
	ContextIdentifier string
	WebAPIURL         string
	SystemToken       string
	AssociateID       string
	Expires           time.Time
	Raw               map[string]any
}

func (o *OIDC) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *OIDC) client() *http.Client {
	if o.HTTP != nil {
		return o.HTTP
	}
	return http.DefaultClient
}

// Discover reads the provider's openid-configuration (cached).
func (o *OIDC) Discover(ctx context.Context) error {
	o.mu.Lock()
	done := o.disc != nil
	o.mu.Unlock()
	if done {
		return nil
	}
	var d discovery
	if err := getJSON(ctx, o.client(), strings.TrimSuffix(o.Issuer, "/")+"/.well-known/openid-configuration", &d); err != nil {
		return fmt.Errorf("superoffice oidc: discovery: %w", err)
	}
	if d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" || d.JWKSURI == "" || d.Issuer == "" {
		return errors.New("superoffice oidc: discovery: endpoints missing")
	}
	o.mu.Lock()
	o.disc = &d
	o.mu.Unlock()
	return nil
}

// discovered returns the cached discovery document; Discover must have succeeded. Discovery may run again
// concurrently (a ticket renewal on another goroutine), so the field is read under the lock.
func (o *OIDC) discovered() *discovery {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.disc
}

// AuthURL is where to send the admin's browser. Discover must have succeeded.
func (o *OIDC) AuthURL(state, nonce string) string {
	o.mu.Lock()
	d := o.disc
	o.mu.Unlock()
	if d == nil {
		return ""
	}
	q := url.Values{"client_id": {o.ClientID}, "redirect_uri": {o.RedirectURL}, "response_type": {"code"},
		"scope": {"openid"}, "state": {state}, "nonce": {nonce}}
	if len(o.Scopes) > 0 {
		q.Set("scope", strings.Join(o.Scopes, " "))
	}
	return d.AuthorizationEndpoint + "?" + q.Encode()
}

// Exchange redeems an authorization code and returns the id_token's claims after verifying its signature (JWKS),
// issuer, audience, expiry and nonce.
func (o *OIDC) Exchange(ctx context.Context, code, nonce string) (Claims, error) {
	if err := o.Discover(ctx); err != nil {
		return Claims{}, err
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {o.ClientID},
		"client_secret": {o.ClientSecret}, "redirect_uri": {o.RedirectURL}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.discovered().TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return Claims{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := o.client().Do(req)
	if err != nil {
		return Claims{}, fmt.Errorf("superoffice oidc: token endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return Claims{}, fmt.Errorf("superoffice oidc: token endpoint answered %d: %s", resp.StatusCode, engine.QuoteRemote(string(body)))
	}
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.IDToken == "" {
		return Claims{}, errors.New("superoffice oidc: token response has no id_token")
	}
	raw, err := o.Verify(ctx, tok.IDToken)
	if err != nil {
		return Claims{}, err
	}
	if iss, want := raw["iss"].(string), o.discovered().Issuer; iss != want {
		return Claims{}, fmt.Errorf("superoffice oidc: id_token issuer %q, want %q", iss, want)
	}
	if !audienceHas(raw["aud"], o.ClientID) {
		return Claims{}, fmt.Errorf("superoffice oidc: id_token audience %v does not include %q", raw["aud"], o.ClientID)
	}
	if n, _ := raw["nonce"].(string); subtle.ConstantTimeCompare([]byte(n), []byte(nonce)) != 1 || nonce == "" {
		return Claims{}, errors.New("superoffice oidc: id_token nonce does not match")
	}
	c := Claims{Raw: raw}
	c.Subject, _ = raw["sub"].(string)
	c.Email, _ = raw[ClaimEmail].(string)
	c.ContextIdentifier, _ = raw[ClaimContext].(string)
	c.WebAPIURL, _ = raw[ClaimWebAPIURL].(string)
	c.SystemToken, _ = raw[ClaimSystemToken].(string)
	c.AssociateID, _ = raw[ClaimAssociateID].(string)
	if exp, ok := raw["exp"].(float64); ok {
		c.Expires = time.Unix(int64(exp), 0)
	}
	return c, nil
}

func audienceHas(aud any, id string) bool {
	switch a := aud.(type) {
	case string:
		return a == id
	case []any:
		for _, x := range a {
			if s, _ := x.(string); s == id {
				return true
			}
		}
	}
	return false
}

// Verify checks a JWT's RS256 signature against the provider's JWKS and its exp/nbf, and returns its claims.
func (o *OIDC) Verify(ctx context.Context, jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errors.New("superoffice oidc: token is not a JWT")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return nil, fmt.Errorf("superoffice oidc: JWT header: %w", err)
	}
	if hdr.Alg != "RS256" {
		return nil, fmt.Errorf("superoffice oidc: JWT alg %q, want RS256", hdr.Alg)
	}
	key, err := o.key(ctx, hdr.Kid)
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("superoffice oidc: JWT signature is not base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return nil, errors.New("superoffice oidc: JWT signature does not verify")
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("superoffice oidc: JWT claims: %w", err)
	}
	now := o.now()
	exp, ok := claims["exp"].(float64)
	if !ok || now.After(time.Unix(int64(exp), 0).Add(time.Minute)) {
		return nil, errors.New("superoffice oidc: JWT expired or without exp")
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Add(time.Minute).Before(time.Unix(int64(nbf), 0)) {
		return nil, errors.New("superoffice oidc: JWT not yet valid")
	}
	return claims, nil
}

func decodeSegment(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (o *OIDC) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if err := o.Discover(ctx); err != nil {
		return nil, err
	}
	o.mu.Lock()
	k, ok := o.keys[kid]
	o.mu.Unlock()
	if ok {
		return k, nil
	}
	var set struct {
		Keys []struct {
			Kty, Kid, N, E string
		} `json:"keys"`
	}
	if err := getJSON(ctx, o.client(), o.discovered().JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("superoffice oidc: JWKS: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, jk := range set.Keys {
		if jk.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(jk.N)
		e, err2 := base64.RawURLEncoding.DecodeString(jk.E)
		if err1 != nil || err2 != nil || len(e) > 4 {
			continue
		}
		keys[jk.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	o.mu.Lock()
	o.keys = keys
	o.mu.Unlock()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("superoffice oidc: no JWKS key %q", kid)
}

func getJSON(ctx context.Context, c *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// authenticator supplies the Authorization header of REST calls and renews it after a 401.
type authenticator struct {
	set     Settings
	secrets engine.Secrets
	http    *http.Client
	now     func() time.Time
	oidc    *OIDC // verifies system-user JWTs (online)

	mu        sync.Mutex
	header    string // current Authorization value
	appToken  string
	associate int32 // our system user's associate id, when known
}

// authorize returns the headers to send, fetching a ticket if none is cached.
func (a *authenticator) authorize(ctx context.Context) (auth, appToken string, err error) {
	a.mu.Lock()
	h, at := a.header, a.appToken
	a.mu.Unlock()
	if h != "" {
		return h, at, nil
	}
	if err := a.renew(ctx, ""); err != nil {
		return "", "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.header, a.appToken, nil
}

func (a *authenticator) secret(ctx context.Context, name string) (string, error) {
	if a.secrets == nil {
		return "", fmt.Errorf("%w: no secret store for %s", engine.ErrAuth, name)
	}
	b, err := a.secrets.Get(ctx, name)
	if errors.Is(err, engine.ErrNotFound) {
		return "", fmt.Errorf("%w: secret %q is not set", engine.ErrAuth, name)
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// renew gets new credentials unless someone else already replaced stale (the header that got 401).
func (a *authenticator) renew(ctx context.Context, stale string) error {
	a.mu.Lock()
	if stale != "" && a.header != stale {
		a.mu.Unlock()
		return nil
	}
	a.mu.Unlock()
	if a.set.Mode == "onsite" {
		if a.set.User != "" {
			pw, err := a.secret(ctx, SecretPassword)
			if err != nil {
				return err
			}
			h := "Basic " + base64.StdEncoding.EncodeToString([]byte(a.set.User+":"+pw))
			if h == stale {
				return fmt.Errorf("%w: the on-site user %q was refused", engine.ErrAuth, a.set.User)
			}
			a.set1(h, "")
			return nil
		}
		t, err := a.secret(ctx, SecretTicket)
		if err != nil {
			return err
		}
		h := "SOTicket " + t
		if h == stale {
			return fmt.Errorf("%w: the on-site ticket was refused", engine.ErrAuth)
		}
		a.set1(h, "")
		return nil
	}
	clientSecret, err := a.secret(ctx, SecretClientSecret)
	if err != nil {
		return err
	}
	if stale == "" {
		// A cached ticket from an earlier run is tried first; it slides for 6 hours.
		if t, err := a.secrets.Get(ctx, SecretTicket); err == nil && len(t) > 0 {
			a.set1("SOTicket "+string(t), clientSecret)
			return nil
		}
	}
	pemKey, err := a.secret(ctx, SecretPartnerKey)
	if err != nil {
		return err
	}
	key, err := ParsePartnerKey([]byte(pemKey))
	if err != nil {
		return fmt.Errorf("%w: %w", engine.ErrAuth, err)
	}
	sysTok, err := a.secret(ctx, SecretSystemToken)
	if err != nil {
		return err
	}
	signed, err := SignSystemToken(key, sysTok, a.now())
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"SignedSystemToken": signed, "ApplicationToken": clientSecret,
		"ContextIdentifier": a.set.ContextIdentifier, "ReturnTokenType": "JWT"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.set.LoginURL+"/api/PartnerSystemUser/Authenticate", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("superoffice: PartnerSystemUser/Authenticate: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		IsSuccessful bool
		ErrorMessage string
		Token        string
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("superoffice: PartnerSystemUser/Authenticate: status %d", resp.StatusCode)
	}
	if !out.IsSuccessful {
		return fmt.Errorf("%w: SuperOffice refused the system user: %s", engine.ErrAuth, out.ErrorMessage)
	}
	claims, err := a.oidc.Verify(ctx, out.Token)
	if err != nil {
		return fmt.Errorf("%w: system user token: %w", engine.ErrAuth, err)
	}
	ticket, _ := claims[ClaimTicket].(string)
	if ticket == "" {
		return fmt.Errorf("%w: system user token carries no ticket", engine.ErrAuth)
	}
	if s, _ := claims[ClaimAssociateID].(string); s != "" {
		if n, err := strconv.ParseInt(s, 10, 32); err == nil {
			a.mu.Lock()
			a.associate = int32(n)
			a.mu.Unlock()
		}
	}
	if err := a.secrets.Put(ctx, SecretTicket, []byte(ticket)); err != nil {
		return err
	}
	a.set1("SOTicket "+ticket, clientSecret)
	return nil
}

func (a *authenticator) set1(h, appToken string) {
	a.mu.Lock()
	a.header, a.appToken = h, appToken
	a.mu.Unlock()
}
