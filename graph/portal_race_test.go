package graph_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/graph"
)

// TestSetMyPreferencesNeverResurrects: a user's setMyPreferences racing the admin's unlinkUser must never bring the
// unlinked user back (it would sync again, for an account that can no longer see it): the preferences are written
// under the engine's linked-user lock, to the user as it is then, or refused NOT_FOUND when it is gone.
func TestSetMyPreferencesNeverResurrects(t *testing.T) {
	t.Parallel()
	se := newSyncEnvWith(t, func(r *graph.Resolver) { r.Portal = testPortal{} })
	e := se.env
	admin := e.setupAdmin()
	admin.query(saveProfile, map[string]any{"in": profileInput(func(in map[string]any) {
		in["userMay"] = map[string]any{"window": true}
	})}).must(t)
	link := `mutation($in: LinkUserInput!) { linkUser(input: $in) { id } }`
	linkIn := map[string]any{"in": map[string]any{"profileId": "p1", "id": "u1",
		"crm": map[string]any{"id": "assoc-1"}, "mailbox": map[string]any{"email": "alice@example.com"}}}
	prefs := `mutation { setMyPreferences(profileId: "p1", overrides: {daysAhead: 30}) { userId } }`
	const rounds = 200
	for i := range rounds {
		admin.query(link, linkIn).must(t)
		alice, r := redeem(t, e, nil, portalToken(t, admin, "p1", "u1"))
		if alice == nil {
			t.Fatalf("round %d: alice's invitation: %s", i, r.Raw)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_ = alice.query(prefs, nil) // ok or NOT_FOUND, depending on who wins
		}()
		go func() {
			defer wg.Done()
			_ = admin.query(`mutation { unlinkUser(profileId: "p1", userId: "u1") }`, nil)
		}()
		wg.Wait()
		if u, err := se.engine.User("p1", "u1"); !errors.Is(err, engine.ErrNoSuchUser) {
			t.Fatalf("round %d: the unlinked user is back after a racing setMyPreferences: %+v %v", i, u, err)
		}
	}
}
