package graph_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

const gridQuery = `{ linkedUsers(profileId: "p1") { id summary { lastSuccess quarantined
	kinds { kind items lastRun { id status end counts { listed created updated deleted } } }
	lastError { kind message runId side itemId title field reason } } } }`

// TestUserSummaryGrid syncs a user, makes one update fail with an item error, and checks the grid's summary:
// items in sync and the last run per kind, the last success, the quarantine and the error naming the item.
func TestUserSummaryGrid(t *testing.T) {
	t.Parallel()
	se := newSyncEnv(t)
	admin := se.setupAdmin()
	day := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	meeting := se.crm.Put(crmAcct, appt("Board meeting", day))
	se.crm.Put(crmAcct, appt("review", day.Add(2*time.Hour)))
	admin.query(saveProfile, map[string]any{"in": profileInput(nil)}).must(t)
	admin.query(`mutation { linkUser(input: {profileId: "p1", id: "u1", crm: {id: "assoc-1"}, mailbox: {email: "alice@example.com"}}) { id } }`, nil).must(t)
	se.idle()

	r := admin.query(gridQuery, nil).must(t)
	u := list(r.Data["linkedUsers"])[0].(map[string]any)
	s := u["summary"].(map[string]any)
	if s["lastSuccess"] == nil || s["quarantined"] != float64(0) || s["lastError"] != nil {
		t.Fatalf("after the first sync: %s", r.Raw)
	}
	var appts map[string]any
	for _, k := range list(s["kinds"]) {
		if k.(map[string]any)["kind"] == "APPOINTMENT" {
			appts = k.(map[string]any)
		}
	}
	if appts == nil || appts["items"] != float64(2) || field(appts, "lastRun", "status") != "OK" ||
		field(appts, "lastRun", "counts", "created") != float64(2) {
		t.Fatalf("appointments after the first sync: %s", r.Raw)
	}

	// The mailbox refuses the update of the meeting: the item is quarantined, naming the field.
	se.mbx.SetFaults(func(c reference.Call) reference.Fault {
		if c.Op == "update" {
			return reference.Fault{Before: &engine.ItemError{ID: c.ID, Field: "end", Err: errors.New("end before start")}}
		}
		return reference.Fault{}
	})
	if err := se.crm.Edit(crmAcct, engine.KindAppointment, meeting, func(it engine.Item) engine.Item {
		it.(*engine.Appointment).Location = "Oslo"
		return it
	}); err != nil {
		t.Fatal(err)
	}
	admin.query(`mutation { syncNow(profileId: "p1", userId: "u1") }`, nil).must(t)
	se.idle()
	r = admin.query(gridQuery, nil).must(t)
	s = list(r.Data["linkedUsers"])[0].(map[string]any)["summary"].(map[string]any)
	if s["quarantined"] != float64(1) {
		t.Fatalf("quarantined: %s, want 1", r.Raw)
	}
	le, _ := s["lastError"].(map[string]any)
	want := fmt.Sprintf("Appointment 'Board meeting' (CRM %s): end: end before start", meeting)
	if le == nil || le["message"] != want || le["field"] != "end" || le["itemId"] != meeting || le["side"] != "CRM" ||
		le["title"] != "Board meeting" || le["runId"] != nil {
		t.Fatalf("last error: %s, want %q", r.Raw, want)
	}

	// userSummary answers the same for one user, and NOT_FOUND for a user who is not linked.
	r = admin.query(`{ userSummary(profileId: "p1", userId: "u1") { quarantined lastError { message } } }`, nil).must(t)
	if field(r.Data, "userSummary", "lastError", "message") != want || field(r.Data, "userSummary", "quarantined") != float64(1) {
		t.Fatalf("userSummary: %s", r.Raw)
	}
	if r := admin.query(`{ userSummary(profileId: "p1", userId: "nobody") { quarantined } }`, nil); r.code() != "NOT_FOUND" {
		t.Fatalf("userSummary of nobody: %s, want NOT_FOUND", r.Raw)
	}
	if r := admin.query(`{ userSummary(profileId: "p1", userId: "a/b") { quarantined } }`, nil); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("userSummary of a malformed id: %s, want BAD_USER_INPUT", r.Raw)
	}

	// Summary is an ADMIN field: a user account cannot read it through linkedUsers.
	user := se.userClient(se.adminViewer())
	if r := user.query(gridQuery, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("summary as a user: %s", r.Raw)
	}
}
