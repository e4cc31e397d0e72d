package superoffice_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/superoffice"
)

func day(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func inZone(t testing.TB, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// same compares two items after normalization.
func same(a, b engine.Item) bool {
	return engine.Hash(engine.Normalize(a)) == engine.Hash(engine.Normalize(b))
}

func TestAppointmentRoundTrip(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	co := tn.fake.AddCompany("Contoso")
	c := tn.connector(t, map[string]any{"typeCategories": map[string]string{"Meeting": "Customer meeting"}})
	s := tn.open(t, c, engine.KindAppointment, "101")
	cases := []struct {
		name string
		a    *engine.Appointment
	}{
		{"every field", &engine.Appointment{Title: "Review", Body: "Agenda:\n1. numbers", Location: "Room 4",
			Start: inZone(t, "Europe/Oslo", "2026-03-10 09:30"), End: inZone(t, "Europe/Oslo", "2026-03-10 11:00"), TimeZone: "Europe/Oslo",
			Organizer: &engine.Attendee{Email: "alice@example.com", Name: "Alice"},
			Attendees: []engine.Attendee{{Email: "carol@contoso.com", Name: "Carol", Response: engine.ResponseAccepted},
				{Email: "dan@contoso.com", Role: engine.RoleOptional, Response: engine.ResponseTentative},
				{Email: "room@example.com", Role: engine.RoleResource, Response: engine.ResponseDeclined}},
			ShowAs: engine.ShowFree, Private: true, Categories: []string{"Customer meeting"}, Reminder: engine.DurationOf(15 * time.Minute),
			OnlineMeetingURL: "https://meet.example.com/x", Type: "Meeting",
			Links: []engine.CRMLink{{Type: engine.LinkCompany, ID: itoa(co), Name: "Contoso"}}}},
		{"all-day over two days", &engine.Appointment{Title: "Offsite", Start: day(t, "2026-03-28"), End: day(t, "2026-03-30"), AllDay: true, Type: "Meeting", Categories: []string{"Customer meeting"}}},
		{"across the spring DST change", &engine.Appointment{Title: "Late", Start: inZone(t, "Europe/Oslo", "2026-03-29 01:30"),
			End: inZone(t, "Europe/Oslo", "2026-03-29 04:00"), TimeZone: "Europe/Oslo", Type: "Meeting", Categories: []string{"Customer meeting"}}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := s.Create(ctx, tc.a, "m-"+itoa(int32(i)))
			if err != nil {
				t.Fatal(err)
			}
			if !same(r.Item, tc.a) {
				t.Fatalf("created\n%+v\nwant\n%+v", engine.Normalize(r.Item), engine.Normalize(tc.a))
			}
			g, err := s.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !same(g.Item, tc.a) || g.Version != r.Version || !g.Echo {
				t.Fatalf("read back %+v (echo %v)", g.Item, g.Echo)
			}
			// Update with the version; then a stale version is refused with ErrPrecondition.
			b := *tc.a
			b.Title += " (moved)"
			b.Start, b.End = b.Start.Add(time.Hour), b.End.Add(time.Hour)
			if b.AllDay {
				b.Start, b.End = b.Start.Add(23*time.Hour), b.End.Add(23*time.Hour)
			}
			u, err := s.Update(ctx, r.ID, r.Version, &b)
			if err != nil {
				t.Fatal(err)
			}
			if !same(u.Item, &b) || u.Version == r.Version {
				t.Fatalf("updated %+v", u.Item)
			}
			if _, err := s.Update(ctx, r.ID, r.Version, tc.a); !errors.Is(err, engine.ErrPrecondition) {
				t.Fatalf("stale update: %v", err)
			}
			f, err := s.(engine.MarkerFinder).FindByMarker(ctx, "m-"+itoa(int32(i)))
			if err != nil || f.ID != r.ID {
				t.Fatalf("FindByMarker: %v %v", f.ID, err)
			}
			if err := s.Delete(ctx, r.ID, r.Version); !errors.Is(err, engine.ErrPrecondition) {
				t.Fatalf("stale delete: %v", err)
			}
			if err := s.Delete(ctx, r.ID, u.Version); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, r.ID); !errors.Is(err, engine.ErrNotFound) {
				t.Fatalf("after delete: %v", err)
			}
		})
	}
	if _, err := s.(engine.MarkerFinder).FindByMarker(ctx, "never"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown marker: %v", err)
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func TestSeriesRoundTrip(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	c := tn.connector(t, nil)
	s := tn.open(t, c, engine.KindAppointment, "101")
	// New York 09:00 weekly across the US change (8 March 2026) and the EU change (29 March): Oslo expands the
	// pattern at a different UTC time for three weeks; the connector must keep 09:00 New York.
	st := inZone(t, "America/New_York", "2026-03-02 09:00")
	series := &engine.Appointment{Title: "Standup", Start: st, End: st.Add(30 * time.Minute), TimeZone: "America/New_York",
		Type: "Meeting",
		Recurrence: &engine.Rule{Freq: engine.Weekly, ByDay: []engine.Weekday{{Day: time.Monday}, {Day: time.Wednesday}}, Count: 12,
			Excluded: []time.Time{inZone(t, "America/New_York", "2026-03-04 09:00")},
			Overrides: []engine.Override{{OriginalStart: inZone(t, "America/New_York", "2026-03-09 09:00"),
				Item: &engine.Appointment{Title: "Standup (long)", Start: inZone(t, "America/New_York", "2026-03-09 10:00"),
					End: inZone(t, "America/New_York", "2026-03-09 11:00"), TimeZone: "America/New_York", Type: "Meeting"}}}}}
	r, err := s.Create(ctx, series, "series-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.ID, "s") {
		t.Fatalf("series id %q", r.ID)
	}
	want := engine.Occurrences(series, time.Time{}, time.Time{})
	got := engine.Occurrences(r.Item.(*engine.Appointment), time.Time{}, time.Time{})
	if len(got) != len(want) {
		t.Fatalf("%d occurrences, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Fatalf("occurrence %d at %s–%s, want %s–%s", i, got[i].Start, got[i].End, want[i].Start, want[i].End)
		}
	}
	rows := 0
	for _, e := range tn.fake.Appointments() {
		if e.Recurrence != nil {
			rows++
		}
	}
	if rows != 11 {
		t.Fatalf("%d rows in SuperOffice, want 11 (12 less one exclusion)", rows)
	}
	// Change the pattern: every weekday for 5 occurrences.
	b := *series
	b.Recurrence = &engine.Rule{Freq: engine.Daily, Count: 5, ByDay: []engine.Weekday{{Day: time.Monday}, {Day: time.Tuesday}, {Day: time.Wednesday}, {Day: time.Thursday}, {Day: time.Friday}}}
	u, err := s.Update(ctx, r.ID, r.Version, &b)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != r.ID || len(engine.Occurrences(u.Item.(*engine.Appointment), time.Time{}, time.Time{})) != 5 {
		t.Fatalf("after the pattern change: %s %+v", u.ID, u.Item)
	}
	// A pattern SuperOffice cannot express is an ItemError on "recurrence".
	bad := *series
	bad.Recurrence = &engine.Rule{Freq: engine.Monthly, ByMonthDay: []int{1, 15}}
	_, err = s.Create(ctx, &bad, "bad")
	var ie *engine.ItemError
	if !errors.As(err, &ie) || ie.Field != "recurrence" {
		t.Fatalf("inexpressible rule: %v", err)
	}
}

func TestTasksAndPersons(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	co := tn.fake.AddCompany("Fabrikam")
	c := tn.connector(t, nil)
	ts := tn.open(t, c, engine.KindTask, "101")
	task := &engine.Task{Title: "Call back", Body: "about the offer", Due: inZone(t, "Europe/Oslo", "2026-05-04 14:00"), TimeZone: "Europe/Oslo",
		Completed: time.Date(2026, 5, 4, 15, 2, 3, 0, time.UTC), Private: true, Reminder: engine.DurationOf(time.Hour), Type: "Follow-up",
		Links: []engine.CRMLink{{Type: engine.LinkCompany, ID: itoa(co), Name: "Fabrikam"}}}
	r, err := ts.Create(ctx, task, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if !same(r.Item, task) {
		t.Fatalf("task %+v", r.Item)
	}
	// Tasks and appointments live in different stores.
	as := tn.open(t, c, engine.KindAppointment, "101")
	if _, err := as.Get(ctx, r.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("a task read as an appointment: %v", err)
	}
	ps := tn.open(t, c, engine.KindContact, "101")
	p := &engine.Contact{Prefix: "Dr.", GivenName: "Erin", MiddleName: "J", FamilyName: "Olsen", JobTitle: "CFO", Company: "Fabrikam",
		Emails: []engine.Labeled{{Label: "work", Value: "erin@fabrikam.com"}}, Phones: []engine.Labeled{{Label: "work", Value: "+47 1"}, {Label: "mobile", Value: "+47 2"}},
		Addresses: []engine.Address{{Label: "home", Street: "Storgata 1", City: "Oslo", PostalCode: "0155"}},
		URLs:      []engine.Labeled{{Value: "https://fabrikam.com"}}, Birthday: day(t, "1980-02-29"), Notes: "met at the fair",
		Links: []engine.CRMLink{{Type: engine.LinkCompany, ID: itoa(co), Name: "Fabrikam"}}}
	pr, err := ps.Create(ctx, p, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if !same(pr.Item, p) {
		t.Fatalf("person\n%+v\nwant\n%+v", engine.Normalize(pr.Item), engine.Normalize(p))
	}
	page, err := ps.Changes(ctx, "")
	if err != nil || len(page.Changes) != 1 || !page.Complete {
		t.Fatalf("persons listing: %+v %v", page, err)
	}
	p2 := *p
	p2.JobTitle = "CEO"
	up, err := ps.Update(ctx, pr.ID, pr.Version, &p2)
	if err != nil || up.Item.(*engine.Contact).JobTitle != "CEO" {
		t.Fatalf("person update: %+v %v", up.Item, err)
	}
	if _, err := ps.Update(ctx, pr.ID, pr.Version, p); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale person update: %v", err)
	}
	if f, err := ps.(engine.MarkerFinder).FindByMarker(ctx, "p1"); err != nil || f.ID != pr.ID {
		t.Fatalf("person by marker: %v %v", f.ID, err)
	}
	if ids, err := ps.(engine.IDLister).ListIDs(ctx); err != nil || len(ids) != 1 || ids[0] != pr.ID {
		t.Fatalf("person ids: %v %v", ids, err)
	}
	// Selections become groups whose members are person ids.
	sel := tn.fake.AddSelection("Newsletter", false, mustInt(t, pr.ID))
	gs := tn.open(t, c, engine.KindGroup, "101")
	gp, err := gs.Changes(ctx, "")
	if err != nil || len(gp.Changes) != 1 || gp.Changes[0].ID != itoa(sel) {
		t.Fatalf("groups: %+v %v", gp, err)
	}
	if g := gp.Changes[0].Item.(*engine.Group); g.Name != "Newsletter" || len(g.Members) != 1 || g.Members[0] != pr.ID {
		t.Fatalf("group %+v", g)
	}
	v1 := gp.Changes[0].Version
	if _, err := gs.Create(ctx, &engine.Group{Name: "x"}, "g"); !errors.Is(err, engine.ErrUnsupported) {
		t.Fatalf("selection create: %v", err)
	}
	tn.fake.SetSelectionMembers(sel) // a dynamic criteria change empties it
	g2, _ := gs.Get(ctx, itoa(sel))
	if g2.Version == v1 {
		t.Fatal("a membership change kept the version")
	}
}

func mustInt(t testing.TB, s string) int32 {
	t.Helper()
	var n int32
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			t.Fatalf("%q is not a number", s)
		}
		n = n*10 + (ch - '0')
	}
	return n
}

func TestThrottlingAndAuth(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	c := tn.connector(t, nil)
	s := tn.open(t, c, engine.KindAppointment, "101")
	tn.fake.SetFault(func(r *http.Request) (int, int) { return http.StatusTooManyRequests, 7 })
	_, err := s.Changes(ctx, "")
	var ra *engine.RetryAfterError
	if !errors.As(err, &ra) || ra.Wait != 7*time.Second {
		t.Fatalf("429: %v", err)
	}
	tn.fake.SetFault(nil)
	// An expired ticket (401) is renewed by signing the system token again.
	tn.fake.ExpireTickets()
	if _, err := s.Changes(ctx, ""); err != nil {
		t.Fatalf("after ticket expiry: %v", err)
	}
	// A wrong client secret is ErrAuth.
	bad := newTenant(t)
	bad.secrets.m[superoffice.SecretClientSecret] = []byte("wrong")
	bc := bad.connector(t, nil)
	if _, err := bc.Open(ctx, engine.Scope{Account: engine.Account{ID: "101"}, Kind: engine.KindAppointment}); !errors.Is(err, engine.ErrAuth) {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestSettingsErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ json, field string }{
		{`{"baseUrl":"nope"}`, "baseUrl"},
		{`{"baseUrl":"https://x/api/","loginUrl":"https://x/login"}`, "contextIdentifier"},
		{`{"mode":"onsite","baseUrl":"https://x/api/","timeZone":"Mars/Base"}`, "timeZone"},
		{`{"mode":"onsite","baseUrl":"https://x/api/","titleTemplate":"{type}"}`, "titleTemplate"},
		{`{"mode":"onsite","baseUrl":"https://x/api/","pageSize":5000}`, "pageSize"},
		{`{"mode":"cloud","baseUrl":"https://x/api/"}`, "mode"},
	} {
		_, err := superoffice.ParseSettings([]byte(tc.json))
		var ie *engine.InputError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: %v, want an error on %s", tc.json, err, tc.field)
		}
	}
	if _, err := superoffice.ParseSettings([]byte(`{"mode":"onsite","baseUrl":"https://x/api/","bogus":1}`)); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown field: %v", err)
	}
}

func TestTemplate(t *testing.T) {
	tp, err := superoffice.ParseTemplate("{type}: {title} — {company}")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v    map[string]string
		want string
	}{
		{map[string]string{"title": "Review", "type": "Meeting", "company": "Contoso"}, "Meeting: Review — Contoso"},
		{map[string]string{"title": "Review", "type": "Meeting"}, "Meeting: Review"},
		{map[string]string{"title": "Review", "company": "Contoso"}, "Review — Contoso"},
	} {
		got := tp.Format(tc.v)
		if got != tc.want {
			t.Errorf("Format(%v) = %q, want %q", tc.v, got, tc.want)
		}
		if back := tp.Title(got, tc.v); back != tc.v["title"] {
			t.Errorf("Title(%q) = %q", got, back)
		}
	}
	if got := tp.Title("Something else", map[string]string{"type": "Meeting"}); got != "Something else" {
		t.Errorf("free subject: %q", got)
	}
}

func TestLeadTime(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT15M": 15 * time.Minute, "P1DT2H": 26 * time.Hour, "00:15:00": 15 * time.Minute, "1.02:00:00": 26 * time.Hour} {
		got, err := superoffice.ParseLeadTime(in)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := superoffice.ParseLeadTime("soon"); err == nil {
		t.Error("bad lead time accepted")
	}
	if s := superoffice.FormatLeadTime(90 * time.Minute); s != "PT1H30M" {
		t.Errorf("FormatLeadTime: %s", s)
	}
}

// TestUnreadableItemIsReported: a row the connector cannot map is listed without content and Get names the field,
// so the engine quarantines it instead of failing the whole listing or skipping it silently.
func TestUnreadableItemIsReported(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	st := time.Now().Add(24 * time.Hour).UTC()
	ids, err := tn.fake.Seed(alice, superoffice.AppointmentEntity{Title: "odd alarm", HasAlarm: true, AlarmLeadTime: "soon",
		StartDate: superoffice.FormatTime(st, time.UTC), EndDate: superoffice.FormatTime(st.Add(time.Hour), time.UTC)},
		superoffice.AppointmentEntity{Title: "fine", StartDate: superoffice.FormatTime(st, time.UTC), EndDate: superoffice.FormatTime(st.Add(time.Hour), time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	s := tn.open(t, tn.connector(t, nil), engine.KindAppointment, "101")
	page, err := s.Changes(ctx, "")
	if err != nil || len(page.Changes) != 2 {
		t.Fatalf("listing: %+v %v", page, err)
	}
	bad := itoa(ids[0])
	for _, c := range page.Changes {
		if (c.ID == bad) != (c.Item == nil) {
			t.Fatalf("change %s has item %v", c.ID, c.Item)
		}
	}
	_, err = s.Get(ctx, bad)
	var ie *engine.ItemError
	if !errors.As(err, &ie) || ie.Field != "reminder" || ie.ID != bad {
		t.Fatalf("Get: %v", err)
	}
}

// TestLanguage: list items (types) are read in the profile's language, so type ⇄ category mapping uses the names
// users see.
func TestLanguage(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	c := tn.connector(t, map[string]any{"language": "no", "typeCategories": map[string]string{"Møte": "Kundemøte"}})
	s := tn.open(t, c, engine.KindAppointment, "101")
	st := inZone(t, "Europe/Oslo", "2026-06-01 10:00")
	r, err := s.Create(ctx, &engine.Appointment{Title: "x", Start: st, End: st.Add(time.Hour), TimeZone: "Europe/Oslo", Categories: []string{"Kundemøte"}}, "l1")
	if err != nil {
		t.Fatal(err)
	}
	if a := r.Item.(*engine.Appointment); a.Type != "Møte" || len(a.Categories) != 1 || a.Categories[0] != "Kundemøte" {
		t.Fatalf("created %+v", a)
	}
	if _, err := superoffice.ParseSettings([]byte(`{"mode":"onsite","baseUrl":"https://x/api/","language":"Norsk"}`)); err == nil {
		t.Fatal("a bad language was accepted")
	}
}

// TestServerPrecondition: a user's edit between our read and our write makes SuperOffice answer 412 to the
// If-Unmodified-Since write, which the store reports as engine.ErrPrecondition (and writes nothing).
func TestServerPrecondition(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	s := tn.open(t, tn.connector(t, nil), engine.KindAppointment, "101")
	st := inZone(t, "Europe/Oslo", "2026-06-02 10:00")
	a := &engine.Appointment{Title: "a", Start: st, End: st.Add(time.Hour), TimeZone: "Europe/Oslo"}
	r, err := s.Create(ctx, a, "pc")
	if err != nil {
		t.Fatal(err)
	}
	hook := func(f func(*http.Request)) {
		tn.rec.mu.Lock()
		tn.rec.beforeWrite = f
		tn.rec.mu.Unlock()
	}
	userEdits := func(title string) func(*http.Request) {
		return func(*http.Request) {
			_ = tn.fake.Edit(mustInt(t, r.ID), alice, func(e *superoffice.AppointmentEntity, _, _ *time.Time) { e.Title = title })
		}
	}
	lastStatus := func() int {
		ex := tn.rec.exchanges()
		return ex[len(ex)-1].Status
	}
	hook(userEdits("user's"))
	b := *a
	b.Title = "ours"
	if _, err := s.Update(ctx, r.ID, r.Version, &b); !errors.Is(err, engine.ErrPrecondition) || lastStatus() != http.StatusPreconditionFailed {
		t.Fatalf("update racing a user's edit: %v (last status %d)", err, lastStatus())
	}
	hook(nil)
	g, err := s.Get(ctx, r.ID)
	if err != nil || g.Item.(*engine.Appointment).Title != "user's" {
		t.Fatalf("after the refused update: %+v %v", g.Item, err)
	}
	hook(userEdits("user's again"))
	if err := s.Delete(ctx, r.ID, g.Version); !errors.Is(err, engine.ErrPrecondition) || lastStatus() != http.StatusPreconditionFailed {
		t.Fatalf("delete racing a user's edit: %v (last status %d)", err, lastStatus())
	}
	// An empty version deletes unconditionally (undoing our own create during recovery).
	if err := s.Delete(ctx, r.ID, ""); err != nil {
		t.Fatalf("unconditional delete: %v", err)
	}
	hook(nil)
	if _, err := s.Get(ctx, r.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("after the unconditional delete: %v", err)
	}
}
