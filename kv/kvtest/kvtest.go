// Package kvtest is the conformance suite every kv store configuration must
// pass (on disk, in memory, encrypted or not), in the manner of Dex's
// storage/conformance: call RunTests with a function that opens a fresh,
// empty store.
package kvtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/synchronizer/synchronizer/kv"
)

// Opener opens a fresh, empty store for one test. It registers the store's
// Close with t.Cleanup.
type Opener func(t *testing.T) *kv.DB

// RunTests runs every conformance test against stores made by open.
func RunTests(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *kv.DB)
	}{
		{"GetSetDelete", testGetSetDelete},
		{"NotFound", testNotFound},
		{"CopiesAreSafe", testCopiesAreSafe},
		{"EmptyKeyRefused", testEmptyKey},
		{"SizeLimits", testSizeLimits},
		{"ScanOrderAndPrefixIsolation", testScanPrefix},
		{"ScanReverse", testScanReverse},
		{"ScanStopAndErrors", testScanStop},
		{"ScanDeleteWhileScanning", testScanDelete},
		{"TTL", testTTL},
		{"JSON", testJSON},
		{"UpdateRollsBackOnError", testUpdateRollback},
		{"ViewIsReadOnly", testViewReadOnly},
		{"CommitAtomic", testCommit},
		{"CommitTooBig", testCommitTooBig},
		{"Conflict", testConflict},
		{"ConcurrentWriters", testConcurrent},
		{"CertCache", testCertCache},
		{"GCStopsOnCancel", testGCStops},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func set(t *testing.T, db *kv.DB, kvs ...string) {
	t.Helper()
	if len(kvs)%2 != 0 {
		t.Fatal("set: odd number of arguments")
	}
	err := db.Update(func(tx *kv.Tx) error {
		for i := 0; i < len(kvs); i += 2 {
			if err := tx.Set([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("set: %v", err)
	}
}

func get(t *testing.T, db *kv.DB, key string) (string, bool) {
	t.Helper()
	v, ok, err := db.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(v), ok
}

func testGetSetDelete(t *testing.T, db *kv.DB) {
	set(t, db, "a", "1", "b", "2")
	if v, ok := get(t, db, "a"); !ok || v != "1" {
		t.Fatalf("Get(a) = %q, %v; want 1, true", v, ok)
	}
	set(t, db, "a", "one")
	if v, _ := get(t, db, "a"); v != "one" {
		t.Fatalf("Get(a) after overwrite = %q, want one", v)
	}
	if err := db.Update(func(tx *kv.Tx) error { return tx.Delete([]byte("a")) }); err != nil {
		t.Fatal(err)
	}
	if _, ok := get(t, db, "a"); ok {
		t.Fatal("Get(a) after Delete: still present")
	}
	if v, _ := get(t, db, "b"); v != "2" {
		t.Fatalf("Get(b) = %q, want 2 (Delete of a touched b)", v)
	}
	// Deleting a missing key is not an error.
	if err := db.Update(func(tx *kv.Tx) error { return tx.Delete([]byte("never")) }); err != nil {
		t.Fatalf("Delete(missing) = %v, want nil", err)
	}
	// An empty value is a value, not a missing key.
	set(t, db, "empty", "")
	if v, ok := get(t, db, "empty"); !ok || v != "" {
		t.Fatalf("Get(empty) = %q, %v; want \"\", true", v, ok)
	}
	// Reads inside an Update see the transaction's own writes.
	err := db.Update(func(tx *kv.Tx) error {
		if err := tx.Set([]byte("c"), []byte("3")); err != nil {
			return err
		}
		v, err := tx.Get([]byte("c"))
		if err != nil {
			return fmt.Errorf("read own write: %w", err)
		}
		if string(v) != "3" {
			return fmt.Errorf("read own write: %q, want \"3\"", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testNotFound(t *testing.T, db *kv.DB) {
	err := db.View(func(tx *kv.Tx) error {
		_, err := tx.Get([]byte("missing"))
		return err
	})
	if !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Tx.Get(missing) error = %v, want ErrNotFound", err)
	}
	v, ok, err := db.Get([]byte("missing"))
	if err != nil || ok || v != nil {
		t.Fatalf("DB.Get(missing) = %q, %v, %v; want nil, false, nil", v, ok, err)
	}
}

func testCopiesAreSafe(t *testing.T, db *kv.DB) {
	key, val := []byte("k"), []byte("value")
	if err := db.Update(func(tx *kv.Tx) error { return tx.Set(key, val) }); err != nil {
		t.Fatal(err)
	}
	// Reusing the caller's buffers after Set must not change what was stored.
	copy(key, "x")
	copy(val, "XXXXX")
	var got []byte
	err := db.View(func(tx *kv.Tx) error {
		var err error
		got, err = tx.Get([]byte("k"))
		return err
	})
	if err != nil || string(got) != "value" {
		t.Fatalf("Get(k) = %q, %v; want value", got, err)
	}
	// The returned slice is a copy: changing it changes nothing stored.
	got[0] = 'V'
	if v, _ := get(t, db, "k"); v != "value" {
		t.Fatalf("stored value changed through returned slice: %q", v)
	}
	var scanned [][]byte
	if err := db.Scan(nil, func(k, v []byte) error { scanned = append(scanned, k, v); return nil }); err != nil {
		t.Fatal(err)
	}
	set(t, db, "k", "other")
	if len(scanned) != 2 || string(scanned[0]) != "k" || string(scanned[1]) != "value" {
		t.Fatalf("slices kept from Scan changed after a later write: %q", scanned)
	}
}

func testEmptyKey(t *testing.T, db *kv.DB) {
	for name, fn := range map[string]func(tx *kv.Tx) error{
		"Set":        func(tx *kv.Tx) error { return tx.Set(nil, []byte("v")) },
		"SetWithTTL": func(tx *kv.Tx) error { return tx.SetWithTTL([]byte{}, []byte("v"), time.Hour) },
		"Delete":     func(tx *kv.Tx) error { return tx.Delete(nil) },
	} {
		if err := db.Update(fn); err == nil || !strings.Contains(err.Error(), "empty key") {
			t.Errorf("%s with empty key: error = %v, want one mentioning the empty key", name, err)
		}
	}
}

// scanKeys returns the keys Scan or ScanReverse yields for prefix.
func scanKeys(t *testing.T, db *kv.DB, prefix string, reverse bool) []string {
	t.Helper()
	var keys []string
	err := db.View(func(tx *kv.Tx) error {
		fn := func(k, v []byte) error {
			if !strings.HasPrefix(string(k), prefix) {
				return fmt.Errorf("key %q outside prefix %q", k, prefix)
			}
			if want := "v:" + string(k); string(v) != want {
				return fmt.Errorf("value of %q = %q, want %q", k, v, want)
			}
			keys = append(keys, string(k))
			return nil
		}
		if reverse {
			return tx.ScanReverse([]byte(prefix), fn)
		}
		return tx.Scan([]byte(prefix), fn)
	})
	if err != nil {
		t.Fatalf("scan %q (reverse=%v): %v", prefix, reverse, err)
	}
	return keys
}

// scanFixture holds keys around prefix boundaries, including 0xff bytes.
var scanFixture = []string{
	"a", "a/", "a/1", "a/2", "a/10", "a0", "ab", "a/\xff", "a/\xff\xff",
	"b/1", "\xff", "\xff\xff/1", "\xff\xff\xff",
	kv.PrefixAuth + "u1", kv.PrefixSession + "s1", kv.PrefixAudit + "0001", kv.PrefixAudit + "0002",
}

func loadFixture(t *testing.T, db *kv.DB) {
	t.Helper()
	var kvs []string
	for _, k := range scanFixture {
		kvs = append(kvs, k, "v:"+k)
	}
	set(t, db, kvs...)
}

func want(prefix string) []string {
	var w []string
	for _, k := range scanFixture {
		if strings.HasPrefix(k, prefix) {
			w = append(w, k)
		}
	}
	slices.Sort(w)
	return w
}

var scanPrefixes = []string{"", "a", "a/", "a/1", "a/\xff", "a0", "b/", "\xff", "\xff\xff", "audit/", "auth/", "c", "zz"}

func testScanPrefix(t *testing.T, db *kv.DB) {
	loadFixture(t, db)
	for _, p := range scanPrefixes {
		if got, w := scanKeys(t, db, p, false), want(p); !slices.Equal(got, w) {
			t.Errorf("Scan(%q) = %q, want %q", p, got, w)
		}
	}
	// DB.Scan is the same scan outside an explicit transaction.
	var got []string
	if err := db.Scan([]byte("a/"), func(k, _ []byte) error { got = append(got, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	if w := want("a/"); !slices.Equal(got, w) {
		t.Errorf("DB.Scan(a/) = %q, want %q", got, w)
	}
}

func testScanReverse(t *testing.T, db *kv.DB) {
	loadFixture(t, db)
	for _, p := range scanPrefixes {
		w := want(p)
		slices.Reverse(w)
		if got := scanKeys(t, db, p, true); !slices.Equal(got, w) {
			t.Errorf("ScanReverse(%q) = %q, want %q", p, got, w)
		}
		// DB.ScanReverse (the engine's KV method) is the same scan outside an explicit transaction.
		var got []string
		if err := db.ScanReverse([]byte(p), func(k, _ []byte) error { got = append(got, string(k)); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, w) {
			t.Errorf("DB.ScanReverse(%q) = %q, want %q", p, got, w)
		}
	}
	// An error from fn stops DB.ScanReverse after the first key and is returned unchanged.
	stop := errors.New("stop here")
	n := 0
	if err := db.ScanReverse([]byte("a/"), func(k, _ []byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("DB.ScanReverse with a stopping fn: err %v after %d keys, want %v after 1", err, n, stop)
	}
}

func testScanStop(t *testing.T, db *kv.DB) {
	loadFixture(t, db)
	var n int
	err := db.Scan([]byte("a/"), func(k, v []byte) error {
		n++
		if n == 2 {
			return kv.ErrStopScan
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("Scan stopped with ErrStopScan: err = %v after %d keys; want nil after 2", err, n)
	}
	boom := errors.New("boom")
	n = 0
	err = db.View(func(tx *kv.Tx) error {
		return tx.ScanReverse([]byte("a/"), func(k, v []byte) error { n++; return boom })
	})
	if !errors.Is(err, boom) || n != 1 {
		t.Fatalf("ScanReverse callback error: err = %v after %d keys; want boom after 1", err, n)
	}
}

func testScanDelete(t *testing.T, db *kv.DB) {
	loadFixture(t, db)
	err := db.Update(func(tx *kv.Tx) error {
		return tx.Scan([]byte("a/"), func(k, _ []byte) error { return tx.Delete(k) })
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := scanKeys(t, db, "a/", false); len(got) != 0 {
		t.Fatalf("keys left after deleting a/ while scanning: %q", got)
	}
	var w []string
	for _, k := range want("a") {
		if !strings.HasPrefix(k, "a/") {
			w = append(w, k)
		}
	}
	if got := scanKeys(t, db, "a", false); !slices.Equal(got, w) {
		t.Fatalf("Scan(a) after deleting a/ = %q, want %q", got, w)
	}
}

func testTTL(t *testing.T, db *kv.DB) {
	err := db.Update(func(tx *kv.Tx) error {
		if err := tx.SetWithTTL([]byte("short"), []byte("v"), time.Second); err != nil {
			return err
		}
		return tx.SetWithTTL([]byte("long"), []byte("v"), time.Hour)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := get(t, db, "short"); !ok {
		t.Fatal("short-TTL key missing right after commit")
	}
	// Badger's expiry has one-second resolution.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := get(t, db, "short"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("key with 1s TTL still present after 5s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, ok := get(t, db, "long"); !ok {
		t.Fatal("key with 1h TTL expired")
	}
	if keys := keysOf(t, db, ""); !slices.Equal(keys, []string{"long"}) {
		t.Fatalf("Scan after expiry = %q, want [long]", keys)
	}
	for _, ttl := range []time.Duration{0, -time.Second} {
		err := db.Update(func(tx *kv.Tx) error { return tx.SetWithTTL([]byte("k"), []byte("v"), ttl) })
		if err == nil || !strings.Contains(err.Error(), "ttl") {
			t.Errorf("SetWithTTL(ttl=%v) error = %v, want one about the ttl", ttl, err)
		}
	}
}

type record struct {
	Name  string            `json:"name"`
	Count int               `json:"count"`
	Tags  map[string]string `json:"tags,omitempty"`
}

func testJSON(t *testing.T, db *kv.DB) {
	in := record{Name: "Ada", Count: 3, Tags: map[string]string{"x": "y"}}
	if err := db.Update(func(tx *kv.Tx) error { return kv.PutJSON(tx, []byte("cfg/r"), in) }); err != nil {
		t.Fatal(err)
	}
	err := db.View(func(tx *kv.Tx) error {
		out, err := kv.GetJSON[record](tx, []byte("cfg/r"))
		if err != nil {
			return err
		}
		if out.Name != in.Name || out.Count != in.Count || out.Tags["x"] != "y" {
			return fmt.Errorf("GetJSON = %+v, want %+v", out, in)
		}
		if _, err := kv.GetJSON[record](tx, []byte("cfg/missing")); err == nil {
			return errors.New("GetJSON(missing) error = nil, want ErrNotFound")
		} else if !errors.Is(err, kv.ErrNotFound) {
			return fmt.Errorf("GetJSON(missing) error = %w, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	set(t, db, "cfg/bad", "{not json")
	err = db.View(func(tx *kv.Tx) error {
		_, err := kv.GetJSON[record](tx, []byte("cfg/bad"))
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "cfg/bad") {
		t.Fatalf("GetJSON(bad JSON) error = %v, want one naming the key", err)
	}
	err = db.Update(func(tx *kv.Tx) error { return kv.PutJSON(tx, []byte("cfg/ch"), make(chan int)) })
	if err == nil || !strings.Contains(err.Error(), "cfg/ch") {
		t.Fatalf("PutJSON(unencodable) error = %v, want one naming the key", err)
	}
}

func testUpdateRollback(t *testing.T, db *kv.DB) {
	set(t, db, "keep", "old")
	boom := errors.New("boom")
	err := db.Update(func(tx *kv.Tx) error {
		if err := tx.Set([]byte("keep"), []byte("new")); err != nil {
			return err
		}
		if err := tx.Set([]byte("extra"), []byte("x")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update error = %v, want the callback's error", err)
	}
	if v, _ := get(t, db, "keep"); v != "old" {
		t.Fatalf("failed Update changed keep to %q", v)
	}
	if _, ok := get(t, db, "extra"); ok {
		t.Fatal("failed Update wrote extra")
	}
}

func testViewReadOnly(t *testing.T, db *kv.DB) {
	for name, fn := range map[string]func(tx *kv.Tx) error{
		"Set":        func(tx *kv.Tx) error { return tx.Set([]byte("k"), []byte("v")) },
		"SetWithTTL": func(tx *kv.Tx) error { return tx.SetWithTTL([]byte("k"), []byte("v"), time.Hour) },
		"Delete":     func(tx *kv.Tx) error { return tx.Delete([]byte("k")) },
		"PutJSON":    func(tx *kv.Tx) error { return kv.PutJSON(tx, []byte("k"), 1) },
	} {
		if err := db.View(fn); err == nil {
			t.Errorf("%s inside View succeeded, want an error", name)
		}
	}
	if _, ok := get(t, db, "k"); ok {
		t.Fatal("a write inside View was stored")
	}
}

func testCommit(t *testing.T, db *kv.DB) {
	set(t, db, "eng/old", "x", "eng/keep", "k")
	sets := map[string][]byte{"eng/a": []byte("1"), "eng/b": []byte("2")}
	if err := db.Commit(sets, []string{"eng/old", "eng/none"}); err != nil {
		t.Fatal(err)
	}
	if got, w := keysOf(t, db, "eng/"), []string{"eng/a", "eng/b", "eng/keep"}; !slices.Equal(got, w) {
		t.Fatalf("after Commit keys = %q, want %q", got, w)
	}
	// A bad delete makes the whole Commit fail: none of its sets apply.
	err := db.Commit(map[string][]byte{"eng/c": []byte("3"), "eng/a": []byte("changed")}, []string{"eng/b", ""})
	if err == nil {
		t.Fatal("Commit with an empty key succeeded")
	}
	if got, w := keysOf(t, db, "eng/"), []string{"eng/a", "eng/b", "eng/keep"}; !slices.Equal(got, w) {
		t.Fatalf("failed Commit left keys %q, want %q", got, w)
	}
	if v, _ := get(t, db, "eng/a"); v != "1" {
		t.Fatalf("failed Commit changed eng/a to %q", v)
	}
	// A key both deleted and set ends up set, whether or not it existed.
	if err := db.Commit(map[string][]byte{"eng/z": []byte("1"), "eng/a": []byte("again")}, []string{"eng/z", "eng/a"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := get(t, db, "eng/z"); v != "1" {
		t.Fatalf("eng/z deleted and set in one Commit = %q, want 1", v)
	}
	if v, _ := get(t, db, "eng/a"); v != "again" {
		t.Fatalf("eng/a deleted and set in one Commit = %q, want again", v)
	}
	// A scan callback may Commit; the scan keeps its snapshot.
	var seen []string
	err = db.Scan([]byte("eng/"), func(k, _ []byte) error {
		seen = append(seen, string(k))
		return db.Commit(map[string][]byte{"eng/zz-added": nil}, []string{"eng/keep"})
	})
	if err != nil {
		t.Fatalf("Commit inside DB.Scan: %v", err)
	}
	if w := []string{"eng/a", "eng/b", "eng/keep", "eng/z"}; !slices.Equal(seen, w) {
		t.Fatalf("scan with commits inside saw %q, want the snapshot %q", seen, w)
	}
	if got, w := keysOf(t, db, "eng/"), []string{"eng/a", "eng/b", "eng/z", "eng/zz-added"}; !slices.Equal(got, w) {
		t.Fatalf("after commits inside a scan keys = %q, want %q", got, w)
	}
	// Empty commits are fine.
	if err := db.Commit(nil, nil); err != nil {
		t.Fatalf("empty Commit: %v", err)
	}
}

func keysOf(t *testing.T, db *kv.DB, prefix string) []string {
	t.Helper()
	var keys []string
	if err := db.Scan([]byte(prefix), func(k, _ []byte) error { keys = append(keys, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

func testConflict(t *testing.T, db *kv.DB) {
	set(t, db, "counter", "0")
	err := db.Update(func(tx *kv.Tx) error {
		if _, err := tx.Get([]byte("counter")); err != nil {
			return err
		}
		// Another transaction changes what this one read and commits first.
		if err := db.Update(func(tx2 *kv.Tx) error { return tx2.Set([]byte("counter"), []byte("1")) }); err != nil {
			return fmt.Errorf("inner update: %w", err)
		}
		return tx.Set([]byte("counter"), []byte("2"))
	})
	if !errors.Is(err, kv.ErrConflict) {
		t.Fatalf("Update after a concurrent write to a read key: error = %v, want ErrConflict", err)
	}
	if v, _ := get(t, db, "counter"); v != "1" {
		t.Fatalf("counter = %q, want 1 (the conflicting transaction must not commit)", v)
	}
}

func testConcurrent(t *testing.T, db *kv.DB) {
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				k := fmt.Sprintf("hook/%d/%03d", w, i)
				if err := db.Update(func(tx *kv.Tx) error { return tx.Set([]byte(k), []byte(k)) }); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(keysOf(t, db, "hook/")); n != writers*each {
		t.Fatalf("%d keys after concurrent writes, want %d", n, writers*each)
	}
}

func testCertCache(t *testing.T, db *kv.DB) {
	ctx := context.Background()
	c := db.CertCache()
	if _, err := c.Get(ctx, "example.com"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Fatalf("Get(missing) error = %v, want autocert.ErrCacheMiss", err)
	}
	pem := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	if err := c.Put(ctx, "example.com", pem); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, "example.com")
	if err != nil || !bytes.Equal(got, pem) {
		t.Fatalf("Get after Put = %q, %v", got, err)
	}
	// Entries live under the cert/ key space and nowhere else.
	if keys := keysOf(t, db, ""); !slices.Equal(keys, []string{kv.PrefixCert + "example.com"}) {
		t.Fatalf("keys after Put = %q, want only %q", keys, kv.PrefixCert+"example.com")
	}
	if err := c.Put(ctx, "example.com", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get(ctx, "example.com"); string(got) != "new" {
		t.Fatalf("Get after second Put = %q, want new", got)
	}
	if err := c.Delete(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "example.com"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Fatalf("Get after Delete error = %v, want autocert.ErrCacheMiss", err)
	}
	if err := c.Delete(ctx, "example.com"); err != nil {
		t.Fatalf("Delete(missing) = %v, want nil", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Put(cancelled, "x", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with cancelled ctx: error = %v, want context.Canceled", err)
	}
	if _, err := c.Get(cancelled, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with cancelled ctx: error = %v, want context.Canceled", err)
	}
	if err := c.Put(ctx, "", []byte("v")); err == nil {
		t.Fatal("Put with empty name succeeded")
	}
}

func testGCStops(t *testing.T, db *kv.DB) {
	set(t, db, "x", strings.Repeat("v", 4096))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		db.RunGC(ctx, time.Millisecond)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond) // let a few rounds run
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunGC did not return after its context was cancelled")
	}
	if v, _ := get(t, db, "x"); len(v) != 4096 {
		t.Fatalf("value changed by GC: %d bytes", len(v))
	}
}

func testSizeLimits(t *testing.T, db *kv.DB) {
	// Values just under 1 MiB are accepted in every mode.
	big := bytes.Repeat([]byte("b"), 1<<20-1<<10)
	if err := db.Update(func(tx *kv.Tx) error { return tx.Set([]byte("big"), big) }); err != nil {
		t.Fatalf("Set(%d-byte value): %v", len(big), err)
	}
	if v, _ := get(t, db, "big"); len(v) != len(big) {
		t.Fatalf("Get(big) = %d bytes, want %d", len(v), len(big))
	}
	// Exactly 1 MiB is Badger's in-memory limit (where v4.9.6 panicked
	// instead of refusing): either stored intact or refused, never a crash.
	edge := bytes.Repeat([]byte("e"), 1<<20)
	if err := db.Update(func(tx *kv.Tx) error { return tx.Set([]byte("edge"), edge) }); err == nil {
		if v, _ := get(t, db, "edge"); len(v) != len(edge) {
			t.Fatalf("Get(edge) = %d bytes, want %d", len(v), len(edge))
		}
	}
	// Oversized values are refused with a short error that does not echo
	// the value (it may be a secret).
	huge := bytes.Repeat([]byte("S"), 65<<20)
	err := db.Update(func(tx *kv.Tx) error { return tx.Set([]byte("huge"), huge) })
	if err == nil {
		t.Fatal("Set(65 MiB value) succeeded, want an error")
	}
	if msg := err.Error(); len(msg) > 200 || strings.Contains(msg, "SSSS") || !strings.Contains(msg, "huge") {
		t.Fatalf("oversized value error should be short, name the key and not echo the value: %.300q", msg)
	}
	long := bytes.Repeat([]byte("k"), kv.MaxKeySize+1)
	err = db.Update(func(tx *kv.Tx) error { return tx.Set(long, []byte("v")) })
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("Set(oversized key): error = %.300q, want a short error", err)
	}
}

func testCommitTooBig(t *testing.T, db *kv.DB) {
	// 2,000 keys of 300 bytes fit in one Commit ...
	v := bytes.Repeat([]byte("x"), 300)
	sets := map[string][]byte{}
	for i := range 2000 {
		sets[fmt.Sprintf("eng/ok/%05d", i)] = v
	}
	if err := db.Commit(sets, nil); err != nil {
		t.Fatalf("Commit of 2,000 small keys: %v", err)
	}
	// ... 20,000 do not: the error says so and nothing is written.
	sets = map[string][]byte{}
	for i := range 20000 {
		sets[fmt.Sprintf("eng/big/%05d", i)] = v
	}
	err := db.Commit(sets, nil)
	if err == nil || !strings.Contains(err.Error(), "too big") {
		t.Fatalf("Commit of 20,000 keys: error = %v, want one saying the transaction is too big", err)
	}
	if n := len(keysOf(t, db, "eng/big/")); n != 0 {
		t.Fatalf("a refused Commit wrote %d keys", n)
	}
}
