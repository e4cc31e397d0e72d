package main

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

func TestSelfSignedRenewsBeforeExpiry(t *testing.T) {
	t.Parallel()
	cache := autocert.DirCache(t.TempDir())
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ss := newSelfSigned(cache, []string{"sync.example.com"}, clock, newLogger(io.Discard, 0))
	first, err := ss.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"localhost", "127.0.0.1", "::1", "sync.example.com"} {
		if err := first.Leaf.VerifyHostname(n); err != nil {
			t.Errorf("certificate does not cover %s", n)
		}
	}
	// A fresh instance over the same cache loads the stored certificate.
	ss2 := newSelfSigned(cache, []string{"sync.example.com"}, clock, newLogger(io.Discard, 0))
	again, err := ss2.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !again.Leaf.Equal(first.Leaf) {
		t.Error("stored certificate was not reused")
	}
	// Close to expiry, a new certificate replaces it.
	now = first.Leaf.NotAfter.Add(-selfSignedRenewBefore + time.Hour)
	renewed, err := ss2.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Leaf.Equal(first.Leaf) || !renewed.Leaf.NotAfter.After(first.Leaf.NotAfter) {
		t.Error("certificate was not renewed before expiry")
	}
	// A new name forces a new certificate too.
	ss3 := newSelfSigned(cache, []string{"other.example.com"}, clock, newLogger(io.Discard, 0))
	other, err := ss3.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if other.Leaf.VerifyHostname("other.example.com") != nil {
		t.Error("certificate lacks the new domain")
	}
}

func TestLoadStaticCert(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	certFile := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, cert, key, want string
	}{
		{"missing cert", filepath.Join(dir, "nope.pem"), certFile, "--tls-cert"},
		{"missing key", certFile, filepath.Join(dir, "nope.key"), "--tls-key"},
		{"key is not a key", certFile, certFile, "--tls-cert " + certFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadStaticCert(tt.cert, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

// TestStaticTLSServe serves with --tls-cert/--tls-key made from a
// self-signed pair and checks the handshake and the TLS 1.2 minimum.
func TestStaticTLSServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ss := newSelfSigned(autocert.DirCache(dir), nil, time.Now, newLogger(io.Discard, 0))
	pemData, _, err := ss.generate()
	if err != nil {
		t.Fatal(err)
	}
	pair := filepath.Join(dir, "pair.pem")
	if err := os.WriteFile(pair, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.TLSCert, cfg.TLSKey = pair, pair
	ts := startServe(t, cfg)
	addr := ts.st.addrs["https"]
	if _, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}); err == nil { //nolint:gosec // testing the refusal
		t.Error("TLS 1.1 accepted")
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // self-made pair
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestBodyLimitChunked(t *testing.T) {
	t.Parallel()
	var got int
	h := withBodyLimit(10, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = len(b)
	}))
	// Within the limit, the handler sees the whole body.
	req := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(strings.NewReader("0123456789")))
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || got != 10 {
		t.Errorf("within limit: %d, handler read %d", rec.Code, got)
	}
	// Over the limit without a Content-Length: 413 and the handler never runs.
	got = -1
	req = httptest.NewRequest(http.MethodPost, "/", io.NopCloser(strings.NewReader("0123456789A")))
	req.ContentLength = -1
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || got != -1 || !strings.Contains(rec.Body.String(), "limit is 10 bytes") {
		t.Errorf("over limit: %d %q, handler read %d", rec.Code, rec.Body.String(), got)
	}
}

func TestValidRequestID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"abc-123":                  true,
		"4bf92f3577b34da6a3ce929d": true,
		"":                         false,
		"has space":                false,
		"semi;colon":               false,
		strings.Repeat("a", 129):   false,
		"<script>":                 false,
	} {
		if got := validRequestID(id); got != want {
			t.Errorf("validRequestID(%q) = %v", id, got)
		}
	}
}

func TestRedirectHandler(t *testing.T) {
	t.Parallel()
	tests := []struct{ port, host, path, want string }{
		{"443", "sync.example.com", "/a?b=c", "https://sync.example.com/a?b=c"},
		{"443", "sync.example.com:80", "/", "https://sync.example.com/"},
		{"8443", "sync.example.com:8080", "/x", "https://sync.example.com:8443/x"},
		{"443", "evil.example.net", "/x", "https://sync.example.com/x"},
		{"443", "SYNC.example.com.", "/", "https://sync.example.com/"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, tt.path, nil)
		req.Host = tt.host
		rec := httptest.NewRecorder()
		newRedirectHandler(tt.port, []string{"sync.example.com"}).ServeHTTP(rec, req)
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != tt.want {
			t.Errorf("%s%s → %d %q, want %q", tt.host, tt.path, rec.Code, rec.Header().Get("Location"), tt.want)
		}
	}
}

func TestHealthURL(t *testing.T) {
	t.Parallel()
	def := defaultConfig()
	tests := []struct {
		mut  func(*Config)
		want string
	}{
		{func(*Config) {}, "http://127.0.0.1:8080/healthz"},
		{func(c *Config) { c.Listen = "0.0.0.0:9000" }, "http://127.0.0.1:9000/healthz"},
		{func(c *Config) { c.SelfSigned = true }, "https://127.0.0.1:8080/healthz"},
		{func(c *Config) { c.Domains = []string{"a.example.com"}; c.HTTPListen = ":80" }, "http://127.0.0.1:80/healthz"},
		{func(c *Config) { c.Listen = "[::1]:8080" }, "http://[::1]:8080/healthz"},
	}
	for _, tt := range tests {
		c := def
		tt.mut(&c)
		if got := healthURL(c); got != tt.want {
			t.Errorf("healthURL = %q, want %q", got, tt.want)
		}
	}
}
