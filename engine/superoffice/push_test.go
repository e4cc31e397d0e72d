package superoffice_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/superoffice"
)

type triggers struct {
	mu  sync.Mutex
	got []string
}

func (s *triggers) Trigger(_ context.Context, profile, user string, kind engine.Kind, trigger string) error {
	s.mu.Lock()
	s.got = append(s.got, profile+"/"+user+"/"+string(kind))
	s.mu.Unlock()
	return nil
}

func (s *triggers) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// TestWithPushIntake registers the webhook with the real push intake (engine/push) as its target: SuperOffice's
// signed deliveries pass the intake's signature check, and a Route hook built from OwnerOf and NoteDeleted
// triggers only the owner's job and records deletions.
func TestWithPushIntake(t *testing.T) {
	tn := newTenant(t)
	ctx := context.Background()
	sink := &triggers{}
	var conn *superoffice.Connector
	// The users linked in profile p1, by associate id.
	users := map[string]string{strconv.Itoa(alice): "alice", strconv.Itoa(bob): "bob"}
	in, err := push.New(push.Options{KV: engine.NewMemKV(), Sink: sink, Route: func(ctx context.Context, ev push.Event) ([]engine.SyncRequest, bool, error) {
		entity, pk, ok := strings.Cut(ev.Resource, "/")
		n, err := strconv.Atoi(pk)
		if !ok || err != nil {
			return nil, false, nil
		}
		if ev.Type == push.TypeDeleted {
			conn.NoteDeleted(entity, int32(n))
			return nil, false, nil // the owner is unknown once deleted: every user
		}
		owner, kind, err := conn.OwnerOf(ctx, entity, int32(n))
		if err != nil || users[owner] == "" {
			return nil, false, nil
		}
		return []engine.SyncRequest{{Profile: ev.Profile, User: users[owner], Kind: kind, Trigger: "push"}}, true, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	srv := httptest.NewServer(in)
	defer srv.Close()
	env := tn.env()
	env.PublicURL = srv.URL
	conn, err = superoffice.NewConnector(tn.raw(t, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	h, err := conn.EnsureWebhook(ctx, in, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if h.State != "Active" || !strings.HasSuffix(h.TargetURL, "/hooks/superoffice/p1") {
		t.Fatalf("webhook %+v", h)
	}
	st := time.Now().Add(24 * time.Hour).UTC()
	ids, err := tn.fake.Seed(bob, superoffice.AppointmentEntity{Title: "bob's", Type: "inChecklist",
		StartDate: superoffice.FormatTime(st, time.UTC), EndDate: superoffice.FormatTime(st, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	tn.fake.Flush()
	waitFor(t, func() bool { return contains(sink.list(), "p1/bob/task") })
	if got := sink.list(); contains(got, "p1/alice/task") || contains(got, "p1/alice/appointment") {
		t.Fatalf("alice's job was triggered by bob's task: %v", got)
	}
	if err := tn.fake.Remove(ids[0], bob, false); err != nil {
		t.Fatal(err)
	}
	tn.fake.Flush()
	if w := tn.fake.Webhooks()[0]; w.ConsecutiveErrors != 0 || w.TotalCalls < 2 {
		t.Fatalf("deliveries failed: %+v", w)
	}
	// The deletion was recorded: bob's task store reports it as a tombstone on its next incremental listing.
	s := tn.open(t, conn, engine.KindTask, strconv.Itoa(bob))
	waitFor(t, func() bool {
		page, err := s.Changes(ctx, "wm:"+time.Now().UTC().Format(time.RFC3339))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			if c.ID == strconv.Itoa(int(ids[0])) && c.Deleted {
				return true
			}
		}
		return false
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
