package dav

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

// fakeDAV is a calendar collection at /cal/ holding nothing, that counts requests by method. Its sync token is
// token; with missing set, the collection answers 404 to everything.
type fakeDAV struct {
	mu      sync.Mutex
	n       map[string]int
	token   string
	ctag    string
	missing bool
	davical bool
}

func (f *fakeDAV) count() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.n {
		out[k] = v
	}
	f.n = map[string]int{}
	return out
}

func (f *fakeDAV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.n[r.Method]++
	missing, token, ctag := f.missing, f.token, f.ctag
	f.mu.Unlock()
	if f.davical {
		w.Header().Set("X-DAViCal-Version", "DAViCal/1.1.12; DB/1.3.5")
	}
	if missing || r.URL.Path != "/cal/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusMultiStatus)
	switch {
	case r.Method == "PROPFIND":
		fmt.Fprintf(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">`+
			`<D:response><D:href>/cal/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>`+
			`<D:sync-token>%s</D:sync-token><CS:getctag>%s</CS:getctag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
			token, ctag)
	case r.Method == "REPORT" && strings.Contains(string(body), "sync-collection"):
		fmt.Fprintf(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:sync-token>%s</D:sync-token></D:multistatus>`, token)
	default:
		fmt.Fprint(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"/>`)
	}
}

func newFake(t *testing.T, f *fakeDAV) *Connector {
	t.Helper()
	f.n = map[string]int{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	conn, err := NewConnector(Settings{URL: srv.URL + "/", Calendar: "/cal/"}, engine.Env{Governor: engine.NoLimits{}})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// A no-change poll with a saved sync token is one sync-collection REPORT: no getctag PROPFIND, no re-check of the
// collection on a second Open, and a complete page (no ListIDs reconciliation by the engine).
func TestNoChangePollIsOneReport(t *testing.T) {
	t.Parallel()
	f := &fakeDAV{token: "http://radicale.org/ns/sync/abc", ctag: "c1"}
	conn := newFake(t, f)
	ctx := context.Background()
	s, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment})
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Changes(ctx, "")
	if err != nil || !page.Complete {
		t.Fatalf("full listing: %+v %v", page, err)
	}
	f.count()
	for i := 0; i < 3; i++ {
		s, err = conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment})
		if err != nil {
			t.Fatal(err)
		}
		page, err = s.Changes(ctx, page.Next)
		if err != nil || !page.Complete || len(page.Changes) != 0 {
			t.Fatalf("poll %d: %+v %v", i, page, err)
		}
		if n := f.count(); n["REPORT"] != 1 || len(n) != 1 {
			t.Fatalf("poll %d sent %v, want one REPORT", i, n)
		}
	}
	// A cursor of another collection is expired.
	other := conn.collection(context.Background(), "/other/", engine.KindAppointment, "")
	if _, err := other.Changes(ctx, page.Next); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("a cursor of /cal/ used on /other/: %v, want ErrCursorExpired", err)
	}
}

// DAViCal answers an unknown token with an empty result; a getctag change is how that is detected, so its polls
// keep the PROPFIND (recognised by the "data:," token or the X-DAViCal-Version header).
func TestDAViCalPollsReadGetctag(t *testing.T) {
	t.Parallel()
	for _, f := range []*fakeDAV{{token: "data:,7", ctag: "c1"}, {token: "opaque-7", ctag: "c1", davical: true}} {
		conn := newFake(t, f)
		ctx := context.Background()
		s, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment})
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.Changes(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		f.count()
		if _, err := s.Changes(ctx, page.Next); err != nil {
			t.Fatal(err)
		}
		if n := f.count(); n["PROPFIND"] != 1 {
			t.Errorf("token %s: poll sent %v, want the getctag PROPFIND", f.token, n)
		}
		// getctag changed, nothing listed: the silent empty answer → expired, etag listings from now on.
		f.mu.Lock()
		f.ctag = "c2"
		f.mu.Unlock()
		if _, err := s.Changes(ctx, page.Next); !errors.Is(err, engine.ErrCursorExpired) {
			t.Errorf("token %s: silent empty answer: %v, want ErrCursorExpired", f.token, err)
		}
	}
}

// A collection that answers 404 is found again on the next Open.
func TestOpenChecksAgainAfterNotFound(t *testing.T) {
	t.Parallel()
	f := &fakeDAV{token: "http://radicale.org/ns/sync/abc", ctag: "c1"}
	conn := newFake(t, f)
	ctx := context.Background()
	s, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(); n["PROPFIND"] != 1 {
		t.Fatalf("first open sent %v, want one PROPFIND", n)
	}
	page, err := s.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.missing = true
	f.mu.Unlock()
	if _, err := s.Changes(ctx, page.Next); err == nil {
		t.Fatal("a poll of a missing collection succeeded")
	}
	if _, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment}); err == nil {
		t.Fatal("open of a missing collection succeeded: the connector did not check again")
	}
}
