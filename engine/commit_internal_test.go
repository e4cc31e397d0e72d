package engine

import (
	"fmt"
	"strings"
	"testing"
)

// recordingKV records every Commit and refuses one over the bounds, like the real store does.
type recordingKV struct {
	*MemKV
	commits [][]string // keys set per commit
}

func (r *recordingKV) Commit(sets map[string][]byte, dels []string) error {
	size := 0
	for k, v := range sets {
		size += len(k) + len(v)
	}
	if size > maxCommitBytes || len(sets)+len(dels) > maxCommitKeys {
		return fmt.Errorf("transaction too big: %d bytes, %d keys", size, len(sets)+len(dels))
	}
	var keys []string
	for k := range sets {
		keys = append(keys, k)
	}
	r.commits = append(r.commits, keys)
	return r.MemKV.Commit(sets, dels)
}

func TestCommitChunked(t *testing.T) {
	t.Parallel()
	small := &recordingKV{MemKV: NewMemKV()}
	if err := commitChunked(small, map[string][]byte{"a": []byte("1"), "cursor": []byte("c")}, []string{"gone"}, "cursor"); err != nil {
		t.Fatal(err)
	}
	if len(small.commits) != 1 {
		t.Fatalf("a small commit was split into %d", len(small.commits))
	}

	big := &recordingKV{MemKV: NewMemKV()}
	_ = big.MemKV.Commit(map[string][]byte{"old/1": []byte("x"), "both": []byte("old")}, nil)
	sets := map[string][]byte{"cursor": []byte("c"), "run": []byte("r"), "both": []byte("new")}
	val := []byte(strings.Repeat("v", 500))
	for i := range 10000 {
		sets[fmt.Sprintf("link/%05d", i)] = val
	}
	if err := commitChunked(big, sets, []string{"old/1", "both"}, "cursor", "run"); err != nil {
		t.Fatal(err)
	}
	if len(big.commits) < 3 {
		t.Fatalf("%d commits for 5 MB of state, want it split", len(big.commits))
	}
	last := big.commits[len(big.commits)-1]
	if len(last) != 2 || (last[0] != "cursor" && last[1] != "cursor") {
		t.Fatalf("the final commit set %v, want exactly the cursor and the run", last)
	}
	for _, c := range big.commits[:len(big.commits)-1] {
		for _, k := range c {
			if k == "cursor" || k == "run" {
				t.Fatalf("%s committed before the rest of the state", k)
			}
		}
	}
	if v, ok, _ := big.Get([]byte("both")); !ok || string(v) != "new" {
		t.Fatalf("a key both set and deleted ends as %q %v, want set", v, ok)
	}
	if _, ok, _ := big.Get([]byte("old/1")); ok {
		t.Fatal("a deleted key survived")
	}
	if n := big.Len(); n != 10003 {
		t.Fatalf("%d keys stored, want 10,003", n)
	}
}
