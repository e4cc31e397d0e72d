package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// countingKV counts every Commit made through it.
type countingKV struct {
	engine.KV
	commits atomic.Int64
}

func (c *countingKV) Commit(sets map[string][]byte, dels []string) error {
	c.commits.Add(1)
	return c.KV.Commit(sets, dels)
}

// withCountingKV rebuilds the fixture's engine over a commit-counting wrapper of its MemKV.
func (f *fixture) withCountingKV(gov engine.Governor) *countingKV {
	ck := &countingKV{KV: f.kv}
	e, err := engine.New(engine.Config{KV: ck, Now: func() time.Time { return f.now }, Rand: f.rnd, Governor: gov,
		Connectors: map[string]engine.Factory{"crm": f.crm.Factory(), "mbx": f.mbx.Factory()}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.e = e
	return ck
}

func (f *fixture) user() engine.LinkedUser {
	f.t.Helper()
	u, err := f.e.User("p1", "u1")
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// previewReadOnly previews the fixture's user and fails the test if anything was written to the KV or a store.
func (f *fixture) previewReadOnly(ck *countingKV, p engine.Profile, u engine.LinkedUser, opts engine.PreviewOptions) (engine.Preview, error) {
	f.t.Helper()
	commits, keys, writes := ck.commits.Load(), f.kv.Len(), f.writes()
	pv, err := f.e.Preview(context.Background(), p, u, opts)
	if n := ck.commits.Load() - commits; n != 0 {
		f.t.Errorf("the preview made %d KV commits", n)
	}
	if f.kv.Len() != keys {
		f.t.Errorf("the preview changed the number of stored keys: %d → %d", keys, f.kv.Len())
	}
	if n := f.writes() - writes; n != 0 {
		f.t.Errorf("the preview made %d remote writes", n)
	}
	return pv, err
}

// opKey identifies an operation by side, action and item title (titles are unique in these tests).
func opKey(s engine.Side, a engine.Action, title string) string {
	return fmt.Sprintf("%s/%s/%s", s, a, title)
}

func previewKeys(pv engine.Preview) []string {
	var out []string
	for _, op := range pv.Ops {
		out = append(out, opKey(op.Side, op.Action, op.Title))
	}
	slices.Sort(out)
	return out
}

// appliedKeys lists the operations run id applied.
func (f *fixture) appliedKeys(id string) []string {
	f.t.Helper()
	_, ops, err := f.e.Run(id)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, op := range ops {
		content := op.After
		if op.Action == engine.ActionDelete {
			content = op.Before
		}
		var a engine.Appointment
		if err := json.Unmarshal(content, &a); err != nil {
			f.t.Fatalf("op %+v: %v", op, err)
		}
		out = append(out, opKey(op.Side, op.Action, a.Title))
	}
	slices.Sort(out)
	return out
}

// sides sums a kind preview's planned writes per action.
func sides(k engine.KindPreview) (cre, upd, del int) {
	return k.CRM.Creates + k.Mailbox.Creates, k.CRM.Updates + k.Mailbox.Updates, k.CRM.Deletes + k.Mailbox.Deletes
}

// checkSame asserts that the preview announced exactly what run r then did.
func (f *fixture) checkSame(pv engine.Preview, r engine.Run) {
	f.t.Helper()
	if len(pv.Kinds) != 1 {
		f.t.Fatalf("kinds %+v", pv.Kinds)
	}
	k := pv.Kinds[0]
	if got, want := previewKeys(pv), f.appliedKeys(r.ID); !slices.Equal(got, want) {
		f.t.Errorf("preview ops %q\nrun applied %q", got, want)
	}
	cre, upd, del := sides(k)
	c := r.Counts
	if cre != c.Created || upd != c.Updated || del != c.Deleted || k.Unchanged != c.Unchanged ||
		k.Conflicts != c.Conflicts || k.Skipped != c.Skipped || k.Listed != c.Listed || k.BadCount != c.Quarantined {
		f.t.Errorf("preview counts %+v (creates %d updates %d deletes %d)\nrun counts %+v", k, cre, upd, del, c)
	}
}

func appointmentsOnly(p *engine.Profile) {
	p.Directions = map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}
	p.Filters.SkipPrivate = true
}

func TestPreviewEqualsFirstRun(t *testing.T) {
	t.Parallel()
	for _, m := range []reference.Model{reference.Delta, reference.EWS, reference.Watermark, reference.CalDAV} {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, reference.Watermark, m, appointmentsOnly)
			ck := f.withCountingKV(nil)
			day := f.now.Add(24 * time.Hour)
			for i := range 7 {
				f.crm.Put(crmAcct, appt(fmt.Sprintf("crm %d", i), day.Add(time.Duration(i)*time.Hour)))
			}
			f.mbx.Put(mbxAcct, appt("from mailbox", day))
			private := appt("private", day)
			private.Private = true
			f.crm.Put(crmAcct, private)
			f.mbx.Put(mbxAcct, appt("long ago", f.now.AddDate(-1, 0, 0)))
			// A matched pair (same UID) with different titles: linked, the CRM wins.
			a, b := appt("pair crm", day), appt("pair mailbox", day)
			a.UID, b.UID = "uid-1", "uid-1"
			f.crm.Put(crmAcct, a)
			f.mbx.Put(mbxAcct, b)

			pv, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
			if err != nil {
				t.Fatal(err)
			}
			k := pv.Kinds[0]
			if !pv.Saved || !k.FirstSync || k.Mailbox.Creates != 7 || k.CRM.Creates != 1 || k.Mailbox.Updates != 1 {
				t.Fatalf("preview %+v", pv)
			}
			var filtered, window bool
			for _, s := range k.Skips {
				filtered = filtered || (s.Decision == engine.DecFiltered && s.Count == 1 && strings.Contains(s.Reason, "private"))
				window = window || (s.Decision == engine.DecOutOfWindow && s.Count == 1)
			}
			// (A watermark listing leaves items outside the window out altogether.)
			if !filtered || (!window && m != reference.Watermark) {
				t.Errorf("skips %+v", k.Skips)
			}
			for _, op := range pv.Ops {
				if op.Title == "" || op.Start.IsZero() || op.Reason == "" || op.Kind != engine.KindAppointment {
					t.Errorf("op without title, start, kind or reason: %+v", op)
				}
			}
			// The preview is repeatable: nothing it did changed what the next one sees.
			if again, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{}); err != nil ||
				!slices.Equal(previewKeys(again), previewKeys(pv)) {
				t.Fatalf("a second preview differs: %v %q", err, previewKeys(again))
			}
			f.checkSame(pv, f.mustSync())
		})
	}
}

func TestPreviewEqualsIncrementalRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.CalDAV, appointmentsOnly)
	ck := f.withCountingKV(nil)
	day := f.now.Add(24 * time.Hour)
	ids := map[string]string{}
	for _, title := range []string{"edit in crm", "delete in mailbox", "conflict", "quiet"} {
		ids[title] = f.crm.Put(crmAcct, appt(title, day))
	}
	f.mustSync()
	edit := func(s *reference.Server, acct, id string, fn func(*engine.Appointment)) {
		t.Helper()
		if err := s.Edit(acct, engine.KindAppointment, id, func(it engine.Item) engine.Item {
			fn(it.(*engine.Appointment))
			return it
		}); err != nil {
			t.Fatal(err)
		}
	}
	edit(f.crm, crmAcct, ids["edit in crm"], func(a *engine.Appointment) { a.Location = "Room 2" })
	mid, _ := f.find(f.mbx, mbxAcct, "delete in mailbox")
	if err := f.mbx.Remove(mbxAcct, engine.KindAppointment, mid); err != nil {
		t.Fatal(err)
	}
	edit(f.crm, crmAcct, ids["conflict"], func(a *engine.Appointment) { a.Location = "CRM room" })
	cid, _ := f.find(f.mbx, mbxAcct, "conflict")
	edit(f.mbx, mbxAcct, cid, func(a *engine.Appointment) { a.Location = "Mailbox room" })
	f.mbx.Put(mbxAcct, appt("new in mailbox", day))

	pv, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := pv.Kinds[0]
	if k.FirstSync || k.Linked != 4 || k.CRM.Deletes != 1 || k.CRM.Creates != 1 || k.Mailbox.Updates != 2 || k.Conflicts != 1 {
		t.Fatalf("preview %+v", k)
	}
	if len(k.ConflictList) != 1 || k.ConflictList[0].Kept != engine.SideCRM || !slices.Contains(k.ConflictList[0].Fields, "location") {
		t.Fatalf("conflicts %+v", k.ConflictList)
	}
	conflicts, _ := f.e.Conflicts("p1", false)
	if len(conflicts) != 0 {
		t.Fatalf("the preview recorded conflicts: %+v", conflicts)
	}
	f.checkSame(pv, f.mustSync())
	// After the run, the next preview has nothing to do.
	pv, err = f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
	if err != nil || pv.TotalOps != 0 || len(pv.Ops) != 0 {
		t.Fatalf("quiet preview: %v %+v", err, pv)
	}
}

func TestPreviewGuardEqualsHeldRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, func(p *engine.Profile) {
		appointmentsOnly(p)
		p.Guard = engine.DefaultGuard()
		p.Guard.GuardFirstSync = true
		p.Guard.Creates = engine.Threshold{Count: 2, Percent: 10}
	})
	ck := f.withCountingKV(nil)
	for i := range 5 {
		f.crm.Put(crmAcct, appt(fmt.Sprintf("a%d", i), f.now.Add(time.Duration(i+1)*time.Hour)))
	}
	pv, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{MaxOps: 3})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Kinds[0].Guard == "" || !pv.Truncated || pv.TotalOps != 5 || len(pv.Ops) != 3 {
		t.Fatalf("preview %+v", pv)
	}
	r, err := f.sync()
	if !errors.Is(err, engine.ErrApprovalPending) || r.Guard != pv.Kinds[0].Guard {
		t.Fatalf("run %v %+v", err, r)
	}
	for i, op := range pv.Ops {
		p := r.Planned[i]
		p.Link, op.Link = "", "" // new links get fresh ids in each plan
		if op.PlannedOp != p {
			t.Errorf("op %d: preview %+v, run planned %+v", i, op.PlannedOp, p)
		}
	}
}

// stripStore lists changes without their content, so that the engine reads each item with Get.
type stripStore struct{ engine.Store }

func (s stripStore) Changes(ctx context.Context, cursor string) (engine.Page, error) {
	p, err := s.Store.Changes(ctx, cursor)
	for i := range p.Changes {
		p.Changes[i].Item = nil
	}
	return p, err
}

type stripConn struct{ engine.Connector }

func (c stripConn) Open(ctx context.Context, sc engine.Scope) (engine.Store, error) {
	st, err := c.Connector.Open(ctx, sc)
	return stripStore{st}, err
}

func TestPreviewErrors(t *testing.T) {
	t.Parallel()
	t.Run("bad settings", func(t *testing.T) {
		f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
		ck := f.withCountingKV(nil)
		p := f.profile
		p.Mailbox.Settings = json.RawMessage(`{"model":"carrier-pigeon"}`)
		_, err := f.previewReadOnly(ck, p, f.user(), engine.PreviewOptions{})
		if err == nil || !strings.Contains(err.Error(), "carrier-pigeon") {
			t.Fatalf("err = %v", err)
		}
		p = f.profile
		p.CRM.Type = ""
		var ie *engine.InputError
		if _, err := f.previewReadOnly(ck, p, f.user(), engine.PreviewOptions{}); !errors.As(err, &ie) || ie.Field != "crm.type" {
			t.Fatalf("err = %v", err)
		}
		u := f.user()
		u.CRM.ID = ""
		if _, err := f.previewReadOnly(ck, f.profile, u, engine.PreviewOptions{}); !errors.As(err, &ie) || ie.Field != "crm.id" {
			t.Fatalf("err = %v", err)
		}
		if _, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{Kinds: []engine.Kind{engine.KindContact}}); !errors.As(err, &ie) || ie.Field != "kinds" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("auth", func(t *testing.T) {
		f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
		ck := f.withCountingKV(nil)
		f.mbx.SetFaults(func(c reference.Call) reference.Fault {
			return reference.Fault{Before: fmt.Errorf("token refused: %w", engine.ErrAuth)}
		})
		_, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
		if !errors.Is(err, engine.ErrAuth) || !strings.Contains(err.Error(), "mailbox") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad item", func(t *testing.T) {
		f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
		f.e = nil
		ck := &countingKV{KV: f.kv}
		crm := f.crm.Factory()
		e, err := engine.New(engine.Config{KV: ck, Now: func() time.Time { return f.now }, Rand: f.rnd,
			Connectors: map[string]engine.Factory{"mbx": f.mbx.Factory(),
				"crm": func(ctx context.Context, raw json.RawMessage, env engine.Env) (engine.Connector, error) {
					c, err := crm(ctx, raw, env)
					return stripConn{c}, err
				}}})
		if err != nil {
			t.Fatal(err)
		}
		f.e = e
		bad := f.crm.Put(crmAcct, appt("bad", f.now.Add(time.Hour)))
		f.crm.Put(crmAcct, appt("good", f.now.Add(time.Hour)))
		f.crm.SetFaults(func(c reference.Call) reference.Fault {
			if c.Op == "get" && c.ID == bad {
				return reference.Fault{Before: &engine.ItemError{ID: bad, Field: "recurrence", Err: errors.New("pattern not supported")}}
			}
			return reference.Fault{}
		})
		pv, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
		if err != nil {
			t.Fatal(err)
		}
		k := pv.Kinds[0]
		if k.BadCount != 1 || len(k.Bad) != 1 || k.Bad[0].ID != bad || k.Bad[0].Field != "recurrence" ||
			!strings.Contains(k.Bad[0].Reason, "pattern not supported") || k.Mailbox.Creates != 1 {
			t.Fatalf("preview %+v", k)
		}
		if q, _ := f.e.Quarantine("p1"); len(q) != 0 {
			t.Fatalf("the preview quarantined: %+v", q)
		}
		f.checkSame(pv, f.mustSync())
	})
	t.Run("too many items", func(t *testing.T) {
		f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
		ck := f.withCountingKV(nil)
		for i := range 10 {
			f.crm.Put(crmAcct, appt(fmt.Sprint(i), f.now.Add(time.Hour)))
		}
		_, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{MaxItems: 5})
		if !errors.Is(err, engine.ErrPreviewTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("context", func(t *testing.T) {
		f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := f.e.Preview(ctx, f.profile, f.user(), engine.PreviewOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestPreviewUnsavedProfileAndUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
	ck := f.withCountingKV(nil)
	f.crm.Put(crmAcct, appt("one", f.now.Add(time.Hour)))
	f.mustSync()
	f.crm.Put(crmAcct, appt("two", f.now.Add(2*time.Hour)))
	// The same systems under a profile that is not saved yet: a first sync, whatever p1's state says.
	p := f.profile
	p.ID = ""
	p.Directions = map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirCRMToMailbox}
	u := engine.LinkedUser{CRM: engine.Account{ID: crmAcct}, Mailbox: engine.Account{Email: mbxAcct}}
	pv, err := f.previewReadOnly(ck, p, u, engine.PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := pv.Kinds[0]
	// Both CRM items would be copied (no state says "one" already was); the mailbox's copy is not copied back.
	if pv.Saved || !k.FirstSync || k.Direction != engine.DirCRMToMailbox || k.Mailbox.Creates != 2 || k.CRM.Creates != 0 || k.Skipped != 1 {
		t.Fatalf("preview %+v", pv)
	}
	// Saved: only "two" is new.
	pv, err = f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
	if err != nil || !pv.Saved || pv.TotalOps != 1 || pv.Ops[0].Title != "two" {
		t.Fatalf("saved preview: %v %+v", err, pv)
	}
	// A user relinked to another mailbox has no usable state.
	u = f.user()
	u.Mailbox = engine.Account{ID: "bob@example.com", Email: "bob@example.com"}
	if pv, err = f.previewReadOnly(ck, f.profile, u, engine.PreviewOptions{}); err != nil || pv.Saved {
		t.Fatalf("relinked preview: %v %+v", err, pv)
	}
}

// hookGovernor calls hook before admitting each call (outside any store lock).
type hookGovernor struct {
	engine.NoLimits
	hook func()
}

func (g hookGovernor) Acquire(ctx context.Context, scopes ...engine.LimitScope) (engine.Permit, error) {
	g.hook()
	return g.NoLimits.Acquire(ctx, scopes...)
}

func TestPreviewDoesNotHoldUpARun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
	f.crm.Put(crmAcct, appt("one", f.now.Add(time.Hour)))
	f.mustSync()
	f.crm.Put(crmAcct, appt("two", f.now.Add(time.Hour)))
	var armed atomic.Bool
	var once sync.Once
	ranDuring := make(chan error, 1)
	f.withCountingKV(hookGovernor{hook: func() {
		if !armed.Load() {
			return
		}
		once.Do(func() {
			armed.Store(false)
			// The preview is listing now. A run of the same job must get through.
			done := make(chan error, 1)
			go func() {
				_, err := f.e.RunSync(context.Background(), "p1", "u1", engine.KindAppointment, "test")
				done <- err
			}()
			select {
			case err := <-done:
				ranDuring <- err
			case <-time.After(10 * time.Second):
				ranDuring <- errors.New("the run waited for the preview")
			}
		})
	}})
	armed.Store(true)
	if _, err := f.e.Preview(context.Background(), f.profile, f.user(), engine.PreviewOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := <-ranDuring; err != nil {
		t.Fatal(err)
	}
}

func TestPreviewDuringARunSaysBusy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, appointmentsOnly)
	f.crm.Put(crmAcct, appt("one", f.now.Add(time.Hour)))
	f.mustSync()
	release := make(chan struct{})
	var blocked atomic.Bool
	entered := make(chan struct{})
	ck := f.withCountingKV(hookGovernor{hook: func() {
		if blocked.CompareAndSwap(true, false) {
			close(entered)
			<-release // the run holds its job lock while it waits here
		}
	}})
	blocked.Store(true)
	runDone := make(chan error, 1)
	go func() {
		_, err := f.e.RunSync(context.Background(), "p1", "u1", engine.KindAppointment, "test")
		runDone <- err
	}()
	<-entered
	start := time.Now()
	pv, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
	close(release)
	if err != nil || !pv.Kinds[0].Busy {
		t.Fatalf("preview during a run: %v %+v", err, pv)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("the preview waited %s for the run", waited)
	}
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
}

func TestPreviewEveryKindTheProfileSyncs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil) // appointments and tasks, two-way
	ck := f.withCountingKV(nil)
	f.crm.Put(crmAcct, appt("meeting", f.now.Add(time.Hour)))
	due := f.now.Add(48 * time.Hour)
	f.mbx.Put(mbxAcct, &engine.Task{Title: "call back", Due: due})
	pv, err := f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Kinds) != 2 || pv.Kinds[0].Kind != engine.KindAppointment || pv.Kinds[1].Kind != engine.KindTask {
		t.Fatalf("kinds %+v", pv.Kinds)
	}
	if pv.Kinds[0].Mailbox.Creates != 1 || pv.Kinds[1].CRM.Creates != 1 || pv.TotalOps != 2 {
		t.Fatalf("preview %+v", pv)
	}
	task := pv.Ops[1]
	if task.Kind != engine.KindTask || task.Title != "call back" || !task.Start.Equal(due) || task.Side != engine.SideCRM {
		t.Fatalf("task op %+v", task)
	}
	// One kind only.
	pv, err = f.previewReadOnly(ck, f.profile, f.user(), engine.PreviewOptions{Kinds: []engine.Kind{engine.KindTask}})
	if err != nil || len(pv.Kinds) != 1 || pv.Kinds[0].Kind != engine.KindTask {
		t.Fatalf("tasks only: %v %+v", err, pv)
	}
}
