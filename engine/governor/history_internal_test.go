package governor

import (
	"testing"
	"time"
)

// BenchmarkHistoryAdmit measures what History adds to every admission: one bucket update per scope (and one for
// the whole governor), with the step advancing every 1,000 admissions.
//
//	go test ./engine/governor -run '^$' -bench HistoryAdmit
func BenchmarkHistoryAdmit(b *testing.B) {
	var h history
	t := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.admit(t.Add(time.Duration(i/1000)*HistoryStep), time.Millisecond, i%8)
	}
}

// TestHistorySaturates checks that counters stop at their maximum instead of wrapping to small numbers.
func TestHistorySaturates(t *testing.T) {
	var h history
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := h.at(now)
	b.admitted, b.throttled, b.waitedMs = 1<<32-1, 1<<16-1, 1<<32-2
	h.admit(now, time.Hour, 1<<20)
	h.throttle(now)
	s := h.samples(now, HistoryStep)[0]
	if s.Admitted != 1<<32-1 || s.Throttled != 1<<16-1 || s.Waited != time.Duration(1<<32-1)*time.Millisecond || s.MaxInFlight != 1<<16-1 {
		t.Fatalf("saturated sample %+v", s)
	}
	// A clock stepped back by more than the span writes nothing and does not panic.
	h.admit(now.Add(-2*HistorySpan), 0, 1)
	if s := h.samples(now, HistoryStep)[0]; s.Admitted != 1<<32-1 {
		t.Fatalf("sample after a write far in the past: %+v", s)
	}
}
