package demo_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/demo"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
)

// checkException reads the last user's mailbox through the msgraph connector and checks that the series with a
// moved occurrence arrived with that exception.
func checkException(ctx context.Context, t *testing.T, d *demo.Demo, secrets func(string) engine.Secrets) {
	t.Helper()
	c, err := msgraph.New(ctx, d.Profile().Mailbox.Settings, engine.Env{Secrets: secrets(demo.MailboxInstance)})
	if err != nil {
		t.Fatal(err)
	}
	u := d.Users()[len(d.Users())-1]
	st, err := c.Open(ctx, engine.Scope{Account: u.Mailbox, Kind: engine.KindAppointment,
		Window: engine.Window{From: time.Now().AddDate(0, 0, -30), To: time.Now().AddDate(0, 0, 120)}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range page.Changes {
		it := ch.Item
		if it == nil {
			r, err := st.Get(ctx, ch.ID)
			if err != nil {
				t.Fatalf("get %s: %v", ch.ID, err)
			}
			it = r.Item
		}
		if a, ok := it.(*engine.Appointment); ok && a.Title == demo.ExceptionSeriesTitle {
			if a.Recurrence == nil || len(a.Recurrence.Overrides) != 1 {
				t.Fatalf("%q in the mailbox: recurrence %+v, want one moved occurrence", a.Title, a.Recurrence)
			}
			return
		}
	}
	t.Fatalf("%q did not arrive in %s's mailbox", demo.ExceptionSeriesTitle, u.Mailbox.Email)
}

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
	eng, err := engine.New(engine.Config{KV: kv, Connectors: demo.Connectors(), Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Install(ctx, eng, secrets); err != nil {
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
	syncAll()
	q, err := eng.Quarantine(demo.ProfileID)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 0 {
		t.Fatalf("quarantined after the first sync: %+v", q)
	}
	checkException(ctx, t, d, secrets)

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

// TestRestartAndAutoDiverge: a second start on the same engine state resets the demo profile's links (the new
// fakes hold new items) and syncs every kind without duplicates or quarantine; AutoDiverge edits the candidates on its own after the first
// sync, so the next sync records conflicts.
func TestRestartAndAutoDiverge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	kv := engine.NewMemKV()
	secrets := engine.KVSecrets(kv)
	eng, err := engine.New(engine.Config{KV: kv, Connectors: demo.Connectors(), Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	syncAll := func(d *demo.Demo) {
		t.Helper()
		for _, r := range d.FirstRuns() {
			if _, err := eng.RunSync(ctx, r.Profile, r.User, r.Kind, "test"); err != nil {
				t.Fatalf("sync %s %s: %v", r.User, r.Kind, err)
			}
		}
		if q, err := eng.Quarantine(demo.ProfileID); err != nil || len(q) != 0 {
			t.Fatalf("quarantined: %+v, %v", q, err)
		}
	}
	first, err := demo.Start(ctx, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Install(ctx, eng, secrets); err != nil {
		t.Fatal(err)
	}
	syncAll(first)
	first.Close()

	d, err := demo.Start(ctx, demo.Options{AutoDiverge: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Install(ctx, eng, secrets); err != nil {
		t.Fatal(err)
	}
	syncAll(d)
	p := d.People()[0]
	n := 0
	for _, o := range d.Graph().Objects(p.GraphID, "events") {
		if o["subject"] == "Customer visit: Nordlys AS" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("after a restart %s's mailbox has %d copies of the customer visit, want 1", p.Name, n)
	}
	// The new fakes' mailboxes get the customers and the selections' folders again, once each.
	folders := map[string]int{}
	for _, name := range d.Graph().Folders(p.GraphID) {
		folders[name]++
	}
	if len(folders) != 4 || folders["Synchronizer"] != 1 || folders[demo.SelectionNewsletter] != 1 {
		t.Fatalf("after a restart %s's contact folders are %v, want Synchronizer and the 3 selections once each", p.Name, folders)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		edited := 0
		for _, a := range d.SuperOffice().Appointments() {
			if a.Location == "Meeting room Nord" {
				edited++
			}
		}
		if edited == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("AutoDiverge edited %d of 5 candidates within 20 s", edited)
		}
		time.Sleep(100 * time.Millisecond)
	}
	syncAll(d)
	cs, err := eng.Conflicts(demo.ProfileID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 5 {
		t.Fatalf("%d open conflicts after AutoDiverge, want one per user", len(cs))
	}
}

// TestContactsGroupsAndTasks syncs every kind of the demo profile in the order of the first runs and checks what
// arrives: each user's customers in the synced contact folder, the three selections as contact folders holding
// copies of that user's members (Ada's key account in two of them), the CRM tasks in the To Do list and the To Do
// task in the CRM; a second round changes nothing.
func TestContactsGroupsAndTasks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Start(ctx, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	kv := engine.NewMemKV()
	secrets := engine.KVSecrets(kv)
	eng, err := engine.New(engine.Config{KV: kv, Connectors: demo.Connectors(), Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Install(ctx, eng, secrets)
	if err != nil {
		t.Fatal(err)
	}
	if p.Directions[engine.KindGroup] != engine.DirCRMToMailbox || p.Directions[engine.KindContact] != engine.DirTwoWay ||
		p.Directions[engine.KindTask] != engine.DirTwoWay || p.Directions[engine.KindAppointment] != engine.DirTwoWay {
		t.Fatalf("demo profile directions %v", p.Directions)
	}
	reqs := d.FirstRuns()
	if len(reqs) != 5*len(demo.Kinds) {
		t.Fatalf("%d first runs, want %d", len(reqs), 5*len(demo.Kinds))
	}
	syncAll := func() int {
		t.Helper()
		ops := 0
		for _, r := range reqs {
			id, err := eng.RunSync(ctx, r.Profile, r.User, r.Kind, r.Trigger)
			if err != nil {
				t.Fatalf("sync %s %s: %v", r.User, r.Kind, err)
			}
			_, applied, err := eng.Run(id)
			if err != nil {
				t.Fatal(err)
			}
			ops += len(applied)
		}
		return ops
	}
	if n := syncAll(); n == 0 {
		t.Fatal("the first runs wrote nothing")
	}
	if q, err := eng.Quarantine(demo.ProfileID); err != nil || len(q) != 0 {
		t.Fatalf("quarantined after the first runs: %+v, %v", q, err)
	}

	sels := d.Selections()
	if len(sels) != 3 {
		t.Fatalf("%d selections, want 3", len(sels))
	}
	inSelections := map[int32]int{}
	for _, s := range sels {
		for _, m := range s.Members {
			inSelections[m]++
		}
	}
	twice := 0
	for _, n := range inSelections {
		if n == 2 {
			twice++
		}
	}
	if twice != 1 {
		t.Fatalf("%d persons are in two selections, want 1 (%v)", twice, inSelections)
	}
	customers := d.Customers()
	for _, person := range d.People() {
		// What this user should see: their own customers, and per selection the members they own.
		own := map[int32]string{}
		for _, c := range customers {
			if c.Owner == person.AssociateID {
				own[c.PersonID] = c.GivenName + " " + c.FamilyName
			}
		}
		wantGroups := map[string][]string{}
		for _, s := range sels {
			names := []string{}
			for _, m := range s.Members {
				if n, ok := own[m]; ok {
					names = append(names, n)
				}
			}
			slices.Sort(names)
			wantGroups[s.Name] = names
		}
		folders := d.Graph().Folders(person.GraphID)
		gotGroups := map[string][]string{}
		var synced []string
		for id, name := range folders {
			names := []string{}
			for _, o := range d.Graph().Objects(person.GraphID, "contactFolders/"+id+"/contacts") {
				g, _ := o["givenName"].(string)
				f, _ := o["surname"].(string)
				names = append(names, g+" "+f)
			}
			slices.Sort(names)
			if name == "Synchronizer" {
				synced = names
				continue
			}
			gotGroups[name] = names
		}
		wantOwn := slices.Sorted(maps.Values(own))
		if !slices.Equal(synced, wantOwn) {
			t.Errorf("%s's synced contacts: %v, want %v", person.Name, synced, wantOwn)
		}
		if len(gotGroups) != len(wantGroups) {
			t.Errorf("%s's group folders: %v, want %v", person.Name, gotGroups, wantGroups)
		}
		for name, want := range wantGroups {
			if len(want) == 0 {
				t.Fatalf("%s has no member in %q: every user should", person.Name, name)
			}
			if got, ok := gotGroups[name]; !ok || !slices.Equal(got, want) {
				t.Errorf("%s's folder %q holds %v, want %v", person.Name, name, got, want)
			}
		}

		// Tasks: the CRM's in the To Do list, the To Do task in the CRM.
		var todo []string
		for _, l := range d.Graph().Objects(person.GraphID, "todo/lists") {
			for _, o := range d.Graph().Objects(person.GraphID, "todo/lists/"+l["id"].(string)+"/tasks") {
				s, _ := o["title"].(string)
				todo = append(todo, s)
			}
		}
		if len(todo) != 3 || !slices.Contains(todo, "Renew the parking permit") {
			t.Errorf("%s's To Do tasks: %v, want the two CRM tasks and their own", person.Name, todo)
		}
		crmTasks := 0
		for _, a := range d.SuperOffice().Appointments() {
			if a.Associate != nil && a.Associate.AssociateID == person.AssociateID &&
				(a.Title == "Renew the parking permit" || strings.HasPrefix(a.Title, "Send offer to ") || strings.HasPrefix(a.Title, "Follow up ")) {
				crmTasks++
			}
		}
		if crmTasks != 3 {
			t.Errorf("%s has %d of the 3 tasks in SuperOffice", person.Name, crmTasks)
		}
	}
	if n := syncAll(); n != 0 {
		t.Fatalf("a second round of runs wrote %d operations, want none", n)
	}
}

func TestInstallNeedsSecrets(t *testing.T) {
	d, err := demo.Start(context.Background(), demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	eng, err := engine.New(engine.Config{KV: engine.NewMemKV(), Connectors: demo.Connectors()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Install(context.Background(), eng, nil); err == nil {
		t.Fatal("Install without a secret store succeeded")
	}
}

// BenchmarkStartAndFirstSync measures what a newcomer waits for: starting and seeding the fakes, installing the
// profile, and the first sync of all five users — of appointments only (the measure before contacts, groups and
// tasks joined the demo) and of every kind of the profile in the order of demo.Kinds.
func BenchmarkStartAndFirstSync(b *testing.B) {
	for _, bc := range []struct {
		name  string
		kinds []engine.Kind
	}{{"appointments", []engine.Kind{engine.KindAppointment}}, {"all-kinds", demo.Kinds}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				d, err := demo.Start(ctx, demo.Options{})
				if err != nil {
					b.Fatal(err)
				}
				kv := engine.NewMemKV()
				secrets := engine.KVSecrets(kv)
				eng, err := engine.New(engine.Config{KV: kv, Connectors: demo.Connectors(), Secrets: secrets})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := d.Install(ctx, eng, secrets); err != nil {
					b.Fatal(err)
				}
				for _, u := range d.Users() {
					for _, k := range bc.kinds {
						if _, err := eng.RunSync(ctx, demo.ProfileID, u.ID, k, "bench"); err != nil {
							b.Fatal(err)
						}
					}
				}
				d.Close()
			}
		})
	}
}
