package dav

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// memSecrets is an in-memory engine.Secrets (the appliance's is kv-backed and encrypted).
type memSecrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (m *memSecrets) Get(_ context.Context, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[name]
	if !ok {
		return nil, fmt.Errorf("secret %s: %w", name, engine.ErrNotFound)
	}
	return append([]byte(nil), v...), nil
}

func (m *memSecrets) Put(_ context.Context, name string, v []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string][]byte{}
	}
	m.m[name] = append([]byte(nil), v...)
	return nil
}

func (m *memSecrets) Delete(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, name)
	return nil
}

// quirkyDAV is a small stateful calendar collection at /cal/ with configurable misbehaviour: an unknown or any
// non-empty sync token answered with HTTP 500 (Xandikos), If-Match ignored on DELETE and If-None-Match ignored on
// PUT (SOGo). It counts requests by method, and sync-collection REPORTs and probe PUTs on their own.
type quirkyDAV struct {
	mu                  sync.Mutex
	items               map[string]fakeItem // path → item
	seq                 int
	tombs               map[string]int // deleted path → seq
	server              string
	tokens500           bool
	ignoreDeleteIfMatch bool
	n                   map[string]int
}

type fakeItem struct {
	body string
	etag string
	seq  int
}

var hrefRe = regexp.MustCompile(`<D:href>([^<]+)</D:href>`)

func (f *quirkyDAV) count() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.n
	f.n = map[string]int{}
	return out
}

func (f *quirkyDAV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[string]int{}
	}
	f.n[r.Method]++
	if f.server != "" {
		w.Header().Set("Server", f.server)
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/cal/") {
		http.NotFound(w, r)
		return
	}
	ms := func(inner string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprint(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">`+inner+`</D:multistatus>`)
	}
	member := func(h string, it fakeItem, data bool) string {
		x := `<D:response><D:href>` + h + `</D:href><D:propstat><D:prop><D:getetag>` + it.etag + `</D:getetag>`
		if data {
			x += `<C:calendar-data>` + escapeXML(it.body) + `</C:calendar-data>`
		}
		return x + `</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`
	}
	token := "tok-" + strconv.Itoa(f.seq)
	switch {
	case r.Method == "PROPFIND" && p == "/cal/":
		x := `<D:response><D:href>/cal/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>` +
			`<D:sync-token>` + token + `</D:sync-token><CS:getctag>` + token + `</CS:getctag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`
		if r.Header.Get("Depth") == "1" {
			for _, h := range f.sorted() {
				x += member(h, f.items[h], false)
			}
		}
		ms(x)
	case r.Method == "PROPFIND":
		it, ok := f.items[p]
		if !ok {
			http.NotFound(w, r)
			return
		}
		ms(member(p, it, false))
	case r.Method == "REPORT" && strings.Contains(string(body), "sync-collection"):
		f.n["sync-collection"]++
		m := regexp.MustCompile(`<D:sync-token>([^<]*)</D:sync-token>`).FindStringSubmatch(string(body))
		since := 0
		if m != nil && m[1] != "" {
			if f.tokens500 {
				http.Error(w, "AssertionError: Invalid object name", http.StatusInternalServerError)
				return
			}
			n, err := strconv.Atoi(strings.TrimPrefix(m[1], "tok-"))
			if err != nil {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, `<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>`)
				return
			}
			since = n
		}
		x := `<D:sync-token>` + token + `</D:sync-token>`
		for _, h := range f.sorted() {
			if it := f.items[h]; it.seq > since {
				x += member(h, it, false)
			}
		}
		for h, s := range f.tombs {
			if s > since {
				x += `<D:response><D:href>` + h + `</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>`
			}
		}
		ms(x)
	case r.Method == "REPORT":
		x := ""
		for _, m := range hrefRe.FindAllStringSubmatch(string(body), -1) {
			if it, ok := f.items[m[1]]; ok {
				x += member(m[1], it, true)
			}
		}
		ms(x)
	case r.Method == http.MethodGet:
		it, ok := f.items[p]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", it.etag)
		fmt.Fprint(w, it.body)
	case r.Method == http.MethodPut:
		if strings.Contains(p, "synchronizer-probe-") {
			f.n["probe"]++
		}
		it, exists := f.items[p]
		if r.Header.Get("If-None-Match") == "*" && exists {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		if im := r.Header.Get("If-Match"); im != "" && (!exists || im != it.etag) {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		f.seq++
		etag := `"e` + strconv.Itoa(f.seq) + `"`
		f.items[p] = fakeItem{body: string(body), etag: etag, seq: f.seq}
		delete(f.tombs, p)
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodDelete:
		it, exists := f.items[p]
		if !exists {
			http.NotFound(w, r)
			return
		}
		if im := r.Header.Get("If-Match"); im != "" && im != it.etag && !f.ignoreDeleteIfMatch {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		f.seq++
		delete(f.items, p)
		f.tombs[p] = f.seq
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (f *quirkyDAV) sorted() []string {
	var out []string
	for h := range f.items {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// put stores a resource as another client would.
func (f *quirkyDAV) put(href, uid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	f.items[href] = fakeItem{
		body: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//other//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
			"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\nDTEND:20260301T110000Z\r\nSUMMARY:other client\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		etag: `"e` + strconv.Itoa(f.seq) + `"`, seq: f.seq,
	}
}

type quirkEnv struct {
	url     string
	secrets *memSecrets
	now     time.Time
}

// open builds a new connector (as a new process would) on the fake and opens its calendar.
func (q *quirkEnv) open(t *testing.T) (*Connector, *Collection) {
	t.Helper()
	now := q.now
	conn, err := NewConnector(Settings{URL: q.url + "/", Calendar: "/cal/"},
		engine.Env{Governor: engine.NoLimits{}, Secrets: q.secrets, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s, err := conn.OpenCollection(context.Background(), engine.Scope{Kind: engine.KindAppointment})
	if err != nil {
		t.Fatal(err)
	}
	return conn, s
}

func newQuirky(t *testing.T, f *quirkyDAV) *quirkEnv {
	t.Helper()
	f.items = map[string]fakeItem{}
	f.tombs = map[string]int{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &quirkEnv{url: srv.URL, secrets: &memSecrets{}, now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
}

func appt(i int) *engine.Appointment {
	st := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	return &engine.Appointment{Title: fmt.Sprintf("ev %d", i), Start: st, End: st.Add(30 * time.Minute)}
}

// A server that answers a sync token with HTTP 500 (Xandikos) is probed once: the connector falls back to etag
// listings and remembers it, so a later Open — the same connector or a new process with the same secret store —
// sends no sync-collection REPORT at all, until the record expires after 24 h.
func TestLearnedTokenFallbackSurvivesOpen(t *testing.T) {
	ctx := context.Background()
	f := &quirkyDAV{tokens500: true, server: "Xandikos/0.2.8"}
	q := newQuirky(t, f)
	f.put("/cal/a.ics", "a")

	_, s1 := q.open(t)
	page, err := s1.Changes(ctx, "")
	if err != nil || len(page.Changes) != 1 {
		t.Fatalf("full listing: %v, %d changes", err, len(page.Changes))
	}
	if _, err := s1.Changes(ctx, page.Next); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("a 500 on the token must expire the cursor, got %v", err)
	}
	if n := f.count()["sync-collection"]; n != 1 { // the token came with the PROPFIND; the REPORT got the 500
		t.Fatalf("first process: %d sync-collection reports, want 1", n)
	}

	for i, name := range []string{"same connector, second Open", "new process"} {
		var s *Collection
		if name == "new process" {
			_, s = q.open(t)
		} else {
			var err error
			s, err = s1.conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment})
			if err != nil {
				t.Fatal(err)
			}
		}
		page, err := s.Changes(ctx, "")
		if err != nil || len(page.Changes) != 1+i {
			t.Fatalf("%s: full listing: %v, %d changes, want %d", name, err, len(page.Changes), 1+i)
		}
		if c, _ := decodeCursor(page.Next); c.Mode != "e" {
			t.Fatalf("%s: cursor mode %q, want the etag-listing mode", name, c.Mode)
		}
		f.put("/cal/b-"+strings.ReplaceAll(name, " ", "-")+".ics", "b"+name)
		page, err = s.Changes(ctx, page.Next)
		if err != nil || len(page.Changes) != 1 {
			t.Fatalf("%s: etag-listing poll: %v, %d changes", name, err, len(page.Changes))
		}
		if n := f.count()["sync-collection"]; n != 0 {
			t.Fatalf("%s: %d sync-collection reports, want none (the fallback was learned)", name, n)
		}
	}

	// 25 hours later the record has expired: the connector tries sync-collection again.
	q.now = q.now.Add(25 * time.Hour)
	_, s := q.open(t)
	page, err = s.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := decodeCursor(page.Next); c.Mode != "s" {
		t.Fatalf("after expiry: cursor mode %q, want a sync-token cursor", c.Mode)
	}
	if _, err := s.Changes(ctx, page.Next); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("after expiry: want the 500 again, got %v", err)
	}
	if n := f.count()["sync-collection"]; n != 1 {
		t.Fatalf("after expiry: %d sync-collection reports, want 1 (probing again)", n)
	}
}

// The DELETE If-Match probe runs once: a later process deletes without probing, until the server answers with
// another Server header (an upgrade) or the record expires.
func TestLearnedDeleteProbeSurvivesOpen(t *testing.T) {
	ctx := context.Background()
	for _, ignores := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignoresIfMatch=%v", ignores), func(t *testing.T) {
			f := &quirkyDAV{ignoreDeleteIfMatch: ignores, server: "SOGo/5.8.0"}
			q := newQuirky(t, f)
			for i := range 4 {
				f.put(fmt.Sprintf("/cal/d%d.ics", i), fmt.Sprintf("d%d", i))
			}
			del := func(s *Collection, href string) {
				t.Helper()
				etag, err := s.etagOf(ctx, href)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Delete(ctx, href, etag); err != nil {
					t.Fatalf("delete %s: %v", href, err)
				}
			}
			_, s := q.open(t)
			del(s, "/cal/d0.ics")
			if n := f.count()["probe"]; n != 1 {
				t.Fatalf("first delete: %d probes, want 1", n)
			}
			_, s = q.open(t)
			del(s, "/cal/d1.ics")
			if n := f.count()["probe"]; n != 0 {
				t.Fatalf("second process: %d probes, want none", n)
			}
			if got := s.deleteIgnoresIfMatch(ctx); got != ignores {
				t.Fatalf("learned ignoresIfMatch=%v, want %v", got, ignores)
			}
			f.mu.Lock()
			f.server = "SOGo/5.9.0"
			f.mu.Unlock()
			_, s = q.open(t) // Open's PROPFIND sees the new Server header
			del(s, "/cal/d2.ics")
			if n := f.count()["probe"]; n != 1 {
				t.Fatalf("after a server upgrade: %d probes, want 1", n)
			}
			q.now = q.now.Add(learnedTTL)
			_, s = q.open(t)
			del(s, "/cal/d3.ics")
			if n := f.count()["probe"]; n != 1 {
				t.Fatalf("after expiry: %d probes, want 1", n)
			}
		})
	}
}

// The first writes are read back to learn whether the server stores what we send; a later process trusts the
// ETags of a server that was verified, and keeps reading back on one that rewrites.
func TestLearnedWriteVerification(t *testing.T) {
	ctx := context.Background()
	f := &quirkyDAV{server: "Radicale"}
	q := newQuirky(t, f)
	_, s := q.open(t)
	for i := range verifyWrites + 1 {
		if _, err := s.Create(ctx, appt(i), fmt.Sprintf("m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count()["GET"]; n != verifyWrites {
		t.Fatalf("first process: %d read-backs, want %d", n, verifyWrites)
	}
	_, s = q.open(t)
	for i := range 2 {
		if _, err := s.Create(ctx, appt(10+i), fmt.Sprintf("n%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count()["GET"]; n != 0 {
		t.Fatalf("second process: %d read-backs, want none (the server was verified)", n)
	}

	// A record that says the server rewrites keeps every write read back.
	f2 := &quirkyDAV{server: "Radicale"}
	q2 := newQuirky(t, f2)
	raw := fmt.Sprintf(`{"/cal/":{"rewrites":true,"server":"Radicale","at":%q}}`, q2.now.Format(time.RFC3339))
	_ = q2.secrets.Put(ctx, learnedSecret, []byte(raw))
	_, s = q2.open(t)
	f2.count()
	for i := range 5 {
		if _, err := s.Create(ctx, appt(i), fmt.Sprintf("r%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := f2.count()["GET"]; n != 5 {
		t.Fatalf("a server known to rewrite: %d read-backs of 5 writes, want 5", n)
	}
}

// An unreadable record is ignored (logged) and replaced: Open still works and the quirks are learned again.
func TestLearnedUnreadableRecord(t *testing.T) {
	ctx := context.Background()
	f := &quirkyDAV{tokens500: true}
	q := newQuirky(t, f)
	_ = q.secrets.Put(ctx, learnedSecret, []byte("{not json"))
	_, s := q.open(t)
	page, err := s.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Changes(ctx, page.Next); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("want an expired cursor, got %v", err)
	}
	raw, err := q.secrets.Get(ctx, learnedSecret)
	if err != nil || !strings.Contains(string(raw), `"fallback":true`) {
		t.Fatalf("the record was not rewritten: %s, %v", raw, err)
	}
}

// Our own writes are listed once by the next sync-collection: the connector leaves them out (the engine already
// has their versions), while a change another client made — also to a resource we wrote — is reported.
func TestOwnWritesLeftOutOfTheNextListing(t *testing.T) {
	ctx := context.Background()
	f := &quirkyDAV{}
	q := newQuirky(t, f)
	conn, s := q.open(t)
	page, err := s.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var mine []engine.Remote
	for i := range 5 {
		r, err := s.Create(ctx, appt(i), fmt.Sprintf("own%d", i))
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, r)
	}
	if err := s.Delete(ctx, mine[4].ID, mine[4].Version); err != nil {
		t.Fatal(err)
	}
	f.put("/cal/other.ics", "other")                                                // another client's new event
	f.put(mine[3].ID, strings.TrimSuffix(markerOf(mine[3].ID), ".ics"))             // another client changed one of ours
	s2, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment}) // the next engine run
	if err != nil {
		t.Fatal(err)
	}
	page, err = s2.Changes(ctx, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range page.Changes {
		got = append(got, fmt.Sprintf("%s deleted=%v", ch.ID, ch.Deleted))
	}
	sort.Strings(got)
	want := []string{mine[3].ID + " deleted=false", "/cal/other.ics deleted=false"}
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("listed %v, want %v", got, want)
	}
	// Listed once: the same hrefs listed again (a repeat of the token) are reported.
	f.mu.Lock()
	f.seq++
	it := f.items[mine[0].ID]
	it.seq = f.seq
	f.items[mine[0].ID] = it
	f.mu.Unlock()
	page, err = s2.Changes(ctx, page.Next)
	if err != nil || len(page.Changes) != 1 || page.Changes[0].ID != mine[0].ID {
		t.Fatalf("a second listing of our write must be reported: %v, %+v", err, page.Changes)
	}
}

// Two Stores of one collection (appointments and tasks of the same calendar) keep what either learned.
func TestLearnedRecordsOfOneCollectionMerge(t *testing.T) {
	ctx := context.Background()
	f := &quirkyDAV{tokens500: true, ignoreDeleteIfMatch: true}
	q := newQuirky(t, f)
	f.put("/cal/a.ics", "a")
	conn, appts := q.open(t)
	tasks, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindTask})
	if err != nil {
		t.Fatal(err)
	}
	page, err := appts.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := appts.Changes(ctx, page.Next); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("want the 500 to expire the cursor, got %v", err)
	}
	if !tasks.deleteIgnoresIfMatch(ctx) { // the task store learns the delete quirk after the appointments' fallback
		t.Fatal("the probe should find If-Match ignored")
	}
	_, s := q.open(t)
	s.mu.Lock()
	fallback, probe := s.fallback, s.deleteProbe
	s.mu.Unlock()
	if !fallback || probe != 2 {
		t.Fatalf("a new process learned fallback=%v deleteProbe=%d, want true and 2", fallback, probe)
	}
}

// With etag listings (a server whose sync tokens cannot be trusted) our own writes are not downloaded again.
func TestOwnWritesLeftOutOfTheEtagListing(t *testing.T) {
	ctx := context.Background()
	f := &quirkyDAV{tokens500: true}
	q := newQuirky(t, f)
	_, s := q.open(t)
	page, err := s.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Changes(ctx, page.Next); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("want the 500 to expire the cursor, got %v", err)
	}
	page, err = s.Changes(ctx, "") // the engine's full listing after the expired cursor: etag-listing mode
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := s.Create(ctx, appt(i), fmt.Sprintf("e%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	f.put("/cal/other.ics", "other")
	f.count()
	page, err = s.Changes(ctx, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Changes) != 1 || page.Changes[0].ID != "/cal/other.ics" {
		t.Fatalf("listed %+v, want only the other client's event", page.Changes)
	}
	if n := f.count()["REPORT"]; n != 1 {
		t.Fatalf("%d REPORTs (multigets), want 1: only the other client's event is downloaded", n)
	}
}
