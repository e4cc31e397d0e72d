package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
	"github.com/synchronizer/synchronizer/graph"
)

const (
	assocAlice = 101
	assocBob   = 102
)

// pushSetup is an appliance with a public URL (its own loopback server), a signed-in SuperOffice tenant against
// a Microsoft 365 tenant, and two linked users.
func pushSetup(t *testing.T) (*appliance, *superofficetest.Server, *msgraphtest.Server) {
	t.Helper()
	pemKey, pub := superofficetest.PartnerKeyPEM()
	so := superofficetest.New(superofficetest.Options{PartnerKey: pub})
	base := so.Start()
	t.Cleanup(so.Close)
	so.AddAssociate(assocAlice, "Alice", "alice@example.com")
	so.AddAssociate(assocBob, "Bob", "bob@example.com")
	g := msgraphtest.New(msgraphtest.Options{})
	t.Cleanup(g.Close)
	g.AddClient("app-1", "app-secret")
	g.AddUser(msgraphtest.User{ID: "alice-id", Mail: "alice@example.com", UPN: "alice@example.com", DisplayName: "Alice"})
	g.AddUser(msgraphtest.User{ID: "bob-id", Mail: "bob@example.com", UPN: "bob@example.com", DisplayName: "Bob"})

	a := newAppliance(t, func(srvURL string) string { return srvURL })
	ctx := context.Background()
	sec := a.stack.secrets("so1")
	for name, v := range map[string]string{superoffice.SecretPartnerKey: pemKey,
		superoffice.SecretClientSecret: superofficetest.ClientSecret, superoffice.SecretSystemToken: superofficetest.SystemToken} {
		if err := sec.Put(ctx, name, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := a.stack.eng.PutProfile(engine.Profile{ID: "p1", Name: "Sales",
		CRM: engine.SystemRef{Type: "superoffice", Instance: "so1", Settings: mustJSONRaw(t, map[string]any{
			"baseUrl": base + "/api/", "loginUrl": base + "/login", "clientId": superofficetest.ClientID,
			"contextIdentifier": superofficetest.ContextIdentifier})},
		Mailbox: engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: mustJSONRaw(t, map[string]any{
			"tenantId": "contoso", "clientId": "app-1", "clientSecret": "app-secret", "authority": g.URL, "graphUrl": g.URL})},
		PollSeconds: 3600,
		Directions:  map[engine.Kind]engine.Direction{engine.KindAppointment: engine.DirTwoWay}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []engine.LinkedUser{
		{ID: "u-alice", CRM: engine.Account{ID: "101", Email: "alice@example.com"}, Mailbox: engine.Account{ID: "alice-id", Email: "alice@example.com"}},
		{ID: "u-bob", CRM: engine.Account{ID: "102", Email: "bob@example.com"}, Mailbox: engine.Account{ID: "bob-id", Email: "bob@example.com"}},
	} {
		if _, err := a.stack.eng.LinkUser("p1", u); err != nil {
			t.Fatal(err)
		}
	}
	if err := graphLoadSchedule(a); err != nil {
		t.Fatal(err)
	}
	return a, so, g
}

// graphLoadSchedule tells the scheduler about p1 (the API does this when it saves a profile).
func graphLoadSchedule(a *appliance) error {
	p, err := a.stack.eng.Profile("p1")
	if err != nil {
		return err
	}
	users, err := a.stack.eng.Users("p1")
	if err != nil {
		return err
	}
	return a.stack.sched.SetProfile(graph.SchedulerProfile(p, users))
}

// settle waits until the appliance is quiet: no job queued or running and every push delivery handed on, for
// 300 ms in a row. The first sync of each linked user runs in the background from the moment it is linked; checks
// that count remote calls or push triggers must not overlap it.
func settle(t *testing.T, a *appliance) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	quietSince := time.Time{}
	for {
		st := a.stack.intake.Status()
		quiet := a.stack.sched.Idle() && st.Received == st.Dispatched+st.Duplicates+st.Rejected
		switch {
		case !quiet:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) >= 300*time.Millisecond:
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the appliance did not settle within 15 s: idle=%v intake %+v", a.stack.sched.Idle(), st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPush returns the jobs the scheduler queued for push triggers within d.
func waitPush(t *testing.T, ch <-chan scheduler.Event, d time.Duration, want string) []string {
	t.Helper()
	var got []string
	deadline := time.After(d)
	for {
		select {
		case ev := <-ch:
			if ev.Type == scheduler.EventQueued && ev.Trigger == push.TriggerPush {
				got = append(got, ev.Profile+"/"+ev.User+"/"+string(ev.Kind))
				if want != "" && got[len(got)-1] == want {
					return got
				}
			}
		case <-deadline:
			return got
		}
	}
}

func TestPushChannelsInTheAppliance(t *testing.T) {
	a, so, g := pushSetup(t)
	ctx := context.Background()

	// Saving the profile and linking users creates the channels: one SuperOffice webhook for the tenant and one
	// Graph subscription per user and synced kind, all pointing at this appliance's /hooks route.
	settle(t, a)
	if err := a.stack.push.ensureAll(ctx, false); err != nil {
		t.Fatalf("ensureAll: %v", err)
	}
	settle(t, a)
	hooks := so.Webhooks()
	if len(hooks) != 1 || hooks[0].State != "Active" || hooks[0].TargetURL != a.srv.URL+"/hooks/superoffice/p1" {
		t.Fatalf("SuperOffice webhooks %+v", hooks)
	}
	if subs := g.Subscriptions(); len(subs) != 2 {
		t.Fatalf("Graph subscriptions %v, want one per linked user", subs)
	}
	// Nothing changed: the next tick makes no remote call.
	calls := so.Calls()
	if err := a.stack.push.ensureAll(ctx, false); err != nil || so.Calls() != calls || len(g.Subscriptions()) != 2 {
		t.Fatalf("an unchanged profile was visited again: %v, %d calls, %v", err, so.Calls()-calls, g.Subscriptions())
	}

	settle(t, a)
	ch, cancel := a.stack.sched.Subscribe(1024)
	defer cancel()
	// Bob books a meeting in SuperOffice: the signed webhook reaches /hooks/superoffice/p1 and only Bob's job runs.
	st := time.Now().Add(24 * time.Hour).UTC()
	if _, err := so.Seed(assocBob, superoffice.AppointmentEntity{Title: "bob's meeting", Type: "inDiary",
		StartDate: superoffice.FormatTime(st, time.UTC), EndDate: superoffice.FormatTime(st.Add(time.Hour), time.UTC)}); err != nil {
		t.Fatal(err)
	}
	so.Flush()
	got := waitPush(t, ch, 10*time.Second, "p1/u-bob/appointment")
	if len(got) == 0 || got[len(got)-1] != "p1/u-bob/appointment" {
		t.Fatalf("push-triggered jobs %v, want p1/u-bob/appointment", got)
	}
	// Bob's run writes the meeting into his mailbox, whose Graph notification triggers Bob's job again (an echo the
	// run settles); Alice's job is never triggered.
	if more := waitPush(t, ch, 500*time.Millisecond, ""); strings.Contains(strings.Join(append(got, more...), " "), "u-alice") {
		t.Errorf("Alice's job was triggered by Bob's meeting: %v %v", got, more)
	}
	if h := so.Webhooks()[0]; h.ConsecutiveErrors != 0 || h.TotalCalls == 0 {
		t.Errorf("the webhook deliveries were not acknowledged: %+v", h)
	}

	// SuperOffice stops a webhook after too many errors; the watchdog's lifecycle event re-activates it.
	a.stack.push.onLifecycle(push.Event{Connector: superoffice.System, Profile: "p1", Type: push.TypeSilent})
	a.stack.push.lifecycle.Wait()
	if hooks := so.Webhooks(); len(hooks) != 1 || hooks[0].State != "Active" {
		t.Errorf("webhooks after the silent event: %+v", hooks)
	}

	// A Graph subscription removed by Microsoft is re-created for the same job.
	old := g.Subscriptions()
	subs, err := a.stack.push.subscriptions(msgraph.Type, "p1")
	if err != nil || len(subs) != 2 {
		t.Fatalf("registered Graph subscriptions %v %v", subs, err)
	}
	a.stack.push.onLifecycle(push.Event{Connector: msgraph.Type, Profile: "p1", Subscription: subs[0].ID, Type: push.TypeRemoved})
	a.stack.push.lifecycle.Wait()
	now, _ := a.stack.push.subscriptions(msgraph.Type, "p1")
	if len(now) != 2 || len(g.Subscriptions()) != 2 || strings.Join(g.Subscriptions(), ",") == strings.Join(old, ",") {
		t.Errorf("after removal: registered %v, remote %v (before %v)", now, g.Subscriptions(), old)
	}

	// Unlinking Bob drops his subscription at the next tick.
	if err := a.stack.eng.UnlinkUser("p1", "u-bob"); err != nil {
		t.Fatal(err)
	}
	if err := a.stack.push.ensureAll(ctx, false); err != nil {
		t.Fatal(err)
	}
	now, _ = a.stack.push.subscriptions(msgraph.Type, "p1")
	if len(now) != 1 || now[0].User != "u-alice" {
		t.Errorf("registered Graph subscriptions after unlinking Bob: %+v", now)
	}

	// Housekeeping renews every channel (forced), and reports no error.
	for _, r := range a.stack.sched.RunHousekeeping(ctx) {
		if r.Name == "renew-subscriptions" && r.Error != "" {
			t.Errorf("renew-subscriptions: %s", r.Error)
		}
	}
}

func TestPushWithoutPublicURLPolls(t *testing.T) {
	a := newAppliance(t, nil)
	so := superofficetest.New(superofficetest.Options{})
	so.Start()
	defer so.Close()
	g := msgraphtest.New(msgraphtest.Options{})
	defer g.Close()
	putSignInProfile(t, a, so, g)
	if err := a.stack.push.ensureAll(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if len(so.Webhooks()) != 0 || len(g.Subscriptions()) != 0 || so.Calls() != 0 {
		t.Errorf("channels were created without a public URL: %v %v", so.Webhooks(), g.Subscriptions())
	}
}

func TestLateRegistryBeforeTheIntake(t *testing.T) {
	var r lateRegistry
	if err := r.RegisterPush(context.Background(), engine.PushSubscription{Connector: "superoffice", Profile: "p", ID: "1"}); err == nil {
		t.Error("RegisterPush succeeded without an intake")
	}
	if err := r.UnregisterPush(context.Background(), "superoffice", "p", "1"); err == nil {
		t.Error("UnregisterPush succeeded without an intake")
	}
}
