package engine_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/model")

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := engine.LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustRule(t testing.TB, s string) *engine.Rule {
	t.Helper()
	r, err := engine.ParseRRule(s)
	if err != nil {
		t.Fatalf("ParseRRule(%q): %v", s, err)
	}
	return &r
}

// golden compares got with testdata/model/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "model", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestParseRRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // formatted; empty when an error is expected
		part string // the part the error must name
	}{
		{in: "FREQ=WEEKLY;BYDAY=MO,WE", want: "FREQ=WEEKLY;BYDAY=MO,WE"},
		{in: "RRULE:freq=daily;interval=2;count=10", want: "FREQ=DAILY;INTERVAL=2;COUNT=10"},
		{in: "FREQ=MONTHLY;BYDAY=-1FR", want: "FREQ=MONTHLY;BYDAY=-1FR"},
		{in: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", want: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
		{in: "FREQ=YEARLY;BYMONTH=11;BYDAY=+4TH", want: "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH"},
		{in: "FREQ=WEEKLY;UNTIL=20250301T100000Z;WKST=SU;INTERVAL=2;BYDAY=TU", want: "FREQ=WEEKLY;INTERVAL=2;UNTIL=20250301T100000Z;BYDAY=TU;WKST=SU"},
		{in: "FREQ=DAILY;UNTIL=20250301", want: "FREQ=DAILY;UNTIL=20250301T000000Z"},
		{in: "FREQ=DAILY;INTERVAL=1;", want: "FREQ=DAILY"},
		{in: "FREQ=MONTHLY;BYMONTHDAY=1,-1", want: "FREQ=MONTHLY;BYMONTHDAY=1,-1"},
		{in: "", part: "FREQ"},
		{in: "INTERVAL=2", part: "FREQ"},
		{in: "FREQ=HOURLY", part: "FREQ=HOURLY"},
		{in: "FREQ=FORTNIGHTLY", part: "FREQ=FORTNIGHTLY"},
		{in: "FREQ=DAILY;FREQ=WEEKLY", part: "FREQ"},
		{in: "FREQ=DAILY;X-NAME=1", part: "X-NAME"},
		{in: "FREQ=YEARLY;BYWEEKNO=20", part: "BYWEEKNO"},
		{in: "FREQ=DAILY;BYHOUR=9", part: "BYHOUR"},
		{in: "FREQ=DAILY;COUNT=0", part: "COUNT=0"},
		{in: "FREQ=DAILY;COUNT=x", part: "COUNT=X"},
		{in: "FREQ=DAILY;INTERVAL=-1", part: "INTERVAL=-1"},
		{in: "FREQ=DAILY;UNTIL=2025-03-01", part: "UNTIL=2025-03-01"},
		{in: "FREQ=WEEKLY;BYDAY=XX", part: "BYDAY=XX"},
		{in: "FREQ=MONTHLY;BYDAY=0MO", part: "BYDAY=0MO"},
		{in: "FREQ=MONTHLY;BYDAY=6MO", part: "BYDAY"},
		{in: "FREQ=WEEKLY;BYDAY=1MO", part: "BYDAY"},
		{in: "FREQ=MONTHLY;BYMONTHDAY=32", part: "BYMONTHDAY=32"},
		{in: "FREQ=YEARLY;BYMONTH=13", part: "BYMONTH=13"},
		{in: "FREQ=YEARLY;BYMONTH=-1", part: "BYMONTH=-1"},
		{in: "FREQ=DAILY;COUNT=3;UNTIL=20250101", part: "COUNT"},
		{in: "FREQ=DAILY;BYSETPOS=1", part: "BYSETPOS"},
		{in: "FREQ=WEEKLY;BYMONTHDAY=3", part: "BYMONTHDAY"},
		{in: "FREQ=DAILY;WKST=XY", part: "WKST=XY"},
		{in: "FREQ", part: "FREQ"},
		{in: "FREQ=DAILY;UNTIL=00001001", part: "UNTIL=00001001"},
	}
	for _, tt := range tests {
		r, err := engine.ParseRRule(tt.in)
		if tt.want == "" {
			var re *engine.RuleError
			if !errors.As(err, &re) {
				t.Errorf("ParseRRule(%q) = %v, %v; want a *RuleError", tt.in, r, err)
				continue
			}
			if re.Part != tt.part {
				t.Errorf("ParseRRule(%q) error names part %q, want %q (%v)", tt.in, re.Part, tt.part, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRRule(%q): %v", tt.in, err)
			continue
		}
		if got := r.RRule(); got != tt.want {
			t.Errorf("ParseRRule(%q).RRule() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatRRuleAllDay(t *testing.T) {
	t.Parallel()
	r := mustRule(t, "FREQ=YEARLY;UNTIL=20300101")
	if got, want := engine.FormatRRule(*r, true), "FREQ=YEARLY;UNTIL=20300101"; got != want {
		t.Errorf("FormatRRule(all-day) = %q, want %q", got, want)
	}
}

// expansionCase is one golden expansion: the series, the window, and the zones to show wall times in.
type expansionCase struct {
	name     string
	appt     *engine.Appointment
	from, to time.Time
	show     []string
}

func formatOccurrences(c expansionCase, occs []engine.Occurrence) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", c.name)
	if c.appt.Recurrence != nil {
		fmt.Fprintf(&b, "   rule %s", c.appt.Recurrence.RRule())
		if c.appt.TimeZone != "" {
			fmt.Fprintf(&b, " in %s", c.appt.TimeZone)
		}
		b.WriteString("\n")
	}
	for _, o := range occs {
		fmt.Fprintf(&b, "   %s  %s..%s", o.OriginalStart.UTC().Format("2006-01-02T15:04Z"), o.Start.UTC().Format("2006-01-02T15:04Z"), o.End.UTC().Format("2006-01-02T15:04Z"))
		for _, z := range c.show {
			loc, _ := engine.LoadZone(z)
			if c.appt.AllDay {
				// An all-day date is the same date everywhere: show the date the viewer's calendar shows.
				fmt.Fprintf(&b, "  %s=%s", z, o.Start.UTC().Format("Mon 2006-01-02"))
				continue
			}
			fmt.Fprintf(&b, "  %s=%s", z, o.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"))
		}
		if o.Override != nil {
			fmt.Fprintf(&b, "  override %q", o.Override.Title)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "   (%d occurrences)\n", len(occs))
	return b.String()
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func expansionCases(t testing.TB) []expansionCase {
	ny := mustZone(t, "America/New_York")
	oslo := mustZone(t, "Europe/Oslo")
	at := func(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
		return time.Date(y, m, d, h, mi, 0, 0, loc)
	}
	series := func(title string, start time.Time, dur time.Duration, tz, rule string) *engine.Appointment {
		return &engine.Appointment{Title: title, Start: start, End: start.Add(dur), TimeZone: tz, Recurrence: mustRule(t, rule)}
	}

	dstOverride := series("Stand-up", at(oslo, 2025, 3, 24, 9, 0), 30*time.Minute, "Europe/Oslo", "FREQ=DAILY;COUNT=14")
	dstOverride.Recurrence.Overrides = []engine.Override{{
		OriginalStart: at(oslo, 2025, 3, 30, 9, 0),
		Item:          &engine.Appointment{Title: "Stand-up (moved)", Start: at(oslo, 2025, 3, 30, 11, 0), End: at(oslo, 2025, 3, 30, 11, 30), TimeZone: "Europe/Oslo"},
	}}
	dstOverride.Recurrence.Excluded = []time.Time{at(oslo, 2025, 3, 31, 9, 0)}

	allDay := &engine.Appointment{Title: "Holiday", AllDay: true, Start: date(2025, 3, 28), End: date(2025, 3, 29), Recurrence: mustRule(t, "FREQ=WEEKLY;COUNT=4")}

	movedIn := series("Review", at(ny, 2025, 1, 6, 14, 0), time.Hour, "America/New_York", "FREQ=WEEKLY")
	movedIn.Recurrence.Overrides = []engine.Override{
		// Moved from before the window into it.
		{OriginalStart: at(ny, 2025, 5, 26, 14, 0), Item: &engine.Appointment{Title: "Review (moved in)", Start: at(ny, 2025, 6, 3, 14, 0), End: at(ny, 2025, 6, 3, 15, 0), TimeZone: "America/New_York"}},
		// Moved from inside the window out of it.
		{OriginalStart: at(ny, 2025, 6, 9, 14, 0), Item: &engine.Appointment{Title: "Review (moved out)", Start: at(ny, 2025, 7, 30, 14, 0), End: at(ny, 2025, 7, 30, 15, 0), TimeZone: "America/New_York"}},
	}
	movedIn.Recurrence.Dates = []time.Time{at(ny, 2025, 6, 12, 9, 0)}

	return []expansionCase{
		{
			name: "weekly 09:00 New York seen from Oslo while EU and US DST differ (US switches 9 Mar, EU 30 Mar 2025)",
			appt: series("Sync", at(ny, 2025, 3, 3, 9, 0), time.Hour, "America/New_York", "FREQ=WEEKLY;BYDAY=MO"),
			from: date(2025, 3, 1), to: date(2025, 4, 8), show: []string{"America/New_York", "Europe/Oslo"},
		},
		{
			name: "weekly 09:00 Oslo seen from New York in the autumn gap (EU ends 26 Oct, US 2 Nov 2025)",
			appt: series("Weekly", at(oslo, 2025, 10, 20, 9, 0), time.Hour, "Europe/Oslo", "FREQ=WEEKLY;UNTIL=20251110T080000Z"),
			from: time.Time{}, to: time.Time{}, show: []string{"Europe/Oslo", "America/New_York"},
		},
		{
			name: "all-day weekly series viewed from Auckland and Los Angeles keeps its dates",
			appt: allDay, show: []string{"Pacific/Auckland", "America/Los_Angeles", "Europe/Oslo"},
		},
		{
			name: "daily stand-up with an override on the EU DST day and an exclusion the day after",
			appt: dstOverride, show: []string{"Europe/Oslo"},
		},
		{
			name: "daily 02:30 in New York across the spring-forward gap (02:30 does not exist on 9 Mar 2025)",
			appt: series("Backup", at(ny, 2025, 3, 7, 2, 30), 15*time.Minute, "America/New_York", "FREQ=DAILY;COUNT=5"),
			show: []string{"America/New_York"},
		},
		{
			name: "daily 01:30 in New York across the fall-back repeat (01:30 happens twice on 2 Nov 2025: the first counts)",
			appt: series("Night job", at(ny, 2025, 10, 31, 1, 30), 30*time.Minute, "America/New_York", "FREQ=DAILY;COUNT=4"),
			show: []string{"America/New_York"},
		},
		{
			name: "last Friday of the month",
			appt: series("Report", at(ny, 2025, 1, 31, 16, 0), time.Hour, "America/New_York", "FREQ=MONTHLY;BYDAY=-1FR"),
			from: date(2025, 1, 1), to: date(2025, 7, 1), show: []string{"America/New_York"},
		},
		{
			name: "last working day of the month (BYSETPOS=-1)",
			appt: series("Payroll", at(oslo, 2025, 1, 31, 12, 0), time.Hour, "Europe/Oslo", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6"),
			show: []string{"Europe/Oslo"},
		},
		{
			name: "US Thanksgiving (fourth Thursday of November)",
			appt: &engine.Appointment{Title: "Thanksgiving", AllDay: true, Start: date(2024, 11, 28), End: date(2024, 11, 29), Recurrence: mustRule(t, "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=4")},
			show: []string{"America/New_York"},
		},
		{
			name: "every other week on Tuesday and Thursday, week starting Sunday, until a date",
			appt: series("Class", at(oslo, 2025, 9, 2, 18, 0), 90*time.Minute, "Europe/Oslo", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU;UNTIL=20251016T160000Z"),
			show: []string{"Europe/Oslo"},
		},
		{
			name: "monthly on the 31st skips short months",
			appt: series("Close", at(ny, 2025, 1, 31, 10, 0), time.Hour, "America/New_York", "FREQ=MONTHLY;COUNT=5"),
			show: []string{"America/New_York"},
		},
		{
			name: "endless weekly series with overrides moved into and out of the window and an extra date",
			appt: movedIn, from: date(2025, 6, 1), to: date(2025, 6, 20), show: []string{"America/New_York"},
		},
		{
			name: "endless daily series rolled forward: a window ten years after the start",
			appt: series("Daily", at(oslo, 2025, 1, 1, 8, 0), time.Hour, "Europe/Oslo", "FREQ=DAILY;INTERVAL=3"),
			from: date(2035, 3, 20), to: date(2035, 4, 5), show: []string{"Europe/Oslo"},
		},
		{
			name: "yearly on 29 February",
			appt: &engine.Appointment{Title: "Leap", AllDay: true, Start: date(2024, 2, 29), End: date(2024, 3, 1), Recurrence: mustRule(t, "FREQ=YEARLY;COUNT=3")},
			show: []string{"Europe/Oslo"},
		},
		{
			name: "Windows zone name on the series (W. Europe Standard Time)",
			appt: series("Win", at(oslo, 2025, 3, 28, 9, 0), time.Hour, "W. Europe Standard Time", "FREQ=DAILY;COUNT=4"),
			show: []string{"Europe/Berlin"},
		},
	}
}

func TestOccurrencesGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, c := range expansionCases(t) {
		b.WriteString(formatOccurrences(c, engine.Occurrences(c.appt, c.from, c.to)))
	}
	golden(t, "expand.golden", b.String())
}

func TestOccurrencesKeepWallClockAcrossDST(t *testing.T) {
	t.Parallel()
	for _, c := range expansionCases(t)[:2] {
		loc := mustZone(t, c.appt.TimeZone)
		want := c.appt.Start.In(loc).Format("15:04")
		occs := engine.Occurrences(c.appt, c.from, c.to)
		if len(occs) < 4 {
			t.Fatalf("%s: %d occurrences", c.name, len(occs))
		}
		offsets := map[int]bool{}
		for _, o := range occs {
			if got := o.Start.In(loc).Format("15:04"); got != want {
				t.Errorf("%s: occurrence %s at %s in %s, want %s", c.name, o.Start, got, c.appt.TimeZone, want)
			}
			if d := o.End.Sub(o.Start); d != c.appt.End.Sub(c.appt.Start) {
				t.Errorf("%s: occurrence lasts %s", c.name, d)
			}
			viewer := mustZone(t, c.show[1])
			_, off := o.Start.In(viewer).Zone()
			_, own := o.Start.In(loc).Zone()
			offsets[off-own] = true
		}
		if len(offsets) != 2 {
			t.Errorf("%s: the viewer's offset difference should change during the gap weeks, saw %v", c.name, offsets)
		}
	}
}

func TestOccurrencesAllDaySameDateEverywhere(t *testing.T) {
	t.Parallel()
	a := expansionCases(t)[2].appt
	for _, o := range engine.Occurrences(a, time.Time{}, time.Time{}) {
		if o.Start.Hour() != 0 || o.Start.Location() != time.UTC || o.End.Sub(o.Start) != 24*time.Hour {
			t.Errorf("all-day occurrence %s..%s is not a UTC date", o.Start, o.End)
		}
	}
	// Viewed from a zone far east of UTC, the window for 4 April local still contains the 4 April occurrence.
	akl := mustZone(t, "Pacific/Auckland")
	w := engine.Window{From: time.Date(2025, 4, 4, 0, 0, 0, 0, akl), To: time.Date(2025, 4, 5, 0, 0, 0, 0, akl)}
	if !engine.InWindow(a, w) {
		t.Errorf("all-day series not in the Auckland window %v", w)
	}
}

func TestOccurrencesBounded(t *testing.T) {
	t.Parallel()
	a := &engine.Appointment{Start: date(2000, 1, 1), End: date(2000, 1, 2), AllDay: true, Recurrence: mustRule(t, "FREQ=DAILY")}
	occs := engine.Occurrences(a, time.Time{}, time.Time{})
	if len(occs) != engine.MaxOccurrences {
		t.Errorf("endless series unbounded window: %d occurrences, want the cap %d", len(occs), engine.MaxOccurrences)
	}
	// A rule that never matches after the start stops too.
	never := &engine.Appointment{Start: date(2025, 1, 31), End: date(2025, 2, 1), AllDay: true, Recurrence: mustRule(t, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")}
	if got := engine.Occurrences(never, time.Time{}, time.Time{}); len(got) != 1 {
		t.Errorf("impossible rule: %d occurrences, want only the start", len(got))
	}
	if engine.InWindow(never, engine.Window{From: date(2030, 1, 1)}) {
		t.Error("impossible rule reported in a future window")
	}
}

func TestOccurrencesNonRecurring(t *testing.T) {
	t.Parallel()
	a := &engine.Appointment{Start: date(2025, 5, 1).Add(9 * time.Hour), End: date(2025, 5, 1).Add(10 * time.Hour)}
	if got := engine.Occurrences(a, date(2025, 5, 1), date(2025, 5, 2)); len(got) != 1 || !got[0].Start.Equal(a.Start) {
		t.Errorf("single appointment: %v", got)
	}
	if got := engine.Occurrences(a, date(2025, 5, 2), date(2025, 5, 3)); len(got) != 0 {
		t.Errorf("single appointment outside the window: %v", got)
	}
	if got := engine.Occurrences(nil, time.Time{}, time.Time{}); got != nil {
		t.Errorf("nil appointment: %v", got)
	}
}

func TestSplitSeries(t *testing.T) {
	t.Parallel()
	oslo := mustZone(t, "Europe/Oslo")
	for _, rule := range []string{"FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10", "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20250501T000000Z"} {
		a := &engine.Appointment{Title: "Team", Start: time.Date(2025, 3, 3, 9, 0, 0, 0, oslo), End: time.Date(2025, 3, 3, 10, 0, 0, 0, oslo),
			TimeZone: "Europe/Oslo", Recurrence: mustRule(t, rule)}
		a.Recurrence.Excluded = []time.Time{time.Date(2025, 3, 6, 9, 0, 0, 0, oslo), time.Date(2025, 3, 27, 9, 0, 0, 0, oslo)}
		all := engine.Occurrences(a, time.Time{}, time.Time{})
		at := time.Date(2025, 3, 17, 9, 0, 0, 0, oslo) // a Monday after the EU DST change? no: before (30 Mar)
		before, after, err := engine.SplitSeries(a, at)
		if err != nil {
			t.Fatal(err)
		}
		got := append(engine.Occurrences(before, time.Time{}, time.Time{}), engine.Occurrences(after, time.Time{}, time.Time{})...)
		starts := func(os []engine.Occurrence) []time.Time {
			var out []time.Time
			for _, o := range os {
				out = append(out, o.Start.UTC())
			}
			return out
		}
		if !slices.EqualFunc(starts(all), starts(got), time.Time.Equal) {
			t.Errorf("%s: split series differ from the original:\n all %v\n got %v", rule, starts(all), starts(got))
		}
		for _, o := range engine.Occurrences(before, time.Time{}, time.Time{}) {
			if !o.Start.Before(at) {
				t.Errorf("%s: old series has %s after the split", rule, o.Start)
			}
		}
		if !after.Start.Equal(at) {
			t.Errorf("%s: new series starts %s, want %s", rule, after.Start, at)
		}
		if h := after.Start.In(oslo).Hour(); h != 9 {
			t.Errorf("%s: new series starts at %d:00", rule, h)
		}
	}
	if _, _, err := engine.SplitSeries(&engine.Appointment{}, time.Now()); err == nil {
		t.Error("SplitSeries of a single appointment: no error")
	}
}

func TestSplitSeriesGolden(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	a := &engine.Appointment{Title: "1:1", Start: time.Date(2025, 2, 24, 9, 0, 0, 0, ny), End: time.Date(2025, 2, 24, 9, 30, 0, 0, ny),
		TimeZone: "America/New_York", Recurrence: mustRule(t, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")}
	before, after, err := engine.SplitSeries(a, time.Date(2025, 3, 24, 9, 0, 0, 0, ny))
	if err != nil {
		t.Fatal(err)
	}
	show := []string{"America/New_York", "Europe/Oslo"}
	var b strings.Builder
	b.WriteString(formatOccurrences(expansionCase{name: "organizer splits a bi-weekly series at 24 Mar 2025: old series", appt: before, show: show},
		engine.Occurrences(before, time.Time{}, time.Time{})))
	to := date(2025, 6, 1)
	b.WriteString(formatOccurrences(expansionCase{name: "new series (to 1 Jun)", appt: after, show: show}, engine.Occurrences(after, time.Time{}, to)))
	golden(t, "split.golden", b.String())
}
