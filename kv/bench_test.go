package kv_test

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/synchronizer/synchronizer/kv"
)

// benchDB opens an encrypted on-disk store in KV_BENCH_DIR (a directory on
// the disk to measure; default: the test's temp dir).
func benchDB(b *testing.B) *kv.DB {
	b.Helper()
	dir := b.TempDir()
	if base := os.Getenv("KV_BENCH_DIR"); base != "" {
		var err error
		if dir, err = os.MkdirTemp(base, "kvbench"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = os.RemoveAll(dir) })
	}
	db, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

// BenchmarkCommit measures one durable (fsynced) Commit of one key with a
// 300-byte value: the engine's journal write.
func BenchmarkCommit(b *testing.B) {
	db := benchDB(b)
	v := []byte(strings.Repeat("x", 300))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := db.Commit(map[string][]byte{fmt.Sprintf("eng/j/%09d", i): v}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommit100 measures one durable Commit of 100 keys (300-byte
// values); ns/op is per Commit, ns/key per key.
func BenchmarkCommit100(b *testing.B) {
	db := benchDB(b)
	v := []byte(strings.Repeat("x", 300))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		sets := make(map[string][]byte, 100)
		for j := range 100 {
			sets[fmt.Sprintf("eng/l/%09d/%03d", i, j)] = v
		}
		if err := db.Commit(sets, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/key")
}

// BenchmarkCommitParallel measures Commits from 8 goroutines at once
// (Badger groups concurrent commits into one fsync).
func BenchmarkCommitParallel(b *testing.B) {
	db := benchDB(b)
	v := []byte(strings.Repeat("x", 300))
	b.SetParallelism(4) // x GOMAXPROCS (2) = 8 goroutines
	b.ReportAllocs()
	b.ResetTimer()
	var n atomicCounter
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := db.Commit(map[string][]byte{fmt.Sprintf("eng/p/%09d", n.next()): v}, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGet measures DB.Get of an existing key among 10,000.
func BenchmarkGet(b *testing.B) {
	db := benchDB(b)
	fill(b, db, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, ok, err := db.Get([]byte(fmt.Sprintf("eng/f/%05d", i%10000))); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkScan1000 measures a prefix Scan yielding 1,000 keys.
func BenchmarkScan1000(b *testing.B) {
	db := benchDB(b)
	fill(b, db, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		if err := db.Scan([]byte("eng/f/03"), func(_, _ []byte) error { n++; return nil }); err != nil || n != 1000 {
			b.Fatal(n, err)
		}
	}
}

func fill(b *testing.B, db *kv.DB, n int) {
	b.Helper()
	v := []byte(strings.Repeat("x", 300))
	sets := map[string][]byte{}
	for i := range n {
		sets[fmt.Sprintf("eng/f/%05d", i)] = v
		if len(sets) == 1000 {
			if err := db.Commit(sets, nil); err != nil {
				b.Fatal(err)
			}
			sets = map[string][]byte{}
		}
	}
	if err := db.Commit(sets, nil); err != nil {
		b.Fatal(err)
	}
}

type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) next() int64 { return c.n.Add(1) }

// BenchmarkOpen measures Open (including the checksum check of every
// table) and Close of an encrypted store holding 100,000 keys of 300 bytes
// (about 35 MB of tables).
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	if base := os.Getenv("KV_BENCH_DIR"); base != "" {
		var err error
		if dir, err = os.MkdirTemp(base, "kvbench"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = os.RemoveAll(dir) })
	}
	db, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	v := []byte(strings.Repeat("x", 300))
	for i := range 100 {
		sets := make(map[string][]byte, 1000)
		for j := range 1000 {
			sets[fmt.Sprintf("eng/o/%03d/%03d", i, j)] = v
		}
		if err := db.Commit(sets, nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		db, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
