package enginebench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
	"github.com/synchronizer/synchronizer/kv"
)

// TestLargeFirstRunOnDisk runs the first sync of a user whose two sides already hold the same 6,000 appointments
// (matched by UID: every item is linked, none written) and of 3,000 new ones (created), on the real store, whose
// transactions are bounded (about 2.4 MB): the run's state must reach the store in commits that fit, and a second
// run must find nothing to do.
func TestLargeFirstRunOnDisk(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("large run")
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	crm, mbx := reference.NewServer(clock), reference.NewServer(clock)
	crm.SetIDPrefix("crm-")
	mbx.SetIDPrefix("mbx-")
	db, err := kv.Open(kv.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e := newProfileEngine(t, db, clock, map[string]engine.Factory{"crm": crm.Factory(), "mbx": mbx.Factory()})
	day := now.Add(24 * time.Hour)
	appt := func(i int) *engine.Appointment {
		start := day.Add(time.Duration(i%2000) * time.Hour)
		return &engine.Appointment{UID: fmt.Sprintf("uid-%05d@example.com", i), Title: fmt.Sprintf("appointment %d", i),
			Body:     "Agenda: a body long enough to make each link's base content a few hundred bytes, as real ones are.",
			Location: "Room 1", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Oslo"}
	}
	for i := range 9000 {
		crm.Put("a1", appt(i))
		if i < 6000 {
			mbx.Put("m1", appt(i))
		}
	}
	ctx := context.Background()
	if _, err := e.RunSync(ctx, "p1", "u1", engine.KindAppointment, "test"); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if got := len(mbx.Items("m1", engine.KindAppointment)); got != 9000 {
		t.Fatalf("mailbox holds %d appointments after the first run, want 9000 (6,000 matched by UID + 3,000 created)", got)
	}
	writes := mbx.Writes() + crm.Writes()
	if _, err := e.RunSync(ctx, "p1", "u1", engine.KindAppointment, "test"); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if w := mbx.Writes() + crm.Writes(); w != writes {
		t.Fatalf("the second, quiet run wrote %d times", w-writes)
	}
}
