package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/demo"
	"github.com/synchronizer/synchronizer/engine"
)

func TestDemoSyncsAndConflicts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Start(ctx, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Diverge(); !errors.Is(err, demo.ErrNotSynced) {
		t.Fatalf("Diverge before any sync: got %v, want ErrNotSynced", err)
	}

	kv := engine.NewMemKV()
	secrets := engine.KVSecrets(kv)
	for inst, m := range d.Secrets() {
		for name, v := range m {
			if err := secrets(inst).Put(ctx, name, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	eng, err := engine.New(engine.Config{KV: kv, Connectors: demo.Connectors(), Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.PutProfile(d.Profile()); err != nil {
		t.Fatal(err)
	}
	users := d.Users()
	if len(users) != 5 {
		t.Fatalf("%d users, want 5", len(users))
	}
	syncAll := func() {
		t.Helper()
		for _, u := range users {
			if _, err := eng.RunSync(ctx, demo.ProfileID, u.ID, engine.KindAppointment, "test"); err != nil {
				t.Fatalf("sync %s: %v", u.ID, err)
			}
		}
	}
	for _, u := range users {
		if _, err := eng.LinkUser(demo.ProfileID, u); err != nil {
			t.Fatal(err)
		}
	}
	syncAll()
	// Only the series with a moved occurrence is quarantined (msgraph does not write exceptions yet), and its
	// reason names the field.
	q, err := eng.Quarantine(demo.ProfileID)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].Field != "recurrence" || q[0].Side != engine.SideCRM {
		t.Fatalf("quarantine after the first sync: %+v; want the one series with an exception", q)
	}

	var seriesWithException, allDay int
	for _, p := range d.People() {
		evs := d.Graph().Objects(p.GraphID, "events")
		titles := map[string]bool{}
		for _, o := range evs {
			s, _ := o["subject"].(string)
			titles[s] = true
			if o["isAllDay"] == true {
				allDay++
			}
			if o["type"] == "seriesMaster" && s == "Weekly sales meeting" {
				seriesWithException++
			}
		}
		for _, want := range []string{"Weekly sales meeting", "Pipeline review with " + p.Name, "Customer visit: Nordlys AS", "Holiday"} {
			if !titles[want] {
				t.Errorf("%s's mailbox lacks %q (has %v)", p.Name, want, titles)
			}
		}
		// The mailbox's own events arrived in the CRM.
		found := false
		for _, a := range d.SuperOffice().Appointments() {
			if a.Title == "Dentist" && a.Associate != nil && a.Associate.AssociateID == p.AssociateID {
				found = true
			}
		}
		if !found {
			t.Errorf("%s's mailbox event Dentist did not arrive in SuperOffice", p.Name)
		}
	}
	if seriesWithException != 5 || allDay < 5 {
		t.Errorf("series masters %d (want 5), all-day events %d (want ≥ 5)", seriesWithException, allDay)
	}

	n, err := d.Diverge()
	if err != nil || n != 5 {
		t.Fatalf("Diverge: %d, %v; want 5 users edited", n, err)
	}
	if n, err := d.Diverge(); n != 0 || err != nil {
		t.Fatalf("second Diverge: %d, %v; want nothing left to edit", n, err)
	}
	syncAll()
	cs, err := eng.Conflicts(demo.ProfileID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatal("no conflict recorded after both sides edited the same appointments")
	}
	for _, c := range cs {
		if len(c.Fields) == 0 || len(c.CRM) == 0 || len(c.Mailbox) == 0 {
			t.Errorf("conflict %s lacks fields or values: %+v", c.ID, c)
		}
	}
}
