package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// runID builds a run id the way the engine does: "r", the start in milliseconds (11 hex digits), a sequence.
func runID(start time.Time, seq int) string {
	return fmt.Sprintf("r%011x%04xaaaaaaaa", start.UnixMilli(), seq)
}

// putRun stores a run record with n applied operations directly, as a run of the past would have left it.
func putRun(t testing.TB, kv engine.KV, r engine.Run, n int) {
	t.Helper()
	b, _ := json.Marshal(r)
	sets := map[string][]byte{"eng/run/" + r.ID: b}
	for i := 1; i <= n; i++ {
		op, _ := json.Marshal(engine.AppliedOp{Seq: i, Side: engine.SideMailbox, Action: engine.ActionCreate, ID: fmt.Sprint("x", i)})
		sets[fmt.Sprintf("eng/runop/%s/%06d", r.ID, i)] = op
	}
	if err := kv.Commit(sets, nil); err != nil {
		t.Fatal(err)
	}
}

func keysUnder(t testing.TB, kv engine.KV, prefix string) []string {
	t.Helper()
	var out []string
	if err := kv.Scan([]byte(prefix), func(k, _ []byte) error { out = append(out, string(k)); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPruneRuns(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)
	kv := engine.NewMemKV()
	e, err := engine.New(engine.Config{KV: kv, Now: func() time.Time { return now }, Connectors: map[string]engine.Factory{},
		RunRetention: 10 * 24 * time.Hour, RunKeep: 3})
	if err != nil {
		t.Fatal(err)
	}
	at := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	var all []string
	add := func(user string, days int, status engine.RunStatus) string {
		id := runID(at(days), len(all))
		putRun(t, kv, engine.Run{ID: id, Profile: "p1", User: user, Kind: engine.KindAppointment, Start: at(days), Status: status}, 2)
		all = append(all, id)
		return id
	}
	pending := add("alice", 40, engine.RunNeedsApproval)
	var old []string
	for _, d := range []int{20, 19, 18} {
		old = append(old, add("alice", d, engine.RunOK))
	}
	recent := []string{add("alice", 2, engine.RunOK), add("alice", 1, engine.RunPartial), add("alice", 0, engine.RunOK)}
	bob := []string{add("bob", 300, engine.RunOK), add("bob", 200, engine.RunFailed)}

	n, err := e.PruneRuns(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("pruned %d, %v; want 3", n, err)
	}
	runs, err := e.Runs("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, r := range runs {
		kept = append(kept, r.ID)
	}
	want := append(append([]string{pending}, recent...), bob...)
	slices.Sort(want)
	slices.Reverse(want)
	if !slices.Equal(kept, want) {
		t.Fatalf("kept %q, want %q (newest first)", kept, want)
	}
	for _, id := range old {
		if ops := keysUnder(t, kv, "eng/runop/"+id+"/"); len(ops) != 0 {
			t.Errorf("operations of pruned run %s left: %q", id, ops)
		}
		_, _, err := e.Run(id)
		if !errors.Is(err, engine.ErrNoSuchRun) || !strings.Contains(err.Error(), "retention (10 days)") {
			t.Errorf("Run(%s) = %v", id, err)
		}
		_, err = e.Undo(context.Background(), id)
		if !errors.Is(err, engine.ErrNoSuchRun) || !strings.Contains(err.Error(), "can no longer be undone") {
			t.Errorf("Undo(%s) = %v", id, err)
		}
	}
	for _, id := range recent {
		if _, ops, err := e.Run(id); err != nil || len(ops) != 2 {
			t.Errorf("kept run %s: %d ops, %v", id, len(ops), err)
		}
	}
	// An unknown recent id is just unknown.
	if _, _, err := e.Run(runID(now, 99)); !errors.Is(err, engine.ErrNoSuchRun) || strings.Contains(err.Error(), "retention") {
		t.Errorf("unknown run: %v", err)
	}
	// Idempotent.
	if n, err := e.PruneRuns(context.Background()); n != 0 || err != nil {
		t.Fatalf("second prune: %d, %v", n, err)
	}
	// A negative retention keeps everything.
	e2, _ := engine.New(engine.Config{KV: kv, Now: func() time.Time { return now.AddDate(10, 0, 0) },
		Connectors: map[string]engine.Factory{}, RunRetention: -1, RunKeep: 1})
	if n, err := e2.PruneRuns(context.Background()); n != 0 || err != nil {
		t.Fatalf("prune with retention off: %d, %v", n, err)
	}
	if _, err := engine.New(engine.Config{KV: kv, Connectors: map[string]engine.Factory{}, RunKeep: -1}); err == nil {
		t.Fatal("a negative RunKeep was accepted")
	}
}

func TestRunsLimitNewestFirst(t *testing.T) {
	t.Parallel()
	kv := engine.NewMemKV()
	e, _ := engine.New(engine.Config{KV: kv, Connectors: map[string]engine.Factory{}})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 10 {
		p := "p1"
		if i%3 == 0 {
			p = "p2"
		}
		id := runID(start.Add(time.Duration(i)*time.Minute), i)
		putRun(t, kv, engine.Run{ID: id, Profile: p, User: "u", Start: start, Status: engine.RunOK}, 0)
		if p == "p1" {
			ids = append(ids, id)
		}
	}
	slices.Reverse(ids)
	runs, err := e.Runs("p1", 4)
	if err != nil || len(runs) != 4 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	for i, r := range runs {
		if r.ID != ids[i] || r.Profile != "p1" {
			t.Errorf("run %d = %s of %s, want %s", i, r.ID, r.Profile, ids[i])
		}
	}
	if all, _ := e.Runs("", 0); len(all) != 10 || all[0].ID < all[9].ID {
		t.Fatalf("all runs: %d, not newest first", len(all))
	}
	// A broken record is reported, not skipped.
	if err := kv.Commit(map[string][]byte{"eng/run/" + runID(start.Add(time.Hour), 1): []byte("{")}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Runs("p1", 1); err == nil || !strings.Contains(err.Error(), "eng/run/") {
		t.Fatalf("broken run record: %v", err)
	}
}

func TestUndoAfterRetention(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	e, err := engine.New(engine.Config{KV: f.kv, Now: func() time.Time { return f.now }, Rand: f.rnd, RunKeep: 1,
		Connectors: map[string]engine.Factory{"crm": f.crm.Factory(), "mbx": f.mbx.Factory()}})
	if err != nil {
		t.Fatal(err)
	}
	f.e = e
	day := f.now.Add(24 * time.Hour)
	f.crm.Put(crmAcct, appt("first", day))
	first := f.mustSync()
	f.now = f.now.Add(100 * 24 * time.Hour)
	f.crm.Put(crmAcct, appt("second", f.now.Add(time.Hour)))
	second := f.mustSync()
	if n, err := f.e.PruneRuns(context.Background()); n != 1 || err != nil {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if _, err := f.e.Undo(context.Background(), first.ID); !errors.Is(err, engine.ErrNoSuchRun) || !strings.Contains(err.Error(), "retention") {
		t.Fatalf("undo of a pruned run: %v", err)
	}
	if _, err := f.e.Undo(context.Background(), second.ID); err != nil {
		t.Fatalf("undo of a kept run: %v", err)
	}
	if got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment)); got["second"] != 0 || got["first"] != 1 {
		t.Fatalf("mailbox after undo: %v", got)
	}
}
