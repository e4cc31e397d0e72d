package msgraph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// The CRM side of the end-to-end tests is engine/reference with SuperOffice's change model (timestamp watermark
// without tombstones): the SuperOffice fake was not available when these tests were written.
const crmAssoc = "assoc-1"

type e2e struct {
	t     *testing.T
	srv   *msgraphtest.Server
	ref   *reference.Server
	e     *engine.Engine
	crash *bool
}

// crashConn makes every Create of the mailbox side fail after Graph stored the item while armed, as if the
// process died between the POST and the journal entry that records it.
type crashConn struct {
	*msgraph.Connector
	armed *bool
}

type crashStore struct {
	*msgraph.Store
	armed *bool
}

func (c crashConn) Open(ctx context.Context, sc engine.Scope) (engine.Store, error) {
	s, err := c.OpenStore(ctx, sc)
	if err != nil {
		return nil, err
	}
	return crashStore{s, c.armed}, nil
}

func (s crashStore) Create(ctx context.Context, it engine.Item, marker string) (engine.Remote, error) {
	r, err := s.Store.Create(ctx, it, marker)
	if err == nil && *s.armed {
		return engine.Remote{}, errors.New("simulated crash after the POST")
	}
	return r, err
}

func newE2E(t *testing.T, publicURL string) *e2e {
	t.Helper()
	srv := newFake(t, msgraphtest.Options{PageSize: 4})
	ref := reference.NewServer(time.Now)
	armed := false
	x := &e2e{t: t, srv: srv, ref: ref, crash: &armed}
	graphFactory := func(ctx context.Context, raw json.RawMessage, env engine.Env) (engine.Connector, error) {
		env.PublicURL = publicURL
		c, err := msgraph.New(ctx, raw, env)
		if err != nil {
			return nil, err
		}
		return crashConn{c.(*msgraph.Connector), &armed}, nil
	}
	e, err := engine.New(engine.Config{KV: engine.NewMemKV(), Connectors: map[string]engine.Factory{"reference": ref.Factory(), msgraph.Type: graphFactory}})
	if err != nil {
		t.Fatal(err)
	}
	x.e = e
	crm, _ := json.Marshal(reference.Settings{Model: reference.Watermark})
	if _, err := e.PutProfile(engine.Profile{ID: "p1", Name: "CRM ⇄ M365",
		CRM:     engine.SystemRef{Type: "reference", Instance: "crm", Settings: crm},
		Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: rawSettings(settings(srv, nil))},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay, engine.KindContact: engine.DirTwoWay,
			engine.KindTask: engine.DirTwoWay},
		Guard: engine.Guard{Deletes: engine.Threshold{Count: 1000, Percent: 100}, Creates: engine.Threshold{Count: 1000, Percent: 100},
			ProfileDeletes: 1000, ProfileCreates: 1000, ProfileWindow: 3600}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: crmAssoc, Email: "alice@contoso.com"},
		Mailbox: engine.Account{ID: alice, Email: "alice@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	return x
}

func (x *e2e) run(kind engine.Kind) {
	x.t.Helper()
	id, err := x.e.RunSync(context.Background(), "p1", "u1", kind, "test")
	if err != nil {
		r, ops, _ := x.e.Run(id)
		x.t.Fatalf("sync %s: %v (run %+v ops %+v)", kind, err, r, ops)
	}
}

func (x *e2e) quarantined() []engine.Quarantined {
	q, _ := x.e.Quarantine("p1")
	return q
}

// kindCase describes one kind for the both-ways test: the Graph collection, a CRM item, a Graph object, and how to
// read and change titles on either side.
type kindCase struct {
	kind     engine.Kind
	coll     func(x *e2e) string
	crmItem  func(title string) engine.Item
	graphObj func(title string) map[string]any
	titleOf  func(engine.Item) string
	retitle  func(engine.Item, string) engine.Item
	graphKey string
}

func kindCases() []kindCase {
	return []kindCase{
		{kind: engine.KindAppointment, graphKey: "subject",
			coll: func(*e2e) string { return "events" },
			crmItem: func(title string) engine.Item {
				return &engine.Appointment{Title: title, Start: day(3).Add(9 * time.Hour), End: day(3).Add(10 * time.Hour), TimeZone: "Europe/Oslo"}
			},
			graphObj: func(title string) map[string]any {
				st := day(4).Add(13 * time.Hour)
				return map[string]any{"subject": title, "start": map[string]any{"dateTime": st.Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"},
					"end": map[string]any{"dateTime": st.Add(time.Hour).Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}}
			},
			titleOf: func(it engine.Item) string { return it.(*engine.Appointment).Title },
			retitle: func(it engine.Item, s string) engine.Item { a := *it.(*engine.Appointment); a.Title = s; return &a }},
		{kind: engine.KindContact, graphKey: "givenName",
			coll: func(x *e2e) string {
				for _, f := range x.srv.Objects(alice, "contactFolders") {
					return "contactFolders/" + f["id"].(string) + "/contacts"
				}
				return ""
			},
			crmItem: func(title string) engine.Item {
				return &engine.Contact{GivenName: title, FamilyName: "Doe", Emails: []engine.Labeled{{Value: "doe@example.com"}}}
			},
			graphObj: func(title string) map[string]any { return map[string]any{"givenName": title, "surname": "Roe"} },
			titleOf:  func(it engine.Item) string { return it.(*engine.Contact).GivenName },
			retitle:  func(it engine.Item, s string) engine.Item { c := *it.(*engine.Contact); c.GivenName = s; return &c }},
		{kind: engine.KindTask, graphKey: "title",
			coll: func(x *e2e) string {
				for _, f := range x.srv.Objects(alice, "todo/lists") {
					return "todo/lists/" + f["id"].(string) + "/tasks"
				}
				return ""
			},
			crmItem: func(title string) engine.Item { return &engine.Task{Title: title, Due: day(6), DueAllDay: true} },
			graphObj: func(title string) map[string]any {
				return map[string]any{"title": title, "status": "notStarted", "importance": "normal",
					"dueDateTime": map[string]any{"dateTime": day(7).Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}}
			},
			titleOf: func(it engine.Item) string { return it.(*engine.Task).Title },
			retitle: func(it engine.Item, s string) engine.Item { c := *it.(*engine.Task); c.Title = s; return &c }},
	}
}

func (x *e2e) crmTitles(k kindCase) map[string]string {
	out := map[string]string{}
	for id, it := range x.ref.Items(crmAssoc, k.kind) {
		out[k.titleOf(it)] = id
	}
	return out
}

func (x *e2e) graphTitles(k kindCase) map[string]string {
	out := map[string]string{}
	for _, o := range x.srv.Objects(alice, k.coll(x)) {
		out[fmt.Sprint(o[k.graphKey])] = o["id"].(string)
	}
	return out
}

func same(a map[string]string, want ...string) bool {
	if len(a) != len(want) {
		return false
	}
	for _, w := range want {
		if _, ok := a[w]; !ok {
			return false
		}
	}
	return true
}

// TestEndToEndBothWays: for each kind, create, update and delete on either side propagate, a no-change run
// writes nothing, an expired delta token recovers without duplicates, and a crash between Graph's write and the
// journal entry is recovered by the marker without duplicates.
func TestEndToEndBothWays(t *testing.T) {
	for _, k := range kindCases() {
		t.Run(string(k.kind), func(t *testing.T) {
			x := newE2E(t, "")
			x.ref.Put(crmAssoc, k.crmItem("from CRM"))
			x.run(k.kind)
			if g := x.graphTitles(k); !same(g, "from CRM") {
				t.Fatalf("after CRM create the mailbox holds %v", g)
			}
			x.srv.Insert(alice, k.coll(x), k.graphObj("from mailbox"))
			x.run(k.kind)
			if c := x.crmTitles(k); !same(c, "from CRM", "from mailbox") {
				t.Fatalf("after mailbox create the CRM holds %v", c)
			}
			writes := x.srv.Requests()
			x.run(k.kind)
			if x.srv.Requests()-writes > 3 {
				t.Fatalf("a no-change run made %d mailbox requests", x.srv.Requests()-writes)
			}
			// Update both ways.
			c := x.crmTitles(k)
			if err := x.ref.Edit(crmAssoc, k.kind, c["from CRM"], func(it engine.Item) engine.Item { return k.retitle(it, "CRM renamed") }); err != nil {
				t.Fatal(err)
			}
			g := x.graphTitles(k)
			if err := x.srv.Edit(alice, k.coll(x), g["from mailbox"], func(m map[string]any) { m[k.graphKey] = "mailbox renamed" }); err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
			x.run(k.kind)
			if g := x.graphTitles(k); !same(g, "CRM renamed", "mailbox renamed") {
				t.Fatalf("after updates the mailbox holds %v", g)
			}
			if c := x.crmTitles(k); !same(c, "CRM renamed", "mailbox renamed") {
				t.Fatalf("after updates the CRM holds %v", c)
			}
			// Delta expiry: a full relisting matches by link and creates nothing.
			x.srv.ExpireDeltaTokens()
			x.run(k.kind)
			if g := x.graphTitles(k); len(g) != 2 {
				t.Fatalf("after delta expiry the mailbox holds %v", g)
			}
			// Crash after Graph stored a create: recovery finds it by marker.
			x.ref.Put(crmAssoc, k.crmItem("crash"))
			*x.crash = true
			if _, err := x.e.RunSync(context.Background(), "p1", "u1", k.kind, "test"); err == nil {
				t.Log("the simulated crash did not fail the run")
			}
			*x.crash = false
			if err := x.e.Recover(context.Background()); err != nil {
				t.Fatal(err)
			}
			x.run(k.kind)
			x.run(k.kind)
			if g := x.graphTitles(k); !same(g, "CRM renamed", "mailbox renamed", "crash") {
				t.Fatalf("after crash recovery the mailbox holds %v", g)
			}
			// Delete both ways.
			c, g = x.crmTitles(k), x.graphTitles(k)
			if err := x.ref.Remove(crmAssoc, k.kind, c["mailbox renamed"]); err != nil {
				t.Fatal(err)
			}
			if err := x.srv.Remove(alice, k.coll(x), g["CRM renamed"]); err != nil {
				t.Fatal(err)
			}
			x.run(k.kind)
			x.run(k.kind)
			if g := x.graphTitles(k); !same(g, "crash") {
				t.Fatalf("after deletes the mailbox holds %v", g)
			}
			if c := x.crmTitles(k); !same(c, "crash") {
				t.Fatalf("after deletes the CRM holds %v", c)
			}
			if q := x.quarantined(); len(q) != 0 {
				t.Fatalf("quarantined: %+v", q)
			}
		})
	}
}

// TestEndToEndRecurrenceAllDayDST: a weekly series crossing a DST change, an all-day event and a series with a
// deleted occurrence travel CRM → mailbox and back unchanged; an occurrence moved in Outlook becomes an override
// in the CRM; a series edited or deleted in Outlook reaches the CRM.
func TestEndToEndRecurrenceAllDayDST(t *testing.T) {
	x := newE2E(t, "")
	oslo, _ := time.LoadLocation("Europe/Oslo")
	// A Monday 09:00 Oslo series of 6 weeks starting 2 weeks before the next DST change.
	d := day(1)
	for !time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, oslo).IsDST() == time.Date(d.Year(), d.Month(), d.Day()+14, 12, 0, 0, 0, oslo).IsDST() {
		d = d.AddDate(0, 0, 1)
	}
	st := time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, oslo)
	series := &engine.Appointment{Title: "weekly", Start: st.UTC(), End: st.Add(time.Hour).UTC(), TimeZone: "Europe/Oslo",
		Recurrence: &engine.Rule{Freq: engine.Weekly, Count: 6, ByDay: []engine.Weekday{{Day: st.Weekday()}}}}
	allDay := &engine.Appointment{Title: "offsite", AllDay: true, Start: day(5), End: day(7)}
	withEx := &engine.Appointment{Title: "with exception", Start: day(2).Add(8 * time.Hour), End: day(2).Add(9 * time.Hour),
		Recurrence: &engine.Rule{Freq: engine.Daily, Count: 3, Excluded: []time.Time{day(3).Add(8 * time.Hour)}}}
	for _, it := range []engine.Item{series, allDay, withEx} {
		x.ref.Put(crmAssoc, it)
	}
	x.run(engine.KindAppointment)
	x.run(engine.KindAppointment)
	k := kindCases()[0]
	g := x.graphTitles(k)
	if !same(g, "weekly", "offsite", "with exception") {
		t.Fatalf("mailbox holds %v", g)
	}
	if q := x.quarantined(); len(q) != 0 {
		t.Fatalf("quarantine: %+v", q)
	}
	// Graph holds the exception per instance: the excluded occurrence is cancelled.
	c := newConn(t, x.srv, engine.Env{}, nil)
	gs := openStore(t, c, engine.KindAppointment, alice)
	r, err := gs.Get(context.Background(), g["with exception"])
	if err != nil {
		t.Fatal(err)
	}
	if rr := r.Item.(*engine.Appointment).Recurrence; rr == nil || len(rr.Excluded) != 1 || !rr.Excluded[0].Equal(day(3).Add(8*time.Hour)) {
		t.Fatalf("the series read back from Graph: %+v", rr)
	}
	// An occurrence moved in Outlook becomes an override in the CRM.
	occID := g["with exception"] + "_" + day(4).Add(8*time.Hour).Format("20060102T150405Z")
	moved := &engine.Appointment{Title: "with exception (moved)", Start: day(4).Add(11 * time.Hour), End: day(4).Add(12 * time.Hour)}
	if _, err := gs.Update(context.Background(), occID, "", moved); err != nil {
		t.Fatal(err)
	}
	x.run(engine.KindAppointment)
	for _, it := range x.ref.Items(crmAssoc, engine.KindAppointment) {
		if a := it.(*engine.Appointment); a.Title == "with exception" {
			rr := a.Recurrence
			if rr == nil || len(rr.Excluded) != 1 || len(rr.Overrides) != 1 || rr.Overrides[0].Item.Title != "with exception (moved)" ||
				!rr.Overrides[0].Item.Start.Equal(moved.Start) {
				t.Fatalf("CRM series after the Outlook edit: %+v", rr)
			}
		}
	}
	x.run(engine.KindAppointment)
	if q := x.quarantined(); len(q) != 0 {
		t.Fatalf("quarantine: %+v", q)
	}
	// Settled: a run without changes makes no write (only the delta listing).
	before, crmWrites := x.srv.Requests(), x.ref.Writes()
	x.run(engine.KindAppointment)
	if n := x.srv.Requests() - before; n > 2 || x.ref.Writes() != crmWrites {
		t.Fatalf("a run without changes made %d Graph requests and %d CRM writes", n, x.ref.Writes()-crmWrites)
	}
	for _, it := range x.ref.Items(crmAssoc, engine.KindAppointment) {
		a := it.(*engine.Appointment)
		switch a.Title {
		case "weekly":
			occ := engine.Occurrences(a, time.Time{}, time.Time{})
			if len(occ) != 6 {
				t.Fatalf("the series came back with %d occurrences", len(occ))
			}
			for i, o := range occ {
				if h := o.Start.In(oslo).Hour(); h != 9 {
					t.Fatalf("occurrence %d at %v Oslo time", i, o.Start.In(oslo))
				}
			}
		case "offsite":
			if !a.AllDay || !a.Start.Equal(allDay.Start) || !a.End.Equal(allDay.End) {
				t.Fatalf("all-day event changed: %+v", a)
			}
		}
	}
	// The Graph side holds the series with the recurrence pattern and the IANA zone kept.
	master := ""
	for _, o := range x.srv.Objects(alice, "events") {
		if o["subject"] == "weekly" {
			rec, _ := o["recurrence"].(map[string]any)
			pat, _ := rec["pattern"].(map[string]any)
			if pat["type"] != "weekly" || o["start"].(map[string]any)["timeZone"] != "W. Europe Standard Time" || o["type"] != "seriesMaster" {
				t.Fatalf("Graph series: %+v", o)
			}
			master = o["id"].(string)
		}
	}
	// A series edited in Outlook (its master) reaches the CRM although calendarView lists only occurrences.
	if err := x.srv.Edit(alice, "events", master, func(m map[string]any) { m["subject"] = "weekly (Outlook)" }); err != nil {
		t.Fatal(err)
	}
	x.run(engine.KindAppointment)
	if c := x.crmTitles(k); !same(c, "weekly (Outlook)", "offsite", "with exception") {
		t.Fatalf("CRM after the series edit: %v", c)
	}
	// A series deleted in Outlook is reported only by its occurrences' ids: the relisting finds the master gone.
	if err := x.srv.Remove(alice, "events", master); err != nil {
		t.Fatal(err)
	}
	x.run(engine.KindAppointment)
	if c := x.crmTitles(k); !same(c, "offsite", "with exception") {
		t.Fatalf("CRM after the series was deleted in Outlook: %v", c)
	}
}

// recordingSink runs a sync for every push trigger, like the scheduler does.
type recordingSink struct {
	x        *e2e
	mu       sync.Mutex
	triggers []string
	done     chan string
}

func (s *recordingSink) Trigger(ctx context.Context, profileID, userID string, kind engine.Kind, trigger string) error {
	s.mu.Lock()
	s.triggers = append(s.triggers, profileID+"/"+userID+"/"+string(kind)+"/"+trigger)
	s.mu.Unlock()
	go func() {
		_, err := s.x.e.RunSync(context.Background(), profileID, userID, kind, trigger)
		if err != nil {
			s.done <- "error: " + err.Error()
			return
		}
		s.done <- string(kind)
	}()
	return nil
}

// TestEndToEndWebhook: the subscription is validated through the push intake (validationToken echo), a change in
// the mailbox notifies the intake with the clientState, the trigger runs the sync and the CRM gets the change;
// renewal extends the subscription; lifecycle events reach the intake; a forged clientState is refused.
func TestEndToEndWebhook(t *testing.T) {
	ctx := context.Background()
	var intake *push.Intake
	mux := http.NewServeMux()
	hook := httptest.NewServer(mux)
	defer hook.Close()
	x := newE2E(t, hook.URL)
	sink := &recordingSink{x: x, done: make(chan string, 16)}
	var lifeMu sync.Mutex
	var life []string
	intake, err := push.New(push.Options{KV: engine.NewMemKV(), Sink: sink, OnLifecycle: func(e push.Event) {
		lifeMu.Lock()
		life = append(life, e.Type)
		lifeMu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := intake.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer intake.Stop()
	mux.Handle("/hooks/{connector}/{profile}", intake)

	c := newConn(t, x.srv, engine.Env{PublicURL: hook.URL}, nil)
	s := openStore(t, c, engine.KindAppointment, alice)
	x.run(engine.KindAppointment) // first sync: cursors exist
	sub, err := c.Subscribe(ctx, intake, "p1", "u1", s)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.srv.Subscriptions()) != 1 || sub.Secret == "" || sub.Expires.Before(time.Now().Add(60*time.Hour)) {
		t.Fatalf("subscription: %+v", sub)
	}
	x.srv.Insert(alice, "events", kindCases()[0].graphObj("pushed"))
	select {
	case got := <-sink.done:
		if got != string(engine.KindAppointment) {
			t.Fatalf("push-triggered sync: %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no push trigger within 10 s")
	}
	if c := x.crmTitles(kindCases()[0]); !same(c, "pushed") {
		t.Fatalf("CRM after push: %v", c)
	}
	// Renewal.
	sub.Expires = time.Now().Add(time.Hour)
	if !c.RenewDue(sub) {
		t.Fatal("a subscription expiring in an hour is not due for renewal")
	}
	sub2, err := c.Renew(ctx, intake, sub, alice)
	if err != nil || !sub2.Expires.After(time.Now().Add(60*time.Hour)) {
		t.Fatalf("renew: %v %+v", err, sub2)
	}
	// Lifecycle events reach the intake's handler.
	if err := x.srv.SendLifecycle(sub.ID, "reauthorizationRequired"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		lifeMu.Lock()
		n := len(life)
		lifeMu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lifecycle event did not reach the intake")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The connector answers lifecycle events: reauthorization renews; a removed subscription is re-created.
	sub3, err := c.Lifecycle(ctx, intake, push.TypeReauthorize, sub2, alice, func(context.Context) (*msgraph.Store, error) { return s, nil })
	if err != nil || sub3.ID != sub2.ID {
		t.Fatalf("reauthorize: %v %+v", err, sub3)
	}
	sub4, err := c.Lifecycle(ctx, intake, push.TypeRemoved, sub3, alice, func(context.Context) (*msgraph.Store, error) { return s, nil })
	if err != nil || sub4.ID == sub3.ID || len(x.srv.Subscriptions()) != 1 || x.srv.Subscriptions()[0] != sub4.ID {
		t.Fatalf("removed: %v %+v %v", err, sub4, x.srv.Subscriptions())
	}
	sub2 = sub4
	// A forged clientState is refused.
	resp, err := http.Post(hook.URL+"/hooks/msgraph/p1", "application/json",
		jsonBody(map[string]any{"value": []any{map[string]any{"subscriptionId": sub.ID, "clientState": "forged", "changeType": "updated", "resource": "x"}}}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged clientState answered %d", resp.StatusCode)
	}
	if err := c.Unsubscribe(ctx, intake, sub2, alice); err != nil || len(x.srv.Subscriptions()) != 0 {
		t.Fatalf("unsubscribe: %v %v", err, x.srv.Subscriptions())
	}
	// Without a public URL there is no subscription: the job polls.
	c2 := newConn(t, x.srv, engine.Env{}, nil)
	if _, err := c2.Subscribe(ctx, intake, "p1", "u1", s); !errors.Is(err, msgraph.ErrNoPublicURL) {
		t.Fatalf("subscribe without a public URL: %v", err)
	}
}

func jsonBody(v any) *bytes.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
