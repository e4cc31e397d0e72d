package kv_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/synchronizer/synchronizer/kv"
)

func TestScanKeys(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, kv.Options{Dir: t.TempDir()})
	defer mustClose(t, db)
	if err := db.Commit(map[string][]byte{"a/1": []byte("x"), "a/2": []byte("y"), "a/3": nil, "ab/1": []byte("z"), "b/1": []byte("w")}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(nil, []string{"a/2"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.ScanKeys([]byte("a/"), func(k []byte) error { got = append(got, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"a/1", "a/3"}) {
		t.Fatalf("keys under a/: %v, want a/1 and a/3 (a/2 deleted, ab/1 outside the prefix)", got)
	}
	stop := errors.New("stop")
	n := 0
	err := db.ScanKeys([]byte("a"), func([]byte) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("a stopped scan: %v after %d keys, want stop after 1", err, n)
	}
}
