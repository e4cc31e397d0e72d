package engine_test

import (
	"fmt"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// A weekly 09:00 meeting scheduled in New York, seen from Oslo in March 2025: the US switches to summer time on
// 9 March, the EU on 30 March, so for three weeks the meeting is an hour earlier in Oslo.
func ExampleOccurrences() {
	ny, _ := engine.LoadZone("America/New_York")
	oslo, _ := engine.LoadZone("Europe/Oslo")
	rule, err := engine.ParseRRule("FREQ=WEEKLY;BYDAY=MO;COUNT=5")
	if err != nil {
		panic(err)
	}
	a := &engine.Appointment{
		Title: "Sync", TimeZone: "America/New_York", Recurrence: &rule,
		Start: time.Date(2025, 3, 3, 9, 0, 0, 0, ny), End: time.Date(2025, 3, 3, 10, 0, 0, 0, ny),
	}
	for _, o := range engine.Occurrences(a, time.Time{}, time.Time{}) {
		fmt.Println(o.Start.In(ny).Format("Jan 2 15:04 MST"), "=", o.Start.In(oslo).Format("15:04 MST"))
	}
	// Output:
	// Mar 3 09:00 EST = 15:00 CET
	// Mar 10 09:00 EDT = 14:00 CET
	// Mar 17 09:00 EDT = 14:00 CET
	// Mar 24 09:00 EDT = 14:00 CET
	// Mar 31 09:00 EDT = 15:00 CEST
}

func ExampleParseRRule() {
	r, err := engine.ParseRRule("RRULE:FREQ=MONTHLY;BYDAY=-1FR;INTERVAL=1")
	fmt.Println(r.RRule(), err)
	_, err = engine.ParseRRule("FREQ=MONTHLY;BYWEEKNO=3")
	fmt.Println(err)
	// Output:
	// FREQ=MONTHLY;BYDAY=-1FR <nil>
	// engine: RRULE part "BYWEEKNO": not supported
}
