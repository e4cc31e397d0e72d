package engine_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// benchFixture returns a fixture whose CRM holds n appointments, synced once to the mailbox.
func benchFixture(b *testing.B, n int, model reference.Model) *fixture {
	b.Helper()
	return benchFixtureModel(b, n, model)
}

func benchFixtureModel(b testing.TB, n int, model reference.Model) *fixture {
	f := newFixture(b, reference.Delta, model, nil)
	day := f.now.Add(24 * time.Hour)
	for i := range n {
		f.crm.Put(crmAcct, &engine.Appointment{Title: fmt.Sprintf("appointment %d", i), Location: "Room 1",
			Body: "Agenda: review the quarter.", Start: day.Add(time.Duration(i%2000) * time.Hour),
			End: day.Add(time.Duration(i%2000)*time.Hour + time.Hour), TimeZone: "Europe/Oslo"})
	}
	return f
}

func syncOrFail(b *testing.B, f *fixture) engine.Run {
	b.Helper()
	r, err := f.sync()
	if err != nil || r.Status != engine.RunOK {
		b.Fatalf("sync: %v %+v", err, r)
	}
	return r
}

// BenchmarkPlanApplyCreate measures plan + apply throughput in memory: a first sync that copies 10,000
// appointments from the CRM to the mailbox (each create journaled: intent commit, create, result commit).
func BenchmarkPlanApplyCreate(b *testing.B) {
	const n = 10_000
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		f := benchFixture(b, n, reference.Delta)
		b.StartTimer()
		c := cpuTime()
		r := syncOrFail(b, f)
		cpu += cpuTime() - c
		if r.Counts.Created != n {
			b.Fatalf("created %d", r.Counts.Created)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "items/cpu-s")
}

// BenchmarkPlanApplyUpdate measures the throughput of field merges: 10,000 linked appointments, each edited in
// the CRM, synced to the mailbox.
func BenchmarkPlanApplyUpdate(b *testing.B) {
	const n = 10_000
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		f := benchFixture(b, n, reference.Delta)
		syncOrFail(b, f)
		for id := range f.crm.Items(crmAcct, engine.KindAppointment) {
			_ = f.crm.Edit(crmAcct, engine.KindAppointment, id, func(it engine.Item) engine.Item {
				it.(*engine.Appointment).Location = "Room 2"
				return it
			})
		}
		f.now = f.now.Add(time.Minute)
		b.StartTimer()
		c := cpuTime()
		r := syncOrFail(b, f)
		cpu += cpuTime() - c
		if r.Counts.Updated != n {
			b.Fatalf("updated %d", r.Counts.Updated)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "items/cpu-s")
}

// BenchmarkNoChangePlan100k measures a run over 100,000 linked appointments where nothing changed: "incremental"
// (the stores report no changes) and "full" (both cursors expired: both stores list all 100,000 items again, which
// the engine matches by link and version; the reference stores' own listing cost is included).
func BenchmarkNoChangePlan100k(b *testing.B) {
	const n = 100_000
	f := benchFixture(b, n, reference.Delta)
	syncOrFail(b, f)
	syncOrFail(b, f)
	b.Run("incremental", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			f.now = f.now.Add(time.Second)
			c := cpuTime()
			if r := syncOrFail(b, f); r.Counts.Created+r.Counts.Updated+r.Counts.Deleted != 0 {
				b.Fatalf("%+v", r.Counts)
			}
			cpu += cpuTime() - c
		}
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
	b.Run("full", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			f.crm.ExpireCursors(crmAcct, engine.KindAppointment)
			f.mbx.ExpireCursors(mbxAcct, engine.KindAppointment)
			f.now = f.now.Add(time.Second)
			b.StartTimer()
			c := cpuTime()
			r := syncOrFail(b, f)
			cpu += cpuTime() - c
			if r.Counts.Listed != 2*n || r.Counts.Created+r.Counts.Updated+r.Counts.Deleted != 0 {
				b.Fatalf("%+v", r.Counts)
			}
		}
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
}

// BenchmarkJournalWrite measures the cost of one journaled write with MemKV: a run of 100 updates, reported per
// write (intent commit + remote update + result commit, plus the run's share of listing and planning).
func BenchmarkJournalWrite(b *testing.B) {
	f := benchFixture(b, 100, reference.Delta)
	syncOrFail(b, f)
	ids := []string{}
	for id := range f.crm.Items(crmAcct, engine.KindAppointment) {
		ids = append(ids, id)
	}
	i := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		for _, id := range ids {
			i++
			_ = f.crm.Edit(crmAcct, engine.KindAppointment, id, func(it engine.Item) engine.Item {
				it.(*engine.Appointment).Location = fmt.Sprint("Room ", i)
				return it
			})
		}
		f.now = f.now.Add(time.Second)
		b.StartTimer()
		c := cpuTime()
		syncOrFail(b, f)
		cpu += cpuTime() - c
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/write")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*len(ids)), "cpu-ns/write")
}

// cpuTime returns the process's user+system CPU time: on a shared machine it measures the work, where wall time
// also measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
