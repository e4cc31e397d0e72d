package engine_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// messyAppointment is an appointment as a careless system might send it: Windows zone name, CRLF, trailing
// spaces, decomposed Unicode, upper-case addresses, unsorted sets, duplicates, local times.
func messyAppointment(t testing.TB) *engine.Appointment {
	oslo := mustZone(t, "Europe/Oslo")
	rem := engine.Duration(900)
	return &engine.Appointment{
		UID:      " 040000008200E00074C5B7101A82E008 ",
		Title:    "  Kvartalsgjennomgang\r\n  med   kunde ",
		Body:     "\r\nAgenda:  \r\n- Tall\t\r\n- Planer   \r\n\r\n",
		Location: "Mo\u0308terom 2", // o + combining diaeresis → ö
		Start:    time.Date(2025, 3, 24, 9, 0, 0, 0, oslo),
		End:      time.Date(2025, 3, 24, 10, 30, 0, 0, oslo),
		TimeZone: "W. Europe Standard Time", EndTimeZone: "Europe/Berlin",
		Recurrence: &engine.Rule{Freq: "weekly", Interval: 1, ByDay: []engine.Weekday{{Day: time.Wednesday}, {Day: time.Monday}, {Day: time.Monday}},
			Until:    time.Date(2025, 6, 30, 23, 59, 0, 0, oslo),
			Excluded: []time.Time{time.Date(2025, 4, 21, 9, 0, 0, 0, oslo), time.Date(2025, 4, 14, 9, 0, 0, 0, oslo), time.Date(2025, 4, 21, 7, 0, 0, 0, time.UTC)},
			Overrides: []engine.Override{
				{OriginalStart: time.Date(2025, 5, 5, 9, 0, 0, 0, oslo), Item: &engine.Appointment{Title: "Kvartalsgjennomgang (flyttet) ", Start: time.Date(2025, 5, 5, 13, 0, 0, 0, oslo), End: time.Date(2025, 5, 5, 14, 30, 0, 0, oslo), TimeZone: "Europe/Oslo"}},
				// Identical to what the series generates: dropped.
				{OriginalStart: time.Date(2025, 3, 26, 9, 0, 0, 0, oslo), Item: &engine.Appointment{UID: "040000008200E00074C5B7101A82E008", Title: "Kvartalsgjennomgang med kunde", Body: "Agenda:\n- Tall\n- Planer", Location: "Möterom 2",
					Start: time.Date(2025, 3, 26, 9, 0, 0, 0, oslo), End: time.Date(2025, 3, 26, 10, 30, 0, 0, oslo), TimeZone: "Europe/Berlin",
					Organizer:  &engine.Attendee{Email: "kari@example.no", Name: "Kari Nordmann"},
					Attendees:  []engine.Attendee{{Email: "ola@example.no", Name: "Ola", Response: engine.ResponseAccepted}, {Email: "room1@example.no", Role: engine.RoleResource}},
					Categories: []string{"Kunde", "salg"}, Reminder: &rem, Links: []engine.CRMLink{{Type: engine.LinkCompany, ID: "12"}, {Type: engine.LinkPerson, ID: "7", Name: "Ola"}}}},
			}},
		Organizer: &engine.Attendee{Email: " Kari@Example.NO ", Name: "Kari  Nordmann"},
		Attendees: []engine.Attendee{
			{Email: "ROOM1@example.no", Role: "Resource"},
			{Email: "mailto:Ola@Example.no", Name: "Ola", Response: "ACCEPTED"},
			{Email: "ola@example.no"},
			{Name: " "},
		},
		Categories: []string{"salg", "Kunde", "Salg", " "},
		Reminder:   &rem,
		Links:      []engine.CRMLink{{Type: engine.LinkPerson, ID: "7", Name: "Ola"}, {Type: engine.LinkCompany, ID: "12"}, {Type: engine.LinkPerson, ID: "7"}},
	}
}

func normalizationCases(t testing.TB) []engine.Item {
	ny := mustZone(t, "America/New_York")
	return []engine.Item{
		messyAppointment(t),
		&engine.Appointment{Title: "Ferie", AllDay: true, TimeZone: "Europe/Oslo",
			Start: time.Date(2025, 7, 1, 0, 0, 0, 0, mustZone(t, "Pacific/Auckland")), End: time.Date(2025, 7, 1, 0, 0, 0, 0, mustZone(t, "Pacific/Auckland")),
			Recurrence: &engine.Rule{Freq: engine.Yearly, Until: time.Date(2030, 7, 1, 0, 0, 0, 0, ny), WeekStart: time.Sunday}},
		&engine.Appointment{Title: "UTC", Start: time.Date(2025, 1, 1, 12, 0, 0, 0, ny), End: time.Date(2025, 1, 1, 13, 0, 0, 0, ny), TimeZone: "Etc/UTC", ShowAs: "Busy", Attendees: []engine.Attendee{}},
		&engine.Task{Title: " Ring kunden\n", DueAllDay: true, Due: time.Date(2025, 3, 10, 0, 0, 0, 0, mustZone(t, "Asia/Tokyo")), Priority: "Normal", Categories: []string{}, TimeZone: "Asia/Tokyo"},
		&engine.Task{Title: "Timed", Due: time.Date(2025, 3, 10, 17, 0, 0, 0, ny), TimeZone: "US/Eastern", Priority: "HIGH", Completed: time.Date(2025, 3, 9, 8, 0, 0, 0, ny)},
		&engine.Contact{GivenName: " Ola ", FamilyName: "Nordmann", Company: "Example  AS",
			Emails:    []engine.Labeled{{Label: "Work", Value: "Ola@Example.no"}, {Label: "home", Value: "ola@home.no"}, {Label: "other", Value: "OLA@example.no"}},
			Phones:    []engine.Labeled{{Label: "mobile", Value: "+47 900 00 000 "}, {Label: "work", Value: "+47 22 00 00 00"}},
			Addresses: []engine.Address{{Label: "Work", Street: "Storgata 1\r\n", City: "Oslo", PostalCode: "0155", Country: "Norway"}, {Label: "home"}},
			Birthday:  time.Date(1980, 5, 17, 0, 0, 0, 0, ny), Categories: []string{"VIP", "vip"}},
		&engine.Group{Name: " Kunder 2025 ", Members: []string{"p3", "p1", "p3", " ", "p2"}},
	}
}

func TestNormalizeGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, it := range normalizationCases(t) {
		out, err := json.MarshalIndent(struct {
			Kind engine.Kind `json:"kind"`
			Item engine.Item `json:"item"`
			Hash string      `json:"hash"`
		}{it.ItemKind(), engine.Normalize(it), hex.EncodeToString(hashOf(it))}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
		b.WriteString("\n")
	}
	golden(t, "normalize.golden.json", b.String())
}

func hashOf(it engine.Item) []byte { h := engine.Hash(it); return h[:] }

func TestNormalizeIdempotentAndPure(t *testing.T) {
	t.Parallel()
	for _, it := range normalizationCases(t) {
		before, _ := json.Marshal(it)
		n := engine.Normalize(it)
		after, _ := json.Marshal(it)
		if string(before) != string(after) {
			t.Errorf("Normalize mutated its argument:\n%s\n%s", before, after)
		}
		nn := engine.Normalize(n)
		if !reflect.DeepEqual(n, nn) {
			t.Errorf("Normalize is not idempotent:\n%+v\n%+v", n, nn)
		}
		if engine.Hash(it) != engine.Hash(n) {
			t.Errorf("Hash(x) != Hash(Normalize(x)) for %T", it)
		}
	}
}

func TestNormalizeDetails(t *testing.T) {
	t.Parallel()
	n := engine.Normalize(messyAppointment(t)).(*engine.Appointment)
	if n.TimeZone != "Europe/Berlin" || n.EndTimeZone != "" {
		t.Errorf("zones %q %q, want Europe/Berlin and none", n.TimeZone, n.EndTimeZone)
	}
	if n.Location != "Möterom 2" || n.Title != "Kvartalsgjennomgang med kunde" || n.Body != "Agenda:\n- Tall\n- Planer" {
		t.Errorf("text not canonical: %q %q %q", n.Location, n.Title, n.Body)
	}
	if len(n.Attendees) != 2 || n.Attendees[0].Email != "ola@example.no" || n.Attendees[0].Response != engine.ResponseAccepted || n.Attendees[1].Role != engine.RoleResource {
		t.Errorf("attendees %+v", n.Attendees)
	}
	if got := strings.Join(n.Categories, ","); got != "Kunde,salg" {
		t.Errorf("categories %q", got)
	}
	r := n.Recurrence
	if r.Interval != 0 || len(r.ByDay) != 2 || r.ByDay[0].Day != time.Monday || len(r.Excluded) != 2 || len(r.Overrides) != 1 {
		t.Errorf("rule not canonical: %+v", r)
	}
	if r.Until.Location() != time.UTC {
		t.Errorf("until not in UTC: %v", r.Until)
	}
	// The same appointment described with an IANA alias and a reordered attendee list hashes the same.
	b := messyAppointment(t)
	b.TimeZone = "Europe/Berlin"
	b.Attendees[0], b.Attendees[1] = b.Attendees[1], b.Attendees[0]
	b.Categories = []string{"Kunde", "salg"}
	if engine.Hash(b) != engine.Hash(messyAppointment(t)) {
		t.Error("equivalent appointments hash differently")
	}
	c := messyAppointment(t)
	c.Attendees[1].Response = engine.ResponseDeclined
	if engine.Hash(c) == engine.Hash(messyAppointment(t)) {
		t.Error("a changed response does not change the hash")
	}
}

func TestNormalizeEquivalences(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	base := func() *engine.Appointment {
		return &engine.Appointment{Title: "A", Start: time.Date(2025, 1, 1, 9, 0, 0, 0, ny), End: time.Date(2025, 1, 1, 10, 0, 0, 0, ny), TimeZone: "America/New_York"}
	}
	same := []struct {
		name string
		edit func(a *engine.Appointment)
	}{
		{"zone alias", func(a *engine.Appointment) { a.TimeZone = "US/Eastern" }},
		{"windows zone", func(a *engine.Appointment) { a.TimeZone = "Eastern Standard Time" }},
		{"instant in another location", func(a *engine.Appointment) { a.Start, a.End = a.Start.UTC(), a.End.In(mustZone(t, "Asia/Tokyo")) }},
		{"monotonic clock reading", func(a *engine.Appointment) { a.Start = a.Start.Add(0) }},
		{"empty vs nil slices", func(a *engine.Appointment) {
			a.Attendees, a.Categories, a.Links = []engine.Attendee{}, []string{}, []engine.CRMLink{}
		}},
		{"empty organizer", func(a *engine.Appointment) { a.Organizer = &engine.Attendee{} }},
		{"busy spelled out", func(a *engine.Appointment) { a.ShowAs = "BUSY" }},
		{"trailing white space", func(a *engine.Appointment) { a.Title = "A \r\n" }},
		{"interval 1", func(a *engine.Appointment) { a.Recurrence = &engine.Rule{Freq: engine.Daily, Interval: 1, Count: 3} }},
	}
	for _, tt := range same {
		a, b := base(), base()
		tt.edit(b)
		if tt.name == "interval 1" {
			a.Recurrence = &engine.Rule{Freq: engine.Daily, Count: 3}
		}
		if engine.Hash(a) != engine.Hash(b) {
			t.Errorf("%s: hashes differ", tt.name)
		}
	}
	differ := []struct {
		name string
		edit func(a *engine.Appointment)
	}{
		{"other zone, same instant", func(a *engine.Appointment) { a.TimeZone = "America/Toronto" }},
		{"reminder 0 vs none", func(a *engine.Appointment) { a.Reminder = engine.DurationOf(0) }},
		{"private", func(a *engine.Appointment) { a.Private = true }},
		{"one second later", func(a *engine.Appointment) { a.End = a.End.Add(time.Second) }},
		{"title case", func(a *engine.Appointment) { a.Title = "a" }},
		{"link name", func(a *engine.Appointment) { a.Links = []engine.CRMLink{{Type: engine.LinkSale, ID: "1"}} }},
	}
	for _, tt := range differ {
		a, b := base(), base()
		tt.edit(b)
		if engine.Hash(a) == engine.Hash(b) {
			t.Errorf("%s: hashes equal", tt.name)
		}
	}
	if engine.Hash(&engine.Task{Title: "x"}) == engine.Hash(&engine.Appointment{Title: "x"}) {
		t.Error("a task and an appointment with the same title hash the same")
	}
}

// TestHashStable pins the hash of a typical appointment: a change here means every stored hash changes, which
// must be deliberate (bump hashVersion and say so).
func TestHashStable(t *testing.T) {
	t.Parallel()
	got := hex.EncodeToString(hashOf(typicalAppointment()))
	const want = "d0d769b5367986c957167d1a75fa192dcb384160ef26b79da36dee1b99984a26"
	if got != want {
		t.Errorf("Hash(typical appointment) = %s, want %s", got, want)
	}
}

func typicalAppointment() *engine.Appointment {
	oslo, _ := engine.LoadZone("Europe/Oslo")
	rem := engine.Duration(900)
	return &engine.Appointment{
		UID: "4f1c2b7e-7d9a-4c1e-9a53-2d0c5d2a9f11", Title: "Quarterly review with Example AS", Body: "Agenda:\n- Numbers\n- Plans",
		Location: "Meeting room 2", Start: time.Date(2025, 3, 24, 9, 0, 0, 0, oslo), End: time.Date(2025, 3, 24, 10, 30, 0, 0, oslo),
		TimeZone:  "Europe/Oslo",
		Organizer: &engine.Attendee{Email: "kari@example.no", Name: "Kari Nordmann", Response: engine.ResponseOrganizer},
		Attendees: []engine.Attendee{{Email: "ola@example.com", Name: "Ola Hansen", Response: engine.ResponseAccepted},
			{Email: "per@example.com", Name: "Per Olsen", Role: engine.RoleOptional}, {Email: "room2@example.no", Role: engine.RoleResource}},
		Categories: []string{"Customer", "Sales"}, Reminder: &rem, OnlineMeetingURL: "https://meet.example.com/abc-defg-hij",
		Type: "Meeting", Links: []engine.CRMLink{{Type: engine.LinkCompany, ID: "1234", Name: "Example AS"}, {Type: engine.LinkPerson, ID: "5678", Name: "Ola Hansen"}},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := typicalAppointment()
	if err := engine.Validate(ok); err != nil {
		t.Errorf("Validate(typical) = %v", err)
	}
	tests := []struct {
		name  string
		item  engine.Item
		field string
	}{
		{"no start", &engine.Appointment{Title: "x"}, "when"},
		{"end before start", &engine.Appointment{Start: time.Unix(100, 0), End: time.Unix(50, 0)}, "when"},
		{"unknown zone", &engine.Appointment{Start: time.Unix(100, 0), End: time.Unix(150, 0), TimeZone: "Mars/Olympus_Mons"}, "when"},
		{"bad rule", &engine.Appointment{Start: time.Unix(100, 0), End: time.Unix(150, 0), Recurrence: &engine.Rule{Freq: "HOURLY"}}, "recurrence"},
		{"bad byday", &engine.Appointment{Start: time.Unix(100, 0), End: time.Unix(150, 0), Recurrence: &engine.Rule{Freq: engine.Weekly, ByDay: []engine.Weekday{{Day: 9}}}}, "recurrence"},
		{"override without content", &engine.Appointment{Start: time.Unix(100, 0), End: time.Unix(150, 0), Recurrence: &engine.Rule{Freq: engine.Daily, Overrides: []engine.Override{{OriginalStart: time.Unix(100, 0)}}}}, "recurrence"},
		{"task zone", &engine.Task{Due: time.Unix(100, 0), TimeZone: "Nowhere/City"}, "when"},
		{"group without name", &engine.Group{Members: []string{"1"}}, "name"},
	}
	for _, tt := range tests {
		err := engine.Validate(tt.item)
		var fe *engine.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: Validate = %v, want a FieldError naming %q", tt.name, err, tt.field)
		}
	}
	if engine.Validate(nil) == nil {
		t.Error("Validate(nil) = nil")
	}
}
