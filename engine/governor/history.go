package governor

import (
	"math"
	"time"
)

// History resolution: one sample per HistoryStep over the last HistorySpan.
const (
	HistoryStep = 10 * time.Second
	HistorySpan = time.Hour
	histSlots   = int(HistorySpan / HistoryStep)
)

// histBucket is one HistoryStep of a scope's activity. The counters saturate instead of wrapping.
type histBucket struct {
	admitted    uint32
	waitedMs    uint32
	throttled   uint16
	maxInFlight uint16
}

// history is a fixed ring of histSlots buckets: its memory does not depend on traffic (12 bytes a bucket, 4.3 KB
// a scope) and recording is a few integer operations under the governor's lock, without allocation.
type history struct {
	// last is the index (Unix time / HistoryStep) of the newest bucket written; 0 before the first.
	last    int64
	buckets [histSlots]histBucket
}

func stepIndex(t time.Time) int64 { return t.UnixNano() / int64(HistoryStep) }

// at returns the bucket of instant t, clearing the buckets of the steps skipped since the last one written. A t
// older than the ring (a clock stepped back by more than HistorySpan) gets nil.
func (h *history) at(t time.Time) *histBucket {
	idx := stepIndex(t)
	switch {
	case h.last == 0 || idx-h.last >= int64(histSlots):
		h.buckets = [histSlots]histBucket{}
		h.last = idx
	case idx > h.last:
		for i := h.last + 1; i <= idx; i++ {
			h.buckets[i%int64(histSlots)] = histBucket{}
		}
		h.last = idx
	case h.last-idx >= int64(histSlots):
		return nil
	}
	return &h.buckets[idx%int64(histSlots)]
}

func addSat32(v uint32, d uint64) uint32 {
	if s := uint64(v) + d; s < math.MaxUint32 {
		return uint32(s)
	}
	return math.MaxUint32
}

// admit records one admission at t after waiting waited, with inFlight calls in flight afterwards.
func (h *history) admit(t time.Time, waited time.Duration, inFlight int) {
	b := h.at(t)
	if b == nil {
		return
	}
	b.admitted = addSat32(b.admitted, 1)
	if waited > 0 {
		b.waitedMs = addSat32(b.waitedMs, uint64(waited/time.Millisecond))
	}
	if f := min(inFlight, math.MaxUint16); f > int(b.maxInFlight) {
		b.maxInFlight = uint16(f) //nolint:gosec // bounded above
	}
}

// throttle records one throttling answer (429, 503, Retry-After) at t.
func (h *history) throttle(t time.Time) {
	if b := h.at(t); b != nil && b.throttled < math.MaxUint16 {
		b.throttled++
	}
}

// activeSince reports whether anything was recorded at or after step index idx.
func (h *history) activeSince(idx int64) bool { return h.last != 0 && h.last >= idx }

// HistorySample is the activity of one HistoryStep: calls admitted, throttling answers seen (429, 503,
// Retry-After, EWS back-off), the total time admitted calls waited for their slot, and the most calls in flight
// at an admission.
type HistorySample struct {
	At          time.Time     `json:"at"`
	Admitted    int           `json:"admitted"`
	Throttled   int           `json:"throttled"`
	Waited      time.Duration `json:"waited"`
	MaxInFlight int           `json:"maxInFlight"`
}

// samples returns one sample per step from the step of now-span (exclusive) to the step of now, oldest first.
func (h *history) samples(now time.Time, span time.Duration) []HistorySample {
	n := int(span / HistoryStep)
	n = max(1, min(n, histSlots))
	end := stepIndex(now)
	out := make([]HistorySample, n)
	for i := range out {
		idx := end - int64(n-1-i)
		s := HistorySample{At: time.Unix(0, idx*int64(HistoryStep)).UTC()}
		if h.last != 0 && idx <= h.last && h.last-idx < int64(histSlots) {
			b := h.buckets[idx%int64(histSlots)]
			s.Admitted, s.Throttled, s.MaxInFlight = int(b.admitted), int(b.throttled), int(b.maxInFlight)
			s.Waited = time.Duration(b.waitedMs) * time.Millisecond
		}
		out[i] = s
	}
	return out
}

// History returns the activity of the last span (at most HistorySpan, at least one HistoryStep) in steps of
// HistoryStep, oldest first, every step present (zero when idle). scope names a scope as ScopeState.Scope does;
// "" means the whole governor, where each call counts once however many scopes it was charged to. ok is false
// when no such scope is active (a scope idle for longer than HistorySpan is forgotten).
func (g *Governor) History(scope string, span time.Duration) (samples []HistorySample, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clk.Now()
	if scope == "" {
		return g.hist.samples(now, span), true
	}
	for k, s := range g.scopes {
		if k.String() == scope {
			return s.hist.samples(now, span), true
		}
	}
	return nil, false
}
