package msgraph_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/synchronizer/synchronizer/engine/reference"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

// TestThrottlingIsReportedWithRetryAfter: without a governor, the fake's concurrency limit answers 429 and the
// connector reports it as *engine.RetryAfterError with exactly the server's Retry-After.
func TestThrottlingIsReportedWithRetryAfter(t *testing.T) {
	srv := newFake(t, msgraphtest.Options{Latency: 20 * time.Millisecond})
	c := newConn(t, srv, engine.Env{}, nil)
	s := openStore(t, c, engine.KindAppointment, alice)
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Go(func() {
			_, err := s.Create(context.Background(), &engine.Appointment{Title: "x", Start: day(1), End: day(1).Add(time.Hour)}, fmt.Sprint("t", i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	throttled := 0
	for err := range errs {
		var ra *engine.RetryAfterError
		if errors.As(err, &ra) {
			if ra.Wait != time.Second {
				t.Fatalf("Retry-After 1 reported as %s", ra.Wait)
			}
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled == 0 || srv.Violations() != throttled {
		t.Fatalf("throttled %d, fake recorded %d violations", throttled, srv.Violations())
	}
}

// TestGovernorKeepsWithinMailboxLimits drives many concurrent writers through the governor against the fake
// enforcing 4 concurrent requests and a request budget (scaled down to 60 per minute, on a clock 60 times faster
// than real time):
// every call succeeds, the fake records zero limit violations, and the budget is used at close to its rate.
func TestGovernorKeepsWithinMailboxLimits(t *testing.T) {
	clk := msgraphtest.NewScaledClock(time.Now(), 60)
	const budget = 60
	srv := newFake(t, msgraphtest.Options{Clock: clk, Budget: budget, Window: time.Minute, Latency: time.Millisecond})
	gov := governor.New(governor.Options{Clock: clk, SlowThreshold: -1})
	c := newConn(t, srv, engine.Env{Governor: gov, Now: clk.Now}, func(s *msgraph.Settings) { s.WindowMarginSeconds = 30 })
	// The window margin covers the delay between the governor's admission and the fake's count; on a clock 60
	// times faster, 5 s of API time are 80 ms of real time, less than a loaded test machine (or the race
	// detector) may take, so the test uses 30 s (500 ms real).
	gov.SetLimits(engine.LimitScope{System: msgraph.Type, Kind: "mailbox", Key: alice},
		engine.Limits{MaxInFlight: 4, Requests: budget, Per: 90 * time.Second})
	s := openStore(t, c, engine.KindAppointment, alice)
	start := clk.Now()
	const n = 3 * budget
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.Create(context.Background(), &engine.Appointment{Title: "x", Start: day(1), End: day(1).Add(time.Hour)}, fmt.Sprint("g", i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	el := clk.Now().Sub(start)
	if v := srv.Violations(); v != 0 {
		t.Fatalf("the fake recorded %d limit violations", v)
	}
	if m := srv.MaxInFlight(); m > 4 {
		t.Fatalf("%d requests in flight", m)
	}
	// 180 requests at 60 per 90 s need just over 3 minutes (the first 60 go at once).
	if el < 3*time.Minute || el > 5*time.Minute {
		t.Fatalf("%d requests took %s of API time, want 3–5 min", n, el)
	}
}

// TestEndToEndThrottling syncs through the engine and the governor into a mailbox whose budget (scaled down on a
// clock 60 times faster) is far smaller than the work: every event arrives and the fake records zero violations.
func TestEndToEndThrottling(t *testing.T) {
	clk := msgraphtest.NewScaledClock(time.Now(), 60)
	const budget = 30
	srv := newFake(t, msgraphtest.Options{Clock: clk, Budget: budget, Window: time.Minute, PageSize: 10})
	gov := governor.New(governor.Options{Clock: clk, SlowThreshold: -1})
	gov.SetLimits(engine.LimitScope{System: msgraph.Type, Kind: "mailbox", Key: alice},
		engine.Limits{MaxInFlight: 4, Requests: budget, Per: 90 * time.Second})
	ref := reference.NewServer(clk.Now)
	e, err := engine.New(engine.Config{KV: engine.NewMemKV(), Now: clk.Now, Governor: gov,
		Connectors: map[string]engine.Factory{"reference": ref.Factory(), msgraph.Type: msgraph.New}})
	if err != nil {
		t.Fatal(err)
	}
	crm, _ := json.Marshal(reference.Settings{Model: reference.Watermark})
	if _, err := e.PutProfile(engine.Profile{ID: "p1", Name: "throttled",
		CRM: engine.SystemRef{Type: "reference", Instance: "crm", Settings: crm},
		Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: rawSettings(settings(srv, func(s *msgraph.Settings) {
			s.WindowMarginSeconds = 30 // 500 ms of real time on this clock: room for the race detector
		}))},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay},
		Guard: engine.Guard{Deletes: engine.Threshold{Count: 1000, Percent: 100}, Creates: engine.Threshold{Count: 1000, Percent: 100},
			ProfileDeletes: 1000, ProfileCreates: 1000, ProfileWindow: 3600}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: "assoc-1", Email: "alice@contoso.com"},
		Mailbox: engine.Account{ID: alice, Email: "alice@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	base := clk.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	const n = 75
	for i := range n {
		ref.Put("assoc-1", &engine.Appointment{Title: fmt.Sprint("e", i), Start: base.Add(time.Duration(i) * time.Hour), End: base.Add(time.Duration(i)*time.Hour + 30*time.Minute)})
	}
	if id, err := e.RunSync(context.Background(), "p1", "u1", engine.KindAppointment, "test"); err != nil {
		r, _, _ := e.Run(id)
		t.Logf("governor: %+v; fake requests %d", gov.Snapshot(), srv.Requests())
		t.Fatalf("sync: %v %+v", err, r)
	}
	if got := len(srv.Objects(alice, "events")); got != n {
		t.Fatalf("the mailbox holds %d events, want %d", got, n)
	}
	if v := srv.Violations(); v != 0 {
		t.Fatalf("the fake recorded %d limit violations", v)
	}
	if srv.Requests() <= 2*budget {
		t.Fatalf("only %d requests: the budget was never binding", srv.Requests())
	}
}
