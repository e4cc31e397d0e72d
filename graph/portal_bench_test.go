package graph_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/graph"
)

// BenchmarkPortal measures the portal's queries in process (middleware → handler → JSON) as a USER account with
// one link, over a real engine and scheduler: one profile, 50 linked users with 5 appointments each, 250 recorded
// runs (myLinks reads the user's latest runs, quarantine and open conflicts of the profile).
//
//	go test -run '^$' -bench BenchmarkPortal -benchtime 2s ./graph
func BenchmarkPortal(b *testing.B) {
	se := newSyncEnvWith(b, func(r *graph.Resolver) { r.Portal = testPortal{} })
	admin := se.setupAdmin()
	admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(b)
	day := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	for i := range 50 {
		crm, mbx := fmt.Sprintf("assoc-%d", i), fmt.Sprintf("u%d@example.com", i)
		for j := range 5 {
			se.crm.Put(crm, appt(fmt.Sprintf("m%d", j), day.Add(time.Duration(j)*time.Hour)))
		}
		admin.query(`mutation($in: LinkUserInput!) { linkUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"profileId": "p1", "id": fmt.Sprintf("u%d", i), "crm": map[string]any{"id": crm}, "mailbox": map[string]any{"email": mbx}}}).must(b)
	}
	se.idle()
	for range 4 {
		admin.query(`mutation { syncNow(profileId: "p1") }`, nil).must(b)
		se.idle()
	}
	if runs, _ := se.engine.Runs("p1", 0); len(runs) != 250 {
		b.Fatalf("%d runs, want 250", len(runs))
	}
	user, r := redeem(b, se.env, nil, portalToken(b, admin, "p1", "u7"))
	if user == nil {
		b.Fatalf("redeem: %s", r.Raw)
	}
	cookies := user.http.Jar.Cookies(mustURL(se.srv.URL + "/graphql"))
	h := se.srv.Config.Handler
	for _, q := range []struct{ name, query string }{
		{"myLinks", `{"query":"{ myLinks { profileId userId status { lastOk lastError breaker } recentRuns { id status error counts { created updated deleted errors } } quarantine { itemId reason } openConflicts userMay { window } } }"}`},
		{"syncMyMailboxNow", `{"query":"mutation { syncMyMailboxNow(profileId: \"p1\") }"}`},
	} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(q.query)))
				req.Header.Set("Content-Type", "application/json")
				for _, c := range cookies {
					req.AddCookie(c)
				}
				req.Header.Set("X-CSRF-Token", user.csrf)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors":[`)) {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
