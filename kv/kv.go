// Package kv is Synchronizer's narrow storage layer over Badger v4: byte keys
// and values in documented key spaces (see keys.go), serializable
// transactions that are fsynced before they return, encryption at rest, a
// value-log GC loop, backup and restore, and an autocert.Cache.
//
// Lifecycle: Open a DB once at start-up (LoadOrCreateKey supplies the
// encryption key), share the *DB between goroutines, run RunGC in its own
// goroutine with a context that is cancelled at shut-down, and Close the DB
// last, after every user of it has stopped.
//
// Error vocabulary: ErrNotFound for a missing key, ErrStopScan returned by a
// scan callback to stop early, ErrKeyMismatch (wrapped) when the encryption
// key does not open the data directory, ErrNotAStore when a directory holds
// something other than a store, ErrLocked when another process holds the
// store, ErrNeedsRecovery when a read-only open meets a store left by a
// crash, ErrConflict when a concurrent transaction wrote a key this one read.
package kv

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Sentinel errors. Callers compare with errors.Is; the returned errors wrap
// these with detail (the key, the directory).
var (
	// ErrNotFound is returned by Get and GetJSON when the key does not exist
	// (or has expired).
	ErrNotFound = errors.New("kv: not found")
	// ErrStopScan is returned by a Scan or ScanReverse callback to stop the
	// scan early; the scan then returns nil.
	ErrStopScan = errors.New("kv: stop scan")
	// ErrKeyMismatch means the encryption key given to Open does not match
	// the data directory (or the directory is encrypted and no key was given,
	// or it is not encrypted and a key was given).
	ErrKeyMismatch = errors.New("kv: the encryption key does not match this data directory")
	// ErrNotAStore means the data directory holds files but no Badger store.
	ErrNotAStore = errors.New("kv: the data directory is not a Synchronizer store")
	// ErrLocked means another process (or another DB in this process) has the
	// store open.
	ErrLocked = errors.New("kv: the data directory is in use by another process")
	// ErrNeedsRecovery means a read-only Open found a store that was not
	// closed cleanly (the process crashed or was killed): its write-ahead
	// log must be replayed, which only a read-write Open does.
	ErrNeedsRecovery = errors.New("kv: the store was not closed cleanly and needs a read-write open to recover")
	// ErrCorrupt means a file of the store is damaged; Open names it.
	ErrCorrupt = errors.New("kv: the store is damaged")
	// ErrClosed is returned by every method of a DB after Close.
	ErrClosed = errors.New("kv: the store is closed")
	// ErrConflict means the transaction read a key that a concurrent
	// transaction changed before this one committed; retry the transaction.
	ErrConflict = errors.New("kv: transaction conflict, retry")
)

// DB is an open store. It is safe for concurrent use by many goroutines.
// The zero value is not usable; call Open.
type DB struct {
	bdb      *badger.DB
	log      *slog.Logger
	dir      string
	inMemory bool
	readOnly bool
	maxValue int64  // largest value a Tx accepts: Badger's limit for this mode
	key      []byte // the encryption key, for BackupEncrypted; nil if none
}

// Tx is a transaction passed to the function given to View or Update. It is
// valid only while that function runs and must not be used from other
// goroutines or kept after the function returns.
type Tx struct {
	txn      *badger.Txn
	writable bool
	maxValue int64 // largest value Set accepts
}

// MaxKeySize is the longest key Set accepts, in bytes (Badger's limit).
const MaxKeySize = 65000

// Close flushes and closes the store and releases the directory lock. Stop
// every user first (cancel RunGC's context, let Backup finish): afterwards
// every method returns ErrClosed. Close is safe to call more than once.
func (db *DB) Close() error {
	if db == nil || db.bdb == nil || db.bdb.IsClosed() {
		return nil
	}
	if err := db.bdb.Close(); err != nil {
		return fmt.Errorf("kv: close %s: %w", db.where(), err)
	}
	return nil
}

// where names the store in error messages.
func (db *DB) where() string {
	if db.inMemory {
		return "in-memory store"
	}
	return db.dir
}

// View runs fn in a read-only transaction that sees a consistent snapshot.
// Writes inside fn fail. The error fn returns is returned unchanged.
func (db *DB) View(fn func(tx *Tx) error) error {
	if db.bdb.IsClosed() {
		return ErrClosed
	}
	return db.bdb.View(func(txn *badger.Txn) error {
		return fn(&Tx{txn: txn})
	})
}

// Update runs fn in a read-write transaction and commits it if fn returns
// nil. The commit is fsynced to disk before Update returns. If fn returns an
// error nothing is written and that error is returned unchanged. If another
// transaction changed a key fn read, Update returns an error wrapping
// ErrConflict and the caller may retry.
func (db *DB) Update(fn func(tx *Tx) error) error {
	if db.bdb.IsClosed() {
		return ErrClosed
	}
	if db.readOnly {
		return fmt.Errorf("kv: update %s: the store is open read-only", db.where())
	}
	err := db.bdb.Update(func(txn *badger.Txn) error {
		return fn(&Tx{txn: txn, writable: true, maxValue: db.maxValue})
	})
	return mapCommitErr(err)
}

// mapCommitErr turns Badger's commit errors into ours.
func mapCommitErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrConflict):
		return fmt.Errorf("%w (%w)", ErrConflict, err)
	case errors.Is(err, badger.ErrTxnTooBig):
		return fmt.Errorf("kv: transaction too big for one commit, split it: %w", err)
	}
	return err
}

// Get returns a copy of the value stored under key, or an error wrapping
// ErrNotFound. The returned slice stays valid after the transaction ends.
func (tx *Tx) Get(key []byte) ([]byte, error) {
	item, err := tx.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("kv: get %q: %w", key, err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("kv: get %q: read value: %w", key, err)
	}
	return v, nil
}

// Set stores value under key, replacing any previous value. The key must not
// be empty. The slices may be reused by the caller after Set returns.
func (tx *Tx) Set(key, value []byte) error {
	return tx.set(key, value, 0)
}

// SetWithTTL stores value under key; the key expires (reads as not found and
// is eventually removed) ttl after the commit. A ttl <= 0 is an error.
func (tx *Tx) SetWithTTL(key, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("kv: set %q: ttl must be positive, got %v", key, ttl)
	}
	return tx.set(key, value, ttl)
}

func (tx *Tx) set(key, value []byte, ttl time.Duration) error {
	if len(key) == 0 {
		return errors.New("kv: set: empty key")
	}
	if !tx.writable {
		return fmt.Errorf("kv: set %q: read-only transaction", key)
	}
	if len(key) > MaxKeySize {
		return fmt.Errorf("kv: set: key of %d bytes is longer than %d (starts %q)", len(key), MaxKeySize, key[:32])
	}
	if int64(len(value)) > tx.maxValue {
		// Badger's own error would dump the value (maybe a secret).
		return fmt.Errorf("kv: set %q: value of %d bytes is larger than %d", key, len(value), tx.maxValue)
	}
	// Badger keeps references to the slices until commit; copy them so the
	// caller may reuse its buffers.
	e := badger.NewEntry(bytes.Clone(key), bytes.Clone(value))
	if ttl > 0 {
		e = e.WithTTL(ttl)
	}
	if err := tx.txn.SetEntry(e); err != nil {
		return fmt.Errorf("kv: set %q: %w", key, mapCommitErr(err))
	}
	return nil
}

// Delete removes key. Deleting a key that does not exist is not an error.
func (tx *Tx) Delete(key []byte) error {
	if len(key) == 0 {
		return errors.New("kv: delete: empty key")
	}
	if len(key) > MaxKeySize {
		return fmt.Errorf("kv: delete: key of %d bytes is longer than %d", len(key), MaxKeySize)
	}
	if !tx.writable {
		return fmt.Errorf("kv: delete %q: read-only transaction", key)
	}
	if err := tx.txn.Delete(bytes.Clone(key)); err != nil {
		return fmt.Errorf("kv: delete %q: %w", key, mapCommitErr(err))
	}
	return nil
}

// Scan calls fn for every key that starts with prefix, in ascending key
// order, with copies of the key and value (fn may keep them). An empty
// prefix scans everything. If fn returns ErrStopScan the scan stops and
// Scan returns nil; any other error stops the scan and is returned
// unchanged. In an Update transaction fn may Set or Delete keys; the scan
// sees the transaction's state as of the moment it started.
func (tx *Tx) Scan(prefix []byte, fn func(key, value []byte) error) error {
	return tx.scan(prefix, false, fn)
}

// ScanReverse is Scan in descending key order, for newest-first listings
// such as the audit log.
func (tx *Tx) ScanReverse(prefix []byte, fn func(key, value []byte) error) error {
	return tx.scan(prefix, true, fn)
}

func (tx *Tx) scan(prefix []byte, reverse bool, fn func(key, value []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Reverse = reverse
	if !reverse {
		// Prefix lets Badger skip tables; in reverse it would also hide
		// the seek position just past the prefix, so it is left unset.
		opts.Prefix = prefix
	}
	it := tx.txn.NewIterator(opts)
	defer it.Close()
	if !reverse {
		it.Seek(prefix)
	} else if next := prefixEnd(prefix); next == nil {
		// No key is greater than every key with this prefix (the prefix
		// is empty or all 0xff): start from the very last key.
		it.Rewind()
	} else {
		// In reverse, Seek lands on the largest key <= next; next itself
		// does not carry the prefix, so skip it if it exists.
		it.Seek(next)
		if it.Valid() && !bytes.HasPrefix(it.Item().Key(), prefix) {
			it.Next()
		}
	}
	for ; it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		k := item.KeyCopy(nil)
		v, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("kv: scan %q: read value of %q: %w", prefix, k, err)
		}
		if err := fn(k, v); err != nil {
			if errors.Is(err, ErrStopScan) {
				return nil
			}
			return err
		}
	}
	return nil
}

// prefixEnd returns the smallest key greater than every key starting with
// prefix, or nil when there is none.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Get returns a copy of the value under key; ok is false (and err nil) when
// the key does not exist. It is the engine-facing form of Tx.Get.
func (db *DB) Get(key []byte) (value []byte, ok bool, err error) {
	err = db.View(func(tx *Tx) error {
		var gerr error
		value, gerr = tx.Get(key)
		return gerr
	})
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return value, true, nil
}

// Scan calls fn for every key with prefix, in key order, in one consistent
// snapshot; see Tx.Scan for the callback rules.
func (db *DB) Scan(prefix []byte, fn func(key, value []byte) error) error {
	return db.View(func(tx *Tx) error { return tx.Scan(prefix, fn) })
}

// ScanReverse is Scan in descending key order (newest first for keys that
// sort by time); the engine's KV interface uses it to read the latest runs
// without decoding the older ones.
func (db *DB) ScanReverse(prefix []byte, fn func(key, value []byte) error) error {
	return db.View(func(tx *Tx) error { return tx.ScanReverse(prefix, fn) })
}

// Commit applies deletes and then sets in one atomic transaction that is
// fsynced before Commit returns: after a crash either all of it or none of
// it is visible. A key both deleted and set ends up set (the same rule as
// engine.MemKV). An empty key fails the whole Commit and nothing is written.
// This is the method the sync engine's KV interface uses.
func (db *DB) Commit(sets map[string][]byte, deletes []string) error {
	return db.Update(func(tx *Tx) error {
		for _, k := range deletes {
			if _, alsoSet := sets[k]; alsoSet {
				continue
			}
			if err := tx.Delete([]byte(k)); err != nil {
				return fmt.Errorf("kv: commit: %w", err)
			}
		}
		for k, v := range sets {
			if err := tx.Set([]byte(k), v); err != nil {
				return fmt.Errorf("kv: commit: %w", err)
			}
		}
		return nil
	})
}

// discard is the logger used when Options.Logger is nil.
var discard = slog.New(slog.DiscardHandler)
