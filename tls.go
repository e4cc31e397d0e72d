package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// selfSignedCacheKey is the name under which the self-signed certificate is
// kept in the certificate cache. It has no dot, so it can never collide with
// a certificate autocert stores for a domain.
const selfSignedCacheKey = "synchronizer-self-signed"

// selfSignedValidity is the lifetime of a generated certificate and
// selfSignedRenewBefore how long before its end a new one is made.
const (
	selfSignedValidity    = 365 * 24 * time.Hour
	selfSignedRenewBefore = 30 * 24 * time.Hour
)

// baseTLSConfig is the TLS configuration shared by every HTTPS listener.
func baseTLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
	}
}

// selfSigned hands out a self-signed certificate for the loopback names and
// the configured domains, kept in the certificate cache and regenerated
// shortly before it expires. It is safe for concurrent use.
type selfSigned struct {
	cache  autocert.Cache
	names  []string // DNS names and IP literals the certificate covers
	now    func() time.Time
	logger *slog.Logger

	mu   sync.Mutex // guards cert
	cert *tls.Certificate
}

func newSelfSigned(cache autocert.Cache, domains []string, now func() time.Time, logger *slog.Logger) *selfSigned {
	names := []string{"localhost", "127.0.0.1", "::1"}
	for _, d := range domains {
		if !slices.Contains(names, d) {
			names = append(names, d)
		}
	}
	return &selfSigned{cache: cache, names: names, now: now, logger: logger}
}

// GetCertificate returns the current certificate, loading or generating it
// when there is none or it is about to expire.
func (s *selfSigned) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	ctx := context.Background()
	if hello != nil && hello.Context() != nil {
		ctx = hello.Context()
	}
	return s.get(ctx)
}

func (s *selfSigned) get(ctx context.Context) (*tls.Certificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cert != nil && s.fresh(s.cert.Leaf) {
		return s.cert, nil
	}
	if data, err := s.cache.Get(ctx, selfSignedCacheKey); err == nil {
		if cert, err := parseCertPEM(data); err == nil && s.fresh(cert.Leaf) {
			s.cert = cert
			return cert, nil
		}
	} else if !errors.Is(err, autocert.ErrCacheMiss) {
		return nil, fmt.Errorf("self-signed certificate: read from store: %w", err)
	}
	data, cert, err := s.generate()
	if err != nil {
		return nil, err
	}
	if err := s.cache.Put(ctx, selfSignedCacheKey, data); err != nil {
		return nil, fmt.Errorf("self-signed certificate: save to store: %w", err)
	}
	s.logger.Info("generated a self-signed TLS certificate", slog.Any("names", s.names),
		slog.Time("not_after", cert.Leaf.NotAfter))
	s.cert = cert
	return cert, nil
}

// fresh reports whether leaf covers every name and is not close to expiry.
func (s *selfSigned) fresh(leaf *x509.Certificate) bool {
	if leaf == nil || s.now().Add(selfSignedRenewBefore).After(leaf.NotAfter) {
		return false
	}
	for _, n := range s.names {
		if leaf.VerifyHostname(n) != nil {
			return false
		}
	}
	return true
}

func (s *selfSigned) generate() ([]byte, *tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: serial: %w", err)
	}
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Synchronizer self-signed", Organization: []string{"Synchronizer"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, n := range s.names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: create: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("self-signed certificate: encode key: %w", err)
	}
	var buf bytes.Buffer
	_ = pem.Encode(&buf, &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := parseCertPEM(buf.Bytes())
	if err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), cert, nil
}

// parseCertPEM parses a private key followed by a certificate chain, the
// layout autocert uses in its cache too.
func parseCertPEM(data []byte) (*tls.Certificate, error) {
	cert, err := tls.X509KeyPair(data, data)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	if cert.Leaf == nil {
		leaf, err := x509.ParseCertificate(cert.Certificate[0])
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		cert.Leaf = leaf
	}
	return &cert, nil
}

// loadStaticCert loads --tls-cert/--tls-key with errors that name the files.
func loadStaticCert(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile) //nolint:gosec // path given by the operator
	if err != nil {
		return nil, fmt.Errorf("--tls-cert: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile) //nolint:gosec // path given by the operator
	if err != nil {
		return nil, fmt.Errorf("--tls-key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s / --tls-key %s: %w", certFile, keyFile, err)
	}
	return &cert, nil
}

// newACMEManager builds the autocert manager for --domain: certificates for
// exactly the configured names, cached in the store.
func newACMEManager(cfg Config, cache autocert.Cache) (*autocert.Manager, error) {
	client := &acme.Client{DirectoryURL: cfg.ACMEDirectory}
	if cfg.ACMECA != "" {
		pemData, err := os.ReadFile(cfg.ACMECA)
		if err != nil {
			return nil, fmt.Errorf("--acme-ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("--acme-ca: %s holds no PEM certificate", cfg.ACMECA)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // DefaultTransport is an *http.Transport
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		client.HTTPClient = &http.Client{Transport: tr, Timeout: time.Minute}
	}
	return &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(cfg.Domains...),
		Cache:      cache,
		Client:     client,
		Email:      cfg.ACMEEmail,
	}, nil
}

// acmeTLSConfig is the TLS configuration of the --domain HTTPS listener:
// autocert for the configured names (including TLS-ALPN-01 challenges) and,
// like Caddy's local fallback, the self-signed certificate for requests that
// carry no name or a name autocert can never get (localhost, IP addresses),
// so that probes by IP still complete a handshake.
func acmeTLSConfig(m *autocert.Manager, local *selfSigned) *tls.Config {
	cfg := m.TLSConfig()
	cfg.MinVersion = tls.VersionTLS12
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		name := strings.TrimSuffix(hello.ServerName, ".")
		if name == "" || name == "localhost" || net.ParseIP(name) != nil {
			return local.GetCertificate(hello)
		}
		return m.GetCertificate(hello)
	}
	return cfg
}
