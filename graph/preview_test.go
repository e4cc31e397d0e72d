package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

const previewSync = `mutation($p: ProfileInput!, $c: SyncAccountInput!, $m: SyncAccountInput!) {
	previewSync(profile: $p, crm: $c, mailbox: $m) {
		profileId userId saved paused truncated totalOperations tookMs
		kinds { kind direction firstSync linked listed crm { creates updates deletes } mailbox { creates updates deletes }
			unchanged conflicts conflictList { crmId mailboxId fields kept } skipped skips { decision reason count }
			bad { side itemId field reason } badCount stillQuarantined guard pendingWrites busy incomplete tookMs }
		operations { kind side action linkId itemId sourceId title start reason } } }`

const previewUserSync = `mutation($p: ID!, $u: ID!) { previewUserSync(profileId: $p, userId: $u) {
	saved totalOperations kinds { kind firstSync linked mailbox { creates updates } crm { creates } } operations { title action side } } }`

func TestPreviewSync(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Hour)
	for i := range 3 {
		se.crm.Put(crmAcct, appt(fmt.Sprintf("meeting %d", i), start.Add(time.Duration(i)*time.Hour)))
	}
	vars := map[string]any{"p": profileInput(nil), "c": map[string]any{"id": crmAcct}, "m": map[string]any{"email": mbxAcct}}

	// The wizard, before saving anything: a first sync that would copy the three meetings.
	r := admin.query(previewSync, vars).must(t)
	k := field(r.Data, "previewSync", "kinds").([]any)[0].(map[string]any)
	if field(r.Data, "previewSync", "saved") != false || k["kind"] != "APPOINTMENT" || k["firstSync"] != true ||
		field(k, "mailbox", "creates") != float64(3) || field(r.Data, "previewSync", "totalOperations") != float64(3) {
		t.Fatalf("preview %s", r.Raw)
	}
	op := list(field(r.Data, "previewSync", "operations"))[0].(map[string]any)
	if op["side"] != "MAILBOX" || op["action"] != "create" || !strings.HasPrefix(op["title"].(string), "meeting") || op["start"] == nil || op["reason"] == nil {
		t.Fatalf("operation %v", op)
	}
	if r := admin.query(`{ syncProfiles { id } }`, nil).must(t); len(list(r.Data["syncProfiles"])) != 0 {
		t.Fatalf("the preview saved a profile: %s", r.Raw)
	}
	if w := se.crm.Writes() + se.mbx.Writes(); w != 0 {
		t.Fatalf("the preview wrote %d items", w)
	}

	// Saved secrets are kept: the preview of an edited profile (no password given) reaches the connector with it.
	admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(t)
	for len(se.seen) > 0 {
		<-se.seen
	}
	vars["p"] = profileInput(func(in map[string]any) { in["crm"].(map[string]any)["settings"] = `{"model":"delta"}` })
	admin.query(previewSync, vars).must(t)
	got := false
	for len(se.seen) > 0 {
		got = got || strings.Contains(string(<-se.seen), "hunter22")
	}
	if !got {
		t.Fatal("the preview did not use the saved secret")
	}

	// A saved user: previewUserSync, and previewSync with the same accounts, start from the user's state.
	if _, err := se.engine.LinkUser("p1", engine.LinkedUser{ID: "alice", CRM: engine.Account{ID: crmAcct},
		Mailbox: engine.Account{ID: mbxAcct, Email: mbxAcct}}); err != nil {
		t.Fatal(err)
	}
	if _, err := se.engine.RunSync(t.Context(), "p1", "alice", engine.KindAppointment, "test"); err != nil {
		t.Fatal(err)
	}
	se.crm.Put(crmAcct, appt("later", start.Add(5*time.Hour)))
	r = admin.query(previewUserSync, map[string]any{"p": "p1", "u": "alice"}).must(t)
	if field(r.Data, "previewUserSync", "saved") != true || field(r.Data, "previewUserSync", "totalOperations") != float64(1) ||
		!strings.Contains(r.Raw, `"title":"later"`) {
		t.Fatalf("previewUserSync %s", r.Raw)
	}
	r = admin.query(previewSync, vars).must(t)
	if field(r.Data, "previewSync", "saved") != true || field(r.Data, "previewSync", "userId") != "alice" ||
		field(r.Data, "previewSync", "totalOperations") != float64(1) {
		t.Fatalf("previewSync of a saved user %s", r.Raw)
	}
}

func TestPreviewSyncErrors(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	vars := func(edit func(map[string]any), c, m map[string]any) map[string]any {
		return map[string]any{"p": profileInput(edit), "c": c, "m": m}
	}
	crm, mbx := map[string]any{"id": crmAcct}, map[string]any{"email": mbxAcct}
	for _, c := range []struct {
		name, code, field string
		vars              map[string]any
	}{
		{"unknown connector", "BAD_USER_INPUT", "crm.type", vars(func(in map[string]any) { in["crm"].(map[string]any)["type"] = "nope" }, crm, mbx)},
		{"no kind", "BAD_USER_INPUT", "directions", vars(func(in map[string]any) { in["directions"] = []any{} }, crm, mbx)},
		{"no crm account", "BAD_USER_INPUT", "crm.id", vars(nil, map[string]any{"email": "x@example.com"}, mbx)},
		{"no mailbox", "BAD_USER_INPUT", "mailbox.email", vars(nil, crm, map[string]any{"name": "Alice"})},
		{"bad settings", "REMOTE_FAILED", "", vars(func(in map[string]any) {
			in["mailbox"].(map[string]any)["settings"] = `{"model":"carrier-pigeon"}`
		}, crm, mbx)},
	} {
		r := admin.query(previewSync, c.vars)
		if r.code() != c.code || (c.field != "" && r.Errors[0].Extensions["field"] != c.field) {
			t.Errorf("%s: %s, want %s naming %q", c.name, r.Raw, c.code, c.field)
		}
	}
	se.mbx.SetFaults(func(c reference.Call) reference.Fault {
		return reference.Fault{Before: fmt.Errorf("token expired: %w", engine.ErrAuth)}
	})
	r := admin.query(previewSync, vars(nil, crm, mbx))
	if r.code() != "REMOTE_AUTH" || !strings.Contains(r.message(), "credentials") || !strings.Contains(r.message(), "mailbox") {
		t.Fatalf("auth: %s", r.Raw)
	}
	if r := admin.query(previewUserSync, map[string]any{"p": "nope", "u": "alice"}); r.code() != "NOT_FOUND" {
		t.Fatalf("unknown profile: %s", r.Raw)
	}
}
