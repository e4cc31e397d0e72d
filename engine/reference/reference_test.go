package reference_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

func open(t *testing.T, srv *reference.Server, settings string) engine.Store {
	t.Helper()
	c, err := srv.Factory()(context.Background(), json.RawMessage(settings), engine.Env{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Open(context.Background(), engine.Scope{Account: engine.Account{ID: "a"}, Kind: engine.KindTask})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func task(title string) *engine.Task { return &engine.Task{Title: title} }

func listAll(t *testing.T, st engine.Store, cursor string) ([]engine.Change, string, bool) {
	t.Helper()
	var all []engine.Change
	complete := true
	for {
		p, err := st.Changes(context.Background(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Changes...)
		complete = complete && p.Complete
		cursor = p.Next
		if !p.More {
			return all, cursor, complete
		}
	}
}

func TestChangeModels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, m := range []string{"delta", "ews", "watermark", "caldav", "caldav-broken"} {
		t.Run(m, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			srv := reference.NewServer(func() time.Time { return now })
			settings := `{"model":"` + m + `","pageSize":2}`
			if m == "caldav-broken" {
				settings = `{"model":"caldav","brokenSync":true}`
			}
			st := open(t, srv, settings)
			ids := []string{srv.Put("a", task("1")), srv.Put("a", task("2")), srv.Put("a", task("3"))}
			full, cursor, complete := listAll(t, st, "")
			if len(full) != 3 || !complete {
				t.Fatalf("full listing: %d changes, complete %v", len(full), complete)
			}
			now = now.Add(5 * time.Minute)
			if err := srv.Remove("a", engine.KindTask, ids[0]); err != nil {
				t.Fatal(err)
			}
			if err := srv.Edit("a", engine.KindTask, ids[1], func(it engine.Item) engine.Item { it.(*engine.Task).Body = "x"; return it }); err != nil {
				t.Fatal(err)
			}
			inc, _, complete := listAll(t, st, cursor)
			seen := map[string]engine.Change{}
			for _, c := range inc {
				seen[c.ID] = c
			}
			switch m {
			case "watermark":
				// No tombstones: the deletion is visible only through ListIDs.
				if _, ok := seen[ids[0]]; ok || complete {
					t.Fatalf("watermark reported %+v (complete %v)", seen, complete)
				}
				got, err := st.(engine.IDLister).ListIDs(ctx)
				if err != nil || len(got) != 2 {
					t.Fatalf("ListIDs %v %v", got, err)
				}
			case "caldav-broken":
				// Every listing is a full listing: the deleted item is simply absent.
				if _, ok := seen[ids[0]]; ok || !complete || len(inc) != 2 {
					t.Fatalf("etag listing %+v", inc)
				}
			default:
				if !seen[ids[0]].Deleted {
					t.Fatalf("no tombstone for %s: %+v", ids[0], inc)
				}
			}
			if c, ok := seen[ids[1]]; !ok || c.Version == "" {
				t.Fatalf("edit not listed: %+v", inc)
			}
		})
	}
}

func TestCursorExpiryAndPreconditions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := reference.NewServer(nil)
	st := open(t, srv, `{"model":"delta"}`)
	srv.Put("a", task("1"))
	_, cursor, _ := listAll(t, st, "")
	srv.ExpireCursors("a", engine.KindTask)
	if _, err := st.Changes(ctx, cursor); !errors.Is(err, engine.ErrCursorExpired) {
		t.Fatalf("want ErrCursorExpired, got %v", err)
	}
	r, err := st.Create(ctx, task("2"), "m-1")
	if err != nil {
		t.Fatal(err)
	}
	if f, err := st.(engine.MarkerFinder).FindByMarker(ctx, "m-1"); err != nil || f.ID != r.ID {
		t.Fatalf("find %+v %v", f, err)
	}
	if _, err := st.(engine.MarkerFinder).FindByMarker(ctx, "m-2"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("find unknown: %v", err)
	}
	if _, err := st.Update(ctx, r.ID, "stale", task("3")); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale update: %v", err)
	}
	if err := st.Delete(ctx, r.ID, "stale"); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale delete: %v", err)
	}
	if err := st.Delete(ctx, r.ID, r.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, r.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	var ie *engine.ItemError
	if _, err := st.Create(ctx, &engine.Contact{GivenName: "x"}, "m-3"); !errors.As(err, &ie) {
		t.Fatalf("wrong kind: %v", err)
	}
	if _, err := srv.Factory()(ctx, json.RawMessage(`{"model":"carrier-pigeon"}`), engine.Env{}); err == nil {
		t.Fatal("unknown model accepted")
	}
	if _, ok := open(t, srv, `{"basic":true}`).(engine.MarkerFinder); ok {
		t.Fatal("a basic store exposes MarkerFinder")
	}
}

func TestFaultsAndCounters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := reference.NewServer(nil)
	st := open(t, srv, `{"model":"ews","pageSize":10}`)
	for range 6 {
		srv.Put("a", task("t"))
	}
	srv.SetFaults(func(c reference.Call) reference.Fault {
		switch c.Op {
		case "changes":
			return reference.Fault{Partial: true}
		case "create":
			return reference.Fault{After: reference.ErrTimeout}
		case "get":
			return reference.Fault{Before: &engine.RetryAfterError{Wait: time.Second, Err: errors.New("429")}}
		}
		return reference.Fault{}
	})
	p, err := st.Changes(ctx, "")
	if err != nil || p.Complete || len(p.Changes) != 3 {
		t.Fatalf("a partial listing must not be Complete: %+v %v", p, err)
	}
	if _, err := st.Create(ctx, task("lost"), "m"); !errors.Is(err, reference.ErrTimeout) {
		t.Fatalf("lost response: %v", err)
	}
	if n := len(srv.Items("a", engine.KindTask)); n != 7 {
		t.Fatalf("the create whose response was lost must exist: %d items", n)
	}
	var ra *engine.RetryAfterError
	if _, err := st.Get(ctx, "x"); !errors.As(err, &ra) || ra.Wait != time.Second {
		t.Fatalf("throttling: %v", err)
	}
	srv.SetFaults(nil)
	srv.SetRewrite(func(it engine.Item) engine.Item { it.(*engine.Task).Body += " [footer]"; return it })
	r, err := st.Create(ctx, task("rw"), "m2")
	if err != nil || r.Item.(*engine.Task).Body != "[footer]" {
		t.Fatalf("rewrite: %+v %v", r, err)
	}
	c := srv.Counts()
	if c["changes"] != 1 || c["create"] != 2 || c["create.ok"] != 1 || c["get"] != 1 {
		t.Fatalf("counts %v", c)
	}
	// Goroutine-safe: concurrent calls on several stores.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := open(t, srv, `{"model":"delta"}`)
			for range 50 {
				r, err := s.Create(ctx, task("c"), "")
				if err == nil {
					_, _ = s.Get(ctx, r.ID)
					_, _ = s.Changes(ctx, "")
				}
			}
		}()
	}
	wg.Wait()
	if n := len(srv.Items("a", engine.KindTask)); n != 8+400 {
		t.Fatalf("%d items after concurrent creates", n)
	}
}

// TestCascadeMembers checks that, with SetCascadeMembers, a deleted contact (by a user or through the API) leaves
// the groups of its account, with a new group version, and that without it the group keeps the id.
func TestCascadeMembers(t *testing.T) {
	for _, cascade := range []bool{false, true} {
		srv := reference.NewServer(nil)
		srv.SetCascadeMembers(cascade)
		a := srv.Put("a", &engine.Contact{GivenName: "Ann"})
		b := srv.Put("a", &engine.Contact{GivenName: "Bob"})
		other := srv.Put("other", &engine.Group{Name: "Elsewhere", Members: []string{a}})
		g := srv.Put("a", &engine.Group{Name: "Team", Members: []string{a, b}})
		c, err := srv.Factory()(context.Background(), nil, engine.Env{})
		if err != nil {
			t.Fatal(err)
		}
		groups, err := c.Open(context.Background(), engine.Scope{Account: engine.Account{ID: "a"}, Kind: engine.KindGroup})
		if err != nil {
			t.Fatal(err)
		}
		contacts, err := c.Open(context.Background(), engine.Scope{Account: engine.Account{ID: "a"}, Kind: engine.KindContact})
		if err != nil {
			t.Fatal(err)
		}
		before, err := groups.Get(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Remove("a", engine.KindContact, a); err != nil {
			t.Fatal(err)
		}
		if err := contacts.Delete(context.Background(), b, ""); err != nil {
			t.Fatal(err)
		}
		after, err := groups.Get(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{a, b}
		if cascade {
			want = nil
		}
		if got := after.Item.(*engine.Group).Members; len(got) != len(want) || (cascade && after.Version == before.Version) {
			t.Errorf("cascade %v: members %v (version %s, was %s), want %v", cascade, got, after.Version, before.Version, want)
		}
		if got := srv.Items("other", engine.KindGroup)[other].(*engine.Group).Members; len(got) != 1 {
			t.Errorf("cascade %v: a group of another account changed: %v", cascade, got)
		}
	}
}
