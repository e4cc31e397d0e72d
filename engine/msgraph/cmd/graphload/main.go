// Command graphload measures the msgraph connector through the engine against the msgraphtest fake enforcing
// Graph's real mailbox limits (see docs/perf/msgraph.md for the commands and figures).
//
//	graphload throughput -n 10000 -scale 10   # n events CRM → one mailbox, then n updates, on a clock scale× faster
//	graphload batch -n 10000 -scale 10 -latency 250ms  # the same through Store.Batch directly (what the engine could do)
//	graphload push -n 200                     # mailbox → CRM propagation latency through change notifications
//
// The CRM side is engine/reference with SuperOffice's change model.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"sort"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/reference"
)

const (
	user  = "u-alice"
	assoc = "assoc-1"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: graphload throughput|push [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	n := fs.Int("n", 10000, "events")
	scale := fs.Float64("scale", 10, "clock speed-up of the fake, the governor and the engine")
	latency := fs.Duration("latency", 0, "simulated Graph service time per request, in API time")
	cpuprof := fs.String("cpuprofile", "", "write a CPU profile to this file")
	_ = fs.Parse(os.Args[2:])
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof) //nolint:gosec // G703: the operator names the profile file.
		if err != nil {
			fmt.Fprintln(os.Stderr, "graphload:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var err error
	switch os.Args[1] {
	case "throughput":
		err = throughput(*n, *scale, *latency)
	case "batch":
		err = batch(*n, *scale, *latency)
	case "push":
		err = pushLatency(*n)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "graphload:", err)
		os.Exit(1)
	}
}

type setup struct {
	srv *msgraphtest.Server
	ref *reference.Server
	e   *engine.Engine
}

func newSetup(clk *msgraphtest.ScaledClock, gov engine.Governor, publicURL string, latency time.Duration) (*setup, error) {
	var o msgraphtest.Options
	if clk != nil {
		o.Latency = clk.Real(latency)
	}
	now := time.Now
	if clk != nil {
		o.Clock, now = clk, clk.Now
	}
	o.PageSize = 100
	srv := msgraphtest.New(o)
	srv.AddClient("app", "secret")
	srv.AddUser(msgraphtest.User{ID: user, Mail: "alice@contoso.com", UPN: "alice@contoso.com"})
	ref := reference.NewServer(now)
	e, err := engine.New(engine.Config{KV: engine.NewMemKV(), Now: now, Governor: gov, PublicURL: publicURL,
		Connectors: map[string]engine.Factory{"reference": ref.Factory(), msgraph.Type: msgraph.New}})
	if err != nil {
		return nil, err
	}
	crm, _ := json.Marshal(reference.Settings{Model: reference.Watermark})
	mb, _ := json.Marshal(msgraph.Settings{TenantID: srv.Tenant, ClientID: "app", ClientSecret: "secret", Authority: srv.URL, GraphURL: srv.URL}) //nolint:gosec // G117: the fake tenant's test credential.
	if _, err := e.PutProfile(engine.Profile{ID: "p1", Name: "load", DaysBack: 30, DaysAhead: 365,
		CRM:        engine.SystemRef{Type: "reference", Instance: "crm", Settings: crm},
		Mailbox:    engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: mb},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay},
		Guard: engine.Guard{Deletes: engine.Threshold{Count: 1 << 30, Percent: 100}, Creates: engine.Threshold{Count: 1 << 30, Percent: 100},
			ProfileDeletes: 1 << 30, ProfileCreates: 1 << 30, ProfileWindow: 3600}}); err != nil {
		return nil, err
	}
	if _, err := e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: assoc, Email: "alice@contoso.com"},
		Mailbox: engine.Account{ID: user, Email: "alice@contoso.com"}}); err != nil {
		return nil, err
	}
	return &setup{srv: srv, ref: ref, e: e}, nil
}

func report(name string, req int, el, wall time.Duration, s *msgraphtest.Server) {
	rate := float64(req) / el.Seconds()
	ceiling := float64(msgraphtest.Budget) / msgraphtest.BudgetWindow.Seconds()
	fmt.Printf("%-7s %6d requests in %8s API time (%6.1fs wall): %6.2f req/s = %5.1f%% of the ceiling (%.2f req/s); 429s so far %d; max in flight %d\n",
		name, req, el.Round(time.Second), wall.Seconds(), rate, 100*rate/ceiling, ceiling, s.Violations(), s.MaxInFlight())
}

// batch writes n events and then updates them through Store.Batch (20 per $batch) from one goroutine, as one
// job of the engine would if it used the Batcher.
func batch(n int, scale float64, latency time.Duration) error {
	clk := msgraphtest.NewScaledClock(time.Now(), scale)
	gov := governor.New(governor.Options{Clock: clk, SlowThreshold: -1})
	s, err := newSetup(clk, gov, "", latency)
	if err != nil {
		return err
	}
	defer s.srv.Close()
	ctx := context.Background()
	conn, err := msgraph.NewConnector(msgraph.Settings{TenantID: s.srv.Tenant, ClientID: "app", ClientSecret: "secret", Authority: s.srv.URL,
		GraphURL: s.srv.URL}, engine.Env{Governor: gov, Now: clk.Now})
	if err != nil {
		return err
	}
	st, err := conn.OpenStore(ctx, engine.Scope{Account: engine.Account{ID: user}, Kind: engine.KindAppointment})
	if err != nil {
		return err
	}
	base := clk.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	remotes := make([]engine.Remote, n)
	for _, action := range []engine.Action{engine.ActionCreate, engine.ActionUpdate} {
		r0, t0, w0 := s.srv.Requests(), clk.Now(), time.Now()
		for i := 0; i < n; i += 20 {
			var ops []engine.Op
			for j := i; j < min(n, i+20); j++ {
				stt := base.Add(time.Duration(j%200) * 24 * time.Hour)
				a := &engine.Appointment{Title: fmt.Sprint("event ", j, action), Start: stt, End: stt.Add(30 * time.Minute)}
				ops = append(ops, engine.Op{Action: action, Item: a, Marker: fmt.Sprint("m", j), ID: remotes[j].ID, Version: remotes[j].Version})
			}
			res, err := st.Batch(ctx, ops)
			if err != nil {
				return err
			}
			for k, r := range res {
				if r.Err != nil {
					return fmt.Errorf("op %d: %w", i+k, r.Err)
				}
				remotes[i+k] = r.Remote
			}
		}
		report(string(action), s.srv.Requests()-r0, clk.Now().Sub(t0), time.Since(w0), s.srv)
	}
	if v := s.srv.Violations(); v != 0 {
		return fmt.Errorf("%d limit violations", v)
	}
	return nil
}

func throughput(n int, scale float64, latency time.Duration) error {
	clk := msgraphtest.NewScaledClock(time.Now(), scale)
	gov := governor.New(governor.Options{Clock: clk, SlowThreshold: -1})
	s, err := newSetup(clk, gov, "", latency)
	if err != nil {
		return err
	}
	defer s.srv.Close()
	base := clk.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	ids := make([]string, n)
	for i := range n {
		st := base.Add(time.Duration(i%200) * 24 * time.Hour).Add(time.Duration(8+i%9) * time.Hour)
		ids[i] = s.ref.Put(assoc, &engine.Appointment{Title: fmt.Sprint("event ", i), Start: st, End: st.Add(30 * time.Minute), TimeZone: "Europe/Oslo"})
	}
	ctx := context.Background()
	phase := func(name string) error {
		r0, t0, w0 := s.srv.Requests(), clk.Now(), time.Now()
		if _, err := s.e.RunSync(ctx, "p1", "u1", engine.KindAppointment, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		report(name, s.srv.Requests()-r0, clk.Now().Sub(t0), time.Since(w0), s.srv)
		return nil
	}
	if err := phase("create"); err != nil {
		return err
	}
	if got := len(s.srv.Objects(user, "events")); got != n {
		return fmt.Errorf("the mailbox holds %d events, want %d", got, n)
	}
	for _, id := range ids {
		if err := s.ref.Edit(assoc, engine.KindAppointment, id, func(it engine.Item) engine.Item {
			a := *it.(*engine.Appointment)
			a.Title += " (updated)"
			return &a
		}); err != nil {
			return err
		}
	}
	if err := phase("update"); err != nil {
		return err
	}
	if v := s.srv.Violations(); v != 0 {
		return fmt.Errorf("%d limit violations", v)
	}
	return nil
}

type sink struct {
	e    *engine.Engine
	done chan time.Duration
}

func (s *sink) Trigger(ctx context.Context, profileID, userID string, kind engine.Kind, trigger string) error {
	go func() { //nolint:gosec // G118: the run outlives the trigger call, like the scheduler's.
		t0 := time.Now()
		if _, err := s.e.RunSync(context.Background(), profileID, userID, kind, trigger); err != nil {
			fmt.Fprintln(os.Stderr, "sync:", err)
		}
		s.done <- time.Since(t0)
	}()
	return nil
}

func pushLatency(n int) error {
	mux := http.NewServeMux()
	hook := httptest.NewServer(mux)
	defer hook.Close()
	s, err := newSetup(nil, governor.New(governor.Options{}), hook.URL, 0)
	if err != nil {
		return err
	}
	defer s.srv.Close()
	sk := &sink{e: s.e, done: make(chan time.Duration, 1)}
	in, err := push.New(push.Options{KV: engine.NewMemKV(), Sink: sk})
	if err != nil {
		return err
	}
	ctx := context.Background()
	if err := in.Start(ctx); err != nil {
		return err
	}
	defer in.Stop()
	mux.Handle("/hooks/{connector}/{profile}", in)
	conn, err := msgraph.NewConnector(msgraph.Settings{TenantID: s.srv.Tenant, ClientID: "app", ClientSecret: "secret", Authority: s.srv.URL,
		GraphURL: s.srv.URL}, engine.Env{PublicURL: hook.URL})
	if err != nil {
		return err
	}
	st, err := conn.OpenStore(ctx, engine.Scope{Account: engine.Account{ID: user}, Kind: engine.KindAppointment})
	if err != nil {
		return err
	}
	if _, err := s.e.RunSync(ctx, "p1", "u1", engine.KindAppointment, "first"); err != nil {
		return err
	}
	if _, err := conn.Subscribe(ctx, in, "p1", "u1", st); err != nil {
		return err
	}
	var total, syncs []time.Duration
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	for i := range n {
		t0 := time.Now()
		st := day.Add(time.Duration(i) * time.Hour)
		s.srv.Insert(user, "events", map[string]any{"subject": fmt.Sprint("pushed ", i),
			"start": map[string]any{"dateTime": st.Format("2006-01-02T15:04:05"), "timeZone": "UTC"},
			"end":   map[string]any{"dateTime": st.Add(time.Hour).Format("2006-01-02T15:04:05"), "timeZone": "UTC"}})
		select {
		case d := <-sk.done:
			total = append(total, time.Since(t0))
			syncs = append(syncs, d)
		case <-time.After(10 * time.Second):
			return fmt.Errorf("change %d: no push-triggered sync within 10 s", i)
		}
		if got := len(s.ref.Items(assoc, engine.KindAppointment)); got != i+1 {
			return fmt.Errorf("change %d: the CRM holds %d events", i, got)
		}
	}
	pct := func(d []time.Duration, p float64) time.Duration {
		x := append([]time.Duration(nil), d...)
		sort.Slice(x, func(i, j int) bool { return x[i] < x[j] })
		return x[min(len(x)-1, int(p*float64(len(x))))]
	}
	fmt.Printf("push: %d changes; mailbox change → CRM written: p50 %s p99 %s; of which the sync run: p50 %s p99 %s\n", n,
		pct(total, 0.5).Round(10*time.Microsecond), pct(total, 0.99).Round(10*time.Microsecond),
		pct(syncs, 0.5).Round(10*time.Microsecond), pct(syncs, 0.99).Round(10*time.Microsecond))
	return nil
}
