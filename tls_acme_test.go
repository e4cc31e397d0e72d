package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/letsencrypt/challtestsrv"
	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lockedWriter serialises writes of Pebble's loggers into one buffer.
type lockedWriter struct{ b *syncBuffer }

func (w lockedWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

// TestACMEWithPebble obtains a certificate from Let's Encrypt's Pebble ACME
// server, run in-process on loopback, through the real --domain code path:
// challtestsrv answers DNS for the test domain with 127.0.0.1, Pebble's VA
// really validates the challenge against our HTTPS (TLS-ALPN-01) and HTTP
// (HTTP-01) listeners, and the test then completes an HTTPS request that
// verifies the issued certificate against Pebble's root. Finally it checks
// that the certificate was cached in the store: a restart serves it with the
// ACME server gone.
func TestACMEWithPebble(t *testing.T) {
	const domain = "synchronizer.example.com"
	t.Setenv("PEBBLE_VA_NOSLEEP", "1") // the VA's random 0-5 s sleep only slows the test

	pebbleLog := &syncBuffer{}
	logger := log.New(lockedWriter{pebbleLog}, "pebble ", log.Lmicroseconds)
	defer func() {
		if t.Failed() {
			t.Logf("pebble log:\n%s", pebbleLog.String())
		}
	}()

	// DNS: the test domain resolves to 127.0.0.1 only.
	dnsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	dnsSrv, err := challtestsrv.New(challtestsrv.Config{DNSAddrs: []string{dnsAddr}, Log: logger})
	if err != nil {
		t.Fatalf("challtestsrv: %v", err)
	}
	dnsSrv.SetDefaultDNSIPv4("")
	dnsSrv.SetDefaultDNSIPv6("")
	dnsSrv.AddDNSARecord(domain, []string{"127.0.0.1"})
	dnsSrv.Run()
	defer dnsSrv.Shutdown()

	// Pebble, validating on our test ports.
	httpsPort, httpPort := freePort(t), freePort(t)
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(logger, httpPort, httpsPort, false, dnsAddr, store)
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 1, 1)
	acmeSrv := httptest.NewUnstartedServer(front.Handler())
	acmeSrv.StartTLS()
	defer acmeSrv.Close()

	// Our server trusts the ACME server's certificate through --acme-ca.
	caFile := filepath.Join(t.TempDir(), "acme-ca.pem")
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: acmeSrv.Certificate().Raw})
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Domains = []string{domain}
	cfg.ACMEDirectory = acmeSrv.URL + wfe.DirectoryPath
	cfg.ACMECA = caFile
	cfg.HTTPSListen = net.JoinHostPort("127.0.0.1", strconv.Itoa(httpsPort))
	cfg.HTTPListen = net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ts := startServe(t, cfg)
	wantSetup := "https://" + domain + ":" + strconv.Itoa(httpsPort) + "/setup?token="
	if !strings.HasPrefix(ts.st.setupURL, wantSetup) {
		t.Errorf("setup URL %q, want prefix %q", ts.st.setupURL, wantSetup)
	}

	// The client trusts only Pebble's root and dials the domain on loopback.
	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	client := &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				_, port, _ := net.SplitHostPort(addr)
				return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
			},
		},
	}
	httpsURL := "https://" + net.JoinHostPort(domain, strconv.Itoa(httpsPort))
	resp, err := client.Get(httpsURL + "/healthz")
	if err != nil {
		t.Fatalf("HTTPS request with the ACME certificate: %v\nserver log:\n%s", err, ts.stderr.String())
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz over HTTPS: %s", resp.Status)
	}
	leaf := resp.TLS.PeerCertificates[0]
	if err := leaf.VerifyHostname(domain); err != nil {
		t.Errorf("issued certificate: %v", err)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header over HTTPS")
	}
	if resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("negotiated TLS version %x", resp.TLS.Version)
	}

	// Pebble's VA really validated a challenge against our listeners.
	plog := pebbleLog.String()
	if !bytes.Contains([]byte(plog), []byte("set VALID by completed challenge")) ||
		bytes.Contains([]byte(plog), []byte("Skipping real validation")) {
		t.Errorf("pebble did not validate a challenge for real:\n%s", plog)
	}

	// The HTTP listener answers /healthz and redirects everything else.
	noRedirect := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	req, _ := http.NewRequest(http.MethodGet, "http://"+cfg.HTTPListen+"/graphql?x=1", nil)
	req.Host = domain
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != httpsURL+"/graphql?x=1" {
		t.Errorf("HTTP redirect: %d to %q", resp.StatusCode, loc)
	}
	resp, err = noRedirect.Get("http://" + cfg.HTTPListen + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HTTP /healthz: %s", resp.Status)
	}

	// A handshake without a name (probing by IP) gets the local fallback
	// certificate instead of failing.
	conn, err := tls.Dial("tcp", cfg.HTTPSListen, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // inspecting the fallback certificate
	if err != nil {
		t.Fatalf("handshake without SNI: %v", err)
	}
	if err := conn.ConnectionState().PeerCertificates[0].VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("fallback certificate: %v", err)
	}
	conn.Close()

	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}

	// The certificate lives in the store: with the ACME server gone, a
	// restarted server still completes the handshake with it.
	acmeSrv.Close()
	ts2 := startServe(t, cfg)
	client.Transport.(*http.Transport).CloseIdleConnections()
	resp, err = client.Get(httpsURL + "/healthz")
	if err != nil {
		t.Fatalf("HTTPS after restart without the ACME server: %v", err)
	}
	resp.Body.Close()
	if !resp.TLS.PeerCertificates[0].Equal(leaf) {
		t.Error("restart served a different certificate than the cached one")
	}
	if err := ts2.stop(t); err != nil {
		t.Fatal(err)
	}
}
