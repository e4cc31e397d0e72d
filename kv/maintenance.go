package kv

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// DefaultGCInterval is the value-log GC period RunGC uses when given an
// interval <= 0.
const DefaultGCInterval = 10 * time.Minute

// gcDiscardRatio is the share of stale data a value-log file must hold
// before GC rewrites it.
const gcDiscardRatio = 0.5

// RunGC runs Badger's value-log garbage collection every interval (or
// DefaultGCInterval when interval <= 0) until ctx is done, then returns. Run
// it in its own goroutine; cancel ctx before Close. Each round rewrites
// value-log files until none is worth rewriting. For an in-memory store
// there is nothing to collect and RunGC just waits for ctx.
func (db *DB) RunGC(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultGCInterval
	}
	if db.inMemory || db.readOnly {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			db.gcRound(ctx)
		}
	}
}

// GCOnce runs one value-log GC round now (nightly housekeeping) and returns
// the number of value-log files rewritten. It does nothing for an in-memory
// or read-only store.
func (db *DB) GCOnce(ctx context.Context) int {
	if db.inMemory || db.readOnly {
		return 0
	}
	return db.gcRound(ctx)
}

// gcRound rewrites value-log files until Badger finds none to rewrite, ctx
// is done or the store is closed. It returns the number of files rewritten.
func (db *DB) gcRound(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil && !db.bdb.IsClosed() {
		err := db.bdb.RunValueLogGC(gcDiscardRatio)
		switch {
		case err == nil:
			n++
			continue
		case errors.Is(err, badger.ErrNoRewrite):
		case errors.Is(err, badger.ErrRejected):
			db.log.Debug("kv: value-log GC skipped: another GC is running or the store is closing")
		default:
			db.log.Warn("kv: value-log GC failed", "err", err)
		}
		break
	}
	if n > 0 {
		db.log.Info("kv: value-log GC rewrote files", "files", n)
	}
	return n
}

// Verify checks the checksum of every block of every table and returns an
// error wrapping ErrCorrupt naming the first damaged one. Open runs it (a
// damaged block would otherwise read as a missing key, silently); run it
// again from nightly housekeeping to catch damage that appears later.
func (db *DB) Verify() (err error) {
	if db.bdb.IsClosed() {
		return ErrClosed
	}
	defer func() {
		// Badger v4.9.6 dereferences a nil block while reporting a
		// failed block checksum; that panic means "damaged".
		if p := recover(); p != nil {
			db.log.Debug("kv: Badger panicked while verifying checksums", "panic", fmt.Sprint(p))
			err = fmt.Errorf("%w: %s: a table block failed its checksum; restore from a backup", ErrCorrupt, db.where())
		}
	}()
	if err := db.bdb.VerifyChecksum(); err != nil {
		return fmt.Errorf("%w: %s: %w; restore from a backup", ErrCorrupt, db.where(), err)
	}
	return nil
}

// Size returns the on-disk size in bytes of the LSM tree and of the value
// log, as last computed by Badger (it refreshes them once a minute).
// A closed store reports 0, 0.
func (db *DB) Size() (lsm, vlog int64) {
	if db.bdb.IsClosed() {
		return 0, 0
	}
	return db.bdb.Size()
}

// Backup writes a full backup of the store to w as a Badger backup stream,
// from one consistent snapshot; writes may continue meanwhile. The stream
// holds the data in plaintext even when the store is encrypted: protect the
// backup file like the key itself, or use BackupEncrypted. Deleted and expired keys
// appear only as tombstones (the key without its value) and are not
// restored as live keys.
func (db *DB) Backup(w io.Writer) error {
	if db.bdb.IsClosed() {
		return ErrClosed
	}
	if _, err := db.bdb.Backup(w, 0); err != nil {
		return fmt.Errorf("kv: backup %s: %w", db.where(), err)
	}
	return nil
}

// maxBackupFrame bounds one frame of a backup stream, so a file that is not
// a backup cannot make Restore allocate gigabytes.
const maxBackupFrame = 256 << 20

// Restore loads a backup stream written by Backup or BackupEncrypted into a
// new store in opts.Dir (encrypted with opts.EncryptionKey, if set). An
// encrypted backup needs the key of the store it came from, so restore it
// with that same key. The directory must
// be missing or empty (apart from the key file LoadOrCreateKey may have put
// there); Restore refuses anything else and never merges into or overwrites
// an existing store. If the stream is damaged, Restore removes the partial
// store it created and returns an error.
func Restore(r io.Reader, opts Options) (err error) {
	if opts.InMemory {
		return errors.New("kv: restore: needs an on-disk directory (Options.InMemory is set)")
	}
	if opts.ReadOnly {
		return errors.New("kv: restore: cannot restore into a read-only store")
	}
	if opts.Dir == "" {
		return errors.New("kv: restore: Options.Dir is empty")
	}
	entries, err := os.ReadDir(opts.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("kv: restore: read %s: %w", opts.Dir, err)
	}
	for _, e := range entries {
		if e.Name() != KeyFileName {
			return fmt.Errorf("kv: restore: %s is not empty (found %s); restore only into an empty directory",
				opts.Dir, e.Name())
		}
	}
	db, err := Open(opts)
	if err != nil {
		return fmt.Errorf("kv: restore: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("kv: restore: damaged backup stream: %v", p)
		}
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("kv: restore: %w", cerr)
		}
		if err != nil {
			removeStoreFiles(opts.Dir)
		}
	}()
	plain, err := backupReader(r, opts.EncryptionKey)
	if err != nil {
		return fmt.Errorf("kv: restore into %s: %w", opts.Dir, err)
	}
	if err := db.bdb.Load(&frameChecker{r: plain}, 256); err != nil {
		return fmt.Errorf("kv: restore into %s: not a valid backup stream or read failed: %w", opts.Dir, err)
	}
	return nil
}

// removeStoreFiles deletes what a failed Restore created in dir: every
// entry except the key file. Restore only runs on a directory that held
// nothing else, so nothing of the user's is removed.
func removeStoreFiles(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != KeyFileName {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// frameChecker passes a backup stream through unchanged while following its
// framing (an 8-byte little-endian length, then that many bytes). It fails
// on a frame longer than maxBackupFrame before Badger sees that frame's
// length, so random input yields an error rather than a huge allocation.
type frameChecker struct {
	r      io.Reader
	hdr    [8]byte
	hdrLen int    // bytes of the current header seen so far
	body   uint64 // bytes of the current frame body still to come
}

func (f *frameChecker) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	for i := 0; i < n; {
		if f.body > 0 {
			skip := uint64(n - i) //nolint:gosec // G115: i < n inside the loop, so n-i is positive
			if skip > f.body {
				skip = f.body
			}
			f.body -= skip
			i += int(skip) //nolint:gosec // G115: skip <= n-i, so it fits in an int
			continue
		}
		if f.hdrLen == 0 {
			// A header starts here; remember where, to withhold it.
			start := i
			for f.hdrLen < 8 && i < n {
				f.hdr[f.hdrLen] = p[i]
				f.hdrLen++
				i++
			}
			if f.hdrLen == 8 {
				if bad := f.endHeader(); bad != nil {
					return start, bad
				}
			}
			continue
		}
		for f.hdrLen < 8 && i < n {
			f.hdr[f.hdrLen] = p[i]
			f.hdrLen++
			i++
		}
		if f.hdrLen == 8 {
			if bad := f.endHeader(); bad != nil {
				return 0, bad
			}
		}
	}
	return n, err
}

// endHeader checks a complete frame header and starts its body.
func (f *frameChecker) endHeader() error {
	sz := binary.LittleEndian.Uint64(f.hdr[:])
	f.hdrLen = 0
	if sz > maxBackupFrame {
		return fmt.Errorf("frame of %d bytes exceeds %d: this is not a Synchronizer backup", sz, maxBackupFrame)
	}
	f.body = sz
	return nil
}
