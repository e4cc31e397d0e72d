package engine_test

import (
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

func TestInWindow(t *testing.T) {
	t.Parallel()
	oslo := mustZone(t, "Europe/Oslo")
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, oslo) }
	win := engine.Window{From: at(2025, 6, 1, 0), To: at(2025, 7, 1, 0)}
	single := func(s, e time.Time) *engine.Appointment {
		return &engine.Appointment{Start: s, End: e, TimeZone: "Europe/Oslo"}
	}
	weekly := func(rule string) *engine.Appointment {
		a := single(at(2025, 1, 6, 9), at(2025, 1, 6, 10))
		a.Recurrence = mustRule(t, rule)
		return a
	}

	allExcluded := weekly("FREQ=WEEKLY;UNTIL=20250615T000000Z")
	for d := time.Date(2025, 6, 2, 9, 0, 0, 0, oslo); d.Before(win.To); d = d.AddDate(0, 0, 7) {
		allExcluded.Recurrence.Excluded = append(allExcluded.Recurrence.Excluded, d)
	}
	movedIn := weekly("FREQ=WEEKLY;COUNT=3")
	movedIn.Recurrence.Overrides = []engine.Override{{OriginalStart: at(2025, 1, 13, 9), Item: single(at(2025, 6, 10, 9), at(2025, 6, 10, 10))}}
	movedOut := weekly("FREQ=WEEKLY;UNTIL=20250603T000000Z")
	movedOut.Recurrence.Overrides = []engine.Override{{OriginalStart: at(2025, 6, 2, 9), Item: single(at(2025, 5, 30, 9), at(2025, 5, 30, 10))}}
	bogusOverride := weekly("FREQ=WEEKLY;COUNT=3")
	bogusOverride.Recurrence.Overrides = []engine.Override{{OriginalStart: at(2025, 1, 14, 9), Item: single(at(2025, 6, 10, 9), at(2025, 6, 10, 10))}}

	tests := []struct {
		name string
		item engine.Item
		w    engine.Window
		want bool
	}{
		{"inside", single(at(2025, 6, 10, 9), at(2025, 6, 10, 10)), win, true},
		{"ends at From", single(at(2025, 5, 31, 23), at(2025, 6, 1, 0)), win, false},
		{"starts at To", single(at(2025, 7, 1, 0), at(2025, 7, 1, 1)), win, false},
		{"spans the window", single(at(2025, 5, 1, 0), at(2025, 8, 1, 0)), win, true},
		{"zero window", single(at(1999, 1, 1, 0), at(1999, 1, 1, 1)), engine.Window{}, true},
		{"open-ended window", single(at(2030, 1, 1, 0), at(2030, 1, 1, 1)), engine.Window{From: win.From}, true},
		{"endless series, window in 2030", weekly("FREQ=WEEKLY"), engine.Window{From: at(2030, 3, 1, 0), To: at(2030, 3, 8, 0)}, true},
		{"endless series, window in 2045 (rolled forward)", weekly("FREQ=WEEKLY;BYDAY=FR"), engine.Window{From: at(2045, 3, 1, 0), To: at(2045, 3, 8, 0)}, true},
		{"series ended by COUNT", weekly("FREQ=WEEKLY;COUNT=5"), win, false},
		{"series ended by UNTIL", weekly("FREQ=WEEKLY;UNTIL=20250531T000000Z"), win, false},
		{"series starts after the window", single(at(2025, 8, 1, 9), at(2025, 8, 1, 10)), win, false},
		{"every occurrence in the window excluded", allExcluded, win, false},
		{"override moved into the window", movedIn, win, true},
		{"override moved out of the window", movedOut, win, false},
		{"override of an occurrence that does not exist", bogusOverride, win, false},
		{"extra date in the window", func() *engine.Appointment {
			a := weekly("FREQ=WEEKLY;COUNT=2")
			a.Recurrence.Dates = []time.Time{at(2025, 6, 20, 9)}
			return a
		}(), win, true},
		{"all-day on the first day", &engine.Appointment{AllDay: true, Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)}, win, true},
		{"all-day the day before, seen from UTC+14", &engine.Appointment{AllDay: true, Start: time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}, win, true},
		{"all-day two days before", &engine.Appointment{AllDay: true, Start: time.Date(2025, 5, 29, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 5, 30, 0, 0, 0, 0, time.UTC)}, win, false},
		{"task due inside", &engine.Task{Due: at(2025, 6, 5, 12)}, win, true},
		{"task due after", &engine.Task{Due: at(2025, 7, 5, 12)}, win, false},
		{"task start only", &engine.Task{Start: at(2025, 6, 5, 12)}, win, true},
		{"task due wins over start", &engine.Task{Start: at(2025, 6, 5, 12), Due: at(2025, 9, 1, 0)}, win, false},
		{"task without dates", &engine.Task{Title: "someday"}, win, true},
		{"date-only task on the last day", &engine.Task{DueAllDay: true, Due: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)}, win, true},
		{"contact", &engine.Contact{GivenName: "Ola"}, win, true},
		{"group", &engine.Group{Name: "G"}, win, true},
		{"nil", nil, win, false},
		{"nil appointment", (*engine.Appointment)(nil), win, false},
	}
	for _, tt := range tests {
		if got := engine.InWindow(tt.item, tt.w); got != tt.want {
			t.Errorf("%s: InWindow = %v, want %v", tt.name, got, tt.want)
		}
		if a, ok := tt.item.(*engine.Appointment); ok && a != nil && !a.AllDay {
			// InWindow agrees with Occurrences.
			if got := len(engine.Occurrences(a, tt.w.From, tt.w.To)) > 0; got != tt.want {
				t.Errorf("%s: Occurrences in window = %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

// TestWindowRollsForward moves a 30/120-day window over an endless weekly series day by day for two years: the
// series never leaves the window, and the occurrences inside always number what the window's length allows.
func TestWindowRollsForward(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	a := &engine.Appointment{Start: time.Date(2025, 1, 6, 9, 0, 0, 0, ny), End: time.Date(2025, 1, 6, 10, 0, 0, 0, ny),
		TimeZone: "America/New_York", Recurrence: mustRule(t, "FREQ=WEEKLY;BYDAY=MO")}
	for now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC); now.Year() < 2027; now = now.AddDate(0, 0, 1) {
		w := engine.Window{From: now.AddDate(0, 0, -30), To: now.AddDate(0, 0, 120)}
		if !engine.InWindow(a, w) {
			t.Fatalf("series left the window at %s", now)
		}
		n := len(engine.Occurrences(a, w.From, w.To))
		if n < 21 || n > 22 {
			t.Fatalf("window at %s holds %d Mondays", now, n)
		}
	}
}
