// Command gqlload is Synchronizer's small GraphQL load generator: C clients
// POST one query in a loop for a duration (or until a request count is
// reached) and it prints latency percentiles and throughput.
//
//	go run ./scripts/gqlload -url http://127.0.0.1:8080/graphql -c 200 -d 10s -query me -token syn_...
//
// -query is "me", "systemStatus" or a GraphQL document. A response counts as
// an error unless it is HTTP 200 with no "errors" member; the command exits 1
// when any request failed, so a figure is never taken from failing requests.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// namedQueries are the queries the performance figures are taken with.
var namedQueries = map[string]string{
	"me":           "query Me { me { id email name role } }",
	"systemStatus": "query SystemStatus { systemStatus { state version } }",
}

// options are the command-line settings.
type options struct {
	url      string
	clients  int
	duration time.Duration
	maxReqs  int64
	query    string
	token    string
	timeout  time.Duration
	asJSON   bool
	// rate paces each client at this many requests per second (0: closed loop, as fast as answers come).
	rate float64
}

// result is what one run measured.
type result struct {
	Query     string  `json:"query"`
	Clients   int     `json:"clients"`
	Rate      float64 `json:"rate_per_client,omitempty"`
	Requests  int     `json:"requests"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	ReqPerSec float64 `json:"req_per_sec"`
	P50ms     float64 `json:"p50_ms"`
	P90ms     float64 `json:"p90_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
	FirstErr  string  `json:"first_error,omitempty"`
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint")
	flag.IntVar(&o.clients, "c", 200, "concurrent clients")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "duration of the run (at most 10m)")
	flag.Int64Var(&o.maxReqs, "n", 10_000_000, "stop after this many requests in total")
	flag.StringVar(&o.query, "query", "me", `"me", "systemStatus" or a GraphQL document`)
	flag.StringVar(&o.token, "token", "", "API token sent as Authorization: Bearer (optional)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	flag.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	flag.Float64Var(&o.rate, "rate", 0, "requests per second per client (0: closed loop); latency is measured from each request's scheduled time, so a server that falls behind is not flattered")
	flag.Parse()
	if err := o.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "gqlload:", err)
		os.Exit(2)
	}
	res, err := runLoad(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlload:", err)
		os.Exit(1)
	}
	if o.asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Printf("query=%s clients=%d rate/client=%g duration=%.1fs requests=%d errors=%d req/s=%.0f\n",
			res.Query, res.Clients, res.Rate, res.Seconds, res.Requests, res.Errors, res.ReqPerSec)
		fmt.Printf("latency p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms\n", res.P50ms, res.P90ms, res.P99ms, res.MaxMs)
	}
	if res.Errors > 0 {
		fmt.Fprintf(os.Stderr, "gqlload: %d requests failed; first error: %s\n", res.Errors, res.FirstErr)
		os.Exit(1)
	}
}

func (o options) validate() error {
	switch {
	case o.clients < 1 || o.clients > 10_000:
		return errors.New("-c must be between 1 and 10000")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return errors.New("-d must be between 0 and 10m")
	case o.maxReqs < 1:
		return errors.New("-n must be positive")
	case o.query == "":
		return errors.New("-query must not be empty")
	case o.rate < 0 || o.rate > 10_000:
		return errors.New("-rate must be between 0 and 10000")
	}
	return nil
}

// runLoad runs the load and computes the figures.
func runLoad(ctx context.Context, o options) (result, error) {
	doc, ok := namedQueries[o.query]
	if !ok {
		doc = o.query
	}
	body, err := json.Marshal(map[string]string{"query": doc})
	if err != nil {
		return result{}, err
	}
	tr := &http.Transport{MaxIdleConns: o.clients, MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: o.timeout}

	// One warm-up request checks the setup before the clock starts.
	if err := doRequest(ctx, client, o, body); err != nil {
		return result{}, fmt.Errorf("warm-up request: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var (
		issued   atomic.Int64
		errCount atomic.Int64
		firstErr atomic.Value
		mu       sync.Mutex
		all      []time.Duration
		wg       sync.WaitGroup
	)
	start := time.Now()
	var interval time.Duration
	if o.rate > 0 {
		interval = time.Duration(float64(time.Second) / o.rate)
	}
	for i := range o.clients {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1024)
			// Paced clients start spread over one interval and keep a fixed schedule.
			next := start.Add(interval * time.Duration(i) / time.Duration(o.clients))
			for ctx.Err() == nil && issued.Add(1) <= o.maxReqs {
				t0 := time.Now()
				if interval > 0 {
					if d := time.Until(next); d > 0 {
						select {
						case <-ctx.Done():
						case <-time.After(d):
						}
						if ctx.Err() != nil {
							break
						}
					}
					t0 = next // latency counts from the scheduled time
					next = next.Add(interval)
				}
				err := doRequest(ctx, client, o, body)
				if ctx.Err() != nil {
					break // the run ended during this request: do not count it
				}
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(all) == 0 {
		return result{}, fmt.Errorf("no request succeeded (%d errors, first: %v)", errCount.Load(), firstErr.Load())
	}
	slices.Sort(all)
	res := result{
		Query: o.query, Clients: o.clients, Rate: o.rate, Requests: len(all), Errors: errCount.Load(),
		Seconds: elapsed.Seconds(), ReqPerSec: float64(len(all)) / elapsed.Seconds(),
		P50ms: ms(percentile(all, 0.50)), P90ms: ms(percentile(all, 0.90)),
		P99ms: ms(percentile(all, 0.99)), MaxMs: ms(all[len(all)-1]),
	}
	if v, ok := firstErr.Load().(string); ok {
		res.FirstErr = v
	}
	return res, nil
}

// percentile returns the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	idx := int(float64(len(sorted))*p+0.5) - 1
	idx = max(0, min(idx, len(sorted)-1))
	return sorted[idx]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// doRequest posts the query once and checks the answer.
func doRequest(ctx context.Context, client *http.Client, o options, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close() //nolint:errcheck // read fully below
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s: %.200s", resp.Status, data)
	}
	var payload struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(data, &payload); err != nil {
		return fmt.Errorf("response is not JSON: %w", err)
	}
	if len(payload.Errors) > 0 {
		return fmt.Errorf("GraphQL errors: %.200s", payload.Errors[0])
	}
	return nil
}
