package kv_test

import (
	"bytes"
	"testing"

	"github.com/synchronizer/synchronizer/kv"
	"github.com/synchronizer/synchronizer/kv/kvtest"
)

// testKey is a fixed AES-256 key for tests.
var testKey = bytes.Repeat([]byte{0x42}, 32)

func opener(opts func(t *testing.T) kv.Options) kvtest.Opener {
	return func(t *testing.T) *kv.DB {
		t.Helper()
		db, err := kv.Open(opts(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return db
	}
}

func TestConformance(t *testing.T) {
	t.Run("InMemory", func(t *testing.T) {
		kvtest.RunTests(t, opener(func(t *testing.T) kv.Options { return kv.Options{InMemory: true} }))
	})
	t.Run("InMemoryEncrypted", func(t *testing.T) {
		kvtest.RunTests(t, opener(func(t *testing.T) kv.Options {
			return kv.Options{InMemory: true, EncryptionKey: testKey}
		}))
	})
	t.Run("OnDisk", func(t *testing.T) {
		kvtest.RunTests(t, opener(func(t *testing.T) kv.Options { return kv.Options{Dir: t.TempDir()} }))
	})
	t.Run("OnDiskEncrypted", func(t *testing.T) {
		kvtest.RunTests(t, opener(func(t *testing.T) kv.Options {
			return kv.Options{Dir: t.TempDir(), EncryptionKey: testKey}
		}))
	})
}
