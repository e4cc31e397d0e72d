package kv_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

// These tests run a copy of the test binary as a child process (the
// os/exec helper-process pattern) to crash it on purpose or to measure a
// process that does nothing but hold a store open.

const helperEnv = "KV_TEST_HELPER"

// TestHelperProcess is not a test: it is the child's entry point, chosen by
// the KV_TEST_HELPER environment variable. Run directly, it skips.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process for TestCrashRecovery and BenchmarkIdleRSS; not a test")
	}
	dir := os.Getenv("KV_TEST_DIR")
	var err error
	switch mode {
	case "crash-writer":
		err = crashWriter(dir)
	case "rss":
		err = idleRSS(dir)
	default:
		err = fmt.Errorf("unknown helper mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// crashWriter commits keys one Commit at a time, says so, then waits to be
// killed without ever closing the store.
func crashWriter(dir string) error {
	db, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
	if err != nil {
		return err
	}
	for i := range 200 {
		k := fmt.Sprintf("eng/item/%03d", i)
		if err := db.Commit(map[string][]byte{k: []byte(strings.Repeat("v", i*20))}, nil); err != nil {
			return err
		}
	}
	fmt.Println("committed 200")
	time.Sleep(time.Minute) // the parent kills us long before this
	return fmt.Errorf("not killed")
}

func startHelper(t testing.TB, mode, dir string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "KV_TEST_DIR="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

// TestCrashRecovery kills (SIGKILL) a process right after its Commits
// returned and checks every one of them survived, both for a read-only open
// (the backup command's path) and a normal one.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd, out := startHelper(t, "crash-writer", dir)
	if !out.Scan() || out.Text() != "committed 200" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper said %q, err %v", out.Text(), out.Err())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	check := func(db *kv.DB) {
		t.Helper()
		n := 0
		err := db.Scan([]byte("eng/item/"), func(k, v []byte) error {
			i, err := strconv.Atoi(strings.TrimPrefix(string(k), "eng/item/"))
			if err != nil || len(v) != i*20 {
				return fmt.Errorf("key %q has %d bytes", k, len(v))
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != 200 {
			t.Fatalf("%d of 200 committed keys survived the crash", n)
		}
	}
	// A read-only open cannot replay the log: it must say so, and change
	// nothing.
	before := snapshot(t, dir)
	if _, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey, ReadOnly: true}); !errors.Is(err, kv.ErrNeedsRecovery) {
		t.Fatalf("read-only open after a crash: error = %v, want ErrNeedsRecovery", err)
	}
	sameSnapshot(t, before, snapshot(t, dir))
	db := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey})
	check(db)
	put(t, db, "eng/after", "1")
	mustClose(t, db)
	ro := mustOpen(t, kv.Options{Dir: dir, EncryptionKey: testKey, ReadOnly: true})
	defer mustClose(t, ro)
	check(ro)
}

// rssReport is what the rss helper prints.
type rssReport struct {
	BaseRSSKB, OpenRSSKB, IdleRSSKB int64
	HeapInuseKB, SysKB              int64
	LoadedRSSKB                     int64 // after writing and reading 60 MB
	LoadedAnonKB, LoadedFileKB      int64 // the same split into RssAnon and RssFile
	LoadedHeapInuseKB               int64
	PeakRSSKB                       int64 // VmHWM: the highest RSS the process reached
	SettledRSSKB, SettledAnonKB     int64 // 10 s after the burst, compactions done
}

// idleRSS measures the process before opening a store, right after opening
// it with 1,000 keys written, after 3 s idle, right after a 60 MB burst and 10 s later.
func idleRSS(dir string) error {
	var r rssReport
	r.BaseRSSKB = vmRSS()
	db, err := kv.Open(kv.Options{Dir: dir, EncryptionKey: testKey})
	if err != nil {
		return err
	}
	for i := range 10 {
		sets := map[string][]byte{}
		for j := range 100 {
			sets[fmt.Sprintf("eng/%d/%d", i, j)] = []byte(strings.Repeat("x", 300))
		}
		if err := db.Commit(sets, nil); err != nil {
			return err
		}
	}
	r.OpenRSSKB = vmRSS()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go db.RunGC(ctx, time.Minute)
	time.Sleep(3 * time.Second)
	runtime.GC()
	r.IdleRSSKB = vmRSS()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.HeapInuseKB, r.SysKB = int64(ms.HeapInuse>>10), int64(ms.Sys>>10)
	// Then a burst: 120,000 keys of 500 bytes written in 240 Commits and
	// scanned twice, to see where the memtables and caches cap memory.
	val := []byte(strings.Repeat("y", 500))
	for i := range 240 {
		sets := make(map[string][]byte, 500)
		for j := range 500 {
			sets[fmt.Sprintf("eng/load/%03d/%03d", i, j)] = val
		}
		if err := db.Commit(sets, nil); err != nil {
			return err
		}
	}
	for range 2 {
		if err := db.Scan([]byte("eng/load/"), func(_, _ []byte) error { return nil }); err != nil {
			return err
		}
	}
	runtime.GC()
	r.LoadedRSSKB = vmRSS()
	r.LoadedAnonKB, r.LoadedFileKB = procStatus("RssAnon:"), procStatus("RssFile:")
	runtime.ReadMemStats(&ms)
	r.LoadedHeapInuseKB = int64(ms.HeapInuse >> 10)
	time.Sleep(10 * time.Second)
	runtime.GC()
	debug.FreeOSMemory()
	r.SettledRSSKB, r.SettledAnonKB = vmRSS(), procStatus("RssAnon:")
	r.PeakRSSKB = procStatus("VmHWM:")
	cancel()
	if err := db.Close(); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// vmRSS returns the process's resident set size in KiB from /proc.
func vmRSS() int64 { return procStatus("VmRSS:") }

// procStatus returns a KiB field of /proc/self/status, or -1.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return -1
}

// BenchmarkIdleRSS reports the resident memory of a child process that
// opens an encrypted on-disk store, writes 1,000 keys and idles. The
// numbers do not depend on b.N.
//
//	go test -run '^$' -bench IdleRSS -benchtime 1x ./kv
func BenchmarkIdleRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc/self/status")
	}
	var r rssReport
	for range b.N {
		cmd, out := startHelper(b, "rss", b.TempDir())
		if !out.Scan() {
			b.Fatalf("helper printed nothing: %v", out.Err())
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			b.Fatalf("helper output %q: %v", out.Text(), err)
		}
		if err := cmd.Wait(); err != nil {
			b.Fatalf("helper: %v", err)
		}
	}
	b.ReportMetric(float64(r.BaseRSSKB)/1024, "MB-rss-before-open")
	b.ReportMetric(float64(r.OpenRSSKB)/1024, "MB-rss-after-1k-writes")
	b.ReportMetric(float64(r.IdleRSSKB)/1024, "MB-rss-idle")
	b.ReportMetric(float64(r.HeapInuseKB)/1024, "MB-heap-inuse")
	b.ReportMetric(float64(r.LoadedRSSKB)/1024, "MB-rss-after-60MB-load")
	b.ReportMetric(float64(r.LoadedAnonKB)/1024, "MB-rss-anon-after-load")
	b.ReportMetric(float64(r.LoadedFileKB)/1024, "MB-rss-file-after-load")
	b.ReportMetric(float64(r.LoadedHeapInuseKB)/1024, "MB-heap-inuse-after-load")
	b.ReportMetric(float64(r.SettledRSSKB)/1024, "MB-rss-settled")
	b.ReportMetric(float64(r.SettledAnonKB)/1024, "MB-rss-anon-settled")
	b.ReportMetric(float64(r.PeakRSSKB)/1024, "MB-rss-peak")
	b.ReportMetric(float64(r.SysKB)/1024, "MB-go-sys")
	b.ReportMetric(0, "ns/op")
}
