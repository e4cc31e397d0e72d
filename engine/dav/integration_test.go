package dav_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav"
)

// peers are the real servers the integration tests run against. Each variable holds a URL with the credentials
// (http://alice:pw@127.0.0.1:5232/alice/); scripts/ci.d/50-dav-peers.sh starts the servers and sets them.
var peers = []struct{ name, env string }{
	{"radicale", "DAV_RADICALE_URL"},
	{"xandikos", "DAV_XANDIKOS_URL"},
	{"davical", "DAV_DAVICAL_URL"},
	{"sogo", "DAV_SOGO_URL"},
}

const howTo = "start the servers and set the variables with scripts/ci.d/50-dav-peers.sh (or scripts/peers/start-*.sh)"

type peer struct {
	name     string
	settings dav.Settings
	conn     *dav.Connector
	calHome  string
	cardHome string
}

func forEachPeer(t *testing.T, fn func(t *testing.T, p *peer)) {
	t.Helper()
	ran := false
	for _, pe := range peers {
		raw := os.Getenv(pe.env)
		if raw == "" {
			continue
		}
		ran = true
		t.Run(pe.name, func(t *testing.T) {
			p := openPeer(t, pe.name, raw)
			fn(t, p)
		})
	}
	if !ran {
		t.Skip("no CalDAV server configured: " + howTo)
	}
}

func openPeer(t *testing.T, name, raw string) *peer {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: bad URL %q: %v", name, raw, err)
	}
	set := dav.Settings{URL: raw}
	if u.User != nil {
		set.Username = u.User.Username()
		set.Password, _ = u.User.Password()
		u.User = nil
		set.URL = u.String()
	}
	conn, err := dav.NewConnector(set, engine.Env{Governor: engine.NoLimits{}, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := conn.Discover(ctx)
	if err != nil {
		t.Fatalf("%s: discovery: %v", name, err)
	}
	if d.CalendarHome == "" || d.CardHome == "" {
		t.Fatalf("%s: discovery found calendar home %q and address book home %q", name, d.CalendarHome, d.CardHome)
	}
	return &peer{name: name, settings: set, conn: conn, calHome: d.CalendarHome, cardHome: d.CardHome}
}

// raw sends a request with the peer's credentials and returns status, headers and body.
func (p *peer) raw(t *testing.T, method, target string, hdr map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	u, _ := url.Parse(p.settings.URL)
	ref, _ := url.Parse(target)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u.ResolveReference(ref).String(), rd)
	if err != nil {
		t.Fatal(err)
	}
	if p.settings.Username != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(p.settings.Username+":"+p.settings.Password)))
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	var resp *http.Response
	for attempt := 0; ; attempt++ {
		if rd != nil {
			req.Body = io.NopCloser(strings.NewReader(body))
		}
		resp, err = http.DefaultClient.Do(req)
		if err == nil || attempt == 3 {
			break
		}
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// newCalendar makes a fresh calendar collection (MKCALENDAR) and returns its path.
func (p *peer) newCalendar(t *testing.T, comps ...string) string {
	t.Helper()
	href := fmt.Sprintf("%sit-%d/", p.calHome, time.Now().UnixNano())
	set := ""
	if len(comps) > 0 {
		set = `<C:supported-calendar-component-set>`
		for _, c := range comps {
			set += `<C:comp name="` + c + `"/>`
		}
		set += `</C:supported-calendar-component-set>`
	}
	st, _, body := p.raw(t, "MKCALENDAR", href, map[string]string{"Content-Type": "application/xml"},
		`<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>`+
			href+`</D:displayname>`+set+`</D:prop></D:set></C:mkcalendar>`)
	if st != http.StatusCreated {
		t.Fatalf("MKCALENDAR %s: %d %s", href, st, body)
	}
	t.Cleanup(func() { p.raw(t, "DELETE", href, nil, "") })
	return href
}

// newAddressBook makes a fresh address book (extended MKCOL) and returns its path.
func (p *peer) newAddressBook(t *testing.T) string {
	t.Helper()
	href := fmt.Sprintf("%sit-%d/", p.cardHome, time.Now().UnixNano())
	st, _, body := p.raw(t, "MKCOL", href, map[string]string{"Content-Type": "application/xml"},
		`<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><D:displayname>`+
			href+`</D:displayname></D:prop></D:set></D:mkcol>`)
	if st != http.StatusCreated {
		t.Fatalf("MKCOL %s: %d %s", href, st, body)
	}
	t.Cleanup(func() { p.raw(t, "DELETE", href, nil, "") })
	return href
}

func (p *peer) open(t *testing.T, href string, kind engine.Kind) *dav.Collection {
	t.Helper()
	// A new connector per store, as after a restart: nothing is shared but the server.
	conn, err := dav.NewConnector(p.settings, engine.Env{Governor: engine.NoLimits{}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := conn.OpenCollection(context.Background(), engine.Scope{Kind: kind, Container: href})
	if err != nil {
		t.Fatalf("open %s: %v", href, err)
	}
	return s
}

func mustTime(t *testing.T, zone, v string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := time.ParseInLocation("2006-01-02 15:04", v, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC()
}

// series is a weekly New York meeting with an exception, a moved occurrence and attendees: the recurrence and
// time-zone case every server must keep.
func series(t *testing.T) *engine.Appointment {
	start := mustTime(t, "America/New_York", "2026-03-02 09:00")
	moved := mustTime(t, "America/New_York", "2026-03-16 11:00")
	return &engine.Appointment{
		Title: "Weekly sync; with \"quotes\", commas and a\nnewline", Location: "Room 1",
		Start: start, End: start.Add(time.Hour), TimeZone: "America/New_York",
		Recurrence: &engine.Rule{Freq: engine.Weekly, ByDay: []engine.Weekday{{Day: time.Monday}}, Count: 10, WeekStart: time.Monday,
			Excluded: []time.Time{mustTime(t, "America/New_York", "2026-03-09 09:00")},
			Overrides: []engine.Override{{OriginalStart: mustTime(t, "America/New_York", "2026-03-16 09:00"),
				Item: &engine.Appointment{Title: "Weekly sync (moved)", Start: moved, End: moved.Add(time.Hour), TimeZone: "America/New_York"}}}},
		Attendees:  []engine.Attendee{{Email: "bob@example.com", Name: "Bob", Response: engine.ResponseAccepted}},
		Categories: []string{"Blue", "Work"}, Reminder: engine.DurationOf(15 * time.Minute),
		Links: []engine.CRMLink{{Type: engine.LinkCompany, ID: "42", Name: "Acme"}},
	}
}

func checkSeries(t *testing.T, want, got *engine.Appointment) {
	t.Helper()
	if got.Title != want.Title || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) || got.TimeZone != want.TimeZone {
		t.Fatalf("appointment changed on the server:\n got %q %s–%s %s\nwant %q %s–%s %s", got.Title, got.Start, got.End, got.TimeZone,
			want.Title, want.Start, want.End, want.TimeZone)
	}
	r := got.Recurrence
	if r == nil || r.Freq != engine.Weekly || r.Count != 10 || len(r.Excluded) != 1 || !r.Excluded[0].Equal(want.Recurrence.Excluded[0]) {
		t.Fatalf("recurrence lost: %+v", r)
	}
	if len(r.Overrides) != 1 || !r.Overrides[0].OriginalStart.Equal(want.Recurrence.Overrides[0].OriginalStart) ||
		!r.Overrides[0].Item.Start.Equal(want.Recurrence.Overrides[0].Item.Start) || r.Overrides[0].Item.Title != "Weekly sync (moved)" {
		t.Fatalf("override lost: %+v", r.Overrides)
	}
	if got.Reminder == nil || *got.Reminder != *want.Reminder || len(got.Links) != 1 || got.Links[0] != want.Links[0] {
		t.Fatalf("reminder or links lost: %v %v", got.Reminder, got.Links)
	}
}

func TestIntegrationDiscoveryAndCheck(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		cal := p.newCalendar(t)
		book := p.newAddressBook(t)
		set := p.settings
		set.Calendar, set.AddressBook = cal, book
		conn, err := dav.NewConnector(set, engine.Env{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range conn.Check(context.Background(), nil) {
			t.Logf("check %s: %s %s", r.Name, r.Status, r.Detail)
			if r.Status == engine.CheckFailed {
				t.Errorf("check %q failed: %s", r.Name, r.Detail)
			}
		}
		bad := set
		bad.Password = "wrong-password"
		if p.name != "xandikos" && p.name != "radicale" { // these two test setups accept any credentials
			conn, _ := dav.NewConnector(bad, engine.Env{})
			if _, err := conn.Discover(context.Background()); !errors.Is(err, engine.ErrAuth) {
				t.Errorf("a wrong password gave %v, want ErrAuth", err)
			}
		}
	})
}

func TestIntegrationAppointmentLifecycle(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		ctx := context.Background()
		s := p.open(t, p.newCalendar(t), engine.KindAppointment)
		want := series(t)
		created, err := s.Create(ctx, want, "marker-series-1")
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		got, err := s.Get(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSeries(t, want, got.Item.(*engine.Appointment))
		if got.Version != created.Version {
			t.Errorf("Get version %s, Create returned %s", got.Version, created.Version)
		}

		// A retried create (crash before the journal recorded the first) finds the same resource: no duplicate.
		again, err := s.Create(ctx, want, "marker-series-1")
		if err != nil || again.ID != created.ID {
			t.Fatalf("retried create: %v %v, want %s", again.ID, err, created.ID)
		}
		found, err := s.FindByMarker(ctx, "marker-series-1")
		if err != nil || found.ID != created.ID {
			t.Fatalf("FindByMarker: %v %v", found.ID, err)
		}
		if _, err := s.FindByMarker(ctx, "never-created"); !errors.Is(err, engine.ErrNotFound) {
			t.Fatalf("FindByMarker of an unknown marker: %v", err)
		}
		ids, err := s.ListIDs(ctx)
		if err != nil || len(ids) != 1 {
			t.Fatalf("ListIDs after a retried create = %v, %v; want one item", ids, err)
		}
		// SOGo ignores If-None-Match: * and replaces the resource (a new version); read the current one.
		if got, err = s.Get(ctx, created.ID); err != nil {
			t.Fatal(err)
		}

		upd := series(t)
		upd.Title = "Renamed"
		if _, err := s.Update(ctx, created.ID, `"stale-etag"`, upd); !errors.Is(err, engine.ErrPrecondition) {
			t.Fatalf("update with a stale version: %v, want ErrPrecondition", err)
		}
		updated, err := s.Update(ctx, created.ID, got.Version, upd)
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if updated.Version == got.Version {
			t.Errorf("the version did not change on update")
		}
		re, err := s.Get(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSeries(t, upd, re.Item.(*engine.Appointment))
		if err := s.Delete(ctx, created.ID, got.Version); !errors.Is(err, engine.ErrPrecondition) {
			t.Fatalf("delete with a stale version: %v, want ErrPrecondition", err)
		}
		if err := s.Delete(ctx, created.ID, re.Version); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := s.Get(ctx, created.ID); !errors.Is(err, engine.ErrNotFound) {
			t.Fatalf("get after delete: %v", err)
		}
	})
}

const foreignEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other client//EN\r\nX-WR-CALNAME:Keep me\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Custom Oslo\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" +
	"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" +
	"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:foreign-1@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Custom Oslo:20260615T100000\r\n" +
	"DTEND;TZID=Custom Oslo:20260615T110000\r\nSUMMARY:Foreign\r\nX-OTHER-CLIENT-COLOR;X-SHADE=dark:#ff0000\r\n" +
	"ATTENDEE;CN=Carol;X-CUSTOM-PARAM=yes;PARTSTAT=TENTATIVE:mailto:carol@example.com\r\n" +
	"BEGIN:VALARM\r\nACTION:EMAIL\r\nTRIGGER;VALUE=DATE-TIME:20260614T080000Z\r\nSUMMARY:mail\r\nDESCRIPTION:mail\r\nATTENDEE:mailto:carol@example.com\r\nEND:VALARM\r\n" +
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

func TestIntegrationUnknownPropertiesSurvive(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		ctx := context.Background()
		cal := p.newCalendar(t)
		href := cal + "foreign.ics"
		if st, _, body := p.raw(t, "PUT", href, map[string]string{"Content-Type": "text/calendar", "If-None-Match": "*"}, foreignEvent); st/100 != 2 {
			t.Fatalf("PUT foreign event: %d %s", st, body)
		}
		s := p.open(t, cal, engine.KindAppointment)
		r, err := s.Get(ctx, href)
		if err != nil {
			t.Fatal(err)
		}
		a := r.Item.(*engine.Appointment)
		// "Custom Oslo" has the EU rules of +01:00: it maps to the first candidate zone with those rules.
		if want := mustTime(t, "Europe/Oslo", "2026-06-15 10:00"); !a.Start.Equal(want) || !sameOffsets(t, a.TimeZone, "Europe/Oslo") {
			t.Fatalf("custom VTIMEZONE: start %s zone %q, want %s in a zone like Europe/Oslo", a.Start, a.TimeZone, want)
		}
		a.Title = "Foreign, renamed"
		if _, err := s.Update(ctx, href, r.Version, a); err != nil {
			t.Fatal(err)
		}
		_, _, body := p.raw(t, "GET", href, nil, "")
		unfolded := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n ", ""), `"`, "") // servers may re-quote parameters
		for _, keep := range []string{"X-OTHER-CLIENT-COLOR;X-SHADE=dark:#ff0000", "X-CUSTOM-PARAM=yes", "ACTION:EMAIL", "SUMMARY:Foreign\\, renamed", "TZID=Custom Oslo"} {
			if !strings.Contains(unfolded, keep) {
				t.Errorf("after an update the resource lost %q:\n%s", keep, body)
			}
		}
	})
}

func TestIntegrationChanges(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		ctx := context.Background()
		cal := p.newCalendar(t)
		s := p.open(t, cal, engine.KindAppointment)
		other := p.open(t, cal, engine.KindAppointment) // another client
		mk := func(i int) *engine.Appointment {
			st := time.Date(2026, 5, 1+i, 8, 0, 0, 0, time.UTC)
			return &engine.Appointment{Title: fmt.Sprintf("ev %d", i), Start: st, End: st.Add(time.Hour)}
		}
		var first []engine.Remote
		for i := 0; i < 3; i++ {
			r, err := other.Create(ctx, mk(i), fmt.Sprintf("chg-%d", i))
			if err != nil {
				t.Fatal(err)
			}
			first = append(first, r)
		}
		page, err := s.Changes(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if !page.Complete || len(page.Changes) != 3 {
			t.Fatalf("full listing: complete=%v %d changes, want 3", page.Complete, len(page.Changes))
		}
		cur := page.Next
		// No change: an empty page.
		page, err = s.Changes(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		if p.name != "sogo" && len(page.Changes) != 0 {
			t.Fatalf("no-change poll listed %d changes", len(page.Changes))
		}
		cur = page.Next
		if p.name == "sogo" {
			time.Sleep(1100 * time.Millisecond) // SOGo's tokens have 1-second resolution
		}
		upd := mk(0)
		upd.Title = "ev 0 updated"
		u0, err := other.Update(ctx, first[0].ID, first[0].Version, upd)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Delete(ctx, first[1].ID, first[1].Version); err != nil {
			t.Fatal(err)
		}
		added, err := other.Create(ctx, mk(7), "chg-7")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]engine.Change{}
		for i := 0; ; i++ {
			page, err = s.Changes(ctx, cur)
			if errors.Is(err, engine.ErrCursorExpired) && i == 0 {
				t.Fatalf("a valid cursor expired: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Changes {
				seen[c.ID] = c
			}
			cur = page.Next
			if !page.More {
				break
			}
		}
		if c, ok := seen[first[0].ID]; !ok || c.Version != u0.Version {
			t.Errorf("update not listed: %+v", c)
		} else if c.Item == nil {
			// Incremental listings carry versions only; Get reads the content (a multiget read-ahead).
			r, err := s.Get(ctx, c.ID)
			if err != nil || r.Item.(*engine.Appointment).Title != "ev 0 updated" || r.Version != u0.Version {
				t.Errorf("Get of a listed change: %+v %v", r, err)
			}
		}
		if c, ok := seen[first[1].ID]; !ok || !c.Deleted {
			t.Errorf("delete not listed: %+v", c)
		}
		if c, ok := seen[added.ID]; !ok || c.Deleted {
			t.Errorf("create not listed: %+v", c)
		}

		// A bogus token: the server's quirk (403, 500, a silent empty answer, a full listing) must end in either
		// ErrCursorExpired or a listing of the changes; never in a silent empty page while things changed.
		if _, err := other.Create(ctx, mk(9), "chg-9"); err != nil {
			t.Fatal(err)
		}
		bogus := dav.CursorForToken("http://example.com/ns/sync/0000bogus", "ctag-that-was")
		if p.name == "davical" {
			bogus = dav.CursorForToken("data:,999999", "ctag-that-was")
		}
		page, err = s.Changes(ctx, bogus)
		switch {
		case errors.Is(err, engine.ErrCursorExpired):
			full, err := s.Changes(ctx, "")
			if err != nil || len(full.Changes) != 4 {
				t.Fatalf("full listing after an expired cursor: %d changes, %v; want 4", len(full.Changes), err)
			}
		case err != nil:
			t.Fatalf("bogus token: %v", err)
		case len(page.Changes) == 0:
			t.Fatalf("a bogus token gave a silent empty page")
		}
	})
}

func TestIntegrationTasksAndContacts(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		ctx := context.Background()
		cal := p.newCalendar(t, "VEVENT", "VTODO")
		tasks := p.open(t, cal, engine.KindTask)
		due := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		tk := &engine.Task{Title: "Call Acme", Body: "about the offer", Due: due, DueAllDay: true, Priority: engine.PriorityHigh,
			Reminder: engine.DurationOf(time.Hour)}
		r, err := tasks.Create(ctx, tk, "task-1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := tasks.Get(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		gt := got.Item.(*engine.Task)
		if gt.Title != tk.Title || !gt.Due.Equal(due) || !gt.DueAllDay || gt.Priority != engine.PriorityHigh || gt.Reminder == nil || *gt.Reminder != *tk.Reminder {
			t.Fatalf("task changed: %+v", gt)
		}
		// The appointment store of the same calendar does not see the task.
		appts := p.open(t, cal, engine.KindAppointment)
		page, err := appts.Changes(ctx, "")
		if err != nil || len(page.Changes) != 0 {
			t.Fatalf("appointment listing of a calendar with one task: %d changes, %v", len(page.Changes), err)
		}

		book := p.newAddressBook(t)
		contacts := p.open(t, book, engine.KindContact)
		c := &engine.Contact{GivenName: "Åse", FamilyName: "Ødegård", Company: "Acme, Inc", Department: "Sales", JobTitle: "Boss",
			Emails: []engine.Labeled{{Label: "work", Value: "ase@example.com"}}, Phones: []engine.Labeled{{Label: "mobile", Value: "+47 900 00 000"}},
			Addresses: []engine.Address{{Label: "work", Street: "Gate 1", City: "Oslo", PostalCode: "0150", Country: "Norway"}},
			Birthday:  time.Date(1980, 2, 3, 0, 0, 0, 0, time.UTC), Notes: "line 1\nline 2"}
		cr, err := contacts.Create(ctx, c, "contact-1")
		if err != nil {
			t.Fatal(err)
		}
		cg, err := contacts.Get(ctx, cr.ID)
		if err != nil {
			t.Fatal(err)
		}
		gc := cg.Item.(*engine.Contact)
		if !reflect.DeepEqual(cr.Item, cg.Item) || cr.Version != cg.Version {
			t.Errorf("Create returned a different item or version than the server holds:\n create %+v %s\n    get %+v %s", cr.Item, cr.Version, cg.Item, cg.Version)
		}
		if gc.GivenName != c.GivenName || gc.FamilyName != c.FamilyName || gc.Company != c.Company || gc.Department != c.Department ||
			len(gc.Emails) != 1 || gc.Emails[0] != c.Emails[0] || len(gc.Phones) != 1 || gc.Phones[0] != c.Phones[0] ||
			len(gc.Addresses) != 1 || gc.Addresses[0] != c.Addresses[0] || !gc.Birthday.Equal(c.Birthday) || gc.Notes != c.Notes {
			t.Fatalf("contact changed:\n got %+v\nwant %+v", gc, c)
		}
		groups := p.open(t, book, engine.KindGroup)
		if _, err := groups.Changes(ctx, ""); err != nil { // learn the contacts' UIDs
			t.Fatal(err)
		}
		gr, err := groups.Create(ctx, &engine.Group{Name: "Customers", Members: []string{cr.ID}}, "group-1")
		if err != nil {
			t.Fatal(err)
		}
		gg, err := groups.Get(ctx, gr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g := gg.Item.(*engine.Group); g.Name != "Customers" || len(g.Members) != 1 || g.Members[0] != cr.ID {
			t.Fatalf("group changed: %+v (member id %s)", g, cr.ID)
		}
		// The contact store does not list the group card.
		page, err = contacts.Changes(ctx, "")
		if err != nil || len(page.Changes) != 1 {
			t.Fatalf("contact listing: %d changes, %v; want 1", len(page.Changes), err)
		}
	})
}

// sameOffsets reports whether two zones have the same UTC offsets all through 2026.
func sameOffsets(t *testing.T, a, b string) bool {
	t.Helper()
	la, err1 := time.LoadLocation(a)
	lb, err2 := time.LoadLocation(b)
	if err1 != nil || err2 != nil || a == "" {
		return false
	}
	for tm := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() == 2026; tm = tm.Add(time.Hour) {
		_, x := tm.In(la).Zone()
		_, y := tm.In(lb).Zone()
		if x != y {
			return false
		}
	}
	return true
}

// TestIntegrationServerRewrite writes an event whose organizer is the local user: DAViCal schedules it, rewrites
// the attendees and answers the PUT without an ETag. What Create returns must be what the server holds, so the
// engine's base is the rewritten version and nothing is copied back.
func TestIntegrationServerRewrite(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		ctx := context.Background()
		s := p.open(t, p.newCalendar(t), engine.KindAppointment)
		st := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
		a := &engine.Appointment{Title: "Scheduled", Start: st, End: st.Add(time.Hour),
			Organizer: &engine.Attendee{Email: "alice@example.com", Name: "Alice"},
			Attendees: []engine.Attendee{{Email: "bob@example.com", Name: "Bob"}, {Email: "carol@example.org"}}}
		created, err := s.Create(ctx, a, "rewrite-1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if created.Version != got.Version || !reflect.DeepEqual(created.Item, got.Item) {
			t.Fatalf("Create returned what we sent, not what the server holds:\n create %s %+v\n    get %s %+v", created.Version, created.Item, got.Version, got.Item)
		}
		page, err := s.Changes(ctx, "")
		if err != nil || len(page.Changes) != 1 || page.Changes[0].Version != created.Version {
			t.Fatalf("listing after create: %+v %v", page.Changes, err)
		}
	})
}

// TestIntegrationSameSecondChange changes an item right after a sync, within the same second: SOGo's sync tokens
// (and getctag) have one-second resolution, and the change must still be listed by the next sync.
func TestIntegrationSameSecondChange(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		ctx := context.Background()
		cal := p.newCalendar(t)
		s := p.open(t, cal, engine.KindAppointment)
		other := p.open(t, cal, engine.KindAppointment)
		st := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		r, err := other.Create(ctx, &engine.Appointment{Title: "v1", Start: st, End: st.Add(time.Hour)}, "same-second")
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.Changes(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		cur := page.Next
		u, err := other.Update(ctx, r.ID, r.Version, &engine.Appointment{Title: "v2", Start: st, End: st.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for i := 0; i < 3 && !found; i++ {
			page, err = s.Changes(ctx, cur)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Changes {
				if c.ID == r.ID && c.Version == u.Version {
					found = true
				}
			}
			cur = page.Next
			if !page.More {
				break
			}
		}
		if !found {
			t.Fatalf("a change made in the same second as the last sync was not listed")
		}
	})
}
