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
