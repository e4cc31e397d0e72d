package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// PasswordParams is the argon2id cost. The encoded hash records the
// parameters and the salt, so they can change without invalidating stored
// hashes.
type PasswordParams struct {
	// Time is the number of passes over the memory.
	Time uint32
	// Memory is the memory cost in KiB.
	Memory uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// DefaultPasswordParams is sized for a 2-core VM: 2 passes over 64 MiB with
// 2 lanes (about 60-120 ms per hash there; see docs/perf/graphql.md).
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 64 * 1024, Threads: 2}

// MinPasswordLength is the minimum password length in characters.
const MinPasswordLength = 12

// maxPasswordLength bounds the work a single request can ask for.
const maxPasswordLength = 1024

func (p PasswordParams) validate() error {
	if p.Time == 0 || p.Memory < 8*uint32(p.Threads) || p.Threads == 0 {
		return fmt.Errorf("auth: invalid argon2id parameters %+v (need time ≥ 1, threads ≥ 1, memory ≥ 8·threads KiB)", p)
	}
	return nil
}

// checkPassword validates a new password named field.
func checkPassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return badInput(field, "%s must be at least %d characters long (got %d)", field, MinPasswordLength, n)
	case len(pw) > maxPasswordLength:
		return badInput(field, "%s must be at most %d bytes long", field, maxPasswordLength)
	case strings.TrimSpace(pw) == "":
		return badInput(field, "%s must not be blank", field)
	}
	return nil
}

// hashPassword returns the PHC-style encoding
// $argon2id$v=19$m=<KiB>,t=<time>,p=<threads>$<salt>$<hash>.
func hashPassword(pw string, p PasswordParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// dummyHash returns an encoded hash in the same format and with the same
// parameters as hashPassword, of random bytes: verifying any password against
// it costs exactly one argon2id computation and never matches. Login uses it
// for unknown accounts so they take as long as real ones, without paying for
// a hash at start-up.
func dummyHash(p PasswordParams) (string, error) {
	b := make([]byte, 16+32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: reading random bytes: %w", err)
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(b[:16]), base64.RawStdEncoding.EncodeToString(b[16:])), nil
}

var errBadHash = errors.New("auth: malformed password hash")

// verifyPassword reports whether pw matches the encoded hash, in constant
// time with respect to the hash contents.
func verifyPassword(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	if p.validate() != nil || p.Memory > 1<<21 || p.Time > 64 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	keyLen := uint32(len(want)) //nolint:gosec // G115: 16 ≤ len ≤ 64, checked above.
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// hash computes a password hash under the concurrency bound.
func (s *Service) hash(pw string) (string, error) {
	s.hashSem <- struct{}{}
	defer func() { <-s.hashSem }()
	return hashPassword(pw, s.pw)
}

// verify checks a password under the concurrency bound.
func (s *Service) verify(pw, encoded string) (bool, error) {
	s.hashSem <- struct{}{}
	defer func() { <-s.hashSem }()
	return verifyPassword(pw, encoded)
}
