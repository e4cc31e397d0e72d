package msgraph

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: the x5t header is defined as the certificate's SHA-1 thumbprint.
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// clientAssertion builds the signed JWT (RS256) that proves possession of the app's certificate at the token
// endpoint (Microsoft identity platform certificate credentials): x5t is the certificate's SHA-1 thumbprint.
func clientAssertion(pemData []byte, clientID, audience string, now time.Time) (string, error) {
	var cert *x509.Certificate
	var key *rsa.PrivateKey
	for rest := pemData; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return "", fmt.Errorf("certificate: %w", err)
			}
			if cert == nil {
				cert = c
			}
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return "", fmt.Errorf("private key: %w", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return "", errors.New("private key: want an RSA key")
			}
			key = rk
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil {
				return "", fmt.Errorf("private key: %w", err)
			}
			key = k
		}
	}
	if cert == nil || key == nil {
		return "", errors.New("the PEM needs a CERTIFICATE and an RSA private key")
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return "", errors.New("the private key does not belong to the certificate")
	}
	if now.After(cert.NotAfter) {
		return "", fmt.Errorf("the certificate expired on %s", cert.NotAfter.Format(time.DateOnly))
	}
	thumb := sha1.Sum(cert.Raw) //nolint:gosec // G401: a thumbprint naming the certificate, not a signature.
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": enc.EncodeToString(thumb[:])})
	claims, _ := json.Marshal(map[string]any{"aud": audience, "iss": clientID, "sub": clientID, "jti": enc.EncodeToString(jti),
		"nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	signing := enc.EncodeToString(hdr) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + enc.EncodeToString(sig), nil
}
