// Command hookload measures how fast the push intake acknowledges webhook deliveries: it serves the intake on
// loopback, backed by a real on-disk store (kv.Open in a temporary directory, fsync on every commit) and the real
// scheduler (with a runner that does nothing), and sends signed deliveries at a fixed rate (open loop: a request
// is sent on schedule whether or not earlier ones were answered), then prints the latency percentiles of the
// acknowledgements.
//
//	go run ./engine/push/hookload -rate 500 -duration 10s
//
// Every delivery is a distinct Microsoft Graph change notification for one of -users subscriptions, so each is
// persisted (no de-duplication shortcut); -dup makes that fraction of deliveries repeat an earlier one.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/kv"
)

type nopRunner struct{ runs atomic.Int64 }

func (r *nopRunner) RunSync(context.Context, string, string, engine.Kind, string) (string, error) {
	r.runs.Add(1)
	return "", nil
}

func main() {
	rate := flag.Int("rate", 500, "deliveries per second")
	dur := flag.Duration("duration", 10*time.Second, "how long to send (at most 60s)")
	users := flag.Int("users", 1000, "subscriptions (one per user)")
	dup := flag.Float64("dup", 0, "fraction of deliveries that repeat an earlier one")
	flag.Parse()
	if *rate <= 0 || *rate > 5000 || *dur <= 0 || *dur > time.Minute || *users <= 0 {
		log.Fatal("hookload: -rate must be 1..5000, -duration up to 60s, -users positive")
	}
	dir, err := os.MkdirTemp("", "hookload-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := kv.Open(kv.Options{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	ctx := context.Background()
	runner := &nopRunner{}
	sched, err := scheduler.New(scheduler.Options{Runner: runner, KV: db, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		log.Fatal(err)
	}
	us := make([]scheduler.User, *users)
	for i := range us {
		us[i] = scheduler.User{ID: fmt.Sprintf("u%d", i)}
	}
	if err := sched.SetProfile(scheduler.Profile{ID: "p1", Interval: time.Hour, Kinds: []engine.Kind{engine.KindAppointment}, Users: us}); err != nil {
		log.Fatal(err)
	}
	if err := sched.Start(ctx); err != nil {
		log.Fatal(err)
	}
	in, err := push.New(push.Options{KV: db, Sink: sched, Health: sched})
	if err != nil {
		log.Fatal(err)
	}
	if err := in.Start(ctx); err != nil {
		log.Fatal(err)
	}
	for i := range *users {
		err := in.RegisterPush(ctx, engine.PushSubscription{Connector: "msgraph", Profile: "p1", ID: fmt.Sprintf("sub-%d", i),
			User: fmt.Sprintf("u%d", i), Kind: engine.KindAppointment, Secret: "client-state"})
		if err != nil {
			log.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/{connector}/{profile}", in)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/hooks/msgraph/p1"

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}
	total := int(float64(*rate) * dur.Seconds())
	lat := make([]time.Duration, total)
	codes := make([]int, total)
	bodies := make([][]byte, total)
	r := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // a reproducible load pattern, not a secret
	for i := range total {
		if i > 0 && r.Float64() < *dup {
			bodies[i] = bodies[r.IntN(i)]
			continue
		}
		u := r.IntN(*users)
		bodies[i] = fmt.Appendf(nil, `{"value":[{"subscriptionId":"sub-%d","clientState":"client-state","changeType":"updated","resource":"Users/u%d/Events/%d","tenantId":"t"}]}`, u, u, i)
	}
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Second / time.Duration(*rate)
	for i := range total {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() {
			t := time.Now()
			resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i]))
			lat[i] = time.Since(t)
			if err != nil {
				codes[i] = -1
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	sent := time.Since(start)
	deadline := time.Now().Add(30 * time.Second)
	for int64(in.Status().Dispatched+in.Status().Duplicates) < int64(total) && time.Now().Before(deadline) { //nolint:gosec // counts far below 2^63
		time.Sleep(10 * time.Millisecond)
	}
	drained := time.Since(start)
	_ = srv.Shutdown(ctx)
	in.Stop()
	_ = sched.Stop(ctx)

	bad := 0
	for _, c := range codes {
		if c != http.StatusAccepted {
			bad++
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	slow := 0
	for _, l := range lat {
		if l > 2900*time.Millisecond {
			slow++
		}
	}
	st := in.Status()
	fmt.Printf("deliveries %d at %d/s over %v (sent in %v), non-202 %d, slower than 2.9 s %d\n",
		total, *rate, *dur, sent.Round(time.Millisecond), bad, slow)
	fmt.Printf("ack latency p50 %v  p90 %v  p99 %v  max %v\n", pct(0.50).Round(10*time.Microsecond),
		pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	fmt.Printf("intake: received %d, duplicates %d, dispatched %d (all handed to the scheduler %v after the first send); sync runs %d\n",
		st.Received, st.Duplicates, st.Dispatched, drained.Round(time.Millisecond), runner.runs.Load())
}
