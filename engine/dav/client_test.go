package dav

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

// droppingServer closes the connection after every answer without "Connection: close", as sogod does, and drops
// every other request without answering at all (a connection reset in the middle of a call). It returns the base
// URL.
func droppingServer(t *testing.T, served *atomic.Int32) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				if served.Add(1)%2 == 1 {
					return // every other request: the connection dies before an answer
				}
				body := `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:response><D:href>` +
					req.URL.Path + `</D:href><D:propstat><D:prop><D:sync-token>tok-1</D:sync-token><CS:getctag>c1</CS:getctag></D:prop>` +
					`<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`
				// Connection: close, like the servers this emulates: the client must not send the next request on this
				// connection (a write to an already closed pooled connection would never reach the handler and the
				// count below would miss it).
				fmt.Fprintf(c, "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			}(c)
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

func TestRetriesWhenTheServerDropsTheConnection(t *testing.T) {
	t.Parallel()
	var served atomic.Int32
	u := droppingServer(t, &served)
	for _, retries := range []int{3, 0} {
		conn, err := NewConnector(Settings{URL: u}, engine.Env{Governor: engine.NoLimits{}})
		if err != nil {
			t.Fatal(err)
		}
		conn.c.retries = retries
		s := conn.collection(context.Background(), "/cal/", engine.KindAppointment, "")
		failures := 0
		for i := 0; i < 20; i++ {
			if _, _, err := s.state(context.Background()); err != nil {
				failures++
			}
		}
		switch {
		case retries > 0 && failures > 0:
			t.Errorf("with retries, %d of 20 requests failed", failures)
		case retries == 0 && failures == 0:
			t.Errorf("without retries no request failed: the test server does not drop connections")
		}
	}
	// A PUT without a precondition is not safe to repeat: it fails instead of being sent twice.
	conn, _ := NewConnector(Settings{URL: u}, engine.Env{})
	before := served.Load()
	for served.Load()%2 != 0 { // make the next request the dropped one
		_, _ = conn.c.do(context.Background(), "GET", "/x", nil, nil)
		before = served.Load()
	}
	if _, err := conn.c.do(context.Background(), "PUT", "/x.ics", map[string]string{"Content-Type": "text/calendar"}, []byte("x")); err == nil {
		t.Errorf("an unconditional PUT on a dying connection succeeded")
	}
	if n := served.Load() - before; n != 1 {
		t.Errorf("the unconditional PUT was sent %d times, want 1", n)
	}
}

func TestSafeToRetry(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		method string
		hdr    map[string]string
		want   bool
	}{
		{"PROPFIND", nil, true}, {"REPORT", nil, true}, {"GET", nil, true},
		{"PUT", map[string]string{"If-None-Match": "*"}, true}, {"PUT", map[string]string{"If-Match": `"e"`}, true},
		{"PUT", nil, false}, {"DELETE", nil, false}, {"DELETE", map[string]string{"If-Match": `"e"`}, true},
	} {
		if got := safeToRetry(c.method, c.hdr); got != c.want {
			t.Errorf("safeToRetry(%s, %v) = %v", c.method, c.hdr, got)
		}
	}
}
