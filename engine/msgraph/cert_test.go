package msgraph_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

func newCert(t *testing.T, notAfter time.Time) (*x509.Certificate, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Synchronizer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	p = append(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})...)
	return cert, p
}

// TestCertificateCredential: app-only access with a certificate (a client assertion signed with its key) instead
// of a client secret; a certificate the app does not know and an expired one are refused with ErrAuth.
func TestCertificateCredential(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	cert, pemData := newCert(t, time.Now().Add(24*time.Hour))
	srv.AddCertClient("cert-app", cert)
	sec := newSecrets()
	_ = sec.Put(ctx, msgraph.SecretCertificate, pemData)
	c := newConn(t, srv, engine.Env{Secrets: sec}, func(s *msgraph.Settings) { s.ClientID, s.ClientSecret = "cert-app", "" })
	if _, _, err := listAll(t, openStore(t, c, engine.KindAppointment, alice), ""); err != nil {
		t.Fatal(err)
	}
	_, other := newCert(t, time.Now().Add(24*time.Hour))
	_, expired := newCert(t, time.Now().Add(-time.Minute))
	for name, p := range map[string][]byte{"unknown certificate": other, "expired certificate": expired, "garbage": []byte("not pem")} {
		sec2 := newSecrets()
		_ = sec2.Put(ctx, msgraph.SecretCertificate, p)
		c2 := newConn(t, srv, engine.Env{Secrets: sec2}, func(s *msgraph.Settings) { s.ClientID, s.ClientSecret = "cert-app", "" })
		_, err := openStore(t, c2, engine.KindAppointment, alice).Changes(ctx, "")
		var ae *msgraph.AuthError
		if !errors.Is(err, engine.ErrAuth) || !errors.As(err, &ae) {
			t.Errorf("%s: want an AuthError, got %v", name, err)
		}
	}
}
