package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// BenchmarkPreviewFirstSync10k previews the first sync of a user whose CRM holds 10,000 appointments (everything
// is a create), and reports the peak heap the preview added.
func BenchmarkPreviewFirstSync10k(b *testing.B) {
	const n = 10_000
	f := benchFixtureModel(b, n, "delta")
	u := f.user()
	var peak uint64
	b.ReportAllocs()
	for b.Loop() {
		runtime.GC()
		var m0 runtime.MemStats
		runtime.ReadMemStats(&m0)
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() { // samples the heap while the preview runs
			var peak uint64
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				peak = maxU(peak, m.HeapAlloc)
				select {
				case <-stop:
					done <- peak
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		pv, err := f.e.Preview(context.Background(), f.profile, u, engine.PreviewOptions{})
		close(stop)
		if p := <-done; p > m0.HeapAlloc {
			peak = maxU(peak, p-m0.HeapAlloc)
		}
		if err != nil || pv.TotalOps != n || len(pv.Ops) != engine.DefaultPreviewOps {
			b.Fatalf("preview: %v, %d ops", err, pv.TotalOps)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// fillRuns stores n finished runs over two profiles (a realistic record each: counts, a trigger, times).
func fillRuns(tb testing.TB, kv engine.KV, n int) {
	tb.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sets := map[string][]byte{}
	for i := range n {
		at := start.Add(time.Duration(i) * time.Minute)
		r := engine.Run{ID: runID(at, i%0xffff), Profile: fmt.Sprint("p", i%2), User: fmt.Sprint("u", i%100),
			Kind: engine.KindAppointment, Trigger: "poll", Start: at, End: at.Add(time.Second), Status: engine.RunOK,
			Counts: engine.Counts{Listed: 12, Updated: 2, Unchanged: 10}}
		b, _ := json.Marshal(r)
		sets["eng/run/"+r.ID] = b
		if len(sets) == 1000 {
			if err := kv.Commit(sets, nil); err != nil {
				tb.Fatal(err)
			}
			sets = map[string][]byte{}
		}
	}
	if err := kv.Commit(sets, nil); err != nil {
		tb.Fatal(err)
	}
}

// runsScanAll is how Engine.Runs worked before it read newest first: decode every run, sort, cut.
func runsScanAll(kv engine.KV, profileID string, limit int) ([]engine.Run, error) {
	var out []engine.Run
	err := kv.Scan([]byte("eng/run/"), func(_, b []byte) error {
		var r engine.Run
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if profileID == "" || r.Profile == profileID {
			out = append(out, r)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// BenchmarkRunsLimit50 lists the newest 50 runs of one profile among 100,000 stored runs (MemKV), the way the
// API's run list asks, before (decode all, sort) and after (newest first, stop at the limit).
func BenchmarkRunsLimit50(b *testing.B) {
	kv := engine.NewMemKV()
	fillRuns(b, kv, 100_000)
	e, _ := engine.New(engine.Config{KV: kv, Connectors: map[string]engine.Factory{}})
	want, _ := runsScanAll(kv, "p1", 50)
	for _, c := range []struct {
		name string
		runs func() ([]engine.Run, error)
	}{
		{"before", func() ([]engine.Run, error) { return runsScanAll(kv, "p1", 50) }},
		{"after", func() ([]engine.Run, error) { return e.Runs("p1", 50) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := c.runs()
				if err != nil || len(got) != 50 || got[0].ID != want[0].ID || got[49].ID != want[49].ID {
					b.Fatalf("%d runs, %v", len(got), err)
				}
			}
		})
	}
}
