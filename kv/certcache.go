package kv

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/crypto/acme/autocert"
)

// certCache stores autocert's certificates and ACME account key under
// PrefixCert, so they live (encrypted) in the same store as everything else,
// as Miniflux keeps them in its own database.
type certCache struct{ db *DB }

var _ autocert.Cache = certCache{}

// CertCache returns an autocert.Cache backed by the store, for
// autocert.Manager.Cache. Entries live under PrefixCert + name.
func (db *DB) CertCache() autocert.Cache { return certCache{db: db} }

func certKey(name string) ([]byte, error) {
	if name == "" {
		return nil, errors.New("kv: cert cache: empty name")
	}
	return []byte(PrefixCert + name), nil
}

// Get returns the cached data for name, or autocert.ErrCacheMiss.
func (c certCache) Get(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := certKey(name)
	if err != nil {
		return nil, err
	}
	v, ok, err := c.db.Get(key)
	if err != nil {
		return nil, fmt.Errorf("kv: cert cache get %q: %w", name, err)
	}
	if !ok {
		return nil, autocert.ErrCacheMiss
	}
	return v, nil
}

// Put stores data under name, replacing any previous entry.
func (c certCache) Put(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key, err := certKey(name)
	if err != nil {
		return err
	}
	if err := c.db.Update(func(tx *Tx) error { return tx.Set(key, data) }); err != nil {
		return fmt.Errorf("kv: cert cache put %q: %w", name, err)
	}
	return nil
}

// Delete removes name; deleting a missing entry is not an error.
func (c certCache) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key, err := certKey(name)
	if err != nil {
		return err
	}
	if err := c.db.Update(func(tx *Tx) error { return tx.Delete(key) }); err != nil {
		return fmt.Errorf("kv: cert cache delete %q: %w", name, err)
	}
	return nil
}
