package governor_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var (
	mailboxA = engine.LimitScope{System: "msgraph", Kind: "mailbox", Key: "a@contoso.com"}
	mailboxB = engine.LimitScope{System: "msgraph", Kind: "mailbox", Key: "b@contoso.com"}
	tenant   = engine.LimitScope{System: "msgraph", Kind: "tenant", Key: "contoso"}
)

// eventually polls cond (goroutines woken by the fake clock run asynchronously) and fails after a real-time bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// acquireAsync starts Acquire in a goroutine and returns a channel that yields its permit.
func acquireAsync(ctx context.Context, g *governor.Governor, scopes ...engine.LimitScope) <-chan engine.Permit {
	ch := make(chan engine.Permit, 1)
	go func() {
		p, err := g.Acquire(ctx, scopes...)
		if err != nil {
			close(ch)
			return
		}
		ch <- p
	}()
	return ch
}

func granted(ch <-chan engine.Permit) (engine.Permit, bool) {
	select {
	case p, ok := <-ch:
		return p, ok
	default:
		return nil, false
	}
}

func scopeState(t *testing.T, g *governor.Governor, sc engine.LimitScope) governor.ScopeState {
	t.Helper()
	for _, s := range g.Snapshot() {
		if s.Scope == sc.String() {
			return s
		}
	}
	t.Fatalf("scope %s not in snapshot", sc)
	return governor.ScopeState{}
}

func waitingOn(g *governor.Governor, sc engine.LimitScope) int {
	for _, s := range g.Snapshot() {
		if s.Scope == sc.String() {
			return s.Waiting
		}
	}
	return 0
}

func TestRetryAfterHonouredExactly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		outcome engine.Outcome
		wait    time.Duration
	}{
		{"header", engine.Outcome{Status: 429, RetryAfter: 7 * time.Second}, 7 * time.Second},
		{"ews BackOffMilliseconds as error", engine.Outcome{Status: 500, Err: &engine.RetryAfterError{Wait: 2345 * time.Millisecond, Err: errors.New("ErrorServerBusy")}}, 2345 * time.Millisecond},
		{"no hint: exponential back-off starts at 1 s", engine.Outcome{Status: 503}, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			g := governor.New(governor.Options{Clock: clk})
			ctx := context.Background()
			p, err := g.Acquire(ctx, mailboxA, tenant)
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(300 * time.Millisecond)
			p.Done(tc.outcome)
			backoffFrom := clk.Now()
			next := acquireAsync(ctx, g, mailboxA)
			other := acquireAsync(ctx, g, mailboxB, tenant) // a different mailbox of the same tenant is not held
			eventually(t, "other mailbox admitted", func() bool { _, ok := granted(other); return ok })
			st := scopeState(t, g, mailboxA)
			if st.BackingOffUntil == nil || !st.BackingOffUntil.Equal(backoffFrom.Add(tc.wait)) {
				t.Fatalf("BackingOffUntil = %v, want %v", st.BackingOffUntil, backoffFrom.Add(tc.wait))
			}
			clk.Advance(tc.wait - time.Nanosecond)
			eventually(t, "waiter registered", func() bool { return scopeState(t, g, mailboxA).Waiting == 1 })
			if _, ok := granted(next); ok {
				t.Fatalf("admitted %v before the back-off ended", tc.wait-time.Nanosecond)
			}
			clk.Advance(time.Nanosecond)
			eventually(t, "admission at the instant the back-off ends", func() bool { _, ok := granted(next); return ok })
			if got := clk.Now().Sub(backoffFrom); got != tc.wait {
				t.Fatalf("admitted after %v, want exactly %v", got, tc.wait)
			}
		})
	}
}

func TestSlidingWindowExact(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	g := governor.New(governor.Options{Clock: clk})
	g.Declare("msgraph", "mailbox", engine.Limits{Requests: 3, Per: 10 * time.Second})
	ctx := context.Background()
	for i := range 3 {
		p, err := g.Acquire(ctx, mailboxA)
		if err != nil {
			t.Fatal(err)
		}
		p.Done(engine.Outcome{Status: 200})
		clk.Advance(time.Duration(i+1) * time.Second) // admissions at +0, +1 s, +3 s
	}
	if st := scopeState(t, g, mailboxA); st.BudgetLeft != 0 {
		t.Fatalf("BudgetLeft = %d, want 0", st.BudgetLeft)
	}
	// Now +6 s; the oldest admission (+0) leaves the window at +10 s.
	next := acquireAsync(ctx, g, mailboxA)
	eventually(t, "waiter registered", func() bool { return scopeState(t, g, mailboxA).Waiting == 1 })
	clk.Set(t0.Add(10*time.Second - time.Nanosecond))
	if _, ok := granted(next); ok {
		t.Fatal("admitted before the window slid")
	}
	clk.Set(t0.Add(10 * time.Second))
	eventually(t, "admitted when the window slid", func() bool { _, ok := granted(next); return ok })
}

func TestConcurrencyCapsNeverExceededUnderLoad(t *testing.T) {
	t.Parallel()
	g := governor.New(governor.Options{})
	g.Declare("msgraph", "mailbox", engine.Limits{MaxInFlight: 4})
	g.Declare("msgraph", "tenant", engine.Limits{MaxInFlight: 6})
	g.SetProfileCap("p1", 5)
	// The "server" counts what it sees, independently of the governor.
	var mu sync.Mutex
	inFlight := map[string]int{}
	peak := map[string]int{}
	enter := func(keys ...string) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range keys {
			inFlight[k]++
			peak[k] = max(peak[k], inFlight[k])
		}
	}
	leave := func(keys ...string) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range keys {
			inFlight[k]--
		}
	}
	var wg sync.WaitGroup
	var calls atomic.Int64
	for w := range 40 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 200 {
				mb := mailboxA
				if r.IntN(2) == 0 {
					mb = mailboxB
				}
				ctx := context.Background()
				keys := []string{mb.String(), tenant.String()}
				if r.IntN(3) > 0 {
					ctx = governor.WithProfile(ctx, "p1")
					keys = append(keys, "p1")
				}
				p, err := g.Acquire(ctx, mb, tenant)
				if err != nil {
					t.Error(err)
					return
				}
				enter(keys...)
				for range r.IntN(50) {
					_ = r.Int() // hold the slot a little
				}
				leave(keys...)
				p.Done(engine.Outcome{Status: 200, Latency: time.Millisecond})
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 40*200 {
		t.Fatalf("%d calls completed, want %d", calls.Load(), 40*200)
	}
	for k, lim := range map[string]int{mailboxA.String(): 4, mailboxB.String(): 4, tenant.String(): 6, "p1": 5} {
		if peak[k] > lim {
			t.Errorf("%s: %d in flight at once, limit %d", k, peak[k], lim)
		}
		if peak[k] == 0 {
			t.Errorf("%s: never used", k)
		}
	}
}

// TestBudgetsNeverExceededWithFakeTime drives many callers through a small budget and random Retry-After answers
// in fake time and checks every sliding window from the server's log of admissions.
func TestBudgetsNeverExceededWithFakeTime(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	g := governor.New(governor.Options{Clock: clk})
	const budget, per = 10, time.Minute
	g.Declare("msgraph", "mailbox", engine.Limits{Requests: budget, Per: per})
	var mu sync.Mutex
	var seen []time.Time        // admissions as the server saw them
	var backoffs [][2]time.Time // [from, until) intervals the server asked for
	var active atomic.Int64
	const workers, each = 8, 25
	active.Store(workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			defer active.Add(-1)
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for range each {
				p, err := g.Acquire(context.Background(), mailboxA)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				now := clk.Now()
				for _, b := range backoffs {
					if now.After(b[0]) && now.Before(b[1]) { // same-instant admissions may precede the 429
						t.Errorf("admitted at %v inside a back-off %v..%v", now.Sub(t0), b[0].Sub(t0), b[1].Sub(t0))
					}
				}
				seen = append(seen, now)
				o := engine.Outcome{Status: 200}
				if r.IntN(10) == 0 {
					o = engine.Outcome{Status: 429, RetryAfter: time.Duration(1+r.IntN(20)) * time.Second}
					backoffs = append(backoffs, [2]time.Time{now, now.Add(o.RetryAfter)})
				}
				p.Done(o)
				mu.Unlock()
			}
		})
	}
	// Drive time: whenever every live worker is a registered waiter in the governor (so none is between its
	// admission and its Done), jump to the next timer.
	deadline := time.Now().Add(20 * time.Second)
	for active.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("load did not finish")
		}
		if int64(waitingOn(g, mailboxA)) == active.Load() {
			if next, ok := clk.Next(); ok {
				clk.Set(next)
			}
		}
		time.Sleep(50 * time.Microsecond)
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("%d admissions, want %d", len(seen), workers*each)
	}
	for i := range seen {
		n := 0
		for j := range seen {
			if !seen[j].Before(seen[i]) && seen[j].Sub(seen[i]) < per {
				n++
			}
		}
		if n > budget {
			t.Fatalf("%d admissions within %v starting at %v, budget %d", n, per, seen[i].Sub(t0), budget)
		}
	}
}

func TestCancelledWaiterChargesNothingAndUnblocksOthers(t *testing.T) {
	t.Parallel()
	g := governor.New(governor.Options{})
	g.Declare("msgraph", "mailbox", engine.Limits{MaxInFlight: 1})
	g.Declare("msgraph", "tenant", engine.Limits{MaxInFlight: 1})
	hold, err := g.Acquire(context.Background(), mailboxA)
	if err != nil {
		t.Fatal(err)
	}
	// A waits for mailbox A and reserves it; B only needs the tenant and must not be blocked by A.
	ctxA, cancelA := context.WithCancel(context.Background())
	a := acquireAsync(ctxA, g, mailboxA, tenant)
	eventually(t, "A waiting", func() bool { return scopeState(t, g, mailboxA).Waiting == 1 })
	pb, err := g.Acquire(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	pb.Done(engine.Outcome{Status: 200})
	cancelA()
	eventually(t, "A gives up", func() bool { _, open := <-a; return !open })
	if st := scopeState(t, g, tenant); st.InFlight != 0 || st.Waiting != 0 {
		t.Fatalf("tenant after cancel: %+v", st)
	}
	hold.Done(engine.Outcome{Status: 200})
	hold.Done(engine.Outcome{Status: 200}) // a second Done is ignored
	if st := scopeState(t, g, mailboxA); st.InFlight != 0 {
		t.Fatalf("mailbox in flight = %d after Done twice", st.InFlight)
	}
}

func TestFIFOReservationPreventsStarvation(t *testing.T) {
	t.Parallel()
	g := governor.New(governor.Options{})
	g.Declare("msgraph", "tenant", engine.Limits{MaxInFlight: 2})
	g.Declare("msgraph", "mailbox", engine.Limits{MaxInFlight: 1})
	ctx := context.Background()
	t1, _ := g.Acquire(ctx, tenant)
	t2, _ := g.Acquire(ctx, tenant)
	// The big call needs both the mailbox and the tenant; single-tenant calls queued after it must not overtake it.
	big := acquireAsync(ctx, g, mailboxA, tenant)
	eventually(t, "big waiting", func() bool { return scopeState(t, g, tenant).Waiting == 1 })
	small := acquireAsync(ctx, g, tenant)
	eventually(t, "small waiting", func() bool { return scopeState(t, g, tenant).Waiting == 2 })
	t1.Done(engine.Outcome{Status: 200})
	eventually(t, "big admitted first", func() bool { _, ok := granted(big); return ok })
	if _, ok := granted(small); ok {
		t.Fatal("a later call overtook the waiting one")
	}
	t2.Done(engine.Outcome{Status: 200})
	eventually(t, "small admitted", func() bool { _, ok := granted(small); return ok })
}

func TestAdaptiveSlowDownAndRestore(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	g := governor.New(governor.Options{Clock: clk, SlowThreshold: 5 * time.Second})
	g.Declare("ews", "endpoint", engine.Limits{MaxInFlight: 8})
	ep := engine.LimitScope{System: "ews", Kind: "endpoint", Key: "mail.example.com"}
	call := func(lat time.Duration) {
		p, err := g.Acquire(context.Background(), ep)
		if err != nil {
			t.Fatal(err)
		}
		p.Done(engine.Outcome{Status: 200, Latency: lat})
	}
	call(8 * time.Second)
	if got := scopeState(t, g, ep).EffectiveInFlight; got != 4 {
		t.Fatalf("after a slow answer effective cap = %d, want 4", got)
	}
	call(8 * time.Second) // within the same threshold period: no second cut
	if got := scopeState(t, g, ep).EffectiveInFlight; got != 4 {
		t.Fatalf("second cut within the period: cap = %d, want 4", got)
	}
	clk.Advance(5 * time.Second)
	call(8 * time.Second)
	if got := scopeState(t, g, ep).EffectiveInFlight; got != 2 {
		t.Fatalf("after the next period cap = %d, want 2", got)
	}
	for range 40 { // fast answers pull the average down, then add one slot each
		call(100 * time.Millisecond)
	}
	st := scopeState(t, g, ep)
	if st.EffectiveInFlight != 8 || st.SlowedDown {
		t.Fatalf("after recovery: %+v, want cap 8 restored", st)
	}
}

func TestProfileCapFromContext(t *testing.T) {
	t.Parallel()
	g := governor.New(governor.Options{})
	g.SetProfileCap("p1", 2)
	ctx := governor.WithProfile(context.Background(), "p1")
	a, _ := g.Acquire(ctx, mailboxA)
	b, _ := g.Acquire(ctx, mailboxB)
	third := acquireAsync(ctx, g, engine.LimitScope{System: "msgraph", Kind: "mailbox", Key: "c@contoso.com"})
	eventually(t, "third waiting", func() bool { return scopeState(t, g, governor.ProfileScope("p1")).Waiting == 1 })
	// Another profile is not affected.
	other, err := g.Acquire(governor.WithProfile(context.Background(), "p2"), mailboxA)
	if err != nil {
		t.Fatal(err)
	}
	other.Done(engine.Outcome{Status: 200})
	// Throttling a mailbox never backs off the profile scope.
	a.Done(engine.Outcome{Status: 429, RetryAfter: time.Hour})
	eventually(t, "third admitted", func() bool { _, ok := granted(third); return ok })
	if st := scopeState(t, g, governor.ProfileScope("p1")); st.BackingOffUntil != nil {
		t.Fatalf("profile scope backed off: %+v", st)
	}
	b.Done(engine.Outcome{Status: 200})
	g.SetProfileCap("p1", 0) // unlimited
	var ps []engine.Permit
	for range 30 {
		p, err := g.Acquire(ctx, engine.LimitScope{System: "x", Kind: "y", Key: "z"})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.Done(engine.Outcome{Status: 200})
	}
}
