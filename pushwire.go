package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/push"
	"github.com/synchronizer/synchronizer/engine/superoffice"
)

// This file wires push channels into the running appliance: the engine's connectors register their webhook
// receivers with the push intake (lateRegistry), the intake routes a SuperOffice webhook to the linked user whose
// diary the changed item is in (pushWiring.route), lifecycle events renew or re-create channels
// (pushWiring.onLifecycle), and channels are created when a profile or its linked users change and renewed by the
// scheduler's nightly housekeeping (pushWiring.ensureAll, "renew-subscriptions"). Without a public URL nothing is
// registered: every job polls, which is the default anyway.

// lateRegistry is the engine's push registry. The engine is built before the intake (the intake's sink is the
// scheduler, whose runner is the engine), so it forwards to the intake once that exists.
type lateRegistry struct{ in atomic.Pointer[push.Intake] }

var _ engine.PushRegistry = (*lateRegistry)(nil)

var errNoIntake = errors.New("push: the intake is not running")

// RegisterPush records s with the intake.
func (r *lateRegistry) RegisterPush(ctx context.Context, s engine.PushSubscription) error {
	in := r.in.Load()
	if in == nil {
		return errNoIntake
	}
	return in.RegisterPush(ctx, s)
}

// UnregisterPush forgets a subscription.
func (r *lateRegistry) UnregisterPush(ctx context.Context, connector, profile, id string) error {
	in := r.in.Load()
	if in == nil {
		return errNoIntake
	}
	return in.UnregisterPush(ctx, connector, profile, id)
}

// registered returns the subscriptions the intake holds for a connector (and profile, or every profile), with
// their secrets: a renewal must re-register a subscription as it was.
func (r *lateRegistry) registered(connector, profile string) ([]engine.PushSubscription, error) {
	in := r.in.Load()
	if in == nil {
		return nil, errNoIntake
	}
	return in.Registered(connector, profile), nil
}

// pushWiring connects the engine's connectors with the push intake.
type pushWiring struct {
	eng       *engine.Engine
	reg       *lateRegistry
	publicURL string
	log       *slog.Logger
	// ensureMu serialises channel creation, so a watcher tick and housekeeping never create twice.
	ensureMu sync.Mutex
	// seen is the fingerprint of each profile (settings and linked users) channels were last ensured for.
	seen map[string]string
	// retry is when a profile whose channels failed is tried again (unless it changes before).
	retry map[string]retryAt
	now   func() time.Time
	// lifecycle tracks the goroutines handling lifecycle events (remote calls stay off the dispatcher).
	lifecycle sync.WaitGroup
	stopped   atomic.Bool
}

func newPushWiring(eng *engine.Engine, reg *lateRegistry, publicURL string, logger *slog.Logger) *pushWiring {
	return &pushWiring{eng: eng, reg: reg, publicURL: publicURL, log: logger, seen: map[string]string{},
		retry: map[string]retryAt{}, now: time.Now}
}

// retryAt is a failed attempt: the fingerprint it was for and when to try again.
type retryAt struct {
	fp string
	at time.Time
}

// failedRetry is how long a profile whose channels could not be created waits before the next attempt.
const failedRetry = 15 * time.Minute

// systemOf returns the profile's system of connector type typ, and the side it is on.
func systemOf(p engine.Profile, typ string) (engine.SystemRef, engine.Side, bool) {
	switch typ {
	case p.CRM.Type:
		return p.CRM, engine.SideCRM, true
	case p.Mailbox.Type:
		return p.Mailbox, engine.SideMailbox, true
	}
	return engine.SystemRef{}, 0, false
}

// accountOn returns the linked user's account on side.
func accountOn(u engine.LinkedUser, side engine.Side) engine.Account {
	if side == engine.SideCRM {
		return u.CRM
	}
	return u.Mailbox
}

// superOfficeConn returns the SuperOffice connector of profileID (the engine's shared instance) and its side.
func (w *pushWiring) superOfficeConn(ctx context.Context, profileID string) (*superoffice.Connector, engine.Side, error) {
	p, err := w.eng.Profile(profileID)
	if err != nil {
		return nil, 0, err
	}
	ref, side, ok := systemOf(p, superoffice.System)
	if !ok {
		return nil, 0, fmt.Errorf("profile %s has no SuperOffice system", profileID)
	}
	c, err := w.eng.Connector(ctx, ref)
	if err != nil {
		return nil, 0, err
	}
	so, ok := c.(*superoffice.Connector)
	if !ok {
		return nil, 0, fmt.Errorf("profile %s: the %s connector is a %T", profileID, superoffice.System, c)
	}
	return so, side, nil
}

// route is push.Options.Route: a SuperOffice webhook covers a whole tenant, so it is mapped to the linked user
// whose diary, checklist or persons the item belongs to; deletions are noted with the connector (SuperOffice has
// no tombstones) and trigger every user of the kind, since the owner of a deleted item cannot be asked.
func (w *pushWiring) route(ctx context.Context, ev push.Event) ([]engine.SyncRequest, bool, error) {
	if ev.Connector != superoffice.System || (ev.Type != push.TypeChanged && ev.Type != push.TypeDeleted) {
		return nil, false, nil
	}
	entity, idText, _ := strings.Cut(ev.Resource, "/")
	switch entity {
	case "associate":
		return nil, true, nil // users of the tenant changed: no job's items did
	case "activity", "appointment", "person":
	default:
		return nil, false, nil // a company (contact) change touches every user's contacts
	}
	id, err := strconv.ParseInt(idText, 10, 32)
	if err != nil || id <= 0 {
		return nil, false, nil
	}
	c, side, err := w.superOfficeConn(ctx, ev.Profile)
	if errors.Is(err, engine.ErrNoSuchProfile) {
		return nil, true, nil // the profile was deleted: nothing to sync
	}
	if err != nil {
		return nil, false, err
	}
	if ev.Type == push.TypeDeleted {
		c.NoteDeleted(entity, int32(id))
		return nil, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	owner, kind, err := c.OwnerOf(ctx, entity, int32(id))
	if errors.Is(err, engine.ErrNotFound) {
		c.NoteDeleted(entity, int32(id)) // deleted before we looked
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	users, err := w.eng.Users(ev.Profile)
	if err != nil {
		return nil, false, err
	}
	var reqs []engine.SyncRequest
	for _, u := range users {
		if owner != "" && accountOn(u, side).ID == owner {
			reqs = append(reqs, engine.SyncRequest{Profile: ev.Profile, User: u.ID, Kind: kind})
		}
	}
	return reqs, true, nil // no linked owner: nobody's job is concerned
}

// onLifecycle is push.Options.OnLifecycle: it renews or re-creates the channel in the background (the intake's
// dispatcher must not wait for remote calls).
func (w *pushWiring) onLifecycle(ev push.Event) {
	if w.stopped.Load() {
		return
	}
	w.lifecycle.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := w.handleLifecycle(ctx, ev); err != nil {
			w.log.Warn("push channel not renewed; the job polls until the next attempt",
				slog.String("connector", ev.Connector), slog.String("profile", ev.Profile),
				slog.String("subscription", ev.Subscription), slog.String("event", ev.Type), slog.Any("error", err))
		}
	})
}

func (w *pushWiring) handleLifecycle(ctx context.Context, ev push.Event) error {
	switch ev.Connector {
	case superoffice.System:
		c, _, err := w.superOfficeConn(ctx, ev.Profile)
		if err != nil {
			return err
		}
		_, err = c.EnsureWebhook(ctx, w.reg, ev.Profile) // re-activates TooManyErrors/Stopped, or re-creates it
		return err
	case msgraph.Type:
		subs, err := w.subscriptions(msgraph.Type, ev.Profile)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if sub.ID == ev.Subscription {
				return w.graphLifecycle(ctx, ev.Type, sub)
			}
		}
		return fmt.Errorf("subscription %s is not registered", ev.Subscription)
	}
	return nil
}

// graphJob is what a Graph subscription's job needs: the connector, the mailbox and a way to open its store.
func (w *pushWiring) graphJob(ctx context.Context, profileID, userID string, kind engine.Kind) (*msgraph.Connector, string, func(context.Context) (*msgraph.Store, error), error) {
	p, err := w.eng.Profile(profileID)
	if err != nil {
		return nil, "", nil, err
	}
	ref, side, ok := systemOf(p, msgraph.Type)
	if !ok {
		return nil, "", nil, fmt.Errorf("profile %s has no Microsoft Graph system", profileID)
	}
	u, err := w.eng.User(profileID, userID)
	if err != nil {
		return nil, "", nil, err
	}
	conn, err := w.eng.Connector(ctx, ref)
	if err != nil {
		return nil, "", nil, err
	}
	c, ok := conn.(*msgraph.Connector)
	if !ok {
		return nil, "", nil, fmt.Errorf("profile %s: the %s connector is a %T", profileID, msgraph.Type, conn)
	}
	acct := accountOn(u, side)
	mailbox := acct.ID
	if mailbox == "" {
		mailbox = acct.Email
	}
	open := func(ctx context.Context) (*msgraph.Store, error) {
		st, err := c.Open(ctx, engine.Scope{Account: acct, Kind: kind})
		if err != nil {
			return nil, err
		}
		s, ok := st.(*msgraph.Store)
		if !ok {
			return nil, fmt.Errorf("msgraph store is a %T", st)
		}
		return s, nil
	}
	return c, mailbox, open, nil
}

func (w *pushWiring) graphLifecycle(ctx context.Context, event string, sub engine.PushSubscription) error {
	c, mailbox, open, err := w.graphJob(ctx, sub.Profile, sub.User, sub.Kind)
	if errors.Is(err, engine.ErrNoSuchProfile) || errors.Is(err, engine.ErrNoSuchUser) {
		return w.reg.UnregisterPush(ctx, msgraph.Type, sub.Profile, sub.ID) // the job is gone
	}
	if err != nil {
		return err
	}
	_, err = c.Lifecycle(ctx, w.reg, event, sub, mailbox, open)
	return err
}

// subscriptions returns the registered subscriptions of a connector and profile (profile "" = every profile).
func (w *pushWiring) subscriptions(connector, profile string) ([]engine.PushSubscription, error) {
	return w.reg.registered(connector, profile)
}

// fingerprint identifies what channels depend on: the profile's systems and its linked users.
func fingerprint(p engine.Profile, users []engine.LinkedUser) string {
	b, _ := json.Marshal(struct {
		P engine.Profile
		U []engine.LinkedUser
	}{p, users})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ensureAll creates missing channels and renews due ones for every profile; force ignores the fingerprints
// (housekeeping), otherwise only profiles that changed since the last call are visited. Without a public URL it
// does nothing. Errors of one profile do not stop the others; they are joined.
func (w *pushWiring) ensureAll(ctx context.Context, force bool) error {
	if w.publicURL == "" {
		return nil
	}
	w.ensureMu.Lock()
	defer w.ensureMu.Unlock()
	ps, err := w.eng.Profiles()
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range ps {
		users, err := w.eng.Users(p.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fp := fingerprint(p, users)
		if !force && (w.seen[p.ID] == fp || (w.retry[p.ID].fp == fp && w.now().Before(w.retry[p.ID].at))) {
			continue
		}
		if err := w.ensureProfile(ctx, p, users); err != nil {
			errs = append(errs, fmt.Errorf("profile %s: %w", p.ID, err))
			w.retry[p.ID] = retryAt{fp: fp, at: w.now().Add(failedRetry)}
			delete(w.seen, p.ID)
			continue
		}
		delete(w.retry, p.ID)
		w.seen[p.ID] = fp
	}
	return errors.Join(errs...)
}

// graphKinds are the kinds a Graph subscription is made for.
var graphKinds = []engine.Kind{engine.KindAppointment, engine.KindContact, engine.KindTask}

// ensureProfile makes sure profile p has its channels: the SuperOffice webhook (created, or re-activated after
// TooManyErrors) and one Graph subscription per linked user and synced kind (created when missing, renewed when
// due, deleted for users no longer linked).
func (w *pushWiring) ensureProfile(ctx context.Context, p engine.Profile, users []engine.LinkedUser) error {
	var errs []error
	if _, _, ok := systemOf(p, superoffice.System); ok {
		c, _, err := w.superOfficeConn(ctx, p.ID)
		if err == nil {
			_, err = c.EnsureWebhook(ctx, w.reg, p.ID)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if _, _, ok := systemOf(p, msgraph.Type); ok {
		errs = append(errs, w.ensureGraph(ctx, p, users))
	}
	return errors.Join(errs...)
}

func (w *pushWiring) ensureGraph(ctx context.Context, p engine.Profile, users []engine.LinkedUser) error {
	subs, err := w.subscriptions(msgraph.Type, p.ID)
	if err != nil {
		return err
	}
	have := map[string]engine.PushSubscription{}
	for _, s := range subs {
		have[s.User+"/"+string(s.Kind)] = s
	}
	var errs []error
	linked := map[string]bool{}
	for _, u := range users {
		linked[u.ID] = true
		if u.Paused {
			continue
		}
		for _, k := range graphKinds {
			if d := p.Directions[k]; d == "" || d == engine.DirOff {
				continue
			}
			c, mailbox, open, err := w.graphJob(ctx, p.ID, u.ID, k)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if s, ok := have[u.ID+"/"+string(k)]; ok {
				if c.RenewDue(s) {
					if _, err := c.Lifecycle(ctx, w.reg, "reauthorize", s, mailbox, open); err != nil {
						errs = append(errs, err)
					}
				}
				continue
			}
			st, err := open(ctx)
			if err == nil {
				_, err = c.Subscribe(ctx, w.reg, p.ID, u.ID, st)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("user %s %s: %w", u.ID, k, err))
			}
		}
	}
	for _, s := range subs {
		if !linked[s.User] {
			if err := w.reg.UnregisterPush(ctx, msgraph.Type, p.ID, s.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// watch ensures channels for profiles that changed, every period, until ctx ends. Profiles and linked users are
// saved through the API, which does not call back here; the fingerprint check costs two reads per profile.
func (w *pushWiring) watch(ctx context.Context, period time.Duration) {
	if w.publicURL == "" {
		return
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if err := w.ensureAll(ctx, false); err != nil && ctx.Err() == nil {
			w.log.Warn("push channels not (all) in place; the affected jobs poll", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// stop waits for lifecycle handlers in flight.
func (w *pushWiring) stop() {
	w.stopped.Store(true)
	w.lifecycle.Wait()
}
