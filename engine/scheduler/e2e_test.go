package scheduler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/engine/scheduler"
)

// engineRunner is the real engine as the scheduler's Runner, counting failed runs.
type engineRunner struct {
	e      *engine.Engine
	failed atomic.Int64
	last   atomic.Value
}

func (r *engineRunner) RunSync(ctx context.Context, p, u string, k engine.Kind, tr string) (string, error) {
	id, err := r.e.RunSync(ctx, p, u, k, tr)
	if err != nil {
		r.failed.Add(1)
		r.last.Store(err.Error())
	}
	return id, err
}

// tagCheck wraps the governor and counts calls whose context carries the profile tag the scheduler sets (the
// mechanism of the profile-wide cap).
type tagCheck struct {
	*governor.Governor
	tagged, untagged atomic.Int64
}

func (g *tagCheck) Acquire(ctx context.Context, scopes ...engine.LimitScope) (engine.Permit, error) {
	if _, ok := governor.ProfileFrom(ctx); ok {
		g.tagged.Add(1)
	} else {
		g.untagged.Add(1)
	}
	return g.Governor.Acquire(ctx, scopes...)
}

// TestEngineSchedulerGovernorReference runs the whole chain: the scheduler triggers the engine's runs for many
// users of two profiles that touch the same accounts (one syncs appointments, the other tasks), the engine syncs
// two reference servers through one governor. The servers' own counters must never show more calls in flight
// per account than declared (the limit is shared across profiles), every item must arrive, and a second round
// of triggers must write nothing.
func TestEngineSchedulerGovernorReference(t *testing.T) {
	t.Parallel()
	const users, items, maxIn = 24, 12, 1
	crm, mbx := reference.NewServer(nil), reference.NewServer(nil)
	crm.SetIDPrefix("crm-")
	mbx.SetIDPrefix("mbx-")
	gov := &tagCheck{Governor: governor.New(governor.Options{})}
	kv := engine.NewMemKV()
	e, err := engine.New(engine.Config{KV: kv, Governor: gov,
		Connectors: map[string]engine.Factory{"crm": crm.Factory(), "mbx": mbx.Factory()}})
	if err != nil {
		t.Fatal(err)
	}
	limits := fmt.Sprintf(`{"model":"delta","pageSize":5,"limits":{"MaxInFlight":%d}}`, maxIn)
	for _, p := range []struct {
		id   string
		kind engine.Kind
	}{{"p1", engine.KindAppointment}, {"p2", engine.KindTask}} {
		if _, err := e.PutProfile(engine.Profile{ID: p.id, Name: "load",
			CRM:        engine.SystemRef{Type: "crm", Instance: "crm1", Settings: json.RawMessage(limits)},
			Mailbox:    engine.SystemRef{Type: "mbx", Instance: "mbx1", Settings: json.RawMessage(limits)},
			Directions: map[engine.Kind]engine.Direction{p.kind: engine.DirTwoWay},
		}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().Truncate(time.Hour).Add(24 * time.Hour)
	var su []scheduler.User
	for i := range users {
		u := fmt.Sprintf("u%02d", i)
		crmAcct, mbxAcct := "assoc-"+u, u+"@example.com"
		for _, p := range []string{"p1", "p2"} {
			if _, err := e.LinkUser(p, engine.LinkedUser{ID: u, CRM: engine.Account{ID: crmAcct},
				Mailbox: engine.Account{ID: mbxAcct, Email: mbxAcct}}); err != nil {
				t.Fatal(err)
			}
		}
		for j := range items {
			at := start.Add(time.Duration(j) * 24 * time.Hour)
			crm.Put(crmAcct, &engine.Appointment{Title: fmt.Sprintf("%s meeting %d", u, j), Start: at, End: at.Add(time.Hour), TimeZone: "Europe/Oslo"})
			mbx.Put(mbxAcct, &engine.Task{Title: fmt.Sprintf("%s task %d", u, j)})
		}
		su = append(su, scheduler.User{ID: u})
	}
	runner := &engineRunner{e: e}
	s, err := scheduler.New(scheduler.Options{Runner: runner, KV: kv, Workers: 8, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []scheduler.Profile{
		{ID: "p1", Interval: time.Hour, Systems: []string{"crm1", "mbx1"}, Kinds: []engine.Kind{engine.KindAppointment}, Users: su},
		{ID: "p2", Interval: time.Hour, Systems: []string{"crm1", "mbx1"}, Kinds: []engine.Kind{engine.KindTask}, Users: su},
	} {
		if err := s.SetProfile(p); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	round := func() {
		t.Helper()
		for _, p := range []string{"p1", "p2"} {
			if err := s.SyncNow(ctx, p, ""); err != nil {
				t.Fatal(err)
			}
		}
		eventually(t, "round finished", s.Idle)
		if n := runner.failed.Load(); n > 0 {
			t.Fatalf("%d runs failed, last: %v", n, runner.last.Load())
		}
	}
	round()
	for i := range users {
		u := fmt.Sprintf("u%02d", i)
		crmAcct, mbxAcct := "assoc-"+u, u+"@example.com"
		if n := len(mbx.Items(mbxAcct, engine.KindAppointment)); n != items {
			t.Errorf("%s: %d appointments in the mailbox, want %d", u, n, items)
		}
		if n := len(crm.Items(crmAcct, engine.KindTask)); n != items {
			t.Errorf("%s: %d tasks in the CRM, want %d", u, n, items)
		}
		for _, srv := range []struct {
			name string
			s    *reference.Server
			acct string
		}{{"crm", crm, crmAcct}, {"mailbox", mbx, mbxAcct}} {
			if got := srv.s.MaxInFlight(srv.acct); got > maxIn {
				t.Errorf("%s %s: %d calls in flight at once, declared limit %d", srv.name, srv.acct, got, maxIn)
			}
		}
	}
	if gov.untagged.Load() != 0 || gov.tagged.Load() == 0 {
		t.Fatalf("%d calls without the profile tag, %d with it: the profile-wide cap would miss calls",
			gov.untagged.Load(), gov.tagged.Load())
	}
	writes := crm.Writes() + mbx.Writes()
	round()
	if w := crm.Writes() + mbx.Writes() - writes; w != 0 {
		t.Fatalf("a quiet round wrote %d times", w)
	}
}
