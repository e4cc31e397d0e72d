package engine_test

import (
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// benchSeries is a weekly Monday/Wednesday 09:00 New York series that started two years before the window.
func benchSeries(b *testing.B, rule string) *engine.Appointment {
	ny := mustZone(b, "America/New_York")
	return &engine.Appointment{Start: time.Date(2023, 1, 2, 9, 0, 0, 0, ny), End: time.Date(2023, 1, 2, 10, 0, 0, 0, ny),
		TimeZone: "America/New_York", Recurrence: mustRule(b, rule)}
}

var benchFrom, benchTo = time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 150)

// BenchmarkOccurrencesWeekly150Days expands an endless weekly series over a 150-day window (30 back + 120 forward).
func BenchmarkOccurrencesWeekly150Days(b *testing.B) {
	a := benchSeries(b, "FREQ=WEEKLY;BYDAY=MO,WE")
	b.ReportAllocs()
	for b.Loop() {
		if len(engine.Occurrences(a, benchFrom, benchTo)) == 0 {
			b.Fatal("no occurrences")
		}
	}
}

// BenchmarkOccurrencesWeeklyCount150Days is the same with COUNT, which forces the walk from the series start.
func BenchmarkOccurrencesWeeklyCount150Days(b *testing.B) {
	a := benchSeries(b, "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=1000")
	b.ReportAllocs()
	for b.Loop() {
		if len(engine.Occurrences(a, benchFrom, benchTo)) == 0 {
			b.Fatal("no occurrences")
		}
	}
}

// BenchmarkInWindowSeries asks whether an endless weekly series touches a 150-day window.
func BenchmarkInWindowSeries(b *testing.B) {
	a := benchSeries(b, "FREQ=WEEKLY;BYDAY=MO,WE")
	w := engine.Window{From: benchFrom, To: benchTo}
	b.ReportAllocs()
	for b.Loop() {
		if !engine.InWindow(a, w) {
			b.Fatal("not in window")
		}
	}
}

// BenchmarkParseRRule parses a typical rule.
func BenchmarkParseRRule(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.ParseRRule("FREQ=MONTHLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;UNTIL=20301231T000000Z"); err != nil {
			b.Fatal(err)
		}
	}
}
