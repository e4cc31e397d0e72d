package push

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector returns a Prometheus collector of the intake's counters and subscription health.
func (in *Intake) Collector() prometheus.Collector { return collector{in} }

type collector struct{ in *Intake }

var (
	descDeliveries = prometheus.NewDesc("synchronizer_push_events_total", "Push events by outcome: received (validated), duplicate (dropped), dispatched (handed to the scheduler).", []string{"outcome"}, nil)
	descRejected   = prometheus.NewDesc("synchronizer_push_rejected_total", "Deliveries refused for a bad signature, token or clientState.", nil, nil)
	descSubs       = prometheus.NewDesc("synchronizer_push_subscriptions", "Registered push subscriptions by health.", []string{"healthy"}, nil)
)

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descDeliveries
	ch <- descRejected
	ch <- descSubs
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	in := c.in
	counter := func(v uint64, outcome string) {
		ch <- prometheus.MustNewConstMetric(descDeliveries, prometheus.CounterValue, float64(v), outcome)
	}
	counter(in.received.Load(), "received")
	counter(in.duplicates.Load(), "duplicate")
	counter(in.dispatched.Load(), "dispatched")
	ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(in.rejected.Load()))
	var healthy, unhealthy float64
	in.mu.RLock()
	for _, st := range in.subs {
		if st.healthy {
			healthy++
		} else {
			unhealthy++
		}
	}
	in.mu.RUnlock()
	ch <- prometheus.MustNewConstMetric(descSubs, prometheus.GaugeValue, healthy, "true")
	ch <- prometheus.MustNewConstMetric(descSubs, prometheus.GaugeValue, unhealthy, "false")
}
