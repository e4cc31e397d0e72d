package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/demo"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/graph"
)

// TestWithScheduler runs the demo the way `serve --demo` does: Install before the profiles are loaded into the
// scheduler, the scheduler running the jobs, and AutoDiverge producing conflicts the scheduler's next runs record.
func TestWithScheduler(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	d, err := demo.Start(ctx, demo.Options{AutoDiverge: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	kv := engine.NewMemKV()
	secrets := engine.KVSecrets(kv)
	eng, err := engine.New(engine.Config{KV: kv, Connectors: demo.Connectors(), Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Install(ctx, eng, secrets); err != nil {
		t.Fatal(err)
	}
	sched, err := scheduler.New(scheduler.Options{Runner: eng, KV: kv, Workers: 2, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.LoadSchedule(eng, sched); err != nil {
		t.Fatal(err)
	}
	if err := sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sched.Stop(context.Background()) }()

	// Polls are spread over the 30-second interval; ask for the runs now, as an admin's "Sync now" does.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if ctx.Err() != nil {
				t.Fatalf("timed out waiting for %s", what)
			}
			if err := sched.SyncNow(ctx, demo.ProfileID, ""); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	waitFor("every user's appointments in the mailboxes", func() bool {
		for _, p := range d.People() {
			found := false
			for _, o := range d.Graph().Objects(p.GraphID, "events") {
				if o["subject"] == "Pipeline review with "+p.Name {
					found = true
				}
			}
			if !found {
				return false
			}
		}
		return true
	})
	waitFor("a conflict per user", func() bool {
		cs, err := eng.Conflicts(demo.ProfileID, true)
		return err == nil && len(cs) >= 5
	})
	if q, _ := eng.Quarantine(demo.ProfileID); len(q) > 0 {
		t.Fatalf("quarantined: %+v", q)
	}
}
