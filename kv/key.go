package kv

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// KeySize is the length in bytes of the encryption key (AES-256).
const KeySize = 32

// LoadOrCreateKey finds the store's encryption key, logging warnings to
// slog.Default(); LoadOrCreateKeyLogger is the same with an injected logger.
func LoadOrCreateKey(keyFile, dataDir string, envValue string) (key []byte, created bool, err error) {
	return LoadOrCreateKeyLogger(slog.Default(), keyFile, dataDir, envValue)
}

// LoadOrCreateKeyLogger finds the store's encryption key:
//
//  1. keyFile (from --key-file), when set: the file holds the key as 64 hex
//     digits, base64 of 32 bytes, or 32 raw bytes.
//  2. envValue (from SYNCHRONIZER_KEY), when set: hex or base64 of 32 bytes.
//  3. Neither set and dataDir holds no store yet: 32 random bytes are
//     written (hex) to dataDir/synchronizer.key with mode 0600 and created
//     is true; the caller should log where the key is and tell the admin to
//     back it up. An existing dataDir/synchronizer.key is reused.
//  4. Neither set and dataDir holds a store: dataDir/synchronizer.key if
//     present, else an error.
//
// Setting both keyFile and envValue is an error, as is a key of the wrong
// length. A key file readable by group or others is accepted with a warning.
// LoadOrCreateKeyLogger never writes into a directory that holds something
// other than a store (ErrNotAStore).
func LoadOrCreateKeyLogger(log *slog.Logger, keyFile, dataDir, envValue string) (key []byte, created bool, err error) {
	if log == nil {
		log = discard
	}
	switch {
	case keyFile != "" && envValue != "":
		return nil, false, errors.New("kv: both --key-file and SYNCHRONIZER_KEY are set; use one")
	case keyFile != "":
		key, err := readKeyFile(log, keyFile)
		return key, false, err
	case envValue != "":
		key, err := ParseKey([]byte(envValue))
		if err != nil {
			return nil, false, fmt.Errorf("kv: SYNCHRONIZER_KEY: %w", err)
		}
		return key, false, nil
	}
	if dataDir == "" {
		return nil, false, errors.New("kv: no encryption key given and no data directory to keep one in")
	}
	state, _, err := inspectDir(dataDir)
	if err != nil {
		return nil, false, err
	}
	path := filepath.Join(dataDir, KeyFileName)
	if _, err := os.Stat(path); err == nil {
		key, err := readKeyFile(log, path)
		return key, false, err
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("kv: key file %s: %w", path, err)
	}
	if state == dirHasStore {
		return nil, false, fmt.Errorf("kv: %s holds a store but no key was given and %s does not exist; "+
			"pass --key-file or set SYNCHRONIZER_KEY", dataDir, path)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("kv: generate key: %w", err)
	}
	if err := writeKeyFile(dataDir, path, key); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// LoadExistingKey finds the key of a store that must already exist (for
// backup and inspection commands): like LoadOrCreateKeyLogger, but it never
// generates a key or writes anything, and it fails when dataDir holds no
// store and no key was given.
func LoadExistingKey(log *slog.Logger, keyFile, dataDir, envValue string) ([]byte, error) {
	if keyFile != "" || envValue != "" {
		key, _, err := LoadOrCreateKeyLogger(log, keyFile, dataDir, envValue)
		return key, err
	}
	if dataDir == "" {
		return nil, errors.New("kv: no encryption key given and no data directory")
	}
	state, _, err := inspectDir(dataDir)
	if err != nil {
		return nil, err
	}
	if state != dirHasStore {
		return nil, fmt.Errorf("kv: %s holds no store", dataDir)
	}
	key, _, err := LoadOrCreateKeyLogger(log, keyFile, dataDir, envValue)
	return key, err
}

// ParseKey decodes a key given as 64 hex digits or as base64 (standard or
// URL alphabet, padded or not) of 32 bytes. Surrounding whitespace is
// ignored. The error says what was wrong, never the key.
func ParseKey(text []byte) ([]byte, error) {
	s := string(bytes.TrimSpace(text))
	if s == "" {
		return nil, errors.New("empty key")
	}
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("key decodes (base64) to %d bytes, want %d", len(k), KeySize)
			}
			return k, nil
		}
	}
	if k, err := hex.DecodeString(s); err == nil {
		return nil, fmt.Errorf("key decodes (hex) to %d bytes, want %d", len(k), KeySize)
	}
	return nil, fmt.Errorf("key is neither %d hex digits nor base64 of %d bytes (%d characters given)", 2*KeySize, KeySize, len(s))
}

// readKeyFile reads a key file, warning when its mode lets group or others
// read it.
func readKeyFile(log *slog.Logger, path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("kv: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("kv: key file %s is not a regular file", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		log.Warn("kv: key file is readable by group or others; run chmod 600 on it",
			"path", path, "mode", fmt.Sprintf("%#o", fi.Mode().Perm()))
	}
	raw, err := os.ReadFile(path) //nolint:gosec // G304: the key file path is operator-supplied configuration
	if err != nil {
		return nil, fmt.Errorf("kv: key file: %w", err)
	}
	if len(raw) == KeySize {
		if _, herr := hex.DecodeString(string(raw)); herr != nil {
			return raw, nil // 32 raw bytes
		}
	}
	key, err := ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("kv: key file %s: %w", path, err)
	}
	return key, nil
}

// writeKeyFile creates path (which must not exist) with mode 0600 holding
// key in hex, and syncs it and its directory.
func writeKeyFile(dataDir, path string, key []byte) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("kv: create data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // G304: the key file path is operator-supplied configuration
	if err != nil {
		return fmt.Errorf("kv: create key file: %w", err)
	}
	_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return fmt.Errorf("kv: write key file %s: %w", path, werr)
	}
	if d, err := os.Open(dataDir); err == nil { //nolint:gosec // G304: the data directory is operator-supplied configuration
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
