package scheduler

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector returns a Prometheus collector of the scheduler's state (a few series, whatever the number of users).
func (s *Scheduler) Collector() prometheus.Collector { return collector{s} }

type collector struct{ s *Scheduler }

var (
	descQueued      = prometheus.NewDesc("synchronizer_scheduler_queued_jobs", "Jobs waiting for a worker.", nil, nil)
	descRunning     = prometheus.NewDesc("synchronizer_scheduler_running_jobs", "Jobs running.", nil, nil)
	descJobs        = prometheus.NewDesc("synchronizer_scheduler_jobs", "Scheduled (profile, user, kind) jobs.", nil, nil)
	descFailing     = prometheus.NewDesc("synchronizer_scheduler_failing_users", "Users whose last run failed.", nil, nil)
	descOpen        = prometheus.NewDesc("synchronizer_scheduler_open_breakers", "Open circuit breakers.", []string{"scope"}, nil)
	descRuns        = prometheus.NewDesc("synchronizer_scheduler_runs_total", "Finished runs.", []string{"result"}, nil)
	descDropped     = prometheus.NewDesc("synchronizer_scheduler_dropped_events_total", "Events not delivered to slow subscribers.", nil, nil)
	descHousekeeper = prometheus.NewDesc("synchronizer_scheduler_housekeeping_last_run_timestamp_seconds", "When housekeeping last ran.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueued, descRunning, descJobs, descFailing, descOpen, descRuns, descDropped, descHousekeeper} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	s.mu.Lock()
	now := s.clk.Now()
	var jobs, failing, userOpen, sysOpen float64
	for _, ps := range s.profiles {
		for _, u := range ps.users {
			jobs += float64(len(u.jobs))
			if u.br.failures > 0 {
				failing++
			}
			if !u.br.until.IsZero() && now.Before(u.br.until) {
				userOpen++
			}
		}
	}
	for _, b := range s.systems {
		if !b.until.IsZero() && now.Before(b.until) {
			sysOpen++
		}
	}
	queued, running, dropped := float64(s.queued), float64(s.running), float64(s.dropped)
	ok, failed, last := float64(s.runsOK), float64(s.runsFailed), s.hk.last
	s.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
	}
	gauge(descQueued, queued)
	gauge(descRunning, running)
	gauge(descJobs, jobs)
	gauge(descFailing, failing)
	gauge(descOpen, userOpen, "user")
	gauge(descOpen, sysOpen, "system")
	ch <- prometheus.MustNewConstMetric(descRuns, prometheus.CounterValue, ok, "ok")
	ch <- prometheus.MustNewConstMetric(descRuns, prometheus.CounterValue, failed, "failed")
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, dropped)
	if !last.IsZero() {
		gauge(descHousekeeper, float64(last.UnixNano())/1e9)
	}
}
