package dav_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav"
)

// mapSecrets is an in-memory engine.Secrets shared by the connectors of one test, like the instance's secret store
// shared by the connectors of successive processes.
type mapSecrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *mapSecrets) Get(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, engine.ErrNotFound)
	}
	return v, nil
}

func (s *mapSecrets) Put(_ context.Context, name string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[name] = append([]byte(nil), v...)
	return nil
}

func (s *mapSecrets) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, name)
	return nil
}

// probeCounter counts the requests that probe the server: delete-probe PUTs and sync-collection REPORTs.
type probeCounter struct {
	mu          sync.Mutex
	probePUTs   int // distinct probe resources PUT: a request retried after a dropped connection (SOGo) counts once
	probePaths  map[string]bool
	syncReports int
}

func (c *probeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	c.mu.Lock()
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "synchronizer-probe-") && !c.probePaths[r.URL.Path] {
		if c.probePaths == nil {
			c.probePaths = map[string]bool{}
		}
		c.probePaths[r.URL.Path] = true
		c.probePUTs++
	}
	if r.Method == "REPORT" && bytes.Contains(body, []byte("sync-collection")) {
		c.syncReports++
	}
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestIntegrationLearnedQuirksSurviveOpen: what one process learned about a real server (the DELETE If-Match probe;
// on Xandikos, the HTTP 500 for an unknown sync token) is not paid for again by the next process that shares the
// secret store: no probe PUT, and on Xandikos no sync-collection REPORT at all.
func TestIntegrationLearnedQuirksSurviveOpen(t *testing.T) {
	forEachPeer(t, func(t *testing.T, p *peer) {
		ctx := context.Background()
		href := p.newCalendar(t)
		secrets := &mapSecrets{}
		open := func() (*dav.Collection, *probeCounter) {
			t.Helper()
			pc := &probeCounter{}
			set := p.settings
			set.Calendar = href
			conn, err := dav.NewConnector(set, engine.Env{Governor: engine.NoLimits{}, Secrets: secrets,
				HTTP: &http.Client{Transport: pc, Timeout: time.Minute}})
			if err != nil {
				t.Fatal(err)
			}
			s, err := conn.OpenCollection(ctx, engine.Scope{Kind: engine.KindAppointment})
			if err != nil {
				t.Fatal(err)
			}
			return s, pc
		}
		st := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		create := func(s *dav.Collection, i int) engine.Remote {
			t.Helper()
			r, err := s.Create(ctx, &engine.Appointment{Title: fmt.Sprintf("learned %d", i), Start: st.Add(time.Duration(i) * time.Hour),
				End: st.Add(time.Duration(i)*time.Hour + 30*time.Minute)}, fmt.Sprintf("learned-%d-%d", i, time.Now().UnixNano()))
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		// First process: list, poll with a token the server does not know, delete one item (the probe).
		s1, pc1 := open()
		a, b := create(s1, 0), create(s1, 1)
		if _, err := s1.Changes(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s1.Changes(ctx, dav.CursorForToken("http://example.invalid/ns/sync/unknown", "")); err != nil &&
			!errors.Is(err, engine.ErrCursorExpired) {
			t.Fatalf("poll with an unknown token: %v", err)
		}
		if err := s1.Delete(ctx, a.ID, a.Version); err != nil {
			t.Fatal(err)
		}
		if pc1.probePUTs != 1 {
			t.Fatalf("first process: %d delete-probe PUTs, want 1", pc1.probePUTs)
		}

		// Second process, same secret store: full listing, a poll, a delete.
		s2, pc2 := open()
		page, err := s2.Changes(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		create(s2, 2)
		if _, err := s2.Changes(ctx, page.Next); err != nil {
			t.Fatalf("second process: poll: %v", err)
		}
		if err := s2.Delete(ctx, b.ID, b.Version); err != nil {
			t.Fatal(err)
		}
		if pc2.probePUTs != 0 {
			t.Fatalf("second process: %d delete-probe PUTs, want none (learned)", pc2.probePUTs)
		}
		if p.name == "xandikos" && pc2.syncReports != 0 {
			t.Fatalf("second process: %d sync-collection REPORTs on Xandikos, want none (the fallback was learned)", pc2.syncReports)
		}
	})
}
