package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

// housekeeping is the nightly task list. Guarded by Scheduler.mu.
type housekeeping struct {
	hour    int
	tasks   []hkTask
	timer   clock.Timer
	next    time.Time
	last    time.Time
	running bool
	results []HousekeepingResult
}

type hkTask struct {
	name string
	fn   func(context.Context) error
}

// HousekeepingResult is the outcome of one housekeeping task.
type HousekeepingResult struct {
	Name     string        `json:"name"`
	At       time.Time     `json:"at"`
	Duration time.Duration `json:"duration"`
	Error    string        `json:"error,omitempty"`
}

// AddHousekeeping registers a nightly task (roll recurring series into the window, renew push subscriptions,
// check token health, Badger value-log GC …). Tasks run one after the other in the order added; one failing does
// not stop the others.
func (s *Scheduler) AddHousekeeping(name string, fn func(ctx context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hk.tasks = append(s.hk.tasks, hkTask{name, fn})
}

// SetHousekeepingHour changes the hour (0–23 in Options.Location) housekeeping runs at; HousekeepingOff disables
// it.
func (s *Scheduler) SetHousekeepingHour(hour int) error {
	if hour < HousekeepingOff || hour > 23 {
		return fmt.Errorf("scheduler: housekeeping hour %d is not an hour (0–23, or -1 for off)", hour)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hk.hour = hour
	s.armHousekeepingLocked()
	return nil
}

// armHousekeepingLocked schedules the next run: at the admin's hour, today if it is still ahead or if today's
// slot was missed (the appliance was down then), else tomorrow.
func (s *Scheduler) armHousekeepingLocked() {
	if s.hk.timer != nil {
		s.hk.timer.Stop()
		s.hk.timer = nil
	}
	s.hk.next = time.Time{}
	if s.hk.hour < 0 || !s.started || s.stopping {
		return
	}
	now := s.clk.Now().In(s.o.Location)
	slot := time.Date(now.Year(), now.Month(), now.Day(), s.hk.hour, 0, 0, 0, s.o.Location)
	if slot.After(now) {
		prev := slot.AddDate(0, 0, -1)
		if !s.hk.last.IsZero() && s.hk.last.Before(prev) {
			slot = now // yesterday's run was missed
		}
	} else if !s.hk.last.IsZero() && s.hk.last.Before(slot) {
		slot = now // today's run was missed
	} else {
		slot = slot.AddDate(0, 0, 1)
	}
	s.hk.next = slot
	s.hk.timer = s.clk.AfterFunc(slot.Sub(now), func() { s.RunHousekeeping(context.Background()) })
}

// RunHousekeeping runs every housekeeping task now (the nightly timer calls it; the API may too) and returns
// the results. A run already in progress makes it return nil at once.
func (s *Scheduler) RunHousekeeping(ctx context.Context) []HousekeepingResult {
	s.mu.Lock()
	if s.hk.running || s.stopping {
		s.mu.Unlock()
		return nil
	}
	s.hk.running = true
	tasks := append([]hkTask(nil), s.hk.tasks...)
	runCtx := s.runCtx
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(runCtx, cancel)
	defer stop()
	defer cancel()
	results := make([]HousekeepingResult, 0, len(tasks))
	for _, t := range tasks {
		start := s.clk.Now()
		err := runTask(ctx, t)
		r := HousekeepingResult{Name: t.name, At: start, Duration: s.clk.Now().Sub(start)}
		if err != nil {
			r.Error = err.Error()
			s.log.Error("scheduler: housekeeping task failed", "task", t.name, "err", err)
		}
		results = append(results, r)
	}
	now := s.clk.Now()
	if s.o.KV != nil {
		b, _ := now.MarshalText()
		if err := s.o.KV.Commit(map[string][]byte{keyHousekeeping: b}, nil); err != nil {
			s.log.Error("scheduler: persist housekeeping time", "err", err)
		}
	}
	s.mu.Lock()
	s.hk.running = false
	s.hk.last = now
	s.hk.results = results
	s.armHousekeepingLocked()
	s.emitLocked(Event{Type: EventHousekeeping})
	s.mu.Unlock()
	return results
}

// runTask runs one task and turns a panic into an error, so one bad task never stops the others.
func runTask(ctx context.Context, t hkTask) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return t.fn(ctx)
}
