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
// scheduler, the first runs triggered at once (demo.FirstRuns), the scheduler running the jobs — appointments and
// the selections' contact folders with their members arrive without anyone asking — and AutoDiverge producing
// conflicts the scheduler's next runs record.
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

	// As the server does: the first runs start at once, each user's kinds in order.
	for i, err := range sched.TriggerBatch(ctx, d.FirstRuns()) {
		if err != nil {
			t.Fatalf("first run %d: %v", i, err)
		}
	}
	// waitUntil waits for ok without asking for runs: the first runs alone must bring it.
	waitUntil := func(what string, within time.Duration, ok func() bool) {
		t.Helper()
		end := time.Now().Add(within)
		for !ok() {
			if time.Now().After(end) {
				t.Fatalf("%s did not happen within %s of the first runs' trigger", what, within)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitUntil("every user's appointments and group folders with their members in the mailboxes", 20*time.Second, func() bool {
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
			withMembers := 0
			for id, name := range d.Graph().Folders(p.GraphID) {
				if name != "Synchronizer" && len(d.Graph().Objects(p.GraphID, "contactFolders/"+id+"/contacts")) > 0 {
					withMembers++
				}
			}
			if withMembers != len(d.Selections()) {
				return false
			}
		}
		return true
	})
	// Polls are spread over the 30-second interval; ask for the next runs now, as an admin's "Sync now" does.
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
	waitFor("a conflict per user", func() bool {
		cs, err := eng.Conflicts(demo.ProfileID, true)
		return err == nil && len(cs) >= 5
	})
	if q, _ := eng.Quarantine(demo.ProfileID); len(q) > 0 {
		t.Fatalf("quarantined: %+v", q)
	}
}
