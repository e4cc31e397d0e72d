package superoffice_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/engine/superoffice"
)

// e2e is the engine syncing the fake SuperOffice tenant (CRM side, over HTTP) with the reference store (mailbox).
type e2e struct {
	t     *testing.T
	tn    *tenant
	ref   *reference.Server
	eng   *engine.Engine
	conn  *superoffice.Connector
	crash bool // while set, creates reach SuperOffice and then fail, as if we crashed before the journal entry
	mu    sync.Mutex
	hooks []string // verified webhook events received
	fail  bool     // the webhook receiver answers 500
}

type crashConn struct {
	*superoffice.Connector
	h *e2e
}

func (c crashConn) Open(ctx context.Context, sc engine.Scope) (engine.Store, error) {
	st, err := c.Connector.Open(ctx, sc)
	if err != nil {
		return nil, err
	}
	as, ok := st.(*superoffice.ActivityStore)
	if !ok {
		return st, nil
	}
	return crashStore{as, c.h}, nil
}

type crashStore struct {
	*superoffice.ActivityStore
	h *e2e
}

func (s crashStore) Create(ctx context.Context, it engine.Item, marker string) (engine.Remote, error) {
	r, err := s.ActivityStore.Create(ctx, it, marker)
	if err == nil && s.h.crash {
		return engine.Remote{}, errors.New("simulated crash after the POST")
	}
	return r, err
}

func newE2E(t *testing.T) *e2e {
	h := &e2e{t: t, tn: newTenant(t), ref: reference.NewServer(time.Now)}
	// The push intake stand-in: verifies the signature with the webhook secret, then hands the body to the
	// connector (as engine/push does before triggering the job).
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		fail := h.fail
		h.mu.Unlock()
		secret, _ := h.tn.secrets.Get(r.Context(), superoffice.SecretWebhook)
		if fail || !superoffice.VerifySignature(string(secret), body, r.Header.Get("X-SuperOffice-Signature")) {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		var p superoffice.WebhookPayload
		_ = json.Unmarshal(body, &p)
		if p.Event != "test" {
			if _, err := h.conn.HandleWebhook(r.Context(), body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		h.mu.Lock()
		h.hooks = append(h.hooks, p.Event)
		h.mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	var err error
	h.conn, err = superoffice.NewConnector(h.tn.raw(t, map[string]any{"titleTemplate": "{title}"}),
		engine.Env{HTTP: h.tn.http, Secrets: h.tn.secrets, PublicURL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	h.eng, err = engine.New(engine.Config{KV: engine.NewMemKV(), HTTP: h.tn.http,
		Secrets: func(string) engine.Secrets { return h.tn.secrets },
		Connectors: map[string]engine.Factory{
			"superoffice": func(context.Context, json.RawMessage, engine.Env) (engine.Connector, error) {
				return crashConn{h.conn, h}, nil
			},
			"reference": h.ref.Factory(),
		}})
	if err != nil {
		t.Fatal(err)
	}
	big := engine.Threshold{Count: 100000, Percent: 100}
	if _, err := h.eng.PutProfile(engine.Profile{ID: "p1", Name: "so",
		CRM:     engine.SystemRef{Type: "superoffice", Instance: "so", Settings: h.tn.raw(t, nil)},
		Mailbox: engine.SystemRef{Type: "reference", Instance: "mb", Settings: json.RawMessage(`{"model":"delta"}`)},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay, engine.KindTask: engine.DirTwoWay,
			engine.KindContact: engine.DirTwoWay},
		DaysBack: 30, DaysAhead: 250,
		Guard: engine.Guard{Deletes: big, Creates: big, ProfileDeletes: 100000, ProfileCreates: 100000, ProfileWindow: 3600}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.LinkUser("p1", engine.LinkedUser{ID: "alice", CRM: engine.Account{ID: strconv.Itoa(alice), Email: "alice@example.com"},
		Mailbox: engine.Account{ID: "alice-mb", Email: "alice@example.com"}}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *e2e) run(kind engine.Kind) error {
	h.t.Helper()
	h.tn.fake.Flush()
	id, err := h.eng.RunSync(context.Background(), "p1", "alice", kind, "test")
	if err != nil {
		r, _, _ := h.eng.Run(id)
		return errors.New(err.Error() + " / run " + r.Error)
	}
	q, _ := h.eng.Quarantine("p1")
	if len(q) > 0 {
		return errors.New("quarantined: " + q[0].Reason)
	}
	return nil
}

func (h *e2e) mustRun(kind engine.Kind) {
	h.t.Helper()
	if err := h.run(kind); err != nil {
		h.t.Fatal(err)
	}
}

// crmItems lists alice's items of kind in SuperOffice through a fresh store.
func (h *e2e) crmItems(kind engine.Kind) map[string]engine.Item {
	h.t.Helper()
	s := h.tn.open(h.t, h.conn, kind, strconv.Itoa(alice))
	page, err := s.Changes(context.Background(), "")
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]engine.Item{}
	for _, c := range page.Changes {
		out[c.ID] = c.Item
	}
	return out
}

func byTitle(items map[string]engine.Item) map[string]engine.Item {
	out := map[string]engine.Item{}
	for _, it := range items {
		switch v := it.(type) {
		case *engine.Appointment:
			out[v.Title] = v
		case *engine.Task:
			out[v.Title] = v
		case *engine.Contact:
			out[v.FamilyName] = v
		}
	}
	return out
}

// occurrencesEqual reports whether two appointments happen at exactly the same instants.
func occurrencesEqual(a, b *engine.Appointment) bool {
	oa := engine.Occurrences(a, time.Time{}, time.Time{})
	ob := engine.Occurrences(b, time.Time{}, time.Time{})
	if len(oa) != len(ob) {
		return false
	}
	for i := range oa {
		if !oa[i].Start.Equal(ob[i].Start) || !oa[i].End.Equal(ob[i].End) {
			return false
		}
	}
	return true
}

func TestEndToEnd(t *testing.T) {
	h := newE2E(t)
	ctx := context.Background()
	if _, err := h.conn.EnsureWebhook(ctx, memRegistry{}, "p1"); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	oslo, _ := time.LoadLocation("Europe/Oslo")
	at := func(days, hour int) time.Time {
		d := now.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, oslo).UTC()
	}
	co := h.tn.fake.AddCompany("Contoso")
	// CRM side: a meeting with every field, a private all-day event, a recurring series (rows sharing a rule).
	rid := h.tn.fake.NewRecurrenceID()
	rc := &superoffice.RecurrenceInfo{RecurrenceID: rid, IsRecurrence: true, Pattern: "Daily", RecurrenceEndType: "Counter",
		RecurrenceCounter: 3, DayPattern: &superoffice.RecurrenceDayPattern{Pattern: "EveryCyclicDay", Cycle: 1},
		StartDate: at(2, 8).In(oslo).Format("2006-01-02")}
	rows := []superoffice.AppointmentEntity{
		{Title: "Kickoff", Description: "bring slides", Location: "HQ", StartDate: superoffice.FormatTime(at(1, 10), time.UTC),
			EndDate: superoffice.FormatTime(at(1, 11), time.UTC), Private: "Public", Type: "inDiary", HasAlarm: true, AlarmLeadTime: "PT10M",
			Contact: &superoffice.ContactRef{ContactID: co}, Task: &superoffice.TaskListItem{TaskListItemID: 1},
			Participants: []superoffice.ParticipantInfo{{EmailAddress: "carol@contoso.com", ExternallyOwnedType: "Required", ExternallyOwnedStatus: "Accepted"}}},
		{Title: "Holiday", StartDate: superoffice.FormatTime(at(3, 0), time.UTC), EndDate: superoffice.FormatTime(at(4, 0), time.UTC),
			IsAlldayEvent: true, IsFree: true, Private: "PrivateGroup", Type: "inDiary", Task: &superoffice.TaskListItem{TaskListItemID: 4}},
	}
	for i := range 3 {
		rows = append(rows, superoffice.AppointmentEntity{Title: "Daily", StartDate: superoffice.FormatTime(at(2+i, 8), time.UTC),
			EndDate: superoffice.FormatTime(at(2+i, 8).Add(15*time.Minute), time.UTC), Type: "inDiary", Recurrence: rc,
			Task: &superoffice.TaskListItem{TaskListItemID: 1}})
	}
	if _, err := h.tn.fake.Seed(alice, rows...); err != nil {
		t.Fatal(err)
	}
	// Mailbox side: a New York series crossing both DST changes of next spring, with an exception.
	ny, _ := time.LoadLocation("America/New_York")
	first := time.Date(now.Year(), now.Month(), now.Day()+5, 9, 0, 0, 0, ny)
	series := &engine.Appointment{Title: "NY sync", Start: first.UTC(), End: first.Add(45 * time.Minute).UTC(), TimeZone: "America/New_York",
		Recurrence: &engine.Rule{Freq: engine.Weekly, Count: 30,
			Excluded: []time.Time{first.AddDate(0, 0, 14).UTC()}}}
	h.ref.Put("alice-mb", series)
	h.ref.Put("alice-mb", &engine.Appointment{Title: "Dentist", Start: at(6, 15), End: at(6, 16), TimeZone: "Europe/Oslo", Private: true,
		Reminder: engine.DurationOf(30 * time.Minute)})

	h.mustRun(engine.KindAppointment)
	mb := byTitle(h.ref.Items("alice-mb", engine.KindAppointment))
	crm := byTitle(h.crmItems(engine.KindAppointment))
	for _, title := range []string{"Kickoff", "Holiday", "Daily", "NY sync", "Dentist"} {
		a, b := mb[title], crm[title]
		if a == nil || b == nil {
			t.Fatalf("%q missing: mailbox %v, crm %v", title, a != nil, b != nil)
		}
		if !occurrencesEqual(a.(*engine.Appointment), b.(*engine.Appointment)) {
			t.Fatalf("%q differs in time:\nmailbox %+v\ncrm     %+v", title, a, b)
		}
	}
	k := mb["Kickoff"].(*engine.Appointment)
	if k.Body != "bring slides" || k.Location != "HQ" || k.Reminder == nil || k.Reminder.D() != 10*time.Minute || len(k.Links) != 1 ||
		k.Links[0].Name != "Contoso" || len(k.Attendees) != 1 || k.Attendees[0].Response != engine.ResponseAccepted || k.Type != "Meeting" {
		t.Fatalf("Kickoff reached the mailbox as %+v", k)
	}
	if hd := mb["Holiday"].(*engine.Appointment); !hd.AllDay || !hd.Private || hd.ShowAs != engine.ShowFree ||
		!hd.Start.Equal(now.AddDate(0, 0, 3)) || !hd.End.Equal(now.AddDate(0, 0, 4)) {
		t.Fatalf("Holiday reached the mailbox as %+v", hd)
	}
	if d := mb["Daily"].(*engine.Appointment); d.Recurrence == nil || d.Recurrence.Count != 3 {
		t.Fatalf("the CRM series reached the mailbox as %+v", d)
	}
	if d := crm["Dentist"].(*engine.Appointment); !d.Private || d.Reminder == nil {
		t.Fatalf("Dentist reached the CRM as %+v", d)
	}

	// Our own writes are not echoed: a second run writes nothing anywhere.
	h.tn.fake.Flush()
	writes, calls, before := h.ref.Writes(), h.tn.fake.Calls(), len(h.tn.rec.exchanges())
	h.mustRun(engine.KindAppointment)
	if h.ref.Writes() != writes {
		t.Fatalf("the no-change run wrote %d times to the mailbox", h.ref.Writes()-writes)
	}
	if n := countWrites(h.tn.rec.exchanges()[before:]); n != 0 {
		t.Fatalf("the no-change run wrote %d times to SuperOffice (echo of our own writes)", n)
	}
	t.Logf("no-change run: %d SuperOffice calls", h.tn.fake.Calls()-calls)

	// Webhook path: a CRM user edits the meeting; the signed webhook arrives, the next run copies the change.
	kickID := idOf(t, h.crmItems(engine.KindAppointment), "Kickoff")
	if err := h.tn.fake.Edit(mustInt(t, kickID), alice, func(e *superoffice.AppointmentEntity, s, en *time.Time) {
		e.Title = "Kickoff (moved)"
		*s, *en = s.Add(time.Hour), en.Add(time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	h.tn.fake.Flush()
	h.mu.Lock()
	gotHook := len(h.hooks) > 0 && h.hooks[len(h.hooks)-1] == "activity.changed"
	h.mu.Unlock()
	if !gotHook {
		t.Fatalf("no signed webhook arrived: %v", h.hooks)
	}
	h.mustRun(engine.KindAppointment)
	if m := byTitle(h.ref.Items("alice-mb", engine.KindAppointment))["Kickoff (moved)"]; m == nil || !m.(*engine.Appointment).Start.Equal(at(1, 11)) {
		t.Fatalf("the webhook-announced change did not arrive: %+v", m)
	}
	// A delete announced by webhook (no tombstone otherwise) reaches the mailbox.
	if err := h.tn.fake.Remove(mustInt(t, kickID), alice, false); err != nil {
		t.Fatal(err)
	}
	h.mustRun(engine.KindAppointment)
	if byTitle(h.ref.Items("alice-mb", engine.KindAppointment))["Kickoff (moved)"] != nil {
		t.Fatal("the webhook-announced delete did not reach the mailbox")
	}

	// Polling path: the webhook fails until SuperOffice sets it to TooManyErrors; EnsureWebhook re-activates it.
	h.mu.Lock()
	h.fail = true
	h.mu.Unlock()
	dentID := idOf(t, h.crmItems(engine.KindAppointment), "Dentist")
	for i := range superofficeMaxErrors {
		_ = h.tn.fake.Edit(mustInt(t, dentID), alice, func(e *superoffice.AppointmentEntity, _, _ *time.Time) {
			e.Location = "Room " + strconv.Itoa(i)
		})
	}
	h.tn.fake.Flush()
	if st := h.tn.fake.Webhooks()[0].State; st != "TooManyErrors" {
		t.Fatalf("webhook state %s after %d failures", st, superofficeMaxErrors)
	}
	h.mustRun(engine.KindAppointment) // polling still converges
	if d := byTitle(h.ref.Items("alice-mb", engine.KindAppointment))["Dentist"].(*engine.Appointment); d.Location != "Room 8" {
		t.Fatalf("polling missed the change: %+v", d)
	}
	h.mu.Lock()
	h.fail = false
	h.mu.Unlock()
	if _, err := h.conn.EnsureWebhook(ctx, memRegistry{}, "p1"); err != nil {
		t.Fatal(err)
	}
	if st := h.tn.fake.Webhooks()[0].State; st != "Active" {
		t.Fatalf("webhook state %s after EnsureWebhook", st)
	}
	// A delete nobody announced (webhook down) is found by the reconciliation of the id set.
	if err := h.tn.fake.Remove(mustInt(t, dentID), alice, true); err != nil {
		t.Fatal(err)
	}
	h.mustRun(engine.KindAppointment)
	if byTitle(h.ref.Items("alice-mb", engine.KindAppointment))["Dentist"] != nil {
		t.Fatal("reconciliation did not find the silent delete")
	}

	// Crash recovery: the POST reaches SuperOffice but the run dies before recording it; the next run finds the
	// item by its marker and creates no duplicate.
	h.ref.Put("alice-mb", &engine.Appointment{Title: "Lunch", Start: at(7, 12), End: at(7, 13), TimeZone: "Europe/Oslo"})
	h.crash = true
	if err := h.run(engine.KindAppointment); err == nil {
		t.Fatal("the simulated crash did not fail the run")
	}
	h.crash = false
	h.mustRun(engine.KindAppointment)
	n := 0
	for _, it := range h.crmItems(engine.KindAppointment) {
		if it.(*engine.Appointment).Title == "Lunch" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d Lunch appointments in SuperOffice after the crash, want 1", n)
	}
}

const superofficeMaxErrors = 9

func countWrites(ex []exchange) int {
	n := 0
	for _, e := range ex {
		if e.Method != http.MethodGet {
			n++
		}
	}
	return n
}

func idOf(t *testing.T, items map[string]engine.Item, title string) string {
	t.Helper()
	for id, it := range items {
		if a, ok := it.(*engine.Appointment); ok && a.Title == title {
			return id
		}
	}
	t.Fatalf("no %q", title)
	return ""
}

type memRegistry struct{}

func (memRegistry) RegisterPush(context.Context, engine.PushSubscription) error { return nil }
func (memRegistry) UnregisterPush(context.Context, string, string, string) error {
	return nil
}

// TestEndToEndTasksAndContacts syncs checklist tasks and persons both ways through the engine, and checks that a
// second run writes nothing (our own writes are not echoed back).
func TestEndToEndTasksAndContacts(t *testing.T) {
	h := newE2E(t)
	now := time.Now().UTC().Truncate(24 * time.Hour)
	co := h.tn.fake.AddCompany("Northwind")
	due := now.AddDate(0, 0, 2).Add(9 * time.Hour)
	if _, err := h.tn.fake.Seed(alice, superoffice.AppointmentEntity{Title: "Send offer", Description: "v2", Type: "inChecklist",
		StartDate: superoffice.FormatTime(due, time.UTC), EndDate: superoffice.FormatTime(due, time.UTC), Task: &superoffice.TaskListItem{TaskListItemID: 3},
		Contact: &superoffice.ContactRef{ContactID: co}}); err != nil {
		t.Fatal(err)
	}
	h.ref.Put("alice-mb", &engine.Task{Title: "Renew licence", Due: now.AddDate(0, 0, 5), DueAllDay: true, Private: true})
	h.tn.fake.SeedPerson(alice, superoffice.PersonEntity{Firstname: "Nora", Lastname: "Berg", Title: "Buyer",
		Emails:       []superoffice.EntityElement{{Value: "nora@northwind.example", Description: "work"}},
		MobilePhones: []superoffice.EntityElement{{Value: "+47 900 00 000"}}, Contact: &superoffice.ContactRef{ContactID: co},
		Associate: &superoffice.Associate{AssociateID: alice}})
	h.ref.Put("alice-mb", &engine.Contact{GivenName: "Ola", FamilyName: "Nordmann", Emails: []engine.Labeled{{Label: "home", Value: "ola@example.com"}},
		Birthday: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)})
	for _, k := range []engine.Kind{engine.KindTask, engine.KindContact} {
		h.mustRun(k)
		mb := byTitle(h.ref.Items("alice-mb", k))
		crm := byTitle(h.crmItems(k))
		if len(mb) != 2 || len(crm) != 2 {
			t.Fatalf("%s: mailbox %d, crm %d items", k, len(mb), len(crm))
		}
		for key, a := range mb {
			b := crm[key]
			// SuperOffice gives every task a type; an item created from the mailbox gets the default one.
			if at, ok := a.(*engine.Task); ok && at.Type == "" && b != nil {
				bt := *b.(*engine.Task)
				bt.Type = ""
				b = &bt
			}
			if b == nil || !same(a, b) {
				t.Fatalf("%s %q differs:\nmailbox %+v\ncrm     %+v", k, key, engine.Normalize(a), engine.Normalize(b))
			}
		}
		h.tn.fake.Flush()
		writes, before := h.ref.Writes(), len(h.tn.rec.exchanges())
		h.mustRun(k)
		if h.ref.Writes() != writes || countWrites(h.tn.rec.exchanges()[before:]) != 0 {
			t.Fatalf("%s: the no-change run wrote", k)
		}
	}
	if tk := byTitle(h.ref.Items("alice-mb", engine.KindTask))["Send offer"].(*engine.Task); tk.Type != "Follow-up" || len(tk.Links) != 1 || !tk.Due.Equal(due) {
		t.Fatalf("task reached the mailbox as %+v", tk)
	}
}
