package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/kv"
)

// Grid fixture sizes: 1,000 linked users; per user 400 appointments, 40 tasks, 150 contacts and 5 groups linked,
// 10 runs of each kind (40,000 runs), and every tenth user with 3 quarantined items, the newest linked (its title
// is looked up through its trace and base).
const (
	gridUsers     = 1000
	gridRunsKind  = 10
	gridQuarEvery = 10
)

var gridLinks = map[engine.Kind]int{engine.KindAppointment: 400, engine.KindTask: 40, engine.KindContact: 150, engine.KindGroup: 5}

// gridStore writes the fixture into an on-disk store: profile and users through the engine, the sync records in
// the engine's key layout (engine/keys.go), then Recover builds the run index as at start-up.
func gridStore(b *testing.B) (*kv.DB, *engine.Engine) {
	b.Helper()
	db, err := kv.Open(kv.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	crm, mbx := reference.NewServer(nil), reference.NewServer(nil)
	e, err := engine.New(engine.Config{KV: db, Connectors: map[string]engine.Factory{"crm": crm.Factory(), "mbx": mbx.Factory()}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.PutProfile(engine.Profile{ID: "p1", Name: "grid", CRM: engine.SystemRef{Type: "crm", Instance: "crm1"},
		Mailbox: engine.SystemRef{Type: "mbx", Instance: "mbx1"}, Policy: engine.PolicyCRMWins}); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	link := bytes.Repeat([]byte{0x5a}, 120) // a link record's size; the summary reads link keys only
	sets := map[string][]byte{}
	flush := func(force bool) {
		if len(sets) >= 2000 || (force && len(sets) > 0) {
			if err := db.Commit(sets, nil); err != nil {
				b.Fatal(err)
			}
			sets = map[string][]byte{}
		}
	}
	seq := 0
	for i := range gridUsers {
		u := fmt.Sprintf("u%04d", i)
		if _, err := e.LinkUser("p1", engine.LinkedUser{ID: u, CRM: engine.Account{ID: "assoc-" + u},
			Mailbox: engine.Account{ID: u + "@example.com", Email: u + "@example.com"}}); err != nil {
			b.Fatal(err)
		}
		for _, k := range engine.Kinds {
			job := "p1/" + u + "/" + string(k)
			for l := range gridLinks[k] {
				sets[fmt.Sprintf("eng/link/%s/l%05d", job, l)] = link
				flush(false)
			}
		}
		// Each poll runs every kind of the user, so the kinds' runs interleave as the scheduler records them.
		for r := range gridRunsKind {
			for _, k := range engine.Kinds {
				seq++
				at := start.Add(time.Duration(seq) * time.Second)
				run := engine.Run{ID: fmt.Sprintf("r%011x%04xaaaaaaaa", at.UnixMilli(), seq%0xffff), Profile: "p1", User: u,
					Kind: k, Trigger: "poll", Start: at, End: at.Add(time.Second), Status: engine.RunOK,
					Counts: engine.Counts{Listed: 12 + r, Updated: 2, Unchanged: 10}}
				sets["eng/run/"+run.ID] = mustMarshal(b, run)
				flush(false)
			}
		}
		if i%gridQuarEvery == 0 {
			job := "p1/" + u + "/appointment"
			for q := range 3 {
				id := fmt.Sprintf("crm-%s-%d", u, q)
				sets["eng/quarantine/"+job+"/crm/"+id] = mustMarshal(b, engine.Quarantined{Profile: "p1", User: u,
					Kind: engine.KindAppointment, Side: engine.SideCRM, ID: id, Field: "end", Reason: "end before start",
					At: start.Add(time.Duration(i*3+q) * time.Minute)})
			}
			id := fmt.Sprintf("crm-%s-2", u)
			sets["eng/trace/"+id] = append(mustMarshal(b, engine.TraceEntry{Run: "r", Profile: "p1", User: u,
				Kind: engine.KindAppointment, Side: engine.SideCRM, Link: "l00002", Decision: engine.DecQuarantined}), '\n')
			sets["eng/base/"+job+"/l00002"] = mustMarshal(b, engine.Base{C: json.RawMessage(`{"title":"Board meeting","start":"2026-11-02T09:00:00Z","end":"2026-11-02T10:00:00Z"}`)})
		}
		flush(false)
	}
	flush(true)
	if err := e.Recover(context.Background()); err != nil { // builds the run index
		b.Fatal(err)
	}
	return db, e
}

func mustMarshal(b *testing.B, v any) []byte {
	b.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkGrid measures the users grid's query on the real store on disk (*kv.DB) for 1,000 users × 4 kinds
// (see gridStore): "engine" is UserSummary for every user; "graphql" is the whole linkedUsers query with the
// summary as the SPA asks for it, in process (auth middleware → handler → JSON); "graphql-nosummary" is the same
// query without the summary, for comparison.
//
//	go test -run '^$' -bench BenchmarkGrid -benchtime 5x ./graph
func BenchmarkGrid(b *testing.B) {
	var e *engine.Engine
	env := newEnvWith(b, func(r *graph.Resolver) {
		_, e = gridStore(b)
		r.Engine = e
	})
	admin := env.setupAdmin()
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range gridUsers {
				s, err := e.UserSummary("p1", fmt.Sprintf("u%04d", i))
				if err != nil || len(s.Kinds) != 4 || s.Kinds[0].Items != 400 || s.LastSuccess.IsZero() {
					b.Fatalf("summary of u%04d: %+v, %v", i, s, err)
				}
				if i%gridQuarEvery == 0 && (s.Quarantined != 3 || s.LastError == nil || s.LastError.Title != "Board meeting") {
					b.Fatalf("summary of u%04d: %+v", i, s)
				}
			}
		}
	})
	cookies := admin.http.Jar.Cookies(mustURL(env.srv.URL + "/graphql"))
	h := env.srv.Config.Handler
	for _, q := range []struct{ name, query string }{
		{"graphql", `{"query":"{ linkedUsers(profileId: \"p1\") { id profileId crm { email name } mailbox { email name } summary { lastSuccess quarantined kinds { kind items lastRun { id status end counts { listed created updated deleted } } } lastError { kind message runId itemId } } } }"}`},
		{"graphql-nosummary", `{"query":"{ linkedUsers(profileId: \"p1\") { id profileId crm { email name } mailbox { email name } } }"}`},
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
				if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors":[`)) ||
					bytes.Count(rec.Body.Bytes(), []byte(`"profileId":"p1"`)) != gridUsers {
					b.Fatalf("status %d: %.500s", rec.Code, rec.Body)
				}
			}
		})
	}
}
