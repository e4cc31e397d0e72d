package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// summaryFixture writes the records of one user's sync history directly: runs of several kinds, links, a
// quarantined item with its trace and base, and records of another user that must not leak into the summary.
func summaryFixture(t *testing.T) (*Engine, time.Time) {
	t.Helper()
	kv := NewMemKV()
	e, err := New(Config{KV: kv, Connectors: map[string]Factory{}})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	seq := 0
	run := func(user string, k Kind, trigger string, st RunStatus, at time.Time, c Counts, msg string) {
		seq++
		r := &Run{ID: fmt.Sprintf("r%s-%03d", at.Format("20060102T150405"), seq), Profile: "p", User: user, Kind: k,
			Trigger: trigger, Start: at.Add(-time.Second), Status: st, Counts: c, Error: msg}
		if st != RunRunning {
			r.End = at
		}
		if err := e.putRun(r); err != nil {
			t.Fatal(err)
		}
	}
	sets := map[string][]byte{}
	for i := range 3 {
		sets[kLink(kJob("p", "u1", KindAppointment), fmt.Sprintf("l%d", i))] = []byte{1}
	}
	sets[kLink(kJob("p", "u1", KindTask), "t1")] = []byte{1}
	sets[kLink(kJob("p", "u2", KindAppointment), "x")] = []byte{1}
	// The quarantined appointment was linked: its trace names link l1, whose base carries the title.
	sets[kBase(kJob("p", "u1", KindAppointment), "l1")] = mustJSON(Base{C: []byte(`{"title":"Board meeting"}`)})
	sets[kTrace("1234")] = []byte(`{"run":"r9","profile":"p","user":"u1","kind":"appointment","side":"crm","link":"l1","decision":"quarantined"}` + "\n")
	q := Quarantined{Profile: "p", User: "u1", Kind: KindAppointment, Side: SideCRM, ID: "1234", Field: "end",
		Reason: "end before start", At: t0.Add(3 * time.Hour)}
	sets[kQuarantine(kJob("p", "u1", KindAppointment), SideCRM, "1234")] = mustJSON(q)
	older := Quarantined{Profile: "p", User: "u1", Kind: KindTask, Side: SideMailbox, ID: "AAMk/1", Reason: "title too long", At: t0}
	sets[kQuarantine(kJob("p", "u1", KindTask), SideMailbox, older.ID)] = mustJSON(older)
	other := Quarantined{Profile: "p", User: "u2", Kind: KindTask, Side: SideCRM, ID: "9", Reason: "x", At: t0.Add(9 * time.Hour)}
	sets[kQuarantine(kJob("p", "u2", KindTask), SideCRM, "9")] = mustJSON(other)
	if err := e.kv.Commit(sets, nil); err != nil {
		t.Fatal(err)
	}
	run("u1", KindAppointment, "poll", RunOK, t0.Add(1*time.Hour), Counts{Listed: 5, Created: 2}, "")
	run("u1", KindAppointment, "poll", RunPartial, t0.Add(2*time.Hour), Counts{Listed: 4, Updated: 1, Quarantined: 1}, "1 operations could not be applied (see the trace)")
	run("u1", KindAppointment, "undo:rX", RunOK, t0.Add(2*time.Hour+time.Minute), Counts{Deleted: 9}, "")
	run("u1", KindTask, "poll", RunOK, t0.Add(90*time.Minute), Counts{Listed: 1, Created: 1}, "")
	run("u1", KindContact, "poll", RunRunning, t0.Add(4*time.Hour), Counts{}, "")
	run("u2", KindAppointment, "poll", RunOK, t0.Add(5*time.Hour), Counts{Listed: 99}, "")
	return e, t0
}

func TestUserSummary(t *testing.T) {
	t.Parallel()
	e, t0 := summaryFixture(t)
	for _, indexed := range []bool{false, true} {
		if indexed {
			if _, err := e.migrateRunIndex(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		s, err := e.UserSummary("p", "u1")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Kinds) != 2 || s.Kinds[0].Kind != KindAppointment || s.Kinds[1].Kind != KindTask {
			t.Fatalf("indexed=%v: kinds %+v, want appointment and task (a running contact run is not finished)", indexed, s.Kinds)
		}
		a, tk := s.Kinds[0], s.Kinds[1]
		if a.Items != 3 || tk.Items != 1 {
			t.Errorf("items %d/%d, want 3/1", a.Items, tk.Items)
		}
		if a.LastRun == nil || a.LastRun.Status != RunPartial || a.LastRun.Counts.Updated != 1 {
			t.Errorf("appointment last run %+v, want the partial poll run (not the undo)", a.LastRun)
		}
		if tk.LastRun == nil || tk.LastRun.Counts.Created != 1 {
			t.Errorf("task last run %+v", tk.LastRun)
		}
		if want := t0.Add(90 * time.Minute); !s.LastSuccess.Equal(want) {
			t.Errorf("last success %v, want %v (the task run; the undo run does not count)", s.LastSuccess, want)
		}
		if s.Quarantined != 2 {
			t.Errorf("quarantined %d, want 2 (not the other user's)", s.Quarantined)
		}
		if s.LastError == nil || !s.LastError.Item {
			t.Fatalf("last error %+v, want the quarantined appointment", s.LastError)
		}
		if got, want := s.LastError.Message(), "Appointment 'Board meeting' (CRM 1234): end: end before start"; got != want {
			t.Errorf("message %q, want %q", got, want)
		}
	}
}

func TestUserSummaryRunErrorNewerThanQuarantine(t *testing.T) {
	t.Parallel()
	e, t0 := summaryFixture(t)
	r := &Run{ID: "rz", Profile: "p", User: "u1", Kind: KindTask, Trigger: "poll", Start: t0.Add(6 * time.Hour),
		End: t0.Add(6 * time.Hour), Status: RunFailed, Error: "mailbox answered 503"}
	if err := e.putRun(r); err != nil {
		t.Fatal(err)
	}
	s, err := e.UserSummary("p", "u1")
	if err != nil {
		t.Fatal(err)
	}
	if s.LastError == nil || s.LastError.Item || s.LastError.Run != "rz" {
		t.Fatalf("last error %+v, want the failed task run", s.LastError)
	}
	if got := s.LastError.Message(); got != "Task sync failed: mailbox answered 503" {
		t.Errorf("message %q", got)
	}
}

func TestUserSummaryEdges(t *testing.T) {
	t.Parallel()
	e, _ := summaryFixture(t)
	s, err := e.UserSummary("p", "nobody")
	if err != nil || len(s.Kinds) != 0 || s.Quarantined != 0 || s.LastError != nil || !s.LastSuccess.IsZero() {
		t.Fatalf("unknown user: %+v, %v; want an empty summary", s, err)
	}
	for _, c := range []struct{ p, u, field string }{{"", "u1", "profileId"}, {"p", "a/b", "userId"}} {
		_, err := e.UserSummary(c.p, c.u)
		var ie *InputError
		if err == nil || !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("UserSummary(%q, %q) = %v, want an input error naming %s", c.p, c.u, err, c.field)
		}
	}
	// A quarantined item that was never linked has no title; a mailbox id is named as such.
	q := (&SummaryError{Kind: KindContact, Item: true, Side: SideMailbox, ID: "AAMk", Field: "emails[0]", Reason: "emails[0]: not an address"}).Message()
	if q != "Contact (mailbox AAMk): emails[0]: not an address" {
		t.Errorf("message %q", q)
	}
}
