package push_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/scheduler"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type trigger struct {
	profile, user string
	kind          engine.Kind
	trigger       string
}

// sink records triggers; fail makes Trigger fail.
type sink struct {
	mu    sync.Mutex
	got   []trigger
	fail  bool
	alive []string // SetPushHealthy calls: "profile/user/kind=bool"
}

func (s *sink) Trigger(ctx context.Context, p, u string, k engine.Kind, tr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return fmt.Errorf("scheduler: profile %s: not found", p)
	}
	s.got = append(s.got, trigger{p, u, k, tr})
	return nil
}

func (s *sink) SetPushHealthy(p, u string, k engine.Kind, healthy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alive = append(s.alive, fmt.Sprintf("%s/%s/%s=%v", p, u, k, healthy))
}

func (s *sink) triggers() []trigger {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]trigger(nil), s.got...)
}

func (s *sink) health() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.alive...)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

type fixture struct {
	in        *push.Intake
	kv        *engine.MemKV
	sink      *sink
	clk       *clock.Fake
	srv       *httptest.Server
	mu        sync.Mutex
	lifecycle []push.Event
}

func newFixture(t *testing.T, kv *engine.MemKV, s push.Sink) *fixture {
	t.Helper()
	f := &fixture{kv: kv, clk: clock.NewFake(t0)}
	if kv == nil {
		f.kv = engine.NewMemKV()
	}
	var health push.Health
	if s == nil {
		f.sink = &sink{}
		s, health = f.sink, f.sink
	} else if h, ok := s.(push.Health); ok {
		health = h
	}
	in, err := push.New(push.Options{KV: f.kv, Sink: s, Health: health, Clock: f.clk, MaxBody: 4096,
		OnLifecycle: func(e push.Event) { f.mu.Lock(); f.lifecycle = append(f.lifecycle, e); f.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/{connector}/{profile}", in)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() { f.srv.Close(); in.Stop() })
	f.in = in
	return f
}

func (f *fixture) events() []push.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]push.Event(nil), f.lifecycle...)
}

func (f *fixture) post(t *testing.T, path string, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (f *fixture) stored(t *testing.T, prefix string) int {
	t.Helper()
	n := 0
	if err := f.kv.Scan([]byte(prefix), func(k, v []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func register(t *testing.T, in *push.Intake, s engine.PushSubscription) {
	t.Helper()
	if err := in.RegisterPush(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func graphBody(sub, state, change, lifecycle string) string {
	lc := ""
	if lifecycle != "" {
		lc = fmt.Sprintf(`,"lifecycleEvent":%q`, lifecycle)
	}
	return fmt.Sprintf(`{"value":[{"subscriptionId":%q,"clientState":%q,"changeType":%q,"resource":"Users/u1/Events/AAA","tenantId":"t"%s}]}`,
		sub, state, change, lc)
}

func TestGraphValidationHandshake(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	code, body := f.post(t, "/hooks/msgraph/p1?validationToken=Validation%3A%20Testing%20client%20application", "", nil)
	if code != 200 || body != "Validation: Testing client application" {
		t.Fatalf("handshake answered %d %q", code, body)
	}
	if f.stored(t, "hook/") != 0 {
		t.Fatal("a handshake was persisted")
	}
}

func TestGraphNotifications(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	register(t, f.in, engine.PushSubscription{Connector: "msgraph", Profile: "p1", ID: "sub-1", User: "u1",
		Kind: engine.KindAppointment, Secret: "s3cret", Expires: t0.Add(72 * time.Hour)})
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"wrong clientState", graphBody("sub-1", "guess", "updated", ""), 401},
		{"unknown subscription", graphBody("sub-x", "s3cret", "updated", ""), 401},
		{"not JSON", "{", 400},
		{"empty", `{"value":[]}`, 400},
	} {
		code, msg := f.post(t, "/hooks/msgraph/p1", tc.body, nil)
		if code != tc.code {
			t.Errorf("%s: %d %q, want %d", tc.name, code, msg, tc.code)
		}
	}
	if f.stored(t, "hook/ev/") != 0 || len(f.sink.triggers()) != 0 {
		t.Fatal("a rejected delivery was persisted or processed")
	}
	if code, _ := f.post(t, "/hooks/msgraph/p1", graphBody("sub-1", "s3cret", "updated", ""), nil); code != 202 {
		t.Fatalf("valid notification answered %d", code)
	}
	eventually(t, "trigger", func() bool { return len(f.sink.triggers()) == 1 })
	if got := f.sink.triggers()[0]; got != (trigger{"p1", "u1", engine.KindAppointment, push.TriggerPush}) {
		t.Fatalf("trigger %+v", got)
	}
	f.post(t, "/hooks/msgraph/p1", graphBody("sub-1", "s3cret", "", "missed"), nil)
	eventually(t, "missed → sync", func() bool { return len(f.sink.triggers()) == 2 })
	if got := f.sink.triggers()[1].trigger; got != push.TriggerMissed {
		t.Fatalf("missed lifecycle event triggered %q", got)
	}
	f.post(t, "/hooks/msgraph/p1", graphBody("sub-1", "s3cret", "", "reauthorizationRequired"), nil)
	f.post(t, "/hooks/msgraph/p1", graphBody("sub-1", "s3cret", "", "subscriptionRemoved"), nil)
	eventually(t, "lifecycle callbacks", func() bool { return len(f.events()) == 2 })
	if ev := f.events(); ev[0].Type != push.TypeReauthorize || ev[1].Type != push.TypeRemoved {
		t.Fatalf("lifecycle events %+v", ev)
	}
	eventually(t, "fallback to polling", func() bool {
		h := f.sink.health()
		return len(h) > 0 && h[len(h)-1] == "p1/u1/appointment=false"
	})
	eventually(t, "events dispatched and deleted", func() bool { return f.stored(t, "hook/ev/") == 0 })
}

func soSign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestSuperOfficeSignature(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	register(t, f.in, engine.PushSubscription{Connector: "superoffice", Profile: "p1", ID: "wh-7", Secret: "hook-secret"})
	body := `{"EventId":"0b8f8a4e-1","Timestamp":"2026-03-02T09:00:00Z","Changes":["do_by"],"Event":"activity.changed","PrimaryKey":4711,"Entity":"appointment","ContextIdentifier":"Cust1234","ChangedByAssociateId":5,"WebhookName":"sync"}`
	for _, tc := range []struct {
		name, sig string
		code      int
	}{
		{"missing", "", 401},
		{"not base64", "%%%", 401},
		{"wrong secret", soSign("other", body), 401},
		{"tampered body", soSign("hook-secret", body+" "), 401},
	} {
		hdr := map[string]string{}
		if tc.sig != "" {
			hdr["X-SuperOffice-Signature"] = tc.sig
		}
		if code, msg := f.post(t, "/hooks/superoffice/p1", body, hdr); code != tc.code || !strings.Contains(msg, "X-SuperOffice-Signature") {
			t.Errorf("%s: %d %q", tc.name, code, msg)
		}
	}
	if code, _ := f.post(t, "/hooks/superoffice/p1", body, map[string]string{"X-SuperOffice-Signature": soSign("hook-secret", body)}); code != 200 {
		t.Fatalf("signed webhook answered %d", code)
	}
	eventually(t, "trigger", func() bool { return len(f.sink.triggers()) == 1 })
	if got := f.sink.triggers()[0]; got != (trigger{"p1", "", engine.KindAppointment, push.TriggerPush}) {
		t.Fatalf("trigger %+v (a profile-wide webhook triggers every user's appointments)", got)
	}
	if st := f.in.Status(); st.Rejected != 4 || st.Received != 1 {
		t.Fatalf("status %+v", st)
	}
}

func TestGoogleChannel(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	register(t, f.in, engine.PushSubscription{Connector: "google", Profile: "p1", ID: "chan-1", User: "u1",
		Kind: engine.KindAppointment, Secret: "tok"})
	hdr := func(state, num, token string) map[string]string {
		return map[string]string{"X-Goog-Channel-ID": "chan-1", "X-Goog-Channel-Token": token,
			"X-Goog-Resource-State": state, "X-Goog-Message-Number": num, "X-Goog-Resource-ID": "res"}
	}
	if code, _ := f.post(t, "/hooks/google/p1", "", hdr("sync", "1", "tok")); code != 200 {
		t.Fatalf("sync answered %d", code)
	}
	if code, _ := f.post(t, "/hooks/google/p1", "", hdr("exists", "2", "nope")); code != 401 {
		t.Fatalf("wrong token answered %d", code)
	}
	if code, _ := f.post(t, "/hooks/google/p1", "", hdr("bogus", "3", "tok")); code != 400 {
		t.Fatalf("bad state answered %d", code)
	}
	for range 3 { // redelivered
		if code, _ := f.post(t, "/hooks/google/p1", "", hdr("exists", "4", "tok")); code != 200 {
			t.Fatalf("exists answered %d", code)
		}
	}
	f.post(t, "/hooks/google/p1", "", hdr("not_exists", "5", "tok"))
	eventually(t, "dispatch", func() bool { return f.in.Status().Dispatched == 3 })
	if n := len(f.sink.triggers()); n != 2 {
		t.Fatalf("%d triggers, want 2 (sync triggers nothing, duplicates dropped)", n)
	}
	if st := f.in.Status(); st.Duplicates != 2 {
		t.Fatalf("duplicates = %d, want 2", st.Duplicates)
	}
}

func TestRequestLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	if code, _ := f.post(t, "/hooks/msgraph/p1", strings.Repeat("x", 5000), nil); code != 413 {
		t.Fatalf("oversized body answered %d", code)
	}
	resp, err := http.Get(f.srv.URL + "/hooks/msgraph/p1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET answered %d", resp.StatusCode)
	}
	if code, _ := f.post(t, "/hooks/ftp/p1", "{}", nil); code != 404 {
		t.Fatalf("unknown connector answered %d", code)
	}
	// Mounted without a pattern, the handler parses the path itself.
	rec := httptest.NewRecorder()
	f.in.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/x/hooks/msgraph/p%201?validationToken=t", nil))
	if rec.Code != 200 || rec.Body.String() != "t" {
		t.Fatalf("path parsing: %d %q", rec.Code, rec.Body.String())
	}
}

func TestPersistedEventsReplayedAfterRestart(t *testing.T) {
	t.Parallel()
	kv := engine.NewMemKV()
	down := &sink{fail: true}
	f := newFixture(t, kv, down)
	register(t, f.in, engine.PushSubscription{Connector: "google", Profile: "p1", ID: "c", User: "u", Kind: engine.KindAppointment, Secret: "k"})
	code, _ := f.post(t, "/hooks/google/p1", "", map[string]string{"X-Goog-Channel-ID": "c", "X-Goog-Channel-Token": "k",
		"X-Goog-Resource-State": "exists", "X-Goog-Message-Number": "9"})
	if code != 200 {
		t.Fatalf("answered %d", code)
	}
	f.in.Stop() // the scheduler refused; the acknowledged event is still stored
	if f.stored(t, "hook/ev/") != 1 {
		t.Fatal("acknowledged event not in the store")
	}
	up := &sink{}
	g := newFixture(t, kv, up)
	eventually(t, "replayed", func() bool { return len(up.triggers()) == 1 })
	if h := up.health(); len(h) != 1 || h[0] != "p1/u/appointment=true" {
		t.Fatalf("after restart the scheduler was told %v, want the registered channel healthy", h)
	}
	eventually(t, "deleted", func() bool { return g.stored(t, "hook/ev/") == 0 })
	// The de-duplication mark survived the restart too.
	g.post(t, "/hooks/google/p1", "", map[string]string{"X-Goog-Channel-ID": "c", "X-Goog-Channel-Token": "k",
		"X-Goog-Resource-State": "exists", "X-Goog-Message-Number": "9"})
	if st := g.in.Status(); st.Duplicates != 1 {
		t.Fatalf("redelivery after restart not de-duplicated: %+v", st)
	}
}

func TestWatchdogFallsBackToPolling(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	register(t, f.in, engine.PushSubscription{Connector: "msgraph", Profile: "p1", ID: "exp", User: "u1",
		Kind: engine.KindAppointment, Secret: "a", Expires: t0.Add(10 * time.Minute)})
	register(t, f.in, engine.PushSubscription{Connector: "superoffice", Profile: "p1", ID: "quiet", Kind: engine.KindContact,
		Secret: "b", Silence: time.Hour})
	f.clk.Advance(11 * time.Minute)
	eventually(t, "expired detected", func() bool { return len(f.events()) == 1 })
	if ev := f.events()[0]; ev.Type != push.TypeExpired || ev.Subscription != "exp" {
		t.Fatalf("event %+v", ev)
	}
	f.clk.Advance(50 * time.Minute)
	eventually(t, "silence detected", func() bool { return len(f.events()) == 2 })
	if ev := f.events()[1]; ev.Type != push.TypeSilent || ev.Subscription != "quiet" {
		t.Fatalf("event %+v", ev)
	}
	h := f.sink.health()
	if !contains(h, "p1/u1/appointment=false") || !contains(h, "p1//contact=false") {
		t.Fatalf("health calls %v", h)
	}
	// A delivery on the silent webhook brings it back.
	body := `{"EventId":"e1","Event":"person.changed","PrimaryKey":1,"Entity":"person"}`
	f.post(t, "/hooks/superoffice/p1", body, map[string]string{"X-SuperOffice-Signature": soSign("b", body)})
	eventually(t, "healthy again", func() bool {
		h := f.sink.health()
		return h[len(h)-1] == "p1//contact=true"
	})
	for _, s := range f.in.Status().Subscriptions {
		if s.ID == "exp" && (s.Healthy || !strings.Contains(s.Problem, "expired")) {
			t.Fatalf("status %+v", s)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// fakeRunner counts runs of the real scheduler.
type countRunner struct {
	mu   sync.Mutex
	runs int
}

func (r *countRunner) RunSync(ctx context.Context, p, u string, k engine.Kind, tr string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs++
	return fmt.Sprintf("run-%d", r.runs), nil
}

// TestDuplicateFloodCausesOneSync sends the same Graph notification 300 times concurrently through the intake
// into the real scheduler: one event is persisted, one trigger handed over, one sync run.
func TestDuplicateFloodCausesOneSync(t *testing.T) {
	t.Parallel()
	kv := engine.NewMemKV()
	clk := clock.NewFake(t0)
	runner := &countRunner{}
	s, err := scheduler.New(scheduler.Options{Runner: runner, KV: kv, Clock: clk, HousekeepingHour: scheduler.HousekeepingOff})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetProfile(scheduler.Profile{ID: "p1", Interval: time.Hour, Kinds: []engine.Kind{engine.KindAppointment}, Users: []scheduler.User{{ID: "u1"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	in, err := push.New(push.Options{KV: kv, Sink: s, Health: s, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	register(t, in, engine.PushSubscription{Connector: "msgraph", Profile: "p1", ID: "sub", User: "u1", Kind: engine.KindAppointment, Secret: "cs"})
	srv := httptest.NewServer(in)
	defer srv.Close()
	body := graphBody("sub", "cs", "updated", "")
	var wg sync.WaitGroup
	for range 300 {
		wg.Go(func() {
			resp, err := http.Post(srv.URL+"/hooks/msgraph/p1", "application/json", bytes.NewReader([]byte(body)))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	eventually(t, "dispatched", func() bool { return in.Status().Dispatched == 1 })
	eventually(t, "scheduler idle", s.Idle)
	if st := in.Status(); st.Received != 300 || st.Duplicates != 299 {
		t.Fatalf("status %+v", st)
	}
	runner.mu.Lock()
	defer runner.mu.Unlock()
	if runner.runs != 1 {
		t.Fatalf("%d sync runs for one notification delivered 300 times, want 1", runner.runs)
	}
}

func TestDedupeMarksExpire(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	register(t, f.in, engine.PushSubscription{Connector: "google", Profile: "p1", ID: "c", User: "u", Kind: engine.KindTask, Secret: "k"})
	hdr := map[string]string{"X-Goog-Channel-ID": "c", "X-Goog-Channel-Token": "k", "X-Goog-Resource-State": "exists",
		"X-Goog-Message-Number": "1"}
	f.post(t, "/hooks/google/p1", "", hdr)
	eventually(t, "dispatched", func() bool { return f.in.Status().Dispatched == 1 })
	if f.stored(t, "hook/seen/") != 1 {
		t.Fatal("no de-duplication mark stored")
	}
	f.clk.Advance(23 * time.Hour)
	f.post(t, "/hooks/google/p1", "", hdr)
	if st := f.in.Status(); st.Duplicates != 1 {
		t.Fatalf("redelivery within 24 h not dropped: %+v", st)
	}
	f.clk.Advance(2 * time.Hour) // the hourly collection removes the day-old mark
	eventually(t, "mark collected", func() bool { return f.stored(t, "hook/seen/") == 0 })
}

func TestRouteMapsProfileWideWebhookToOneUser(t *testing.T) {
	t.Parallel()
	kv := engine.NewMemKV()
	sk := &sink{}
	clk := clock.NewFake(t0)
	calls := 0
	in, err := push.New(push.Options{KV: kv, Sink: sk, Clock: clk,
		Route: func(ctx context.Context, ev push.Event) ([]engine.SyncRequest, bool, error) {
			calls++
			switch ev.Resource {
			case "appointment/4711": // the connector knows this activity is in u7's diary
				return []engine.SyncRequest{{User: "u7", Kind: engine.KindAppointment}, {User: "u7", Kind: engine.KindTask}}, true, nil
			case "appointment/13":
				if calls < 3 {
					return nil, false, fmt.Errorf("crm unreachable")
				}
				return []engine.SyncRequest{{User: "u1", Kind: engine.KindAppointment}}, true, nil
			}
			return nil, false, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	register(t, in, engine.PushSubscription{Connector: "superoffice", Profile: "p1", ID: "wh", Secret: "s"})
	srv := httptest.NewServer(in)
	defer srv.Close()
	send := func(id string, key int) {
		body := fmt.Sprintf(`{"EventId":%q,"Event":"activity.changed","PrimaryKey":%d,"Entity":"appointment"}`, id, key)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/superoffice/p1", strings.NewReader(body))
		req.Header.Set("X-SuperOffice-Signature", soSign("s", body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	send("e1", 4711)
	eventually(t, "routed", func() bool { return len(sk.triggers()) == 2 })
	want := []trigger{{"p1", "u7", engine.KindAppointment, push.TriggerPush}, {"p1", "u7", engine.KindTask, push.TriggerPush}}
	for i, tr := range sk.triggers() {
		if tr != want[i] {
			t.Fatalf("trigger %d = %+v, want %+v", i, tr, want[i])
		}
	}
	send("e2", 13) // routing fails at first: the event stays and is retried at the next kick
	send("e3", 99) // unknown to the router: default (every user's appointments)
	in.Watch()
	eventually(t, "retried", func() bool { return len(sk.triggers()) == 4 })
	users := map[string]bool{}
	for _, tr := range sk.triggers()[2:] {
		users[tr.user] = true
	}
	if !users["u1"] || !users[""] {
		t.Fatalf("triggers %+v, want one for u1 (routed) and one for every user (default)", sk.triggers()[2:])
	}
}
