package msgraph_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

// TestEndToEndWithSuperOffice syncs appointments between the SuperOffice fake (CRM) and the Graph fake (mailbox)
// through the engine: create, update and delete both ways, a weekly series in Oslo time, and a no-change run that
// touches Graph only for its delta listing; tasks (To Do list) and contacts (contact folder) both ways.
func TestEndToEndWithSuperOffice(t *testing.T) {
	ctx := context.Background()
	const assoc = 101
	pemKey, pub := superofficetest.PartnerKeyPEM()
	oslo, _ := time.LoadLocation("Europe/Oslo")
	so := superofficetest.New(superofficetest.Options{PartnerKey: pub, Zone: oslo})
	base := so.Start()
	t.Cleanup(so.Close)
	so.AddAssociate(assoc, "Alice", "alice@contoso.com")
	soSecrets := newSecrets()
	_ = soSecrets.Put(ctx, superoffice.SecretPartnerKey, []byte(pemKey))
	_ = soSecrets.Put(ctx, superoffice.SecretClientSecret, []byte(superofficetest.ClientSecret))
	_ = soSecrets.Put(ctx, superoffice.SecretSystemToken, []byte(superofficetest.SystemToken))
	soSettings, _ := json.Marshal(map[string]any{"mode": "online", "baseUrl": base + "/api/", "loginUrl": base + "/login",
		"contextIdentifier": superofficetest.ContextIdentifier, "clientId": superofficetest.ClientID, "timeZone": "Europe/Oslo",
		"titleTemplate": "{title}"})

	srv := newFake(t, msgraphtest.Options{PageSize: 5})
	var runKind func(engine.Kind)
	e, err := engine.New(engine.Config{KV: engine.NewMemKV(),
		Secrets: func(instance string) engine.Secrets {
			if instance == "so" {
				return soSecrets
			}
			return newSecrets()
		},
		Connectors: map[string]engine.Factory{"superoffice": superoffice.New, msgraph.Type: msgraph.New}})
	if err != nil {
		t.Fatal(err)
	}
	big := engine.Threshold{Count: 1000, Percent: 100}
	if _, err := e.PutProfile(engine.Profile{ID: "p1", Name: "SuperOffice ⇄ Microsoft 365",
		CRM:     engine.SystemRef{Type: "superoffice", Instance: "so", Settings: soSettings},
		Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: rawSettings(settings(srv, nil))},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay, engine.KindTask: engine.DirTwoWay,
			engine.KindContact: engine.DirTwoWay},
		DaysBack: 30, DaysAhead: 120,
		Guard: engine.Guard{Deletes: big, Creates: big, ProfileDeletes: 1000, ProfileCreates: 1000, ProfileWindow: 3600}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: "101", Email: "alice@contoso.com"},
		Mailbox: engine.Account{ID: alice, Email: "alice@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	run := func() { t.Helper(); runKind(engine.KindAppointment) }
	runKind = func(kind engine.Kind) {
		t.Helper()
		so.Flush()
		id, err := e.RunSync(ctx, "p1", "u1", kind, "test")
		if err != nil {
			r, ops, _ := e.Run(id)
			t.Fatalf("sync: %v (run %+v ops %+v)", err, r, ops)
		}
		if q, _ := e.Quarantine("p1"); len(q) > 0 {
			t.Fatalf("quarantined: %+v", q)
		}
	}
	soConn, err := superoffice.New(ctx, soSettings, engine.Env{Secrets: soSecrets})
	if err != nil {
		t.Fatal(err)
	}
	soStore, err := soConn.Open(ctx, engine.Scope{Account: engine.Account{ID: "101"}, Kind: engine.KindAppointment})
	if err != nil {
		t.Fatal(err)
	}
	crmTitles := func() map[string]string {
		t.Helper()
		p, err := soStore.Changes(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range p.Changes {
			r, err := soStore.Get(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			out[r.Item.(*engine.Appointment).Title] = c.ID
		}
		return out
	}
	graphTitles := func() map[string]string {
		out := map[string]string{}
		for _, o := range srv.Objects(alice, "events") {
			out[o["subject"].(string)] = o["id"].(string)
		}
		return out
	}

	d := day(3)
	st := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, oslo)
	if _, err := soStore.Create(ctx, &engine.Appointment{Title: "CRM meeting", Start: st.UTC(), End: st.Add(time.Hour).UTC(), TimeZone: "Europe/Oslo"}, "seed-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := soStore.Create(ctx, &engine.Appointment{Title: "CRM weekly", Start: st.Add(4 * time.Hour).UTC(), End: st.Add(5 * time.Hour).UTC(),
		TimeZone: "Europe/Oslo", Recurrence: &engine.Rule{Freq: engine.Weekly, Count: 4, ByDay: []engine.Weekday{{Day: st.Weekday()}}}}, "seed-2"); err != nil {
		t.Fatal(err)
	}
	run()
	if g := graphTitles(); !same(g, "CRM meeting", "CRM weekly") {
		t.Fatalf("after the first sync Graph holds %v", g)
	}
	srv.Insert(alice, "events", map[string]any{"subject": "Outlook lunch",
		"start": map[string]any{"dateTime": st.Add(26 * time.Hour).UTC().Format("2006-01-02T15:04:05"), "timeZone": "UTC"},
		"end":   map[string]any{"dateTime": st.Add(27 * time.Hour).UTC().Format("2006-01-02T15:04:05"), "timeZone": "UTC"}})
	run()
	if c := crmTitles(); !same(c, "CRM meeting", "CRM weekly", "Outlook lunch") {
		t.Fatalf("after an Outlook create SuperOffice holds %v", c)
	}
	// Settled: a run without changes writes nothing on either side.
	before := srv.Requests()
	run()
	if srv.Requests()-before > 2 {
		t.Fatalf("a no-change run made %d Graph requests", srv.Requests()-before)
	}
	// Update in Outlook, delete in SuperOffice.
	g := graphTitles()
	if err := srv.Edit(alice, "events", g["Outlook lunch"], func(m map[string]any) { m["subject"] = "Outlook lunch (moved)" }); err != nil {
		t.Fatal(err)
	}
	c := crmTitles()
	r, err := soStore.Get(ctx, c["CRM meeting"])
	if err != nil {
		t.Fatal(err)
	}
	if err := soStore.Delete(ctx, r.ID, r.Version); err != nil {
		t.Fatal(err)
	}
	run()
	run()
	if g := graphTitles(); !same(g, "CRM weekly", "Outlook lunch (moved)") {
		t.Fatalf("Graph after the update and delete: %v", g)
	}
	if c := crmTitles(); !same(c, "CRM weekly", "Outlook lunch (moved)") {
		t.Fatalf("SuperOffice after the update and delete: %v", c)
	}
	// The series arrived as a weekly Graph series in the Oslo zone.
	for _, o := range srv.Objects(alice, "events") {
		if o["subject"] == "CRM weekly" {
			rec, _ := o["recurrence"].(map[string]any)
			if rec == nil || o["type"] != "seriesMaster" || o["start"].(map[string]any)["timeZone"] != "W. Europe Standard Time" {
				t.Fatalf("the series in Graph: %+v", o)
			}
		}
	}
	// Tasks: a CRM task reaches the To Do list, a To Do task reaches SuperOffice.
	taskStore, err := soConn.Open(ctx, engine.Scope{Account: engine.Account{ID: "101"}, Kind: engine.KindTask})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := taskStore.Create(ctx, &engine.Task{Title: "CRM follow-up", Due: day(5), DueAllDay: true}, "task-seed"); err != nil {
		t.Fatal(err)
	}
	runKind(engine.KindTask)
	lists := srv.Objects(alice, "todo/lists")
	if len(lists) != 1 {
		t.Fatalf("To Do lists: %v", lists)
	}
	coll := "todo/lists/" + lists[0]["id"].(string) + "/tasks"
	tasks := srv.Objects(alice, coll)
	if len(tasks) != 1 || tasks[0]["title"] != "CRM follow-up" {
		t.Fatalf("To Do after the CRM task: %v", tasks)
	}
	srv.Insert(alice, coll, map[string]any{"title": "To Do call", "status": "notStarted", "importance": "high",
		"dueDateTime": map[string]any{"dateTime": day(6).Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}})
	runKind(engine.KindTask)
	p, err := taskStore.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, c := range p.Changes {
		r, err := taskStore.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		titles[r.Item.(*engine.Task).Title] = true
	}
	if !titles["To Do call"] || !titles["CRM follow-up"] {
		t.Fatalf("SuperOffice tasks: %v", titles)
	}
	// Contacts: a CRM person reaches the contact folder, an Outlook contact reaches SuperOffice.
	personStore, err := soConn.Open(ctx, engine.Scope{Account: engine.Account{ID: "101"}, Kind: engine.KindContact})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := personStore.Create(ctx, &engine.Contact{GivenName: "Ada", FamilyName: "Lovelace", Company: "Analytical",
		Emails: []engine.Labeled{{Value: "ada@example.com"}}}, "person-seed"); err != nil {
		t.Fatal(err)
	}
	runKind(engine.KindContact)
	folders := srv.Objects(alice, "contactFolders")
	if len(folders) != 1 {
		t.Fatalf("contact folders: %v", folders)
	}
	ccoll := "contactFolders/" + folders[0]["id"].(string) + "/contacts"
	if cs := srv.Objects(alice, ccoll); len(cs) != 1 || cs[0]["surname"] != "Lovelace" {
		t.Fatalf("Graph contacts after the CRM person: %v", cs)
	}
	srv.Insert(alice, ccoll, map[string]any{"givenName": "Grace", "surname": "Hopper", "companyName": "Navy",
		"emailAddresses": []any{map[string]any{"address": "grace@example.com"}}})
	runKind(engine.KindContact)
	pp, err := personStore.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range pp.Changes {
		r, err := personStore.Get(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		names[r.Item.(*engine.Contact).FamilyName] = true
	}
	if !names["Hopper"] || !names["Lovelace"] {
		t.Fatalf("SuperOffice persons: %v", names)
	}
}
