// Package push is the push intake: the /hooks/<connector>/<profile> endpoints that receive webhook deliveries
// (Microsoft Graph change notifications, SuperOffice webhooks, Google watch channels), validate them per
// connector, persist them, acknowledge fast, and hand them to the scheduler; plus a watchdog that notices push
// channels that expired or went silent and falls back to polling.
//
// # Flow of one delivery
//
//  1. ServeHTTP reads the body (at most Options.MaxBody), finds the connector's Receiver and lets it validate
//     and decode the delivery (or answer a validation handshake itself). Invalid proofs are answered 401 and
//     logged for audit; nothing of them is processed.
//  2. The events are committed to the KV (hook/ev/<seq>), together with their de-duplication marks
//     (hook/seen/…), in one Commit shared by every request that arrived meanwhile (group commit). A delivery
//     whose id was already seen is acknowledged and dropped. Only after the commit is the request acknowledged
//     (202, or the status the sender expects), so an acknowledged delivery is never lost.
//  3. A dispatcher goroutine reads hook/ev/ in order, calls Sink.Trigger (which persists the scheduler's own
//     pending trigger) and deletes the event. After a crash, Start replays what was not dispatched.
//
// # Keys (under "hook/")
//
//	hook/ev/<seq>                               an accepted event not yet handed to the scheduler (JSON Event)
//	hook/seen/<connector>/<profile>/<id hash>   de-duplication mark: the time the id was first received
//	hook/sub/<connector>/<profile>/<id>         a registered subscription (JSON engine.PushSubscription)
//
// Path elements are escaped with url.PathEscape. De-duplication marks expire after Options.DedupeFor.
package push

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

// Sink receives the triggers. *scheduler.Scheduler implements it.
type Sink interface {
	Trigger(ctx context.Context, profileID, userID string, kind engine.Kind, trigger string) error
}

// Health is told when a job's push channel works or stops. *scheduler.Scheduler implements it.
type Health interface {
	SetPushHealthy(profileID, userID string, kind engine.Kind, healthy bool)
}

// Scheduler triggers passed to Sink.Trigger.
const (
	TriggerPush   = "push"
	TriggerMissed = "missed"
)

// Defaults of Options.
const (
	DefaultMaxBody    = 1 << 20
	DefaultDedupeFor  = 24 * time.Hour
	DefaultWatchEvery = time.Minute
	maxBatch          = 512
	maxSeenCache      = 1 << 16
	gcEvery           = time.Hour
	maxAttempts       = 5
)

const (
	keyEvent = "hook/ev/"
	keySeen  = "hook/seen/"
	keySub   = "hook/sub/"
)

// Options configure an Intake.
type Options struct {
	// KV persists events, de-duplication marks and subscriptions (required).
	KV engine.KV
	// Sink receives the triggers (required).
	Sink Sink
	// Health is told when push channels stop or work again (optional; the scheduler).
	Health Health
	// Receivers by connector type; nil means Receivers().
	Receivers map[string]Receiver
	// OnLifecycle is called (from the dispatcher goroutine) for events a connector must act on: reauthorize,
	// removed, expired, silent (renew or re-create the subscription). Optional.
	OnLifecycle func(Event)
	// Route maps a change event to the jobs it concerns, when the subscription alone does not say (a SuperOffice
	// webhook covers a whole profile: the connector can look up whose diary the activity PrimaryKey is in). It
	// returns ok=false to use the default: the subscription's user (or every user) and kind (or every kind).
	// Called from the dispatcher goroutine; an error makes the event retried later.
	Route  func(ctx context.Context, ev Event) (reqs []engine.SyncRequest, ok bool, err error)
	Logger *slog.Logger
	Clock  clock.Clock
	Now    func() time.Time
	// MaxBody bounds a delivery's body (default 1 MiB); larger ones are answered 413.
	MaxBody int64
	// DedupeFor is how long a delivery id is remembered (default 24 h; Graph retries for up to 4 h).
	DedupeFor time.Duration
	// WatchEvery is the watchdog period (default 1 min).
	WatchEvery time.Duration
}

// Intake is the push intake. It is an http.Handler for /hooks/<connector>/<profile> and implements
// engine.PushRegistry. Its methods are safe for concurrent use.
type Intake struct {
	o   Options
	clk clock.Clock
	log *slog.Logger

	submit chan *batchReq
	kick   chan struct{}
	quit   chan struct{}
	wg     sync.WaitGroup
	seq    atomic.Uint64

	// mu guards subs and seen.
	mu   sync.RWMutex
	subs map[subKey]*subState
	// seen caches recent de-duplication marks (the KV holds them all); it is emptied when it reaches
	// maxSeenCache entries, so its memory stays bounded whatever the delivery rate.
	seen   map[string]time.Time
	lastGC time.Time

	// attempts counts failed hand-offs per event key; only the dispatcher goroutine touches it.
	attempts map[string]int
	started  atomic.Bool
	timer    clock.Timer

	received, duplicates, rejected, dispatched atomic.Uint64
}

var _ engine.PushRegistry = (*Intake)(nil)
var _ http.Handler = (*Intake)(nil)

type subKey struct{ connector, profile, id string }

type subState struct {
	sub       Subscription
	since     time.Time // registered or renewed
	lastEvent time.Time
	healthy   bool
	problem   string
}

type batchReq struct {
	events []Event
	done   chan error
	dups   uint64
}

// New returns an Intake; call Start before serving.
func New(o Options) (*Intake, error) {
	if o.KV == nil {
		return nil, errors.New("push: Options.KV is required")
	}
	if o.Sink == nil {
		return nil, errors.New("push: Options.Sink is required")
	}
	if o.Receivers == nil {
		o.Receivers = Receivers()
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.DedupeFor <= 0 {
		o.DedupeFor = DefaultDedupeFor
	}
	if o.WatchEvery <= 0 {
		o.WatchEvery = DefaultWatchEvery
	}
	in := &Intake{
		o: o, clk: o.Clock, log: o.Logger,
		submit:   make(chan *batchReq, 1024),
		kick:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		subs:     map[subKey]*subState{},
		seen:     map[string]time.Time{},
		attempts: map[string]int{},
	}
	if in.clk == nil {
		in.clk = clock.FromNow(o.Now)
	}
	if in.log == nil {
		in.log = slog.New(slog.DiscardHandler)
	}
	return in, nil
}

func esc(s string) string { return url.PathEscape(s) }

func subKeyString(k subKey) string {
	return keySub + esc(k.connector) + "/" + esc(k.profile) + "/" + esc(k.id)
}

func seenKey(connector, profile, id string) string {
	sum := sha256.Sum256([]byte(id))
	return keySeen + esc(connector) + "/" + esc(profile) + "/" + hex.EncodeToString(sum[:16])
}

// Start loads the subscriptions (telling Options.Health which jobs have a live push channel: set the
// scheduler's profiles first), starts the committer, the dispatcher (which first replays events persisted but
// not yet dispatched) and the watchdog.
func (in *Intake) Start(ctx context.Context) error {
	now := in.clk.Now()
	err := in.o.KV.Scan([]byte(keySub), func(k, v []byte) error {
		var s Subscription
		if err := json.Unmarshal(v, &s); err != nil {
			in.log.Warn("push: ignoring malformed subscription", "key", string(k), "err", err)
			return nil
		}
		in.subs[subKey{s.Connector, s.Profile, s.ID}] = &subState{sub: s, since: now, healthy: true}
		return nil
	})
	if err != nil {
		return fmt.Errorf("push: load subscriptions: %w", err)
	}
	in.lastGC = now
	// Tell the scheduler which jobs have a live push channel (set its profiles before starting the intake);
	// expired ones are reported by the first watchdog pass.
	if in.o.Health != nil {
		for _, st := range in.subs {
			if st.sub.Expires.IsZero() || now.Before(st.sub.Expires) {
				in.o.Health.SetPushHealthy(st.sub.Profile, st.sub.User, st.sub.Kind, true)
			}
		}
	}
	in.started.Store(true)
	in.wg.Add(2)
	go in.committer()
	go in.dispatcher()
	in.kickDispatcher()
	in.armWatchdog()
	return nil
}

// Stop stops accepting deliveries (503) and waits for the committer and the dispatcher. Events accepted but not
// yet dispatched stay in the KV for the next Start.
func (in *Intake) Stop() {
	if !in.started.CompareAndSwap(true, false) {
		return
	}
	close(in.quit)
	in.wg.Wait()
	in.mu.Lock()
	if in.timer != nil {
		in.timer.Stop()
	}
	in.mu.Unlock()
}

// RegisterPush records (or renews) a subscription. Register before creating it remotely.
func (in *Intake) RegisterPush(ctx context.Context, s Subscription) error {
	switch {
	case s.Connector == "":
		return errors.New("push: subscription: connector is empty")
	case s.Profile == "":
		return errors.New("push: subscription: profile is empty")
	case s.ID == "":
		return errors.New("push: subscription: id is empty")
	case s.Secret == "":
		return fmt.Errorf("push: subscription %s: secret is empty (deliveries could not be validated)", s.ID)
	case s.Silence < 0:
		return fmt.Errorf("push: subscription %s: silence is negative", s.ID)
	}
	if _, ok := in.o.Receivers[s.Connector]; !ok {
		return fmt.Errorf("push: subscription %s: no receiver for connector %q", s.ID, s.Connector)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	k := subKey{s.Connector, s.Profile, s.ID}
	if err := in.o.KV.Commit(map[string][]byte{subKeyString(k): b}, nil); err != nil {
		return fmt.Errorf("push: register subscription %s: %w", s.ID, err)
	}
	in.mu.Lock()
	st := in.subs[k]
	if st == nil {
		st = &subState{}
		in.subs[k] = st
	}
	wasHealthy := st.healthy
	st.sub, st.since, st.healthy, st.problem = s, in.clk.Now(), true, ""
	in.mu.Unlock()
	if in.o.Health != nil {
		in.o.Health.SetPushHealthy(s.Profile, s.User, s.Kind, true)
	}
	if !wasHealthy {
		in.log.Info("push: subscription registered", "connector", s.Connector, "profile", s.Profile, "subscription", s.ID,
			"expires", s.Expires)
	}
	return nil
}

// Registered returns the registered subscriptions of a connector, of one profile or (profile "") of every profile,
// sorted by profile and id. They include their secrets: it is for the code that renews or re-creates channels, never
// for display (Status is).
func (in *Intake) Registered(connector, profile string) []Subscription {
	in.mu.RLock()
	var out []Subscription
	for k, st := range in.subs {
		if k.connector == connector && (profile == "" || k.profile == profile) {
			out = append(out, st.sub)
		}
	}
	in.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Profile != out[j].Profile {
			return out[i].Profile < out[j].Profile
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// UnregisterPush forgets a subscription; its job goes back to polling at the normal interval.
func (in *Intake) UnregisterPush(ctx context.Context, connector, profile, id string) error {
	k := subKey{connector, profile, id}
	if err := in.o.KV.Commit(nil, []string{subKeyString(k)}); err != nil {
		return fmt.Errorf("push: unregister subscription %s: %w", id, err)
	}
	in.mu.Lock()
	st := in.subs[k]
	delete(in.subs, k)
	in.mu.Unlock()
	if st != nil && in.o.Health != nil {
		in.o.Health.SetPushHealthy(profile, st.sub.User, st.sub.Kind, false)
	}
	return nil
}

// lookup implements Lookup for one connector and profile.
type lookup struct {
	in                 *Intake
	connector, profile string
}

func (l lookup) Subscription(id string) (Subscription, bool) {
	l.in.mu.RLock()
	defer l.in.mu.RUnlock()
	st := l.in.subs[subKey{l.connector, l.profile, id}]
	if st == nil {
		return Subscription{}, false
	}
	return st.sub, true
}

func (l lookup) All() []Subscription {
	l.in.mu.RLock()
	defer l.in.mu.RUnlock()
	var out []Subscription
	for k, st := range l.in.subs {
		if k.connector == l.connector && k.profile == l.profile {
			out = append(out, st.sub)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ServeHTTP handles POST /hooks/<connector>/<profile> (the part before "/hooks/" is ignored, so the handler
// may be mounted under any prefix; with a Go 1.22 pattern "/hooks/{connector}/{profile}" the path values are
// used).
func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	connector, profile := r.PathValue("connector"), r.PathValue("profile")
	if connector == "" || profile == "" {
		var ok bool
		connector, profile, ok = parsePath(r.URL.EscapedPath())
		if !ok {
			http.Error(w, "push: the path must be /hooks/<connector>/<profile>", http.StatusNotFound)
			return
		}
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "push: deliveries must be POST", http.StatusMethodNotAllowed)
		return
	}
	rc, ok := in.o.Receivers[connector]
	if !ok {
		http.Error(w, fmt.Sprintf("push: no receiver for connector %q", connector), http.StatusNotFound)
		return
	}
	if !in.started.Load() {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "push: intake not running", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, in.o.MaxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			http.Error(w, fmt.Sprintf("push: body larger than %d bytes", in.o.MaxBody), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "push: reading the body failed", http.StatusBadRequest)
		return
	}
	events, handled, err := rc.Receive(w, r, body, lookup{in, connector, profile})
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			in.rejected.Add(1)
			in.log.Warn("push: rejected delivery", "audit", true, "connector", connector, "profile", profile,
				"remote", r.RemoteAddr, "reason", err.Error())
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if handled {
		return
	}
	now := in.clk.Now()
	for i := range events {
		events[i].Connector, events[i].Profile, events[i].Received = connector, profile, now
	}
	in.received.Add(uint64(len(events)))
	req := &batchReq{events: events, done: make(chan error, 1)}
	select {
	case in.submit <- req:
	case <-in.quit:
		http.Error(w, "push: intake stopping", http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	if err := <-req.done; err != nil {
		in.log.Error("push: persisting a delivery failed", "connector", connector, "profile", profile, "err", err)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "push: could not persist the delivery; retry", http.StatusServiceUnavailable)
		return
	}
	status := http.StatusAccepted
	if a, ok := rc.(AckStatuser); ok {
		status = a.AckStatus()
	}
	w.WriteHeader(status)
}

// parsePath finds "<connector>/<profile>" after the last "/hooks/" element of an escaped path.
func parsePath(p string) (connector, profile string, ok bool) {
	i := strings.LastIndex(p, "/hooks/")
	if i < 0 {
		return "", "", false
	}
	parts := strings.Split(strings.TrimSuffix(p[i+len("/hooks/"):], "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	c, err1 := url.PathUnescape(parts[0])
	pr, err2 := url.PathUnescape(parts[1])
	if err1 != nil || err2 != nil {
		return "", "", false
	}
	return c, pr, true
}

// committer persists the events of every request waiting at the moment in one Commit, de-duplicating against
// the marks and within the batch, then answers them all.
func (in *Intake) committer() {
	defer in.wg.Done()
	for {
		var reqs []*batchReq
		select {
		case r := <-in.submit:
			reqs = append(reqs, r)
		case <-in.quit:
			in.drainSubmit()
			return
		}
	more:
		for len(reqs) < maxBatch {
			select {
			case r := <-in.submit:
				reqs = append(reqs, r)
			default:
				break more
			}
		}
		in.commitBatch(reqs)
	}
}

func (in *Intake) drainSubmit() {
	for {
		select {
		case r := <-in.submit:
			r.done <- errors.New("push: intake stopping")
		default:
			return
		}
	}
}

func (in *Intake) commitBatch(reqs []*batchReq) {
	sets := map[string][]byte{}
	marks := map[string]time.Time{}
	in.mu.RLock()
	for _, r := range reqs {
		for _, ev := range r.events {
			sk := seenKey(ev.Connector, ev.Profile, ev.ID)
			if _, dup := in.seen[sk]; dup {
				r.dups++
				continue
			}
			if _, dup, err := in.o.KV.Get([]byte(sk)); err == nil && dup {
				r.dups++
				continue
			}
			if _, dup := marks[sk]; dup {
				r.dups++
				continue
			}
			b, err := json.Marshal(ev)
			if err != nil {
				continue
			}
			t, _ := ev.Received.MarshalText()
			sets[sk] = t
			marks[sk] = ev.Received
			sets[fmt.Sprintf("%s%016x-%08x", keyEvent, ev.Received.UnixNano(), in.seq.Add(1))] = b
		}
	}
	in.mu.RUnlock()
	var err error
	if len(sets) > 0 {
		err = in.o.KV.Commit(sets, nil)
	}
	if err == nil {
		in.mu.Lock()
		if len(in.seen)+len(marks) > maxSeenCache {
			clear(in.seen)
		}
		for k, t := range marks {
			in.seen[k] = t
		}
		in.mu.Unlock()
		if len(marks) > 0 {
			in.kickDispatcher()
		}
	}
	for _, r := range reqs {
		in.duplicates.Add(r.dups)
		r.done <- err
	}
}

func (in *Intake) kickDispatcher() {
	select {
	case in.kick <- struct{}{}:
	default:
	}
}

// dispatcher hands persisted events to the scheduler in order, deleting each once handed over.
func (in *Intake) dispatcher() {
	defer in.wg.Done()
	for {
		select {
		case <-in.kick:
		case <-in.quit:
			return
		}
		in.dispatchAll()
	}
}

type stored struct {
	key string
	ev  Event
}

func (in *Intake) dispatchAll() {
	for {
		var batch []stored
		err := in.o.KV.Scan([]byte(keyEvent), func(k, v []byte) error {
			var ev Event
			if err := json.Unmarshal(v, &ev); err != nil {
				in.log.Error("push: dropping malformed stored event", "key", string(k), "err", err)
				batch = append(batch, stored{key: string(k)})
				return nil
			}
			batch = append(batch, stored{string(k), ev})
			if len(batch) >= maxBatch {
				return errStopScan
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopScan) {
			in.log.Error("push: reading stored events failed", "err", err)
			return
		}
		if len(batch) == 0 {
			return
		}
		var done []string
		var reqs []engine.SyncRequest
		var owner []int // index in waiting of each request
		var waiting []stored
		var routeErr []error // per waiting event
		for _, st := range batch {
			if st.ev.Type == "" {
				done = append(done, st.key)
				continue
			}
			r, ok := in.act(st.ev)
			if !ok {
				done = append(done, st.key)
				continue
			}
			rs, err := in.route(st.ev, r)
			waiting = append(waiting, st)
			routeErr = append(routeErr, err)
			for _, r := range rs {
				reqs = append(reqs, r)
				owner = append(owner, len(waiting)-1)
			}
		}
		errs := in.trigger(reqs)
		for i, err := range errs {
			if err != nil && routeErr[owner[i]] == nil {
				routeErr[owner[i]] = err
			}
		}
		retry := false
		for i, st := range waiting {
			if routeErr[i] == nil {
				done = append(done, st.key)
				delete(in.attempts, st.key)
				continue
			}
			in.attempts[st.key]++
			if in.attempts[st.key] >= maxAttempts {
				in.log.Error("push: giving up on an event the scheduler keeps refusing", "event", st.ev.ID,
					"connector", st.ev.Connector, "profile", st.ev.Profile, "err", routeErr[i])
				done = append(done, st.key)
				delete(in.attempts, st.key)
				continue
			}
			in.log.Warn("push: handing an event to the scheduler failed", "event", st.ev.ID, "profile", st.ev.Profile,
				"user", st.ev.User, "kind", st.ev.Kind, "err", routeErr[i])
			retry = true
		}
		in.commitDeletes(done)
		select {
		case <-in.quit:
			return
		default:
		}
		if retry || len(batch) < maxBatch {
			return // failed hand-offs are retried at the next kick (a delivery or the watchdog)
		}
	}
}

// route applies Options.Route to a change event; def is the default request.
func (in *Intake) route(ev Event, def engine.SyncRequest) ([]engine.SyncRequest, error) {
	if in.o.Route == nil {
		return []engine.SyncRequest{def}, nil
	}
	reqs, ok, err := in.o.Route(context.Background(), ev)
	switch {
	case err != nil:
		return nil, fmt.Errorf("push: route event %s: %w", ev.ID, err)
	case !ok:
		return []engine.SyncRequest{def}, nil
	}
	for i := range reqs {
		if reqs[i].Profile == "" {
			reqs[i].Profile = ev.Profile
		}
		if reqs[i].Trigger == "" {
			reqs[i].Trigger = def.Trigger
		}
	}
	return reqs, nil
}

// BatchSink is implemented by sinks that accept many triggers with one write (*scheduler.Scheduler does).
type BatchSink interface {
	TriggerBatch(ctx context.Context, reqs []engine.SyncRequest) []error
}

// trigger hands reqs to the sink, in one batch when it can take one.
func (in *Intake) trigger(reqs []engine.SyncRequest) []error {
	if len(reqs) == 0 {
		return nil
	}
	ctx := context.Background()
	if b, ok := in.o.Sink.(BatchSink); ok {
		if errs := b.TriggerBatch(ctx, reqs); len(errs) == len(reqs) {
			return errs
		}
	}
	errs := make([]error, len(reqs))
	for i, r := range reqs {
		errs[i] = in.o.Sink.Trigger(ctx, r.Profile, r.User, r.Kind, r.Trigger)
	}
	return errs
}

var errStopScan = errors.New("stop scan")

func (in *Intake) commitDeletes(keys []string) {
	if len(keys) == 0 {
		return
	}
	if err := in.o.KV.Commit(nil, keys); err != nil {
		in.log.Error("push: deleting dispatched events failed (they will be dispatched again)", "err", err)
		return
	}
	in.dispatched.Add(uint64(len(keys)))
}

// act records the event's liveness, handles what needs no sync (handshakes, lifecycle events) and returns the
// sync request the event calls for, if any.
func (in *Intake) act(ev Event) (engine.SyncRequest, bool) {
	in.touch(ev)
	switch ev.Type {
	case TypeSync:
		return engine.SyncRequest{}, false
	case TypeReauthorize, TypeRemoved:
		if ev.Type == TypeRemoved {
			in.markUnhealthy(subKey{ev.Connector, ev.Profile, ev.Subscription}, "removed by the remote system")
		}
		if in.o.OnLifecycle != nil {
			in.o.OnLifecycle(ev)
		}
		return engine.SyncRequest{}, false
	case TypeMissed:
		return engine.SyncRequest{Profile: ev.Profile, User: ev.User, Kind: ev.Kind, Trigger: TriggerMissed}, true
	}
	return engine.SyncRequest{Profile: ev.Profile, User: ev.User, Kind: ev.Kind, Trigger: TriggerPush}, true
}

// touch records a delivery on its subscription (liveness) and restores its health.
func (in *Intake) touch(ev Event) {
	k := subKey{ev.Connector, ev.Profile, ev.Subscription}
	in.mu.Lock()
	st := in.subs[k]
	revived := false
	var sub Subscription
	if st != nil {
		sub = st.sub
		if ev.Received.After(st.lastEvent) {
			st.lastEvent = ev.Received
		}
		if !st.healthy && ev.Type != TypeRemoved && (st.sub.Expires.IsZero() || in.clk.Now().Before(st.sub.Expires)) {
			st.healthy, st.problem, revived = true, "", true
		}
	}
	in.mu.Unlock()
	if revived && in.o.Health != nil {
		in.o.Health.SetPushHealthy(ev.Profile, sub.User, sub.Kind, true)
	}
}

func (in *Intake) markUnhealthy(k subKey, problem string) bool {
	in.mu.Lock()
	st := in.subs[k]
	if st == nil || !st.healthy {
		in.mu.Unlock()
		return false
	}
	st.healthy, st.problem = false, problem
	sub := st.sub
	in.mu.Unlock()
	in.log.Warn("push: subscription stopped; polling at the normal interval", "connector", k.connector,
		"profile", k.profile, "subscription", k.id, "problem", problem)
	if in.o.Health != nil {
		in.o.Health.SetPushHealthy(sub.Profile, sub.User, sub.Kind, false)
	}
	return true
}

func (in *Intake) armWatchdog() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.started.Load() {
		return
	}
	in.timer = in.clk.AfterFunc(in.o.WatchEvery, func() {
		in.Watch()
		in.armWatchdog()
	})
}

// Watch runs one watchdog pass (the watchdog timer calls it every Options.WatchEvery): subscriptions past
// their expiry or silent for longer than their Silence fall back to polling and are reported through
// OnLifecycle so their connector re-creates them; once an hour, expired de-duplication marks are deleted;
// events the scheduler refused are retried.
func (in *Intake) Watch() {
	if !in.started.Load() {
		return
	}
	now := in.clk.Now()
	type issue struct {
		k   subKey
		typ string
		why string
	}
	var issues []issue
	in.mu.RLock()
	for k, st := range in.subs {
		if !st.healthy {
			continue
		}
		switch {
		case !st.sub.Expires.IsZero() && !now.Before(st.sub.Expires):
			issues = append(issues, issue{k, TypeExpired, "expired at " + st.sub.Expires.Format(time.RFC3339) + " without renewal"})
		case st.sub.Silence > 0 && now.Sub(later(st.lastEvent, st.since)) > st.sub.Silence:
			issues = append(issues, issue{k, TypeSilent, fmt.Sprintf("no delivery for %v", now.Sub(later(st.lastEvent, st.since)).Round(time.Second))})
		}
	}
	gc := now.Sub(in.lastGC) >= gcEvery
	in.mu.RUnlock()
	for _, is := range issues {
		if in.markUnhealthy(is.k, is.why) && in.o.OnLifecycle != nil {
			st, _ := lookup{in, is.k.connector, is.k.profile}.Subscription(is.k.id)
			in.o.OnLifecycle(Event{Connector: is.k.connector, Profile: is.k.profile, Subscription: is.k.id,
				User: st.User, Kind: st.Kind, Type: is.typ, Received: now})
		}
	}
	if gc {
		in.mu.Lock()
		in.lastGC = now
		// Tell the scheduler which jobs have a live push channel (set its profiles before starting the intake);
		// expired ones are reported by the first watchdog pass.
		if in.o.Health != nil {
			for _, st := range in.subs {
				if st.sub.Expires.IsZero() || now.Before(st.sub.Expires) {
					in.o.Health.SetPushHealthy(st.sub.Profile, st.sub.User, st.sub.Kind, true)
				}
			}
		}
		in.mu.Unlock()
		in.collectMarks(now)
	}
	in.kickDispatcher()
}

// collectMarks deletes the de-duplication marks older than Options.DedupeFor, a thousand per commit.
func (in *Intake) collectMarks(now time.Time) {
	var expired []string
	err := in.o.KV.Scan([]byte(keySeen), func(k, v []byte) error {
		var t time.Time
		if t.UnmarshalText(v) != nil || now.Sub(t) > in.o.DedupeFor {
			expired = append(expired, string(k))
		}
		return nil
	})
	if err != nil {
		in.log.Error("push: scanning de-duplication marks failed", "err", err)
	}
	for i := 0; i < len(expired); i += 1000 {
		chunk := expired[i:min(i+1000, len(expired))]
		if err := in.o.KV.Commit(nil, chunk); err != nil {
			in.log.Error("push: deleting expired de-duplication marks failed", "err", err)
			return
		}
		in.mu.Lock()
		for _, k := range chunk {
			delete(in.seen, k)
		}
		in.mu.Unlock()
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// SubscriptionStatus is the visible state of one subscription (its secret is never shown).
type SubscriptionStatus struct {
	Connector string      `json:"connector"`
	Profile   string      `json:"profile"`
	ID        string      `json:"id"`
	User      string      `json:"user,omitempty"`
	Kind      engine.Kind `json:"kind,omitempty"`
	Expires   *time.Time  `json:"expires,omitempty"`
	LastEvent *time.Time  `json:"lastEvent,omitempty"`
	Healthy   bool        `json:"healthy"`
	Problem   string      `json:"problem,omitempty"`
}

// Status is the visible state of the intake.
type Status struct {
	Received      uint64               `json:"received"`
	Duplicates    uint64               `json:"duplicates"`
	Rejected      uint64               `json:"rejected"`
	Dispatched    uint64               `json:"dispatched"`
	Subscriptions []SubscriptionStatus `json:"subscriptions"`
}

// Status returns counters and the state of every subscription, sorted.
func (in *Intake) Status() Status {
	st := Status{Received: in.received.Load(), Duplicates: in.duplicates.Load(), Rejected: in.rejected.Load(),
		Dispatched: in.dispatched.Load(), Subscriptions: []SubscriptionStatus{}}
	in.mu.RLock()
	for k, s := range in.subs {
		ss := SubscriptionStatus{Connector: k.connector, Profile: k.profile, ID: k.id, User: s.sub.User,
			Kind: s.sub.Kind, Healthy: s.healthy, Problem: s.problem}
		if !s.sub.Expires.IsZero() {
			t := s.sub.Expires
			ss.Expires = &t
		}
		if !s.lastEvent.IsZero() {
			t := s.lastEvent
			ss.LastEvent = &t
		}
		st.Subscriptions = append(st.Subscriptions, ss)
	}
	in.mu.RUnlock()
	sort.Slice(st.Subscriptions, func(i, j int) bool {
		a, b := st.Subscriptions[i], st.Subscriptions[j]
		return a.Connector+"/"+a.Profile+"/"+a.ID < b.Connector+"/"+b.Profile+"/"+b.ID
	})
	return st
}
