package engine_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

func TestMemKV(t *testing.T) {
	t.Parallel()
	m := engine.NewMemKV()
	if err := m.Commit(map[string][]byte{"eng/link/a/1": []byte("x"), "eng/link/a/2": []byte("y"), "eng/base/a/1": []byte("z"), "top": []byte("t")}, nil); err != nil {
		t.Fatal(err)
	}
	scan := func(p string) string {
		var s string
		if err := m.Scan([]byte(p), func(k, v []byte) error { s += fmt.Sprintf("%s=%s;", k, v); return nil }); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for p, want := range map[string]string{
		"eng/link/a/":  "eng/link/a/1=x;eng/link/a/2=y;",
		"eng/":         "eng/base/a/1=z;eng/link/a/1=x;eng/link/a/2=y;",
		"eng/l":        "eng/link/a/1=x;eng/link/a/2=y;",
		"":             "eng/base/a/1=z;eng/link/a/1=x;eng/link/a/2=y;top=t;",
		"eng/link/a/2": "eng/link/a/2=y;",
	} {
		if got := scan(p); got != want {
			t.Errorf("scan %q = %q, want %q", p, got, want)
		}
	}
	m.SimulateCrashAfter(1)
	if err := m.Commit(nil, []string{"eng/link/a/1"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit(map[string][]byte{"eng/link/a/3": []byte("lost")}, nil); !errors.Is(err, engine.ErrCrashed) || !m.Crashed() {
		t.Fatalf("want a crash, got %v", err)
	}
	m.Restart()
	if got := scan("eng/link/"); got != "eng/link/a/2=y;" || m.Len() != 3 {
		t.Fatalf("after restart: %q (%d keys)", got, m.Len())
	}
}

func TestMemKVScanReverse(t *testing.T) {
	t.Parallel()
	m := engine.NewMemKV()
	if err := m.Commit(map[string][]byte{"eng/run/r1": []byte("1"), "eng/run/r2": []byte("2"), "eng/run/r3": []byte("3"),
		"eng/runop/r1/1": []byte("o"), "top": []byte("t")}, nil); err != nil {
		t.Fatal(err)
	}
	scan := func(p string, stopAfter int) (string, error) {
		var s string
		n := 0
		err := m.ScanReverse([]byte(p), func(k, v []byte) error {
			s += fmt.Sprintf("%s=%s;", k, v)
			if n++; n == stopAfter {
				return errStop
			}
			return nil
		})
		return s, err
	}
	for _, c := range []struct {
		prefix string
		stop   int
		want   string
	}{
		{"eng/run/", 0, "eng/run/r3=3;eng/run/r2=2;eng/run/r1=1;"},
		{"eng/run", 0, "eng/runop/r1/1=o;eng/run/r3=3;eng/run/r2=2;eng/run/r1=1;"},
		{"", 0, "top=t;eng/runop/r1/1=o;eng/run/r3=3;eng/run/r2=2;eng/run/r1=1;"},
		{"eng/run/", 2, "eng/run/r3=3;eng/run/r2=2;"},
		{"eng/nothing/", 0, ""},
	} {
		got, err := scan(c.prefix, c.stop)
		if c.stop > 0 && !errors.Is(err, errStop) || c.stop == 0 && err != nil {
			t.Errorf("ScanReverse(%q) error %v", c.prefix, err)
		}
		if got != c.want {
			t.Errorf("ScanReverse(%q) stopping after %d = %q, want %q", c.prefix, c.stop, got, c.want)
		}
	}
}

var errStop = errors.New("stop")
