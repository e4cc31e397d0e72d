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

// BenchmarkUserRunsKV reads the newest 20 runs of one user among the 100,000 runs of 100 users (1,000 each, the
// users' runs interleaved in time) on the real store (*kv.DB on disk), plus one user whose 20 runs are the oldest
// of the store (a user unlinked long ago, the worst case of a scan). "old" is what graph syncRuns(userId) and the
// portal did (Runs(profile, 0), keep the user's runs); "scan" is UserRuns before the run index exists (its
// fallback: the run key space newest first, stop at the limit); "index" is UserRuns over the run index, after
// Recover built it (the migration's time is logged with -v).
//
//	go test ./engine/enginebench -run XXX -bench UserRunsKV -benchtime=20x
func BenchmarkUserRunsKV(b *testing.B) {
	db, err := kv.Open(kv.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sets := map[string][]byte{}
	put := func(i int, user string) {
		at := start.Add(time.Duration(i) * time.Minute)
		r := engine.Run{ID: fmt.Sprintf("r%011x%04xaaaaaaaa", at.UnixMilli(), i%0xffff), Profile: "p1", User: user,
			Kind: engine.KindAppointment, Trigger: "poll", Start: at, End: at.Add(time.Second), Status: engine.RunOK,
			Counts: engine.Counts{Listed: 12, Updated: 2, Unchanged: 10}}
		v, _ := json.Marshal(r)
		sets["eng/run/"+r.ID] = v
		if len(sets) == 1000 {
			if err := db.Commit(sets, nil); err != nil {
				b.Fatal(err)
			}
			sets = map[string][]byte{}
		}
	}
	for i := range 20 {
		put(i, "gone")
	}
	for i := range 100_000 {
		put(20+i, fmt.Sprint("u", i%100))
	}
	if err := db.Commit(sets, nil); err != nil {
		b.Fatal(err)
	}
	e, err := engine.New(engine.Config{KV: db, Connectors: map[string]engine.Factory{}})
	if err != nil {
		b.Fatal(err)
	}
	old := func(user string) ([]engine.Run, error) {
		runs, err := e.Runs("p1", 0)
		var out []engine.Run
		for _, r := range runs {
			if r.User == user && len(out) < 20 {
				out = append(out, r)
			}
		}
		return out, err
	}
	want := map[string][]engine.Run{}
	for _, u := range []string{"u42", "gone"} {
		if want[u], err = old(u); err != nil || len(want[u]) != 20 {
			b.Fatalf("%s: %d runs, %v", u, len(want[u]), err)
		}
	}
	bench := func(name string, f func(user string) ([]engine.Run, error)) {
		for _, u := range []string{"u42", "gone"} {
			b.Run(name+"/"+u, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					got, err := f(u)
					if err != nil || len(got) != 20 || got[0].ID != want[u][0].ID || got[19].ID != want[u][19].ID {
						b.Fatalf("%d runs, %v", len(got), err)
					}
				}
			})
		}
	}
	userRuns := func(user string) ([]engine.Run, error) { return e.UserRuns("p1", user, 20) }
	bench("old", old)
	bench("scan", userRuns) // no index yet: UserRuns reads the run key space
	t0 := time.Now()
	if err := e.Recover(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("run index migration of 100,020 runs: %v", time.Since(t0))
	bench("index", userRuns)
}
