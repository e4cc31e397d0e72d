package dav

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav/ical"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeOutlookSeries(t *testing.T) {
	t.Parallel()
	it, _, err := decodeCalendar(readFile(t, "outlook-series.ics"))
	if err != nil {
		t.Fatal(err)
	}
	a := it.(*engine.Appointment)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if want := time.Date(2026, 1, 5, 9, 30, 0, 0, berlin); !a.Start.Equal(want) || a.TimeZone != "Europe/Berlin" {
		t.Errorf("start %s %q, want %s Europe/Berlin (Windows zone name mapped)", a.Start, a.TimeZone, want)
	}
	if a.Title != "Stand-up" || a.Body != "Agenda:\n1. numbers\n2. plans" || a.ShowAs != engine.ShowTentative {
		t.Errorf("fields: %q %q %q", a.Title, a.Body, a.ShowAs)
	}
	if a.Organizer == nil || a.Organizer.Name != "Boss, The" || len(a.Attendees) != 1 || a.Attendees[0].Email != "ann@example.com" ||
		a.Attendees[0].Role != engine.RoleOptional || a.Attendees[0].Response != engine.ResponseDeclined {
		t.Errorf("people: %+v %+v", a.Organizer, a.Attendees)
	}
	r := a.Recurrence
	if r == nil || r.Freq != engine.Weekly || !r.Until.Equal(time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC)) || len(r.Excluded) != 2 {
		t.Fatalf("rule: %+v", r)
	}
	if len(r.Overrides) != 1 || !r.Overrides[0].OriginalStart.Equal(time.Date(2026, 1, 12, 9, 30, 0, 0, berlin)) ||
		r.Overrides[0].Item.Title != "Stand-up (late)" {
		t.Errorf("override: %+v", r.Overrides)
	}
	if a.Reminder == nil || a.Reminder.D() != 10*time.Minute {
		t.Errorf("reminder: %v", a.Reminder)
	}
}

func TestMergeKeepsUnmappedAndUnchanged(t *testing.T) {
	t.Parallel()
	data := readFile(t, "outlook-series.ics")
	it, base, err := decodeCalendar(data)
	if err != nil {
		t.Fatal(err)
	}
	// Writing the same item back changes nothing but DTSTAMP: no spurious change is sent.
	out, err := encodeCalendar(base, it, "x", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if strip(out.Encode()) != strip(base.Encode()) {
		t.Errorf("an unchanged item was rewritten:\n%s\n---\n%s", out.Encode(), base.Encode())
	}
	a := it.(*engine.Appointment)
	a.Title = "Daily stand-up"
	a.Recurrence.Overrides = nil
	out, err = encodeCalendar(base, a, "x", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out.Encode())
	for _, keep := range []string{"X-MICROSOFT-CDO-IMPORTANCE:1", "SEQUENCE:3", "METHOD:PUBLISH", "DTSTART;TZID=W. Europe Standard Time:20260105T093000", "SUMMARY:Daily stand-up"} {
		if !strings.Contains(s, keep) {
			t.Errorf("lost %q:\n%s", keep, s)
		}
	}
	if strings.Contains(s, "RECURRENCE-ID") || strings.Contains(s, "LANGUAGE=en-us") {
		t.Errorf("the removed override or the replaced SUMMARY survived:\n%s", s)
	}
}

// strip drops DTSTAMP lines, which a write always renews.
func strip(b []byte) string {
	var out []string
	for _, l := range strings.Split(string(b), "\r\n") {
		if !strings.HasPrefix(l, "DTSTAMP") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestEncodeNewAppointmentWritesVTimezone(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	st := time.Date(2026, 3, 2, 9, 0, 0, 0, ny)
	a := &engine.Appointment{Title: "x", Start: st, End: st.Add(time.Hour), TimeZone: "America/New_York",
		Recurrence: &engine.Rule{Freq: engine.Weekly, ByDay: []engine.Weekday{{Day: time.Monday}}, Count: 5}}
	out, err := encodeCalendar(nil, a, "u1", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out.Encode())
	for _, want := range []string{"TZID:America/New_York", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
		"DTSTART;TZID=America/New_York:20260302T090000", "RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=MO", "UID:u1"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q:\n%s", want, s)
		}
	}
	// The generated VTIMEZONE alone identifies the zone: renamed, it still maps to New York's rules.
	tz := out.Sub("VTIMEZONE")[0]
	tz.Set(ical.Prop{Name: "TZID", Value: "My Eastern"})
	r, ok := matchVTimezone(tz)
	if !ok || r.name != "America/New_York" {
		t.Errorf("generated VTIMEZONE matched %q, %v", r.name, ok)
	}
	oslo := vtimezone("Europe/Oslo", 2026).Encode()
	if !strings.Contains(string(oslo), "BYMONTH=3;BYDAY=-1SU") || !strings.Contains(string(oslo), "BYMONTH=10;BYDAY=-1SU") {
		t.Errorf("Oslo rules:\n%s", oslo)
	}
}

func TestDecodeAllDayAndTask(t *testing.T) {
	t.Parallel()
	it, _, err := decodeCalendar(readFile(t, "allday-todo.ics"))
	if err != nil {
		t.Fatal(err)
	}
	a := it.(*engine.Appointment)
	if !a.AllDay || !a.Start.Equal(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)) || !a.End.Equal(time.Date(2026, 12, 27, 0, 0, 0, 0, time.UTC)) ||
		!a.Private || a.ShowAs != engine.ShowFree || len(a.Categories) != 2 {
		t.Errorf("all-day: %+v", a)
	}
	it, _, err = decodeCalendar(readFile(t, "task.ics"))
	if err != nil {
		t.Fatal(err)
	}
	tk := it.(*engine.Task)
	oslo, _ := time.LoadLocation("Europe/Oslo")
	if !tk.Due.Equal(time.Date(2026, 3, 1, 17, 0, 0, 0, oslo)) || tk.TimeZone != "Europe/Oslo" || tk.Priority != engine.PriorityLow ||
		!tk.Completed.Equal(time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)) || tk.Reminder == nil || tk.Reminder.D() != time.Hour {
		t.Errorf("task: %+v", tk)
	}
}

func TestVCards(t *testing.T) {
	t.Parallel()
	it, base, err := decodeVCard(readFile(t, "apple-contact.vcf"))
	if err != nil {
		t.Fatal(err)
	}
	c := it.(*engine.Contact)
	if c.GivenName != "Åse" || c.FamilyName != "Ødegård" || c.Prefix != "Dr." || c.Company != "Acme, Inc" || c.Department != "Sales" ||
		len(c.Emails) != 1 || c.Emails[0].Label != "work" || len(c.Phones) != 2 || c.Phones[0].Label != "mobile" || c.Phones[1].Label != "work" ||
		c.Addresses[0].Street != "Gate 1\nOppgang B" || !c.Birthday.Equal(time.Date(1980, 2, 3, 0, 0, 0, 0, time.UTC)) || c.Notes != "Met at the fair, 2025" {
		t.Errorf("contact: %+v", c)
	}
	c.JobTitle = "CEO"
	out, err := encodeVCard(base, c, "x")
	if err != nil {
		t.Fatal(err)
	}
	s := string(out.Encode())
	for _, keep := range []string{"X-SOCIALPROFILE", "PHOTO;ENCODING=b", "item1.EMAIL", "TITLE:CEO", "UID:4F3E1C2A"} {
		if !strings.Contains(s, keep) {
			t.Errorf("lost %q:\n%s", keep, s)
		}
	}
	it, base, err = decodeVCard(readFile(t, "group-v4.vcf"))
	if err != nil {
		t.Fatal(err)
	}
	g := it.(*engine.Group)
	if g.Name != "Customers" || len(g.Members) != 2 || g.Members[0] != "4F3E1C2A-0000-4000-8000-000000000001" {
		t.Fatalf("group: %+v", g)
	}
	g.Members = g.Members[:1]
	out, err = encodeVCard(base, g, "x")
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out.Encode()); !strings.Contains(s, "KIND:group") || strings.Contains(s, "missing-member") || !strings.Contains(s, "X-UNKNOWN:kept") {
		t.Errorf("group write:\n%s", s)
	}
}

func TestBadInputIsAnItemError(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"no dtstart":   "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"bad rrule":    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T000000Z\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"end < start":  "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260102T000000Z\r\nDTEND:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"unknown zone": "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Nowhere/Land:20260101T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	} {
		_, _, err := decodeCalendar([]byte(in))
		var ie *engine.ItemError
		if err == nil || !errors.As(err, &ie) || ie.Field == "" {
			t.Errorf("%s: got %v, want an ItemError naming the field", name, err)
		}
	}
}
