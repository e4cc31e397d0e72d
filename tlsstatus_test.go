package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/synchronizer/synchronizer/graph/model"
)

// makeCert returns a key and certificate (PEM, the cache's layout) for sync.example.com issued at issued and
// ending a year later.
func makeCert(t *testing.T, issued time.Time) []byte {
	t.Helper()
	ss := newSelfSigned(autocert.DirCache(t.TempDir()), []string{"sync.example.com"}, func() time.Time { return issued }, newLogger(io.Discard, 0))
	data, _, err := ss.generate()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func problemsOf(st *model.TLSStatus) string {
	var b strings.Builder
	for _, p := range st.Problems {
		b.WriteString(p.Severity + ": " + p.Message + " → " + p.Action + "\n")
	}
	return b.String()
}

func TestTLSStatus(t *testing.T) {
	t.Parallel()
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cert := makeCert(t, issued)
	notAfter := issued.Add(selfSignedValidity)
	fresh := notAfter.Add(-100 * 24 * time.Hour)           // 100 days left
	expiring := notAfter.Add(-10*24*time.Hour - time.Hour) // 10 days left: renewal has failed
	expired := notAfter.Add(time.Hour)
	certFile := filepath.Join(t.TempDir(), "own.pem")
	if err := os.WriteFile(certFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	acme := Config{Domains: []string{"sync.example.com", "other.example.com"}}

	for _, tc := range []struct {
		name     string
		cfg      Config
		cache    map[string][]byte
		now      time.Time
		mode     model.TLSMode
		redirect bool
		certs    int
		daysLeft int
		problems []string // substrings, one per expected problem, in order
	}{
		{name: "plain on loopback", cfg: Config{Listen: "127.0.0.1:8080"}, now: fresh, mode: model.TLSModePlain},
		{name: "plain on all interfaces", cfg: Config{Listen: ":8080"}, now: fresh, mode: model.TLSModePlain,
			problems: []string{"error: Plain HTTP on :8080"}},
		{name: "own certificate", cfg: Config{TLSCert: certFile, TLSKey: certFile}, now: fresh, mode: model.TLSModeOwn,
			certs: 1, daysLeft: 100},
		{name: "own certificate expiring", cfg: Config{TLSCert: certFile, TLSKey: certFile}, now: expiring, mode: model.TLSModeOwn,
			certs: 1, daysLeft: 10, problems: []string{"expires in 10 days"}},
		{name: "own certificate expired", cfg: Config{TLSCert: certFile, TLSKey: certFile}, now: expired, mode: model.TLSModeOwn,
			certs: 1, daysLeft: -1, problems: []string{"expired on"}},
		{name: "self-signed", cfg: Config{SelfSigned: true}, cache: map[string][]byte{selfSignedCacheKey: cert}, now: fresh,
			mode: model.TLSModeSelfSigned, certs: 1, daysLeft: 100, problems: []string{"warning: The certificate is self-signed"}},
		{name: "acme, one domain without a certificate yet", cfg: acme, cache: map[string][]byte{"sync.example.com": cert},
			now: fresh, mode: model.TLSModeAutocert, redirect: true, certs: 1, daysLeft: 100,
			problems: []string{"warning: No certificate for other.example.com yet"}},
		{name: "acme, renewal failing", cfg: acme, cache: map[string][]byte{"sync.example.com": cert, "other.example.com+rsa": cert},
			now: expiring, mode: model.TLSModeAutocert, redirect: true, certs: 2, daysLeft: 10,
			problems: []string{"for sync.example.com expires in 10 days", "for other.example.com expires in 10 days"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cache := autocert.DirCache(t.TempDir())
			for k, v := range tc.cache {
				if err := cache.Put(context.Background(), k, v); err != nil {
					t.Fatal(err)
				}
			}
			w, err := newTLSWatch(tc.cfg, cache, func() time.Time { return tc.now })
			if err != nil {
				t.Fatal(err)
			}
			w.setPublicURL("https://sync.example.com")
			st, err := w.TLSStatus(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode != tc.mode || st.HTTPRedirect != tc.redirect || st.PublicURL != "https://sync.example.com" || len(st.Certificates) != tc.certs {
				t.Fatalf("status %+v", st)
			}
			for _, c := range st.Certificates {
				if c.DaysLeft != tc.daysLeft || !c.NotAfter.Equal(notAfter) || !strings.Contains(c.Subject, "Synchronizer self-signed") ||
					!strings.Contains(strings.Join(c.DNSNames, ","), "sync.example.com") {
					t.Errorf("certificate %+v, want %d days left until %v", c, tc.daysLeft, notAfter)
				}
			}
			got := problemsOf(st)
			if len(st.Problems) != len(tc.problems) {
				t.Fatalf("problems:\n%s want %d: %q", got, len(tc.problems), tc.problems)
			}
			for i, want := range tc.problems {
				if p := st.Problems[i]; !strings.Contains(p.Severity+": "+p.Message, want) || p.Action == "" {
					t.Errorf("problem %d = %+v, want %q with an action", i, p, want)
				}
			}
			if strings.Contains(got, "PRIVATE KEY") {
				t.Error("a private key leaked into the status")
			}
		})
	}
}

// TestTLSStatusRecordsACMEFailures checks that a failed certificate request for a configured domain is shown
// until the next success, and that requests for other names are ignored.
func TestTLSStatusRecordsACMEFailures(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	w, err := newTLSWatch(Config{Domains: []string{"sync.example.com"}}, autocert.DirCache(t.TempDir()), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	w.observe("evil.example.net", errors.New("not allowed"))
	w.observe("sync.example.com", errors.New("acme: authorization error: connection refused"))
	st, err := w.TLSStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.RenewalError == nil || !strings.Contains(*st.RenewalError, "sync.example.com: acme: authorization error") ||
		st.RenewalErrorAt == nil || !st.RenewalErrorAt.Equal(now) {
		t.Fatalf("renewal error %v at %v", st.RenewalError, st.RenewalErrorAt)
	}
	if !strings.Contains(problemsOf(st), "error: Obtaining a certificate failed") {
		t.Errorf("problems:\n%s", problemsOf(st))
	}
	w.observe("sync.example.com", nil)
	st, _ = w.TLSStatus(context.Background())
	if st.RenewalError != nil {
		t.Errorf("renewal error after a success: %q", *st.RenewalError)
	}
}
