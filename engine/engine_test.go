package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// fixture is an engine over a MemKV with one profile syncing two reference servers.
type fixture struct {
	t        testing.TB
	kv       *engine.MemKV
	crm, mbx *reference.Server
	e        *engine.Engine
	now      time.Time
	profile  engine.Profile
	rnd      seededReader // deterministic ids: golden files and failures replay exactly
}

const (
	crmAcct = "assoc-1"
	mbxAcct = "alice@example.com"
)

func newFixture(t testing.TB, crmModel, mbxModel reference.Model, edit func(*engine.Profile)) *fixture {
	t.Helper()
	f := &fixture{t: t, kv: engine.NewMemKV(), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.crm, f.mbx = reference.NewServer(clock), reference.NewServer(clock)
	f.crm.SetIDPrefix("crm-")
	f.mbx.SetIDPrefix("mbx-")
	f.newEngine()
	p := engine.Profile{ID: "p1", Name: "test",
		CRM:        engine.SystemRef{Type: "crm", Instance: "crm1", Settings: json.RawMessage(`{"model":"` + string(crmModel) + `","pageSize":3}`)},
		Mailbox:    engine.SystemRef{Type: "mbx", Instance: "mbx1", Settings: json.RawMessage(`{"model":"` + string(mbxModel) + `","pageSize":3}`)},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay, engine.KindTask: engine.DirTwoWay},
		Policy:     engine.PolicyCRMWins,
	}
	if edit != nil {
		edit(&p)
	}
	var err error
	if f.profile, err = f.e.PutProfile(p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: crmAcct},
		Mailbox: engine.Account{ID: mbxAcct, Email: mbxAcct}}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) newEngine() {
	if f.rnd.r == nil {
		f.rnd = seededReader{rand.New(rand.NewPCG(1, 2))}
	}
	e, err := engine.New(engine.Config{KV: f.kv, Now: func() time.Time { return f.now }, Rand: f.rnd,
		Connectors: map[string]engine.Factory{"crm": f.crm.Factory(), "mbx": f.mbx.Factory()}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.e = e
}

func (f *fixture) sync() (engine.Run, error) {
	id, err := f.e.RunSync(context.Background(), "p1", "u1", engine.KindAppointment, "test")
	if id == "" {
		return engine.Run{}, err
	}
	r, _, rerr := f.e.Run(id)
	if rerr != nil && err == nil {
		err = rerr
	}
	return r, err
}

func (f *fixture) mustSync() engine.Run {
	f.t.Helper()
	r, err := f.sync()
	if err != nil {
		f.t.Fatalf("sync: %v (run %+v)", err, r)
	}
	return r
}

func appt(title string, start time.Time) *engine.Appointment {
	return &engine.Appointment{Title: title, Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Oslo"}
}

func titles(items map[string]engine.Item) map[string]int {
	out := map[string]int{}
	for _, it := range items {
		out[it.(*engine.Appointment).Title]++
	}
	return out
}

func TestSyncBasics(t *testing.T) {
	t.Parallel()
	for _, m := range []reference.Model{reference.Delta, reference.EWS, reference.Watermark, reference.CalDAV} {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, reference.Watermark, m, nil)
			day := f.now.Add(24 * time.Hour)
			a := f.crm.Put(crmAcct, appt("from crm", day))
			f.mbx.Put(mbxAcct, appt("from mailbox", day.Add(2*time.Hour)))
			for i := range 5 {
				f.crm.Put(crmAcct, appt("crm "+string(rune('a'+i)), day.Add(time.Duration(i)*24*time.Hour)))
			}
			r := f.mustSync()
			if r.Counts.Created != 7 {
				t.Fatalf("created %d, want 7: %+v", r.Counts.Created, r)
			}
			if got := titles(f.mbx.Items(mbxAcct, engine.KindAppointment)); len(got) != 7 || got["from crm"] != 1 {
				t.Fatalf("mailbox has %v", got)
			}
			if got := titles(f.crm.Items(crmAcct, engine.KindAppointment)); got["from mailbox"] != 1 {
				t.Fatalf("crm has %v", got)
			}
			w := f.crm.Writes() + f.mbx.Writes()
			f.mustSync()
			if d := f.crm.Writes() + f.mbx.Writes() - w; d != 0 {
				t.Fatalf("quiet sync wrote %d times", d)
			}
			// Different fields on both sides merge.
			mid := ""
			for id, it := range f.mbx.Items(mbxAcct, engine.KindAppointment) {
				if it.(*engine.Appointment).Title == "from crm" {
					mid = id
				}
			}
			f.now = f.now.Add(5 * time.Minute)
			if err := f.crm.Edit(crmAcct, engine.KindAppointment, a, func(it engine.Item) engine.Item {
				it.(*engine.Appointment).Location = "Room 1"
				return it
			}); err != nil {
				t.Fatal(err)
			}
			if err := f.mbx.Edit(mbxAcct, engine.KindAppointment, mid, func(it engine.Item) engine.Item {
				it.(*engine.Appointment).Body = "agenda"
				return it
			}); err != nil {
				t.Fatal(err)
			}
			f.now = f.now.Add(5 * time.Minute)
			f.mustSync()
			c := f.crm.Items(crmAcct, engine.KindAppointment)[a].(*engine.Appointment)
			mb := f.mbx.Items(mbxAcct, engine.KindAppointment)[mid].(*engine.Appointment)
			if c.Location != "Room 1" || c.Body != "agenda" || mb.Location != "Room 1" || mb.Body != "agenda" {
				t.Fatalf("merge lost an update: crm %+v mailbox %+v", c, mb)
			}
			// Delete in the mailbox propagates.
			if err := f.mbx.Remove(mbxAcct, engine.KindAppointment, mid); err != nil {
				t.Fatal(err)
			}
			f.now = f.now.Add(5 * time.Minute)
			f.mustSync()
			if _, ok := f.crm.Items(crmAcct, engine.KindAppointment)[a]; ok {
				t.Fatal("delete did not propagate")
			}
			tr, err := f.e.Trace(a)
			if err != nil || len(tr) == 0 || tr[0].Decision != engine.DecDeleted {
				t.Fatalf("trace %+v %v", tr, err)
			}
			w = f.crm.Writes() + f.mbx.Writes()
			f.now = f.now.Add(5 * time.Minute)
			f.mustSync()
			if d := f.crm.Writes() + f.mbx.Writes() - w; d != 0 {
				t.Fatalf("quiet sync wrote %d times", d)
			}
		})
	}
}

func TestProfileValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	cases := []struct {
		edit  func(*engine.Profile)
		field string
	}{
		{func(p *engine.Profile) { p.ID = "a/b" }, "id"},
		{func(p *engine.Profile) { p.CRM.Type = "nope" }, "crm.type"},
		{func(p *engine.Profile) { p.Directions["task"] = "sideways" }, "directions.task"},
		{func(p *engine.Profile) { p.Directions["note"] = engine.DirOff }, "directions.note"},
		{func(p *engine.Profile) { p.DaysBack = -1 }, "daysBack"},
		{func(p *engine.Profile) { p.Policy = "random" }, "policy"},
		{func(p *engine.Profile) { p.Guard.Deletes.Percent = 120 }, "guard.deletes.percent"},
		{func(p *engine.Profile) { p.PollSeconds = 5 }, "pollSeconds"},
		{func(p *engine.Profile) { p.Mailbox.Settings = json.RawMessage(`{`) }, "mailbox.settings"},
	}
	for _, c := range cases {
		p := f.profile
		p.Directions = map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}
		c.edit(&p)
		_, err := f.e.PutProfile(p)
		var ie *engine.InputError
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("want an error naming %s, got %v", c.field, err)
		}
	}
	_, err := f.e.LinkUser("p1", engine.LinkedUser{ID: "u2", CRM: engine.Account{ID: "x"}, Mailbox: engine.Account{ID: "y"},
		Overrides: engine.Overrides{Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirOff}}})
	var ie *engine.InputError
	if !errors.As(err, &ie) || ie.Field != "overrides.directions" {
		t.Errorf("override outside the admin's allowance: %v", err)
	}
}
