package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/synchronizer/synchronizer/graph/model"
)

// tlsExpiryWarn is how close to its end a certificate is reported as a problem: renewal (ACME, self-signed)
// starts 30 days before, so a certificate this close to its end was not renewed.
const tlsExpiryWarn = 14 * 24 * time.Hour

// tlsWatch answers tlsStatus: what serve knows of its TLS set-up (the mode, the domains, the certificate loaded
// at start, the certificate cache) and the failures to obtain a certificate it has seen since the start. It never
// exposes a private key. It is safe for concurrent use.
type tlsWatch struct {
	cfg   Config
	cache autocert.Cache // the store's certificate cache (ACME, self-signed)
	now   func() time.Time
	// own is the certificate --tls-cert held when the server started (what it serves until restarted).
	own *x509.Certificate

	mu        sync.Mutex
	publicURL string
	lastErr   string
	lastErrAt time.Time
}

// newTLSWatch builds the watch for cfg; in OWN mode it reads the leaf of --tls-cert as serve loads it at start.
func newTLSWatch(cfg Config, cache autocert.Cache, now func() time.Time) (*tlsWatch, error) {
	w := &tlsWatch{cfg: cfg, cache: cache, now: now}
	if cfg.TLSMode() == TLSStatic {
		cert, err := loadStaticCert(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, err
		}
		leaf, err := x509.ParseCertificate(cert.Certificate[0])
		if err != nil {
			return nil, fmt.Errorf("--tls-cert %s: %w", cfg.TLSCert, err)
		}
		w.own = leaf
	}
	return w, nil
}

// setPublicURL records the base URL printed at start (known once the listeners are bound).
func (w *tlsWatch) setPublicURL(u string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.publicURL = u
}

// watchServers wraps the ACME listener's GetCertificate so that a failure to obtain a certificate for one of the
// configured domains is recorded (and cleared by the next success). Call it before the listeners are bound.
func (w *tlsWatch) watchServers(ls []*listener) {
	if w.cfg.TLSMode() != TLSACME {
		return
	}
	for _, l := range ls {
		tc := l.srv.TLSConfig
		if tc == nil || tc.GetCertificate == nil {
			continue
		}
		get := tc.GetCertificate
		tc.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			c, err := get(hello)
			w.observe(strings.ToLower(strings.TrimSuffix(hello.ServerName, ".")), err)
			return c, err
		}
	}
}

// observe records the outcome of a certificate request for name when name is a configured domain.
func (w *tlsWatch) observe(name string, err error) {
	if name == "" || !w.isDomain(name) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		w.lastErr, w.lastErrAt = "", time.Time{}
		return
	}
	w.lastErr, w.lastErrAt = name+": "+err.Error(), w.now().UTC()
}

func (w *tlsWatch) isDomain(name string) bool {
	for _, d := range w.cfg.Domains {
		if strings.EqualFold(d, name) {
			return true
		}
	}
	return false
}

// TLSStatus implements graph.Ops.
func (w *tlsWatch) TLSStatus(ctx context.Context) (*model.TLSStatus, error) {
	now := w.now()
	w.mu.Lock()
	st := &model.TLSStatus{Domains: append([]string{}, w.cfg.Domains...), PublicURL: w.publicURL,
		Certificates: []*model.TLSCertificate{}, Problems: []*model.TLSProblem{}}
	if w.lastErr != "" {
		msg, at := w.lastErr, w.lastErrAt
		st.RenewalError, st.RenewalErrorAt = &msg, &at
	}
	w.mu.Unlock()
	problem := func(sev, domain, msg, action string) {
		p := &model.TLSProblem{Severity: sev, Message: msg, Action: action}
		if domain != "" {
			d := domain
			p.Domain = &d
		}
		st.Problems = append(st.Problems, p)
	}
	switch w.cfg.TLSMode() {
	case TLSOff:
		st.Mode = model.TLSModePlain
		if !isLoopback(w.cfg.Listen) {
			problem("error", "", "Plain HTTP on "+w.cfg.Listen+": passwords and sessions cross the network in clear.",
				"Start the server with --domain NAME (a certificate from Let's Encrypt), --tls-cert/--tls-key or --self-signed, or put a TLS proxy in front and listen on 127.0.0.1 only.")
		}
	case TLSStatic:
		st.Mode = model.TLSModeOwn
		if w.own != nil {
			c := certOut("", w.own, now)
			st.Certificates = append(st.Certificates, c)
			w.expiry(c, problem, "Put the renewed certificate and key at --tls-cert "+w.cfg.TLSCert+" and --tls-key and restart the server (it loads them at start).")
		}
	case TLSSelfSigned:
		st.Mode = model.TLSModeSelfSigned
		if leaf, err := w.cached(ctx, selfSignedCacheKey); err == nil {
			c := certOut("", leaf, now)
			st.Certificates = append(st.Certificates, c)
			w.expiry(c, problem, "Restart the server: it makes a new self-signed certificate 30 days before the old one ends; check the log if it does not.")
		} else if !errors.Is(err, autocert.ErrCacheMiss) {
			return nil, err
		}
		problem("warning", "", "The certificate is self-signed: browsers warn and Microsoft or SuperOffice cannot deliver webhooks to it.",
			"For a trusted certificate start the server with --domain NAME (ports 80 and 443 reachable from the internet) or --tls-cert/--tls-key.")
	case TLSACME:
		st.Mode = model.TLSModeAutocert
		st.HTTPRedirect = true
		for _, d := range w.cfg.Domains {
			leaf, err := w.cached(ctx, d)
			if errors.Is(err, autocert.ErrCacheMiss) {
				leaf, err = w.cached(ctx, d+"+rsa")
			}
			switch {
			case errors.Is(err, autocert.ErrCacheMiss):
				problem("warning", d, "No certificate for "+d+" yet: it is requested from the ACME CA at the first HTTPS request for "+d+".",
					"Open https://"+d+"/ once. "+d+" must resolve to this server and ports 80 and 443 must be reachable from the internet; the log names any ACME error.")
				continue
			case err != nil:
				return nil, err
			}
			c := certOut(d, leaf, now)
			st.Certificates = append(st.Certificates, c)
			w.expiry(c, problem, "Renewal starts 30 days before the end and has not succeeded: check that "+d+
				" resolves to this server, that ports 80 and 443 are reachable from the internet, and the log for ACME errors.")
		}
		if st.RenewalError != nil {
			problem("error", "", "Obtaining a certificate failed: "+*st.RenewalError,
				"Check DNS for the domain, that ports 80 and 443 are reachable from the internet, and --acme-email / --acme-directory.")
		}
	}
	return st, nil
}

// expiry adds a problem when c has ended or ends within tlsExpiryWarn.
func (w *tlsWatch) expiry(c *model.TLSCertificate, problem func(sev, domain, msg, action string), action string) {
	what := "The certificate"
	if c.Domain != "" {
		what += " for " + c.Domain
	}
	switch {
	case c.DaysLeft < 0 || !w.now().Before(c.NotAfter):
		problem("error", c.Domain, what+" expired on "+c.NotAfter.UTC().Format(time.DateOnly)+": browsers refuse the connection.", action)
	case c.NotAfter.Sub(w.now()) < tlsExpiryWarn:
		problem("error", c.Domain, fmt.Sprintf("%s expires in %d days (%s) and has not been renewed.", what, c.DaysLeft,
			c.NotAfter.UTC().Format(time.DateOnly)), action)
	}
}

// cached parses the leaf certificate of a cache entry (a private key followed by the chain); the key is skipped.
func (w *tlsWatch) cached(ctx context.Context, name string) (*x509.Certificate, error) {
	if w.cache == nil {
		return nil, autocert.ErrCacheMiss
	}
	data, err := w.cache.Get(ctx, name)
	if err != nil {
		if errors.Is(err, autocert.ErrCacheMiss) {
			return nil, err
		}
		return nil, fmt.Errorf("certificate %s: read from store: %w", name, err)
	}
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			leaf, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate %s: %w", name, err)
			}
			return leaf, nil
		}
	}
	return nil, fmt.Errorf("certificate %s: the stored entry holds no certificate", name)
}

// certOut is the public view of leaf.
func certOut(domain string, leaf *x509.Certificate, now time.Time) *model.TLSCertificate {
	names := append([]string{}, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	return &model.TLSCertificate{Domain: domain, Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
		DNSNames: names, NotBefore: leaf.NotBefore.UTC(), NotAfter: leaf.NotAfter.UTC(),
		DaysLeft: int(math.Floor(leaf.NotAfter.Sub(now).Hours() / 24))}
}
