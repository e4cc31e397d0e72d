package governor

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector returns a Prometheus collector of the governor's state, aggregated per (system, kind) so that the
// number of series does not grow with the number of mailboxes; per-scope detail is in Snapshot.
func (g *Governor) Collector() prometheus.Collector { return collector{g} }

type collector struct{ g *Governor }

var (
	labels         = []string{"system", "kind"}
	descScopes     = prometheus.NewDesc("synchronizer_governor_scopes", "Active limit scopes.", labels, nil)
	descInFlight   = prometheus.NewDesc("synchronizer_governor_in_flight", "Remote calls in flight.", labels, nil)
	descWaiting    = prometheus.NewDesc("synchronizer_governor_waiting", "Calls waiting for admission.", labels, nil)
	descBackingOff = prometheus.NewDesc("synchronizer_governor_scopes_backing_off", "Scopes held back by a server-requested back-off.", labels, nil)
	descSlowed     = prometheus.NewDesc("synchronizer_governor_scopes_slowed_down", "Scopes whose concurrency is reduced because the server answers slowly.", labels, nil)
	descThrottled  = prometheus.NewDesc("synchronizer_governor_throttled_recent", "Throttling answers (429/503, Retry-After) of the last 10 minutes.", labels, nil)
)

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descScopes, descInFlight, descWaiting, descBackingOff, descSlowed, descThrottled} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	type agg struct{ scopes, inFlight, waiting, backingOff, slowed, throttled float64 }
	by := map[[2]string]*agg{}
	for _, s := range c.g.Snapshot() {
		k := [2]string{s.System, s.Kind}
		a := by[k]
		if a == nil {
			a = &agg{}
			by[k] = a
		}
		a.scopes++
		a.inFlight += float64(s.InFlight)
		a.waiting += float64(s.Waiting)
		a.throttled += float64(s.RecentThrottles)
		if s.BackingOffUntil != nil {
			a.backingOff++
		}
		if s.SlowedDown {
			a.slowed++
		}
	}
	for k, a := range by {
		for _, m := range []struct {
			d *prometheus.Desc
			v float64
		}{{descScopes, a.scopes}, {descInFlight, a.inFlight}, {descWaiting, a.waiting}, {descBackingOff, a.backingOff},
			{descSlowed, a.slowed}, {descThrottled, a.throttled}} {
			ch <- prometheus.MustNewConstMetric(m.d, prometheus.GaugeValue, m.v, k[0], k[1])
		}
	}
}
