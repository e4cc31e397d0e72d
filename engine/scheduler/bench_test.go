package scheduler_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
	"github.com/synchronizer/synchronizer/engine/scheduler"
)

type nopRunner struct{ runs atomic.Int64 }

func (r *nopRunner) RunSync(context.Context, string, string, engine.Kind, string) (string, error) {
	r.runs.Add(1)
	return "", nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func manyUsers(n int) []scheduler.User {
	us := make([]scheduler.User, n)
	for i := range us {
		us[i] = scheduler.User{ID: fmt.Sprintf("user-%05d@example.com", i)}
	}
	return us
}

// BenchmarkOverhead10kUsers schedules 10,000 linked users polled every 5 minutes and drives a fake clock through
// b.N hours of schedule (1 s steps), with a runner that does nothing: what is measured is the scheduler itself
// (timers, queue, dispatch, a goroutine per job, bookkeeping). It reports the CPU time per simulated hour as a
// percentage of one core over that hour, and the heap held by the scheduling state.
//
//	go test ./engine/scheduler -run '^$' -bench Overhead10k -benchtime 1x
func BenchmarkOverhead10kUsers(b *testing.B) {
	const nUsers = 10_000
	clk := clock.NewFake(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	r := &nopRunner{}
	base := heapInUse()
	s, err := scheduler.New(scheduler.Options{Runner: r, Clock: clk, Workers: 8, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SetProfile(scheduler.Profile{ID: "p", Interval: 5 * time.Minute, Kinds: []engine.Kind{engine.KindAppointment}, Users: manyUsers(nUsers)}); err != nil {
		b.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer s.Stop(context.Background())
	stateHeap := heapInUse() - base

	settle := func() {
		for !s.Quiet() {
			time.Sleep(20 * time.Microsecond)
		}
	}
	b.ResetTimer()
	cpu0, wall0 := cpuTime(), time.Now()
	for range b.N {
		for range 3600 {
			clk.Advance(time.Second)
			settle()
		}
	}
	cpu := cpuTime() - cpu0
	wall := time.Since(wall0)
	b.StopTimer()
	runs := r.runs.Load()
	hours := float64(b.N)
	peakHeap := heapInUse() - base
	b.ReportMetric(float64(cpu)/float64(time.Hour)/hours*100, "%core")
	b.ReportMetric(float64(runs)/hours, "runs/h")
	b.ReportMetric(float64(stateHeap)/(1<<20), "stateMB")
	b.ReportMetric(float64(peakHeap)/(1<<20), "afterMB")
	b.ReportMetric(float64(cpu)/float64(runs), "cpu-ns/run")
	b.Logf("%d users, %v simulated: %d runs, CPU %v (wall %v), state heap %.1f MB (after the hour %.1f MB)",
		nUsers, time.Duration(b.N)*time.Hour, runs, cpu.Round(time.Millisecond), wall.Round(time.Millisecond),
		float64(stateHeap)/(1<<20), float64(peakHeap)/(1<<20))
	if want := int64(nUsers * 12 * b.N); runs < want*99/100 {
		b.Fatalf("%d runs in %d h, want about %d", runs, b.N, want)
	}
}
