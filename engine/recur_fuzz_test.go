package engine_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// FuzzParseRRule checks that ParseRRule never panics and that parse → format → parse is a fixed point.
func FuzzParseRRule(f *testing.F) {
	for _, s := range []string{
		"FREQ=WEEKLY;BYDAY=MO,WE", "RRULE:FREQ=MONTHLY;BYDAY=-1FR", "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=4",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=DAILY;INTERVAL=3;UNTIL=20250301T090000Z",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU", "FREQ=MONTHLY;BYMONTHDAY=1,-1", "FREQ=DAILY;UNTIL=20250301",
		"FREQ=HOURLY", "FREQ=DAILY;INTERVAL=1;UNTIL=00001001", "FREQ=DAILY;;COUNT=2", "freq=daily;byday=+1mo", "FREQ=YEARLY;BYWEEKNO=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := engine.ParseRRule(s)
		if err != nil {
			return
		}
		out := r.RRule()
		r2, err := engine.ParseRRule(out)
		if err != nil {
			t.Fatalf("ParseRRule(%q) ok, but its format %q does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("parse → format → parse changed the rule:\n in %q\nout %q\n %+v\n %+v", s, out, r, r2)
		}
		if out2 := r2.RRule(); out2 != out {
			t.Fatalf("format not stable: %q then %q", out, out2)
		}
		// Expanding any parsed rule is bounded and never panics.
		a := &engine.Appointment{Start: time.Date(2025, 1, 31, 9, 0, 0, 0, time.UTC), End: time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC), Recurrence: &r}
		occs := engine.Occurrences(a, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		for i := 1; i < len(occs); i++ {
			if occs[i].Start.Before(occs[i-1].Start) {
				t.Fatalf("occurrences out of order for %q", s)
			}
		}
	})
}

// FuzzOccurrences expands rules built field by field (not through ParseRRule, so out-of-range values reach the
// expansion as a connector might send them): it must never panic or hang, must return sorted occurrences within
// the window, and at most MaxOccurrences of them.
func FuzzOccurrences(f *testing.F) {
	f.Add(uint8(1), 2, 0, int64(0), uint8(0b0101010), int8(-1), int8(15), int8(0), int8(-1), int64(1735722000), int32(3600), false, "Europe/Oslo")
	f.Add(uint8(2), 1, 5, int64(0), uint8(0b0100000), int8(-1), int8(0), int8(2), int8(0), int64(1735722000), int32(3600), true, "")
	f.Add(uint8(3), 10001, 0, int64(1<<40), uint8(0xff), int8(5), int8(31), int8(13), int8(-100), int64(-1<<40), int32(-5), false, "America/New_York")
	f.Fuzz(func(t *testing.T, freq uint8, interval, count int, until int64, days uint8, ord, monthDay, month, setPos int8, start int64, dur int32, allDay bool, zone string) {
		freqs := []engine.Frequency{"", engine.Daily, engine.Weekly, engine.Monthly, engine.Yearly, "HOURLY"}
		r := &engine.Rule{Freq: freqs[int(freq)%len(freqs)], Interval: interval % 100000, Count: count % 100000}
		if until != 0 {
			r.Until = time.Unix(until%(1<<36), 0)
		}
		for d := range 7 {
			if days&(1<<d) != 0 {
				r.ByDay = append(r.ByDay, engine.Weekday{N: int(ord), Day: time.Weekday(d)})
			}
		}
		if monthDay != 0 {
			r.ByMonthDay = []int{int(monthDay)}
		}
		if month != 0 {
			r.ByMonth = []int{int(month)}
		}
		if setPos != 0 {
			r.BySetPos = []int{int(setPos)}
		}
		s := time.Unix(start%(1<<36), 0)
		a := &engine.Appointment{Start: s, End: s.Add(time.Duration(dur) * time.Second), AllDay: allDay, TimeZone: zone, Recurrence: r}
		from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(1, 0, 0)
		occs := engine.Occurrences(a, from, to)
		if len(occs) > engine.MaxOccurrences {
			t.Fatalf("%d occurrences", len(occs))
		}
		for i, o := range occs {
			if !o.Start.Before(to) {
				t.Fatalf("occurrence %s at or after the window end", o.Start)
			}
			if i > 0 && o.Start.Before(occs[i-1].Start) {
				t.Fatal("occurrences out of order")
			}
		}
		engine.InWindow(a, engine.Window{From: from, To: to})
		engine.InWindow(a, engine.Window{From: from})
		engine.Normalize(a)
	})
}
