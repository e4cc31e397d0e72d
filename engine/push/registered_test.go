package push_test

import (
	"context"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/push"
)

// TestRegistered lists what was registered, with secrets, per connector and profile, sorted — also after a restart,
// when the intake has only the store to go on.
func TestRegistered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, nil)
	for _, s := range []engine.PushSubscription{
		{Connector: "msgraph", Profile: "p2", ID: "b", Secret: "s-b", User: "u1", Kind: engine.KindAppointment},
		{Connector: "msgraph", Profile: "p1", ID: "z", Secret: "s-z", User: "u1", Kind: engine.KindAppointment},
		{Connector: "msgraph", Profile: "p1", ID: "a", Secret: "s-a", User: "u2", Kind: engine.KindAppointment},
		{Connector: "superoffice", Profile: "p1", ID: "w", Secret: "s-w"},
	} {
		register(t, f.in, s)
	}
	check := func(in *push.Intake) {
		t.Helper()
		got := in.Registered("msgraph", "")
		if len(got) != 3 || got[0].ID != "a" || got[1].ID != "z" || got[2].ID != "b" || got[0].Secret != "s-a" {
			t.Fatalf("Registered(msgraph, all) = %+v, want a, z (p1) then b (p2), with secrets", got)
		}
		if got := in.Registered("msgraph", "p2"); len(got) != 1 || got[0].ID != "b" {
			t.Fatalf("Registered(msgraph, p2) = %+v", got)
		}
		if got := in.Registered("google", ""); len(got) != 0 {
			t.Fatalf("Registered(google) = %+v, want none", got)
		}
	}
	check(f.in)
	if err := f.in.UnregisterPush(context.Background(), "msgraph", "p1", "z"); err != nil {
		t.Fatal(err)
	}
	if got := f.in.Registered("msgraph", "p1"); len(got) != 1 || got[0].ID != "a" {
		t.Fatalf("after unregistering z: %+v", got)
	}
	register(t, f.in, engine.PushSubscription{Connector: "msgraph", Profile: "p1", ID: "z", Secret: "s-z", User: "u1", Kind: engine.KindAppointment})
	restarted := newFixture(t, f.kv, nil)
	check(restarted.in)
}
