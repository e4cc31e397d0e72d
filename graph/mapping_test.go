package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Categories makes the slow test connector a Vocabulary that answers after its wait.
func (s *slowConnector) Categories(ctx context.Context, _ engine.Account) ([]engine.Category, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return []engine.Category{{Name: "late"}}, nil
}

const categoriesQ = `query($s: SystemInput!, $a: String) { systemCategories(system: $s, account: $a) {
	complete message durationMs categories { name kind color } } }`

// categoryNames lists the categories of a listing as "name/kind/color".
func categoryNames(v any) []string {
	var out []string
	for _, c := range list(v) {
		m := c.(map[string]any)
		s := m["name"].(string)
		if k, ok := m["kind"].(string); ok {
			s += "/" + k
		}
		if c, ok := m["color"].(string); ok {
			s += "/" + c
		}
		out = append(out, s)
	}
	return out
}

func TestSystemCategories(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 10*time.Second)
	admin := ce.setupAdmin()
	ce.putDemoSecrets(t, admin)
	p := ce.demo.Profile()
	ann := ce.demo.People()[0]
	ce.demo.Graph().AddCategory(ann.GraphID, "CRM meeting", "preset4")

	// SuperOffice: the task list, with each type's kind; the account is not needed.
	r := admin.query(categoriesQ, map[string]any{"s": sysIn(p.CRM)}).must(t)
	got := strings.Join(categoryNames(field(r.Data, "systemCategories", "categories")), ",")
	if field(r.Data, "systemCategories", "complete") != true || !strings.Contains(got, "/APPOINTMENT") || !strings.Contains(got, "/TASK") {
		t.Fatalf("superoffice: %s", r.Raw)
	}

	// Microsoft 365: the mailbox's master categories, by address or id.
	for _, acct := range []string{ann.Email, ann.GraphID} {
		r = admin.query(categoriesQ, map[string]any{"s": sysIn(p.Mailbox), "a": acct}).must(t)
		got := categoryNames(field(r.Data, "systemCategories", "categories"))
		if field(r.Data, "systemCategories", "complete") != true || !strings.Contains(strings.Join(got, ","), "CRM meeting/preset4") {
			t.Fatalf("msgraph %s: %s", acct, r.Raw)
		}
	}

	// Microsoft 365 without a mailbox: BAD_USER_INPUT naming the account.
	r = admin.query(categoriesQ, map[string]any{"s": sysIn(p.Mailbox)})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "account" {
		t.Fatalf("no account: %s", r.Raw)
	}
	r = admin.query(categoriesQ, map[string]any{"s": sysIn(p.Mailbox), "a": "not an/address"})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "account" {
		t.Fatalf("bad account: %s", r.Raw)
	}
	// An unknown mailbox: the listing fails in band, saying why.
	r = admin.query(categoriesQ, map[string]any{"s": sysIn(p.Mailbox), "a": "nobody@example.invalid"}).must(t)
	if field(r.Data, "systemCategories", "complete") != false || !strings.Contains(field(r.Data, "systemCategories", "message").(string), "could not be listed") {
		t.Fatalf("unknown mailbox: %s", r.Raw)
	}

	// Invalid settings name the field, as testSystem does.
	bad := sysIn(p.CRM)
	var set map[string]any
	if err := json.Unmarshal(p.CRM.Settings, &set); err != nil {
		t.Fatal(err)
	}
	set["titleTemplate"] = "{nope} {title}"
	b, _ := json.Marshal(set)
	bad["settings"] = string(b)
	r = admin.query(categoriesQ, map[string]any{"s": bad})
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "system.settings.titleTemplate" {
		t.Fatalf("bad settings: %s", r.Raw)
	}

	// A connector without a category list says so.
	r = admin.query(categoriesQ, map[string]any{"s": map[string]any{"type": "ref", "instance": "c"}}).must(t)
	if field(r.Data, "systemCategories", "complete") != true || len(list(field(r.Data, "systemCategories", "categories"))) != 0 ||
		!strings.Contains(field(r.Data, "systemCategories", "message").(string), "no list of categories") {
		t.Fatalf("reference: %s", r.Raw)
	}
}

func TestSystemCategoriesTimeOut(t *testing.T) {
	t.Parallel()
	ce := newCheckEnv(t, 150*time.Millisecond)
	admin := ce.setupAdmin()
	r := admin.query(categoriesQ, map[string]any{"s": map[string]any{"type": "slow", "instance": "s"}}).must(t)
	if field(r.Data, "systemCategories", "complete") != false || !strings.Contains(field(r.Data, "systemCategories", "message").(string), "within 150ms") {
		t.Fatalf("timed out: %s", r.Raw)
	}
}

const previewQ = `query($t: String!, $s: TitleSample!) { titleTemplatePreview(template: $t, sample: $s) {
	template subject title placeholders } }`

func TestTitleTemplatePreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	full := map[string]any{"title": "Kick-off", "type": "Meeting", "company": "Acme", "person": "Ann", "project": "P1", "sale": "S1"}
	tests := []struct {
		tmpl    string
		sample  map[string]any
		subject string
	}{
		{"{type}: {title} — {company}", full, "Meeting: Kick-off — Acme"},
		{"{type}: {title} — {company}", map[string]any{"title": "Kick-off", "company": "Acme"}, "Kick-off — Acme"},
		{"{type}: {title} — {company}", map[string]any{"title": "Kick-off", "type": "Meeting"}, "Meeting: Kick-off"},
		{"", full, "Kick-off"},
		{"[{project}/{sale}] {title} ({person})", full, "[P1/S1] Kick-off (Ann)"},
	}
	for _, tc := range tests {
		r := admin.query(previewQ, map[string]any{"t": tc.tmpl, "s": tc.sample}).must(t)
		got := field(r.Data, "titleTemplatePreview").(map[string]any)
		if got["subject"] != tc.subject || got["title"] != tc.sample["title"] {
			t.Errorf("%q: %s, want subject %q", tc.tmpl, r.Raw, tc.subject)
		}
		if len(list(got["placeholders"])) != 6 {
			t.Errorf("%q: placeholders %v", tc.tmpl, got["placeholders"])
		}
	}
	for _, tmpl := range []string{"{type}", "{title} {title}", "{title} {nope}", "{title", strings.Repeat("x", 1001) + "{title}"} {
		r := admin.query(previewQ, map[string]any{"t": tmpl, "s": map[string]any{"title": "x"}})
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "template" {
			t.Errorf("%.30q: %s", tmpl, r.Raw)
		}
	}
	// Only admins may call it.
	if r := e.client().query(previewQ, map[string]any{"t": "{title}", "s": map[string]any{"title": "x"}}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %s", r.Raw)
	}
}
