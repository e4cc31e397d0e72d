package engine_test

import (
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

func TestNormalizeRule(t *testing.T) {
	t.Parallel()
	oslo := mustZone(t, "Europe/Oslo")
	at := func(d, h int) time.Time { return time.Date(2025, 3, d, h, 0, 0, 0, oslo) }
	master := func() *engine.Appointment {
		return &engine.Appointment{Title: "Daily", Start: at(3, 9), End: at(3, 10), TimeZone: "Europe/Oslo"}
	}
	ov := func(orig time.Time, title string, start time.Time) engine.Override {
		return engine.Override{OriginalStart: orig, Item: &engine.Appointment{Title: title, Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Oslo"}}
	}
	tests := []struct {
		name  string
		rule  engine.Rule
		check func(t *testing.T, r engine.Rule)
	}{
		{"override identical to the occurrence is dropped", engine.Rule{Freq: engine.Daily, Overrides: []engine.Override{ov(at(5, 9), "Daily", at(5, 9))}},
			func(t *testing.T, r engine.Rule) {
				if len(r.Overrides) != 0 {
					t.Errorf("overrides %+v", r.Overrides)
				}
			}},
		{"moved override is kept", engine.Rule{Freq: engine.Daily, Overrides: []engine.Override{ov(at(5, 9), "Daily", at(5, 11))}},
			func(t *testing.T, r engine.Rule) {
				if len(r.Overrides) != 1 || !r.Overrides[0].Item.Start.Equal(at(5, 11)) {
					t.Errorf("overrides %+v", r.Overrides)
				}
			}},
		{"override of an excluded occurrence is dropped", engine.Rule{Freq: engine.Daily, Excluded: []time.Time{at(5, 9)}, Overrides: []engine.Override{ov(at(5, 9), "X", at(5, 11))}},
			func(t *testing.T, r engine.Rule) {
				if len(r.Overrides) != 0 || len(r.Excluded) != 1 {
					t.Errorf("rule %+v", r)
				}
			}},
		{"the last override of one occurrence wins, sorted by original start", engine.Rule{Freq: engine.Daily, Overrides: []engine.Override{ov(at(7, 9), "C", at(7, 12)), ov(at(5, 9), "A", at(5, 11)), ov(at(5, 9).UTC(), "B", at(5, 12))}},
			func(t *testing.T, r engine.Rule) {
				if len(r.Overrides) != 2 || r.Overrides[0].Item.Title != "B" || r.Overrides[1].Item.Title != "C" {
					t.Errorf("overrides %+v", r.Overrides)
				}
			}},
		{"exclusions in any location are sorted, de-duplicated, UTC", engine.Rule{Freq: engine.Daily, Excluded: []time.Time{at(9, 9), at(4, 9).UTC(), at(4, 9), {}}},
			func(t *testing.T, r engine.Rule) {
				if len(r.Excluded) != 2 || !r.Excluded[0].Equal(at(4, 9)) || r.Excluded[0].Location() != time.UTC {
					t.Errorf("excluded %v", r.Excluded)
				}
			}},
		{"week start only kept where it matters", engine.Rule{Freq: engine.Weekly, WeekStart: time.Sunday, ByDay: []engine.Weekday{{Day: time.Tuesday}}},
			func(t *testing.T, r engine.Rule) {
				if r.WeekStart != time.Monday {
					t.Errorf("week start %v", r.WeekStart)
				}
			}},
		{"week start kept for a bi-weekly rule with days", engine.Rule{Freq: engine.Weekly, Interval: 2, WeekStart: time.Sunday, ByDay: []engine.Weekday{{Day: time.Tuesday}}},
			func(t *testing.T, r engine.Rule) {
				if r.WeekStart != time.Sunday || r.Interval != 2 {
					t.Errorf("rule %+v", r)
				}
			}},
		{"BYxxx sorted and de-duplicated, interval 1 is 0", engine.Rule{Freq: "monthly", Interval: 1, ByMonthDay: []int{15, -1, 15}, BySetPos: []int{2, -1}, ByDay: []engine.Weekday{{N: -1, Day: time.Friday}, {N: 1, Day: time.Monday}, {N: -1, Day: time.Friday}}},
			func(t *testing.T, r engine.Rule) {
				if got := r.RRule(); got != "FREQ=MONTHLY;BYMONTHDAY=-1,15;BYDAY=1MO,-1FR;BYSETPOS=-1,2" {
					t.Errorf("rule %s", got)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.rule
			tt.check(t, engine.NormalizeRule(in, master()))
			a := master()
			a.Recurrence = &in
			n := engine.Normalize(a).(*engine.Appointment)
			tt.check(t, *n.Recurrence)
		})
	}
}

func TestNormalizeAllDayOverrideDropped(t *testing.T) {
	t.Parallel()
	d := func(day int) time.Time { return time.Date(2025, 4, day, 0, 0, 0, 0, time.UTC) }
	a := &engine.Appointment{Title: "Off", AllDay: true, Start: d(1), End: d(2), Recurrence: &engine.Rule{Freq: engine.Weekly,
		Overrides: []engine.Override{{OriginalStart: d(8), Item: &engine.Appointment{Title: "Off", AllDay: true, Start: d(8), End: d(9)}}}}}
	if n := engine.Normalize(a).(*engine.Appointment); len(n.Recurrence.Overrides) != 0 {
		t.Errorf("identical all-day override kept: %+v", n.Recurrence.Overrides)
	}
}

func TestIsOccurrence(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	a := &engine.Appointment{Start: time.Date(2025, 3, 3, 9, 0, 0, 0, ny), End: time.Date(2025, 3, 3, 10, 0, 0, 0, ny), TimeZone: "America/New_York",
		Recurrence: mustRule(t, "FREQ=WEEKLY;BYDAY=MO")}
	a.Recurrence.Dates = []time.Time{time.Date(2025, 3, 5, 9, 0, 0, 0, ny)}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2025, 3, 3, 9, 0, 0, 0, ny), true},
		{time.Date(2025, 3, 10, 9, 0, 0, 0, ny), true}, // after the US DST switch: still 09:00 local
		{time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC), false},
		{time.Date(2025, 3, 5, 9, 0, 0, 0, ny), true},  // an extra date
		{time.Date(2035, 3, 6, 9, 0, 0, 0, ny), false}, // a Tuesday ten years on
		{time.Date(2035, 3, 5, 9, 0, 0, 0, ny), true},  // a Monday ten years on
	} {
		if got := engine.IsOccurrence(a, tt.at); got != tt.want {
			t.Errorf("IsOccurrence(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}
