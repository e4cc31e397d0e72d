package msgraph_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

func day(n int) time.Time { return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, n) }

func TestEventCRUDDeltaAndEtags(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{PageSize: 2})
	c := newConn(t, srv, engine.Env{Secrets: newSecrets()}, nil)
	s := openStore(t, c, engine.KindAppointment, alice)

	ny := "America/New_York"
	loc, _ := time.LoadLocation(ny)
	st := time.Date(day(5).Year(), day(5).Month(), day(5).Day(), 9, 30, 0, 0, loc)
	in := &engine.Appointment{Title: "Kickoff", Body: "agenda", Location: "Room 1", Start: st.UTC(), End: st.Add(time.Hour).UTC(), TimeZone: ny,
		Attendees: []engine.Attendee{{Email: "x@example.com", Name: "X", Role: engine.RoleOptional}}, Reminder: engine.DurationOf(15 * time.Minute),
		Links: []engine.CRMLink{{Type: engine.LinkCompany, ID: "42"}}, Categories: []string{"CRM"}, Private: true, ShowAs: engine.ShowTentative}
	r, err := s.Create(ctx, in, "m-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == "" || r.Version == "" || r.Marker != "m-1" {
		t.Fatalf("create returned %+v", r)
	}
	got := r.Item.(*engine.Appointment)
	if !got.Start.Equal(in.Start) || got.TimeZone != ny || got.Title != "Kickoff" || len(got.Links) != 1 || got.Links[0].ID != "42" ||
		got.Reminder == nil || *got.Reminder != 900 || !got.Private || got.ShowAs != engine.ShowTentative || got.Attendees[0].Role != engine.RoleOptional {
		t.Fatalf("round trip changed the event: %+v", got)
	}
	// The same transactionId again makes no duplicate.
	if r2, err := s.Create(ctx, in, "m-1"); err != nil || r2.ID != r.ID {
		t.Fatalf("repeated create: %v %+v", err, r2)
	}
	for i := range 4 {
		if _, err := s.Create(ctx, &engine.Appointment{Title: fmt.Sprint("e", i), Start: day(2).Add(time.Hour), End: day(2).Add(2 * time.Hour)}, fmt.Sprint("n", i)); err != nil {
			t.Fatal(err)
		}
	}
	all, cur, err := listAll(t, s, "")
	if err != nil || len(all) != 5 {
		t.Fatalf("full listing: %v, %d changes", err, len(all))
	}
	// Update with the current etag works; with the old one it is a precondition failure.
	in.Title = "Kickoff (moved)"
	up, err := s.Update(ctx, r.ID, r.Version, in)
	if err != nil || up.Version == r.Version {
		t.Fatalf("update: %v %+v", err, up)
	}
	if _, err := s.Update(ctx, r.ID, r.Version, in); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale update: want ErrPrecondition, got %v", err)
	}
	if err := s.Delete(ctx, r.ID, r.Version); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale delete: want ErrPrecondition, got %v", err)
	}
	if f, err := s.FindByMarker(ctx, "m-1"); err != nil || f.ID != r.ID {
		t.Fatalf("find by marker: %v %+v", err, f)
	}
	if _, err := s.FindByMarker(ctx, "never"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("find unknown marker: %v", err)
	}
	// Incremental: one update, then a delete shows as a tombstone.
	ch, cur2, err := listAll(t, s, cur)
	if err != nil || len(ch) != 1 || ch[0].ID != r.ID || ch[0].Version != up.Version || ch[0].Item != nil {
		t.Fatalf("incremental listing: %v %+v", err, ch)
	}
	if err := s.Delete(ctx, r.ID, up.Version); err != nil {
		t.Fatal(err)
	}
	// A removal in the calendar view may be a series' occurrence (which names no master): the store asks for a
	// full listing, in which the deleted event is absent.
	if _, _, err = listAll(t, s, cur2); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("removal in the calendar view: want ErrCursorExpired, got %v", err)
	}
	if all, _, err := listAll(t, s, ""); err != nil || len(all) != 4 {
		t.Fatalf("relisting after a removal: %v %d", err, len(all))
	}
	if _, err := s.Get(ctx, r.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	// Expired delta tokens are ErrCursorExpired; a full listing works again.
	srv.ExpireDeltaTokens()
	if _, err := s.Changes(ctx, cur2); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("expired token: want ErrCursorExpired, got %v", err)
	}
	if all, _, err := listAll(t, s, ""); err != nil || len(all) != 4 {
		t.Fatalf("relisting: %v %d", err, len(all))
	}
}

func TestEventTimes(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, engine.Env{}, nil)
	s := openStore(t, c, engine.KindAppointment, alice)
	oslo, _ := time.LoadLocation("Europe/Oslo")
	y := time.Now().Year() + 1
	cases := []struct {
		name string
		in   *engine.Appointment
	}{
		{"all-day", &engine.Appointment{Title: "holiday", AllDay: true, Start: day(3), End: day(5)}},
		// 02:30 on the EU spring-forward day does not exist; 09:00 the day after does.
		{"dst", &engine.Appointment{Title: "after DST", TimeZone: "Europe/Oslo", Start: time.Date(y, 3, 30, 9, 0, 0, 0, oslo).UTC(),
			End: time.Date(y, 3, 30, 10, 0, 0, 0, oslo).UTC()}},
		{"series across DST", &engine.Appointment{Title: "weekly", TimeZone: "Europe/Oslo", Start: time.Date(y, 3, 20, 9, 0, 0, 0, oslo).UTC(),
			End: time.Date(y, 3, 20, 10, 0, 0, 0, oslo).UTC(), Recurrence: &engine.Rule{Freq: engine.Weekly, Count: 4, ByDay: []engine.Weekday{{Day: time.Friday}}}}},
		{"monthly last friday", &engine.Appointment{Title: "monthly", TimeZone: "America/New_York", Start: time.Date(y, 1, 30, 14, 0, 0, 0, time.UTC),
			End: time.Date(y, 1, 30, 15, 0, 0, 0, time.UTC), Recurrence: &engine.Rule{Freq: engine.Monthly, ByDay: []engine.Weekday{{N: -1, Day: time.Friday}},
				Until: time.Date(y, 12, 31, 14, 0, 0, 0, time.UTC)}}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := s.Create(ctx, tc.in, fmt.Sprint("t", i))
			if err != nil {
				t.Fatal(err)
			}
			g, err := s.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			a := g.Item.(*engine.Appointment)
			if !a.Start.Equal(tc.in.Start) || !a.End.Equal(tc.in.End) || a.AllDay != tc.in.AllDay || (!a.AllDay && a.TimeZone != tc.in.TimeZone) {
				t.Fatalf("times changed: got %v–%v %q allDay=%v, want %v–%v %q", a.Start, a.End, a.TimeZone, a.AllDay, tc.in.Start, tc.in.End, tc.in.TimeZone)
			}
			if tc.in.Recurrence != nil {
				want := engine.Occurrences(tc.in, time.Time{}, time.Time{})
				have := engine.Occurrences(a, time.Time{}, time.Time{})
				if len(want) != len(have) || len(want) == 0 {
					t.Fatalf("occurrences: %d, want %d (rule %+v)", len(have), len(want), a.Recurrence)
				}
				for i := range want {
					if !want[i].Start.Equal(have[i].Start) {
						t.Fatalf("occurrence %d at %v, want %v", i, have[i].Start, want[i].Start)
					}
				}
			}
		})
	}
	// What Graph cannot express is an ItemError naming the field.
	_, err := s.Create(ctx, &engine.Appointment{Title: "rdate", Start: day(1), End: day(1).Add(time.Hour),
		Recurrence: &engine.Rule{Freq: engine.Daily, Dates: []time.Time{day(9)}}}, "bad")
	var ie *engine.ItemError
	if !errors.As(err, &ie) || ie.Field != "recurrence" {
		t.Fatalf("want an ItemError on recurrence, got %v", err)
	}
	_, err = s.Create(ctx, &engine.Appointment{Title: "bad tz", TimeZone: "Mars/Olympus", Start: day(1), End: day(1).Add(time.Hour)}, "bad2")
	if !errors.As(err, &ie) || ie.Field != "tz" {
		t.Fatalf("want an ItemError on tz, got %v", err)
	}
}

func TestContactsAndTasks(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	for _, mode := range []string{msgraph.ContactsFolder, msgraph.ContactsCategory} {
		t.Run(mode, func(t *testing.T) {
			c := newConn(t, srv, engine.Env{}, func(s *msgraph.Settings) { s.Contacts = mode })
			s := openStore(t, c, engine.KindContact, alice)
			in := &engine.Contact{GivenName: "Ada", FamilyName: "Lovelace", Company: "Analytical", Emails: []engine.Labeled{{Value: "ada@example.com"}},
				Phones: []engine.Labeled{{Label: "mobile", Value: "+47 1"}, {Label: "work", Value: "+47 2"}}, Birthday: time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC),
				Addresses: []engine.Address{{Label: "work", City: "London", Country: "UK"}}, Links: []engine.CRMLink{{Type: engine.LinkPerson, ID: "7"}}}
			r, err := s.Create(ctx, in, "c-"+mode)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Item.(*engine.Contact)
			if got.GivenName != "Ada" || len(got.Phones) != 2 || !got.Birthday.Equal(in.Birthday) || len(got.Links) != 1 || len(got.Categories) != 0 ||
				r.Marker != "c-"+mode {
				t.Fatalf("contact round trip: %+v marker %q", got, r.Marker)
			}
			all, cur, err := listAll(t, s, "")
			if err != nil || len(all) != 1 {
				t.Fatalf("listing: %v %+v", err, all)
			}
			// Contact deletions are tombstones in the delta listing.
			tmp, err := s.Create(ctx, &engine.Contact{GivenName: "Temp"}, "tmp-"+mode)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, tmp.ID, tmp.Version); err != nil {
				t.Fatal(err)
			}
			ch, cur2, err := listAll(t, s, cur)
			if err != nil || len(ch) != 1 || !ch[0].Deleted || ch[0].ID != tmp.ID {
				t.Fatalf("tombstone: %v %+v", err, ch)
			}
			cur = cur2
			if mode == msgraph.ContactsCategory {
				// A contact outside the category is not in the selection; one losing the category leaves it.
				srv.Insert(alice, "contacts", map[string]any{"givenName": "Other"})
				if err := srv.Edit(alice, "contacts", r.ID, func(m map[string]any) { m["categories"] = []any{} }); err != nil {
					t.Fatal(err)
				}
				ch, _, err := listAll(t, s, cur)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range ch {
					if !x.OutOfWindow {
						t.Fatalf("change outside the category reported as in scope: %+v", x)
					}
				}
				if _, err := s.Get(ctx, r.ID); !errors.Is(err, engine.ErrNotFound) {
					t.Fatalf("a contact outside the category: %v", err)
				}
			}
		})
	}
	c := newConn(t, srv, engine.Env{}, nil)
	s := openStore(t, c, engine.KindTask, alice)
	in := &engine.Task{Title: "Call back", Due: day(3), DueAllDay: true, Priority: engine.PriorityHigh, Reminder: engine.DurationOf(time.Hour)}
	r, err := s.Create(ctx, in, "task-1")
	if err != nil {
		t.Fatal(err)
	}
	got := r.Item.(*engine.Task)
	if got.Title != "Call back" || !got.Due.Equal(in.Due) || got.Priority != engine.PriorityHigh || r.Marker != "task-1" {
		t.Fatalf("task round trip: %+v %q", got, r.Marker)
	}
	if f, err := s.FindByMarker(ctx, "task-1"); err != nil || f.ID != r.ID {
		t.Fatalf("task by marker: %v", err)
	}
	in.Completed = time.Now().UTC().Truncate(time.Second)
	up, err := s.Update(ctx, r.ID, r.Version, in)
	if err != nil || !up.Item.(*engine.Task).Completed.Equal(in.Completed) {
		t.Fatalf("complete: %v %+v", err, up.Item)
	}
	if len(srv.Objects(alice, "todo/lists")) != 1 {
		t.Fatal("the CRM task list was not created exactly once")
	}
	if st, err := c.Open(ctx, engine.Scope{Account: engine.Account{ID: alice}, Kind: engine.KindGroup}); err != nil {
		t.Fatalf("groups: %v", err)
	} else if _, ok := st.(*msgraph.FolderGroupStore); !ok {
		t.Fatalf("groups: a %T, want a *msgraph.FolderGroupStore by default", st)
	}
}

func TestBatch(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, engine.Env{}, nil)
	s := openStore(t, c, engine.KindAppointment, alice)
	var ops []engine.Op
	for i := range 20 {
		ops = append(ops, engine.Op{Action: engine.ActionCreate, Marker: fmt.Sprint("b", i),
			Item: &engine.Appointment{Title: fmt.Sprint("batch ", i), Start: day(1), End: day(1).Add(time.Hour)}})
	}
	ops[3].Item = &engine.Appointment{Title: "bad", TimeZone: "Nowhere/Zone", Start: day(1), End: day(1).Add(time.Hour)}
	before := srv.Requests()
	res, err := s.Batch(ctx, ops)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Requests()-before != 19 {
		t.Fatalf("the batch was charged %d requests, want 19", srv.Requests()-before)
	}
	var ie *engine.ItemError
	if !errors.As(res[3].Err, &ie) {
		t.Fatalf("op 3: want an ItemError, got %v", res[3].Err)
	}
	var upd []engine.Op
	for i, r := range res {
		if i == 3 {
			continue
		}
		if r.Err != nil || r.Remote.ID == "" || r.Remote.Marker != ops[i].Marker {
			t.Fatalf("op %d: %v %+v", i, r.Err, r.Remote)
		}
		if i < 5 {
			a := *ops[i].Item.(*engine.Appointment)
			a.Title += " (upd)"
			upd = append(upd, engine.Op{Action: engine.ActionUpdate, ID: r.Remote.ID, Version: r.Remote.Version, Item: &a})
		}
	}
	upd = append(upd, engine.Op{Action: engine.ActionDelete, ID: res[6].Remote.ID, Version: "W/\"stale\""})
	res2, err := s.Batch(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res2[:len(res2)-1] {
		if r.Err != nil || !strings.HasSuffix(r.Remote.Item.(*engine.Appointment).Title, "(upd)") {
			t.Fatalf("update %d: %v", i, r.Err)
		}
	}
	if !errors.Is(res2[len(res2)-1].Err, engine.ErrPrecondition) {
		t.Fatalf("stale delete in a batch: %v", res2[len(res2)-1].Err)
	}
}
