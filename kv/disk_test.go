package kv_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

func mustOpen(t *testing.T, opts kv.Options) *kv.DB {
	t.Helper()
	db, err := kv.Open(opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", opts.Dir, err)
	}
	return db
}

func mustClose(t *testing.T, db *kv.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func put(t *testing.T, db *kv.DB, k, v string) {
	t.Helper()
	if err := db.Commit(map[string][]byte{k: []byte(v)}, nil); err != nil {
		t.Fatalf("Commit(%q): %v", k, err)
	}
}

// snapshot maps every file under dir to its mode, size, mtime and SHA-256.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		sum := ""
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			sum = hex.EncodeToString(h[:])
		}
		out[p] = fi.Mode().String() + " " + fi.ModTime().String() + " " + sum
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s was deleted", p)
		} else if a != b {
			t.Errorf("%s changed: %s -> %s", p, b, a)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was created", p)
		}
	}
}

// grepDir reports the files under dir whose bytes contain needle.
func grepDir(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, needle) {
			hits = append(hits, filepath.Base(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func TestPersistsAcrossReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey})
	put(t, db, "cfg/a", "1")
	mustClose(t, db)
	db = mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey})
	defer mustClose(t, db)
	if v, ok, err := db.Get([]byte("cfg/a")); err != nil || !ok || string(v) != "1" {
		t.Fatalf("after reopen Get = %q, %v, %v", v, ok, err)
	}
}

func TestEncryptionAtRest(t *testing.T) {
	t.Parallel()
	small := []byte("s3cret-SMALL-7f2c9a-token")                          // stays in the LSM tree
	large := bytes.Repeat([]byte("s3cret-LARGE-91be0d-password|"), 40000) // 1.1 MB: goes to the value log
	secretKey := []byte("auth/s3cret-KEYNAME-4411")
	for _, tc := range []struct {
		name      string
		key       []byte
		wantClear bool
	}{
		{"Encrypted", testKey, false},
		// The control: without a key the same bytes are found, so the
		// search above can fail.
		{"Plain", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: tc.key})
			if err := db.Commit(map[string][]byte{"cfg/small": small, "cfg/large": large, string(secretKey): []byte("x")}, nil); err != nil {
				t.Fatal(err)
			}
			mustClose(t, db) // flushes the memtable into an SST file
			for _, needle := range [][]byte{small, large[:40], secretKey} {
				hits := grepDir(t, dir, needle)
				if tc.wantClear && len(hits) == 0 {
					t.Errorf("control: %q not found in an unencrypted store; the check is broken", needle)
				}
				if !tc.wantClear && len(hits) > 0 {
					t.Errorf("%q found in plaintext in %v", needle, hits)
				}
			}
		})
	}
}

func TestWrongKeyRefusedAndNothingTouched(t *testing.T) {
	t.Parallel()
	otherKey := bytes.Repeat([]byte{0x07}, 32)
	for _, tc := range []struct {
		name          string
		storeKey, key []byte
		wantMsg       string
	}{
		{"WrongKey", testKey, otherKey, "wrong key"},
		{"NoKeyForEncryptedStore", testKey, nil, "no key was given"},
		{"KeyForPlainStore", nil, testKey, "not encrypted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: tc.storeKey})
			put(t, db, "cfg/a", "1")
			mustClose(t, db)
			before := snapshot(t, dir)
			time.Sleep(10 * time.Millisecond) // make any rewrite show in mtimes
			for _, ro := range []bool{false, true} {
				_, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: tc.key, ReadOnly: ro})
				if !errors.Is(err, kv.ErrKeyMismatch) {
					t.Fatalf("Open (read-only=%v) error = %v, want ErrKeyMismatch", ro, err)
				}
				if msg := err.Error(); !strings.Contains(msg, "does not match") || !strings.Contains(msg, tc.wantMsg) {
					t.Errorf("error %q should say the key does not match and %q", msg, tc.wantMsg)
				}
			}
			sameSnapshot(t, before, snapshot(t, dir))
			// The right key still opens it.
			db = mustOpen(t, kv.Options{Dir: dir, EncryptionKey: tc.storeKey})
			defer mustClose(t, db)
			if v, ok, _ := db.Get([]byte("cfg/a")); !ok || string(v) != "1" {
				t.Fatalf("data lost after refused open: %q %v", v, ok)
			}
		})
	}
}

func TestForeignDirRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  error
	}{
		{"RandomFiles", map[string]string{"notes.txt": "hello", "photo.jpg": "\xff\xd8\xff"}, kv.ErrNotAStore},
		{"OtherDatabase", map[string]string{"data.db": "SQLite format 3\x00"}, kv.ErrNotAStore},
		{"RegistryWithoutManifest", map[string]string{"KEYREGISTRY": strings.Repeat("x", 40)}, kv.ErrNotAStore},
		{"OrphanedTables", map[string]string{"000001.sst": "x", "000001.vlog": "y"}, kv.ErrNotAStore},
		{"ManifestWithoutRegistry", map[string]string{"MANIFEST": "garbage"}, kv.ErrNotAStore},
		{"TruncatedRegistry", map[string]string{"MANIFEST": "garbage", "KEYREGISTRY": "short"}, kv.ErrNotAStore},
		// A garbage registry cannot be told from a wrong key.
		{"GarbageRegistry", map[string]string{"MANIFEST": "garbage", "KEYREGISTRY": strings.Repeat("x", 40)}, kv.ErrKeyMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, dir)
			_, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the directory", err)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		})
	}
	t.Run("MountPointWithLostFound", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "lost+found"), 0o700); err != nil {
			t.Fatal(err)
		}
		mustClose(t, mustOpen(t, kv.Options{Dir: dir}))
	})
	t.Run("StrayFileNextToStoreWarns", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		mustClose(t, mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey}))
		if err := os.WriteFile(filepath.Join(dir, "backup.bak"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		log, buf := logBuffer()
		db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey, Logger: log})
		mustClose(t, db)
		if out := buf.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "backup.bak") {
			t.Fatalf("log = %q, want a warning naming backup.bak", out)
		}
	})
	t.Run("PathIsAFile", func(t *testing.T) {
		t.Parallel()
		f := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Open(kv.Options{Dir: f}); !errors.Is(err, kv.ErrNotAStore) {
			t.Fatalf("Open(file) error = %v, want ErrNotAStore", err)
		}
	})
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts kv.Options
		want string
	}{
		{"NoDir", kv.Options{}, "Dir is empty"},
		{"ShortKey", kv.Options{InMemory: true, EncryptionKey: make([]byte, 16)}, "32 bytes"},
		{"LongKey", kv.Options{Dir: t.TempDir(), EncryptionKey: make([]byte, 33)}, "32 bytes"},
		{"ReadOnlyMissing", kv.Options{Dir: filepath.Join(t.TempDir(), "none"), ReadOnly: true}, "does not exist"},
		{"ReadOnlyEmpty", kv.Options{Dir: t.TempDir(), ReadOnly: true}, "no store yet"},
		{"ReadOnlyInMemory", kv.Options{InMemory: true, ReadOnly: true}, "read-only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kv.Open(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestLockedDirRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey})
	defer mustClose(t, db)
	put(t, db, "cfg/a", "1")
	_, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
	if !errors.Is(err, kv.ErrLocked) {
		t.Fatalf("second Open error = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the directory", err)
	}
	// The first handle still works.
	put(t, db, "cfg/b", "2")
	if v, ok, _ := db.Get([]byte("cfg/a")); !ok || string(v) != "1" {
		t.Fatalf("first handle lost data: %q %v", v, ok)
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey})
	put(t, db, "cfg/a", "1")
	mustClose(t, db)
	ro := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey, ReadOnly: true})
	defer mustClose(t, ro)
	if v, ok, err := ro.Get([]byte("cfg/a")); err != nil || !ok || string(v) != "1" {
		t.Fatalf("read-only Get = %q, %v, %v", v, ok, err)
	}
	if err := ro.Commit(map[string][]byte{"cfg/b": nil}, nil); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("Commit on read-only store: error = %v, want one saying read-only", err)
	}
}

func TestBackupRestore(t *testing.T) {
	t.Parallel()
	src := mustOpen(t, kv.Options{Dir: t.TempDir(), EncryptionKey: testKey})
	defer mustClose(t, src)
	want := map[string]string{
		"auth/u1":   "ada",
		"cfg/big":   strings.Repeat("L", 5000),
		"eng/x\xff": "\x00\x01",
	}
	sets := map[string][]byte{}
	for k, v := range want {
		sets[k] = []byte(v)
	}
	if err := src.Commit(sets, nil); err != nil {
		t.Fatal(err)
	}
	if err := src.Update(func(tx *kv.Tx) error {
		if err := tx.Set([]byte("tmp/gone"), []byte("GONE-VALUE-5521")); err != nil {
			return err
		}
		return tx.SetWithTTL([]byte("sess/s1"), []byte("alive"), time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	if err := src.Commit(nil, []string{"tmp/gone"}); err != nil {
		t.Fatal(err)
	}
	want["sess/s1"] = "alive"
	var buf bytes.Buffer
	if err := src.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	// A deleted key travels only as a tombstone, without its value.
	if bytes.Contains(buf.Bytes(), []byte("GONE-VALUE-5521")) {
		t.Error("deleted value present in the backup")
	}

	// Restore into a fresh directory under a different key, with the key
	// file LoadOrCreateKey may already have written there.
	dstDir := filepath.Join(t.TempDir(), "restored")
	newKey, created, err := kv.LoadOrCreateKeyLogger(nil, "", dstDir, "")
	if err != nil || !created {
		t.Fatalf("LoadOrCreateKey for restore dir: %v, created=%v", err, created)
	}
	if err := kv.Restore(bytes.NewReader(buf.Bytes()), kv.Options{Dir: dstDir, EncryptionKey: newKey}); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	dst := mustOpen(t, kv.Options{Dir: dstDir, EncryptionKey: newKey})
	defer mustClose(t, dst)
	got := map[string]string{}
	if err := dst.Scan(nil, func(k, v []byte) error { got[string(k)] = string(v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("restored %d keys, want %d: %q", len(got), len(want), keys(got))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("restored %q = %.40q, want %.40q", k, got[k], v)
		}
	}
	// The restored store accepts writes (its transaction clock moved past the backup's).
	put(t, dst, "cfg/after", "1")
	if v, ok, _ := dst.Get([]byte("cfg/after")); !ok || string(v) != "1" {
		t.Fatal("write after restore lost")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRestoreRefusesNonEmptyDir(t *testing.T) {
	t.Parallel()
	var backup bytes.Buffer
	src := mustOpen(t, kv.Options{InMemory: true})
	put(t, src, "cfg/a", "new")
	if err := src.Backup(&backup); err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)

	existing := t.TempDir()
	db := mustOpen(t, kv.Options{Dir: existing, EncryptionKey: testKey})
	put(t, db, "cfg/a", "old")
	mustClose(t, db)
	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"ExistingStore": existing, "ForeignFiles": foreign} {
		before := snapshot(t, dir)
		err := kv.Restore(bytes.NewReader(backup.Bytes()), kv.Options{Dir: dir, EncryptionKey: testKey})
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Errorf("%s: Restore error = %v, want one saying the directory is not empty", name, err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
	}
	for name, opts := range map[string]kv.Options{
		"InMemory": {InMemory: true},
		"NoDir":    {},
		"ReadOnly": {Dir: t.TempDir(), ReadOnly: true},
	} {
		if err := kv.Restore(bytes.NewReader(backup.Bytes()), opts); err == nil {
			t.Errorf("%s: Restore succeeded, want an error", name)
		}
	}
}

func TestRestoreDamagedStream(t *testing.T) {
	t.Parallel()
	var backup bytes.Buffer
	src := mustOpen(t, kv.Options{InMemory: true})
	put(t, src, "cfg/a", strings.Repeat("v", 3000))
	if err := src.Backup(&backup); err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	for name, stream := range map[string][]byte{
		"Text":      []byte("this is not a backup, just some text that goes on for a while\n"),
		"HugeFrame": append([]byte{0, 0, 0, 0, 0, 0, 0, 0x7f}, bytes.Repeat([]byte{1}, 100)...),
		"Truncated": backup.Bytes()[:backup.Len()/2],
		"ShortHdr":  {1, 2, 3},
		"BadProto":  append([]byte{8, 0, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte{0xff}, 8)...),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			err := kv.Restore(bytes.NewReader(stream), kv.Options{Dir: dir, EncryptionKey: testKey})
			if err == nil {
				t.Fatal("Restore of a damaged stream succeeded")
			}
			if !strings.Contains(err.Error(), "restore") {
				t.Errorf("error %q should say the restore failed", err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("failed Restore left %d entries in the directory", len(entries))
			}
			// The directory is usable for a real restore afterwards.
			if err := kv.Restore(bytes.NewReader(backup.Bytes()), kv.Options{Dir: dir, EncryptionKey: testKey}); err != nil {
				t.Fatalf("Restore after a failed one: %v", err)
			}
		})
	}
}

func TestBackupOfOneFrameAtATime(t *testing.T) {
	t.Parallel()
	// Restore must not depend on how the stream is chunked by the reader.
	var backup bytes.Buffer
	src := mustOpen(t, kv.Options{InMemory: true})
	for i := range 50 {
		put(t, src, "eng/"+strings.Repeat("k", i+1), strings.Repeat("v", 100*i))
	}
	if err := src.Backup(&backup); err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	dir := t.TempDir()
	if err := kv.Restore(oneByteReader{bytes.NewReader(backup.Bytes())}, kv.Options{Dir: dir}); err != nil {
		t.Fatalf("Restore via 1-byte reads: %v", err)
	}
	db := mustOpen(t, kv.Options{Dir: dir})
	defer mustClose(t, db)
	n := 0
	if err := db.Scan([]byte("eng/"), func(_, _ []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 50 {
		t.Fatalf("restored %d keys, want 50", n)
	}
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestGCLoopOnDisk(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, kv.Options{Dir: t.TempDir(), EncryptionKey: testKey})
	defer mustClose(t, db)
	for i := range 20 {
		put(t, db, "eng/blob", strings.Repeat("x", 2000+i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { db.RunGC(ctx, time.Millisecond); close(done) }()
	time.Sleep(30 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunGC did not stop after cancel")
	}
	if v, ok, _ := db.Get([]byte("eng/blob")); !ok || len(v) != 2019 {
		t.Fatalf("latest value after GC: %d bytes, ok=%v", len(v), ok)
	}
	lsm, vlog := db.Size()
	if lsm < 0 || vlog < 0 {
		t.Fatalf("Size = %d, %d", lsm, vlog)
	}
}

// logBuffer captures log output for assertions.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

func TestLoadOrCreateKey(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xab}, 32)
	hexKey := hex.EncodeToString(key)

	t.Run("GeneratedOnceWithMode0600", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		k1, created, err := kv.LoadOrCreateKeyLogger(nil, "", dir, "")
		if err != nil || !created || len(k1) != 32 {
			t.Fatalf("first call: %d-byte key, created=%v, err=%v", len(k1), created, err)
		}
		fi, err := os.Stat(filepath.Join(dir, kv.KeyFileName))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Fatalf("key file mode = %#o, want 0600", perm)
		}
		k2, created, err := kv.LoadOrCreateKeyLogger(nil, "", dir, "")
		if err != nil || created || !bytes.Equal(k1, k2) {
			t.Fatalf("second call: created=%v err=%v same=%v", created, err, bytes.Equal(k1, k2))
		}
		// The generated key opens a store there, and later runs find it.
		db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: k1})
		put(t, db, "cfg/a", "1")
		mustClose(t, db)
		k3, created, err := kv.LoadOrCreateKeyLogger(nil, "", dir, "")
		if err != nil || created || !bytes.Equal(k1, k3) {
			t.Fatalf("with a store: created=%v err=%v same=%v", created, err, bytes.Equal(k1, k3))
		}
	})
	t.Run("StoreWithoutKeyRefused", func(t *testing.T) {
		dir := t.TempDir()
		db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: key})
		mustClose(t, db)
		before := snapshot(t, dir)
		_, _, err := kv.LoadOrCreateKeyLogger(nil, "", dir, "")
		if err == nil || !strings.Contains(err.Error(), "--key-file") {
			t.Fatalf("error = %v, want one pointing to --key-file / SYNCHRONIZER_KEY", err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
	})
	t.Run("ForeignDirUntouched", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		if _, _, err := kv.LoadOrCreateKeyLogger(nil, "", dir, ""); !errors.Is(err, kv.ErrNotAStore) {
			t.Fatalf("error = %v, want ErrNotAStore", err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
	})
	t.Run("Env", func(t *testing.T) {
		for name, v := range map[string]string{
			"Hex":          hexKey,
			"HexUpper":     strings.ToUpper(hexKey),
			"Base64":       base64.StdEncoding.EncodeToString(key),
			"Base64Raw":    base64.RawStdEncoding.EncodeToString(key),
			"Base64URL":    base64.RawURLEncoding.EncodeToString(key),
			"WithNewline":  hexKey + "\n",
			"WithSpaceB64": " " + base64.StdEncoding.EncodeToString(key) + " ",
		} {
			got, created, err := kv.LoadOrCreateKeyLogger(nil, "", t.TempDir(), v)
			if err != nil || created || !bytes.Equal(got, key) {
				t.Errorf("%s: key ok=%v created=%v err=%v", name, bytes.Equal(got, key), created, err)
			}
		}
	})
	t.Run("Malformed", func(t *testing.T) {
		for name, v := range map[string]string{
			"ShortHex":     hexKey[:62],
			"LongHex":      hexKey + "abab",
			"Base64Of16":   base64.StdEncoding.EncodeToString(key[:16]),
			"Garbage":      "not a key at all!",
			"OddHexLength": hexKey[:63],
		} {
			dir := t.TempDir()
			_, _, err := kv.LoadOrCreateKeyLogger(nil, "", dir, v)
			if err == nil || !strings.Contains(err.Error(), "SYNCHRONIZER_KEY") {
				t.Errorf("%s: error = %v, want one naming SYNCHRONIZER_KEY", name, err)
				continue
			}
			if len(v) > 8 && strings.Contains(err.Error(), v) {
				t.Errorf("%s: error echoes the key: %v", name, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("%s: a malformed key wrote files", name)
			}
		}
	})
	t.Run("KeyFile", func(t *testing.T) {
		dir := t.TempDir()
		for name, body := range map[string][]byte{
			"Hex":    []byte(hexKey + "\n"),
			"Base64": []byte(base64.StdEncoding.EncodeToString(key)),
			"Raw":    key,
		} {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, body, 0o600); err != nil {
				t.Fatal(err)
			}
			log, buf := logBuffer()
			got, created, err := kv.LoadOrCreateKeyLogger(log, p, t.TempDir(), "")
			if err != nil || created || !bytes.Equal(got, key) {
				t.Errorf("%s: key ok=%v created=%v err=%v", name, bytes.Equal(got, key), created, err)
			}
			if buf.Len() != 0 {
				t.Errorf("%s: unexpected log output for a 0600 key file: %s", name, buf)
			}
		}
		bad := filepath.Join(dir, "bad")
		if err := os.WriteFile(bad, []byte("abcd\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := kv.LoadOrCreateKeyLogger(nil, bad, "", ""); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("short key file: error = %v, want one naming the file", err)
		}
		if _, _, err := kv.LoadOrCreateKeyLogger(nil, filepath.Join(dir, "missing"), "", ""); err == nil {
			t.Error("missing key file accepted")
		}
		if _, _, err := kv.LoadOrCreateKeyLogger(nil, filepath.Join(dir, "Hex"), "", hexKey); err == nil {
			t.Error("both --key-file and SYNCHRONIZER_KEY accepted")
		}
	})
	t.Run("WorldReadableKeyFileWarns", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "key")
		if err := os.WriteFile(p, []byte(hexKey), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
		log, buf := logBuffer()
		got, _, err := kv.LoadOrCreateKeyLogger(log, p, "", "")
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("0644 key file: err=%v", err)
		}
		if out := buf.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "chmod 600") || !strings.Contains(out, p) {
			t.Fatalf("log = %q, want a warning naming the file and chmod 600", out)
		}
		if strings.Contains(buf.String(), hexKey) {
			t.Fatal("the warning leaks the key")
		}
	})
	t.Run("NoDirNoKey", func(t *testing.T) {
		if _, _, err := kv.LoadOrCreateKeyLogger(nil, "", "", ""); err == nil {
			t.Fatal("no key, no dir: accepted")
		}
	})
}

func TestKeySpacesDoNotOverlap(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, p := range kv.Prefixes {
		if p == "" || !strings.HasSuffix(p, "/") {
			t.Errorf("prefix %q must be non-empty and end in /", p)
		}
		if seen[p] {
			t.Errorf("prefix %q listed twice", p)
		}
		seen[p] = true
		for _, q := range kv.Prefixes {
			if p != q && strings.HasPrefix(q, p) {
				t.Errorf("prefix %q overlaps %q", p, q)
			}
		}
	}
	if len(kv.Prefixes) != 12 {
		t.Errorf("%d prefixes, want the 12 documented key spaces", len(kv.Prefixes))
	}
}

func TestBadgerLogsGoToSlog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db := mustOpen(t, kv.Options{Dir: t.TempDir(), Logger: log})
	put(t, db, "cfg/a", "1")
	mustClose(t, db)
	if !strings.Contains(buf.String(), "component=badger") {
		t.Fatalf("no Badger line reached the injected logger; got %q", buf.String())
	}
	// At the default (info) level Badger's info chatter is not shown.
	buf.Reset()
	log = slog.New(slog.NewTextHandler(&buf, nil))
	db = mustOpen(t, kv.Options{Dir: t.TempDir(), Logger: log})
	put(t, db, "cfg/a", "1")
	mustClose(t, db)
	if strings.Contains(buf.String(), "component=badger") {
		t.Fatalf("Badger info lines logged at info level: %q", buf.String())
	}
}

func TestLoadExistingKey(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "none")
	if _, err := kv.LoadExistingKey(nil, "", empty, ""); err == nil || !strings.Contains(err.Error(), "no store") {
		t.Fatalf("missing dir: error = %v, want one saying there is no store", err)
	}
	if _, err := os.Stat(empty); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("LoadExistingKey created the data directory")
	}
	dir := t.TempDir()
	key, created, err := kv.LoadOrCreateKeyLogger(nil, "", dir, "")
	if err != nil || !created {
		t.Fatal(err)
	}
	if _, err := kv.LoadExistingKey(nil, "", dir, ""); err == nil {
		t.Fatal("key file but no store: accepted")
	}
	mustClose(t, mustOpen(t, kv.Options{Dir: dir, EncryptionKey: key}))
	got, err := kv.LoadExistingKey(nil, "", dir, "")
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("existing store: err=%v same=%v", err, bytes.Equal(got, key))
	}
	got, err = kv.LoadExistingKey(nil, "", empty, hex.EncodeToString(key))
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("env key: err=%v", err)
	}
}

func TestUseAfterClose(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, kv.Options{Dir: t.TempDir(), EncryptionKey: testKey})
	put(t, db, "cfg/a", "1")
	mustClose(t, db)
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"View":          db.View(func(*kv.Tx) error { return nil }),
		"Update":        db.Update(func(*kv.Tx) error { return nil }),
		"Commit":        db.Commit(map[string][]byte{"a": nil}, nil),
		"Scan":          db.Scan(nil, func(_, _ []byte) error { return nil }),
		"Backup":        db.Backup(io.Discard),
		"CertCache.Put": db.CertCache().Put(context.Background(), "x", []byte("y")),
	} {
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("%s after Close: error = %v, want ErrClosed", name, err)
		}
	}
	if _, _, err := db.Get([]byte("cfg/a")); !errors.Is(err, kv.ErrClosed) {
		t.Errorf("Get after Close: error = %v, want ErrClosed", err)
	}
	if lsm, vlog := db.Size(); lsm != 0 || vlog != 0 {
		t.Errorf("Size after Close = %d, %d", lsm, vlog)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	db.RunGC(ctx, time.Millisecond) // must neither panic nor outlive ctx
}

func TestDamagedStoreGivesError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"GarbageManifest", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "MANIFEST"), bytes.Repeat([]byte{0x5a}, 200), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"TruncatedManifest", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, "MANIFEST"), 3); err != nil {
				t.Fatal(err)
			}
		}},
		{"FlippedBlock", func(t *testing.T, dir string) {
			tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
			if len(tables) == 0 {
				t.Fatal("no table file to damage")
			}
			f, err := os.OpenFile(tables[0], os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(bytes.Repeat([]byte{0xee}, 64), 40); err != nil {
				t.Fatal(err)
			}
		}},
		{"GarbageTable", func(t *testing.T, dir string) {
			tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
			if len(tables) == 0 {
				t.Fatal("no table file to damage")
			}
			for _, p := range tables {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, bytes.Repeat([]byte{0xa5}, int(fi.Size())), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey})
			for i := range 50 {
				put(t, db, fmt.Sprintf("eng/%02d", i), strings.Repeat("v", 100))
			}
			mustClose(t, db)
			tc.damage(t, dir)
			db, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
			if err == nil {
				// Badger may only notice a damaged table on read: reads
				// must then fail with an error, not a panic.
				defer mustClose(t, db)
				err = db.Scan(nil, func(_, _ []byte) error { return nil })
				if err == nil {
					t.Fatal("a damaged store opened and scanned without any error")
				}
			}
			if !strings.HasPrefix(err.Error(), "kv:") {
				t.Errorf("error %q is not kv's", err)
			}
			if (strings.Contains(tc.name, "Table") || strings.Contains(tc.name, "Block")) && !errors.Is(err, kv.ErrCorrupt) {
				t.Errorf("error = %v, want ErrCorrupt", err)
			}
			t.Logf("%s: %v", tc.name, err)
		})
	}
}

func TestEncryptedBackup(t *testing.T) {
	t.Parallel()
	src := mustOpen(t, kv.Options{Dir: t.TempDir(), EncryptionKey: testKey})
	defer mustClose(t, src)
	secret := "s3cret-BACKUP-c0ffee-password"
	sets := map[string][]byte{"cfg/secret": []byte(secret)}
	for i := range 3000 { // > one 64 KiB chunk
		sets[fmt.Sprintf("eng/%04d", i)] = []byte(strings.Repeat("v", 100))
	}
	if err := src.Commit(sets, nil); err != nil {
		t.Fatal(err)
	}
	var enc, plain bytes.Buffer
	if err := src.BackupEncrypted(&enc); err != nil {
		t.Fatal(err)
	}
	if err := src.Backup(&plain); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(plain.Bytes(), []byte(secret)) {
		t.Fatal("control: the plain backup does not contain the secret; the check below is broken")
	}
	if bytes.Contains(enc.Bytes(), []byte(secret)) || bytes.Contains(enc.Bytes(), []byte("eng/0001")) {
		t.Fatal("the encrypted backup contains plaintext")
	}

	t.Run("RoundTrip", func(t *testing.T) {
		dir := t.TempDir()
		if err := kv.Restore(bytes.NewReader(enc.Bytes()), kv.Options{Dir: dir, EncryptionKey: testKey}); err != nil {
			t.Fatal(err)
		}
		db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey})
		defer mustClose(t, db)
		n := 0
		if err := db.Scan(nil, func(_, _ []byte) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if v, ok, _ := db.Get([]byte("cfg/secret")); !ok || string(v) != secret || n != len(sets) {
			t.Fatalf("restored %d keys (want %d), secret ok=%v", n, len(sets), ok)
		}
	})
	t.Run("WrongKey", func(t *testing.T) {
		dir := t.TempDir()
		err := kv.Restore(bytes.NewReader(enc.Bytes()), kv.Options{Dir: dir, EncryptionKey: bytes.Repeat([]byte{9}, 32)})
		if !errors.Is(err, kv.ErrKeyMismatch) {
			t.Fatalf("error = %v, want ErrKeyMismatch", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("failed restore left %d entries", len(entries))
		}
	})
	t.Run("NoKey", func(t *testing.T) {
		err := kv.Restore(bytes.NewReader(enc.Bytes()), kv.Options{Dir: t.TempDir()})
		if !errors.Is(err, kv.ErrKeyMismatch) {
			t.Fatalf("error = %v, want ErrKeyMismatch", err)
		}
	})
	for name, damage := range map[string]func([]byte) []byte{
		"Truncated":     func(b []byte) []byte { return b[:len(b)/2] },
		"LastChunkLost": func(b []byte) []byte { return b[:len(b)-40] },
		"FlippedByte": func(b []byte) []byte {
			b[len(b)/2] ^= 1
			return b
		},
		"TrailingData": func(b []byte) []byte { return append(b, 1, 2, 3) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			stream := damage(bytes.Clone(enc.Bytes()))
			err := kv.Restore(bytes.NewReader(stream), kv.Options{Dir: dir, EncryptionKey: testKey})
			if err == nil {
				t.Fatal("damaged encrypted backup restored without error")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("failed restore left %d entries", len(entries))
			}
		})
	}
	t.Run("PlainStoreCannot", func(t *testing.T) {
		db := mustOpen(t, kv.Options{InMemory: true})
		defer mustClose(t, db)
		if err := db.BackupEncrypted(io.Discard); err == nil {
			t.Fatal("BackupEncrypted of a store without a key succeeded")
		}
	})
}
