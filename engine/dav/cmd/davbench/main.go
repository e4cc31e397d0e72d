// Command davbench measures the caldav connector through the engine on real servers, side by side with
// vdirsyncer (see docs/perf/dav.md for the commands and figures).
//
//	davbench seed   -url URL -n N                      # PUT one VCALENDAR of N events as a new collection (Radicale)
//	davbench seed   -files DIR -n N                    # write the same events into a Radicale collection folder
//	davbench sync   -a URL -b URL -state DIR [-runs K] # K engine runs (default 1) A ⇄ B (two-way) in this one
//	                                                   # process, state kept in DIR; each run's wall time,
//	                                                   # requests by method and peak Go heap are printed on their own
//	                                                   # (-memprofile FILE: the heap profile at the peak)
//	davbench modify -url URL -updates 100 -deletes 50  # change and delete events on a collection
//	davbench poll   -url URL -cursor FILE              # connector only: list changes since the cursor in FILE (a full
//	                                                   # listing when FILE is missing) and save the next cursor
//
// URLs carry the credentials: http://alice:x@127.0.0.1:5232/alice/bench-a/.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav"
	"github.com/synchronizer/synchronizer/kv"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	var (
		u       = fs.String("url", "", "collection URL with credentials")
		a       = fs.String("a", "", "collection A (the CRM side of the profile)")
		b       = fs.String("b", "", "collection B (the mailbox side)")
		n       = fs.Int("n", 2000, "events to seed")
		files   = fs.String("files", "", "seed: write the events as files into this Radicale collection folder instead of PUTting them")
		state   = fs.String("state", "", "engine state directory (badger)")
		updates = fs.Int("updates", 100, "events to update")
		deletes = fs.Int("deletes", 50, "events to delete")
		verbose = fs.Bool("v", false, "log the engine's info messages")
		cpuprof = fs.String("cpuprofile", "", "write a CPU profile to this file")
		curFile = fs.String("cursor", "", "poll: the file holding the cursor")
		flight  = fs.Int("inflight", 0, "sync: the connector's maxInFlight (0: its default, 4)")
		runs    = fs.Int("runs", 1, "sync: engine runs in this one process, each timed and counted on its own")
		memprof = fs.String("memprofile", "", "sync: write the heap profile taken at the highest heap in use to this file")
	)
	_ = fs.Parse(os.Args[2:])
	ctx := context.Background()
	var err error
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof) //nolint:gosec // G703: the profile path is the operator's own -cpuprofile flag
		if err != nil {
			fmt.Fprintln(os.Stderr, "davbench:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	switch os.Args[1] {
	case "seed":
		if *files != "" {
			err = seedFiles(*files, *n)
		} else {
			err = seed(ctx, *u, *n)
		}
	case "sync":
		hw := startHeapWatch(*memprof != "")
		err = syncRuns(ctx, *a, *b, *state, *verbose, *flight, *runs)
		if werr := hw.stop(*memprof); werr != nil && err == nil {
			err = werr
		}
	case "modify":
		err = modify(ctx, *u, *updates, *deletes)
	case "poll":
		err = poll(ctx, *u, *curFile)
	default:
		usage()
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "davbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: davbench seed|sync|modify [flags] (see the package comment)")
	os.Exit(2)
}

// split separates the credentials from a URL.
func split(raw string) (dav.Settings, string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return dav.Settings{}, "", fmt.Errorf("bad URL %q", raw)
	}
	set := dav.Settings{}
	if u.User != nil {
		set.Username = u.User.Username()
		set.Password, _ = u.User.Password()
		u.User = nil
	}
	set.URL = u.Scheme + "://" + u.Host + "/"
	return set, u.Path, nil
}

// event returns the i-th benchmark event (a VEVENT), the same for every seeding method.
func event(i int, base time.Time) string {
	st := base.Add(time.Duration(3*i) * time.Hour)
	f := func(t time.Time) string { return t.Format("20060102T150405Z") }
	return fmt.Sprintf("BEGIN:VEVENT\r\nUID:bench-%06d@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\n"+
		"SUMMARY:Benchmark event %d\r\nDESCRIPTION:Generated event number %d for sync benchmarks\r\nLOCATION:Room %d\r\n"+
		"ORGANIZER;CN=Alice:mailto:alice@example.com\r\nATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com\r\nEND:VEVENT\r\n",
		i, f(st), f(st.Add(45*time.Minute)), i, i, i%17)
}

func seedBase() time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -10).Add(8 * time.Hour)
}

// seedFiles writes n events as one .ics file each into a Radicale collection folder (created with its
// .Radicale.props), which is much faster than uploading them; Radicale reads the folder as it is.
func seedFiles(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // G301: Radicale, usually another user, must read the folder
		return err
	}
	if err := os.WriteFile(dir+"/.Radicale.props", []byte(`{"tag": "VCALENDAR"}`), 0o644); err != nil { //nolint:gosec // G306: Radicale, usually another user, must read it
		return err
	}
	base := seedBase()
	for i := 0; i < n; i++ {
		body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davbench//EN\r\n" + event(i, base) + "END:VCALENDAR\r\n"
		if err := os.WriteFile(fmt.Sprintf("%s/bench-%06d.ics", dir, i), []byte(body), 0o644); err != nil { //nolint:gosec // G306: Radicale, usually another user, must read it
			return err
		}
	}
	return nil
}

// seed writes n events like the vdirsyncer benchmark's generator (an organizer and an attendee each), one every 3
// hours from 10 days ago, as one VCALENDAR PUT to a new collection URL (Radicale creates the calendar from it).
func seed(ctx context.Context, raw string, n int) error {
	set, path, err := split(raw)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davbench//EN\r\n")
	base := seedBase()
	for i := 0; i < n; i++ {
		buf.WriteString(event(i, base))
	}
	buf.WriteString("END:VCALENDAR\r\n")
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, strings.TrimSuffix(set.URL, "/")+path, &buf) //nolint:gosec // G704: operator-supplied benchmark URL
	if err != nil {
		return err
	}
	req.SetBasicAuth(set.Username, set.Password)
	req.Header.Set("Content-Type", "text/calendar")
	resp, err := http.DefaultClient.Do(req) //nolint:gosec // G704: operator-supplied benchmark URL
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("seed PUT: HTTP %d", resp.StatusCode)
	}
	return nil
}

func syncRuns(ctx context.Context, a, b, dir string, verbose bool, inFlight, runs int) error {
	if dir == "" {
		return fmt.Errorf("-state is required")
	}
	if runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	db, err := kv.Open(kv.Options{Dir: dir})
	if err != nil {
		return err
	}
	defer db.Close()
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ct := &countingTransport{base: http.DefaultTransport, n: map[string]int{}, d: map[string]time.Duration{}}
	// Secrets as in the appliance: the connectors keep what they learned about the servers between processes.
	e, err := engine.New(engine.Config{KV: db, Logger: log, Connectors: map[string]engine.Factory{dav.Type: dav.New}, Secrets: engine.KVSecrets(db),
		HTTP: &http.Client{Transport: ct, Timeout: 2 * time.Minute}})
	if err != nil {
		return err
	}
	if err := e.Recover(ctx); err != nil {
		return err
	}
	ref := func(raw, inst string) (engine.SystemRef, error) {
		set, path, err := split(raw)
		if err != nil {
			return engine.SystemRef{}, err
		}
		set.Calendar = path
		set.MaxInFlight = inFlight
		js, _ := json.Marshal(set) //nolint:gosec // G117: the engine's connector settings carry the password by design
		return engine.SystemRef{Type: dav.Type, Instance: inst, Settings: js}, nil
	}
	ra, err := ref(a, "a")
	if err != nil {
		return err
	}
	rb, err := ref(b, "b")
	if err != nil {
		return err
	}
	big := engine.Threshold{Count: 1 << 30, Percent: 100}
	if _, err := e.PutProfile(engine.Profile{ID: "bench", Name: "bench", CRM: ra, Mailbox: rb, DaysBack: 3650, DaysAhead: 3650,
		Directions: map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}, Policy: engine.PolicyCRMWins,
		Guard: engine.Guard{Deletes: big, Creates: big, ProfileDeletes: 1 << 30, ProfileCreates: 1 << 30, ProfileWindow: 3600}}); err != nil {
		return err
	}
	if _, err := e.User("bench", "u"); err != nil {
		if _, err := e.LinkUser("bench", engine.LinkedUser{ID: "u", CRM: engine.Account{ID: "a", Email: "alice@example.com"},
			Mailbox: engine.Account{ID: "b", Email: "alice@example.com"}}); err != nil {
			return err
		}
	}
	// Several runs in one process measure what a long-running server does: the first run pays process start-up
	// (discovery, the first request on each connection, badger opening) and the echoes of the previous process's
	// writes; later runs are the steady-state poll of the same engine and connectors.
	for i := 1; i <= runs; i++ {
		ct.reset()
		start := time.Now()
		id, err := e.RunSync(ctx, "bench", "u", engine.KindAppointment, "bench")
		wall := time.Since(start)
		run, _, _ := e.Run(id)
		fmt.Printf("run %d/%d %s: status %s in %s, counts %+v\n", i, runs, id, run.Status, wall.Round(time.Millisecond), run.Counts)
		fmt.Printf("requests %d/%d: %s\n", i, runs, ct)
		if err != nil {
			return fmt.Errorf("sync: %w (%s)", err, run.Error)
		}
	}
	return nil
}

func modify(ctx context.Context, raw string, updates, deletes int) error {
	set, path, err := split(raw)
	if err != nil {
		return err
	}
	conn, err := dav.NewConnector(set, engine.Env{})
	if err != nil {
		return err
	}
	s, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment, Container: path})
	if err != nil {
		return err
	}
	page, err := s.Changes(ctx, "")
	if err != nil {
		return err
	}
	ch := page.Changes
	sort.Slice(ch, func(i, j int) bool { return ch[i].ID < ch[j].ID })
	if len(ch) < updates+deletes {
		return fmt.Errorf("the collection holds %d events, fewer than %d", len(ch), updates+deletes)
	}
	for _, c := range ch[:updates] {
		a := c.Item.(*engine.Appointment)
		a.Title += " (updated)"
		if _, err := s.Update(ctx, c.ID, c.Version, a); err != nil {
			return err
		}
	}
	for _, c := range ch[updates : updates+deletes] {
		if err := s.Delete(ctx, c.ID, c.Version); err != nil {
			return err
		}
	}
	fmt.Printf("updated %d, deleted %d of %d events\n", updates, deletes, len(ch))
	return nil
}

// countingTransport counts requests and their total latency by method.
type countingTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
	d    map[string]time.Duration
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	st := time.Now()
	resp, err := c.base.RoundTrip(r)
	c.mu.Lock()
	c.n[r.Method]++
	c.d[r.Method] += time.Since(st)
	c.mu.Unlock()
	return resp, err
}

func (c *countingTransport) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = map[string]int{}
	c.d = map[string]time.Duration{}
}

func (c *countingTransport) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var parts []string
	for m, n := range c.n {
		parts = append(parts, fmt.Sprintf("%s %d (%s total)", m, n, c.d[m].Round(time.Millisecond)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// poll is one connector-level change listing, as the engine's run starts: a full listing with content when the
// cursor file is missing, else the changes since the saved cursor. It saves the next cursor.
func poll(ctx context.Context, raw, file string) error {
	if file == "" {
		return fmt.Errorf("-cursor is required")
	}
	set, path, err := split(raw)
	if err != nil {
		return err
	}
	conn, err := dav.NewConnector(set, engine.Env{})
	if err != nil {
		return err
	}
	s, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment, Container: path})
	if err != nil {
		return err
	}
	cur, _ := os.ReadFile(file) //nolint:gosec // G304: the cursor path is the operator's own -cursor flag
	start := time.Now()
	total := 0
	next := string(cur)
	for {
		page, err := s.Changes(ctx, next)
		if err != nil {
			return err
		}
		total += len(page.Changes)
		next = page.Next
		if !page.More {
			break
		}
	}
	fmt.Printf("poll: %d changes in %s\n", total, time.Since(start).Round(time.Millisecond))
	return os.WriteFile(file, []byte(next), 0o600) //nolint:gosec // G703: the cursor path is the operator's own -cursor flag
}
