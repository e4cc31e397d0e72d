package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/scheduler"
)

// TestProfileWithoutUsersSyncsNothing: a profile saved without linked users (the profile wizard's draft, saved so
// that "Sign in with …" can start) has no jobs: hours of polling and a "sync now" run nothing, and it counts no
// users. Its first sync is the first linked user's.
func TestProfileWithoutUsersSyncsNothing(t *testing.T) {
	t.Parallel()
	p := scheduler.Profile{ID: "draft", Interval: time.Minute, Kinds: []engine.Kind{engine.KindAppointment, engine.KindContact}}
	f := newFixture(t, scheduler.Options{}, p)
	// Saved again after the start, as the wizard's later saves do.
	if err := f.s.SetProfile(p); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SyncNow(context.Background(), "draft", ""); err != nil {
		t.Logf("SyncNow on a profile without users: %v", err)
	}
	advance(t, f.clk, f.s, 3*time.Hour, time.Minute)
	if calls := f.r.snapshot(); len(calls) != 0 {
		t.Fatalf("a profile without users ran %d jobs, first %+v; want none", len(calls), calls[0])
	}
	snap := f.s.Snapshot()
	if len(snap.Profiles) != 1 || snap.Profiles[0].Users != 0 || snap.Profiles[0].Queued != 0 || len(snap.Users) != 0 {
		t.Fatalf("snapshot of the draft profile: %+v users %+v, want 1 profile with no users and nothing queued", snap.Profiles, snap.Users)
	}

	p.Users = users("ann")
	if err := f.s.SetProfile(p); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first linked user's first sync", func() bool { return f.r.count("draft/ann/appointment") == 1 })
}
