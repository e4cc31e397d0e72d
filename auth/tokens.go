package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

// TokenPrefix starts every API token secret.
const TokenPrefix = "syn_"

// MaxTokenDays is the longest expiry an API token can be created with.
const MaxTokenDays = 3650

const (
	keyTokHash = kv.PrefixToken + "h/"
	keyTokID   = kv.PrefixToken + "i/"
)

// tokenRecord is an API token as stored under tok/h/<sha256 of the secret>.
type tokenRecord struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	AccountID  string     `json:"accountId"`
	Hash       string     `json:"hash"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

// APIToken describes an API token; the secret is never part of it.
type APIToken struct {
	ID         string
	Name       string
	AccountID  string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
}

func (t *tokenRecord) public() *APIToken {
	return &APIToken{ID: t.ID, Name: t.Name, AccountID: t.AccountID, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
}

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

func unmarshal[T any](b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// CreateAPIToken creates an API token for the viewer's account and returns
// it with its secret, which is shown this once and stored only as a hash.
// expiresInDays 0 means the token does not expire.
func (s *Service) CreateAPIToken(ctx context.Context, name string, expiresInDays int) (*APIToken, string, error) {
	v := ViewerFrom(ctx)
	if v == nil {
		return nil, "", errUnauthenticated
	}
	name, err := checkName("name", name)
	if err != nil {
		return nil, "", err
	}
	if expiresInDays < 0 || expiresInDays > MaxTokenDays {
		return nil, "", badInput("expiresInDays", "expiresInDays must be between 0 (never) and %d (got %d)", MaxTokenDays, expiresInDays)
	}
	secret := TokenPrefix + randomToken(32)
	now := s.now().UTC()
	rec := &tokenRecord{ID: randomToken(12), Name: name, AccountID: v.AccountID, Hash: hashSecret(secret), CreatedAt: now}
	if expiresInDays > 0 {
		exp := now.Add(time.Duration(expiresInDays) * 24 * time.Hour)
		rec.ExpiresAt = &exp
	}
	err = s.db.Update(func(tx *kv.Tx) error {
		if err := kv.PutJSON(tx, []byte(keyTokHash+rec.Hash), rec); err != nil {
			return err
		}
		return tx.Set([]byte(keyTokID+rec.ID), []byte(rec.Hash))
	})
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	s.tokens[rec.Hash] = rec
	s.mu.Unlock()
	_ = s.Audit(ctx, Event{Action: ActionTokenCreated, Target: rec.ID, Detail: fmt.Sprintf("name %q", name)})
	return rec.public(), secret, nil
}

// APITokens lists the viewer's API tokens, newest first.
func (s *Service) APITokens(ctx context.Context) ([]*APIToken, error) {
	v := ViewerFrom(ctx)
	if v == nil {
		return nil, errUnauthenticated
	}
	var out []*APIToken
	err := s.db.View(func(tx *kv.Tx) error {
		return tx.Scan([]byte(keyTokHash), func(key, value []byte) error {
			rec, err := unmarshal[tokenRecord](value)
			if err != nil {
				return fmt.Errorf("auth: reading token %s: %w", key, err)
			}
			if rec.AccountID == v.AccountID {
				// The cache holds the freshest lastUsedAt.
				s.mu.RLock()
				if c, ok := s.tokens[rec.Hash]; ok {
					rec = *c
				}
				s.mu.RUnlock()
				out = append(out, rec.public())
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b *APIToken) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, err
}

// RevokeAPIToken deletes the API token id. Users revoke their own tokens;
// admins can revoke anyone's.
func (s *Service) RevokeAPIToken(ctx context.Context, id string) error {
	v := ViewerFrom(ctx)
	if v == nil {
		return errUnauthenticated
	}
	notFound := &Error{Code: CodeNotFound, Field: "id", Message: fmt.Sprintf("no API token with id %q", id)}
	var rec tokenRecord
	err := s.db.Update(func(tx *kv.Tx) error {
		h, err := tx.Get([]byte(keyTokID + id))
		if errors.Is(err, kv.ErrNotFound) {
			return notFound
		} else if err != nil {
			return err
		}
		rec, err = kv.GetJSON[tokenRecord](tx, []byte(keyTokHash+string(h)))
		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		if err == nil && rec.AccountID != v.AccountID && !v.IsAdmin() {
			return notFound
		}
		if err := tx.Delete([]byte(keyTokID + id)); err != nil {
			return err
		}
		return tx.Delete([]byte(keyTokHash + string(h)))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.tokens, rec.Hash)
	s.mu.Unlock()
	_ = s.Audit(ctx, Event{Action: ActionTokenRevoked, Target: id, Detail: fmt.Sprintf("name %q", rec.Name)})
	return nil
}

// dropTokens deletes every API token of account id.
func (s *Service) dropTokens(accountID string) error {
	var dels []string
	var hashes []string
	err := s.db.View(func(tx *kv.Tx) error {
		return tx.Scan([]byte(keyTokHash), func(key, value []byte) error {
			rec, err := unmarshal[tokenRecord](value)
			if err == nil && rec.AccountID == accountID {
				dels = append(dels, string(key), keyTokID+rec.ID)
				hashes = append(hashes, rec.Hash)
			}
			return nil
		})
	})
	if err != nil || len(dels) == 0 {
		return err
	}
	if err := s.db.Commit(nil, dels); err != nil {
		return err
	}
	s.mu.Lock()
	for _, h := range hashes {
		delete(s.tokens, h)
	}
	s.mu.Unlock()
	return nil
}

// errBadToken is returned for a bearer token that is unknown, revoked or expired.
var errBadToken = &Error{Code: CodeUnauthenticated, Message: "the API token is invalid, revoked or expired"}

// lookupToken resolves a bearer secret into a viewer.
func (s *Service) lookupToken(secret string) (*Viewer, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 128 {
		return nil, errBadToken
	}
	h := hashSecret(secret)
	s.mu.RLock()
	rec, ok := s.tokens[h]
	var cp tokenRecord
	if ok {
		cp = *rec
	}
	s.mu.RUnlock()
	if !ok {
		var err error
		err = s.db.View(func(tx *kv.Tx) error {
			cp, err = kv.GetJSON[tokenRecord](tx, []byte(keyTokHash+h))
			return err
		})
		if errors.Is(err, kv.ErrNotFound) {
			return nil, errBadToken
		}
		if err != nil {
			return nil, err
		}
		loaded := cp
		s.mu.Lock()
		s.tokens[h] = &loaded
		s.mu.Unlock()
	}
	now := s.now()
	if cp.ExpiresAt != nil && now.After(*cp.ExpiresAt) {
		return nil, errBadToken
	}
	v := s.viewerFor(cp.AccountID)
	if v == nil {
		return nil, errBadToken
	}
	v.Via = "token"
	v.TokenID = cp.ID
	if cp.LastUsedAt == nil || now.Sub(*cp.LastUsedAt) >= touchEvery {
		s.touchToken(h, now)
	}
	return v, nil
}

func (s *Service) touchToken(h string, now time.Time) {
	s.mu.Lock()
	rec, ok := s.tokens[h]
	if !ok || (rec.LastUsedAt != nil && now.Sub(*rec.LastUsedAt) < touchEvery) {
		s.mu.Unlock()
		return
	}
	updated := *rec
	t := now.UTC()
	updated.LastUsedAt = &t
	s.tokens[h] = &updated
	s.mu.Unlock()
	err := s.db.Update(func(tx *kv.Tx) error {
		// Do not resurrect a token revoked meanwhile.
		if _, err := tx.Get([]byte(keyTokHash + h)); err != nil {
			return err
		}
		return kv.PutJSON(tx, []byte(keyTokHash+h), &updated)
	})
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		s.log.Warn("auth: could not record API token use", "err", err)
	}
}
