package graph_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// BenchmarkSyncHandler measures the sync queries in process (middleware →
// handler → JSON) over a real engine and scheduler: one profile, 50 linked
// users with 5 appointments each, 250 recorded runs.
//
//	go test -run '^$' -bench BenchmarkSyncHandler -benchtime 2s ./graph
func BenchmarkSyncHandler(b *testing.B) {
	se := newSyncEnv(b)
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
	if n := len(se.mbx.Items("u7@example.com", engine.KindAppointment)); n != 5 {
		b.Fatalf("%d appointments synced, want 5", n)
	}
	cookies := admin.http.Jar.Cookies(mustURL(se.srv.URL + "/graphql"))
	h := se.srv.Config.Handler
	for _, q := range []struct{ name, query string }{
		{"syncRuns50", `{"query":"{ syncRuns(profileId: \"p1\", first: 50) { id userId status start counts { created updated deleted } } }"}`},
		{"syncRunOps", `{"query":"{ syncRuns(profileId: \"p1\", userId: \"u7\", first: 1) { id operations { side action itemId } } }"}`},
		{"syncProfilesUsersStatus", `{"query":"{ syncProfiles { id crm { settings secretFields } users { id status { nextRun lastOk breaker } } } }"}`},
		{"schedulerStatus", `{"query":"{ schedulerStatus { queueDepth running { userId } users { userId nextRun lastRun lastError } } }"}`},
		{"pendingApprovals", `{"query":"{ pendingApprovals { id planned { action } } }"}`},
	} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(q.query)))
				req.Header.Set("Content-Type", "application/json")
				for _, c := range cookies {
					req.AddCookie(c)
				}
				req.Header.Set("X-CSRF-Token", admin.csrf)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
