package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

func (f *fixture) find(s *reference.Server, acct, title string) (string, *engine.Appointment) {
	for id, it := range s.Items(acct, engine.KindAppointment) {
		if a := it.(*engine.Appointment); a.Title == title {
			return id, a
		}
	}
	return "", nil
}

func (f *fixture) writes() int { return f.crm.Writes() + f.mbx.Writes() }

func TestGuardStopsMassDeleteUntilApproved(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	day := f.now.Add(24 * time.Hour)
	var ids []string
	for i := range 30 {
		ids = append(ids, f.crm.Put(crmAcct, appt("a"+string(rune('A'+i)), day.Add(time.Duration(i)*time.Hour))))
	}
	f.mustSync()
	for _, id := range ids[:12] {
		if err := f.crm.Remove(crmAcct, engine.KindAppointment, id); err != nil {
			t.Fatal(err)
		}
	}
	w := f.writes()
	r, err := f.sync()
	if !errors.Is(err, engine.ErrApprovalPending) || r.Status != engine.RunNeedsApproval {
		t.Fatalf("12 of 30 deleted (40 %%): want needs-approval, got %v %s", err, r.Status)
	}
	if f.writes() != w {
		t.Fatal("a guarded run wrote")
	}
	if len(r.Planned) != 12 || r.Planned[0].Action != engine.ActionDelete || r.Guard == "" {
		t.Fatalf("planned %+v guard %q", r.Planned, r.Guard)
	}
	// Another run asks again; rejecting closes the run.
	r2, _ := f.sync()
	if r2.Status != engine.RunNeedsApproval {
		t.Fatalf("second run %s", r2.Status)
	}
	if err := f.e.Reject(r2.ID); err != nil {
		t.Fatal(err)
	}
	pend, _ := f.e.PendingApprovals("p1")
	if len(pend) != 1 || pend[0].ID != r.ID {
		t.Fatalf("pending %+v", pend)
	}
	// One more delete after the approval request: the plan differs, so approval asks again.
	if err := f.crm.Remove(crmAcct, engine.KindAppointment, ids[12]); err != nil {
		t.Fatal(err)
	}
	id3, err := f.e.Approve(context.Background(), r.ID)
	r3, _, _ := f.e.Run(id3)
	if !errors.Is(err, engine.ErrApprovalPending) || r3.Status != engine.RunNeedsApproval || !strings.Contains(r3.Guard, "plan changed") {
		t.Fatalf("approval of a stale plan: %v %s %q", err, r3.Status, r3.Guard)
	}
	id4, err := f.e.Approve(context.Background(), r3.ID)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	r4, ops, _ := f.e.Run(id4)
	if r4.Counts.Deleted != 13 || len(ops) != 13 || r4.Approved != r3.ID {
		t.Fatalf("approved run %+v, %d ops", r4, len(ops))
	}
	if n := len(f.mbx.Items(mbxAcct, engine.KindAppointment)); n != 17 {
		t.Fatalf("mailbox has %d items, want 17", n)
	}
	if _, err := f.e.Approve(context.Background(), r3.ID); err == nil {
		t.Fatal("an approval ran twice")
	}
}

func TestPartialListingIsNeverReadAsDeletes(t *testing.T) {
	t.Parallel()
	for _, m := range []reference.Model{reference.Delta, reference.EWS, reference.Watermark, reference.CalDAV} {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, reference.Delta, m, nil)
			day := f.now.Add(24 * time.Hour)
			for i := range 8 {
				f.mbx.Put(mbxAcct, appt("m"+string(rune('a'+i)), day.Add(time.Duration(i)*time.Hour)))
			}
			f.mustSync()
			f.mbx.ExpireCursors(mbxAcct, engine.KindAppointment)
			f.mbx.SetFaults(func(c reference.Call) reference.Fault {
				if c.Op == "changes" || c.Op == "listids" {
					return reference.Fault{Partial: true}
				}
				return reference.Fault{}
			})
			f.now = f.now.Add(time.Hour)
			_, _ = f.sync()
			if n := len(f.crm.Items(crmAcct, engine.KindAppointment)); n != 8 {
				t.Fatalf("a partial listing deleted: crm has %d of 8", n)
			}
		})
	}
}

func TestQuarantineAndRelease(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	day := f.now.Add(24 * time.Hour)
	bad := f.crm.Put(crmAcct, appt("bad", day))
	f.crm.Put(crmAcct, appt("good", day))
	// The mailbox refuses the first item's content.
	refuse := true
	f.mbx.SetFaults(func(c reference.Call) reference.Fault {
		if c.Op == "create" && refuse {
			refuse = false
			return reference.Fault{Before: &engine.ItemError{Field: "recurrence", Err: errors.New("pattern not supported")}}
		}
		return reference.Fault{}
	})
	r := f.mustSync()
	if r.Counts.Quarantined != 1 || r.Counts.Created != 1 {
		t.Fatalf("counts %+v", r.Counts)
	}
	q, _ := f.e.Quarantine("p1")
	if len(q) != 1 || q[0].Field != "recurrence" {
		t.Fatalf("quarantine %+v", q)
	}
	tr, _ := f.e.Trace(q[0].ID)
	if len(tr) == 0 || tr[0].Decision != engine.DecQuarantined || !strings.Contains(tr[0].Reason, "pattern not supported") {
		t.Fatalf("trace %+v", tr)
	}
	// Still quarantined while unchanged.
	f.mustSync()
	if _, a := f.find(f.mbx, mbxAcct, q[0].ID); a != nil {
		t.Fatal("unexpected")
	}
	// A change releases it.
	if err := f.crm.Edit(crmAcct, engine.KindAppointment, bad, func(it engine.Item) engine.Item {
		it.(*engine.Appointment).Title = "fixed"
		return it
	}); err != nil {
		t.Fatal(err)
	}
	f.mustSync()
	if id, _ := f.find(f.mbx, mbxAcct, "fixed"); id == "" {
		t.Fatal("the fixed item was not synced")
	}
	if q, _ := f.e.Quarantine("p1"); len(q) != 0 {
		t.Fatalf("still quarantined: %+v", q)
	}
}

func TestConflictRecordedAndResolved(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	cid := f.crm.Put(crmAcct, appt("meeting", f.now.Add(24*time.Hour)))
	f.mustSync()
	mid, _ := f.find(f.mbx, mbxAcct, "meeting")
	set := func(s *reference.Server, acct, id, loc string) {
		if err := s.Edit(acct, engine.KindAppointment, id, func(it engine.Item) engine.Item {
			it.(*engine.Appointment).Location = loc
			return it
		}); err != nil {
			t.Fatal(err)
		}
	}
	set(f.crm, crmAcct, cid, "Oslo")
	set(f.mbx, mbxAcct, mid, "Bergen")
	r := f.mustSync()
	if r.Counts.Conflicts != 1 {
		t.Fatalf("counts %+v", r.Counts)
	}
	cs, _ := f.e.Conflicts("p1", true)
	if len(cs) != 1 || cs[0].Decision != engine.SideCRM || string(cs[0].Mailbox) != `{"location":"\"Bergen\""}` && !strings.Contains(string(cs[0].Mailbox), "Bergen") {
		t.Fatalf("conflicts %+v", cs)
	}
	if _, a := f.find(f.mbx, mbxAcct, "meeting"); a.Location != "Oslo" {
		t.Fatalf("crm-wins: mailbox has %q", a.Location)
	}
	if err := f.e.ResolveConflict(context.Background(), cs[0].ID, engine.SideMailbox); err != nil {
		t.Fatal(err)
	}
	_, c := f.find(f.crm, crmAcct, "meeting")
	_, m := f.find(f.mbx, mbxAcct, "meeting")
	if c.Location != "Bergen" || m.Location != "Bergen" {
		t.Fatalf("after resolution crm %q mailbox %q", c.Location, m.Location)
	}
	w := f.writes()
	f.mustSync()
	if f.writes() != w {
		t.Fatal("resolution echoed")
	}
	if open, _ := f.e.Conflicts("p1", true); len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
}

func TestUndo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	day := f.now.Add(24 * time.Hour)
	keep := f.crm.Put(crmAcct, appt("keep", day))
	gone := f.crm.Put(crmAcct, appt("gone", day))
	f.mustSync()
	f.crm.Put(crmAcct, appt("new", day))
	if err := f.crm.Edit(crmAcct, engine.KindAppointment, keep, func(it engine.Item) engine.Item {
		it.(*engine.Appointment).Title = "renamed"
		return it
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.crm.Remove(crmAcct, engine.KindAppointment, gone); err != nil {
		t.Fatal(err)
	}
	r := f.mustSync()
	if r.Counts.Created != 1 || r.Counts.Updated != 1 || r.Counts.Deleted != 1 {
		t.Fatalf("counts %+v", r.Counts)
	}
	uid, err := f.e.Undo(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	u, ops, _ := f.e.Run(uid)
	if u.Status != engine.RunOK || len(ops) != 3 || u.UndoOf != r.ID {
		t.Fatalf("undo run %+v ops %+v", u, ops)
	}
	got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment))
	if got["keep"] != 1 || got["gone"] != 1 || got["new"] != 0 || len(got) != 2 {
		t.Fatalf("mailbox after undo: %v", got)
	}
	if _, err := f.e.Undo(context.Background(), r.ID); err == nil {
		t.Fatal("undone twice")
	}
	// The recreated item goes back to the CRM on the next sync; nothing else moves.
	f.mustSync()
	if got := titles(f.crm.Items(crmAcct, engine.KindAppointment)); got["gone"] != 1 {
		t.Fatalf("crm after undo + sync: %v", got)
	}
	w := f.writes()
	f.mustSync()
	if f.writes() != w {
		t.Fatal("quiet sync after undo wrote")
	}
}

func TestLostCreateResponseIsFoundByMarker(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	f.crm.Put(crmAcct, appt("once", f.now.Add(24*time.Hour)))
	f.mbx.SetFaults(func(c reference.Call) reference.Fault {
		if c.Op == "create" {
			return reference.Fault{After: reference.ErrTimeout}
		}
		return reference.Fault{}
	})
	r, err := f.sync()
	if err == nil || r.Status != engine.RunPartial {
		t.Fatalf("want partial, got %v %s", err, r.Status)
	}
	f.mbx.SetFaults(nil)
	f.newEngine() // a restart, too
	if err := f.e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustSync()
	if got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment)); got["once"] != 1 {
		t.Fatalf("mailbox: %v", got)
	}
	if c := f.mbx.Counts(); c["find"] != 1 || c["create"] != 1 {
		t.Fatalf("calls %v", c)
	}
}

func TestWindowChangesNeitherDuplicateNorDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.EWS, nil)
	near := f.crm.Put(crmAcct, appt("near", f.now.Add(24*time.Hour)))
	far := f.crm.Put(crmAcct, appt("far", f.now.Add(100*24*time.Hour)))
	_ = near
	f.mustSync()
	// Shrink the window: far is outside now. Nothing is deleted.
	p := f.profile
	p.DaysAhead = 10
	if _, err := f.e.PutProfile(p); err != nil {
		t.Fatal(err)
	}
	f.mustSync()
	if got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment)); got["far"] != 1 || got["near"] != 1 {
		t.Fatalf("shrinking the window changed the mailbox: %v", got)
	}
	// A new far item is outside the window: not copied, and traced.
	far2 := f.crm.Put(crmAcct, appt("far2", f.now.Add(50*24*time.Hour)))
	f.mustSync()
	tr, _ := f.e.Trace(far2)
	if len(tr) == 0 || tr[0].Decision != engine.DecOutOfWindow {
		t.Fatalf("trace of far2: %+v", tr)
	}
	// Widen again: full listing, matched by link: no duplicates; far2 now copied.
	p.DaysAhead = 120
	if _, err := f.e.PutProfile(p); err != nil {
		t.Fatal(err)
	}
	f.mustSync()
	got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment))
	if got["far"] != 1 || got["near"] != 1 || got["far2"] != 1 || len(got) != 3 {
		t.Fatalf("after widening: %v", got)
	}
	_ = far
	w := f.writes()
	f.mustSync()
	if f.writes() != w {
		t.Fatal("quiet sync wrote")
	}
}

func TestFiltersAndDirection(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, func(p *engine.Profile) {
		p.Filters.SkipPrivate = true
		p.Directions[engine.KindAppointment] = engine.DirCRMToMailbox
	})
	day := f.now.Add(24 * time.Hour)
	priv := appt("private", day)
	priv.Private = true
	pid := f.crm.Put(crmAcct, priv)
	f.crm.Put(crmAcct, appt("public", day))
	mid := f.mbx.Put(mbxAcct, appt("mine", day))
	f.mustSync()
	got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment))
	if got["public"] != 1 || got["private"] != 0 {
		t.Fatalf("mailbox %v", got)
	}
	if got := titles(f.crm.Items(crmAcct, engine.KindAppointment)); got["mine"] != 0 {
		t.Fatalf("one-way profile wrote to the crm: %v", got)
	}
	for id, want := range map[string]engine.Decision{pid: engine.DecFiltered, mid: engine.DecDirectionOff} {
		tr, _ := f.e.Trace(id)
		if len(tr) == 0 || tr[0].Decision != want {
			t.Fatalf("trace of %s: %+v, want %s", id, tr, want)
		}
	}
}

func TestRunSyncInputErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	ctx := context.Background()
	if _, err := f.e.RunSync(ctx, "nope", "u1", engine.KindAppointment, "t"); !errors.Is(err, engine.ErrNoSuchProfile) {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := f.e.RunSync(ctx, "p1", "nobody", engine.KindAppointment, "t"); !errors.Is(err, engine.ErrNoSuchUser) {
		t.Errorf("unknown user: %v", err)
	}
	var ie *engine.InputError
	if _, err := f.e.RunSync(ctx, "p1", "u1", engine.KindContact, "t"); !errors.As(err, &ie) || ie.Field != "kind" {
		t.Errorf("kind off: %v", err)
	}
	if _, err := f.e.RunSync(ctx, "p1", "u1", "note", "t"); !errors.As(err, &ie) || ie.Field != "kind" {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := engine.New(engine.Config{}); !errors.As(err, &ie) || ie.Field != "KV" {
		t.Errorf("New without KV: %v", err)
	}
}

func TestConcurrentRunsOfOneJobDoNotOverlap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	for i := range 20 {
		f.crm.Put(crmAcct, appt("c"+string(rune('a'+i)), f.now.Add(24*time.Hour)))
	}
	if _, err := f.e.LinkUser("p1", engine.LinkedUser{ID: "u2", CRM: engine.Account{ID: "assoc-2"}, Mailbox: engine.Account{ID: "bob@example.com"}}); err != nil {
		t.Fatal(err)
	}
	f.crm.Put("assoc-2", appt("bob's", f.now.Add(24*time.Hour)))
	done := make(chan error, 6)
	for i := range 6 {
		user := []string{"u1", "u2"}[i%2]
		go func() {
			_, err := f.e.RunSync(context.Background(), "p1", user, engine.KindAppointment, "concurrent")
			done <- err
		}()
	}
	for range 6 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment)); len(got) != 20 {
		t.Fatalf("alice's mailbox: %v", got)
	}
	for title, n := range titles(f.mbx.Items(mbxAcct, engine.KindAppointment)) {
		if n != 1 {
			t.Fatalf("%d copies of %s", n, title)
		}
	}
	if got := titles(f.mbx.Items("bob@example.com", engine.KindAppointment)); got["bob's"] != 1 || len(got) != 1 {
		t.Fatalf("bob's mailbox: %v", got)
	}
}

func TestCrashBetweenRemoteWriteAndJournal(t *testing.T) {
	t.Parallel()
	for _, basic := range []bool{false, true} {
		name := map[bool]string{false: "find-by-marker", true: "listing"}[basic]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, reference.Delta, reference.Delta, nil)
			if basic {
				p := f.profile
				p.Mailbox.Settings = []byte(`{"model":"delta","basic":true}`)
				if _, err := f.e.PutProfile(p); err != nil {
					t.Fatal(err)
				}
			}
			f.crm.Put(crmAcct, appt("only once", f.now.Add(24*time.Hour)))
			// Commit 1: the run record; commit 2: the create's intent; the create is sent; commit 3 (its
			// result) never becomes durable.
			f.kv.SimulateCrashAfter(2)
			if _, err := f.sync(); !errors.Is(err, engine.ErrCrashed) {
				t.Fatalf("want the simulated crash, got %v", err)
			}
			if n := len(f.mbx.Items(mbxAcct, engine.KindAppointment)); n != 1 {
				t.Fatalf("the create should have reached the mailbox: %d items", n)
			}
			f.kv.Restart()
			f.newEngine()
			if err := f.e.Recover(context.Background()); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				f.now = f.now.Add(time.Minute)
				f.mustSync()
			}
			if got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment)); got["only once"] != 1 || len(got) != 1 {
				t.Fatalf("mailbox after recovery: %v", got)
			}
			w := f.writes()
			f.mustSync()
			if f.writes() != w {
				t.Fatal("quiet sync wrote")
			}
		})
	}
}

func TestRecoverDropsIntentsOfRemovedProfiles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	f.crm.Put(crmAcct, appt("x", f.now.Add(24*time.Hour)))
	f.kv.SimulateCrashAfter(2)
	_, _ = f.sync()
	f.kv.Restart()
	f.newEngine()
	if err := f.e.DeleteProfile("p1"); err != nil {
		t.Fatal(err)
	}
	if err := f.e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := 0
	_ = f.kv.Scan([]byte("eng/intent/"), func(_, _ []byte) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d intents left", n)
	}
}
