package enginebench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/kv"
)

// BenchmarkRunsLimit50KV lists the newest 50 runs of one profile among 100,000 runs on the real store (*kv.DB on
// disk), before (decode every run, sort, cut: how Engine.Runs worked) and after (reverse scan, stop at the limit).
func BenchmarkRunsLimit50KV(b *testing.B) {
	db, err := kv.Open(kv.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sets := map[string][]byte{}
	for i := range 100_000 {
		at := start.Add(time.Duration(i) * time.Minute)
		r := engine.Run{ID: fmt.Sprintf("r%011x%04xaaaaaaaa", at.UnixMilli(), i%0xffff), Profile: fmt.Sprint("p", i%2),
			User: fmt.Sprint("u", i%100), Kind: engine.KindAppointment, Trigger: "poll", Start: at, End: at.Add(time.Second),
			Status: engine.RunOK, Counts: engine.Counts{Listed: 12, Updated: 2, Unchanged: 10}}
		v, _ := json.Marshal(r)
		sets["eng/run/"+r.ID] = v
		if len(sets) == 1000 {
			if err := db.Commit(sets, nil); err != nil {
				b.Fatal(err)
			}
			sets = map[string][]byte{}
		}
	}
	e, err := engine.New(engine.Config{KV: db, Connectors: map[string]engine.Factory{}})
	if err != nil {
		b.Fatal(err)
	}
	before := func() ([]engine.Run, error) {
		var out []engine.Run
		err := db.Scan([]byte("eng/run/"), func(_, v []byte) error {
			var r engine.Run
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if r.Profile == "p1" {
				out = append(out, r)
			}
			return nil
		})
		sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
		return out[:min(50, len(out))], err
	}
	want, err := before()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		runs func() ([]engine.Run, error)
	}{{"before", before}, {"after", func() ([]engine.Run, error) { return e.Runs("p1", 50) }}} {
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

// BenchmarkPruneRunsKV is the nightly retention over 100,000 runs of 100 users on the real store, all older than
// the retention: it keeps the newest 50 of each user and removes the other 95,000 runs with their operations (one
// each). The setup of each iteration is not timed.
func BenchmarkPruneRunsKV(b *testing.B) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		db, err := kv.Open(kv.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		sets := map[string][]byte{}
		for i := range 100_000 {
			at := start.Add(time.Duration(i) * time.Minute)
			id := fmt.Sprintf("r%011x%04xaaaaaaaa", at.UnixMilli(), i%0xffff)
			v, _ := json.Marshal(engine.Run{ID: id, Profile: "p1", User: fmt.Sprint("u", i%100), Kind: engine.KindAppointment,
				Trigger: "poll", Start: at, End: at.Add(time.Second), Status: engine.RunOK, Counts: engine.Counts{Listed: 1, Updated: 1}})
			sets["eng/run/"+id] = v
			sets["eng/runop/"+id+"/000001"] = []byte(`{"seq":1,"side":"mailbox","action":"update","link":"l","id":"x"}`)
			if len(sets) >= 1000 {
				if err := db.Commit(sets, nil); err != nil {
					b.Fatal(err)
				}
				sets = map[string][]byte{}
			}
		}
		if err := db.Commit(sets, nil); err != nil {
			b.Fatal(err)
		}
		e, err := engine.New(engine.Config{KV: db, Now: func() time.Time { return now }, Connectors: map[string]engine.Factory{}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := e.PruneRuns(context.Background())
		b.StopTimer()
		if err != nil || n != 95_000 {
			b.Fatalf("pruned %d, %v", n, err)
		}
		_ = db.Close()
		b.StartTimer()
	}
}
