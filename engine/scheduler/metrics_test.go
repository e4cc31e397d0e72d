package scheduler_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/scheduler"
)

// TestCollectors gathers the three collectors through a pedantic registry (which checks them against their
// descriptions) and reads a few values.
func TestCollectors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{BreakerAfter: 1}, scheduler.Profile{ID: "p", Interval: time.Hour,
		Kinds: []engine.Kind{engine.KindTask}, Users: users("ok", "bad")})
	f.r.fail = func(c call) error {
		if c.user == "bad" {
			return errors.New("boom")
		}
		return nil
	}
	if err := f.s.SyncNow(context.Background(), "p", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "runs", func() bool { return len(f.r.snapshot()) == 2 && f.s.Quiet() })
	g := governor.New(governor.Options{})
	p, _ := g.Acquire(context.Background(), engine.LimitScope{System: "msgraph", Kind: "mailbox", Key: "a"})
	defer p.Done(engine.Outcome{Status: 200})
	in, err := push.New(push.Options{KV: engine.NewMemKV(), Sink: f.s})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(f.s.Collector(), g.Collector(), in.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "," + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case m.GetGauge() != nil:
				got[name] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				got[name] = m.GetCounter().GetValue()
			}
		}
	}
	for name, want := range map[string]float64{
		"synchronizer_scheduler_runs_total,result=ok":                 1,
		"synchronizer_scheduler_runs_total,result=failed":             1,
		"synchronizer_scheduler_open_breakers,scope=user":             1,
		"synchronizer_scheduler_jobs":                                 2,
		"synchronizer_governor_in_flight,kind=mailbox,system=msgraph": 1,
		"synchronizer_push_events_total,outcome=received":             0,
		"synchronizer_push_subscriptions,healthy=true":                0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
}
