package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/demo"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/graph"
)

// checkEnv is the API over an engine with the reference connector ("ref"), the real SuperOffice and Microsoft
// Graph connectors pointed at the demo's fakes, and "slow", a test connector whose checks and listing take as long
// as the test says.
type checkEnv struct {
	*env
	engine  *engine.Engine
	ref     *reference.Server
	demo    *demo.Demo
	secrets *memSecrets
	slow    *slowConnector
}

// slowConnector is a Checker and Directory that waits: until its context ends (when honest) or until release is
// closed (when it ignores its context).
type slowConnector struct {
	ignoreCtx bool
	release   chan struct{}
}

func (s *slowConnector) Kinds() []engine.Kind { return engine.Kinds }
func (s *slowConnector) Open(context.Context, engine.Scope) (engine.Store, error) {
	return nil, engine.ErrUnsupported
}

func (s *slowConnector) wait(ctx context.Context) error {
	if s.ignoreCtx {
		<-s.release
		return nil
	}
	<-ctx.Done()
	return ctx.Err()
}

func (s *slowConnector) Check(ctx context.Context, _ []engine.Account) []engine.CheckResult {
	out := []engine.CheckResult{{Name: "quick check", Status: engine.CheckOK}}
	if err := s.wait(ctx); err != nil {
		return append(out, engine.CheckResult{Name: "slow check", Status: engine.CheckFailed, Detail: err.Error()})
	}
	return append(out, engine.CheckResult{Name: "slow check", Status: engine.CheckOK})
}

func (s *slowConnector) Accounts(ctx context.Context) ([]engine.Account, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return []engine.Account{{ID: "late", Email: "late@example.com"}}, nil
}

func newCheckEnv(t *testing.T, timeout time.Duration) *checkEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := demo.Start(ctx, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	ce := &checkEnv{ref: reference.NewServer(nil), demo: d, secrets: &memSecrets{m: map[string][]byte{}},
		slow: &slowConnector{release: make(chan struct{})}}
	t.Cleanup(func() { close(ce.slow.release) })
	ce.env = newEnvWith(t, func(r *graph.Resolver) {
		ce.engine, err = engine.New(engine.Config{KV: r.DB, Secrets: ce.secrets.For, Connectors: map[string]engine.Factory{
			"ref": ce.ref.Factory(), superoffice.System: superoffice.New, msgraph.Type: msgraph.New,
			"slow": func(context.Context, json.RawMessage, engine.Env) (engine.Connector, error) { return ce.slow, nil },
		}})
		if err != nil {
			t.Fatal(err)
		}
		r.Engine, r.Secrets, r.CheckTimeout = ce.engine, ce.secrets.For, timeout
	})
	return ce
}

// putDemoSecrets stores the demo's secrets under their instances, as the wizard does with setSystemSecrets.
func (ce *checkEnv) putDemoSecrets(t *testing.T, admin *client) {
	t.Helper()
	for inst, m := range ce.demo.Secrets() {
		var s []any
		for name, v := range m {
			s = append(s, map[string]any{"name": name, "value": string(v)})
		}
		admin.query(`mutation($i: String!, $s: [SystemSecretInput!]!) { setSystemSecrets(instance: $i, secrets: $s) }`,
			map[string]any{"i": inst, "s": s}).must(t)
	}
}

func sysIn(ref engine.SystemRef) map[string]any {
	return map[string]any{"type": ref.Type, "instance": ref.Instance, "settings": string(ref.Settings)}
}

const testSystemQ = `mutation($s: SystemInput!, $p: ID) { testSystem(system: $s, profileId: $p) {
	side type instance ok durationMs checkedAt timedOut message results { name status detail fix } } }`

// results maps check names to their status.
func results(v any) map[string]string {
	out := map[string]string{}
	for _, r := range list(v) {
		m := r.(map[string]any)
		out[m["name"].(string)] = m["status"].(string)
	}
	return out
}

func TestTestSystem(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 10*time.Second)
	admin := ce.setupAdmin()
	p := ce.demo.Profile()

	// Before the secrets are stored, SuperOffice refuses the sign-in: the test says so and what to do.
	r := admin.query(testSystemQ, map[string]any{"s": sysIn(p.CRM)}).must(t)
	got := field(r.Data, "testSystem").(map[string]any)
	res := results(got["results"])
	if got["ok"] != false || res["credentials valid"] != "FAILED" || got["side"] != nil || got["instance"] != demo.CRMInstance {
		t.Fatalf("without the password: %s", r.Raw)
	}
	if !strings.Contains(r.Raw, "Check the on-site user name and password") {
		t.Errorf("no fix for the refused sign-in: %s", r.Raw)
	}

	ce.putDemoSecrets(t, admin)
	r = admin.query(testSystemQ, map[string]any{"s": sysIn(p.CRM)}).must(t)
	got = field(r.Data, "testSystem").(map[string]any)
	res = results(got["results"])
	if got["ok"] != true || res["credentials valid"] != "OK" || res["API reachable"] != "WARNING" || got["timedOut"] != false {
		t.Fatalf("SuperOffice with its password: %s", r.Raw)
	}
	r = admin.query(testSystemQ, map[string]any{"s": sysIn(p.Mailbox)}).must(t)
	got = field(r.Data, "testSystem").(map[string]any)
	res = results(got["results"])
	if got["ok"] != true || res["consent granted"] != "OK" || res["permission User.Read.All"] != "OK" || res["change notifications"] != "WARNING" {
		t.Fatalf("Microsoft 365: %s", r.Raw)
	}
	r = admin.query(testSystemQ, map[string]any{"s": map[string]any{"type": "ref", "instance": "r1", "settings": `{"model":"delta"}`}}).must(t)
	if res := results(field(r.Data, "testSystem", "results")); res["reference store reachable"] != "OK" {
		t.Fatalf("reference: %s", r.Raw)
	}

	// A wrong secret is a failed check, not an error of the call.
	admin.query(`mutation { setSystemSecrets(instance: "wrong", secrets: [{name: "password", value: "nope"}]) }`, nil).must(t)
	wrong := sysIn(p.CRM)
	wrong["instance"] = "wrong"
	r = admin.query(testSystemQ, map[string]any{"s": wrong}).must(t)
	if res := results(field(r.Data, "testSystem", "results")); res["credentials valid"] != "FAILED" {
		t.Fatalf("wrong password: %s", r.Raw)
	}

	// Settings errors name the field; nothing is contacted.
	for _, c := range []struct {
		sys   map[string]any
		field string
	}{
		{map[string]any{"type": "superoffice", "instance": "x", "settings": `{"mode":"onsite","user":"u","timeZone":"Europe/Oslo"}`}, "system.settings.baseUrl"},
		{map[string]any{"type": "superoffice", "instance": "x", "settings": `{"nope":1}`}, "system.settings"},
		{map[string]any{"type": "superoffice", "instance": "x", "settings": `[1]`}, "system.settings"},
		{map[string]any{"type": "nosuch", "instance": "x"}, "system.type"},
		{map[string]any{"type": "", "instance": "x"}, "system.type"},
		{map[string]any{"type": "ref", "instance": "a/b"}, "system.instance"},
	} {
		r := admin.query(testSystemQ, map[string]any{"s": c.sys})
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%v: %s, want BAD_USER_INPUT naming %s", c.sys, r.Raw, c.field)
		}
	}
	if r := admin.query(testSystemQ, map[string]any{"s": sysIn(p.CRM), "p": "nosuch"}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "profileId" {
		t.Errorf("unknown profile: %s", r.Raw)
	}
	// Users may not test systems.
	user := ce.userClient(ce.adminViewer())
	if r := user.query(testSystemQ, map[string]any{"s": sysIn(p.CRM)}); r.code() != "FORBIDDEN" {
		t.Errorf("user: %s", r.Raw)
	}
	// The audit log records the test.
	r = admin.query(`{ auditLog { edges { node { action target detail } } } }`, nil).must(t)
	if !strings.Contains(r.Raw, `"action":"sync.system_tested","target":"demo-superoffice","detail":"type superoffice, ok true"`) {
		t.Errorf("audit: %s", r.Raw)
	}
}

// TestTestSystemKeepsSavedSecretSettings: a secret setting left out of the input is taken from the saved profile
// named by profileId, as saving the profile would keep it.
func TestTestSystemKeepsSavedSecretSettings(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 10*time.Second)
	admin := ce.setupAdmin()
	p := ce.demo.Profile()
	var mb map[string]any
	if err := json.Unmarshal(p.Mailbox.Settings, &mb); err != nil {
		t.Fatal(err)
	}
	// The client secret lives in the settings (write-only), not in the secret store.
	mb["clientSecret"] = "demo-client-secret"
	withSecret, _ := json.Marshal(mb)
	p.Mailbox.Settings = withSecret
	if _, err := ce.engine.PutProfile(p); err != nil {
		t.Fatal(err)
	}
	delete(mb, "clientSecret")
	without, _ := json.Marshal(mb)
	in := map[string]any{"type": msgraph.Type, "instance": demo.MailboxInstance, "settings": string(without)}
	r := admin.query(testSystemQ, map[string]any{"s": in, "p": demo.ProfileID}).must(t)
	if res := results(field(r.Data, "testSystem", "results")); res["consent granted"] != "OK" {
		t.Fatalf("with the saved secret setting: %s", r.Raw)
	}
	r = admin.query(testSystemQ, map[string]any{"s": in}).must(t)
	if res := results(field(r.Data, "testSystem", "results")); res["consent granted"] != "FAILED" {
		t.Fatalf("without it: %s", r.Raw)
	}
}

const profileChecksQ = `query($p: ID!, $u: [ID!]) { profileChecks(profileId: $p, users: $u) { profileId ok checkedAt message
	crm { side type ok timedOut results { name status } } mailbox { side ok results { name status detail fix } }
	users { userId ok crm { email } crmResults { name status } mailboxResults { name status detail fix } } } }`

func TestProfileChecks(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 10*time.Second)
	admin := ce.setupAdmin()
	ctx := context.Background()
	if _, err := ce.demo.Install(ctx, ce.engine, ce.secrets.For); err != nil {
		t.Fatal(err)
	}
	// One more user whose associate and mailbox do not exist.
	ghost := engine.LinkedUser{ID: "ghost", CRM: engine.Account{ID: "999", Email: "ghost@demo.example"},
		Mailbox: engine.Account{Email: "ghost@demo.example"}}
	if _, err := ce.engine.LinkUser(demo.ProfileID, ghost); err != nil {
		t.Fatal(err)
	}
	r := admin.query(profileChecksQ, map[string]any{"p": demo.ProfileID}).must(t)
	rep := field(r.Data, "profileChecks").(map[string]any)
	if rep["ok"] != false || field(rep, "crm", "side") != "CRM" || field(rep, "mailbox", "side") != "MAILBOX" ||
		field(rep, "crm", "ok") != true || field(rep, "mailbox", "ok") != true {
		t.Fatalf("report: %s", r.Raw)
	}
	users := list(rep["users"])
	if len(users) != 6 {
		t.Fatalf("%d users checked, want 6: %s", len(users), r.Raw)
	}
	for _, u := range users {
		u := u.(map[string]any)
		crm, mbx := results(u["crmResults"]), results(u["mailboxResults"])
		email := field(u, "crm", "email").(string)
		if u["userId"] == "ghost" {
			if u["ok"] != false || mbx["mailbox ghost@demo.example"] != "FAILED" || crm["associate ghost@demo.example"] != "FAILED" {
				t.Errorf("ghost: %v", u)
			}
			continue
		}
		if u["ok"] != true || crm["associate "+email] != "OK" || mbx["mailbox "+email] != "OK" ||
			mbx["permission Calendars.ReadWrite on "+email] == "" {
			t.Errorf("user %v: crm %v mailbox %v", u["userId"], crm, mbx)
		}
	}
	// The system's own checks hold no user's check.
	for _, side := range []string{"crm", "mailbox"} {
		for name := range results(field(rep, side, "results")) {
			if strings.Contains(name, "@") {
				t.Errorf("%s: %q is a user's check", side, name)
			}
		}
	}
	// Only the named users; unknown names are refused.
	r = admin.query(profileChecksQ, map[string]any{"p": demo.ProfileID, "u": []any{"ghost"}}).must(t)
	if users := list(field(r.Data, "profileChecks", "users")); len(users) != 1 {
		t.Fatalf("one user: %s", r.Raw)
	}
	if r := admin.query(profileChecksQ, map[string]any{"p": demo.ProfileID, "u": []any{"ghost", "nobody"}}); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "users.1" {
		t.Errorf("unknown user: %s", r.Raw)
	}
	if r := admin.query(profileChecksQ, map[string]any{"p": "nosuch"}); r.code() != "NOT_FOUND" {
		t.Errorf("unknown profile: %s", r.Raw)
	}
}

const suggestQ = `query($c: SystemInput!, $m: SystemInput!) { suggestLinks(crm: $c, mailbox: $m) { complete message
	pairs { crm { id email } mailbox { id email } matchedBy address } unmatchedCrm { id email } unmatchedMailbox { id email } } }`

func TestSuggestLinksDemo(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 10*time.Second)
	admin := ce.setupAdmin()
	ce.putDemoSecrets(t, admin)
	p := ce.demo.Profile()
	r := admin.query(suggestQ, map[string]any{"c": sysIn(p.CRM), "m": sysIn(p.Mailbox)}).must(t)
	s := field(r.Data, "suggestLinks").(map[string]any)
	pairs := list(s["pairs"])
	if s["complete"] != true || len(pairs) != 5 {
		t.Fatalf("suggestions: %s", r.Raw)
	}
	for i, pp := range pairs {
		want := ce.demo.People()[i]
		pm := pp.(map[string]any)
		if pm["matchedBy"] != "EMAIL" || pm["address"] != want.Email || field(pm, "mailbox", "id") != want.GraphID {
			t.Errorf("pair %d: %v, want %s", i, pm, want.Email)
		}
	}
	r = admin.query(`query($s: SystemInput!) { systemAccounts(system: $s) { complete message accounts { id email aliases } } }`,
		map[string]any{"s": sysIn(p.Mailbox)}).must(t)
	if field(r.Data, "systemAccounts", "complete") != true || len(list(field(r.Data, "systemAccounts", "accounts"))) != 5 {
		t.Fatalf("systemAccounts: %s", r.Raw)
	}
}

func TestSuggestLinksReference(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 10*time.Second)
	admin := ce.setupAdmin()
	// The reference servers share one account list, so the CRM and the mailbox side are two instances of it with
	// the same accounts; distinct ids show which side each came from.
	ce.ref.SetAccounts([]engine.Account{
		{ID: "c-ann", Email: "Ann@Example.com"},
		{ID: "m-ann", Email: "ann@example.com"},
	})
	r := admin.query(suggestQ, map[string]any{"c": map[string]any{"type": "ref", "instance": "c"}, "m": map[string]any{"type": "ref", "instance": "m"}}).must(t)
	// Both sides hold two accounts sharing ann@example.com: the address is ambiguous on each side, so nothing
	// is paired and everyone is listed unmatched.
	if len(list(field(r.Data, "suggestLinks", "pairs"))) != 0 || len(list(field(r.Data, "suggestLinks", "unmatchedCrm"))) != 2 {
		t.Fatalf("ambiguous: %s", r.Raw)
	}
}

func TestChecksTimeOut(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 200*time.Millisecond)
	admin := ce.setupAdmin()
	start := time.Now()
	r := admin.query(testSystemQ, map[string]any{"s": map[string]any{"type": "slow", "instance": "s"}}).must(t)
	got := field(r.Data, "testSystem").(map[string]any)
	res := results(got["results"])
	if got["timedOut"] != true || got["ok"] != false || res["quick check"] != "OK" || res["slow check"] != "FAILED" ||
		!strings.Contains(got["message"].(string), "did not finish within 200ms") {
		t.Fatalf("timed out: %s", r.Raw)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the test took %s", took)
	}
	// One side's listing times out: the other side's users are still listed, with a clear message.
	ce.ref.SetAccounts([]engine.Account{{ID: "a", Email: "a@example.com"}})
	r = admin.query(suggestQ, map[string]any{"c": map[string]any{"type": "ref", "instance": "c"}, "m": map[string]any{"type": "slow", "instance": "s"}}).must(t)
	s := field(r.Data, "suggestLinks").(map[string]any)
	if s["complete"] != false || len(list(s["unmatchedCrm"])) != 1 || len(list(s["unmatchedMailbox"])) != 0 ||
		!strings.Contains(s["message"].(string), "The mailbox system's users could not be listed: the listing did not finish within 200ms") {
		t.Fatalf("partial suggestions: %s", r.Raw)
	}
}

// TestChecksGiveUpOnAStuckChecker: a checker that ignores its deadline is given up after a short grace, and the
// call still answers.
func TestChecksGiveUpOnAStuckChecker(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 100*time.Millisecond)
	ce.slow.ignoreCtx = true
	admin := ce.setupAdmin()
	r := admin.query(testSystemQ, map[string]any{"s": map[string]any{"type": "slow", "instance": "s"}}).must(t)
	got := field(r.Data, "testSystem").(map[string]any)
	if got["timedOut"] != true || got["ok"] != false || len(list(got["results"])) != 0 || got["message"] == nil {
		t.Fatalf("stuck: %s", r.Raw)
	}
}

func TestChecksUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	if r := admin.query(testSystemQ, map[string]any{"s": map[string]any{"type": "ref", "instance": "x"}}); r.code() != "UNAVAILABLE" {
		t.Fatalf("no engine: %s", r.Raw)
	}
}
