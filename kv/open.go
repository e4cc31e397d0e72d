package kv

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Options configures Open. The zero value (plus Dir) opens an unencrypted
// on-disk store; production always sets EncryptionKey.
type Options struct {
	// Dir is the data directory. It is created (mode 0700) when missing.
	// Ignored when InMemory is set.
	Dir string
	// InMemory keeps everything in memory, for tests. Nothing touches disk.
	InMemory bool
	// EncryptionKey is the AES-256 key (exactly 32 bytes) for encryption at
	// rest, or nil for none. See LoadOrCreateKey.
	EncryptionKey []byte
	// Logger receives Badger's warnings and errors and kv's own messages.
	// Nil discards them.
	Logger *slog.Logger
	// ReadOnly opens an existing store without writing to it (for backup
	// and inspection tools). Update fails on a read-only store.
	ReadOnly bool
}

// Files Badger keeps in a data directory, and the key file LoadOrCreateKey
// may place there before the store exists.
const (
	manifestFile    = "MANIFEST"
	keyRegistryFile = "KEYREGISTRY"
	lockFile        = "LOCK"
	// KeyFileName is the name of the key file LoadOrCreateKey creates in
	// the data directory.
	KeyFileName = "synchronizer.key"
)

// Sizing for a small machine (a 2 GB VM running the whole product). Badger's
// defaults (64 MB memtables x5, 256 MB block cache, 1 GB value-log files)
// assume a database server.
const (
	memTableSize     = 16 << 20
	numMemtables     = 2
	blockCacheSize   = 8 << 20
	indexCacheSize   = 4 << 20
	baseTableSize    = 2 << 20
	valueLogFileSize = 64 << 20
	numCompactors    = 2
	levelZeroTables  = 3
	levelZeroStall   = 8
	// Values below 1 MiB (Badger's maximum threshold: all of ours) live in
	// the LSM tree, whose blocks carry checksums that Open verifies. In
	// the value log, Badger v4.9.6 silently truncates a damaged tail at
	// open and then reads the lost values as empty, without an error.
	valueThreshold   = 1 << 20
	maxInMemoryValue = 1 << 20
)

// Open opens (or, in an empty or missing directory, creates) the store
// described by opts. It refuses, without touching any file:
//   - a directory that holds files but no store (ErrNotAStore),
//   - an existing store whose encryption key differs from
//     opts.EncryptionKey (ErrKeyMismatch),
//   - a key that is not 32 bytes,
//   - a store another process has open (ErrLocked).
func Open(opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = discard
	}
	if n := len(opts.EncryptionKey); n != 0 && n != 32 {
		return nil, fmt.Errorf("kv: the encryption key must be 32 bytes (AES-256), got %d", n)
	}
	bo := badger.DefaultOptions("").
		// Not WithLoggingLevel: it replaces the logger with Badger's own.
		WithLogger(badgerLogger{log}).
		WithSyncWrites(true).
		WithNumVersionsToKeep(1).
		WithMemTableSize(memTableSize).
		WithNumMemtables(numMemtables).
		WithBlockCacheSize(blockCacheSize).
		WithBaseTableSize(baseTableSize).
		WithValueLogFileSize(valueLogFileSize).
		WithValueThreshold(valueThreshold).
		WithNumCompactors(numCompactors).
		WithNumLevelZeroTables(levelZeroTables).
		WithNumLevelZeroTablesStall(levelZeroStall).
		WithNumGoroutines(2).
		WithCompression(options.None).
		// Verify each block's checksum when it is read, so a damaged
		// block is an error rather than garbage or a panic.
		WithChecksumVerificationMode(options.OnBlockRead).
		WithMetricsEnabled(false).
		WithReadOnly(opts.ReadOnly)
	if len(opts.EncryptionKey) > 0 {
		bo = bo.WithEncryptionKey(bytes.Clone(opts.EncryptionKey)).WithIndexCacheSize(indexCacheSize)
	}
	db := &DB{log: log, inMemory: opts.InMemory, readOnly: opts.ReadOnly, key: bytes.Clone(opts.EncryptionKey)}
	if opts.InMemory {
		if opts.ReadOnly {
			return nil, errors.New("kv: an in-memory store cannot be opened read-only")
		}
		// In memory every value lives in the LSM tree, so the value
		// threshold is also the largest value; use Badger's maximum.
		bo = bo.WithInMemory(true).WithValueThreshold(maxInMemoryValue)
		// A value of exactly the threshold panics Badger (v4.9.6); stay below.
		db.maxValue = maxInMemoryValue - 1
	} else {
		if opts.Dir == "" {
			return nil, errors.New("kv: Options.Dir is empty (set a data directory or InMemory)")
		}
		dir, err := filepath.Abs(opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("kv: data directory %q: %w", opts.Dir, err)
		}
		db.dir = dir
		if err := checkDir(log, dir, opts.EncryptionKey, opts.ReadOnly); err != nil {
			return nil, err
		}
		bo = bo.WithDir(dir).WithValueDir(dir)
		db.maxValue = valueLogFileSize - 1<<10
	}
	bdb, err := openBadger(bo)
	if err != nil {
		return nil, describeOpenErr(db.where(), err)
	}
	db.bdb = bdb
	if !opts.InMemory {
		// Badger reads a damaged block as "key not found" without an
		// error, so every table is checked once before anyone reads.
		if err := db.Verify(); err != nil {
			_ = bdb.Close()
			return nil, err
		}
	}
	return db, nil
}

// openBadger calls badger.Open and turns a panic inside it (Badger panics on
// some corrupt files) into an error.
func openBadger(bo badger.Options) (bdb *badger.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("badger panicked while opening: %v", r)
		}
	}()
	return badger.Open(bo)
}

// describeOpenErr maps Badger's open errors onto ours.
func describeOpenErr(where string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Cannot acquire directory lock"):
		return fmt.Errorf("%w: %s (is another Synchronizer running with the same data directory?)", ErrLocked, where)
	case errors.Is(err, badger.ErrTruncateNeeded), strings.Contains(msg, badger.ErrTruncateNeeded.Error()):
		return fmt.Errorf("%w: %s (open it read-write once, e.g. start the server, then retry)", ErrNeedsRecovery, where)
	case errors.Is(err, badger.ErrEncryptionKeyMismatch):
		return fmt.Errorf("%w (%s)", ErrKeyMismatch, where)
	}
	return fmt.Errorf("kv: open %s: %w", where, err)
}

// dirState is what inspectDir found in a data directory.
type dirState int

const (
	dirMissing  dirState = iota // no directory yet
	dirEmpty                    // empty, or only the key file
	dirHasStore                 // a Badger store
)

// checkDir inspects dir before Badger sees it, reading but never writing:
// it refuses a directory holding something other than a store and an
// existing store whose key registry does not accept key. Unknown files next
// to an existing store are only logged: Badger ignores them.
func checkDir(log *slog.Logger, dir string, key []byte, readOnly bool) error {
	state, foreign, err := inspectDir(dir)
	if err != nil {
		return err
	}
	switch {
	case state == dirMissing && readOnly:
		return fmt.Errorf("kv: data directory %s does not exist (cannot open a missing store read-only)", dir)
	case state == dirEmpty && readOnly:
		return fmt.Errorf("kv: %s has no store yet (cannot create one read-only)", dir)
	case state == dirHasStore:
		if len(foreign) > 0 {
			log.Warn("kv: the data directory holds files that are not part of the store; keep other files elsewhere",
				"dir", dir, "files", strings.Join(foreign, ", "))
		}
		if err := checkKeyRegistry(filepath.Join(dir, keyRegistryFile), key); err != nil {
			return err
		}
		return verifyTables(dir)
	}
	return nil
}

// isStoreFile reports whether name is a file Badger keeps in a store.
func isStoreFile(name string) bool {
	switch name {
	case manifestFile, "MANIFEST-REWRITE", keyRegistryFile, "REWRITE-KEYREGISTRY", lockFile, "DISCARD":
		return true
	}
	return strings.HasSuffix(name, ".sst") || strings.HasSuffix(name, ".vlog") || strings.HasSuffix(name, ".mem")
}

// inspectDir classifies dir without writing to it. A directory with no
// MANIFEST may hold only the key file, a stale LOCK and lost+found (a
// mount point); anything else, Badger's own files included, is
// ErrNotAStore: Open must not create a store over it. For a store, foreign
// lists the entries that are not Badger's.
func inspectDir(dir string) (state dirState, foreign []string, err error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return dirMissing, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("kv: data directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return 0, nil, fmt.Errorf("%w: %s is a file, not a directory", ErrNotAStore, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, nil, fmt.Errorf("kv: read data directory %s: %w", dir, err)
	}
	hasManifest, hasRegistry := false, false
	var unexpected []string // with no store: anything but key file, LOCK, lost+found
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == manifestFile && e.Type().IsRegular():
			hasManifest = true
		case name == keyRegistryFile && e.Type().IsRegular():
			hasRegistry = true
		}
		if name == KeyFileName || (name == "lost+found" && e.IsDir()) {
			continue
		}
		if !e.Type().IsRegular() || !isStoreFile(name) {
			foreign = append(foreign, name)
		}
		if name != lockFile {
			unexpected = append(unexpected, name)
		}
	}
	if !hasManifest {
		if len(unexpected) > 0 {
			return 0, nil, fmt.Errorf("%w: %s holds files but no store (%s); use an empty directory or the right path",
				ErrNotAStore, dir, listNames(unexpected))
		}
		return dirEmpty, nil, nil
	}
	if !hasRegistry {
		return 0, nil, fmt.Errorf("%w: %s has a MANIFEST but no KEYREGISTRY; the store is damaged or from an incompatible Badger version",
			ErrNotAStore, dir)
	}
	return dirHasStore, foreign, nil
}

// listNames names a few directory entries for an error message.
func listNames(names []string) string {
	if len(names) > 5 {
		names = append(names[:5:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	return "found " + strings.Join(names, ", ")
}

// sanityText is what Badger writes, encrypted with the master key, at the
// start of KEYREGISTRY (after a 16-byte IV) to recognise the right key.
var sanityText = []byte("Hello Badger")

// checkKeyRegistry verifies key against the registry file the way Badger
// does, but read-only, so a wrong key is refused before Badger opens (and
// possibly writes) anything.
func checkKeyRegistry(path string, key []byte) error {
	f, err := os.Open(path) //nolint:gosec // G304: KEYREGISTRY inside the operator-supplied data directory
	if err != nil {
		return fmt.Errorf("kv: open key registry: %w", err)
	}
	defer f.Close()
	head := make([]byte, aes.BlockSize+len(sanityText))
	if _, err := io.ReadFull(f, head); err != nil {
		return fmt.Errorf("%w: %s is truncated or damaged: %w", ErrNotAStore, path, err)
	}
	iv, stored := head[:aes.BlockSize], head[aes.BlockSize:]
	plain := bytes.Equal(stored, sanityText)
	if len(key) == 0 {
		if plain {
			return nil
		}
		return fmt.Errorf("%w (%s is encrypted and no key was given: pass --key-file or SYNCHRONIZER_KEY)",
			ErrKeyMismatch, filepath.Dir(path))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("kv: encryption key: %w", err)
	}
	got := make([]byte, len(stored))
	cipher.NewCTR(block, iv).XORKeyStream(got, stored)
	if bytes.Equal(got, sanityText) {
		return nil
	}
	if plain {
		return fmt.Errorf("%w (%s is not encrypted but a key was given)", ErrKeyMismatch, filepath.Dir(path))
	}
	return fmt.Errorf("%w (%s: wrong key; nothing was changed)", ErrKeyMismatch, filepath.Dir(path))
}

// badgerLogger routes Badger's log lines to slog with component=badger.
// Errors and warnings keep their level; Badger's chatty info lines (table
// counts at open, level summaries at close) become debug lines, and its
// debug lines are dropped.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any) {
	l.log.Error(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}

func (l badgerLogger) Warningf(f string, a ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}

func (l badgerLogger) Infof(f string, a ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.log.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
	}
}

func (l badgerLogger) Debugf(string, ...any) {}
