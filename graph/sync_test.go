package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/graph"
)

const (
	crmAcct = "assoc-1"
	mbxAcct = "alice@example.com"
)

// syncEnv is the API over a real engine, scheduler and governor syncing two
// reference servers, all on the same in-memory store.
type syncEnv struct {
	*env
	engine   *engine.Engine
	sched    *scheduler.Scheduler
	gov      *governor.Governor
	crm, mbx *reference.Server
	seen     chan json.RawMessage // the settings the connector factories were given
	secrets  *memSecrets
}

// memSecrets is an in-memory secret store of every connector instance.
type memSecrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

type instanceSecrets struct {
	s        *memSecrets
	instance string
}

func (s *memSecrets) For(instance string) engine.Secrets { return instanceSecrets{s, instance} }

func (i instanceSecrets) Get(_ context.Context, name string) ([]byte, error) {
	i.s.mu.Lock()
	defer i.s.mu.Unlock()
	v, ok := i.s.m[i.instance+"/"+name]
	if !ok {
		return nil, engine.ErrNotFound
	}
	return v, nil
}

func (i instanceSecrets) Put(_ context.Context, name string, value []byte) error {
	i.s.mu.Lock()
	defer i.s.mu.Unlock()
	i.s.m[i.instance+"/"+name] = value
	return nil
}

func (i instanceSecrets) Delete(_ context.Context, name string) error {
	i.s.mu.Lock()
	defer i.s.mu.Unlock()
	if _, ok := i.s.m[i.instance+"/"+name]; !ok {
		return engine.ErrNotFound
	}
	delete(i.s.m, i.instance+"/"+name)
	return nil
}

// withoutPassword wraps a reference factory: it records the settings it is
// given and drops the "password" secret the reference connector does not know.
func withoutPassword(f engine.Factory, seen chan json.RawMessage) engine.Factory {
	return func(ctx context.Context, raw json.RawMessage, env engine.Env) (engine.Connector, error) {
		select {
		case seen <- raw:
		default:
		}
		var m map[string]json.RawMessage
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, err
			}
			delete(m, "password")
			raw, _ = json.Marshal(m)
		}
		return f(ctx, raw, env)
	}
}

func newSyncEnv(t testing.TB) *syncEnv {
	t.Helper()
	return newSyncEnvWith(t, nil)
}

// newSyncEnvWith is newSyncEnv with a hook that completes the resolver further (e.g. SignIn).
func newSyncEnvWith(t testing.TB, extra func(*graph.Resolver)) *syncEnv {
	t.Helper()
	se := &syncEnv{crm: reference.NewServer(nil), mbx: reference.NewServer(nil), seen: make(chan json.RawMessage, 16),
		secrets: &memSecrets{m: map[string][]byte{}}}
	se.crm.SetIDPrefix("crm-")
	se.mbx.SetIDPrefix("mbx-")
	se.gov = governor.New(governor.Options{})
	se.env = newEnvWith(t, func(r *graph.Resolver) {
		var err error
		se.engine, err = engine.New(engine.Config{KV: r.DB, Governor: se.gov, Secrets: se.secrets.For, Connectors: map[string]engine.Factory{
			"crm": withoutPassword(se.crm.Factory(), se.seen), "mbx": se.mbx.Factory()}})
		if err != nil {
			t.Fatal(err)
		}
		if err := se.engine.Recover(context.Background()); err != nil { // as at start-up: builds the run index
			t.Fatal(err)
		}
		se.sched, err = scheduler.New(scheduler.Options{Runner: se.engine, KV: r.DB, Workers: 2,
			HousekeepingHour: scheduler.HousekeepingOff})
		if err != nil {
			t.Fatal(err)
		}
		if err := graph.LoadSchedule(se.engine, se.sched); err != nil {
			t.Fatal(err)
		}
		if err := se.sched.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = se.sched.Stop(context.Background()) })
		r.Engine, r.Scheduler, r.Governor, r.Secrets = se.engine, se.sched, se.gov, se.secrets.For
		if extra != nil {
			extra(r)
		}
	})
	return se
}

// idle waits until the scheduler has nothing queued or running.
func (se *syncEnv) idle() {
	se.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !se.sched.Idle() {
		if time.Now().After(deadline) {
			se.t.Fatal("the scheduler did not become idle")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func appt(title string, start time.Time) *engine.Appointment {
	return &engine.Appointment{Title: title, Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Oslo"}
}

// find returns the id and content of the appointment titled title.
func find(s *reference.Server, acct, title string) (string, *engine.Appointment) {
	for id, it := range s.Items(acct, engine.KindAppointment) {
		if a := it.(*engine.Appointment); a.Title == title {
			return id, a
		}
	}
	return "", nil
}

func list(v any) []any { l, _ := v.([]any); return l }

const saveProfile = `mutation($in: ProfileInput!) { saveSyncProfile(input: $in) {
	id name crm { type instance settings secretFields } mailbox { settings secretFields }
	directions { kind direction } daysBack daysAhead policy onDelete pollSeconds
	guard { deletes { count percent } profileWindowSeconds } } }`

func profileInput(edit func(map[string]any)) map[string]any {
	in := map[string]any{
		"id": "p1", "name": "Sales",
		"crm":         map[string]any{"type": "crm", "instance": "crm1", "settings": `{"model":"delta","password":"hunter22","limits":{"MaxInFlight":2}}`},
		"mailbox":     map[string]any{"type": "mbx", "instance": "mbx1", "settings": `{"model":"delta","limits":{"MaxInFlight":2}}`},
		"directions":  []any{map[string]any{"kind": "APPOINTMENT", "direction": "TWO_WAY"}},
		"pollSeconds": 3600,
	}
	if edit != nil {
		edit(in)
	}
	return in
}

func TestSyncProfileValidation(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	for _, c := range []struct {
		name, field string
		edit        func(map[string]any)
	}{
		{"poll too short", "pollSeconds", func(in map[string]any) { in["pollSeconds"] = 10 }},
		{"unknown connector", "crm.type", func(in map[string]any) { in["crm"].(map[string]any)["type"] = "nope" }},
		{"settings not an object", "mailbox.settings", func(in map[string]any) { in["mailbox"].(map[string]any)["settings"] = `[1,2]` }},
		{"bad id", "id", func(in map[string]any) { in["id"] = "a/b" }},
		{"no name", "name", func(in map[string]any) { in["name"] = "  " }},
		{"kind twice", "directions.appointment", func(in map[string]any) {
			in["directions"] = []any{map[string]any{"kind": "APPOINTMENT", "direction": "OFF"}, map[string]any{"kind": "APPOINTMENT", "direction": "TWO_WAY"}}
		}},
		{"percent over 100", "guard.deletes.percent", func(in map[string]any) {
			in["guard"] = map[string]any{"deletes": map[string]any{"count": 1, "percent": 101}, "creates": map[string]any{"count": 1, "percent": 1},
				"profileDeletes": 1, "profileCreates": 1, "profileWindowSeconds": 60}
		}},
		{"empty window", "daysAhead", func(in map[string]any) { in["daysBack"], in["daysAhead"] = 0, 0 }},
		{"not a secret", "crm.clearSecrets", func(in map[string]any) { in["crm"].(map[string]any)["clearSecrets"] = []any{"model"} }},
		// A draft of SuperOffice Online before its sign-in has no API address yet, but a broken template is refused now.
		{"broken SuperOffice template", "crm.settings.titleTemplate", func(in map[string]any) {
			in["crm"] = map[string]any{"type": "superoffice", "instance": "so1", "settings": `{"mode":"online","clientId":"c","titleTemplate":"{type: {title}"}`}
		}},
		{"unknown SuperOffice setting", "crm.settings", func(in map[string]any) {
			in["crm"] = map[string]any{"type": "superoffice", "instance": "so1", "settings": `{"mode":"online","titel":"x"}`}
		}},
		// A Microsoft 365 draft before its admin consent has no tenant yet, but a wrong groups mode is refused now.
		{"bad Microsoft 365 groups mode", "mailbox.settings.groups", func(in map[string]any) {
			in["mailbox"] = map[string]any{"type": "msgraph", "instance": "m365", "settings": `{"clientId":"app","groups":"lists"}`}
		}},
		{"Microsoft 365 without its app", "mailbox.settings.clientId", func(in map[string]any) {
			in["mailbox"] = map[string]any{"type": "msgraph", "instance": "m365", "settings": `{"auth":"delegated"}`}
		}},
		{"CalDAV URL not absolute", "mailbox.settings.url", func(in map[string]any) {
			in["mailbox"] = map[string]any{"type": "caldav", "instance": "dav", "settings": `{"url":"dav.example.com/cal"}`}
		}},
		{"CalDAV on the CRM side, too many in flight", "crm.settings.maxInFlight", func(in map[string]any) {
			in["crm"] = map[string]any{"type": "caldav", "instance": "dav", "settings": `{"url":"https://dav.example.com/","maxInFlight":100}`}
		}},
	} {
		r := admin.query(saveProfile, map[string]any{"in": profileInput(c.edit)})
		if r.code() != "BAD_USER_INPUT" || len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%s: %s, want BAD_USER_INPUT naming %s", c.name, r.Raw, c.field)
		}
	}
	if r := admin.query(`{ syncProfiles { id } }`, nil).must(t); len(list(r.Data["syncProfiles"])) != 0 {
		t.Fatalf("an invalid profile was saved: %s", r.Raw)
	}
}

func TestSyncProfileSecretsAreWriteOnly(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	r := admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(t)
	if strings.Contains(r.Raw, "hunter22") {
		t.Fatalf("the secret was returned: %s", r.Raw)
	}
	if got := field(r.Data, "saveSyncProfile", "crm", "secretFields"); len(list(got)) != 1 || list(got)[0] != "password" {
		t.Fatalf("secretFields %v, want [password]", got)
	}
	// Saving again without the secret keeps it.
	r = admin.query(saveProfile, map[string]any{"in": profileInput(func(in map[string]any) {
		in["crm"].(map[string]any)["settings"] = `{"model":"delta","pageSize":7}`
	})}).must(t)
	p, err := se.engine.Profile("p1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.CRM.Settings), `"password":"hunter22"`) || !strings.Contains(string(p.CRM.Settings), `"pageSize":7`) {
		t.Fatalf("saved settings %s: want the kept password and the new pageSize", p.CRM.Settings)
	}
	if s := field(r.Data, "saveSyncProfile", "crm", "settings").(string); strings.Contains(s, "password") || !strings.Contains(s, "pageSize") {
		t.Fatalf("returned settings %s", s)
	}
	r = admin.query(`{ syncProfile(id: "p1") { crm { settings secretFields } } }`, nil).must(t)
	if strings.Contains(r.Raw, "hunter22") || !strings.Contains(r.Raw, `"secretFields":["password"]`) {
		t.Fatalf("profile query: %s", r.Raw)
	}
	// clearSecrets removes it.
	admin.query(saveProfile, map[string]any{"in": profileInput(func(in map[string]any) {
		in["crm"].(map[string]any)["settings"] = `{"model":"delta"}`
		in["crm"].(map[string]any)["clearSecrets"] = []any{"password"}
	})}).must(t)
	if p, _ := se.engine.Profile("p1"); strings.Contains(string(p.CRM.Settings), "password") {
		t.Fatalf("the cleared secret is still saved: %s", p.CRM.Settings)
	}
}

// TestSyncEndToEnd drives the whole chain through the API: a profile, a
// linked user, syncNow, runs with operations, a conflict resolved, a guard
// approval, undo, trace, quarantine and the status queries.
func TestSyncEndToEnd(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	day := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	meeting := se.crm.Put(crmAcct, appt("meeting", day))
	se.crm.Put(crmAcct, appt("review", day.Add(2*time.Hour)))
	doomed := se.crm.Put(crmAcct, appt("doomed", day.Add(4*time.Hour)))

	admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(t)
	select {
	case <-se.seen:
	default:
	}

	// Linking schedules the user's first sync at once.
	r := admin.query(`mutation($in: LinkUserInput!) { linkUser(input: $in) { id profileId crm { id } mailbox { id email } } }`,
		map[string]any{"in": map[string]any{"profileId": "p1", "id": "u1", "crm": map[string]any{"id": crmAcct},
			"mailbox": map[string]any{"email": mbxAcct}}}).must(t)
	if field(r.Data, "linkUser", "mailbox", "id") != mbxAcct {
		t.Fatalf("linkUser: %s", r.Raw)
	}
	se.idle()
	if raw := <-se.seen; !strings.Contains(string(raw), "hunter22") {
		t.Fatalf("the connector did not get its secret: %s", raw)
	}
	if n := len(se.mbx.Items(mbxAcct, engine.KindAppointment)); n != 3 {
		t.Fatalf("the first sync copied %d appointments, want 3", n)
	}
	admin.query(`mutation { syncNow(profileId: "p1", userId: "u1") }`, nil).must(t)
	se.idle()

	r = admin.query(`{ syncRuns(profileId: "p1", userId: "u1") { id status trigger counts { created }
		operations { side action itemId after } } }`, nil).must(t)
	runs := list(r.Data["syncRuns"])
	if len(runs) != 2 {
		t.Fatalf("runs: %s, want the link run and the manual one", r.Raw)
	}
	first := runs[1].(map[string]any)
	if first["status"] != "OK" || first["trigger"] != "link" || len(list(first["operations"])) != 3 ||
		list(first["operations"])[0].(map[string]any)["side"] != "MAILBOX" || runs[0].(map[string]any)["trigger"] != "manual" {
		t.Fatalf("runs: %s", r.Raw)
	}
	r = admin.query(`query($b: ID) { syncRuns(first: 1, before: $b) { id } }`, map[string]any{"b": runs[0].(map[string]any)["id"]}).must(t)
	if page := list(r.Data["syncRuns"]); len(page) != 1 || page[0].(map[string]any)["id"] != first["id"] {
		t.Fatalf("the page before the newest run: %s, want %v", r.Raw, first["id"])
	}
	// One user's runs come from the run index: newest first, paged with before.
	r = admin.query(`{ syncRuns(profileId: "p1", userId: "u1", first: 1) { id } }`, nil).must(t)
	if page := list(r.Data["syncRuns"]); len(page) != 1 || page[0].(map[string]any)["id"] != runs[0].(map[string]any)["id"] {
		t.Fatalf("the user's newest run: %s, want %v", r.Raw, runs[0].(map[string]any)["id"])
	}
	r = admin.query(`query($b: ID) { syncRuns(profileId: "p1", userId: "u1", first: 5, before: $b) { id } }`,
		map[string]any{"b": runs[0].(map[string]any)["id"]}).must(t)
	if page := list(r.Data["syncRuns"]); len(page) != 1 || page[0].(map[string]any)["id"] != first["id"] {
		t.Fatalf("the user's page before the newest run: %s, want %v", r.Raw, first["id"])
	}
	if r = admin.query(`{ syncRuns(profileId: "p1", userId: "u/1") { id } }`, nil); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("a malformed userId: %s, want BAD_USER_INPUT", r.Raw)
	}
	r = admin.query(`{ linkedUsers(profileId: "p1") { id status { lastRun lastOk breaker paused } } }`, nil).must(t)
	if st := field(list(r.Data["linkedUsers"])[0].(map[string]any), "status"); st == nil || field(st.(map[string]any), "lastOk") == nil ||
		field(st.(map[string]any), "breaker") != "closed" {
		t.Fatalf("linked user status: %s", r.Raw)
	}

	// A conflict: both sides change the location.
	mid, _ := find(se.mbx, mbxAcct, "meeting")
	for _, e := range []struct {
		s        *reference.Server
		acct, id string
		loc      string
	}{{se.crm, crmAcct, meeting, "Oslo"}, {se.mbx, mbxAcct, mid, "Bergen"}} {
		if err := e.s.Edit(e.acct, engine.KindAppointment, e.id, func(it engine.Item) engine.Item {
			it.(*engine.Appointment).Location = e.loc
			return it
		}); err != nil {
			t.Fatal(err)
		}
	}
	admin.query(`mutation { syncNow(profileId: "p1") }`, nil).must(t)
	se.idle()
	r = admin.query(`{ syncConflicts(profileId: "p1") { id fields decision crm mailbox resolved crmItemId } }`, nil).must(t)
	cs := list(r.Data["syncConflicts"])
	if len(cs) != 1 || cs[0].(map[string]any)["crmItemId"] != meeting || cs[0].(map[string]any)["resolved"] != nil {
		t.Fatalf("conflicts: %s", r.Raw)
	}
	c := cs[0].(map[string]any)
	choice, want := "MAILBOX", "Bergen"
	if c["decision"] == "MAILBOX" {
		choice, want = "CRM", "Oslo"
	}
	r = admin.query(`mutation($id: ID!, $c: Side!) { resolveSyncConflict(id: $id, choice: $c) { id resolved } }`,
		map[string]any{"id": c["id"], "c": choice}).must(t)
	if field(r.Data, "resolveSyncConflict", "resolved") != choice {
		t.Fatalf("resolve: %s", r.Raw)
	}
	if _, a := find(se.crm, crmAcct, "meeting"); a.Location != want {
		t.Fatalf("after resolving for %s the CRM has %q", choice, a.Location)
	}
	if r := admin.query(`{ syncConflicts { id } }`, nil).must(t); len(list(r.Data["syncConflicts"])) != 0 {
		t.Fatalf("still open: %s", r.Raw)
	}
	r = admin.query(`mutation($id: ID!) { resolveSyncConflict(id: $id, choice: CRM) { id } }`, map[string]any{"id": c["id"]})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "conflictId" {
		t.Fatalf("resolving twice: %s", r.Raw)
	}

	// A guard: any delete needs approval.
	admin.query(saveProfile, map[string]any{"in": profileInput(func(in map[string]any) {
		in["crm"].(map[string]any)["settings"] = `{"model":"delta","limits":{"MaxInFlight":2}}`
		in["guard"] = map[string]any{"deletes": map[string]any{"count": 0, "percent": 0}, "creates": map[string]any{"count": 100, "percent": 100},
			"profileDeletes": 100, "profileCreates": 100, "profileWindowSeconds": 3600}
	})}).must(t)
	if err := se.crm.Remove(crmAcct, engine.KindAppointment, doomed); err != nil {
		t.Fatal(err)
	}
	admin.query(`mutation { syncNow(profileId: "p1", userId: "u1") }`, nil).must(t)
	se.idle()
	r = admin.query(`{ pendingApprovals(profileId: "p1") { id status guard planned { side action itemId title } } }`, nil).must(t)
	pend := list(r.Data["pendingApprovals"])
	if len(pend) == 0 {
		t.Fatalf("no pending approval: %s", r.Raw)
	}
	held := pend[0].(map[string]any)
	planned := list(held["planned"])
	if held["status"] != "NEEDS_APPROVAL" || len(planned) != 1 || planned[0].(map[string]any)["action"] != "delete" ||
		planned[0].(map[string]any)["title"] != "doomed" {
		t.Fatalf("pending approval: %s", r.Raw)
	}
	r = admin.query(`mutation($id: ID!) { approveSyncRun(id: $id) { id status approved counts { deleted } operations { action side } } }`,
		map[string]any{"id": held["id"]}).must(t)
	approved := r.Data["approveSyncRun"].(map[string]any)
	if approved["status"] != "OK" || approved["approved"] != held["id"] || field(approved, "counts", "deleted") != float64(1) {
		t.Fatalf("approve: %s", r.Raw)
	}
	if id, _ := find(se.mbx, mbxAcct, "doomed"); id != "" {
		t.Fatal("the approved delete was not applied")
	}
	if r := admin.query(`mutation($id: ID!) { rejectSyncRun(id: $id) { id } }`, map[string]any{"id": held["id"]}); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("rejecting an approved run: %s", r.Raw)
	}

	// Undo the approved run: the deleted copy comes back.
	r = admin.query(`mutation($id: ID!) { undoSyncRun(id: $id) { id status undoOf trigger } }`, map[string]any{"id": approved["id"]}).must(t)
	undoID := field(r.Data, "undoSyncRun", "id")
	if field(r.Data, "undoSyncRun", "undoOf") != approved["id"] || field(r.Data, "undoSyncRun", "status") != "OK" {
		t.Fatalf("undo: %s", r.Raw)
	}
	if id, _ := find(se.mbx, mbxAcct, "doomed"); id == "" {
		t.Fatal("undo did not recreate the deleted copy")
	}
	r = admin.query(`query($id: ID!) { syncRun(id: $id) { undoneBy } }`, map[string]any{"id": approved["id"]}).must(t)
	if undoID == nil || field(r.Data, "syncRun", "undoneBy") != undoID {
		t.Fatalf("undone run: %s, want undoneBy %v", r.Raw, undoID)
	}
	if r := admin.query(`mutation($id: ID!) { undoSyncRun(id: $id) { id } }`, map[string]any{"id": approved["id"]}); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("undo twice: %s", r.Raw)
	}

	// Trace by either side's id.
	r = admin.query(`query($id: String!) { syncTrace(itemId: $id) { runId side decision kind } }`, map[string]any{"id": meeting}).must(t)
	tr := list(r.Data["syncTrace"])
	if len(tr) == 0 || tr[0].(map[string]any)["side"] != "CRM" || tr[0].(map[string]any)["kind"] != "APPOINTMENT" {
		t.Fatalf("trace of the CRM item: %s", r.Raw)
	}
	r = admin.query(`query($id: String!) { syncTrace(itemId: $id) { side } }`, map[string]any{"id": mid}).must(t)
	if tr := list(r.Data["syncTrace"]); len(tr) == 0 || tr[0].(map[string]any)["side"] != "MAILBOX" {
		t.Fatalf("trace of the mailbox item: %s", r.Raw)
	}

	// Quarantine: the mailbox refuses one item's content.
	se.mbx.SetFaults(func(c reference.Call) reference.Fault {
		if c.Op == "create" {
			return reference.Fault{Before: &engine.ItemError{Field: "recurrence", Err: errorString("pattern not supported")}}
		}
		return reference.Fault{}
	})
	bad := se.crm.Put(crmAcct, appt("bad", day.Add(6*time.Hour)))
	admin.query(`mutation { syncNow(profileId: "p1", userId: "u1") }`, nil).must(t)
	se.idle()
	se.mbx.SetFaults(nil)
	r = admin.query(`{ syncQuarantine(profileId: "p1") { userId kind side itemId field reason } }`, nil).must(t)
	q := list(r.Data["syncQuarantine"])
	if len(q) != 1 || q[0].(map[string]any)["itemId"] != bad || q[0].(map[string]any)["field"] != "recurrence" || q[0].(map[string]any)["side"] != "CRM" {
		t.Fatalf("quarantine: %s", r.Raw)
	}
	rel := map[string]any{"profileId": "p1", "userId": "u1", "kind": "APPOINTMENT", "side": "CRM", "itemId": bad}
	admin.query(`mutation($in: ReleaseQuarantineInput!) { releaseQuarantine(input: $in) }`, map[string]any{"in": rel}).must(t)
	if r := admin.query(`{ syncQuarantine { itemId } }`, nil).must(t); len(list(r.Data["syncQuarantine"])) != 0 {
		t.Fatalf("still quarantined: %s", r.Raw)
	}
	if r := admin.query(`mutation($in: ReleaseQuarantineInput!) { releaseQuarantine(input: $in) }`, map[string]any{"in": rel}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "itemId" {
		t.Fatalf("releasing twice: %s", r.Raw)
	}
	admin.query(`mutation { syncNow(profileId: "p1", userId: "u1") }`, nil).must(t)
	se.idle()
	if id, _ := find(se.mbx, mbxAcct, "bad"); id == "" {
		t.Fatal("the released item was not synced")
	}

	// Status: the scheduler's and the governor's.
	r = admin.query(`{ schedulerStatus { started workers queueDepth running { userId } profiles { profileId users interval }
		users { profileId userId lastRun breaker } } governorStatus { scope system maxInFlight inFlight budgetLeft } }`, nil).must(t)
	st := r.Data["schedulerStatus"].(map[string]any)
	users := list(st["users"])
	if st["started"] != true || len(users) != 1 || users[0].(map[string]any)["userId"] != "u1" || users[0].(map[string]any)["lastRun"] == nil ||
		field(list(st["profiles"])[0].(map[string]any), "interval") != "1h0m0s" {
		t.Fatalf("scheduler status: %s", r.Raw)
	}
	scopes := list(r.Data["governorStatus"])
	if !slices.ContainsFunc(scopes, func(s any) bool {
		m := s.(map[string]any)
		return m["scope"] == "reference/mailbox/"+crmAcct && m["maxInFlight"] == float64(2) && m["inFlight"] == float64(0)
	}) {
		t.Fatalf("governor status: %s", r.Raw)
	}

	// Pause and resume the user, then unlink and delete.
	admin.query(`mutation { pauseSync(profileId: "p1", userId: "u1") }`, nil).must(t)
	r = admin.query(`{ linkedUsers(profileId: "p1") { status { paused } } }`, nil).must(t)
	if !strings.Contains(r.Raw, `"paused":true`) {
		t.Fatalf("paused: %s", r.Raw)
	}
	admin.query(`mutation { resumeSync(profileId: "p1", userId: "u1") }`, nil).must(t)
	if r := admin.query(`mutation { syncNow(profileId: "p1", userId: "nobody") }`, nil); r.code() != "NOT_FOUND" {
		t.Fatalf("syncNow of an unknown user: %s", r.Raw)
	}
	admin.query(`mutation { unlinkUser(profileId: "p1", userId: "u1") }`, nil).must(t)
	if _, ok := se.sched.UserStatus("p1", "u1"); ok {
		t.Fatal("the scheduler still has the unlinked user")
	}
	admin.query(`mutation { deleteSyncProfile(id: "p1") }`, nil).must(t)
	if s := se.sched.Snapshot(); len(s.Profiles) != 0 {
		t.Fatalf("the scheduler still has the deleted profile: %+v", s.Profiles)
	}
	if r := admin.query(`mutation { deleteSyncProfile(id: "p1") }`, nil); r.code() != "NOT_FOUND" {
		t.Fatalf("deleting twice: %s", r.Raw)
	}
	// Every admin action is in the audit log.
	r = admin.query(`{ auditLog(first: 100) { edges { node { action } } } }`, nil).must(t)
	for _, a := range []string{"sync.profile_saved", "sync.user_linked", "sync.now", "sync.conflict_resolved", "sync.run_approved",
		"sync.run_undone", "sync.quarantine_released", "sync.paused", "sync.resumed", "sync.user_unlinked", "sync.profile_deleted"} {
		if !strings.Contains(r.Raw, `"action":"`+a+`"`) {
			t.Errorf("audit log has no %s", a)
		}
	}
}

func TestSystemSecrets(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	set := `mutation($i: String!, $s: [SystemSecretInput!]!) { setSystemSecrets(instance: $i, secrets: $s) }`
	admin.query(set, map[string]any{"i": "so-prod", "s": []any{
		map[string]any{"name": "client_secret", "value": "s3cret-value"}, map[string]any{"name": "partner_key", "value": "-----BEGIN"}}}).must(t)
	if v, err := se.secrets.For("so-prod").Get(context.Background(), "client_secret"); err != nil || string(v) != "s3cret-value" {
		t.Fatalf("stored %q %v", v, err)
	}
	isSet := `query($i: String!, $n: [String!]!) { systemSecretsSet(instance: $i, names: $n) }`
	r := admin.query(isSet, map[string]any{"i": "so-prod", "n": []any{"client_secret", "partner_key", "ticket"}}).must(t)
	if strings.Contains(r.Raw, "s3cret") || !strings.Contains(r.Raw, `["client_secret","partner_key"]`) {
		t.Fatalf("systemSecretsSet: %s", r.Raw)
	}
	// A null value deletes; deleting an absent secret is fine.
	admin.query(set, map[string]any{"i": "so-prod", "s": []any{map[string]any{"name": "partner_key", "value": nil},
		map[string]any{"name": "never_set", "value": nil}}}).must(t)
	r = admin.query(isSet, map[string]any{"i": "so-prod", "n": []any{"client_secret", "partner_key"}}).must(t)
	if !strings.Contains(r.Raw, `["client_secret"]`) {
		t.Fatalf("after delete: %s", r.Raw)
	}
	// Other instances are separate.
	r = admin.query(isSet, map[string]any{"i": "other", "n": []any{"client_secret"}}).must(t)
	if !strings.Contains(r.Raw, `"systemSecretsSet":[]`) {
		t.Fatalf("other instance: %s", r.Raw)
	}
	for _, c := range []struct {
		vars  map[string]any
		field string
	}{
		{map[string]any{"i": "a/b", "s": []any{map[string]any{"name": "x", "value": "v"}}}, "instance"},
		{map[string]any{"i": "ok", "s": []any{map[string]any{"name": "bad name", "value": "v"}}}, "secrets.0.name"},
		{map[string]any{"i": "ok", "s": []any{map[string]any{"name": "x", "value": ""}}}, "secrets.0.value"},
		{map[string]any{"i": "ok", "s": []any{}}, "secrets"},
	} {
		if r := admin.query(set, c.vars); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%v: %s, want BAD_USER_INPUT naming %s", c.vars, r.Raw, c.field)
		}
	}
	// The audit log names the secrets, never their values.
	r = admin.query(`{ auditLog { edges { node { action target detail } } } }`, nil).must(t)
	if !strings.Contains(r.Raw, `"action":"sync.secrets_set","target":"so-prod","detail":"names: client_secret, partner_key"`) || strings.Contains(r.Raw, "s3cret") {
		t.Fatalf("audit: %s", r.Raw)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestSyncStatusSubscription(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(t)
	admin.query(`mutation($in: LinkUserInput!) { linkUser(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"profileId": "p1", "id": "u1", "crm": map[string]any{"id": crmAcct},
			"mailbox": map[string]any{"email": mbxAcct}}}).must(t)
	se.idle()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := admin.dialWS(ctx, t, http.Header{"Origin": {se.srv.URL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := readWS(ctx, conn); err != nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init answered %+v %v", m, err)
	}
	p, _ := json.Marshal(map[string]any{"query": `subscription { syncStatus { event { type profileId userId kind runId queueDepth } status { users { userId } } } }`})
	if err := writeWS(ctx, conn, wsMsg{ID: "1", Type: "subscribe", Payload: p}); err != nil {
		t.Fatal(err)
	}
	m, err := readWS(ctx, conn)
	if err != nil || m.Type != "next" || !strings.Contains(string(m.Payload), `"event":null`) || !strings.Contains(string(m.Payload), `"userId":"u1"`) {
		t.Fatalf("first message %s %s %v, want the snapshot without an event", m.Type, m.Payload, err)
	}
	admin.query(`mutation { syncNow(profileId: "p1", userId: "u1") }`, nil).must(t)
	var types []string
	for !slices.Contains(types, "finished") {
		m, err := readWS(ctx, conn)
		if err != nil || m.Type != "next" {
			t.Fatalf("event %s %s %v (so far %v)", m.Type, m.Payload, err, types)
		}
		var d struct {
			Data struct {
				SyncStatus struct {
					Event struct{ Type, ProfileID, UserID, Kind, RunID string }
				}
			}
		}
		if err := json.Unmarshal(m.Payload, &d); err != nil {
			t.Fatal(err)
		}
		ev := d.Data.SyncStatus.Event
		if ev.ProfileID != "p1" || ev.UserID != "u1" || ev.Kind != "APPOINTMENT" {
			t.Fatalf("event %s", m.Payload)
		}
		if ev.Type == "finished" && ev.RunID == "" {
			t.Fatalf("finished without a run id: %s", m.Payload)
		}
		types = append(types, ev.Type)
	}
	if !slices.Contains(types, "started") {
		t.Fatalf("events %v: no started", types)
	}

	// A user account may not subscribe.
	user := se.userClient(se.adminViewer())
	uconn, _, err := user.dialWS(ctx, t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := readWS(ctx, uconn); err != nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init answered %+v %v", m, err)
	}
	if err := writeWS(ctx, uconn, wsMsg{ID: "1", Type: "subscribe", Payload: p}); err != nil {
		t.Fatal(err)
	}
	if m, err := readWS(ctx, uconn); err != nil || !strings.Contains(string(m.Payload), "FORBIDDEN") {
		t.Fatalf("user subscription: %s %s %v, want FORBIDDEN", m.Type, m.Payload, err)
	}
}

// TestSyncUnavailable: without an engine, scheduler and governor the fields
// answer UNAVAILABLE instead of failing.
func TestSyncUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	for _, q := range []string{
		`{ syncProfiles { id } }`, `{ schedulerStatus { queueDepth } }`, `{ governorStatus { scope } }`,
		`{ syncRuns { id } }`, `mutation { syncNow(profileId: "p1") }`, `{ syncTrace(itemId: "x") { runId } }`,
	} {
		if r := admin.query(q, nil); r.code() != "UNAVAILABLE" {
			t.Errorf("%s: %s, want UNAVAILABLE", q, r.Raw)
		}
	}
}
