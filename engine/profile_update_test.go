package engine_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// TestUpdateProfileLosesNoConcurrentUpdate has two writers change different parts of one profile at the same
// time (the API saving the name, a sign-in callback setting a system's settings): every change of both survives.
func TestUpdateProfileLosesNoConcurrentUpdate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	const n = 50
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range n {
				if _, err := f.e.UpdateProfile("p1", func(p engine.Profile, exists bool) (engine.Profile, error) {
					if !exists {
						return p, errors.New("profile missing")
					}
					if w == 0 {
						p.Name = fmt.Sprintf("name %d", i)
					} else {
						p.Mailbox.Settings = []byte(fmt.Sprintf(`{"model":"delta","pageSize":3,"n":%d}`, i))
					}
					return p, nil
				}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	p, err := f.e.Profile("p1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != fmt.Sprintf("name %d", n-1) || string(p.Mailbox.Settings) != fmt.Sprintf(`{"model":"delta","pageSize":3,"n":%d}`, n-1) {
		t.Fatalf("an update was lost: name %q, mailbox settings %s", p.Name, p.Mailbox.Settings)
	}
	boom := errors.New("refused")
	if _, err := f.e.UpdateProfile("p1", func(p engine.Profile, _ bool) (engine.Profile, error) {
		p.Name = "never saved"
		return p, boom
	}); !errors.Is(err, boom) {
		t.Fatalf("fn's error: got %v", err)
	}
	if p, _ := f.e.Profile("p1"); p.Name == "never saved" {
		t.Fatal("a refused update was saved")
	}
}

// TestUpdateUser: UpdateUser changes the stored user and nothing else, never creates a user that is not there (an
// unlinked user stays unlinked), saves nothing when fn fails, and refuses a change of the user's id.
func TestUpdateUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t, reference.Delta, reference.Delta, nil)
	before, err := f.e.User("p1", "u1")
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.e.UpdateUser("p1", "u1", func(u engine.LinkedUser) (engine.LinkedUser, error) {
		u.Paused = true
		return u, nil
	})
	if err != nil || !u.Paused || u.CRM.ID != before.CRM.ID || u.Mailbox.ID != before.Mailbox.ID {
		t.Fatalf("UpdateUser: %+v %v", u, err)
	}
	boom := errors.New("boom")
	if _, err := f.e.UpdateUser("p1", "u1", func(u engine.LinkedUser) (engine.LinkedUser, error) {
		u.Paused = false
		return u, boom
	}); !errors.Is(err, boom) {
		t.Errorf("fn's error: %v", err)
	}
	if _, err := f.e.UpdateUser("p1", "u1", func(u engine.LinkedUser) (engine.LinkedUser, error) {
		u.ID, u.Paused = "u2", false
		return u, nil
	}); err == nil {
		t.Error("UpdateUser let fn change the user's id")
	}
	if got, _ := f.e.User("p1", "u1"); !got.Paused {
		t.Errorf("a failed update changed the user: %+v", got)
	}
	if err := f.e.UnlinkUser("p1", "u1"); err != nil {
		t.Fatal(err)
	}
	called := false
	if _, err := f.e.UpdateUser("p1", "u1", func(u engine.LinkedUser) (engine.LinkedUser, error) {
		called = true
		return u, nil
	}); !errors.Is(err, engine.ErrNoSuchUser) || called {
		t.Errorf("UpdateUser of an unlinked user: %v (fn called: %v)", err, called)
	}
	if _, err := f.e.User("p1", "u1"); !errors.Is(err, engine.ErrNoSuchUser) {
		t.Errorf("the unlinked user is back: %v", err)
	}
}
