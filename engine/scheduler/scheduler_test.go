package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
	"github.com/synchronizer/synchronizer/engine/scheduler"
)

var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

type call struct {
	profile, user string
	kind          engine.Kind
	trigger       string
	at            time.Time
}

func (c call) key() string { return c.profile + "/" + c.user + "/" + string(c.kind) }

// fakeRunner records every run, counts concurrency per key, and can hold or fail runs.
type fakeRunner struct {
	clk *clock.Fake

	mu        sync.Mutex
	calls     []call
	running   map[string]int
	total     int
	maxPerKey int
	maxTotal  int
	hold      map[string]chan struct{} // a run of key waits for the channel to close (or ctx)
	fail      func(c call) error
}

func newRunner(clk *clock.Fake) *fakeRunner {
	return &fakeRunner{clk: clk, running: map[string]int{}, hold: map[string]chan struct{}{}}
}

func (r *fakeRunner) RunSync(ctx context.Context, profileID, userID string, kind engine.Kind, trigger string) (string, error) {
	c := call{profileID, userID, kind, trigger, r.clk.Now()}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.running[c.key()]++
	r.total++
	r.maxPerKey = max(r.maxPerKey, r.running[c.key()])
	r.maxTotal = max(r.maxTotal, r.total)
	h := r.hold[c.key()]
	fail := r.fail
	id := fmt.Sprintf("run-%d", len(r.calls))
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running[c.key()]--
		r.total--
		r.mu.Unlock()
	}()
	if h != nil {
		select {
		case <-h:
		case <-ctx.Done():
			return id, ctx.Err()
		}
	}
	if fail != nil {
		if err := fail(c); err != nil {
			return id, err
		}
	}
	return id, nil
}

func (r *fakeRunner) holdKey(key string) chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch := make(chan struct{})
	r.hold[key] = ch
	return ch
}

func (r *fakeRunner) snapshot() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

func (r *fakeRunner) count(key string) int {
	n := 0
	for _, c := range r.snapshot() {
		if c.key() == key {
			n++
		}
	}
	return n
}

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

// advance moves fake time in steps, letting the scheduler settle after each.
func advance(t *testing.T, clk *clock.Fake, s *scheduler.Scheduler, d, step time.Duration) {
	t.Helper()
	eventually(t, "scheduler quiet", s.Quiet) // jobs started before the call finish at the current time
	end := clk.Now().Add(d)
	for clk.Now().Before(end) {
		next := clk.Now().Add(step)
		if next.After(end) {
			next = end
		}
		clk.Set(next)
		eventually(t, "scheduler quiet", s.Quiet)
	}
}

func users(ids ...string) []scheduler.User {
	out := make([]scheduler.User, len(ids))
	for i, id := range ids {
		out[i] = scheduler.User{ID: id}
	}
	return out
}

type fixture struct {
	clk *clock.Fake
	r   *fakeRunner
	s   *scheduler.Scheduler
	kv  *engine.MemKV
}

func newFixture(t *testing.T, o scheduler.Options, profiles ...scheduler.Profile) *fixture {
	t.Helper()
	f := &fixture{clk: clock.NewFake(t0), kv: engine.NewMemKV()}
	f.r = newRunner(f.clk)
	o.Runner, o.Clock, o.Seed = f.r, f.clk, 42
	if o.KV == nil {
		o.KV = f.kv
	}
	if o.HousekeepingHour == 0 {
		o.HousekeepingHour = scheduler.HousekeepingOff
	}
	s, err := scheduler.New(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		if err := s.SetProfile(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	f.s = s
	return f
}

func TestPollingEveryInterval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{}, scheduler.Profile{ID: "p", Interval: time.Minute,
		Kinds: []engine.Kind{engine.KindAppointment, engine.KindContact}, Users: users("u1", "u2")})
	advance(t, f.clk, f.s, 5*time.Minute, 5*time.Second)
	for _, key := range []string{"p/u1/appointment", "p/u1/contact", "p/u2/appointment", "p/u2/contact"} {
		// First poll spread within the first minute, then every minute: 5 runs in 5 minutes.
		if n := f.r.count(key); n != 5 {
			t.Errorf("%s ran %d times in 5 intervals, want 5", key, n)
		}
	}
	for _, c := range f.r.snapshot() {
		if c.trigger != scheduler.TriggerPoll {
			t.Errorf("trigger %q, want poll", c.trigger)
		}
	}
}

func TestSingleFlightAndCoalescing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{Workers: 4}, scheduler.Profile{ID: "p", Interval: time.Hour,
		Kinds: []engine.Kind{engine.KindAppointment}, Users: users("u1")})
	release := f.r.holdKey("p/u1/appointment")
	ctx := context.Background()
	if err := f.s.Trigger(ctx, "p", "u1", engine.KindAppointment, scheduler.TriggerPush); err != nil {
		t.Fatal(err)
	}
	eventually(t, "first run started", func() bool { return f.r.count("p/u1/appointment") == 1 })
	for range 1000 { // a flood of pushes while the job runs
		if err := f.s.Trigger(ctx, "p", "u1", engine.KindAppointment, scheduler.TriggerPush); err != nil {
			t.Fatal(err)
		}
	}
	f.r.mu.Lock()
	delete(f.r.hold, "p/u1/appointment")
	f.r.mu.Unlock()
	close(release)
	eventually(t, "idle", f.s.Idle)
	if n := f.r.count("p/u1/appointment"); n != 2 {
		t.Fatalf("%d runs after a flood of 1001 pushes, want 2 (the running one and one more)", n)
	}
	if f.r.maxPerKey != 1 {
		t.Fatalf("%d runs of one key at once", f.r.maxPerKey)
	}
	// The successful run consumed the persisted trigger.
	n := 0
	_ = f.kv.Scan([]byte("sched/pending/"), func(k, v []byte) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d pending triggers left after the runs", n)
	}
}

func TestFairnessHugeUserDoesNotStarveOthers(t *testing.T) {
	t.Parallel()
	var small []string
	for i := range 50 {
		small = append(small, fmt.Sprintf("s%02d", i))
	}
	kinds := []engine.Kind{engine.KindAppointment, engine.KindContact, engine.KindTask}
	f := newFixture(t, scheduler.Options{Workers: 3}, scheduler.Profile{ID: "p", Interval: time.Hour,
		Kinds: kinds, Users: users(append([]string{"huge"}, small...)...)})
	var releases []chan struct{}
	for _, k := range kinds {
		releases = append(releases, f.r.holdKey("p/huge/"+string(k)))
	}
	ctx := context.Background()
	if err := f.s.SyncNow(ctx, "p", "huge"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "huge started", func() bool { return len(f.r.snapshot()) == 1 })
	start := f.clk.Now()
	if err := f.s.Trigger(ctx, "p", "", "", scheduler.TriggerManual); err != nil {
		t.Fatal(err)
	}
	// Every small user's jobs finish while the huge user still holds its (single) slot.
	eventually(t, "small users served", func() bool {
		n := 0
		for _, c := range f.r.snapshot() {
			if c.user != "huge" {
				n++
			}
		}
		return n == len(small)*len(kinds)
	})
	if got := f.r.count("p/huge/appointment") + f.r.count("p/huge/contact") + f.r.count("p/huge/task"); got != 1 {
		t.Fatalf("huge user has %d jobs started, want 1 (one job per user at a time)", got)
	}
	if waited := f.clk.Now().Sub(start); waited != 0 {
		t.Fatalf("small users waited %v of fake time", waited)
	}
	// Round-robin: the first jobs started after the trigger belong to distinct users.
	calls := f.r.snapshot()[1:]
	seen := map[string]bool{}
	for _, c := range calls[:len(small)-2] { // two workers: the last two may record out of order
		if seen[c.user] {
			t.Fatalf("user %s served twice before every other user was served once", c.user)
		}
		seen[c.user] = true
	}
	for _, ch := range releases {
		close(ch)
	}
	eventually(t, "idle", f.s.Idle)
}

func TestBackoffJitteredAndCapped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{BackoffBase: 10 * time.Second, BackoffMax: 80 * time.Second,
		BreakerAfter: 100, SystemAfter: 100}, scheduler.Profile{ID: "p", Interval: time.Hour,
		Kinds: []engine.Kind{engine.KindTask}, Users: users("u")})
	f.r.fail = func(call) error { return errors.New("connection reset") }
	if err := f.s.SyncNow(context.Background(), "p", "u"); err != nil {
		t.Fatal(err)
	}
	advance(t, f.clk, f.s, 20*time.Minute, time.Second)
	calls := f.r.snapshot()
	if len(calls) < 8 {
		t.Fatalf("%d attempts in 20 min", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		gap := calls[i].at.Sub(calls[i-1].at)
		full := min(10*time.Second<<(i-1), 80*time.Second)
		// The fake clock advances in 1 s steps, so a retry may start up to 1 s late.
		if gap < full/2 || gap > full+time.Second {
			t.Errorf("attempt %d after %v, want within [%v, %v]", i+1, gap, full/2, full)
		}
		if calls[i].trigger != scheduler.TriggerRetry {
			t.Errorf("attempt %d trigger %q, want retry", i+1, calls[i].trigger)
		}
	}
	if st, _ := f.s.UserStatus("p", "u"); st.LastError != "connection reset" || st.Failures != len(calls) {
		t.Fatalf("user status %+v", st)
	}
}

func TestRetryAfterFromRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{BackoffBase: time.Second}, scheduler.Profile{ID: "p",
		Interval: time.Hour, Kinds: []engine.Kind{engine.KindTask}, Users: users("u")})
	first := true
	f.r.fail = func(call) error {
		if first {
			first = false
			return &engine.RetryAfterError{Wait: 90 * time.Second, Err: errors.New("429")}
		}
		return nil
	}
	if err := f.s.SyncNow(context.Background(), "p", "u"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "idle", f.s.Idle)
	advance(t, f.clk, f.s, 90*time.Second-time.Millisecond, 10*time.Second)
	if n := len(f.r.snapshot()); n != 1 {
		t.Fatalf("%d runs before Retry-After passed", n)
	}
	advance(t, f.clk, f.s, time.Millisecond, time.Millisecond)
	if n := len(f.r.snapshot()); n != 2 {
		t.Fatalf("%d runs once Retry-After passed, want 2", n)
	}
}

func TestUserBreakerOpensAndProbes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{BackoffBase: time.Second, BackoffMax: time.Second, BreakerAfter: 3,
		BreakerOpen: 10 * time.Minute, SystemAfter: 1000},
		scheduler.Profile{ID: "p", Interval: time.Minute, Kinds: []engine.Kind{engine.KindTask}, Users: users("bad", "good")})
	var mu sync.Mutex
	healthy := false
	f.r.fail = func(c call) error {
		mu.Lock()
		defer mu.Unlock()
		if c.user == "bad" && !healthy {
			return errors.New("mailbox not found")
		}
		return nil
	}
	advance(t, f.clk, f.s, 5*time.Minute, time.Second)
	if n := f.r.count("p/bad/task"); n != 3 {
		t.Fatalf("bad user ran %d times, want 3 before the breaker opened", n)
	}
	if n := f.r.count("p/good/task"); n < 4 {
		t.Fatalf("good user ran %d times: the bad user's breaker must not block it", n)
	}
	st, _ := f.s.UserStatus("p", "bad")
	if st.Breaker != "open" || st.BreakerReason != "failures" {
		t.Fatalf("bad user breaker %q (%q), want open", st.Breaker, st.BreakerReason)
	}
	mu.Lock()
	healthy = true
	mu.Unlock()
	advance(t, f.clk, f.s, 7*time.Minute, time.Second) // past the open period: one probe, it succeeds
	if st, _ := f.s.UserStatus("p", "bad"); st.Breaker != "closed" {
		t.Fatalf("breaker %q after a good probe, want closed", st.Breaker)
	}
	if f.r.maxPerKey != 1 {
		t.Fatal("two runs of one key at once")
	}
}

type sysErr struct{ system string }

func (e sysErr) Error() string  { return e.system + " is down" }
func (e sysErr) System() string { return e.system }

func TestSystemBreaker(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{BackoffBase: time.Minute, BreakerAfter: 100, SystemAfter: 4, BreakerOpen: time.Hour},
		scheduler.Profile{ID: "a", Interval: time.Minute, Kinds: []engine.Kind{engine.KindTask}, Systems: []string{"crm1", "ews1"},
			Users: users("u1", "u2", "u3", "u4", "u5", "u6")},
		scheduler.Profile{ID: "b", Interval: time.Minute, Kinds: []engine.Kind{engine.KindTask}, Systems: []string{"crm2", "ews2"},
			Users: users("v1")})
	f.r.fail = func(c call) error {
		if c.profile == "a" {
			return sysErr{"ews1"}
		}
		return nil
	}
	advance(t, f.clk, f.s, 30*time.Minute, 5*time.Second)
	na := 0
	for _, c := range f.r.snapshot() {
		if c.profile == "a" {
			na++
		}
	}
	if na != 4 {
		t.Fatalf("profile a ran %d jobs, want 4 (then the ews1 breaker opens)", na)
	}
	if n := f.r.count("b/v1/task"); n < 29 {
		t.Fatalf("profile b ran %d times: another system's breaker must not block it", n)
	}
	snap := f.s.Snapshot()
	if len(snap.Systems) != 1 || snap.Systems[0].System != "ews1" || snap.Systems[0].State != "open" {
		t.Fatalf("systems %+v, want ews1 open", snap.Systems)
	}
}

func TestAuthFailureWaitsForAdmin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{}, scheduler.Profile{ID: "p", Interval: time.Minute,
		Kinds: []engine.Kind{engine.KindTask}, Users: users("u")})
	authOK := false
	var mu sync.Mutex
	f.r.fail = func(call) error {
		mu.Lock()
		defer mu.Unlock()
		if !authOK {
			return fmt.Errorf("refresh token: %w", engine.ErrAuth)
		}
		return nil
	}
	advance(t, f.clk, f.s, 3*time.Hour, time.Minute)
	if n := len(f.r.snapshot()); n != 1 {
		t.Fatalf("%d runs after an auth failure, want 1 (no retry loop)", n)
	}
	if st, _ := f.s.UserStatus("p", "u"); st.BreakerReason != "auth" {
		t.Fatalf("breaker reason %q, want auth", st.BreakerReason)
	}
	mu.Lock()
	authOK = true
	mu.Unlock()
	if err := f.s.SyncNow(context.Background(), "p", "u"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "manual run", func() bool { return len(f.r.snapshot()) == 2 })
}

func TestPauseResumePersisted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{}, scheduler.Profile{ID: "p", Interval: time.Minute,
		Kinds: []engine.Kind{engine.KindTask}, Users: users("u1", "u2")})
	ctx := context.Background()
	if err := f.s.Pause(ctx, "p", "u1"); err != nil {
		t.Fatal(err)
	}
	advance(t, f.clk, f.s, 3*time.Minute, 5*time.Second)
	if n := f.r.count("p/u1/task"); n != 0 {
		t.Fatalf("paused user ran %d times", n)
	}
	if n := f.r.count("p/u2/task"); n < 2 {
		t.Fatalf("other user ran %d times", n)
	}
	// A new scheduler on the same store keeps the pause.
	r2 := newRunner(f.clk)
	s2, err := scheduler.New(scheduler.Options{Runner: r2, Clock: f.clk, KV: f.kv, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.SetProfile(scheduler.Profile{ID: "p", Interval: time.Minute, Kinds: []engine.Kind{engine.KindTask}, Users: users("u1", "u2")}); err != nil {
		t.Fatal(err)
	}
	if err := s2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s2.Stop(ctx)
	if err := s2.Pause(ctx, "p", ""); err != nil {
		t.Fatal(err)
	}
	if err := s2.Trigger(ctx, "p", "u2", "", scheduler.TriggerManual); err != nil {
		t.Fatal(err)
	}
	advance(t, f.clk, s2, 3*time.Minute, 5*time.Second)
	if n := len(r2.snapshot()); n != 0 {
		t.Fatalf("paused profile ran %d jobs", n)
	}
	if err := s2.Resume(ctx, "p", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "manual trigger served after resume", func() bool { return r2.count("p/u2/task") >= 1 })
	if r2.count("p/u1/task") != 0 {
		t.Fatal("user u1 is still paused but ran")
	}
	if err := s2.Resume(ctx, "p", "u1"); err != nil {
		t.Fatal(err)
	}
	advance(t, f.clk, s2, time.Minute, 5*time.Second)
	if r2.count("p/u1/task") == 0 {
		t.Fatal("resumed user never ran")
	}
}

func TestShutdownMidRunLosesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{Workers: 1, Grace: 10 * time.Second}, scheduler.Profile{ID: "p",
		Interval: time.Hour, Kinds: []engine.Kind{engine.KindTask}, Users: users("u1", "u2", "u3")})
	f.r.holdKey("p/u1/task")
	ctx := context.Background()
	if err := f.s.Trigger(ctx, "p", "u1", "", scheduler.TriggerPush); err != nil {
		t.Fatal(err)
	}
	eventually(t, "u1 running", func() bool { return f.r.count("p/u1/task") == 1 })
	for _, u := range []string{"u2", "u3"} {
		if err := f.s.Trigger(ctx, "p", u, "", scheduler.TriggerManual); err != nil {
			t.Fatal(err)
		}
	}
	stopped := make(chan error, 1)
	stopAt := f.clk.Now()
	go func() { stopped <- f.s.Stop(ctx) }()
	// Move fake time until Stop returns: the held run is cancelled once the grace period has passed.
	deadline := time.Now().Add(5 * time.Second)
wait:
	for {
		select {
		case err := <-stopped:
			if err != nil {
				t.Fatal(err)
			}
			break wait
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("Stop did not return")
		}
		f.clk.Advance(time.Second)
		time.Sleep(time.Millisecond)
	}
	if waited := f.clk.Now().Sub(stopAt); waited < 10*time.Second {
		t.Fatalf("Stop cancelled the run after %v, before the 10s grace period", waited)
	}
	if n := len(f.r.snapshot()); n != 1 {
		t.Fatalf("%d runs started after Stop, want 1", n)
	}
	// Restart on the same store: every job that was due runs.
	r2 := newRunner(f.clk)
	s2, err := scheduler.New(scheduler.Options{Runner: r2, Clock: f.clk, KV: f.kv, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.SetProfile(scheduler.Profile{ID: "p", Interval: time.Hour, Kinds: []engine.Kind{engine.KindTask}, Users: users("u1", "u2", "u3")}); err != nil {
		t.Fatal(err)
	}
	if err := s2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s2.Stop(ctx)
	eventually(t, "due jobs run after restart", func() bool { return len(r2.snapshot()) == 3 })
	got := map[string]string{}
	for _, c := range r2.snapshot() {
		got[c.user] = c.trigger
	}
	want := map[string]string{"u1": scheduler.TriggerPush, "u2": scheduler.TriggerManual, "u3": scheduler.TriggerManual}
	for u, tr := range want {
		if got[u] != tr {
			t.Errorf("after restart %s ran with trigger %q, want %q", u, got[u], tr)
		}
	}
}

func TestHousekeepingAtAdminHour(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{HousekeepingHour: 3})
	var mu sync.Mutex
	var ran []string
	f.s.AddHousekeeping("renew subscriptions", func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, "renew@"+f.clk.Now().Format("15:04"))
		return errors.New("graph unavailable")
	})
	f.s.AddHousekeeping("badger gc", func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, "gc@"+f.clk.Now().Format("15:04"))
		return nil
	})
	if err := f.s.SetHousekeepingHour(3); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(2*time.Hour - time.Second) // 02:59:59
	mu.Lock()
	if len(ran) != 0 {
		t.Fatalf("housekeeping ran early: %v", ran)
	}
	mu.Unlock()
	f.clk.Advance(time.Second)
	f.clk.Advance(24 * time.Hour)
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(ran, ",") != "renew@03:00,gc@03:00,renew@03:00,gc@03:00" {
		t.Fatalf("housekeeping ran %v, want both tasks at 03:00 on two nights", ran)
	}
	hk := f.s.Snapshot().Housekeeping
	if len(hk.Results) != 2 || hk.Results[0].Error != "graph unavailable" || hk.Results[1].Error != "" {
		t.Fatalf("results %+v", hk.Results)
	}
	if hk.NextRun == nil || !hk.NextRun.Equal(t0.Add(2*time.Hour+48*time.Hour)) {
		t.Fatalf("next run %v", hk.NextRun)
	}
	if err := f.s.SetHousekeepingHour(24); err == nil {
		t.Fatal("hour 24 accepted")
	}
}

func TestSerialModeOneUserAtATimeWithGap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{Workers: 8}, scheduler.Profile{ID: "p", Interval: time.Hour,
		Serial: true, Kinds: []engine.Kind{engine.KindAppointment}, Users: users("a", "b", "c", "d")})
	if err := f.s.Trigger(context.Background(), "p", "", "", scheduler.TriggerManual); err != nil {
		t.Fatal(err)
	}
	advance(t, f.clk, f.s, 20*time.Second, 500*time.Millisecond)
	calls := f.r.snapshot()
	if len(calls) != 4 {
		t.Fatalf("%d runs, want 4", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].at.Sub(calls[i-1].at); gap != 3*time.Second {
			t.Errorf("run %d started %v after the previous one, want 3s", i+1, gap)
		}
	}
	if f.r.maxTotal != 1 {
		t.Fatalf("%d jobs at once in serial mode", f.r.maxTotal)
	}
}

func TestFirstSyncWhenUserLinked(t *testing.T) {
	t.Parallel()
	p := scheduler.Profile{ID: "p", Interval: time.Hour, Kinds: []engine.Kind{engine.KindContact}, Users: users("old")}
	f := newFixture(t, scheduler.Options{}, p)
	p.Users = users("old", "new")
	if err := f.s.SetProfile(p); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Ready(context.Background()); err != nil {
		t.Fatalf("Ready after Start: %v", err)
	}
	eventually(t, "first sync", func() bool { return f.r.count("p/new/contact") == 1 })
	if c := f.r.snapshot()[0]; c.trigger != scheduler.TriggerLink || !c.at.Equal(t0) {
		t.Fatalf("first sync %+v, want trigger link at once", c)
	}
	if f.r.count("p/old/contact") != 0 {
		t.Fatal("existing user ran on profile update")
	}
}

func TestPushHealthyStretchesPollingAndFallsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{}, scheduler.Profile{ID: "p", Interval: time.Minute,
		PushInterval: time.Hour, Kinds: []engine.Kind{engine.KindAppointment}, Users: users("u")})
	f.s.SetPushHealthy("p", "u", engine.KindAppointment, true)
	advance(t, f.clk, f.s, 2*time.Hour, 10*time.Second)
	if n := f.r.count("p/u/appointment"); n < 2 || n > 3 {
		t.Fatalf("%d polls in 2 h with healthy push, want 2–3 (hourly safety net)", n)
	}
	before := f.r.count("p/u/appointment")
	f.s.SetPushHealthy("p", "u", engine.KindAppointment, false) // the subscription went silent
	advance(t, f.clk, f.s, 5*time.Minute, 10*time.Second)
	if n := f.r.count("p/u/appointment") - before; n < 4 {
		t.Fatalf("%d polls in 5 min after push stopped, want ≥ 4 (normal interval)", n)
	}
}

func TestValidationNamesTheField(t *testing.T) {
	t.Parallel()
	s, err := scheduler.New(scheduler.Options{Runner: newRunner(clock.NewFake(t0))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(context.Background()); err == nil {
		t.Error("Ready before Start")
	}
	for _, tc := range []struct {
		p    scheduler.Profile
		want string
	}{
		{scheduler.Profile{}, "id is empty"},
		{scheduler.Profile{ID: "p", Interval: 10 * time.Second}, "interval: 10s is below the minimum 30s"},
		{scheduler.Profile{ID: "p", Users: users("a", "a")}, "users[1].id: user a is listed twice"},
		{scheduler.Profile{ID: "p", Users: users("")}, "users[0].id: empty"},
		{scheduler.Profile{ID: "p", MaxConcurrent: -1}, "maxConcurrent"},
		{scheduler.Profile{ID: "p", Kinds: []engine.Kind{""}}, "kinds[0]"},
	} {
		if err := s.SetProfile(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetProfile(%+v) = %v, want an error containing %q", tc.p, err, tc.want)
		}
	}
	if _, err := scheduler.New(scheduler.Options{}); err == nil {
		t.Error("New without a Runner accepted")
	}
}

func TestSubscribeSeesJobLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{}, scheduler.Profile{ID: "p", Interval: time.Hour,
		Kinds: []engine.Kind{engine.KindTask}, Users: users("u")})
	ch, cancel := f.s.Subscribe(16)
	defer cancel()
	if err := f.s.SyncNow(context.Background(), "p", "u"); err != nil {
		t.Fatal(err)
	}
	var types []string
	for e := range ch {
		types = append(types, e.Type)
		if e.Type == scheduler.EventFinished {
			if e.RunID == "" || e.Trigger != scheduler.TriggerManual {
				t.Fatalf("finished event %+v", e)
			}
			break
		}
	}
	if strings.Join(types, ",") != "queued,started,finished" {
		t.Fatalf("events %v", types)
	}
}

func TestPendingTriggersAdoptedWhenProfileArrivesAfterStart(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	kv := engine.NewMemKV()
	if err := kv.Commit(map[string][]byte{"sched/pending/p/u%2F1/task": []byte(`{"trigger":"push","at":"2026-03-02T00:59:00Z"}`)}, nil); err != nil {
		t.Fatal(err)
	}
	r := newRunner(clk)
	s, err := scheduler.New(scheduler.Options{Runner: r, Clock: clk, KV: kv, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	if err := s.SetProfile(scheduler.Profile{ID: "p", Interval: time.Hour, Kinds: []engine.Kind{engine.KindTask}, Users: users("u/1")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "adopted trigger run", func() bool { return r.count("p/u/1/task") == 1 })
	if c := r.snapshot()[0]; c.trigger != scheduler.TriggerPush {
		t.Fatalf("trigger %q, want push", c.trigger)
	}
	eventually(t, "served trigger deleted", func() bool {
		_, ok, _ := kv.Get([]byte("sched/pending/p/u%2F1/task"))
		return !ok
	})
}

func TestApprovalPendingIsNotAFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t, scheduler.Options{BreakerAfter: 2, BackoffBase: time.Second}, scheduler.Profile{ID: "p",
		Interval: time.Minute, Kinds: []engine.Kind{engine.KindTask}, Users: users("u")})
	f.r.fail = func(call) error { return fmt.Errorf("run r1: %w", engine.ErrApprovalPending) }
	advance(t, f.clk, f.s, 10*time.Minute, 5*time.Second)
	n := f.r.count("p/u/task")
	if n < 9 || n > 11 {
		t.Fatalf("%d runs in 10 min, want one per minute (no back-off, no breaker)", n)
	}
	st, _ := f.s.UserStatus("p", "u")
	if st.Breaker != "closed" || st.Failures != 0 || !strings.Contains(st.LastError, "needs approval") {
		t.Fatalf("status %+v", st)
	}
}

func TestRemoveUsersAndProfileWhileRunning(t *testing.T) {
	t.Parallel()
	p := scheduler.Profile{ID: "p", Interval: time.Minute, Kinds: []engine.Kind{engine.KindTask, engine.KindContact}, Users: users("a", "b")}
	f := newFixture(t, scheduler.Options{Workers: 1}, p)
	release := f.r.holdKey("p/a/task")
	ctx := context.Background()
	if err := f.s.Trigger(ctx, "p", "a", engine.KindTask, scheduler.TriggerPush); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a/task running", func() bool { return f.r.count("p/a/task") == 1 })
	if err := f.s.SyncNow(ctx, "p", "b"); err != nil { // queued behind the single worker
		t.Fatal(err)
	}
	p.Users = users("a")
	p.Kinds = []engine.Kind{engine.KindTask}
	if err := f.s.SetProfile(p); err != nil { // b and the contact kind leave while a job runs
		t.Fatal(err)
	}
	if _, ok, _ := f.kv.Get([]byte("sched/pending/p/b/task")); ok {
		t.Fatal("the trigger of a removed user is still persisted")
	}
	close(release)
	advance(t, f.clk, f.s, 3*time.Minute, 5*time.Second)
	if n := f.r.count("p/b/task") + f.r.count("p/b/contact") + f.r.count("p/a/contact"); n != 0 {
		t.Fatalf("%d runs of removed users or kinds", n)
	}
	if n := f.r.count("p/a/task"); n < 3 {
		t.Fatalf("remaining job ran %d times", n)
	}
	if err := f.s.RemoveProfile(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	before := len(f.r.snapshot())
	advance(t, f.clk, f.s, 3*time.Minute, 5*time.Second)
	if n := len(f.r.snapshot()) - before; n != 0 {
		t.Fatalf("%d runs after the profile was removed", n)
	}
	if err := f.s.Trigger(ctx, "p", "", "", scheduler.TriggerManual); err == nil {
		t.Fatal("trigger for a removed profile accepted")
	}
	n := 0
	_ = f.kv.Scan([]byte("sched/"), func(k, v []byte) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d scheduler keys left after RemoveProfile", n)
	}
	if snap := f.s.Snapshot(); snap.QueueDepth != 0 || len(snap.Users) != 0 {
		t.Fatalf("snapshot after removal %+v", snap)
	}
}
