package governor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// TestReferenceConnectorUnderLoad drives the reference connector's stores from many goroutines through the
// governor in fake time, with the server answering some calls with Retry-After, and checks from the server's own
// records that no declared limit was exceeded: in-flight per mailbox (the server's MaxInFlight counter), the
// request budget in every sliding window, and no call inside a back-off the server asked for.
func TestReferenceConnectorUnderLoad(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	srv := reference.NewServer(clk.Now)
	g := governor.New(governor.Options{Clock: clk})
	const (
		maxIn   = 2
		budget  = 25
		per     = time.Minute
		workers = 16
		each    = 40
	)
	accounts := []string{"a@x", "b@x", "c@x", "d@x"}
	for _, a := range accounts {
		for i := range 5 {
			srv.Put(a, &engine.Task{Title: fmt.Sprintf("task %d", i)})
		}
	}
	type rec struct {
		at    time.Time
		retry time.Duration
	}
	var mu sync.Mutex
	calls := map[string][]rec{}
	r := rand.New(rand.NewPCG(7, 7))
	srv.SetFaults(func(c reference.Call) reference.Fault {
		mu.Lock()
		defer mu.Unlock()
		x := rec{at: clk.Now()}
		var f reference.Fault
		if r.IntN(12) == 0 {
			x.retry = time.Duration(1+r.IntN(30)) * time.Second
			f.Before = &engine.RetryAfterError{Wait: x.retry, Err: errors.New("429 Too Many Requests")}
		}
		calls[c.Account] = append(calls[c.Account], x)
		return f
	})
	settings, _ := json.Marshal(reference.Settings{Model: reference.Delta, Limits: engine.Limits{MaxInFlight: maxIn, Requests: budget, Per: per}})
	conn, err := srv.Factory()(context.Background(), settings, engine.Env{Governor: g, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	stores := map[string]engine.Store{}
	for _, a := range accounts {
		st, err := conn.Open(context.Background(), engine.Scope{Account: engine.Account{ID: a}, Kind: engine.KindTask})
		if err != nil {
			t.Fatal(err)
		}
		stores[a] = st
	}
	var active atomic.Int64
	active.Store(workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			defer active.Add(-1)
			rw := rand.New(rand.NewPCG(uint64(w), 3))
			for range each {
				st := stores[accounts[rw.IntN(len(accounts))]]
				var err error
				switch rw.IntN(3) {
				case 0:
					_, err = st.Changes(context.Background(), "")
				case 1:
					_, err = st.Create(context.Background(), &engine.Task{Title: "new"}, fmt.Sprintf("m-%d-%d", w, rw.Int()))
				default:
					_, err = st.Get(context.Background(), "missing")
				}
				var ra *engine.RetryAfterError
				if err != nil && !errors.As(err, &ra) && !errors.Is(err, engine.ErrNotFound) {
					t.Error(err)
				}
			}
		})
	}
	waiting := func() int64 {
		n := 0
		for _, s := range g.Snapshot() {
			n += s.Waiting
		}
		return int64(n)
	}
	deadline := time.Now().Add(30 * time.Second)
	for active.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("load did not finish")
		}
		if waiting() == active.Load() {
			if next, ok := clk.Next(); ok {
				clk.Set(next)
			}
		}
		time.Sleep(50 * time.Microsecond)
	}
	wg.Wait()
	total := 0
	for _, a := range accounts {
		if got := srv.MaxInFlight(a); got > maxIn {
			t.Errorf("%s: server saw %d calls in flight, limit %d", a, got, maxIn)
		}
		cs := calls[a]
		total += len(cs)
		for i := range cs {
			n := 0
			for j := i; j < len(cs) && cs[j].at.Sub(cs[i].at) < per; j++ {
				n++
			}
			if n > budget {
				t.Fatalf("%s: %d calls within %v from %v, budget %d", a, n, per, cs[i].at.Sub(t0), budget)
			}
			if cs[i].retry > 0 {
				for _, later := range cs[i+1:] {
					if later.at.After(cs[i].at) && later.at.Before(cs[i].at.Add(cs[i].retry)) {
						t.Fatalf("%s: call at %v inside the Retry-After of %v asked at %v", a,
							later.at.Sub(t0), cs[i].retry, cs[i].at.Sub(t0))
					}
				}
			}
		}
	}
	if total != workers*each {
		t.Fatalf("server saw %d calls, want %d", total, workers*each)
	}
	if clk.Now().Sub(t0) < time.Duration(workers*each/len(accounts)/budget-1)*per {
		t.Fatalf("the load finished after %v of fake time: the budget cannot have been enforced", clk.Now().Sub(t0))
	}
}
