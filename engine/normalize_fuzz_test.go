package engine_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// fuzzItems builds one item of every kind from fuzz inputs, with instants kept within the years 1900 to 2200.
func fuzzItems(text, email, zone, rule string, start int64, dur int32, flags uint8) []engine.Item {
	base := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - base
	if start < 0 {
		start = -start
	}
	s := time.Unix(base+start%span, int64(flags)*1000)
	if loc, err := engine.LoadZone(zone); err == nil {
		s = s.In(loc)
	}
	e := s.Add(time.Duration(dur) * time.Second)
	parts := strings.Split(text, "|")
	at := func(i int) string { return parts[i%len(parts)] }
	a := &engine.Appointment{
		UID: at(5), Title: at(0), Body: text, Location: at(1), Start: s, End: e, TimeZone: zone, EndTimeZone: at(2),
		AllDay: flags&1 != 0, Private: flags&2 != 0, ShowAs: engine.ShowAs(at(3)), Categories: parts,
		Organizer: &engine.Attendee{Email: email, Name: at(1)},
		Attendees: []engine.Attendee{{Email: email, Name: at(0)}, {Email: strings.ToUpper(email), Response: engine.Response(at(4))}, {Name: at(2)}},
		Links:     []engine.CRMLink{{Type: engine.LinkType(at(3)), ID: at(1)}, {Type: engine.LinkPerson, ID: at(0), Name: at(2)}},
		Type:      at(4), OnlineMeetingURL: at(6),
	}
	if flags&4 != 0 {
		a.Reminder = engine.DurationOf(time.Duration(dur) * time.Second)
	}
	if r, err := engine.ParseRRule(rule); err == nil {
		r.Excluded = []time.Time{s.AddDate(0, 0, 7), s, s.AddDate(0, 0, 7)}
		r.Dates = []time.Time{e.AddDate(0, 1, 0)}
		r.Overrides = []engine.Override{
			{OriginalStart: s.AddDate(0, 0, 1), Item: &engine.Appointment{Title: at(1), Start: s.AddDate(0, 0, 1), End: e.AddDate(0, 0, 1), TimeZone: zone, AllDay: a.AllDay}},
			{OriginalStart: s.AddDate(0, 0, 14), Item: &engine.Appointment{Title: a.Title, Start: s.AddDate(0, 0, 14), End: e.AddDate(0, 0, 14), TimeZone: zone}},
			{OriginalStart: s.AddDate(0, 0, 1)},
		}
		a.Recurrence = &r
	}
	t := &engine.Task{Title: at(0), Body: text, Start: s, Due: e, DueAllDay: flags&8 != 0, TimeZone: zone, Priority: engine.Priority(at(3)),
		Categories: parts, Links: a.Links, Completed: e, Reminder: a.Reminder}
	c := &engine.Contact{GivenName: at(0), FamilyName: at(1), Display: at(2), Company: at(3), Notes: text,
		Emails:    []engine.Labeled{{Label: at(1), Value: email}, {Label: at(2), Value: strings.ToUpper(email)}, {Value: at(3)}},
		Phones:    []engine.Labeled{{Label: at(0), Value: at(4)}, {Value: at(4)}},
		Addresses: []engine.Address{{Label: at(0), Street: text, City: at(1)}, {Label: at(0), Street: text, City: at(1)}, {}},
		URLs:      []engine.Labeled{{Value: at(5)}}, Birthday: s, Categories: parts, Links: a.Links}
	g := &engine.Group{Name: at(0), Members: parts}
	return []engine.Item{a, t, c, g}
}

func addFuzzSeeds(f *testing.F) {
	f.Add("Møte|Rom 2|Europe/Oslo|free| accepted |uid-1|https://x", "Kari@Example.no", "W. Europe Standard Time", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5", int64(3_900_000_000), int32(3600), uint8(4))
	f.Add("a\r\nb  \r\n|  |\t|BUSY|mailto:x|", "MAILTO:ola@x.no", "US/Eastern", "FREQ=DAILY", int64(4_000_000_000), int32(-60), uint8(1))
	f.Add("e\u0301|E\u0301|\u00e9|\xff\xfe|İ|ǰ", " A@B ", "", "FREQ=MONTHLY;BYDAY=-1FR", int64(0), int32(86400), uint8(15))
	f.Add("0", "0", "\xa8", "FREQ=MONTHLY", int64(0), int32(86400), uint8(15)) // invalid UTF-8 zone name
	f.Add("|||", "", "Mars/Base", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", int64(-5), int32(0), uint8(255))
}

// FuzzNormalize checks that Normalize never panics, does not mutate its argument, and is idempotent (equal
// values and equal hashes), for every kind.
func FuzzNormalize(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text, email, zone, rule string, start int64, dur int32, flags uint8) {
		for _, it := range fuzzItems(text, email, zone, rule, start, dur, flags) {
			n := engine.Normalize(it)
			nn := engine.Normalize(n)
			if !reflect.DeepEqual(n, nn) {
				nj, _ := json.Marshal(n)
				nnj, _ := json.Marshal(nn)
				t.Fatalf("%s: Normalize not idempotent:\n%s\n%s", it.ItemKind(), nj, nnj)
			}
			if engine.Hash(n) != engine.Hash(it) || engine.Hash(nn) != engine.Hash(n) {
				t.Fatalf("%s: hashes differ after normalization", it.ItemKind())
			}
			_ = engine.Validate(it)
			engine.InWindow(it, engine.Window{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
		}
	})
}

// FuzzSplitJoin checks that Join(Split(x)) is Normalize(x) for every kind, and that ChangedFields of an item with
// itself is empty.
func FuzzSplitJoin(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text, email, zone, rule string, start int64, dur int32, flags uint8) {
		for _, it := range fuzzItems(text, email, zone, rule, start, dur, flags) {
			fs := engine.Split(it)
			got, err := engine.Join(it.ItemKind(), fs)
			if err != nil {
				t.Fatalf("%s: Join(Split(x)): %v", it.ItemKind(), err)
			}
			if want := engine.Normalize(it); !reflect.DeepEqual(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Fatalf("%s: Join(Split(x)) != Normalize(x):\n got %s\nwant %s\n%#v\n%#v", it.ItemKind(), gj, wj, got, want)
			}
			if ch := engine.ChangedFields(fs, engine.Split(got)); len(ch) != 0 {
				t.Fatalf("%s: fields changed through Join: %v", it.ItemKind(), ch)
			}
		}
	})
}
