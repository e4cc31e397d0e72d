package graph_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkLoad measures GraphQL latency over loopback HTTP with 200
// concurrent clients (b.SetParallelism(100) × GOMAXPROCS=2), the way the
// appliance serves it: auth middleware → body limit → handler. It reports
// p50 and p99 latency per request. Run it for 10 s per query:
//
//	go test -run '^$' -bench BenchmarkLoad -benchtime 10s ./graph
func BenchmarkLoad(b *testing.B) {
	for _, q := range []struct{ name, query string }{
		{"me", `{"query":"{ me { id email name role } }"}`},
		{"systemStatus", `{"query":"{ systemStatus { state version } }"}`},
	} {
		b.Run(q.name, func(b *testing.B) {
			e := newEnv(b)
			admin := e.setupAdmin()
			u := e.srv.URL + "/graphql"
			cookies := admin.http.Jar.Cookies(mustURL(u))
			tr := &http.Transport{MaxIdleConns: 400, MaxIdleConnsPerHost: 400, MaxConnsPerHost: 400}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}

			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(100)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				local := make([]time.Duration, 0, 1024)
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader([]byte(q.query)))
					req.Header.Set("Content-Type", "application/json")
					for _, c := range cookies {
						req.AddCookie(c)
					}
					req.Header.Set("X-CSRF-Token", admin.csrf)
					start := time.Now()
					res, err := hc.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					local = append(local, time.Since(start))
					if res.StatusCode != http.StatusOK {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			})
			b.StopTimer()
			if len(lat) == 0 {
				return
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkHandler measures the server-side cost of one request without the
// network: auth middleware (session cookie lookup) → handler → response.
func BenchmarkHandler(b *testing.B) {
	for _, q := range []struct{ name, query string }{
		{"me", `{"query":"{ me { id email name role } }"}`},
		{"systemStatus", `{"query":"{ systemStatus { state version } }"}`},
	} {
		b.Run(q.name, func(b *testing.B) {
			e := newEnv(b)
			admin := e.setupAdmin()
			cookies := admin.http.Jar.Cookies(mustURL(e.srv.URL + "/graphql"))
			h := e.srv.Config.Handler
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(q.query)))
					req.Header.Set("Content-Type", "application/json")
					for _, c := range cookies {
						req.AddCookie(c)
					}
					req.Header.Set("X-CSRF-Token", admin.csrf)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"data"`)) {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
			})
		})
	}
}

// BenchmarkLoadPaced measures latency below saturation: 200 clients, each
// sending one request every 100 ms (2,000 req/s offered) for 10 s, and
// reports p50/p99. Run it once:
//
//	go test -run '^$' -bench BenchmarkLoadPaced -benchtime 1x ./graph
func BenchmarkLoadPaced(b *testing.B) {
	const clients, interval, duration = 200, 100 * time.Millisecond, 10 * time.Second
	for _, q := range []struct{ name, query string }{
		{"me", `{"query":"{ me { id email name role } }"}`},
		{"systemStatus", `{"query":"{ systemStatus { state version } }"}`},
	} {
		b.Run(q.name, func(b *testing.B) {
			e := newEnv(b)
			admin := e.setupAdmin()
			u := e.srv.URL + "/graphql"
			cookies := admin.http.Jar.Cookies(mustURL(u))
			tr := &http.Transport{MaxIdleConns: 400, MaxIdleConnsPerHost: 400}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			var mu sync.Mutex
			var lat []time.Duration
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Spread the clients over the interval.
					time.Sleep(time.Duration(i) * interval / clients)
					tick := time.NewTicker(interval)
					defer tick.Stop()
					var local []time.Duration
					for time.Since(start) < duration {
						req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader([]byte(q.query)))
						req.Header.Set("Content-Type", "application/json")
						for _, c := range cookies {
							req.AddCookie(c)
						}
						req.Header.Set("X-CSRF-Token", admin.csrf)
						t0 := time.Now()
						res, err := hc.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						local = append(local, time.Since(t0))
						<-tick.C
					}
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			b.StopTimer()
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(len(lat))/time.Since(start).Seconds(), "req/s")
		})
	}
}
