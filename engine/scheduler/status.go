package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Event types sent to subscribers.
const (
	EventQueued       = "queued"
	EventStarted      = "started"
	EventFinished     = "finished"
	EventFailed       = "failed"
	EventInterrupted  = "interrupted"
	EventPaused       = "paused"
	EventResumed      = "resumed"
	EventHousekeeping = "housekeeping"
)

// Event is one change of the scheduler's state, for live views (a GraphQL subscription). QueueDepth and Running
// are the totals after the change.
type Event struct {
	Type       string      `json:"type"`
	At         time.Time   `json:"at"`
	Profile    string      `json:"profile,omitempty"`
	User       string      `json:"user,omitempty"`
	Kind       engine.Kind `json:"kind,omitempty"`
	Trigger    string      `json:"trigger,omitempty"`
	RunID      string      `json:"runId,omitempty"`
	Error      string      `json:"error,omitempty"`
	QueueDepth int         `json:"queueDepth"`
	Running    int         `json:"running"`
}

// Subscribe returns a channel of events with room for buf of them (0 means 64) and a function that ends the
// subscription. A subscriber that does not keep up loses events (counted in Snapshot.DroppedEvents); it never
// slows the scheduler down. Re-read Snapshot after a gap.
func (s *Scheduler) Subscribe(buf int) (<-chan Event, func()) {
	if buf <= 0 {
		buf = eventBufferByDefault
	}
	ch := make(chan Event, buf)
	s.mu.Lock()
	s.subSeq++
	id := s.subSeq
	s.subs[id] = ch
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			delete(s.subs, id)
			close(c)
		}
	}
}

func (s *Scheduler) emitLocked(e Event) {
	if len(s.subs) == 0 {
		return
	}
	e.At = s.clk.Now()
	e.QueueDepth, e.Running = s.queued, s.running
	for _, ch := range s.subs {
		select {
		case ch <- e:
		default:
			s.dropped++
		}
	}
}

// Snapshot is the visible state of the scheduler.
type Snapshot struct {
	At            time.Time          `json:"at"`
	Started       bool               `json:"started"`
	Stopping      bool               `json:"stopping"`
	Workers       int                `json:"workers"`
	QueueDepth    int                `json:"queueDepth"`
	Running       []RunningJob       `json:"running"`
	Profiles      []ProfileStatus    `json:"profiles"`
	Users         []UserStatus       `json:"users"`
	Systems       []BreakerStatus    `json:"systems,omitempty"`
	Housekeeping  HousekeepingStatus `json:"housekeeping"`
	DroppedEvents uint64             `json:"droppedEvents"`
}

// RunningJob is one job in progress.
type RunningJob struct {
	Profile string      `json:"profile"`
	User    string      `json:"user"`
	Kind    engine.Kind `json:"kind"`
	Trigger string      `json:"trigger"`
	Started time.Time   `json:"started"`
}

// ProfileStatus is the state of one profile.
type ProfileStatus struct {
	ID       string `json:"id"`
	Paused   bool   `json:"paused"`
	Queued   int    `json:"queued"`
	Running  int    `json:"running"`
	Users    int    `json:"users"`
	Serial   bool   `json:"serial"`
	Interval string `json:"interval"`
}

// UserStatus is the state of one user of a profile: when its next job runs, and its last error.
type UserStatus struct {
	Profile string `json:"profile"`
	User    string `json:"user"`
	Paused  bool   `json:"paused"`
	// NextRun is the earliest next run of the user's jobs; Queued is set when one is already waiting for a worker.
	NextRun     *time.Time `json:"nextRun,omitempty"`
	Queued      bool       `json:"queued"`
	Running     bool       `json:"running"`
	LastRun     *time.Time `json:"lastRun,omitempty"`
	LastOK      *time.Time `json:"lastOk,omitempty"`
	LastError   string     `json:"lastError,omitempty"`
	LastErrorAt *time.Time `json:"lastErrorAt,omitempty"`
	Failures    int        `json:"failures"`
	// Breaker is closed, open or half-open; BreakerReason says why it opened ("failures", "auth").
	Breaker       string     `json:"breaker"`
	BreakerReason string     `json:"breakerReason,omitempty"`
	BreakerUntil  *time.Time `json:"breakerUntil,omitempty"`
	PushHealthy   bool       `json:"pushHealthy"`
}

// BreakerStatus is the circuit breaker of one system.
type BreakerStatus struct {
	System   string     `json:"system"`
	State    string     `json:"state"`
	Failures int        `json:"failures"`
	Until    *time.Time `json:"until,omitempty"`
}

// HousekeepingStatus says when housekeeping runs and how it went last time.
type HousekeepingStatus struct {
	Hour    int                  `json:"hour"`
	NextRun *time.Time           `json:"nextRun,omitempty"`
	LastRun *time.Time           `json:"lastRun,omitempty"`
	Results []HousekeepingResult `json:"results,omitempty"`
}

func tp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Snapshot returns the current state: queue depth, running jobs, next run and last error per user, breakers and
// housekeeping. Profiles and users are sorted by id.
func (s *Scheduler) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	snap := Snapshot{
		At: now, Started: s.started, Stopping: s.stopping, Workers: s.o.Workers, QueueDepth: s.queued,
		Running: []RunningJob{}, DroppedEvents: s.dropped,
		Housekeeping: HousekeepingStatus{Hour: s.hk.hour, NextRun: tp(s.hk.next), LastRun: tp(s.hk.last),
			Results: s.hk.results},
	}
	for _, ps := range s.profiles {
		pst := ProfileStatus{ID: ps.p.ID, Paused: ps.paused, Running: ps.running, Users: len(ps.users),
			Serial: ps.p.Serial, Interval: ps.p.Interval.String()}
		for _, u := range ps.users {
			us := s.userStatusLocked(u, now)
			for _, j := range u.jobs {
				switch j.state {
				case queued:
					pst.Queued++
				case running:
					snap.Running = append(snap.Running, RunningJob{ps.p.ID, u.id, j.key.kind, j.trigger, j.started})
				}
			}
			snap.Users = append(snap.Users, us)
		}
		snap.Profiles = append(snap.Profiles, pst)
	}
	for name, b := range s.systems {
		snap.Systems = append(snap.Systems, BreakerStatus{System: name, State: b.state(now), Failures: b.failures,
			Until: tp(b.until)})
	}
	slices.SortFunc(snap.Profiles, func(a, b ProfileStatus) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(snap.Users, func(a, b UserStatus) int {
		if c := strings.Compare(a.Profile, b.Profile); c != 0 {
			return c
		}
		return strings.Compare(a.User, b.User)
	})
	slices.SortFunc(snap.Running, func(a, b RunningJob) int {
		return strings.Compare(a.Profile+"/"+a.User+"/"+string(a.Kind), b.Profile+"/"+b.User+"/"+string(b.Kind))
	})
	slices.SortFunc(snap.Systems, func(a, b BreakerStatus) int { return strings.Compare(a.System, b.System) })
	return snap
}

func (s *Scheduler) userStatusLocked(u *userState, now time.Time) UserStatus {
	us := UserStatus{Profile: u.p.p.ID, User: u.id, Paused: u.paused, LastError: u.lastErr,
		LastErrorAt: tp(u.errAt), Breaker: u.br.state(now), BreakerReason: u.br.reason,
		BreakerUntil: tp(u.br.until), PushHealthy: len(u.jobs) > 0}
	var next, last, ok time.Time
	for _, j := range u.jobs {
		switch j.state {
		case queued:
			us.Queued = true
		case running:
			us.Running = true
		default:
			if next.IsZero() || j.next.Before(next) {
				next = j.next
			}
		}
		if j.lastRun.After(last) {
			last = j.lastRun
		}
		if j.lastOK.After(ok) {
			ok = j.lastOK
		}
		us.Failures = max(us.Failures, j.failures)
		us.PushHealthy = us.PushHealthy && j.push
	}
	if us.Queued {
		next = now
	}
	us.NextRun, us.LastRun, us.LastOK = tp(next), tp(last), tp(ok)
	return us
}

// UserStatus returns the state of one user, or false if the scheduler does not know it.
func (s *Scheduler) UserStatus(profileID, userID string) (UserStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.profiles[profileID]
	if ps == nil || ps.users[userID] == nil {
		return UserStatus{}, false
	}
	return s.userStatusLocked(ps.users[userID], s.clk.Now()), true
}

// Ready reports whether the scheduler is dispatching: nil after Start and before Stop. Its signature fits a
// readiness check (/readyz).
func (s *Scheduler) Ready(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.started:
		return errors.New("scheduler not started")
	case s.stopping:
		return errors.New("scheduler stopping")
	}
	return nil
}
