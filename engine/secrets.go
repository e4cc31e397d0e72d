package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// KVSecrets returns the secret stores of connector instances, kept in kv under "secret/<instance>/<name>". The
// appliance's kv is encrypted at rest, so secrets are too; nothing in the API reads them back (graph only reports
// which names are set). It is the production implementation of Config.Secrets.
func KVSecrets(store KV) func(instance string) Secrets {
	return func(instance string) Secrets { return kvSecrets{kv: store, instance: instance} }
}

// SecretPrefix is the key prefix of connector secrets.
const SecretPrefix = "secret/" // kv.PrefixSecret

type kvSecrets struct {
	kv       KV
	instance string
}

var _ Secrets = kvSecrets{}

func (s kvSecrets) key(name string) (string, error) {
	if s.instance == "" || strings.Contains(s.instance, "/") {
		return "", fmt.Errorf("secrets: invalid connector instance %q", s.instance)
	}
	if name == "" || strings.Contains(name, "/") {
		return "", fmt.Errorf("secrets: invalid secret name %q", name)
	}
	return SecretPrefix + s.instance + "/" + name, nil
}

// Get returns the secret, or ErrNotFound.
func (s kvSecrets) Get(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k, err := s.key(name)
	if err != nil {
		return nil, err
	}
	v, ok, err := s.kv.Get([]byte(k))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("secret %s of %s: %w", name, s.instance, ErrNotFound)
	}
	return v, nil
}

// Put stores the secret durably (rotated refresh tokens must survive a crash right after rotation).
func (s kvSecrets) Put(ctx context.Context, name string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k, err := s.key(name)
	if err != nil {
		return err
	}
	return s.kv.Commit(map[string][]byte{k: append([]byte(nil), value...)}, nil)
}

// Delete removes the secret; deleting an absent secret is not an error.
func (s kvSecrets) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k, err := s.key(name)
	if err != nil {
		return err
	}
	return s.kv.Commit(nil, []string{k})
}

// errSecretsUnavailable is returned by connectors' helpers when no secret store was configured.
var errSecretsUnavailable = errors.New("no secret store is configured")

// SecretsOrError returns s, or a store whose every call fails with a clear error when s is nil, so connectors need
// no nil checks.
func SecretsOrError(s Secrets) Secrets {
	if s != nil {
		return s
	}
	return noSecrets{}
}

type noSecrets struct{}

func (noSecrets) Get(context.Context, string) ([]byte, error) { return nil, errSecretsUnavailable }
func (noSecrets) Put(context.Context, string, []byte) error   { return errSecretsUnavailable }
func (noSecrets) Delete(context.Context, string) error        { return errSecretsUnavailable }
