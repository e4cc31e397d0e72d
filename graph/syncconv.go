package graph

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/graph/model"
)

// The API's enums are the engine's values in upper case with _ for -
// (TWO_WAY = two-way, NEEDS_APPROVAL = needs-approval, CRM = crm).
func enumOut[T ~string](s string) T { return T(strings.ToUpper(strings.ReplaceAll(s, "-", "_"))) }
func enumIn[T ~string, E ~string](e E) T {
	return T(strings.ToLower(strings.ReplaceAll(string(e), "_", "-")))
}

func sideOut(s engine.Side) model.Side { return enumOut[model.Side](s.String()) }
func sideIn(s model.Side) engine.Side {
	if s == model.SideMailbox {
		return engine.SideMailbox
	}
	return engine.SideCRM
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func jsonp(b json.RawMessage) *string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	return &s
}

func timep(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func directionsOut(m map[engine.Kind]engine.Direction) []*model.KindDirection {
	out := []*model.KindDirection{}
	for _, k := range engine.Kinds {
		if d, ok := m[k]; ok {
			out = append(out, &model.KindDirection{Kind: enumOut[model.SyncKind](string(k)), Direction: enumOut[model.SyncDirection](string(d))})
		}
	}
	return out
}

// directionsIn converts a list of directions; field names the input field.
func directionsIn(field string, in []*model.KindDirectionInput) (map[engine.Kind]engine.Direction, error) {
	if in == nil {
		return nil, nil
	}
	m := map[engine.Kind]engine.Direction{}
	for _, d := range in {
		k := enumIn[engine.Kind](d.Kind)
		if _, dup := m[k]; dup {
			return nil, badInput(field+"."+string(k), "kind %s is listed twice", d.Kind)
		}
		m[k] = enumIn[engine.Direction](d.Direction)
	}
	return m, nil
}

func filtersOut(f engine.Filters) *model.SyncFilters {
	return &model.SyncFilters{SkipPrivate: f.SkipPrivate, SkipAllDay: f.SkipAllDay, SkipFree: f.SkipFree, SkipRecurring: f.SkipRecurring}
}

func filtersIn(f *model.SyncFiltersInput) engine.Filters {
	if f == nil {
		return engine.Filters{}
	}
	return engine.Filters{SkipPrivate: deref(f.SkipPrivate), SkipAllDay: deref(f.SkipAllDay), SkipFree: deref(f.SkipFree),
		SkipRecurring: deref(f.SkipRecurring)}
}

// systemOut never returns secret settings: it lists the names of those set.
func systemOut(s engine.SystemRef) *model.SystemConfig {
	pub, secrets, err := splitSecrets(s.Settings)
	if err != nil {
		pub, secrets = json.RawMessage("{}"), []string{}
	}
	return &model.SystemConfig{Type: s.Type, Instance: s.Instance, Settings: string(pub), SecretFields: secrets}
}

func profileOut(p engine.Profile) *model.SyncProfile {
	g := p.Guard
	return &model.SyncProfile{
		ID: p.ID, Name: p.Name, Crm: systemOut(p.CRM), Mailbox: systemOut(p.Mailbox),
		Directions: directionsOut(p.Directions), DaysBack: p.DaysBack, DaysAhead: p.DaysAhead,
		Filters: filtersOut(p.Filters), Policy: enumOut[model.ConflictPolicy](string(p.Policy)),
		OnDelete: enumOut[model.DeletePolicy](string(p.OnDelete)),
		Guard: &model.GuardSettings{
			Deletes:        &model.GuardThreshold{Count: g.Deletes.Count, Percent: g.Deletes.Percent},
			Creates:        &model.GuardThreshold{Count: g.Creates.Count, Percent: g.Creates.Percent},
			ProfileDeletes: g.ProfileDeletes, ProfileCreates: g.ProfileCreates,
			ProfileWindowSeconds: int(g.ProfileWindow), GuardFirstSync: g.GuardFirstSync,
		},
		PollSeconds: p.PollSeconds,
		UserMay:     &model.UserMay{Directions: p.UserMay.Directions, Filters: p.UserMay.Filters, Window: p.UserMay.Window},
	}
}

// profileIn converts input to an engine profile; old is the saved profile
// (zero when new), whose secret settings and paused flag are kept.
func profileIn(in model.ProfileInput, old engine.Profile) (engine.Profile, error) {
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		return engine.Profile{}, badInput("name", "required")
	case len(name) > 200:
		return engine.Profile{}, badInput("name", "at most 200 characters")
	}
	p := engine.Profile{ID: in.ID, Name: name, DaysBack: 30, DaysAhead: 120, Filters: filtersIn(in.Filters),
		PollSeconds: deref(in.PollSeconds), Paused: old.Paused}
	if in.DaysBack != nil {
		p.DaysBack = *in.DaysBack
	}
	if in.DaysAhead != nil {
		p.DaysAhead = *in.DaysAhead
	}
	if p.DaysBack == 0 && p.DaysAhead == 0 {
		return engine.Profile{}, badInput("daysAhead", "the window must cover at least one day back or ahead")
	}
	if in.PollSeconds != nil && *in.PollSeconds == 0 {
		return engine.Profile{}, badInput("pollSeconds", "must be at least 30")
	}
	for _, s := range []struct {
		field string
		in    *model.SystemInput
		old   engine.SystemRef
		dst   *engine.SystemRef
	}{{"crm", in.Crm, old.CRM, &p.CRM}, {"mailbox", in.Mailbox, old.Mailbox, &p.Mailbox}} {
		settings, err := mergeSettings(s.field, s.in.Settings, s.in.ClearSecrets, s.old.Settings)
		if err != nil {
			return engine.Profile{}, err
		}
		*s.dst = engine.SystemRef{Type: strings.TrimSpace(s.in.Type), Instance: strings.TrimSpace(s.in.Instance), Settings: settings}
		if err := checkEntered(s.field, *s.dst); err != nil {
			return engine.Profile{}, err
		}
	}
	var err error
	if p.Directions, err = directionsIn("directions", in.Directions); err != nil {
		return engine.Profile{}, err
	}
	if in.Policy != nil {
		p.Policy = enumIn[engine.Policy](*in.Policy)
	}
	if in.OnDelete != nil {
		p.OnDelete = enumIn[engine.DeletePolicy](*in.OnDelete)
	}
	if g := in.Guard; g != nil {
		p.Guard = engine.Guard{
			Deletes:        engine.Threshold{Count: g.Deletes.Count, Percent: g.Deletes.Percent},
			Creates:        engine.Threshold{Count: g.Creates.Count, Percent: g.Creates.Percent},
			ProfileDeletes: g.ProfileDeletes, ProfileCreates: g.ProfileCreates,
			ProfileWindow: engine.Duration(g.ProfileWindowSeconds), GuardFirstSync: deref(g.GuardFirstSync),
		}
		if p.Guard == (engine.Guard{}) {
			// All zero would silently mean "the defaults"; say so instead.
			return engine.Profile{}, badInput("guard", "every limit is 0: leave guard out for the defaults, or set the limits")
		}
	}
	if m := in.UserMay; m != nil {
		p.UserMay = engine.UserMay{Directions: deref(m.Directions), Filters: deref(m.Filters), Window: deref(m.Window)}
	}
	return p, nil
}

func accountOut(a engine.Account) *model.SyncAccount {
	aliases := a.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	return &model.SyncAccount{ID: a.ID, Email: a.Email, Name: a.Name, Aliases: aliases}
}

func accountIn(a *model.SyncAccountInput) engine.Account {
	return engine.Account{ID: strings.TrimSpace(deref(a.ID)), Email: strings.TrimSpace(deref(a.Email)),
		Name: strings.TrimSpace(deref(a.Name)), Aliases: a.Aliases}
}

func linkedUserOut(profileID string, u engine.LinkedUser) *model.LinkedUser {
	o := &model.UserOverrides{Directions: directionsOut(u.Overrides.Directions), DaysBack: u.Overrides.DaysBack,
		DaysAhead: u.Overrides.DaysAhead}
	if u.Overrides.Filters != nil {
		o.Filters = filtersOut(*u.Overrides.Filters)
	}
	return &model.LinkedUser{ID: u.ID, ProfileID: profileID, Crm: accountOut(u.CRM), Mailbox: accountOut(u.Mailbox), Overrides: o}
}

func linkedUserIn(in model.LinkUserInput) (engine.LinkedUser, error) {
	u := engine.LinkedUser{ID: in.ID, CRM: accountIn(in.Crm), Mailbox: accountIn(in.Mailbox)}
	if o := in.Overrides; o != nil {
		var err error
		if u.Overrides.Directions, err = directionsIn("overrides.directions", o.Directions); err != nil {
			return engine.LinkedUser{}, err
		}
		if o.Filters != nil {
			f := filtersIn(o.Filters)
			u.Overrides.Filters = &f
		}
		u.Overrides.DaysBack, u.Overrides.DaysAhead = o.DaysBack, o.DaysAhead
	}
	return u, nil
}

func userStatusOut(s scheduler.UserStatus) *model.UserSyncStatus {
	return &model.UserSyncStatus{ProfileID: s.Profile, UserID: s.User, Paused: s.Paused, NextRun: s.NextRun,
		Queued: s.Queued, Running: s.Running, LastRun: s.LastRun, LastOk: s.LastOK, LastError: strp(s.LastError),
		LastErrorAt: s.LastErrorAt, Failures: s.Failures, Breaker: s.Breaker, BreakerReason: strp(s.BreakerReason),
		BreakerUntil: s.BreakerUntil, PushHealthy: s.PushHealthy}
}

func runOut(r engine.Run) *model.SyncRun {
	c := r.Counts
	out := &model.SyncRun{
		ID: r.ID, ProfileID: r.Profile, UserID: r.User, Kind: enumOut[model.SyncKind](string(r.Kind)),
		Trigger: r.Trigger, Start: r.Start, End: timep(r.End), Status: enumOut[model.RunStatus](string(r.Status)),
		Error: strp(r.Error), Counts: &model.RunCounts{Listed: c.Listed, Created: c.Created, Updated: c.Updated,
			Deleted: c.Deleted, Unchanged: c.Unchanged, Conflicts: c.Conflicts, Quarantined: c.Quarantined,
			Skipped: c.Skipped, Errors: c.Errors},
		Planned: make([]*model.PlannedOperation, len(r.Planned)), Guard: strp(r.Guard), UndoOf: strp(r.UndoOf),
		UndoneBy: strp(r.UndoneBy), Approved: strp(r.Approved),
	}
	for i, p := range r.Planned {
		out.Planned[i] = &model.PlannedOperation{Side: sideOut(p.Side), Action: string(p.Action), LinkID: p.Link,
			ItemID: strp(p.ID), SourceID: strp(p.Source), Title: strp(p.Title), Reason: strp(p.Reason)}
	}
	return out
}

func opOut(op engine.AppliedOp) *model.AppliedOperation {
	return &model.AppliedOperation{Seq: op.Seq, Side: sideOut(op.Side), Action: string(op.Action), LinkID: op.Link,
		ItemID: op.ID, Version: strp(op.Version), Before: jsonp(op.Before), After: jsonp(op.After), At: op.At}
}

func conflictOut(c engine.Conflict) *model.SyncConflict {
	out := &model.SyncConflict{ID: c.ID, ProfileID: c.Profile, UserID: c.User, Kind: enumOut[model.SyncKind](string(c.Kind)),
		LinkID: c.Link, RunID: c.Run, CrmItemID: c.IDs[engine.SideCRM], MailboxItemID: c.IDs[engine.SideMailbox],
		Fields: c.Fields, Base: jsonp(c.Base), Crm: jsonp(c.CRM), Mailbox: jsonp(c.Mailbox), Decision: sideOut(c.Decision),
		Policy: enumOut[model.ConflictPolicy](string(c.Policy)), At: c.At}
	if out.Fields == nil {
		out.Fields = []string{}
	}
	if c.Resolved != "" {
		s := enumOut[model.Side](c.Resolved)
		out.Resolved = &s
	}
	return out
}

func traceOut(t engine.TraceEntry) *model.TraceEntry {
	return &model.TraceEntry{At: t.At, RunID: t.Run, ProfileID: t.Profile, UserID: t.User,
		Kind: enumOut[model.SyncKind](string(t.Kind)), Side: sideOut(t.Side), LinkID: strp(t.Link),
		Decision: string(t.Decision), Reason: strp(t.Reason)}
}

func quarantinedOut(q engine.Quarantined) *model.QuarantinedItem {
	return &model.QuarantinedItem{ProfileID: q.Profile, UserID: q.User, Kind: enumOut[model.SyncKind](string(q.Kind)),
		Side: sideOut(q.Side), ItemID: q.ID, Version: strp(q.Version), Field: strp(q.Field), Reason: q.Reason, At: q.At}
}

func snapshotOut(s scheduler.Snapshot) *model.SchedulerStatus {
	out := &model.SchedulerStatus{At: s.At, Started: s.Started, Stopping: s.Stopping, Workers: s.Workers,
		QueueDepth: s.QueueDepth, Running: []*model.RunningJob{}, Profiles: []*model.ProfileSyncStatus{},
		Users: []*model.UserSyncStatus{}, Systems: []*model.SystemBreaker{}, DroppedEvents: satInt(s.DroppedEvents),
		Housekeeping: &model.HousekeepingStatus{Hour: s.Housekeeping.Hour, NextRun: s.Housekeeping.NextRun,
			LastRun: s.Housekeeping.LastRun, Results: []*model.HousekeepingTask{}}}
	for _, j := range s.Running {
		out.Running = append(out.Running, &model.RunningJob{ProfileID: j.Profile, UserID: j.User,
			Kind: enumOut[model.SyncKind](string(j.Kind)), Trigger: j.Trigger, Started: j.Started})
	}
	for _, p := range s.Profiles {
		out.Profiles = append(out.Profiles, &model.ProfileSyncStatus{ProfileID: p.ID, Paused: p.Paused, Queued: p.Queued,
			Running: p.Running, Users: p.Users, Serial: p.Serial, Interval: p.Interval})
	}
	for _, u := range s.Users {
		out.Users = append(out.Users, userStatusOut(u))
	}
	for _, b := range s.Systems {
		out.Systems = append(out.Systems, &model.SystemBreaker{System: b.System, State: b.State, Failures: b.Failures, Until: b.Until})
	}
	for _, h := range s.Housekeeping.Results {
		out.Housekeeping.Results = append(out.Housekeeping.Results, &model.HousekeepingTask{Name: h.Name, Error: strp(h.Error)})
	}
	return out
}

func scopeOut(s governor.ScopeState) *model.GovernorScope {
	return &model.GovernorScope{Scope: s.Scope, System: s.System, Kind: s.Kind, Key: s.Key, MaxInFlight: s.MaxInFlight,
		EffectiveInFlight: s.EffectiveInFlight, InFlight: s.InFlight, Waiting: s.Waiting, Requests: s.Requests,
		PerSeconds: s.Per.Seconds(), BudgetLeft: s.BudgetLeft, BackingOffUntil: s.BackingOffUntil,
		Throttled: satInt(s.Throttled), RecentThrottles: s.RecentThrottles,
		AvgLatencyMs: float64(s.AvgLatency) / float64(time.Millisecond), SlowedDown: s.SlowedDown}
}

func eventOut(e scheduler.Event) *model.SyncEvent {
	out := &model.SyncEvent{Type: e.Type, At: e.At, ProfileID: strp(e.Profile), UserID: strp(e.User),
		Trigger: strp(e.Trigger), RunID: strp(e.RunID), Error: strp(e.Error), QueueDepth: e.QueueDepth, Running: e.Running}
	if e.Kind != "" {
		k := enumOut[model.SyncKind](string(e.Kind))
		out.Kind = &k
	}
	return out
}

// satInt converts a counter to int, saturating at the largest int.
func satInt(u uint64) int {
	if u > math.MaxInt {
		return math.MaxInt
	}
	return int(u)
}

// enteredCheckers holds, by connector type, the check of the settings an admin types (CheckEntered of the
// connector's package): it refuses what the connector would refuse at its first run without requiring what a
// sign-in fills in later. A type without a checker is left to the connector at its first run.
var enteredCheckers = map[string]func(json.RawMessage) error{
	superoffice.System: superoffice.CheckEntered,
	msgraph.Type:       msgraph.CheckEntered,
	dav.Type:           dav.CheckEntered,
}

// checkEntered refuses, when a profile is saved, the settings an admin typed that the system's connector would refuse
// at its first run (a SuperOffice title template, type categories, language, time zone; a Microsoft 365 clientId,
// contacts or groups mode; a CalDAV URL), naming the field as <side>.settings.<name>. Settings a sign-in fills in
// later (SuperOffice Online's API address, the Microsoft 365 tenant) are not required yet, so a draft saved before
// its sign-in is accepted.
func checkEntered(side string, ref engine.SystemRef) error {
	check, ok := enteredCheckers[ref.Type]
	if !ok {
		return nil
	}
	err := check(ref.Settings)
	if err == nil {
		return nil
	}
	var ie *engine.InputError
	if errors.As(err, &ie) {
		return badInput(side+".settings."+ie.Field, "%s", ie.Reason)
	}
	return badInput(side+".settings", "%v", err)
}
