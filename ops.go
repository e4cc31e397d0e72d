package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ReadinessCheck reports whether one part of the process is ready to serve;
// a nil error means ready. It must return quickly and honour ctx.
type ReadinessCheck func(ctx context.Context) error

// Readiness is the list of named readiness checks behind /readyz. The store
// registers one at start; the scheduler adds its own when it is running.
// It is safe for concurrent use.
type Readiness struct {
	mu       sync.Mutex // guards checks
	checks   []namedCheck
	stopping atomic.Bool
}

type namedCheck struct {
	name  string
	check ReadinessCheck
}

// Add registers a check under name; a later Add with the same name replaces it.
func (r *Readiness) Add(name string, check ReadinessCheck) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.checks {
		if r.checks[i].name == name {
			r.checks[i].check = check
			return
		}
	}
	r.checks = append(r.checks, namedCheck{name, check})
}

// SetStopping marks the process as shutting down: /readyz fails from now on
// so that load balancers stop sending traffic while requests drain.
func (r *Readiness) SetStopping() { r.stopping.Store(true) }

// readyReport is the JSON body of /readyz.
type readyReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// Check runs every check and reports whether all passed.
func (r *Readiness) Check(ctx context.Context) (readyReport, bool) {
	r.mu.Lock()
	checks := append([]namedCheck(nil), r.checks...)
	r.mu.Unlock()
	rep := readyReport{Status: "ok", Checks: map[string]string{}}
	ok := true
	if r.stopping.Load() {
		rep.Checks["shutdown"] = "shutting down"
		ok = false
	}
	if len(checks) == 0 {
		rep.Checks["checks"] = "no readiness checks registered yet"
		ok = false
	}
	for _, c := range checks {
		if err := c.check(ctx); err != nil {
			rep.Checks[c.name] = err.Error()
			ok = false
		} else {
			rep.Checks[c.name] = "ok"
		}
	}
	if !ok {
		rep.Status = "unavailable"
	}
	return rep, ok
}

// ServeHTTP implements /readyz: 200 when every check passes, else 503; the
// body lists every check.
func (r *Readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	rep, ok := r.Check(ctx)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rep)
}

// serveHealthz implements /healthz: 200 whenever the process serves HTTP.
func serveHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// metrics is the process's own Prometheus registry (never the global one)
// with HTTP request counters and latency histograms by route.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

func newMetrics(ver, rev string) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "synchronizer_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "synchronizer_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "synchronizer_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "synchronizer_build_info",
		Help: "Version and commit of the running binary; always 1.",
	}, []string{"version", "commit"})
	build.WithLabelValues(ver, rev).Set(1)
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.inflight, build,
	)
	return m
}

// instrument wraps the handler of one route; route is the mux pattern, so the
// label set stays bounded whatever paths clients send.
func (m *metrics) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.code())).Inc()
			m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

// countInFlight wraps the whole handler chain, so requests still reading
// their body (before routing) are counted too.
func (m *metrics) countInFlight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inflight.Inc()
		defer m.inflight.Dec()
		next.ServeHTTP(w, r)
	})
}

// handler serves /metrics in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
