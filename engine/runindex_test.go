package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// checkRunIndex verifies the run index against the run records: one entry eng/runu/<profile>/<user>/<run> per run
// record eng/run/<run> of that profile and user, and no other entry.
func checkRunIndex(kv engine.KV) error {
	want := map[string]bool{}
	if err := kv.Scan([]byte("eng/run/"), func(k, b []byte) error {
		var h struct{ Profile, User string }
		if err := json.Unmarshal(b, &h); err != nil {
			return fmt.Errorf("decode %s: %w", k, err)
		}
		want["eng/runu/"+h.Profile+"/"+h.User+"/"+strings.TrimPrefix(string(k), "eng/run/")] = true
		return nil
	}); err != nil {
		return err
	}
	got := map[string]bool{}
	if err := kv.Scan([]byte("eng/runu/"), func(k, _ []byte) error { got[string(k)] = true; return nil }); err != nil {
		return err
	}
	for k := range want {
		if !got[k] {
			return fmt.Errorf("run index: %s missing", k)
		}
	}
	for k := range got {
		if !want[k] {
			return fmt.Errorf("run index: %s names no run", k)
		}
	}
	return nil
}

// userRunsOld is the old way of finding a user's runs (every run of the profile, filtered), the reference UserRuns
// must agree with.
func userRunsOld(t testing.TB, e *engine.Engine, profile, user string, limit int) []string {
	t.Helper()
	runs, err := e.Runs(profile, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range runs {
		if r.User == user && (limit == 0 || len(out) < limit) {
			out = append(out, r.ID)
		}
	}
	return out
}

func ids(runs []engine.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

// checkUserRuns compares UserRuns (all, limited, paged) with the old path for one user.
func checkUserRuns(t testing.TB, e *engine.Engine, profile, user string) {
	t.Helper()
	want := userRunsOld(t, e, profile, user, 0)
	got, err := e.UserRuns(profile, user, 0)
	if err != nil || !slices.Equal(ids(got), want) {
		t.Fatalf("UserRuns(%s, %s) = %v, %v; want %v", profile, user, ids(got), err, want)
	}
	for _, limit := range []int{1, 2, 3} {
		got, err := e.UserRuns(profile, user, limit)
		if err != nil || !slices.Equal(ids(got), want[:min(limit, len(want))]) {
			t.Fatalf("UserRuns(%s, %s, %d) = %v, %v; want %v", profile, user, limit, ids(got), err, want[:min(limit, len(want))])
		}
	}
	// Paging with UserRunsBefore walks the same list.
	var paged []string
	before := ""
	for {
		page, err := e.UserRunsBefore(profile, user, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, ids(page)...)
		before = page[len(page)-1].ID
	}
	if !slices.Equal(paged, want) {
		t.Fatalf("paged UserRunsBefore(%s, %s) = %v; want %v", profile, user, paged, want)
	}
}

// TestRunIndexFollowsRuns writes runs in every way the engine writes run records (sync runs, guarded runs,
// approval, rejection, undo) for two users and checks the index and UserRuns after each step.
func TestRunIndexFollowsRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	if err := f.e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.LinkUser("p1", engine.LinkedUser{ID: "u2", CRM: engine.Account{ID: "assoc-2"},
		Mailbox: engine.Account{ID: "bob@example.com", Email: "bob@example.com"}}); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		if err := checkRunIndex(f.kv); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		checkUserRuns(t, f.e, "p1", "u1")
		checkUserRuns(t, f.e, "p1", "u2")
	}
	check("empty")
	day := f.now.Add(24 * time.Hour)
	var appts []string
	for i := range 30 {
		appts = append(appts, f.crm.Put(crmAcct, appt(fmt.Sprint("a", i), day.Add(time.Duration(i)*time.Hour))))
	}
	f.crm.Put("assoc-2", appt("bob's", day))
	for i := range 3 {
		f.now = f.now.Add(time.Minute)
		f.mustSync()
		f.now = f.now.Add(time.Minute)
		if _, err := f.e.RunSync(context.Background(), "p1", "u2", engine.KindAppointment, fmt.Sprint("test ", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.e.RunSync(context.Background(), "p1", "u1", engine.KindTask, "test"); err != nil {
			t.Fatal(err)
		}
	}
	check("syncs")
	if got, _ := f.e.UserRuns("p1", "u2", 0); len(got) != 3 || got[0].User != "u2" || got[0].Trigger != "test 2" {
		t.Fatalf("u2's runs: %+v", got)
	}
	// A guarded run, rejected; another, approved.
	for _, id := range appts[:12] {
		if err := f.crm.Remove(crmAcct, engine.KindAppointment, id); err != nil {
			t.Fatal(err)
		}
	}
	f.now = f.now.Add(time.Minute)
	r, err := f.sync()
	if !errors.Is(err, engine.ErrApprovalPending) {
		t.Fatalf("want a guarded run, got %v %s", err, r.Status)
	}
	if err := f.e.Reject(r.ID); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	r, _ = f.sync()
	f.now = f.now.Add(time.Minute)
	if _, err := f.e.Approve(context.Background(), r.ID); err != nil {
		t.Fatal(err)
	}
	check("approval")
	// Undo of the approved run writes an undo run and rewrites the undone one.
	latest, _ := f.e.UserRuns("p1", "u1", 1)
	if len(latest) != 1 || latest[0].Approved != r.ID {
		t.Fatalf("newest run of u1: %+v, want the approved run of %s", latest, r.ID)
	}
	f.now = f.now.Add(time.Minute)
	if _, err := f.e.Undo(context.Background(), latest[0].ID); err != nil {
		t.Fatal(err)
	}
	check("undo")
	if got, _ := f.e.UserRuns("p1", "u1", 1); len(got) != 1 || got[0].UndoOf != latest[0].ID {
		t.Fatalf("newest run of u1 after the undo: %+v", got)
	}
	// Unknown users and profiles have no runs; bad input is refused naming the field.
	if got, err := f.e.UserRuns("p1", "nobody", 0); err != nil || len(got) != 0 {
		t.Fatalf("UserRuns of an unknown user: %v, %v", got, err)
	}
	for _, c := range []struct {
		p, u  string
		limit int
		field string
	}{{"", "u1", 0, "profileId"}, {"p1", "a/b", 0, "userId"}, {"p1", "u1", -1, "limit"}} {
		var ie *engine.InputError
		if _, err := f.e.UserRuns(c.p, c.u, c.limit); !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("UserRuns(%q, %q, %d) = %v; want an input error on %s", c.p, c.u, c.limit, err, c.field)
		}
	}
}

// TestRunIndexCrash crashes a sync at every one of its commits in turn: the run record and its index entry are
// written in one transaction, so after the restart every run record has its entry and no entry is left alone.
func TestRunIndexCrash(t *testing.T) {
	t.Parallel()
	for k := range 12 {
		t.Run(fmt.Sprint("after ", k), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, reference.Delta, reference.Delta, nil)
			day := f.now.Add(24 * time.Hour)
			for i := range 4 {
				f.crm.Put(crmAcct, appt(fmt.Sprint("a", i), day.Add(time.Duration(i)*time.Hour)))
			}
			f.kv.SimulateCrashAfter(k)
			_, _ = f.sync()
			f.kv.Restart()
			f.newEngine()
			if err := f.e.Recover(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := checkRunIndex(f.kv); err != nil {
				t.Fatal(err)
			}
			f.now = f.now.Add(time.Minute)
			f.mustSync()
			if err := checkRunIndex(f.kv); err != nil {
				t.Fatal(err)
			}
			checkUserRuns(t, f.e, "p1", "u1")
		})
	}
}

// TestRunIndexRetention prunes runs, once cleanly and once with a crash between the chunks of the pruning: the
// index keeps naming exactly the runs that are left.
func TestRunIndexRetention(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)
	for _, crash := range []bool{false, true} {
		t.Run(fmt.Sprint("crash ", crash), func(t *testing.T) {
			t.Parallel()
			kv := engine.NewMemKV()
			newEngine := func() *engine.Engine {
				e, err := engine.New(engine.Config{KV: kv, Now: func() time.Time { return now }, Connectors: map[string]engine.Factory{},
					RunRetention: 10 * 24 * time.Hour, RunKeep: 5})
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			e := newEngine()
			if err := e.Recover(context.Background()); err != nil {
				t.Fatal(err)
			}
			// 3 users × 400 runs, one a day back from today, written like the engine writes them (with the index):
			// 1 operation each, so 1,200 removable runs take several commits of the pruning.
			for i := range 1200 {
				at := now.Add(-time.Duration(i) * time.Hour)
				r := engine.Run{ID: runID(at, i), Profile: "p1", User: fmt.Sprint("u", i%3), Kind: engine.KindAppointment, Start: at,
					Status: engine.RunOK}
				putRun(t, kv, r, 1)
				if err := kv.Commit(map[string][]byte{"eng/runu/p1/" + r.User + "/" + r.ID: {}}, nil); err != nil {
					t.Fatal(err)
				}
			}
			if err := checkRunIndex(kv); err != nil {
				t.Fatal(err)
			}
			if crash {
				kv.SimulateCrashAfter(1)
				if _, err := e.PruneRuns(context.Background()); !errors.Is(err, engine.ErrCrashed) {
					t.Fatalf("prune with a crash: %v", err)
				}
				kv.Restart()
				e = newEngine()
				if err := checkRunIndex(kv); err != nil {
					t.Fatalf("after the crash: %v", err)
				}
				checkUserRuns(t, e, "p1", "u1")
			}
			if _, err := e.PruneRuns(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := checkRunIndex(kv); err != nil {
				t.Fatal(err)
			}
			for u := range 3 {
				user := fmt.Sprint("u", u)
				checkUserRuns(t, e, "p1", user)
				want := 0 // the user's runs of the last 10 days (240 hours, both ends kept)
				for i := u; i <= 240; i += 3 {
					want++
				}
				if got, _ := e.UserRuns("p1", user, 0); len(got) != want {
					t.Errorf("%s keeps %d runs, want %d", user, len(got), want)
				}
			}
		})
	}
}

// TestRunIndexUnlink: unlinking a user and deleting a profile keep the runs for the record, and so their index
// entries; a user linked again under the same id sees their earlier runs.
func TestRunIndexUnlink(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	if err := f.e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.crm.Put(crmAcct, appt("a", f.now.Add(24*time.Hour)))
	f.mustSync()
	f.now = f.now.Add(time.Minute)
	f.mustSync()
	if err := f.e.UnlinkUser("p1", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := checkRunIndex(f.kv); err != nil {
		t.Fatal(err)
	}
	checkUserRuns(t, f.e, "p1", "u1")
	if got, _ := f.e.UserRuns("p1", "u1", 0); len(got) != 2 {
		t.Fatalf("runs of an unlinked user: %d, want 2 (kept for the record)", len(got))
	}
	if _, err := f.e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: crmAcct},
		Mailbox: engine.Account{ID: mbxAcct, Email: mbxAcct}}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	f.mustSync()
	if got, _ := f.e.UserRuns("p1", "u1", 0); len(got) != 3 {
		t.Fatalf("runs after relinking: %d, want 3", len(got))
	}
	if err := f.e.DeleteProfile("p1"); err != nil {
		t.Fatal(err)
	}
	if err := checkRunIndex(f.kv); err != nil {
		t.Fatal(err)
	}
	checkUserRuns(t, f.e, "p1", "u1")
}

// indexCountingKV counts the run index entries committed through it.
type indexCountingKV struct {
	*engine.MemKV
	mu      sync.Mutex
	entries int
}

func (c *indexCountingKV) Commit(sets map[string][]byte, dels []string) error {
	err := c.MemKV.Commit(sets, dels)
	if err == nil {
		c.mu.Lock()
		for k := range sets {
			if strings.HasPrefix(k, "eng/runu/") {
				c.entries++
			}
		}
		c.mu.Unlock()
	}
	return err
}

func (c *indexCountingKV) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.entries
	c.entries = 0
	return n
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunIndexMigration starts an engine on a store written before the run index existed: 2,500 runs of 2 profiles
// and 7 users, and one unreadable record. The first start crashes after the first chunk of the migration; until
// the migration finishes UserRuns reads the run key space (and is right); the next start resumes after the
// durable chunk, writes only the missing entries and logs it; later starts do nothing.
func TestRunIndexMigration(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)
	mem := engine.NewMemKV()
	kv := &indexCountingKV{MemKV: mem}
	start := now.Add(-2500 * time.Minute)
	for i := range 2500 {
		at := start.Add(time.Duration(i) * time.Minute)
		putRun(t, kv, engine.Run{ID: runID(at, i), Profile: fmt.Sprint("p", i%2), User: fmt.Sprint("u", i%7),
			Kind: engine.KindAppointment, Start: at, Status: engine.RunOK}, 0)
	}
	bad := "eng/run/" + runID(start.Add(time.Second), 9999)
	if err := kv.Commit(map[string][]byte{bad: []byte("{not json")}, nil); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	newEngine := func() *engine.Engine {
		e, err := engine.New(engine.Config{KV: kv, Now: func() time.Time { return now }, Connectors: map[string]engine.Factory{},
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := newEngine()
	mem.SimulateCrashAfter(1)
	if err := e.Recover(context.Background()); !errors.Is(err, engine.ErrCrashed) {
		t.Fatalf("first start: Recover = %v; want the simulated crash", err)
	}
	if n := kv.take(); n != 1000 {
		t.Fatalf("first start indexed %d runs durably, want one chunk of 1000", n)
	}
	mem.Restart()
	e = newEngine()
	// Not migrated yet: UserRuns falls back to reading every run, with the answers of the old path, and like Runs
	// it fails on the unreadable record, naming it.
	if _, err := e.UserRuns("p0", "u0", 0); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("fallback over an unreadable record: %v; want an error naming %s", err, bad)
	}
	if err := mem.Commit(nil, []string{bad}); err != nil {
		t.Fatal(err)
	}
	want := userRunsOld(t, e, "p1", "u3", 20)
	if got, err := e.UserRuns("p1", "u3", 20); err != nil || !slices.Equal(ids(got), want) {
		t.Fatalf("before the migration: %v, %v; want %v", ids(got), err, want)
	}
	if err := kv.Commit(map[string][]byte{bad: []byte("{not json")}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := kv.take(); n != 1500 {
		t.Fatalf("the resumed migration wrote %d entries, want the 1500 missing ones", n)
	}
	if !strings.Contains(logs.String(), "resuming the migration") || !strings.Contains(logs.String(), "run index: built") ||
		!strings.Contains(logs.String(), "cannot be read") {
		t.Fatalf("migration logs:\n%s", logs.String())
	}
	if err := mem.Commit(nil, []string{bad}); err != nil {
		t.Fatal(err)
	}
	if err := checkRunIndex(kv); err != nil {
		t.Fatal(err)
	}
	for p := range 2 {
		for u := range 7 {
			checkUserRuns(t, e, fmt.Sprint("p", p), fmt.Sprint("u", u))
		}
	}
	// Idempotent: another start writes nothing.
	e = newEngine()
	if err := e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := kv.take(); n != 0 {
		t.Fatalf("a second start wrote %d index entries", n)
	}
	checkUserRuns(t, e, "p1", "u3")
}

// TestRunIndexMigrationCancelled stops the migration through its context and resumes it on the next start.
func TestRunIndexMigrationCancelled(t *testing.T) {
	t.Parallel()
	kv := engine.NewMemKV()
	now := time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)
	for i := range 1500 {
		at := now.Add(-time.Duration(i) * time.Minute)
		putRun(t, kv, engine.Run{ID: runID(at, i), Profile: "p1", User: fmt.Sprint("u", i%3), Start: at, Status: engine.RunOK}, 0)
	}
	e, err := engine.New(engine.Config{KV: kv, Now: func() time.Time { return now }, Connectors: map[string]engine.Factory{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Recover(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recover with a cancelled context: %v", err)
	}
	if got := len(keysUnder(t, kv, "eng/runu/")); got != 1000 {
		t.Fatalf("%d entries after the cancelled migration, want the first chunk (1000)", got)
	}
	if err := e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := checkRunIndex(kv); err != nil {
		t.Fatal(err)
	}
	checkUserRuns(t, e, "p1", "u2")
}
