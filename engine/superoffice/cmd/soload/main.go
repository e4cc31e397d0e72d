// Command soload measures the SuperOffice connector through the engine against the superofficetest fake with a
// fixed latency per call: the initial import of many appointments for many users (items/s, calls per item) and
// the cost of an incremental sync when nothing changed (calls per user). The mailbox side is the in-memory
// reference store, so the figures are the SuperOffice side's.
//
//	go run ./engine/superoffice/cmd/soload -users 50 -items 20000 -latency 50ms
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

type secrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *secrets) Get(_ context.Context, n string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[n]
	if !ok {
		return nil, engine.ErrNotFound
	}
	return v, nil
}

func (s *secrets) Put(_ context.Context, n string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[n] = v
	return nil
}

func (s *secrets) Delete(_ context.Context, n string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, n)
	return nil
}

// profile is the -cpuprofile file.
var profile string

func main() {
	users := flag.Int("users", 50, "number of CRM users")
	items := flag.Int("items", 20000, "appointments in total")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency the fake adds to every call")
	inflight := flag.Int("inflight", 8, "calls in flight per tenant (settings maxInFlight)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the incremental phase to this file")
	flag.Parse()
	profile = *cpuprofile
	if err := run(*users, *items, *latency, *inflight); err != nil {
		log.Fatal(err)
	}
}

func run(users, items int, latency time.Duration, inflight int) error {
	ctx := context.Background()
	var clock atomic.Int64
	t0 := time.Now().Add(-time.Hour)
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	pemKey, pub := superofficetest.PartnerKeyPEM()
	fake := superofficetest.New(superofficetest.Options{PartnerKey: pub, Now: now, Zone: time.UTC})
	base := fake.Start()
	defer fake.Close()
	// Seed: items/users appointments per user over the next 100 days, an hour each, as the CRM users made them.
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for u := range users {
		id := int32(1000000 + u)
		fake.AddAssociate(id, "User "+strconv.Itoa(u), fmt.Sprintf("user%d@example.com", u))
		var rows []superoffice.AppointmentEntity
		for i := range items / users {
			st := day.AddDate(0, 0, 1+i%100).Add(time.Duration(8+i%9) * time.Hour)
			rows = append(rows, superoffice.AppointmentEntity{Title: fmt.Sprintf("Meeting %d", i), Description: "agenda",
				Location: "Room", StartDate: superoffice.FormatTime(st, time.UTC), EndDate: superoffice.FormatTime(st.Add(time.Hour), time.UTC),
				Type: "inDiary", Private: "Public", Task: &superoffice.TaskListItem{TaskListItemID: 1}})
		}
		if _, err := fake.Seed(id, rows...); err != nil {
			return err
		}
	}
	clock.Store(time.Now().UnixNano())
	fake.SetLatency(latency)
	sec := &secrets{m: map[string][]byte{superoffice.SecretPartnerKey: []byte(pemKey),
		superoffice.SecretClientSecret: []byte(superofficetest.ClientSecret), superoffice.SecretSystemToken: []byte(superofficetest.SystemToken)}}
	settings, _ := json.Marshal(map[string]any{"baseUrl": base + "/api/", "loginUrl": base + "/login",
		"contextIdentifier": superofficetest.ContextIdentifier, "maxInFlight": inflight, "pageSize": 500})
	ref := reference.NewServer(time.Now)
	httpc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	eng, err := engine.New(engine.Config{KV: engine.NewMemKV(), HTTP: httpc, Governor: governor.New(governor.Options{}),
		Secrets:    func(string) engine.Secrets { return sec },
		Connectors: map[string]engine.Factory{"superoffice": superoffice.New, "reference": ref.Factory()}})
	if err != nil {
		return err
	}
	big := engine.Threshold{Count: 1 << 30, Percent: 100}
	if _, err := eng.PutProfile(engine.Profile{ID: "load", Name: "load",
		CRM:        engine.SystemRef{Type: "superoffice", Instance: "so", Settings: settings},
		Mailbox:    engine.SystemRef{Type: "reference", Instance: "mb", Settings: json.RawMessage(`{"model":"delta"}`)},
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}, DaysBack: 30, DaysAhead: 120,
		Guard: engine.Guard{Deletes: big, Creates: big, ProfileDeletes: 1 << 30, ProfileCreates: 1 << 30, ProfileWindow: 3600}}); err != nil {
		return err
	}
	for u := range users {
		if _, err := eng.LinkUser("load", engine.LinkedUser{ID: "u" + strconv.Itoa(u),
			CRM:     engine.Account{ID: strconv.Itoa(1000000 + u), Email: fmt.Sprintf("user%d@example.com", u)},
			Mailbox: engine.Account{ID: "mb" + strconv.Itoa(u), Email: fmt.Sprintf("user%d@example.com", u)}}); err != nil {
			return err
		}
	}
	syncAll := func() (time.Duration, error) {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, users)
		for u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[u] = eng.RunSync(ctx, "load", "u"+strconv.Itoa(u), engine.KindAppointment, "load")
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	c0 := fake.Calls()
	d, err := syncAll()
	if err != nil {
		return err
	}
	imported := 0
	for u := range users {
		imported += len(ref.Items("mb"+strconv.Itoa(u), engine.KindAppointment))
	}
	calls := fake.Calls() - c0
	fmt.Printf("initial import: %d appointments for %d users in %s with %s latency, %d in flight: %.0f items/s, %.3f calls/item (%d calls)\n",
		imported, users, d.Round(time.Millisecond), latency, inflight, float64(imported)/d.Seconds(), float64(calls)/float64(imported), calls)
	if imported != items/users*users {
		fmt.Fprintf(os.Stderr, "imported %d, want %d\n", imported, items/users*users)
		os.Exit(1)
	}
	c1 := fake.Calls()
	if profile != "" {
		f, err := os.Create(profile) //nolint:gosec // G304: the operator names the profile file.
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	d, err = syncAll()
	if err != nil {
		return err
	}
	calls = fake.Calls() - c1
	fmt.Printf("incremental, nothing changed: %.1f calls/user (%d calls for %d users) in %s\n",
		float64(calls)/float64(users), calls, users, d.Round(time.Millisecond))
	return nil
}
