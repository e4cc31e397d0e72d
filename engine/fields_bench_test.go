package engine_test

import (
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

// BenchmarkSplit splits a typical appointment into its field groups.
func BenchmarkSplit(b *testing.B) {
	a := typicalAppointment()
	b.ReportAllocs()
	for b.Loop() {
		engine.Split(a)
	}
}

// BenchmarkJoin joins the field groups of a typical appointment back into an item.
func BenchmarkJoin(b *testing.B) {
	f := engine.Split(typicalAppointment())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.Join(engine.KindAppointment, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChangedFields compares the field groups of two versions of a typical appointment.
func BenchmarkChangedFields(b *testing.B) {
	x := engine.Split(typicalAppointment())
	c := typicalAppointment()
	c.Title = "changed"
	y := engine.Split(c)
	b.ReportAllocs()
	for b.Loop() {
		engine.ChangedFields(x, y)
	}
}
