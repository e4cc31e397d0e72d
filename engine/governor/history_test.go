package governor_test

import (
	"context"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

// TestHistoryRecordsAdmissionsThrottlingAndWaits drives one mailbox through a busy step (two calls, one of them
// waiting 3 s for the concurrency cap, one 429) and checks the per-scope and governor-wide samples.
func TestHistoryRecordsAdmissionsThrottlingAndWaits(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // on a step boundary
	clk := clock.NewFake(start)
	g := governor.New(governor.Options{Clock: clk})
	g.Declare("msgraph", "mailbox", engine.Limits{MaxInFlight: 1})
	ctx := context.Background()

	p1, err := g.Acquire(ctx, mailboxA, tenant)
	if err != nil {
		t.Fatal(err)
	}
	second := acquireAsync(ctx, g, mailboxA, tenant)
	eventually(t, "second call waiting", func() bool { return waitingOn(g, mailboxA) == 1 })
	clk.Advance(3 * time.Second)
	p1.Done(engine.Outcome{Status: 200, Latency: time.Millisecond})
	var p2 engine.Permit
	eventually(t, "second call admitted", func() bool { var ok bool; p2, ok = granted(second); return ok })
	p2.Done(engine.Outcome{Status: 429, RetryAfter: time.Second})
	clk.Advance(20 * time.Second) // two quiet steps follow

	got, ok := g.History(mailboxA.String(), time.Minute)
	if !ok {
		t.Fatal("History: mailbox scope not found")
	}
	if len(got) != 6 {
		t.Fatalf("got %d samples for a minute, want 6", len(got))
	}
	first := got[3] // the step of `start`; the three before it are empty
	want := governor.HistorySample{At: start, Admitted: 2, Throttled: 1, Waited: 3 * time.Second, MaxInFlight: 1}
	if first != want {
		t.Errorf("busy step = %+v, want %+v", first, want)
	}
	for i, s := range got {
		if i != 3 && (s.Admitted != 0 || s.Throttled != 0 || s.Waited != 0) {
			t.Errorf("sample %d (%v) = %+v, want empty", i, s.At, s)
		}
		if i > 0 && s.At.Sub(got[i-1].At) != governor.HistoryStep {
			t.Errorf("sample %d at %v: steps must be %v apart", i, s.At, governor.HistoryStep)
		}
	}
	if last := got[len(got)-1].At; !last.Equal(start.Add(20 * time.Second)) {
		t.Errorf("newest sample at %v, want the step of now %v", last, start.Add(20*time.Second))
	}

	// The tenant saw the same calls but not the throttling answer (the mailbox was named first).
	tn, _ := g.History(tenant.String(), time.Minute)
	if s := tn[3]; s.Admitted != 2 || s.Throttled != 0 {
		t.Errorf("tenant step = %+v, want 2 admitted and no throttling", s)
	}
	// Governor-wide: each call once, not once per scope.
	all, ok := g.History("", time.Minute)
	if !ok || all[3].Admitted != 2 || all[3].Throttled != 1 || all[3].Waited != 3*time.Second || all[3].MaxInFlight != 1 {
		t.Errorf("governor-wide step = %+v, want 2 admitted, 1 throttled, 3s waited, max 1 in flight", all[3])
	}
	if _, ok := g.History("msgraph/mailbox/nobody@contoso.com", time.Minute); ok {
		t.Error("History of an unknown scope: ok = true")
	}
}

// TestHistoryForgetsOlderThanTheSpan checks that buckets are reused: activity older than HistorySpan is gone, and
// the span is clamped to [HistoryStep, HistorySpan].
func TestHistoryForgetsOlderThanTheSpan(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	g := governor.New(governor.Options{Clock: clk})
	acquire := func() {
		p, err := g.Acquire(context.Background(), mailboxA)
		if err != nil {
			t.Fatal(err)
		}
		p.Done(engine.Outcome{Status: 200})
	}
	acquire()
	clk.Advance(governor.HistorySpan - governor.HistoryStep) // the first step is now the oldest one kept
	acquire()
	got, _ := g.History(mailboxA.String(), 2*governor.HistorySpan)
	if n := int(governor.HistorySpan / governor.HistoryStep); len(got) != n {
		t.Fatalf("got %d samples, want %d (clamped to the span)", len(got), n)
	}
	if got[0].Admitted != 1 || got[len(got)-1].Admitted != 1 {
		t.Fatalf("oldest %+v newest %+v: want one admission each", got[0], got[len(got)-1])
	}
	clk.Advance(governor.HistoryStep) // the first step falls out of the ring and its slot is reused
	acquire()
	got, _ = g.History(mailboxA.String(), governor.HistorySpan)
	total := 0
	for _, s := range got {
		total += s.Admitted
	}
	if total != 2 || got[len(got)-1].Admitted != 1 {
		t.Fatalf("after an hour: %d admissions in the window (newest %+v), want 2", total, got[len(got)-1])
	}
	if one, _ := g.History("", 0); len(one) != 1 {
		t.Fatalf("History(span 0) gave %d samples, want 1", len(one))
	}
}
