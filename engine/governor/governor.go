// Package governor admits every remote call Synchronizer makes within the limits the connectors declare:
// concurrency caps, request budgets over exact sliding windows, server-requested back-off (Retry-After, EWS
// BackOffMilliseconds), adaptive slow-down when the server answers slowly, and a profile-wide cap on concurrent
// requests.
//
// # Scopes
//
// A call is charged to one or more engine.LimitScope values at once (for example a Graph mailbox and the Graph
// tenant). Limits are declared per (system, kind) with Declare and may be overridden for one scope instance with
// SetLimits. Scopes are keyed by value, so every profile that touches the same mailbox or tenant shares its
// budget.
//
// # The profile-wide cap
//
// The engine tags the context of every call it makes for a profile with WithProfile(ctx, profileID). Connectors
// pass the context they were given to Acquire, so Acquire finds the profile there and charges the call to the
// extra scope ProfileScope(profileID) as well. Its default limit is DefaultProfileCap concurrent requests (like
// Exchange's EWSMaxConcurrency); SetProfileCap changes it per profile, 0 meaning unlimited.
//
// # Admission
//
// Acquire takes all the scopes of a call together under one lock, so a call never holds part of its scopes while
// waiting for the rest (no deadlock). Waiters are served first come, first served per scope: a waiter that
// cannot be admitted reserves the scopes that block it, so later calls cannot overtake it there (no starvation),
// while calls on unrelated scopes go on.
//
// # Back-off and slow-down
//
// Permit.Done reports the outcome. A RetryAfter (or a *engine.RetryAfterError in Err: HTTP Retry-After, EWS
// BackOffMilliseconds) holds back the first scope the connector passed to Acquire (list the scope the server
// throttles first: the mailbox for Graph, the endpoint for EWS) until exactly the instant Done saw plus the wait.
// A 429 or 503 without a wait backs off 1 s, 2 s, 4 s … up to Options.MaxBackoff. The moving average of latency
// per scope drives AIMD: above Options.SlowThreshold the effective concurrency is halved (at most once per
// threshold period), each fast answer adds one back, until the declared cap is restored.
package governor

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

// Profile scope naming: the extra scope every call made for a profile is charged to.
const (
	ProfileSystem = "synchronizer"
	ProfileKind   = "profile"
)

// DefaultProfileCap is the default number of concurrent remote requests of one profile (Exchange's
// EWSMaxConcurrency default is 10 on 2010 and 27 on 2013+; 20 stays below the latter with room for other clients).
const DefaultProfileCap = 20

// Defaults of Options.
const (
	DefaultSlowThreshold = 5 * time.Second
	// DefaultMaxBackoff caps the exponential back-off applied after a 429/503 that carried no Retry-After.
	DefaultMaxBackoff = 5 * time.Minute
	// recentWindow is how far back Snapshot counts throttling answers.
	recentWindow = 10 * time.Minute
	// latencyAlpha is the weight of a new sample in the moving average of latency.
	latencyAlpha = 0.2
)

// Options configure a Governor. The zero value is usable.
type Options struct {
	// Clock is the time source; nil means the real clock (or FromNow(Now) when Now is set).
	Clock clock.Clock
	// Now is used when Clock is nil; nil means time.Now.
	Now func() time.Time
	// Logger receives throttling and slow-down events; nil discards them.
	Logger *slog.Logger
	// SlowThreshold is the average response time above which a scope's effective concurrency is halved
	// ("optimize for high server load"); 0 means DefaultSlowThreshold, a negative value disables it.
	SlowThreshold time.Duration
	// MaxBackoff caps the back-off after throttling answers without Retry-After; 0 means DefaultMaxBackoff.
	MaxBackoff time.Duration
}

// Governor implements engine.Governor. It is safe for concurrent use. mu guards every field below it.
type Governor struct {
	clk        clock.Clock
	log        *slog.Logger
	slow       time.Duration
	maxBackoff time.Duration

	mu        sync.Mutex
	declared  map[kindKey]engine.Limits
	overrides map[engine.LimitScope]engine.Limits
	scopes    map[engine.LimitScope]*scope
	waiters   []*waiter // FIFO
	timer     clock.Timer
	timerAt   time.Time
	calls     uint64
	blocked   map[*scope]bool // scratch for dispatch
	// inFlight counts admitted calls whose permit is not done; hist is the governor-wide activity, each call
	// counted once (see History).
	inFlight int
	hist     history
}

var _ engine.Governor = (*Governor)(nil)

type kindKey struct{ system, kind string }

// New returns a Governor with the profile scope declared at DefaultProfileCap.
func New(o Options) *Governor {
	g := &Governor{
		clk:        o.Clock,
		log:        o.Logger,
		slow:       o.SlowThreshold,
		maxBackoff: o.MaxBackoff,
		declared:   map[kindKey]engine.Limits{},
		overrides:  map[engine.LimitScope]engine.Limits{},
		scopes:     map[engine.LimitScope]*scope{},
		blocked:    map[*scope]bool{},
	}
	if g.clk == nil {
		g.clk = clock.FromNow(o.Now)
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.slow == 0 {
		g.slow = DefaultSlowThreshold
	}
	if g.maxBackoff <= 0 {
		g.maxBackoff = DefaultMaxBackoff
	}
	g.declared[kindKey{ProfileSystem, ProfileKind}] = engine.Limits{MaxInFlight: DefaultProfileCap}
	return g
}

type profileKey struct{}

// WithProfile returns a context whose governed calls are also charged to ProfileScope(profileID).
func WithProfile(ctx context.Context, profileID string) context.Context {
	return context.WithValue(ctx, profileKey{}, profileID)
}

// ProfileFrom returns the profile WithProfile stored in ctx.
func ProfileFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(profileKey{}).(string)
	return id, ok && id != ""
}

// ProfileScope is the scope of the profile-wide cap of profileID.
func ProfileScope(profileID string) engine.LimitScope {
	return engine.LimitScope{System: ProfileSystem, Kind: ProfileKind, Key: profileID}
}

// SetProfileCap sets the number of concurrent requests profileID may have in flight; 0 means unlimited.
func (g *Governor) SetProfileCap(profileID string, n int) {
	if n < 0 {
		n = 0
	}
	g.SetLimits(ProfileScope(profileID), engine.Limits{MaxInFlight: n})
}

// Declare registers the limits of every scope of the given system and kind. A later Declare replaces them;
// calls already admitted are not affected.
func (g *Governor) Declare(system, kind string, limits engine.Limits) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.declared[kindKey{system, kind}] = sanitize(limits)
	for k, s := range g.scopes {
		if k.System == system && k.Kind == kind {
			g.setLimitsLocked(s)
		}
	}
	g.dispatchLocked()
}

// SetLimits overrides the declared limits for one scope instance (an admin's per-tenant setting, a profile's cap).
func (g *Governor) SetLimits(sc engine.LimitScope, limits engine.Limits) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.overrides[sc] = sanitize(limits)
	if s, ok := g.scopes[sc]; ok {
		g.setLimitsLocked(s)
	}
	g.dispatchLocked()
}

func sanitize(l engine.Limits) engine.Limits {
	if l.MaxInFlight < 0 {
		l.MaxInFlight = 0
	}
	if l.Requests < 0 || l.Per <= 0 {
		l.Requests, l.Per = 0, 0
	}
	return l
}

// scope is the state of one limit scope.
type scope struct {
	key    engine.LimitScope
	limits engine.Limits
	// inFlight counts admitted calls whose permit is not done.
	inFlight int
	// log holds the admission times (Unix ns) within the sliding window, oldest first, as a ring of at most
	// limits.Requests entries: head is the oldest, n the count.
	log     []int64
	head, n int
	// backoffUntil holds every call until that instant (Retry-After, BackOffMilliseconds, exponential back-off).
	backoffUntil time.Time
	// consecutive counts throttling answers since the last success (exponential back-off without Retry-After).
	consecutive int
	throttled   uint64
	recent      [16]time.Time // last throttling answers, ring
	recentPos   int
	// avgLatency is an exponential moving average (ns); samples counts the observations.
	avgLatency float64
	samples    uint64
	// effCap is the concurrency enforced by adaptive slow-down (0 = none in force).
	effCap     int
	adaptFrom  int // the cap in force before the slow-down started
	lastAdjust time.Time
	waiting    int
	// hist is the scope's activity over the last HistorySpan (see History).
	hist history
}

func (g *Governor) setLimitsLocked(s *scope) {
	l, ok := g.overrides[s.key]
	if !ok {
		l = g.declared[kindKey{s.key.System, s.key.Kind}]
	}
	s.limits = l
	switch {
	case l.Requests <= 0:
		s.log, s.head, s.n = nil, 0, 0
	case len(s.log) > l.Requests:
		s.resize(l.Requests) // keeps the newest entries
	}
}

// resize moves the ring into a new one of the given size, keeping the newest min(n, size) entries in order.
func (s *scope) resize(size int) {
	keep := min(s.n, size)
	out := make([]int64, size)
	for i := 0; i < keep; i++ {
		out[i] = s.log[(s.head+s.n-keep+i)%len(s.log)]
	}
	s.log, s.head, s.n = out, 0, keep
}

// push records an admission at t. The ring grows by doubling up to limits.Requests entries, which admission
// never exceeds, so a scope's memory is bounded by its budget (8 bytes a request) and shrinks when it idles.
func (s *scope) push(t int64) {
	if s.limits.Requests <= 0 {
		return
	}
	if s.n == len(s.log) {
		s.resize(min(s.limits.Requests, max(16, 2*len(s.log))))
		if s.n == len(s.log) {
			return // budget lowered below the log by Declare; ready() refuses until it drains
		}
	}
	s.log[(s.head+s.n)%len(s.log)] = t
	s.n++
}

// expire drops admissions older than the window.
func (s *scope) expire(now int64) {
	if s.limits.Requests <= 0 {
		return
	}
	cut := now - int64(s.limits.Per)
	for s.n > 0 && s.log[s.head] <= cut {
		s.head = (s.head + 1) % len(s.log)
		s.n--
	}
	if s.n == 0 {
		s.head = 0
		if len(s.log) > 64 { // release the memory of a burst
			s.log = nil
		}
	}
}

func (s *scope) concurrency() int {
	c := s.limits.MaxInFlight
	if s.effCap > 0 && (c == 0 || s.effCap < c) {
		c = s.effCap
	}
	return c
}

// ready reports whether one more call fits at now; if not, wake is when it might (zero: when a permit is done).
func (s *scope) ready(now time.Time) (ok bool, wake time.Time) {
	if now.Before(s.backoffUntil) {
		return false, s.backoffUntil
	}
	if c := s.concurrency(); c > 0 && s.inFlight >= c {
		return false, time.Time{}
	}
	if s.limits.Requests > 0 {
		s.expire(now.UnixNano())
		if s.n >= s.limits.Requests {
			return false, time.Unix(0, s.log[s.head]+int64(s.limits.Per))
		}
	}
	return true, time.Time{}
}

func (s *scope) idle(now time.Time) bool {
	return s.inFlight == 0 && !s.hist.activeSince(stepIndex(now.Add(-HistorySpan))) && s.waiting == 0 && s.n == 0 && s.effCap == 0 && !now.Before(s.backoffUntil) &&
		(s.throttled == 0 || now.Sub(s.recent[(s.recentPos+len(s.recent)-1)%len(s.recent)]) > recentWindow)
}

type waiter struct {
	scopes []*scope
	// primary is the first scope the connector named: the one a throttling answer holds back. profile is the
	// profile scope added from the context (never backed off or slowed down: it is our own cap).
	primary, profile *scope
	ready            chan struct{}
	granted          bool
	// at is when the waiter first met dispatch (the time of its Acquire) until it is admitted, then the admission
	// time.
	at time.Time
}

// Acquire blocks until every scope (plus the profile scope found in ctx) has room, then charges the call to all
// of them and returns its permit. It returns ctx.Err() if ctx ends first; the call then holds no slot (if it was
// admitted at the very moment ctx ended, its entry in the budget stays: conservatively, as if it had been sent).
func (g *Governor) Acquire(ctx context.Context, scopes ...engine.LimitScope) (engine.Permit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keys := scopes
	if id, ok := ProfileFrom(ctx); ok {
		keys = append(keys[:len(keys):len(keys)], ProfileScope(id))
	}
	g.mu.Lock()
	w := &waiter{ready: make(chan struct{})}
	seen := make(map[engine.LimitScope]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		s := g.scopes[k]
		if s == nil {
			s = &scope{key: k}
			g.setLimitsLocked(s)
			g.scopes[k] = s
		}
		s.waiting++
		w.scopes = append(w.scopes, s)
		switch {
		case k.System == ProfileSystem && k.Kind == ProfileKind:
			w.profile = s
		case w.primary == nil:
			w.primary = s
		}
	}
	g.calls++
	if g.calls%4096 == 0 {
		g.sweepLocked()
	}
	g.waiters = append(g.waiters, w)
	g.dispatchLocked()
	g.mu.Unlock()

	select {
	case <-w.ready:
		return &permit{g: g, w: w}, nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.granted { // admitted while ctx ended: release the slot (the budget stays charged, conservatively)
		for _, s := range w.scopes {
			s.inFlight--
		}
		g.inFlight--
	} else {
		for i, o := range g.waiters {
			if o == w {
				g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
				break
			}
		}
		for _, s := range w.scopes {
			s.waiting--
		}
	}
	g.dispatchLocked()
	return nil, ctx.Err()
}

// dispatchLocked admits every waiter that fits, in FIFO order per scope, and arms the timer for the earliest
// instant a time-blocked waiter may fit.
func (g *Governor) dispatchLocked() {
	if len(g.waiters) == 0 {
		return
	}
	now := g.clk.Now()
	var wake time.Time
	clear(g.blocked)
	kept := g.waiters[:0]
	for _, w := range g.waiters {
		if w.at.IsZero() {
			w.at = now // queued
		}
		fits := true
		for _, s := range w.scopes {
			if g.blocked[s] {
				fits = false
				continue
			}
			ok, at := s.ready(now)
			if !ok {
				fits = false
				g.blocked[s] = true // reserve: later waiters cannot overtake w in s
				if !at.IsZero() && (wake.IsZero() || at.Before(wake)) {
					wake = at
				}
			}
		}
		if !fits {
			kept = append(kept, w)
			continue
		}
		ns := now.UnixNano()
		waited := now.Sub(w.at)
		for _, s := range w.scopes {
			s.inFlight++
			s.waiting--
			s.push(ns)
			s.hist.admit(now, waited, s.inFlight)
		}
		g.inFlight++
		g.hist.admit(now, waited, g.inFlight)
		w.granted, w.at = true, now // from here on, at is the admission time
		close(w.ready)
	}
	for i := len(kept); i < len(g.waiters); i++ {
		g.waiters[i] = nil
	}
	g.waiters = kept
	g.armLocked(wake)
}

func (g *Governor) armLocked(wake time.Time) {
	if wake.IsZero() || len(g.waiters) == 0 {
		return
	}
	if g.timer != nil && !g.timerAt.After(wake) && g.timerAt.After(g.clk.Now()) {
		return // an earlier (or equal) wake-up is already armed
	}
	if g.timer != nil {
		g.timer.Stop()
	}
	g.timerAt = wake
	g.timer = g.clk.AfterFunc(wake.Sub(g.clk.Now()), func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.timer = nil
		g.dispatchLocked()
	})
}

func (g *Governor) sweepLocked() {
	now := g.clk.Now()
	for k, s := range g.scopes {
		s.expire(now.UnixNano())
		if s.idle(now) {
			delete(g.scopes, k)
		}
	}
}

type permit struct {
	g    *Governor
	w    *waiter
	once sync.Once
}

// Done releases the call's slots and feeds its outcome to back-off and slow-down. Only the first call counts.
func (p *permit) Done(o engine.Outcome) {
	p.once.Do(func() { p.g.done(p.w, o) })
}

func (g *Governor) done(w *waiter, o engine.Outcome) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clk.Now()
	wait := o.RetryAfter
	var ra *engine.RetryAfterError
	if errors.As(o.Err, &ra) && ra.Wait > wait {
		wait = ra.Wait
	}
	throttled := wait > 0 || o.Status == http.StatusTooManyRequests || o.Status == http.StatusServiceUnavailable
	lat := o.Latency
	if lat <= 0 {
		lat = now.Sub(w.at)
	}
	g.inFlight--
	for _, s := range w.scopes {
		s.inFlight--
		if s == w.profile {
			continue
		}
		if s == w.primary {
			g.throttleLocked(s, o, wait, throttled, now)
		}
		g.observeLocked(s, lat, now)
	}
	g.dispatchLocked()
}

// throttleLocked applies a throttling answer to s: the server's wait exactly, or an exponential back-off when it
// gave none; a success resets the back-off sequence.
func (g *Governor) throttleLocked(s *scope, o engine.Outcome, wait time.Duration, throttled bool, now time.Time) {
	if !throttled {
		if o.Err == nil && o.Status < 500 {
			s.consecutive = 0
		}
		return
	}
	s.throttled++
	s.hist.throttle(now)
	g.hist.throttle(now)
	s.recent[s.recentPos] = now
	s.recentPos = (s.recentPos + 1) % len(s.recent)
	s.consecutive++
	d := wait
	if d <= 0 { // no hint: 1 s, 2 s, 4 s … capped
		d = time.Duration(math.Min(float64(time.Second)*math.Pow(2, float64(s.consecutive-1)), float64(g.maxBackoff)))
	}
	if until := now.Add(d); until.After(s.backoffUntil) {
		s.backoffUntil = until
		g.log.Info("governor: backing off", "scope", s.key.String(), "until", until, "wait", d, "status", o.Status)
	}
}

// observeLocked updates the moving average of latency and applies AIMD to the scope's effective concurrency:
// halve it (at most once per threshold period) while the average is above the threshold, add one per fast answer
// while it is below, and lift the restriction once it is back where it started.
func (g *Governor) observeLocked(s *scope, lat time.Duration, now time.Time) {
	if g.slow < 0 {
		return
	}
	if s.samples == 0 {
		s.avgLatency = float64(lat)
	} else {
		s.avgLatency = latencyAlpha*float64(lat) + (1-latencyAlpha)*s.avgLatency
	}
	s.samples++
	thr := float64(g.slow)
	switch {
	case s.avgLatency > thr && (s.lastAdjust.IsZero() || now.Sub(s.lastAdjust) >= g.slow || s.effCap == 0):
		cur := s.concurrency()
		if cur == 0 {
			cur = max(s.inFlight+1, 2)
		}
		if s.effCap == 0 {
			s.adaptFrom = cur
		}
		next := max(1, cur/2)
		if next != s.effCap {
			s.effCap = next
			g.log.Warn("governor: slow server, reducing concurrency", "scope", s.key.String(),
				"avg_latency", time.Duration(s.avgLatency), "in_flight_cap", next)
		}
		s.lastAdjust = now
	case s.effCap > 0 && s.avgLatency <= thr && lat <= g.slow:
		s.effCap++
		if s.effCap >= s.adaptFrom {
			s.effCap, s.adaptFrom = 0, 0
			g.log.Info("governor: server fast again, concurrency restored", "scope", s.key.String())
		}
	}
}

// ScopeState is the visible state of one scope.
type ScopeState struct {
	Scope  string `json:"scope"`
	System string `json:"system"`
	Kind   string `json:"kind"`
	Key    string `json:"key"`
	// MaxInFlight is the declared concurrency cap (0 = unlimited); EffectiveInFlight the cap in force now
	// (lower while slowed down).
	MaxInFlight       int `json:"maxInFlight"`
	EffectiveInFlight int `json:"effectiveInFlight"`
	InFlight          int `json:"inFlight"`
	Waiting           int `json:"waiting"`
	// Requests per Per is the budget; BudgetLeft what remains in the current sliding window (-1 = unlimited).
	Requests   int           `json:"requests"`
	Per        time.Duration `json:"per"`
	BudgetLeft int           `json:"budgetLeft"`
	// BackingOffUntil is set while the server's back-off holds the scope.
	BackingOffUntil *time.Time `json:"backingOffUntil,omitempty"`
	// Throttled counts throttling answers since the scope became active; RecentThrottles those of the last 10
	// minutes (up to 16).
	Throttled       uint64        `json:"throttled"`
	RecentThrottles int           `json:"recentThrottles"`
	AvgLatency      time.Duration `json:"avgLatency"`
	SlowedDown      bool          `json:"slowedDown"`
}

// Snapshot returns the state of every active scope, sorted by scope name.
func (g *Governor) Snapshot() []ScopeState {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.clk.Now()
	out := make([]ScopeState, 0, len(g.scopes))
	for _, s := range g.scopes {
		s.expire(now.UnixNano())
		st := ScopeState{
			Scope: s.key.String(), System: s.key.System, Kind: s.key.Kind, Key: s.key.Key,
			MaxInFlight: s.limits.MaxInFlight, EffectiveInFlight: s.concurrency(),
			InFlight: s.inFlight, Waiting: s.waiting,
			Requests: s.limits.Requests, Per: s.limits.Per, BudgetLeft: -1,
			Throttled: s.throttled, AvgLatency: time.Duration(s.avgLatency), SlowedDown: s.effCap > 0,
		}
		if s.limits.Requests > 0 {
			st.BudgetLeft = s.limits.Requests - s.n
		}
		if now.Before(s.backoffUntil) {
			t := s.backoffUntil
			st.BackingOffUntil = &t
		}
		for _, t := range s.recent {
			if !t.IsZero() && now.Sub(t) <= recentWindow {
				st.RecentThrottles++
			}
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scope < out[j].Scope })
	return out
}
