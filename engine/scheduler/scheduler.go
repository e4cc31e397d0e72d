// Package scheduler decides when each (profile, user, kind) job runs: on a polling interval per profile, on push
// events, on demand, and once when a user is linked; with per-key single flight, fairness across users and
// profiles, jittered back-off, circuit breakers per user and per system, pause and resume, nightly housekeeping
// and a graceful shutdown that loses nothing.
//
// # Lifecycle
//
//  1. New(Options) with a Runner (the engine's RunSync) and a KV for the pending triggers.
//  2. SetProfile for every profile (before Start: their first polls are spread over one interval).
//  3. Start loads the persisted pending triggers and paused flags and starts dispatching.
//  4. Trigger / SyncNow / SetPushHealthy / Pause / Resume / SetProfile / RemoveProfile at any time.
//  5. Stop stops dispatching, lets running jobs finish for the grace period, then cancels them, and persists
//     every job that was queued or did not finish, so the next Start runs them first.
//
// # Fairness
//
// Jobs are queued per user; each profile serves its users round-robin and the scheduler serves profiles
// round-robin, with at most one job per user at a time (so a user with 10,000 items occupies one worker while
// everybody else goes on) and at most Options.Workers jobs in all. A trigger for a key that is already queued or
// running is coalesced: at most one more run follows.
//
// # Persistence (keys under "sched/")
//
//	sched/pending/<profile>/<user>/<kind>   a non-polling trigger not yet served by a successful run (JSON)
//	sched/paused/<profile>                  the profile is paused
//	sched/paused/<profile>/<user>           the user is paused
//	sched/housekeeping                      the time housekeeping last ran (RFC 3339)
//
// Path elements are escaped with url.PathEscape. Polling needs no persistence: on start every job is due within
// one interval (spread evenly), and the engine's cursors make a poll after a restart incremental.
package scheduler

import (
	"container/heap"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

// Runner runs one sync job. *engine.Engine satisfies it.
type Runner interface {
	RunSync(ctx context.Context, profileID, userID string, kind engine.Kind, trigger string) (runID string, err error)
}

// The triggers a job records (passed to Runner.RunSync).
const (
	TriggerPoll    = "poll"
	TriggerPush    = "push"
	TriggerManual  = "manual"
	TriggerLink    = "link"   // the first sync of a newly linked user
	TriggerRetry   = "retry"  // after a failure, once the back-off has passed
	TriggerResume  = "resume" // a job that was due or running when the scheduler stopped
	TriggerMissed  = "missed" // the push channel reported lost notifications
	triggerInitial = "initial"
)

// Defaults and bounds.
const (
	DefaultInterval      = 5 * time.Minute
	MinInterval          = 30 * time.Second
	DefaultSerialGap     = 3 * time.Second
	DefaultWorkers       = 8
	DefaultBackoffBase   = 30 * time.Second
	DefaultBackoffMax    = 30 * time.Minute
	DefaultBreakerAfter  = 5
	DefaultSystemAfter   = 10
	DefaultBreakerOpen   = 15 * time.Minute
	DefaultGrace         = 30 * time.Second
	authBreakerOpen      = 24 * time.Hour
	keyPending           = "sched/pending/"
	keyPaused            = "sched/paused/"
	keyHousekeeping      = "sched/housekeeping"
	eventBufferByDefault = 64
)

// Options configure a Scheduler. Zero fields take the defaults above.
type Options struct {
	Runner Runner
	// KV persists pending triggers and pause flags; nil keeps them in memory only.
	KV     engine.KV
	Logger *slog.Logger
	// Clock is the time source (tests use a fake); nil means FromNow(Now).
	Clock clock.Clock
	Now   func() time.Time
	// Workers is the number of jobs that may run at once.
	Workers int
	// BackoffBase and BackoffMax bound the jittered exponential back-off of a failing job.
	BackoffBase, BackoffMax time.Duration
	// BreakerAfter consecutive failures of one user open that user's breaker; SystemAfter consecutive failures
	// of jobs touching one system open that system's breaker. BreakerOpen is how long a breaker stays open
	// before one probe job is let through (half-open).
	BreakerAfter, SystemAfter int
	BreakerOpen               time.Duration
	// Grace is how long Stop lets running jobs finish before cancelling them.
	Grace time.Duration
	// HousekeepingHour is the hour (0–23, in Location) at which housekeeping runs each night (the zero value is
	// midnight); HousekeepingOff disables it.
	HousekeepingHour int
	Location         *time.Location
	// Seed seeds the jitter; 0 means a random seed.
	Seed uint64
}

// HousekeepingOff disables housekeeping in Options.HousekeepingHour.
const HousekeepingOff = -1

// User is one linked user of a profile.
type User struct {
	ID string `json:"id"`
	// Kinds overrides the profile's kinds for this user; nil means the profile's.
	Kinds []engine.Kind `json:"kinds,omitempty"`
}

// Profile is what the scheduler knows about one profile.
type Profile struct {
	ID string `json:"id"`
	// Interval is the polling interval (default 5 min, minimum 30 s).
	Interval time.Duration `json:"interval"`
	// PushInterval is the polling interval of a job whose push channel is healthy (a safety net); 0 means
	// 12 × Interval.
	PushInterval time.Duration `json:"pushInterval,omitempty"`
	Kinds        []engine.Kind `json:"kinds"`
	Users        []User        `json:"users"`
	// Systems names the connector instances the profile's jobs touch (its CRM and its mailbox system), for the
	// per-system circuit breaker.
	Systems []string `json:"systems,omitempty"`
	// MaxConcurrent caps this profile's jobs running at once; 0 means only Options.Workers applies.
	MaxConcurrent int `json:"maxConcurrent,omitempty"`
	// Serial is the "incremental change detection only" mode: one job at a time, Gap (default 3 s) between the
	// end of one and the start of the next.
	Serial bool          `json:"serial,omitempty"`
	Gap    time.Duration `json:"gap,omitempty"`
}

// SystemError is implemented by errors that name the system at fault, so only that system's breaker counts the
// failure; other errors count against every system of the profile.
type SystemError interface {
	error
	System() string
}

// Scheduler runs jobs. It is safe for concurrent use. mu guards every field below it.
type Scheduler struct {
	o   Options
	clk clock.Clock
	log *slog.Logger

	mu       sync.Mutex
	rng      *rand.Rand
	started  bool
	stopping bool
	profiles map[string]*profileState
	order    []*profileState // round-robin order of profiles
	ppos     int
	due      jobHeap // idle jobs by next poll time
	wakes    timeHeap
	wakeSet  map[int64]bool  // the instants in wakes, to keep it free of duplicates
	clears   map[string]*job // persisted triggers to delete (see flushClears)
	gen      uint64          // orders triggers and job starts
	// runsOK and runsFailed count finished runs (metrics).
	runsOK, runsFailed uint64
	// orphans are persisted triggers Start found for jobs no profile declares yet; SetProfile adopts them.
	orphans map[jobKey]pendingRecord
	// persistMu orders the KV writes of triggers and of their deletion; it is taken before mu, never while
	// holding it.
	persistMu sync.Mutex
	timer     clock.Timer
	timerAt   time.Time
	running   int
	queued    int
	runCtx    context.Context
	cancelRun context.CancelFunc
	wg        sync.WaitGroup
	systems   map[string]*breaker
	subs      map[int]chan Event
	subSeq    int
	dropped   uint64
	hk        housekeeping
}

type jobKey struct {
	profile, user string
	kind          engine.Kind
}

func (k jobKey) String() string { return k.profile + "/" + k.user + "/" + string(k.kind) }

type jobState uint8

const (
	idle jobState = iota
	queued
	running
)

type job struct {
	key   jobKey
	user  *userState
	state jobState
	// next is the next poll (while idle, in the heap at hidx).
	next    time.Time
	hidx    int
	trigger string
	// again holds the trigger that arrived while queued/running ("" = none): exactly one more run follows.
	again string
	// pending is set while a persisted non-polling trigger waits for a successful run. pendingGen and startGen
	// order the trigger and the start of the latest run (Scheduler.gen): only a run started after the trigger
	// clears it.
	pending    bool
	pendingGen uint64
	startGen   uint64
	failures   int
	started    time.Time
	lastRun    time.Time
	lastOK     time.Time
	lastRunID  string
	lastErr    string
	lastErrAt  time.Time
	push       bool // the push channel of this job is healthy
	removed    bool
}

type userState struct {
	id      string
	p       *profileState
	jobs    map[engine.Kind]*job
	queue   []*job
	elem    *list.Element // in p.ring while queue is not empty
	running int
	paused  bool
	br      breaker
	lastErr string
	errAt   time.Time
}

type profileState struct {
	p       Profile
	users   map[string]*userState
	ring    *list.List
	cursor  *list.Element
	running int
	paused  bool
	lastEnd time.Time
	removed bool
}

// breaker is a circuit breaker: closed, open until a time, then half-open for one probe.
type breaker struct {
	failures int
	until    time.Time // open until
	probing  bool      // half-open probe running
	reason   string
}

func (b *breaker) allows(now time.Time) bool {
	if b.until.IsZero() {
		return true
	}
	return !now.Before(b.until) && !b.probing
}

func (b *breaker) state(now time.Time) string {
	switch {
	case b.until.IsZero():
		return "closed"
	case now.Before(b.until):
		return "open"
	}
	return "half-open"
}

// New returns a Scheduler. It does not run anything before Start.
func New(o Options) (*Scheduler, error) {
	if o.Runner == nil {
		return nil, errors.New("scheduler: Options.Runner is required")
	}
	if o.HousekeepingHour < HousekeepingOff || o.HousekeepingHour > 23 {
		return nil, fmt.Errorf("scheduler: Options.HousekeepingHour %d is not an hour (0–23, or -1 for off)", o.HousekeepingHour)
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = DefaultBackoffBase
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	if o.BackoffMax < o.BackoffBase {
		o.BackoffMax = o.BackoffBase
	}
	if o.BreakerAfter <= 0 {
		o.BreakerAfter = DefaultBreakerAfter
	}
	if o.SystemAfter <= 0 {
		o.SystemAfter = DefaultSystemAfter
	}
	if o.BreakerOpen <= 0 {
		o.BreakerOpen = DefaultBreakerOpen
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	s := &Scheduler{
		o:        o,
		clk:      o.Clock,
		log:      o.Logger,
		profiles: map[string]*profileState{},
		systems:  map[string]*breaker{},
		wakeSet:  map[int64]bool{},
		clears:   map[string]*job{},
		orphans:  map[jobKey]pendingRecord{},
		subs:     map[int]chan Event{},
	}
	if s.clk == nil {
		s.clk = clock.FromNow(o.Now)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	seed := o.Seed
	if seed == 0 {
		seed = rand.Uint64() //nolint:gosec // back-off jitter, not a secret
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // back-off jitter, not a secret
	s.hk.hour = o.HousekeepingHour
	s.runCtx, s.cancelRun = context.WithCancel(context.Background())
	return s, nil
}

// validate checks p and fills its defaults.
func validate(p Profile) (Profile, error) {
	if strings.TrimSpace(p.ID) == "" {
		return p, errors.New("scheduler: profile: id is empty")
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("scheduler: profile %s: %s: %s", p.ID, field, fmt.Sprintf(format, args...))
	}
	switch {
	case p.Interval == 0:
		p.Interval = DefaultInterval
	case p.Interval < MinInterval:
		return p, bad("interval", "%v is below the minimum %v", p.Interval, MinInterval)
	}
	if p.PushInterval == 0 {
		p.PushInterval = 12 * p.Interval
	} else if p.PushInterval < p.Interval {
		return p, bad("pushInterval", "%v is shorter than interval %v", p.PushInterval, p.Interval)
	}
	if p.MaxConcurrent < 0 {
		return p, bad("maxConcurrent", "%d is negative", p.MaxConcurrent)
	}
	if p.Gap < 0 {
		return p, bad("gap", "%v is negative", p.Gap)
	}
	if p.Serial && p.Gap == 0 {
		p.Gap = DefaultSerialGap
	}
	for i, k := range p.Kinds {
		if k == "" {
			return p, bad(fmt.Sprintf("kinds[%d]", i), "empty kind")
		}
	}
	seen := map[string]bool{}
	for i, u := range p.Users {
		if strings.TrimSpace(u.ID) == "" {
			return p, bad(fmt.Sprintf("users[%d].id", i), "empty")
		}
		if seen[u.ID] {
			return p, bad(fmt.Sprintf("users[%d].id", i), "user %s is listed twice", u.ID)
		}
		seen[u.ID] = true
		for j, k := range u.Kinds {
			if k == "" {
				return p, bad(fmt.Sprintf("users[%d].kinds[%d]", i, j), "empty kind")
			}
		}
	}
	return p, nil
}

// SetProfile adds or updates a profile. Users and kinds that appear get a job: before Start their first poll is
// spread over one interval; once started, a new user's first sync runs at once (trigger "link"). Jobs of users
// or kinds that disappear are dropped with their persisted triggers (a running one finishes).
func (s *Scheduler) SetProfile(p Profile) error {
	p, err := validate(p)
	if err != nil {
		return err
	}
	var dels []string
	s.mu.Lock()
	defer func() {
		s.mu.Unlock()
		if len(dels) > 0 && s.o.KV != nil { // triggers of dropped jobs
			s.persistMu.Lock()
			defer s.persistMu.Unlock()
			if err := s.o.KV.Commit(nil, dels); err != nil {
				s.log.Error("scheduler: delete triggers of removed jobs", "err", err)
			}
		}
	}()
	now := s.clk.Now()
	ps := s.profiles[p.ID]
	if ps == nil {
		ps = &profileState{users: map[string]*userState{}, ring: list.New()}
		s.profiles[p.ID] = ps
		s.order = append(s.order, ps)
	}
	ps.p = p
	want := map[string]map[engine.Kind]bool{}
	for _, u := range p.Users {
		kinds := u.Kinds
		if kinds == nil {
			kinds = p.Kinds
		}
		m := map[engine.Kind]bool{}
		for _, k := range kinds {
			m[k] = true
		}
		want[u.ID] = m
	}
	for id, u := range ps.users {
		for k, j := range u.jobs {
			if !want[id][k] {
				s.dropJobLocked(j)
				delete(u.jobs, k)
				if j.pending {
					dels = append(dels, pendingKey(j.key))
				}
			}
		}
		if want[id] == nil {
			delete(ps.users, id)
		}
	}
	for _, pu := range p.Users {
		u := ps.users[pu.ID]
		newUser := u == nil
		if newUser {
			u = &userState{id: pu.ID, p: ps, jobs: map[engine.Kind]*job{}}
			ps.users[pu.ID] = u
		}
		for k := range want[pu.ID] {
			if u.jobs[k] != nil {
				continue
			}
			j := &job{key: jobKey{p.ID, pu.ID, k}, user: u, hidx: -1}
			u.jobs[k] = j
			if rec, ok := s.orphans[j.key]; ok && s.started {
				delete(s.orphans, j.key)
				j.pending = true
				s.enqueueLocked(j, rec.Trigger)
				continue
			}
			if s.started && newUser {
				s.enqueueLocked(j, TriggerLink)
				continue
			}
			// Spread first polls evenly over one interval.
			j.next = now.Add(time.Duration(s.rng.Int64N(int64(p.Interval))))
			heap.Push(&s.due, j)
		}
	}
	s.dispatchLocked()
	return nil
}

// RemoveProfile drops a profile and its jobs (running ones finish; their results are discarded) and deletes its
// pending triggers and pause flags.
func (s *Scheduler) RemoveProfile(ctx context.Context, id string) error {
	s.mu.Lock()
	ps := s.profiles[id]
	if ps == nil {
		s.mu.Unlock()
		return fmt.Errorf("scheduler: profile %s: not found", id)
	}
	ps.removed = true
	for _, u := range ps.users {
		for _, j := range u.jobs {
			s.dropJobLocked(j)
		}
	}
	delete(s.profiles, id)
	s.order = slices.DeleteFunc(s.order, func(o *profileState) bool { return o == ps })
	s.mu.Unlock()
	if s.o.KV == nil {
		return nil
	}
	var dels []string
	for _, prefix := range []string{keyPending + esc(id) + "/", keyPaused + esc(id) + "/"} {
		err := s.o.KV.Scan([]byte(prefix), func(k, _ []byte) error { dels = append(dels, string(k)); return nil })
		if err != nil {
			return fmt.Errorf("scheduler: remove profile %s: %w", id, err)
		}
	}
	dels = append(dels, keyPaused+esc(id))
	return s.o.KV.Commit(nil, dels)
}

func (s *Scheduler) dropJobLocked(j *job) {
	j.removed = true
	if j.hidx >= 0 {
		heap.Remove(&s.due, j.hidx)
	}
	if j.state == queued {
		u := j.user
		u.queue = slices.DeleteFunc(u.queue, func(o *job) bool { return o == j })
		s.queued--
		j.state = idle
		if len(u.queue) == 0 && u.elem != nil {
			if u.p.cursor == u.elem {
				u.p.cursor = nil
			}
			u.p.ring.Remove(u.elem)
			u.elem = nil
		}
	}
}

func esc(s string) string { return url.PathEscape(s) }

func pendingKey(k jobKey) string {
	return keyPending + esc(k.profile) + "/" + esc(k.user) + "/" + esc(string(k.kind))
}

type pendingRecord struct {
	Trigger string    `json:"trigger"`
	At      time.Time `json:"at"`
}

// Start loads the persisted state and starts dispatching. Jobs with a pending trigger run first.
func (s *Scheduler) Start(ctx context.Context) error {
	type pend struct {
		key jobKey
		rec pendingRecord
	}
	var pendings []pend
	paused := map[string]bool{}
	var lastHK time.Time
	if kv := s.o.KV; kv != nil {
		err := kv.Scan([]byte(keyPending), func(k, v []byte) error {
			parts := strings.Split(strings.TrimPrefix(string(k), keyPending), "/")
			if len(parts) != 3 {
				s.log.Warn("scheduler: ignoring malformed pending key", "key", string(k))
				return nil
			}
			var key jobKey
			var err error
			if key.profile, err = url.PathUnescape(parts[0]); err != nil {
				return nil
			}
			if key.user, err = url.PathUnescape(parts[1]); err != nil {
				return nil
			}
			kind, err := url.PathUnescape(parts[2])
			if err != nil {
				return nil
			}
			key.kind = engine.Kind(kind)
			var rec pendingRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				s.log.Warn("scheduler: ignoring malformed pending record", "key", string(k), "err", err)
				rec.Trigger = TriggerResume
			}
			pendings = append(pendings, pend{key, rec})
			return nil
		})
		if err != nil {
			return fmt.Errorf("scheduler: load pending triggers: %w", err)
		}
		err = kv.Scan([]byte(keyPaused), func(k, _ []byte) error {
			paused[strings.TrimPrefix(string(k), keyPaused)] = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("scheduler: load paused flags: %w", err)
		}
		if v, ok, err := kv.Get([]byte(keyHousekeeping)); err != nil {
			return fmt.Errorf("scheduler: load housekeeping time: %w", err)
		} else if ok {
			_ = lastHK.UnmarshalText(v)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("scheduler: already started")
	}
	s.started = true
	for _, ps := range s.profiles {
		ps.paused = paused[esc(ps.p.ID)]
		for _, u := range ps.users {
			u.paused = paused[esc(ps.p.ID)+"/"+esc(u.id)]
		}
	}
	for _, pd := range pendings {
		j := s.jobLocked(pd.key)
		if j == nil {
			s.orphans[pd.key] = pd.rec // adopted when SetProfile declares the job
			continue
		}
		j.pending = true
		s.enqueueLocked(j, pd.rec.Trigger)
	}
	s.hk.last = lastHK
	s.armHousekeepingLocked()
	s.dispatchLocked()
	return nil
}

func (s *Scheduler) jobLocked(k jobKey) *job {
	ps := s.profiles[k.profile]
	if ps == nil {
		return nil
	}
	u := ps.users[k.user]
	if u == nil {
		return nil
	}
	return u.jobs[k.kind]
}

// Trigger asks for a run of the profile's jobs: of one user ("" = every user) and one kind ("" = every kind). A
// trigger other than "poll" is persisted before Trigger returns, so a push acknowledged upstream is never lost;
// a flood of triggers for one job costs one write and at most one extra run.
func (s *Scheduler) Trigger(ctx context.Context, profileID, userID string, kind engine.Kind, trigger string) error {
	return s.TriggerBatch(ctx, []engine.SyncRequest{{Profile: profileID, User: userID, Kind: kind, Trigger: trigger}})[0]
}

// TriggerBatch is Trigger for many requests with one write for all of them. It returns one error per request
// (nil when accepted).
func (s *Scheduler) TriggerBatch(ctx context.Context, reqs []engine.SyncRequest) []error {
	errs := make([]error, len(reqs))
	s.mu.Lock()
	now := s.clk.Now()
	sets := map[string][]byte{}
	for i, r := range reqs {
		trigger := r.Trigger
		if trigger == "" {
			trigger = TriggerManual
		}
		ps := s.profiles[r.Profile]
		if ps == nil {
			errs[i] = fmt.Errorf("scheduler: profile %s: not found", r.Profile)
			continue
		}
		n := 0
		for _, u := range ps.users {
			if r.User != "" && u.id != r.User {
				continue
			}
			for k, j := range u.jobs {
				if r.Kind != "" && k != r.Kind {
					continue
				}
				n++
				switch {
				case trigger == TriggerPoll:
				case !j.pending:
					s.gen++
					j.pending, j.pendingGen = true, s.gen
					b, _ := json.Marshal(pendingRecord{Trigger: trigger, At: now})
					sets[pendingKey(j.key)] = b
				case j.state == running:
					// The persisted trigger must outlive the run in progress: the run that serves this
					// trigger is the one after it.
					s.gen++
					j.pendingGen = s.gen
				}
				if trigger == TriggerManual {
					j.user.br = breaker{} // the admin asked: close the user's breaker
					j.failures = 0
				}
				s.enqueueLocked(j, trigger)
			}
		}
		if n == 0 {
			errs[i] = fmt.Errorf("scheduler: profile %s: no job for user %q and kind %q", r.Profile, r.User, r.Kind)
		}
	}
	s.dispatchLocked()
	s.mu.Unlock()
	if len(sets) > 0 && s.o.KV != nil {
		s.persistMu.Lock()
		err := s.o.KV.Commit(sets, nil)
		s.persistMu.Unlock()
		if err != nil {
			for i := range errs {
				if errs[i] == nil {
					errs[i] = fmt.Errorf("scheduler: persist trigger: %w", err)
				}
			}
		}
	}
	return errs
}

// SyncNow runs a user's jobs ("" = every user of the profile) now and closes the user's breaker.
func (s *Scheduler) SyncNow(ctx context.Context, profileID, userID string) error {
	return s.Trigger(ctx, profileID, userID, "", TriggerManual)
}

// SetPushHealthy tells the scheduler whether the push channel of a job works (userID "" means every user of
// the profile, kind "" every kind: a profile-wide webhook). While it does, the job is polled at the profile's
// PushInterval only; when it stops (missed, removed or expired subscriptions) the job falls back to the normal
// interval at once.
func (s *Scheduler) SetPushHealthy(profileID, userID string, kind engine.Kind, healthy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.profiles[profileID]
	if ps == nil {
		return
	}
	now := s.clk.Now()
	for _, u := range ps.users {
		if userID != "" && u.id != userID {
			continue
		}
		for k, j := range u.jobs {
			if (kind != "" && k != kind) || j.push == healthy {
				continue
			}
			j.push = healthy
			if !healthy && j.hidx >= 0 {
				if limit := now.Add(ps.p.Interval); j.next.After(limit) {
					j.next = limit
					heap.Fix(&s.due, j.hidx)
				}
			}
		}
	}
	s.armLocked()
}

// Pause stops starting jobs of a profile (userID "") or of one user; triggers are kept and run on Resume.
func (s *Scheduler) Pause(ctx context.Context, profileID, userID string) error {
	return s.setPaused(profileID, userID, true)
}

// Resume undoes Pause.
func (s *Scheduler) Resume(ctx context.Context, profileID, userID string) error {
	return s.setPaused(profileID, userID, false)
}

func (s *Scheduler) setPaused(profileID, userID string, paused bool) error {
	s.mu.Lock()
	ps := s.profiles[profileID]
	if ps == nil {
		s.mu.Unlock()
		return fmt.Errorf("scheduler: profile %s: not found", profileID)
	}
	key := keyPaused + esc(profileID)
	if userID == "" {
		ps.paused = paused
	} else {
		u := ps.users[userID]
		if u == nil {
			s.mu.Unlock()
			return fmt.Errorf("scheduler: profile %s: user %s: not found", profileID, userID)
		}
		u.paused = paused
		if !paused {
			u.br = breaker{}
		}
		key += "/" + esc(userID)
	}
	s.emitLocked(Event{Type: map[bool]string{true: EventPaused, false: EventResumed}[paused], Profile: profileID, User: userID})
	s.dispatchLocked()
	s.mu.Unlock()
	if s.o.KV == nil {
		return nil
	}
	if paused {
		return s.o.KV.Commit(map[string][]byte{key: []byte("1")}, nil)
	}
	return s.o.KV.Commit(nil, []string{key})
}

// enqueueLocked queues j with trigger, or, if it is already queued or running, records that one more run must
// follow (coalescing).
func (s *Scheduler) enqueueLocked(j *job, trigger string) {
	if j.removed {
		return
	}
	switch j.state {
	case queued:
		if trigger != TriggerPoll && j.trigger == TriggerPoll {
			j.trigger = trigger // a stronger reason for the same run
		}
		return
	case running:
		if j.again == "" || j.again == TriggerPoll {
			j.again = trigger
		}
		return
	}
	if j.hidx >= 0 {
		heap.Remove(&s.due, j.hidx)
	}
	j.state, j.trigger = queued, trigger
	u := j.user
	u.queue = append(u.queue, j)
	if u.elem == nil {
		u.elem = u.p.ring.PushBack(u)
	}
	s.queued++
	s.emitLocked(Event{Type: EventQueued, Profile: j.key.profile, User: j.key.user, Kind: j.key.kind, Trigger: trigger})
}

// pickLocked returns the next job to start, round-robin over profiles and over each profile's users.
func (s *Scheduler) pickLocked(now time.Time) *job {
	n := len(s.order)
	for i := 0; i < n; i++ {
		ps := s.order[(s.ppos+i)%n]
		if ps.paused || ps.ring.Len() == 0 {
			continue
		}
		limit := ps.p.MaxConcurrent
		if ps.p.Serial {
			limit = 1
		}
		if limit > 0 && ps.running >= limit {
			continue
		}
		if ps.p.Serial && ps.p.Gap > 0 && !ps.lastEnd.IsZero() && now.Before(ps.lastEnd.Add(ps.p.Gap)) {
			s.wakeAtLocked(ps.lastEnd.Add(ps.p.Gap))
			continue
		}
		if !s.systemsAllowLocked(ps, now) {
			continue
		}
		e := ps.cursor
		if e == nil {
			e = ps.ring.Front()
		}
		for range ps.ring.Len() {
			u := e.Value.(*userState)
			next := e.Next()
			if next == nil {
				next = ps.ring.Front()
			}
			if !u.paused && u.running == 0 && u.br.allows(now) && len(u.queue) > 0 {
				j := u.queue[0]
				u.queue = u.queue[1:]
				if len(u.queue) == 0 {
					if next == e {
						next = nil
					}
					ps.ring.Remove(e)
					u.elem = nil
				}
				ps.cursor = next
				s.ppos = (s.ppos + i + 1) % n
				if !u.br.until.IsZero() {
					u.br.probing = true // half-open: this is the probe
				}
				return j
			}
			if !u.br.until.IsZero() && now.Before(u.br.until) {
				s.wakeAtLocked(u.br.until)
			}
			e = next
		}
	}
	return nil
}

func (s *Scheduler) systemsAllowLocked(ps *profileState, now time.Time) bool {
	for _, name := range ps.p.Systems {
		b := s.systems[name]
		if b == nil {
			continue
		}
		if !b.allows(now) {
			if now.Before(b.until) {
				s.wakeAtLocked(b.until)
			}
			return false
		}
	}
	return true
}

// dispatchLocked starts jobs while workers are free and arms the timer.
func (s *Scheduler) dispatchLocked() {
	if !s.started || s.stopping {
		return
	}
	now := s.clk.Now()
	for s.running < s.o.Workers {
		j := s.pickLocked(now)
		if j == nil {
			break
		}
		s.startLocked(j, now)
	}
	s.armLocked()
}

func (s *Scheduler) startLocked(j *job, now time.Time) {
	ps := j.user.p
	for _, name := range ps.p.Systems {
		if b := s.systems[name]; b != nil && !b.until.IsZero() {
			b.probing = true
		}
	}
	s.queued--
	s.running++
	ps.running++
	j.user.running++
	s.gen++
	j.state, j.started, j.startGen = running, now, s.gen
	trigger := j.trigger
	ctx, cancel := context.WithCancel(governor.WithProfile(s.runCtx, j.key.profile))
	s.emitLocked(Event{Type: EventStarted, Profile: j.key.profile, User: j.key.user, Kind: j.key.kind, Trigger: trigger})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		runID, err := s.o.Runner.RunSync(ctx, j.key.profile, j.key.user, j.key.kind, trigger)
		s.finish(j, runID, err)
	}()
}

func (s *Scheduler) finish(j *job, runID string, err error) {
	s.mu.Lock()
	now := s.clk.Now()
	ps, u := j.user.p, j.user
	s.running--
	ps.running--
	u.running--
	ps.lastEnd = now
	j.state = idle
	j.lastRun, j.lastRunID = now, runID
	u.br.probing = false
	for _, name := range ps.p.Systems {
		if b := s.systems[name]; b != nil {
			b.probing = false
		}
	}
	var clearPending bool
	ev := Event{Type: EventFinished, Profile: j.key.profile, User: j.key.user, Kind: j.key.kind, Trigger: j.trigger, RunID: runID}
	interval := ps.p.Interval
	if j.push {
		interval = ps.p.PushInterval
	}
	next := now.Add(interval)
	retryTrigger := TriggerPoll
	switch {
	case err == nil:
		s.runsOK++
		j.failures, j.lastOK = 0, now
		u.br = breaker{}
		for _, name := range ps.p.Systems {
			delete(s.systems, name)
		}
		clearPending = j.pending && j.pendingGen < j.startGen
		if clearPending {
			j.pending = false
			s.clears[pendingKey(j.key)] = j
		}
	case s.stopping && errors.Is(err, context.Canceled):
		// Interrupted by Stop: persisted as due by Stop; not a failure.
		ev.Type, ev.Error = EventInterrupted, err.Error()
		j.again = TriggerResume
	case errors.Is(err, engine.ErrApprovalPending) || errors.Is(err, engine.ErrPaused):
		// Waiting for the admin (a guard stopped the run, or the engine has the profile or user paused): not a
		// failure of any system. Shown as the last error; the job keeps its normal schedule, no back-off, no
		// breaker. The pending trigger stays until a run succeeds.
		ev.Type, ev.Error = EventFailed, err.Error()
		j.lastErr, j.lastErrAt = err.Error(), now
		u.lastErr, u.errAt = err.Error(), now
	default:
		s.runsFailed++
		ev.Type, ev.Error = EventFailed, err.Error()
		j.failures++
		j.lastErr, j.lastErrAt = err.Error(), now
		u.lastErr, u.errAt = err.Error(), now
		delay := s.backoffLocked(j.failures)
		var ra *engine.RetryAfterError
		if errors.As(err, &ra) && ra.Wait > delay {
			delay = ra.Wait
		}
		next, retryTrigger = now.Add(delay), TriggerRetry
		u.br.failures++
		switch {
		case errors.Is(err, engine.ErrAuth):
			u.br.until, u.br.reason = now.Add(authBreakerOpen), "auth"
			s.log.Warn("scheduler: credentials refused; the user's jobs wait for the admin (SyncNow or Resume)",
				"profile", j.key.profile, "user", j.key.user, "err", err)
		case u.br.failures >= s.o.BreakerAfter:
			u.br.until, u.br.reason = now.Add(s.o.BreakerOpen), "failures"
			s.log.Warn("scheduler: user breaker open", "profile", j.key.profile, "user", j.key.user,
				"failures", u.br.failures, "until", u.br.until)
		}
		if !u.br.until.IsZero() {
			s.wakeAtLocked(u.br.until)
		}
		systems := ps.p.Systems
		var se SystemError
		if errors.As(err, &se) {
			systems = []string{se.System()}
		}
		for _, name := range systems {
			b := s.systems[name]
			if b == nil {
				b = &breaker{}
				s.systems[name] = b
			}
			b.failures++
			if b.failures >= s.o.SystemAfter {
				b.until, b.reason = now.Add(s.o.BreakerOpen), "failures"
				s.wakeAtLocked(b.until)
				s.log.Warn("scheduler: system breaker open", "system", name, "failures", b.failures, "until", b.until)
			}
		}
		s.log.Info("scheduler: job failed", "job", j.key.String(), "failures", j.failures, "retry_at", next, "err", err)
	}
	if !j.removed && !s.stopping {
		if again := j.again; again != "" && err == nil {
			j.again = ""
			s.enqueueLocked(j, again)
		} else {
			if again != "" && err != nil {
				j.again = "" // the retry after the back-off serves it
			}
			j.next, j.trigger = next, retryTrigger
			heap.Push(&s.due, j)
		}
	}
	s.emitLocked(ev)
	s.dispatchLocked()
	s.mu.Unlock()
	if clearPending && s.o.KV != nil {
		s.flushClears()
	}
}

// flushClears deletes the persisted triggers of jobs whose pending flag a successful run cleared. Concurrent
// callers coalesce: while one commits, the others' keys wait for the next round, so a burst of finished runs
// costs a few writes, not one each. persistMu orders these deletes against Trigger's writes, so a trigger that
// arrives meanwhile is never deleted.
func (s *Scheduler) flushClears() {
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	var dels []string
	s.mu.Lock()
	for k, j := range s.clears {
		if !j.pending {
			dels = append(dels, k)
		}
		delete(s.clears, k)
	}
	s.mu.Unlock()
	if len(dels) == 0 {
		return
	}
	if err := s.o.KV.Commit(nil, dels); err != nil {
		s.log.Error("scheduler: clear pending triggers", "count", len(dels), "err", err)
	}
}

// backoffLocked returns the jittered delay after n consecutive failures: base·2^(n−1) capped at max, then
// uniformly drawn from [d/2, d].
func (s *Scheduler) backoffLocked(n int) time.Duration {
	d := s.o.BackoffBase
	for i := 1; i < n && d < s.o.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.o.BackoffMax)
	return d/2 + time.Duration(s.rng.Int64N(int64(d/2)+1))
}

func (s *Scheduler) wakeAtLocked(t time.Time) {
	if s.wakeSet[t.UnixNano()] {
		return
	}
	s.wakeSet[t.UnixNano()] = true
	heap.Push(&s.wakes, t)
}

// armLocked sets the timer for the earliest due poll or wake-up.
func (s *Scheduler) armLocked() {
	if !s.started || s.stopping {
		return
	}
	now := s.clk.Now()
	for s.wakes.Len() > 0 && !s.wakes[0].After(now) {
		delete(s.wakeSet, heap.Pop(&s.wakes).(time.Time).UnixNano())
	}
	var at time.Time
	if s.due.Len() > 0 {
		at = s.due[0].next
	}
	if s.wakes.Len() > 0 && (at.IsZero() || s.wakes[0].Before(at)) {
		at = s.wakes[0]
	}
	if at.IsZero() {
		return
	}
	if s.timer != nil {
		if !s.timerAt.After(at) {
			return
		}
		s.timer.Stop()
	}
	s.timerAt = at
	s.timer = s.clk.AfterFunc(at.Sub(now), s.tick)
}

func (s *Scheduler) tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timer = nil
	if !s.started || s.stopping {
		return
	}
	now := s.clk.Now()
	for s.due.Len() > 0 && !s.due[0].next.After(now) {
		j := heap.Pop(&s.due).(*job)
		trigger := j.trigger
		if trigger == "" {
			trigger = TriggerPoll
		}
		s.enqueueLocked(j, trigger)
	}
	s.dispatchLocked()
}

// Stop stops starting jobs, lets the running ones finish for Options.Grace (or until ctx ends), cancels the rest
// and waits for them, then persists every job that was queued or interrupted as pending (trigger "resume"), so
// the next Start runs them first. The engine's journal recovers whatever an interrupted run left half done.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return nil
	}
	s.stopping = true
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if s.hk.timer != nil {
		s.hk.timer.Stop()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	grace := make(chan struct{})
	t := s.clk.AfterFunc(s.o.Grace, func() { close(grace) })
	select {
	case <-done:
	case <-grace:
	case <-ctx.Done():
	}
	t.Stop()
	s.cancelRun()
	var stuck error
	select {
	case <-done:
	case <-ctx.Done():
		// The caller cannot wait longer: give cancelled runs a moment, then persist them as due anyway.
		select {
		case <-done:
		case <-time.After(time.Second):
			stuck = fmt.Errorf("scheduler: stop: jobs still running after cancellation: %w", ctx.Err())
		}
	}

	s.mu.Lock()
	now := s.clk.Now()
	sets := map[string][]byte{}
	for _, ps := range s.profiles {
		for _, u := range ps.users {
			for _, j := range u.jobs {
				if j.pending || (j.state == idle && j.again == "") {
					continue
				}
				trigger := TriggerResume
				if j.state == queued && j.trigger != TriggerPoll {
					trigger = j.trigger
				}
				b, _ := json.Marshal(pendingRecord{Trigger: trigger, At: now})
				sets[pendingKey(j.key)] = b
			}
		}
	}
	s.mu.Unlock()
	if len(sets) > 0 && s.o.KV != nil {
		if err := s.o.KV.Commit(sets, nil); err != nil {
			return errors.Join(stuck, fmt.Errorf("scheduler: stop: persist due jobs: %w", err))
		}
	}
	return stuck
}

// Quiet reports whether no job is running. Every change of state dispatches at once, so when Quiet is true any
// queued job is waiting for something (a time, a resume, a breaker); tests and benchmarks use it to let the
// scheduler settle after moving a fake clock.
func (s *Scheduler) Quiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running == 0
}

// Idle reports whether no job is queued or running.
func (s *Scheduler) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued == 0 && s.running == 0
}

type jobHeap []*job

func (h jobHeap) Len() int           { return len(h) }
func (h jobHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h jobHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx = i
	h[j].hidx = j
}
func (h *jobHeap) Push(x any) {
	j := x.(*job)
	j.hidx = len(*h)
	*h = append(*h, j)
}
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	j.hidx = -1
	*h = old[:len(old)-1]
	return j
}

type timeHeap []time.Time

func (h timeHeap) Len() int           { return len(h) }
func (h timeHeap) Less(i, j int) bool { return h[i].Before(h[j]) }
func (h timeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timeHeap) Push(x any)        { *h = append(*h, x.(time.Time)) }
func (h *timeHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}
