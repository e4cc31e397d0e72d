package graph_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// publicFields are the root fields callable without signing in. Every other
// Query, Mutation and Subscription field must carry @hasRole.
var publicFields = map[string][]string{
	"Query":        {"systemStatus", "version", "me", "signInProviders"},
	"Mutation":     {"setup", "login", "logout", "acceptInvitation", "acceptPortalInvitation"},
	"Subscription": {},
}

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	files, err := filepath.Glob("*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	var srcs []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, &ast.Source{Name: f, Input: string(b)})
	}
	s, gerr := gqlparser.LoadSchema(srcs...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	return s
}

// TestEveryRootFieldIsGuarded walks the parsed schema: each root field has
// @hasRole or is on the explicit public allow-list, never both.
func TestEveryRootFieldIsGuarded(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		for _, f := range root.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			guarded := f.Directives.ForName("hasRole") != nil
			public := slices.Contains(publicFields[root.Name], f.Name)
			switch {
			case !guarded && !public:
				t.Errorf("%s.%s has no @hasRole and is not in the public allow-list", root.Name, f.Name)
			case guarded && public:
				t.Errorf("%s.%s is on the public allow-list but carries @hasRole", root.Name, f.Name)
			}
		}
	}
}

// roleCases calls every guarded mutation and query with valid arguments.
var roleCases = []struct {
	field string
	op    string
	role  string // the role the field requires
}{
	{"changePassword", `mutation { changePassword(currentPassword: "correct horse battery", newPassword: "another long password") }`, "USER"},
	{"addAdmin", `mutation { addAdmin(email: "z@example.com", name: "Z", password: "another long password") { id } }`, "ADMIN"},
	{"inviteAdmin", `mutation { inviteAdmin(email: "z@example.com", name: "Z") { link } }`, "ADMIN"},
	{"removeAdmin", `mutation { removeAdmin(id: "nobody") }`, "ADMIN"},
	{"createApiToken", `mutation { createApiToken(name: "t") { secret } }`, "USER"},
	{"revokeApiToken", `mutation { revokeApiToken(id: "nobody") }`, "USER"},
	{"admins", `{ admins { id } }`, "ADMIN"},
	{"apiTokens", `{ apiTokens { id } }`, "USER"},
	{"auditLog", `{ auditLog { edges { cursor } } }`, "ADMIN"},
	// Sync (profiles, users, runs, conflicts, approvals, trace, quarantine, status).
	{"syncProfiles", `{ syncProfiles { id crm { settings } } }`, "ADMIN"},
	{"syncProfile", `{ syncProfile(id: "p1") { id } }`, "ADMIN"},
	{"saveSyncProfile", `mutation { saveSyncProfile(input: {id: "p9", name: "x", crm: {type: "crm", instance: "c"}, mailbox: {type: "mbx", instance: "m"}}) { id } }`, "ADMIN"},
	{"deleteSyncProfile", `mutation { deleteSyncProfile(id: "p1") }`, "ADMIN"},
	{"linkedUsers", `{ linkedUsers(profileId: "p1") { id } }`, "ADMIN"},
	{"linkedUsers", `{ linkedUsers(profileId: "p1") { id summary { quarantined lastError { message } } } }`, "ADMIN"},
	{"userSummary", `{ userSummary(profileId: "p1", userId: "u1") { quarantined } }`, "ADMIN"},
	{"linkUser", `mutation { linkUser(input: {profileId: "p1", id: "u9", crm: {id: "a"}, mailbox: {email: "m@example.com"}}) { id } }`, "ADMIN"},
	{"unlinkUser", `mutation { unlinkUser(profileId: "p1", userId: "u1") }`, "ADMIN"},
	{"syncRuns", `{ syncRuns { id } }`, "ADMIN"},
	{"syncRun", `{ syncRun(id: "r") { id } }`, "ADMIN"},
	{"syncNow", `mutation { syncNow(profileId: "p1") }`, "ADMIN"},
	{"previewSync", `mutation { previewSync(profile: {id: "p1", name: "n", crm: {type: "crm", instance: "c"}, mailbox: {type: "mbx", instance: "m"}}, crm: {id: "a"}, mailbox: {email: "b@example.com"}) { saved } }`, "ADMIN"},
	{"previewUserSync", `mutation { previewUserSync(profileId: "p1", userId: "u1") { saved } }`, "ADMIN"},
	{"pauseSync", `mutation { pauseSync(profileId: "p1") }`, "ADMIN"},
	{"resumeSync", `mutation { resumeSync(profileId: "p1") }`, "ADMIN"},
	{"undoSyncRun", `mutation { undoSyncRun(id: "r") { id } }`, "ADMIN"},
	{"syncConflicts", `{ syncConflicts { id } }`, "ADMIN"},
	{"resolveSyncConflict", `mutation { resolveSyncConflict(id: "c", choice: CRM) { id } }`, "ADMIN"},
	{"pendingApprovals", `{ pendingApprovals { id } }`, "ADMIN"},
	{"approveSyncRun", `mutation { approveSyncRun(id: "r") { id } }`, "ADMIN"},
	{"rejectSyncRun", `mutation { rejectSyncRun(id: "r") { id } }`, "ADMIN"},
	{"syncTrace", `{ syncTrace(itemId: "x") { runId } }`, "ADMIN"},
	{"syncQuarantine", `{ syncQuarantine { itemId } }`, "ADMIN"},
	{"releaseQuarantine", `mutation { releaseQuarantine(input: {profileId: "p1", userId: "u1", kind: APPOINTMENT, side: CRM, itemId: "x"}) }`, "ADMIN"},
	{"schedulerStatus", `{ schedulerStatus { queueDepth } }`, "ADMIN"},
	{"governorStatus", `{ governorStatus { scope } }`, "ADMIN"},
	{"setSystemSecrets", `mutation { setSystemSecrets(instance: "crm1", secrets: [{name: "password", value: "x"}]) }`, "ADMIN"},
	{"beginSystemSignIn", `mutation { beginSystemSignIn(profileId: "p1", side: CRM) { url } }`, "ADMIN"},
	{"systemSecretsSet", `{ systemSecretsSet(instance: "crm1", names: ["password"]) }`, "ADMIN"},
	{"testSystem", `mutation { testSystem(system: {type: "crm", instance: "crm1"}) { ok } }`, "ADMIN"},
	{"profileChecks", `{ profileChecks(profileId: "p1") { ok } }`, "ADMIN"},
	{"systemAccounts", `query { systemAccounts(system: {type: "crm", instance: "crm1"}) { complete } }`, "ADMIN"},
	{"systemCategories", `query { systemCategories(system: {type: "crm", instance: "crm1"}) { complete } }`, "ADMIN"},
	{"titleTemplatePreview", `query { titleTemplatePreview(template: "{title}", sample: {title: "x"}) { subject } }`, "ADMIN"},
	{"suggestLinks", `{ suggestLinks(crm: {type: "crm", instance: "crm1"}, mailbox: {type: "mbx", instance: "mbx1"}) { complete } }`, "ADMIN"},
	// Settings (e-mail).
	{"smtpSettings", `{ smtpSettings { host passwordSet } }`, "ADMIN"},
	{"saveSmtpSettings", `mutation { saveSmtpSettings(input: {host: "127.0.0.1", port: 25, security: NONE, from: "a@example.com"}) { host } }`, "ADMIN"},
	{"sendTestMail", `mutation { sendTestMail(to: "b@example.com") { sent } }`, "ADMIN"},
	{"inviteMailboxUser", `mutation { inviteMailboxUser(profileId: "p1", userId: "u1") { sent } }`, "ADMIN"},
	// The user portal: USER fields answer only the viewer's links (portal_test.go checks what they answer).
	{"createPortalInvitation", `mutation { createPortalInvitation(profileId: "p1", userId: "u1") { link } }`, "ADMIN"},
	{"myLinks", `{ myLinks { profileId userId status { lastError } recentRuns { id } quarantine { itemId } } }`, "USER"},
	{"beginMyMailboxSignIn", `mutation { beginMyMailboxSignIn(profileId: "p1") { url } }`, "USER"},
	{"setMyPreferences", `mutation { setMyPreferences(profileId: "p1", overrides: {}) { profileId } }`, "USER"},
	{"syncMyMailboxNow", `mutation { syncMyMailboxNow(profileId: "p1") }`, "USER"},
	// Operations.
	{"governorHistory", `{ governorHistory(minutes: 5) { scope } }`, "ADMIN"},
	{"tlsStatus", `{ tlsStatus { mode } }`, "ADMIN"},
	{"reinvitations", `{ reinvitations { userId } }`, "ADMIN"},
	{"createBackupLink", `mutation { createBackupLink { url } }`, "ADMIN"},
}

// TestRoleChecks asserts that anonymous callers get UNAUTHENTICATED for
// every guarded field, and USER accounts get FORBIDDEN for ADMIN fields.
func TestRoleChecks(t *testing.T) {
	t.Parallel()
	// The table covers every guarded root field of the schema.
	s := loadSchema(t)
	for _, root := range []*ast.Definition{s.Query, s.Mutation} {
		for _, f := range root.Fields {
			if f.Directives.ForName("hasRole") == nil {
				continue
			}
			if !slices.ContainsFunc(roleCases, func(c struct{ field, op, role string }) bool { return c.field == f.Name }) {
				t.Errorf("%s.%s is guarded but has no case in roleCases", root.Name, f.Name)
			}
		}
	}

	// The full stack, so a refusal is the guard's and not a missing service.
	se := newSyncEnv(t)
	e := se.env
	admin := e.setupAdmin()
	admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(t)
	admin.query(`mutation { linkUser(input: {profileId: "p1", id: "u1", crm: {id: "assoc-1"}, mailbox: {email: "alice@example.com"}}) { id } }`, nil).must(t)
	se.idle()
	user := e.userClient(e.adminViewer())
	anon := e.client()
	for _, c := range roleCases {
		r := anon.query(c.op, nil)
		if r.Status != http.StatusOK || r.code() != "UNAUTHENTICATED" || r.Data[c.field] != nil {
			t.Errorf("%s as anonymous: %d %s, want UNAUTHENTICATED", c.field, r.Status, r.Raw)
		}
		r = user.query(c.op, nil)
		switch c.role {
		case "ADMIN":
			if r.code() != "FORBIDDEN" || r.Data[c.field] != nil {
				t.Errorf("%s as user: %s, want FORBIDDEN", c.field, r.Raw)
			}
		case "USER":
			if code := r.code(); code == "FORBIDDEN" || code == "UNAUTHENTICATED" {
				t.Errorf("%s as user: %s, want it allowed", c.field, r.Raw)
			}
		}
	}
	// Nothing a refused caller asked for happened.
	if ps, _ := se.engine.Profiles(); len(ps) != 1 || ps[0].ID != "p1" {
		t.Errorf("profiles after refused calls: %+v", ps)
	}
	if us, _ := se.engine.Users("p1"); len(us) != 1 || us[0].ID != "u1" {
		t.Errorf("linked users after refused calls: %+v", us)
	}
	if _, err := se.secrets.For("crm1").Get(context.Background(), "password"); err == nil {
		t.Error("a refused caller stored a secret")
	}
	if r := admin.query(`{ smtpSettings { host } }`, nil).must(t); r.Data["smtpSettings"] != nil {
		t.Errorf("a refused caller saved SMTP settings: %s", r.Raw)
	}
	if s := se.sched.Snapshot(); len(s.Users) != 1 || s.Users[0].Paused {
		t.Errorf("scheduler after refused calls: %+v", s.Users)
	}
	// The subscriptions are guarded too (checked over websocket in ws_test.go
	// and sync_test.go).
}
