package engine_test

import (
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// BenchmarkHash hashes a typical appointment (3 attendees, 2 categories, 2 CRM links, reminder, online meeting).
func BenchmarkHash(b *testing.B) {
	a := typicalAppointment()
	b.ReportAllocs()
	for b.Loop() {
		engine.Hash(a)
	}
}

// BenchmarkHashSeries hashes a weekly series with 10 exclusions and 5 overrides.
func BenchmarkHashSeries(b *testing.B) {
	a := typicalAppointment()
	r := engine.Rule{Freq: engine.Weekly, ByDay: []engine.Weekday{{Day: time.Monday}}}
	for i := range 10 {
		r.Excluded = append(r.Excluded, a.Start.AddDate(0, 0, 7*(i+1)))
	}
	for i := range 5 {
		o := *typicalAppointment()
		o.Start, o.End = a.Start.AddDate(0, 0, 7*(i+20)).Add(time.Hour), a.End.AddDate(0, 0, 7*(i+20)).Add(time.Hour)
		r.Overrides = append(r.Overrides, engine.Override{OriginalStart: a.Start.AddDate(0, 0, 7*(i+20)), Item: &o})
	}
	a.Recurrence = &r
	b.ReportAllocs()
	for b.Loop() {
		engine.Hash(a)
	}
}

// BenchmarkNormalize normalizes a typical appointment.
func BenchmarkNormalize(b *testing.B) {
	a := typicalAppointment()
	b.ReportAllocs()
	for b.Loop() {
		engine.Normalize(a)
	}
}
