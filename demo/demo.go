// Package demo runs Synchronizer's demo mode: it starts the fakes of the finished connectors on loopback (the
// SuperOffice CRM fake of engine/superoffice/superofficetest and the Microsoft Graph fake of
// engine/msgraph/msgraphtest), fills them with sample data — five CRM users with appointments (weekly series, one
// series with a moved occurrence, all-day ones, conflict candidates), checklist tasks, the customer contacts
// (persons) each user is "our contact" for and three static selections of them, and their mailboxes with a few
// events and a To Do task of their own — and describes a ready profile and its linked users, so that `synchronizer
// serve --demo` shows sync working in the browser within seconds: appointments and tasks both ways, contacts both
// ways, and the selections as contact folders in the mailboxes. With Options.AutoDiverge, it edits one appointment
// per user on both sides after its first sync, so the conflicts inbox fills on the next poll.
//
// The package is top-level, not under engine/, because it wires the fakes of several connectors together, and no
// connector package may import another connector. Nothing here is used outside demo mode and the tests.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

// The demo profile's identity and the connector instances it uses.
const (
	ProfileID       = "demo"
	CRMInstance     = "demo-superoffice"
	MailboxInstance = "demo-m365"
	// Zone is the time zone of the demo company.
	Zone = "Europe/Oslo"

	basicUser    = "demo-sync"
	basicPass    = "demo-password" //nolint:gosec // G101: the loopback fake's published demo credential.
	graphClient  = "demo-client"
	graphSecret  = "demo-client-secret" //nolint:gosec // G101: the loopback fake's published demo credential.
	firstAssocID = 101
)

// Options configure Start.
type Options struct {
	// Logger receives the demo's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock the sample data is placed around; nil means time.Now.
	Now func() time.Time
	// AutoDiverge makes the demo watch for the first sync of its conflict candidates and then edit them on both
	// sides (see Diverge), so the next sync records conflicts without anyone's help. The server sets it; tests
	// call Diverge themselves.
	AutoDiverge bool
}

// Person is one demo user: a SuperOffice associate and the Microsoft 365 mailbox with the same address.
type Person struct {
	Name        string
	Email       string
	AssociateID int32
	GraphID     string
}

// Demo is a running demo: the two fakes, the people, and the profile that links them.
type Demo struct {
	log    *slog.Logger
	now    func() time.Time
	so     *superofficetest.Server
	graph  *msgraphtest.Server
	people []Person
	// customers and selections are the CRM persons and selections seedCustomers made.
	customers  []Customer
	selections []Selection
	crm        json.RawMessage
	mbox       json.RawMessage
	// partnerKey is the PEM private key of the fake's partner application (SuperOffice Online's system user): stored
	// as the CRM connection's partner_key, so a SuperOffice Online system on that connection works after "Sign in
	// with SuperOffice" with the fake's OpenID Connect client (superofficetest.ClientID / ClientSecret).
	partnerKey string

	mu        sync.Mutex
	diverged  map[int32]bool // associate ids whose conflict candidate Diverge edited
	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

var people = []Person{
	{Name: "Ada Lind", Email: "ada@demo.example"},
	{Name: "Bjørn Haug", Email: "bjorn@demo.example"},
	{Name: "Camille Roy", Email: "camille@demo.example"},
	{Name: "Dev Patel", Email: "dev@demo.example"},
	{Name: "Eva Berg", Email: "eva@demo.example"},
}

// conflictTitles are the appointments Diverge edits on both sides: one per user, timed, not recurring.
func conflictTitle(p Person) string { return "Pipeline review with " + p.Name }

// Start starts both fakes on 127.0.0.1 and seeds them. Close stops them.
func Start(ctx context.Context, opts Options) (*Demo, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	zone, err := time.LoadLocation(Zone)
	if err != nil {
		return nil, fmt.Errorf("demo: time zone %s: %w", Zone, err)
	}
	d := &Demo{log: opts.Logger, now: opts.Now, done: make(chan struct{}), diverged: map[int32]bool{}}
	pemKey, pub := superofficetest.PartnerKeyPEM()
	d.partnerKey = pemKey
	d.so = superofficetest.New(superofficetest.Options{Now: opts.Now, Zone: zone, PartnerKey: pub})
	soURL := d.so.Start()
	d.so.SetBasic(basicUser, basicPass)
	d.graph = msgraphtest.New(msgraphtest.Options{Logger: opts.Logger.With("fake", "msgraph")})
	d.graph.AddClient(graphClient, graphSecret)
	for i, p := range people {
		p.AssociateID = int32(firstAssocID + i) //nolint:gosec // G115: five people.
		p.GraphID = "demo-user-" + strconv.Itoa(i+1)
		d.so.AddAssociate(p.AssociateID, p.Name, p.Email)
		d.graph.AddUser(msgraphtest.User{ID: p.GraphID, Mail: p.Email, UPN: p.Email, DisplayName: p.Name,
			ProxyAddresses: []string{"SMTP:" + p.Email}})
		d.people = append(d.people, p)
	}
	d.crm = mustJSON(superoffice.Settings{Mode: "onsite", BaseURL: soURL + "/api/", User: basicUser, TimeZone: Zone,
		TitleTemplate: "{title}"})
	d.mbox = mustJSON(msgraph.Settings{TenantID: d.graph.Tenant, ClientID: graphClient, Authority: d.graph.URL,
		GraphURL: d.graph.URL})
	if err := d.seed(ctx, zone); err != nil {
		d.Close()
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.stop = cancel
	if opts.AutoDiverge {
		go d.watch(wctx)
	} else {
		close(d.done)
	}
	d.log.Info("demo fakes started", "superoffice", soURL, "msgraph", d.graph.URL, "users", len(d.people))
	return d, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return b
}

// Secrets returns the secrets the demo's connector instances need, by instance and name. Put them into the
// engine's secret store (engine.KVSecrets(kv)(instance).Put) before the first sync.
func (d *Demo) Secrets() map[string]map[string][]byte {
	return map[string]map[string][]byte{
		CRMInstance:     {superoffice.SecretPassword: []byte(basicPass), superoffice.SecretPartnerKey: []byte(d.partnerKey)},
		MailboxInstance: {msgraph.SecretClientSecret: []byte(graphSecret)},
	}
}

// Connectors returns the engine factories of the connector types the profile uses (the real connectors).
func Connectors() map[string]engine.Factory {
	return map[string]engine.Factory{superoffice.System: superoffice.New, msgraph.Type: msgraph.New}
}

// Kinds lists the kinds the demo profile syncs, in the order of a user's first runs (FirstRuns): appointments
// first (what the users grid and the conflicts show), then tasks, then contacts before groups — a group's members
// in the mailbox are the synced contacts, so a group run after the contacts run writes its members at once.
var Kinds = []engine.Kind{engine.KindAppointment, engine.KindTask, engine.KindContact, engine.KindGroup}

// Profile returns the ready demo profile: SuperOffice ⇄ Microsoft 365, appointments, tasks and contacts two-way,
// the selections CRM → mailbox as contact folders (the msgraph default, groups: folders; selections are read-only
// in SuperOffice), the newest change wins a conflict.
func (d *Demo) Profile() engine.Profile {
	return engine.Profile{ID: ProfileID, Name: "Demo: SuperOffice ⇄ Microsoft 365",
		CRM:     engine.SystemRef{Type: superoffice.System, Instance: CRMInstance, Settings: d.crm},
		Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: MailboxInstance, Settings: d.mbox},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay, engine.KindTask: engine.DirTwoWay,
			engine.KindContact: engine.DirTwoWay, engine.KindGroup: engine.DirCRMToMailbox},
		DaysBack: 14, DaysAhead: 60, Policy: engine.PolicyNewest, OnDelete: engine.UpdateWins,
		Guard: engine.DefaultGuard(), PollSeconds: 30}
}

// FirstRuns returns the requests that start every demo user's first runs now, each user's kinds in Kinds order
// (the scheduler serves one user's queue in order, one job at a time), with the trigger of a newly linked user.
// The server gives them to the scheduler's TriggerBatch right after Start, so the first runs do not wait for
// their polls, which the scheduler spreads over the 30-second interval.
func (d *Demo) FirstRuns() []engine.SyncRequest {
	out := make([]engine.SyncRequest, 0, len(d.people)*len(Kinds))
	for _, u := range d.Users() {
		for _, k := range Kinds {
			out = append(out, engine.SyncRequest{Profile: ProfileID, User: u.ID, Kind: k, Trigger: scheduler.TriggerLink})
		}
	}
	return out
}

// Users returns the five linked users of the demo profile.
func (d *Demo) Users() []engine.LinkedUser {
	out := make([]engine.LinkedUser, 0, len(d.people))
	for _, p := range d.people {
		out = append(out, engine.LinkedUser{ID: "user-" + strconv.Itoa(int(p.AssociateID)),
			CRM:     engine.Account{ID: strconv.Itoa(int(p.AssociateID)), Email: p.Email, Name: p.Name},
			Mailbox: engine.Account{ID: p.GraphID, Email: p.Email, Name: p.Name}})
	}
	return out
}

// People returns the demo users.
func (d *Demo) People() []Person { return append([]Person(nil), d.people...) }

// SuperOffice returns the CRM fake (tests read and edit it).
func (d *Demo) SuperOffice() *superofficetest.Server { return d.so }

// Graph returns the Microsoft Graph fake.
func (d *Demo) Graph() *msgraphtest.Server { return d.graph }

// Close stops the watcher and both fakes.
func (d *Demo) Close() {
	d.closeOnce.Do(func() {
		if d.stop != nil {
			d.stop()
			<-d.done
		}
		d.so.Close()
		d.graph.Close()
	})
}

type memSecrets map[string][]byte

func (m memSecrets) Get(_ context.Context, n string) ([]byte, error) {
	if v, ok := m[n]; ok {
		return v, nil
	}
	return nil, engine.ErrNotFound
}
func (m memSecrets) Put(_ context.Context, n string, v []byte) error { m[n] = v; return nil }
func (m memSecrets) Delete(_ context.Context, n string) error        { delete(m, n); return nil }

// seed writes each user's appointments and tasks through the real connectors, as the users would have made them,
// and their customers and the selections of them into the CRM fake.
func (d *Demo) seed(ctx context.Context, zone *time.Location) error {
	hc := &http.Client{Timeout: 30 * time.Second}
	sec := d.Secrets()
	crm, err := superoffice.NewConnector(d.crm, engine.Env{Logger: d.log, Now: d.now, HTTP: hc, Secrets: memSecrets(sec[CRMInstance])})
	if err != nil {
		return fmt.Errorf("demo: superoffice connector: %w", err)
	}
	mb, err := msgraph.New(ctx, d.mbox, engine.Env{Logger: d.log, Now: d.now, HTTP: hc, Secrets: memSecrets(sec[MailboxInstance])})
	if err != nil {
		return fmt.Errorf("demo: msgraph connector: %w", err)
	}
	today := d.now().In(zone)
	day := func(n int) time.Time { return time.Date(today.Year(), today.Month(), today.Day()+n, 0, 0, 0, 0, zone) }
	at := func(n, h, m int) time.Time {
		return day(n).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	allDay := func(n, days int) (time.Time, time.Time) {
		s := day(n)
		st := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, time.UTC)
		return st, st.AddDate(0, 0, days)
	}
	win := engine.Window{From: day(-30).UTC(), To: day(120).UTC()}
	if err := d.seedCustomers(); err != nil {
		return err
	}
	if err := d.seedTasks(ctx, crm, mb, win, day); err != nil {
		return err
	}
	for i, p := range d.people {
		cs, err := crm.Open(ctx, engine.Scope{Account: engine.Account{ID: strconv.Itoa(int(p.AssociateID)), Email: p.Email},
			Kind: engine.KindAppointment, Window: win})
		if err != nil {
			return fmt.Errorf("demo: open %s's diary: %w", p.Name, err)
		}
		ms, err := mb.Open(ctx, engine.Scope{Account: engine.Account{ID: p.GraphID, Email: p.Email},
			Kind: engine.KindAppointment, Window: win})
		if err != nil {
			return fmt.Errorf("demo: open %s's mailbox: %w", p.Name, err)
		}
		timed := func(title, loc string, st time.Time, dur time.Duration) *engine.Appointment {
			return &engine.Appointment{Title: title, Location: loc, Start: st.UTC(), End: st.Add(dur).UTC(), TimeZone: Zone,
				Body: "Sample appointment of the Synchronizer demo."}
		}
		h := i % 3 // spread the users' days a little
		// The weekly team meeting: ten weeks.
		series := timed("Weekly sales meeting", "Room Fjord", at(1+i, 9+h, 0), time.Hour)
		series.Recurrence = &engine.Rule{Freq: engine.Weekly, Count: 10}
		hs, he := allDay(20+i, 2)
		conf := allDay
		cs1, ce1 := conf(35+i, 1)
		crmItems := []*engine.Appointment{
			series,
			timed(conflictTitle(p), "Teams", at(2+i, 13, 0), 45*time.Minute),
			timed("Customer visit: Nordlys AS", "Storgata 1, Oslo", at(3+i, 10+h, 30), 90*time.Minute),
			timed("Call with Vestby Bygg", "", at(4, 15, 0), 30*time.Minute),
			timed("Quarterly forecast", "Board room", at(-3, 14, 0), time.Hour),
			{Title: "Holiday", AllDay: true, Start: hs, End: he, ShowAs: engine.ShowOutOfOffice},
			{Title: "Trade fair Lillestrøm", AllDay: true, Start: cs1, End: ce1, Location: "Lillestrøm"},
		}
		if i == len(d.people)-1 {
			// The last user's one-to-ones: a weekly series with one occurrence moved an hour later.
			oneToOne := timed(ExceptionSeriesTitle, "Eva's office", at(1, 14, 0), 30*time.Minute)
			oneToOne.Recurrence = &engine.Rule{Freq: engine.Weekly, Count: 6}
			moved := *oneToOne
			moved.Recurrence = nil
			moved.Start, moved.End = at(15, 15, 0).UTC(), at(15, 15, 30).UTC()
			oneToOne.Recurrence.Overrides = []engine.Override{{OriginalStart: at(15, 14, 0).UTC(), Item: &moved}}
			crmItems = append(crmItems, oneToOne)
		}
		for _, a := range crmItems {
			if _, err := cs.Create(ctx, a, ""); err != nil {
				return fmt.Errorf("demo: seed %s's appointment %q in SuperOffice: %w", p.Name, a.Title, err)
			}
		}
		mbItems := []*engine.Appointment{
			timed("Dentist", "", at(5+i, 8, 0), 45*time.Minute),
			timed("Lunch with "+d.people[(i+1)%len(d.people)].Name, "Kantina", at(2+i, 11, 30), time.Hour),
		}
		for _, a := range mbItems {
			if _, err := ms.Create(ctx, a, ""); err != nil {
				return fmt.Errorf("demo: seed %s's event %q in Microsoft 365: %w", p.Name, a.Title, err)
			}
		}
	}
	return nil
}

// ExceptionSeriesTitle is the title of the last demo user's weekly series with one occurrence moved.
const ExceptionSeriesTitle = "One-to-one with the sales manager"

// ErrNotSynced is returned by Diverge while no conflict candidate has been synced to the mailbox yet.
var ErrNotSynced = errors.New("demo: no conflict candidate is in a mailbox yet: run a sync first")

// Diverge edits each user's conflict candidate ("Pipeline review with …") on both sides once it exists in the
// mailbox: the CRM user moves it to another room, the mailbox user changes its location and subject. The next
// sync of that user records a conflict. It returns how many users' items it edited now; it edits each user's item
// once, and returns ErrNotSynced when it edited none and some are still waiting.
func (d *Demo) Diverge() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	var errs []error
	for _, p := range d.people {
		if d.diverged[p.AssociateID] {
			continue
		}
		title := conflictTitle(p)
		gid := ""
		for _, o := range d.graph.Objects(p.GraphID, "events") {
			if o["subject"] == title {
				gid, _ = o["id"].(string)
			}
		}
		var cid int32
		for _, a := range d.so.Appointments() {
			if a.Title == title && a.Associate != nil && a.Associate.AssociateID == p.AssociateID {
				cid = a.AppointmentID
			}
		}
		if gid == "" || cid == 0 {
			continue
		}
		if err := d.so.Edit(cid, p.AssociateID, func(e *superoffice.AppointmentEntity, _, _ *time.Time) {
			e.Location = "Meeting room Nord"
		}); err != nil {
			errs = append(errs, fmt.Errorf("demo: edit %s's CRM appointment %d: %w", p.Name, cid, err))
			continue
		}
		if err := d.graph.Edit(p.GraphID, "events", gid, func(o map[string]any) {
			o["location"] = map[string]any{"displayName": "Teams (new link)"}
		}); err != nil {
			errs = append(errs, fmt.Errorf("demo: edit %s's event %s: %w", p.Name, gid, err))
			continue
		}
		d.diverged[p.AssociateID] = true
		n++
	}
	if n > 0 {
		d.log.Info("demo: conflict candidates edited on both sides", "users", n)
	}
	if n == 0 && len(errs) == 0 && len(d.diverged) < len(d.people) {
		return 0, ErrNotSynced
	}
	return n, errors.Join(errs...)
}

// pending reports whether some user's conflict candidate is still to be edited.
func (d *Demo) pending() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.diverged) < len(d.people)
}

// watch calls Diverge every two seconds until every user's conflict candidate has been edited.
func (d *Demo) watch(ctx context.Context) {
	defer close(d.done)
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := d.Diverge()
		if err != nil && !errors.Is(err, ErrNotSynced) {
			d.log.Warn("demo: diverge", "err", err)
			return
		}
		if !d.pending() {
			return
		}
	}
}

// Install prepares eng for the demo: it stores the connectors' secrets through secrets (engine.KVSecrets of the
// engine's kv), saves the demo profile and links the five users. The fakes start empty of sync state on every
// start, so a demo profile left by an earlier start is reset first: its users are unlinked (dropping their links
// and cursors, which point at items of the earlier fakes) before they are linked again. It returns the profile
// as saved.
func (d *Demo) Install(ctx context.Context, eng *engine.Engine, secrets func(instance string) engine.Secrets) (engine.Profile, error) {
	if secrets == nil {
		return engine.Profile{}, errors.New("demo: no secret store: pass engine.KVSecrets(kv)")
	}
	for inst, m := range d.Secrets() {
		for name, v := range m {
			if err := secrets(inst).Put(ctx, name, v); err != nil {
				return engine.Profile{}, fmt.Errorf("demo: store secret %s of %s: %w", name, inst, err)
			}
		}
	}
	if _, err := eng.Profile(ProfileID); err == nil {
		old, err := eng.Users(ProfileID)
		if err != nil {
			return engine.Profile{}, fmt.Errorf("demo: users of the earlier demo profile: %w", err)
		}
		for _, u := range old {
			if err := eng.UnlinkUser(ProfileID, u.ID); err != nil {
				return engine.Profile{}, fmt.Errorf("demo: unlink %s of the earlier demo profile: %w", u.ID, err)
			}
		}
	} else if !errors.Is(err, engine.ErrNoSuchProfile) {
		return engine.Profile{}, fmt.Errorf("demo: read the demo profile: %w", err)
	}
	p, err := eng.PutProfile(d.Profile())
	if err != nil {
		return engine.Profile{}, fmt.Errorf("demo: save the profile: %w", err)
	}
	for _, u := range d.Users() {
		if _, err := eng.LinkUser(ProfileID, u); err != nil {
			return engine.Profile{}, fmt.Errorf("demo: link %s: %w", u.ID, err)
		}
	}
	return p, nil
}
