package kv

import (
	"encoding/json"
	"fmt"
)

// GetJSON reads the value under key and decodes it as JSON into a T. A
// missing key returns the zero T and an error wrapping ErrNotFound; a value
// that does not decode returns an error naming the key.
func GetJSON[T any](tx *Tx, key []byte) (T, error) {
	var v T
	raw, err := tx.Get(key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("kv: decode JSON under %q: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v as JSON and stores it under key.
func PutJSON(tx *Tx, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv: encode JSON for %q: %w", key, err)
	}
	return tx.Set(key, raw)
}
