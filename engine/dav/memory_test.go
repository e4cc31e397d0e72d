package dav

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

// eachResponse must read exactly what parseMultistatus reads: every response in order, the top-level sync-token,
// and nothing from unknown elements; bad XML is an error for both.
func TestEachResponseMatchesParseMultistatus(t *testing.T) {
	cases := []struct{ name, body string }{
		{"listing", `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/cal/</D:href><D:propstat><D:prop>` +
			`<D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>` +
			`<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>` +
			`<D:propstat><D:prop><D:getcontenttype/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>`},
		{"sync-collection with token and removed member", `<multistatus xmlns="DAV:"><response><href>/cal/b.ics</href><status>HTTP/1.1 404 Not Found</status></response>` +
			`<response><href>/cal/c.ics</href><propstat><prop><getetag>"2"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>` +
			`<sync-token>http://example.com/ns/sync/7</sync-token></multistatus>`},
		{"multiget with data and unknown elements", `<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:X="urn:x">` +
			`<X:extra><D:response><D:href>/not/a/member</D:href></D:response></X:extra>` +
			`<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag><C:calendar-data>BEGIN:VCALENDAR&#13;
END:VCALENDAR&#13;
</C:calendar-data><X:other>x</X:other></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>` +
			`<D:responsedescription>fine</D:responsedescription></D:multistatus>`},
		{"empty", `<D:multistatus xmlns:D="DAV:"/>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, err := parseMultistatus([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var got []msResponse
			tok, err := eachResponse([]byte(tc.body), func(r *msResponse) error {
				got = append(got, *r)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if tok != want.SyncToken {
				t.Errorf("sync token %q, want %q", tok, want.SyncToken)
			}
			if len(got) != len(want.Responses) || (len(got) > 0 && !reflect.DeepEqual(got, want.Responses)) {
				t.Errorf("responses\n%+v\nwant\n%+v", got, want.Responses)
			}
		})
	}
	for _, bad := range []string{"", "<D:multistatus xmlns:D=\"DAV:\"><D:response>", "not xml at all <"} {
		if _, err := eachResponse([]byte(bad), func(*msResponse) error { return nil }); err == nil {
			t.Errorf("eachResponse(%q): no error", bad)
		}
	}
	stop := io.ErrClosedPipe
	if _, err := eachResponse([]byte(cases[0].body), func(*msResponse) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("the callback's error is not returned: %v", err)
	}
}

// memDAV is a calendar collection at /cal/ holding one event with properties the connector does not map; it
// records the requests it gets, in order, and stores what is PUT.
type memDAV struct {
	mu   sync.Mutex
	log  []string
	body string
	etag string
	put  string
}

const memEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:kept\r\nBEGIN:VEVENT\r\n" +
	"UID:e1@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250301T090000Z\r\nDTEND:20250301T100000Z\r\n" +
	"SUMMARY:Old title\r\nX-CUSTOM;X-PARAM=1:keep me\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\n" +
	"DESCRIPTION:alarm\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func (f *memDAV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqBody, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, r.Method+" "+r.Header.Get("Depth"))
	ms := func(inner string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		_, _ = io.WriteString(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`+inner+`</D:multistatus>`)
	}
	switch {
	case r.Method == "PROPFIND" && r.Header.Get("Depth") == "0":
		ms(`<D:response><D:href>/cal/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>` +
			`<D:sync-token>tok-1</D:sync-token></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
	case r.Method == "PROPFIND":
		ms(`<D:response><D:href>/cal/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop>` +
			`<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/cal/e1.ics</D:href><D:propstat><D:prop>` +
			`<D:getetag>` + f.etag + `</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
	case r.Method == "REPORT" && strings.Contains(string(reqBody), "calendar-multiget"):
		ms(`<D:response><D:href>/cal/e1.ics</D:href><D:propstat><D:prop><D:getetag>` + f.etag + `</D:getetag><C:calendar-data>` +
			escapeXML(f.body) + `</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
	case r.Method == http.MethodPut && r.URL.Path == "/cal/e1.ics":
		if r.Header.Get("If-Match") != f.etag {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		f.put, f.body, f.etag = string(reqBody), string(reqBody), `"2"`
		w.Header().Set("ETag", f.etag)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && r.URL.Path == "/cal/e1.ics":
		w.Header().Set("ETag", f.etag)
		_, _ = io.WriteString(w, f.body)
	default:
		http.Error(w, "unexpected", http.StatusBadRequest)
	}
}

// An update merges into the text the full listing read (kept raw, parsed again for the merge): no second read
// of the resource before the PUT, and every property, parameter and component the connector does not map is
// written back unchanged.
func TestUpdateMergesIntoCachedRawText(t *testing.T) {
	f := &memDAV{body: memEvent, etag: `"1"`}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	conn, err := NewConnector(Settings{URL: srv.URL + "/", Calendar: "/cal/"}, engine.Env{Governor: engine.NoLimits{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment, Container: "/cal/"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Changes) != 1 {
		t.Fatalf("listed %d changes, want 1", len(page.Changes))
	}
	s := st
	s.mu.Lock()
	c := s.cache["/cal/e1.ics"]
	s.mu.Unlock()
	if string(c.raw) != memEvent || c.etag != `"1"` {
		t.Fatalf("cached %q at %s, want the server's text at \"1\"", c.raw, c.etag)
	}
	ch := page.Changes[0]
	a := ch.Item.(*engine.Appointment)
	a.Title = "New title"
	f.mu.Lock()
	f.log = nil
	f.mu.Unlock()
	if _, err := st.Update(ctx, ch.ID, ch.Version, a); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.log) == 0 || f.log[0] != "PUT " {
		t.Errorf("requests %v: the update read the resource again before its PUT", f.log)
	}
	for _, want := range []string{"X-WR-CALNAME:kept", "X-CUSTOM;X-PARAM=1:keep me", "BEGIN:VALARM", "TRIGGER:-PT15M", "SUMMARY:New title"} {
		if !strings.Contains(f.put, want) {
			t.Errorf("the PUT lost %q:\n%s", want, f.put)
		}
	}
	if strings.Contains(f.put, "Old title") {
		t.Errorf("the PUT kept the old title:\n%s", f.put)
	}
}

// A cached text that no longer parses (it cannot happen through decode, which parsed it once) is an item error
// naming the resource, not a panic or a write of nothing.
func TestUpdateWithUnparsableCachedText(t *testing.T) {
	f := &memDAV{body: memEvent, etag: `"1"`}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	conn, err := NewConnector(Settings{URL: srv.URL + "/", Calendar: "/cal/"}, engine.Env{Governor: engine.NoLimits{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment, Container: "/cal/"})
	if err != nil {
		t.Fatal(err)
	}
	s := st
	s.mu.Lock()
	s.cache["/cal/e1.ics"] = cached{etag: `"1"`, raw: []byte("BEGIN:VCALENDAR\r\n")}
	s.mu.Unlock()
	_, err = st.Update(ctx, "/cal/e1.ics", `"1"`, &engine.Appointment{Title: "x"})
	var ie *engine.ItemError
	if !errors.As(err, &ie) || ie.ID != "/cal/e1.ics" {
		t.Fatalf("err = %v, want an item error naming /cal/e1.ics", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.put != "" {
		t.Errorf("something was written: %q", f.put)
	}
}

// Beyond the cache budget a listing keeps no text; an update of such an item reads it with a GET first (not from
// the listing's objects) and still writes back every property it does not map. After the write nothing is kept.
func TestUpdateBeyondCacheBudget(t *testing.T) {
	f := &memDAV{body: memEvent, etag: `"1"`}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	conn, err := NewConnector(Settings{URL: srv.URL + "/", Calendar: "/cal/"}, engine.Env{Governor: engine.NoLimits{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment, Container: "/cal/"})
	if err != nil {
		t.Fatal(err)
	}
	s.budget = len(memEvent) - 1
	page, err := s.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	n, bytes := len(s.cache), s.cacheBytes
	s.mu.Unlock()
	if len(page.Changes) != 1 || n != 0 || bytes != 0 {
		t.Fatalf("listed %d, kept %d texts (%d bytes); want 1 listed and nothing kept", len(page.Changes), n, bytes)
	}
	ch := page.Changes[0]
	a := ch.Item.(*engine.Appointment)
	a.Title = "New title"
	f.mu.Lock()
	f.log = nil
	f.mu.Unlock()
	if _, err := s.Update(ctx, ch.ID, ch.Version, a); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	log, put := f.log, f.put
	f.mu.Unlock()
	if len(log) < 2 || log[0] != "GET " || log[1] != "PUT " {
		t.Errorf("requests %v, want a GET of the base and then the PUT", log)
	}
	for _, want := range []string{"X-WR-CALNAME:kept", "X-CUSTOM;X-PARAM=1:keep me", "BEGIN:VALARM", "SUMMARY:New title"} {
		if !strings.Contains(put, want) {
			t.Errorf("the PUT lost %q:\n%s", want, put)
		}
	}
	s.mu.Lock()
	n, bytes = len(s.cache), s.cacheBytes
	s.mu.Unlock()
	if n != 0 || bytes != 0 {
		t.Errorf("after the write %d texts (%d bytes) are kept, want none", n, bytes)
	}
	// A stale version is a precondition failure found by the GET, not a write.
	f.mu.Lock()
	f.put = ""
	f.mu.Unlock()
	if _, err := s.Update(ctx, ch.ID, `"1"`, a); !errors.Is(err, engine.ErrPrecondition) {
		t.Errorf("update at a stale version: %v, want ErrPrecondition", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.put != "" {
		t.Errorf("the stale update wrote: %q", f.put)
	}
}
