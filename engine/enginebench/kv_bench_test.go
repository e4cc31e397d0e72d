// Package enginebench_test benchmarks the engine over the real on-disk store (*kv.DB, Badger with fsync on every
// commit), apart from package engine whose own tests never import kv.
package enginebench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/kv"
)

var _ engine.KV = (*kv.DB)(nil)

type world struct {
	now      time.Time
	crm, mbx *reference.Server
	e        *engine.Engine
}

// newProfileEngine returns an engine over store with profile p1 (appointments two-way between the "crm" and "mbx"
// reference connectors, delta change model) and its user u1 (accounts a1 and m1).
func newProfileEngine(tb testing.TB, store engine.KV, clock func() time.Time, conns map[string]engine.Factory) *engine.Engine {
	tb.Helper()
	e, err := engine.New(engine.Config{KV: store, Now: clock, Connectors: conns})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.PutProfile(engine.Profile{ID: "p1",
		CRM:        engine.SystemRef{Type: "crm", Instance: "c", Settings: json.RawMessage(`{"model":"delta"}`)},
		Mailbox:    engine.SystemRef{Type: "mbx", Instance: "m", Settings: json.RawMessage(`{"model":"delta"}`)},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}}); err != nil {
		tb.Fatal(err)
	}
	if _, err := e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: "a1"}, Mailbox: engine.Account{ID: "m1"}}); err != nil {
		tb.Fatal(err)
	}
	return e
}

// newWorld syncs n CRM appointments to the mailbox over a MemKV, then copies the state into a kv.DB in dir and
// returns an engine over it: the state a long-running appliance has, without n fsynced creates in the setup.
func newWorld(tb testing.TB, n int) (*world, *kv.DB) {
	w := &world{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	w.crm, w.mbx = reference.NewServer(clock), reference.NewServer(clock)
	w.crm.SetIDPrefix("crm-")
	w.mbx.SetIDPrefix("mbx-")
	conns := map[string]engine.Factory{"crm": w.crm.Factory(), "mbx": w.mbx.Factory()}
	mem := engine.NewMemKV()
	e := newProfileEngine(tb, mem, clock, conns)
	day := w.now.Add(24 * time.Hour)
	for i := range n {
		w.crm.Put("a1", &engine.Appointment{Title: fmt.Sprintf("appointment %d", i), Location: "Room 1",
			Start: day.Add(time.Duration(i%2000) * time.Hour), End: day.Add(time.Duration(i%2000)*time.Hour + time.Hour), TimeZone: "Europe/Oslo"})
	}
	w.e = e
	w.sync(tb)
	db, err := kv.Open(kv.Options{Dir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	batch := map[string][]byte{}
	flush := func() {
		if err := db.Commit(batch, nil); err != nil {
			tb.Fatal(err)
		}
		batch = map[string][]byte{}
	}
	if err := mem.Scan([]byte("eng/"), func(k, v []byte) error {
		batch[string(k)] = append([]byte(nil), v...)
		if len(batch) == 2000 {
			flush()
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	flush()
	if w.e, err = engine.New(engine.Config{KV: db, Now: clock, Connectors: conns}); err != nil {
		tb.Fatal(err)
	}
	return w, db
}

func (w *world) sync(tb testing.TB) engine.Run {
	w.now = w.now.Add(time.Second)
	id, err := w.e.RunSync(context.Background(), "p1", "u1", engine.KindAppointment, "bench")
	if err != nil {
		tb.Fatalf("sync: %v", err)
	}
	r, _, _ := w.e.Run(id)
	return r
}

// BenchmarkJournalWriteKV measures one journaled write on the real store: each write is two fsynced commits
// (intent, then result with the link state), plus the run's share of listing, planning and its final commit.
func BenchmarkJournalWriteKV(b *testing.B) {
	w, _ := newWorld(b, 100)
	ids := []string{}
	for id := range w.crm.Items("a1", engine.KindAppointment) {
		ids = append(ids, id)
	}
	i := 1000
	for b.Loop() {
		b.StopTimer()
		for _, id := range ids {
			i++
			_ = w.crm.Edit("a1", engine.KindAppointment, id, func(it engine.Item) engine.Item {
				it.(*engine.Appointment).Location = fmt.Sprint("Room ", i)
				return it
			})
		}
		b.StartTimer()
		if r := w.sync(b); r.Counts.Updated != len(ids) {
			b.Fatalf("%+v", r.Counts)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/write")
}

// BenchmarkNoChangePlan100kKV is a run over 100,000 linked appointments on the real store in which nothing
// changed (incremental listings with no changes: the engine still loads and checks every link of the job).
func BenchmarkNoChangePlan100kKV(b *testing.B) {
	w, _ := newWorld(b, 100_000)
	for b.Loop() {
		if r := w.sync(b); r.Counts.Created+r.Counts.Updated+r.Counts.Deleted != 0 {
			b.Fatalf("%+v", r.Counts)
		}
	}
}
