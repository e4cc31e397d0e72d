package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"
)

// ErrPaused is returned by RunSync for a paused profile or user.
var ErrPaused = errors.New("paused")

// ErrApprovalPending is wrapped in the error RunSync returns when a guard stopped the run.
var ErrApprovalPending = errors.New("the run needs approval")

// RunSync runs one sync of the job (profileID, userID, kind) and returns its run id. Trigger says why
// ("poll", "push", "manual", "first", "approval:<run>", ...) and is recorded. It waits for a run of the same job
// already in progress. The returned error is nil when the run finished with status ok; otherwise the run id is
// still returned when a run was recorded (failed, partial, needs-approval), so the caller can show it.
//
// One run: resolve the job's pending journal intents; list both sides' changes since their cursors (a full listing
// when there is no cursor, it expired or the window changed); confirm deletions (tombstones, or absence from a
// complete full listing or an IDLister reconciliation, each confirmed by Get); plan per link three-way against the
// base; check the guards; apply the writes through the journal; then commit the cursors, the link state of
// everything that needed no write, the traces and the run record in one commit. A transient error leaves the
// cursors where they were, so the next run sees the same changes again (and recognises what was already done).
func (e *Engine) RunSync(ctx context.Context, profileID, userID string, kind Kind, trigger string) (string, error) {
	return e.runSync(ctx, profileID, userID, kind, trigger, "")
}

// syncJob is the state of one run.
type syncJob struct {
	e       *Engine
	log     *slog.Logger
	p       Profile
	u       LinkedUser
	kind    Kind
	key     string
	eff     effective
	win     Window
	stores  [2]Store
	run     *Run
	links   []*Link // sorted by id
	byID    [2]map[string]*Link
	quar    map[string]Quarantined // by kQuarantine key
	obs     [2]map[string]*obs
	cursors [2]Cursor
	// stored is each side's cursor as stored before the run (read with the links).
	stored [2]Cursor
	// fresh: the job has no stored state to read (a preview of a profile or user not saved yet).
	fresh bool
	// probe: the stores come from connectors built for this job alone (ProbeConnector: not cached, no push
	// intake), as a preview needs.
	probe bool
	// maxListed bounds the changes kept per side (0 = no bound); a listing with more fails with ErrPreviewTooLarge.
	maxListed int
	// newQuar lists the items this run put in quarantine (a preview reports them instead of storing them).
	newQuar []Quarantined
	full    [2]bool
	// complete: every page was Complete. An incremental listing that is complete carries reliable tombstones,
	// so no IDLister reconciliation is needed.
	complete [2]bool
	// relist: the side's next listing must be a full one (a link waits for it), so its cursor is not advanced.
	relist [2]bool
	opSeq  int
	// final is committed at the end with the cursors.
	sets      map[string][]byte
	dels      []string
	traces    map[string][]TraceEntry
	transient error // the first transient error; cursors do not advance
	planned   []plannedWrite
	plans     []*linkPlan
	touched   map[string]bool // link ids that got state updates in this run
	noCursors bool            // an admin run (undo, resolution): cursors are not committed
	members   *memberMap      // a group job's member translation (members.go)
}

// obs is what a listing (or a reconciliation) said about one item.
type obs struct {
	id      string
	version string
	deleted bool
	marker  string
	remote  *Remote
}

func (e *Engine) runSync(ctx context.Context, profileID, userID string, kind Kind, trigger, approvedRun string) (string, error) {
	if !validKind(kind) {
		return "", errFieldf("kind", "unknown kind %q", kind)
	}
	p, err := e.Profile(profileID)
	if err != nil {
		return "", err
	}
	u, err := e.User(profileID, userID)
	if err != nil {
		return "", err
	}
	eff := p.effective(u, kind)
	if eff.dir == DirOff {
		return "", errFieldf("kind", "profile %q does not sync %s for user %q (direction off)", profileID, kind, userID)
	}
	if (p.Paused || u.Paused) && !strings.HasPrefix(trigger, "manual") && !strings.HasPrefix(trigger, "approval") {
		return "", fmt.Errorf("profile %q user %q: %w", profileID, userID, ErrPaused)
	}
	key := kJob(profileID, userID, kind)
	lock := e.jobLock(key)
	lock.Lock()
	defer lock.Unlock()

	now := e.now()
	run := &Run{ID: e.newID("r"), Profile: profileID, User: userID, Kind: kind, Trigger: trigger, Start: now,
		Status: RunRunning, Approved: approvedRun}
	j := &syncJob{e: e, p: p, u: u, kind: kind, key: key, eff: eff, win: eff.window(now), run: run,
		log:  e.log.With("profile", profileID, "user", userID, "kind", kind, "run", run.ID),
		byID: [2]map[string]*Link{{}, {}}, quar: map[string]Quarantined{},
		sets: map[string][]byte{}, traces: map[string][]TraceEntry{}, touched: map[string]bool{}}
	if err := e.putRun(run); err != nil {
		return "", err
	}
	err = j.do(ctx)
	return run.ID, j.finish(err)
}

// do runs the job; the returned error fails the run.
func (j *syncJob) do(ctx context.Context) error {
	if err := j.open(ctx); err != nil {
		return err
	}
	defer j.close()
	if err := j.recover(ctx); err != nil {
		return fmt.Errorf("recover interrupted writes: %w", err)
	}
	if err := j.loadState(); err != nil {
		return err
	}
	if err := j.readAndPlan(ctx); err != nil {
		return err
	}
	if stop, err := j.guard(); err != nil || stop {
		return err
	}
	return j.apply(ctx)
}

// readAndPlan lists both sides' changes, confirms deletions and plans every link: everything a run does before
// its guard and its writes. Runs and previews (Engine.Preview) share it; it writes nothing to the KV or to the
// stores (what it decides is collected in j.plans, j.sets, j.dels and j.traces, which only apply and finish
// commit).
func (j *syncJob) readAndPlan(ctx context.Context) error {
	for s := SideCRM; s <= SideMailbox; s++ {
		if err := j.list(ctx, s); err != nil {
			return fmt.Errorf("list %s changes: %w", s, err)
		}
	}
	for s := SideCRM; s <= SideMailbox; s++ {
		if err := j.reconcile(ctx, s); err != nil {
			return fmt.Errorf("reconcile %s deletions: %w", s, err)
		}
	}
	return j.plan(ctx)
}

func (j *syncJob) open(ctx context.Context) error {
	refs := [2]SystemRef{j.p.CRM, j.p.Mailbox}
	accts := [2]Account{j.u.CRM, j.u.Mailbox}
	var members *memberMap
	if j.kind == KindGroup {
		// Group members are contact ids of each side: translate them through the contact links (members.go).
		m, err := j.loadMemberMap()
		if err != nil {
			return fmt.Errorf("load the contact links for group members: %w", err)
		}
		members, j.members = m, m
	}
	for s := SideCRM; s <= SideMailbox; s++ {
		var c Connector
		var err error
		if j.probe {
			c, err = j.e.ProbeConnector(ctx, refs[s])
		} else {
			c, err = j.e.connector(ctx, refs[s])
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		st, err := c.Open(ctx, Scope{Account: accts[s], Kind: j.kind, Window: j.win})
		if err != nil {
			return fmt.Errorf("open %s %s store of %s: %w", s, j.kind, accts[s].ID, err)
		}
		if members != nil {
			st = wrapMembers(st, s, members)
		}
		j.stores[s] = st
	}
	return nil
}

func (j *syncJob) close() {
	for _, st := range j.stores {
		if c, ok := st.(io.Closer); ok {
			_ = c.Close()
		}
	}
}

// loadState reads the job's stored state: its links, its quarantined items and both sides' cursors. A fresh job
// (a preview of a profile or user not saved yet) has none.
func (j *syncJob) loadState() error {
	if j.fresh {
		return nil
	}
	for s := SideCRM; s <= SideMailbox; s++ {
		if _, err := j.e.getJSON(kCursor(j.key, s), &j.stored[s]); err != nil {
			return err
		}
	}
	if err := j.e.kv.Scan([]byte(kLinkPrefix(j.key)), func(k, b []byte) error {
		l, err := decodeLink(b)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		j.links = append(j.links, &l)
		return nil
	}); err != nil {
		return err
	}
	// Sized once: a map grown by doubling carries up to twice the slots it needs.
	j.byID = [2]map[string]*Link{make(map[string]*Link, len(j.links)), make(map[string]*Link, len(j.links))}
	for _, l := range j.links {
		for s := range 2 {
			if l.IDs[s] != "" {
				j.byID[s][l.IDs[s]] = l
			}
		}
	}
	return scanJSON(j.e.kv, keyRoot+"quarantine/"+j.key+"/", func(k string, q Quarantined) error {
		j.quar[k] = q
		return nil
	})
}

// list reads every page of side s's changes since its cursor.
func (j *syncJob) list(ctx context.Context, s Side) error {
	cur := j.stored[s]
	if cur.Window != j.win {
		cur.Cursor = "" // another window: list fully, match by link
	}
	if j.members != nil && cur.Members != j.members.digest {
		cur.Cursor = "" // the contact links changed: list fully so that every group is translated again
	}
	j.obs[s] = map[string]*obs{}
	cursor := cur.Cursor
	full := cursor == ""
	complete := true
	for pages := 0; ; pages++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := j.stores[s].Changes(ctx, cursor)
		if errors.Is(err, ErrCursorExpired) && !full {
			j.log.Info("cursor expired, listing fully", "side", s)
			cursor, full, complete, j.obs[s] = "", true, true, map[string]*obs{}
			continue
		}
		if err != nil {
			return err
		}
		complete = complete && page.Complete
		for _, c := range page.Changes {
			if c.ID == "" {
				continue
			}
			o := &obs{id: c.ID, version: c.Version, deleted: c.Deleted, marker: c.Marker}
			if c.Item != nil && !c.Deleted && !c.OutOfWindow {
				o.remote = &Remote{ID: c.ID, Version: c.Version, Item: c.Item, Marker: c.Marker, Echo: c.Echo}
			}
			j.obs[s][c.ID] = o // a later entry for the same id (duplicate delivery, paging overlap) wins
		}
		if j.maxListed > 0 && len(j.obs[s]) > j.maxListed {
			return fmt.Errorf("%w: more than %d items in the %s", ErrPreviewTooLarge, j.maxListed, s)
		}
		j.run.Counts.Listed += len(page.Changes)
		if !page.More {
			cursor = page.Next
			break
		}
		if page.Next == cursor && len(page.Changes) == 0 {
			return fmt.Errorf("store returned More with the same cursor and no changes")
		}
		cursor = page.Next
	}
	j.cursors[s] = Cursor{Cursor: cursor, Window: j.win}
	if j.members != nil {
		j.cursors[s].Members = j.members.digest
	}
	j.full[s] = full && complete
	j.complete[s] = complete
	return nil
}

// reconcile finds linked items of side s that are gone although no tombstone said so: those absent from a
// complete full listing, or from an IDLister's id set. Every candidate is confirmed with Get: ErrNotFound makes
// it deleted; an item that is still there (it left the window) is observed as it is.
func (j *syncJob) reconcile(ctx context.Context, s Side) error {
	var present map[string]bool // nil for a full listing: the listing itself (j.obs) is the id set
	switch {
	case j.full[s]:
	case j.complete[s]:
		return nil
	default:
		lister, ok := j.stores[s].(IDLister)
		if !ok {
			return nil
		}
		ids, err := lister.ListIDs(ctx)
		if err != nil {
			return err
		}
		present = make(map[string]bool, len(ids))
		for _, id := range ids {
			present[id] = true
		}
	}
	for id := range j.byID[s] {
		if present[id] {
			continue
		}
		if _, seen := j.obs[s][id]; seen {
			continue
		}
		r, err := j.stores[s].Get(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			j.obs[s][id] = &obs{id: id, deleted: true}
		case err != nil:
			var ie *ItemError
			if errors.As(err, &ie) {
				continue // cannot read it: certainly not a deletion
			}
			return err
		default:
			rr := r
			j.obs[s][id] = &obs{id: id, version: r.Version, remote: &rr, marker: r.Marker}
		}
	}
	return nil
}

// trace records a decision about item id (of side s) to be committed with the run.
func (j *syncJob) trace(s Side, id, link string, d Decision, reason string) {
	if id == "" {
		return
	}
	j.traces[id] = append(j.traces[id], TraceEntry{At: j.e.now(), Run: j.run.ID, Profile: j.p.ID, User: j.u.ID,
		Kind: j.kind, Side: s, Link: link, Decision: d, Reason: reason})
}

// flushTraces adds the run's trace entries to the stored ones (newest first, TraceDepth kept) in j.sets. A trace
// is stored as JSON lines, newest first, so adding entries never decodes the old ones.
func (j *syncJob) flushTraces() error {
	for id, entries := range j.traces {
		old, _, err := j.e.kv.Get([]byte(kTrace(id)))
		if err != nil {
			return err
		}
		var b []byte
		n := 0
		for i := len(entries) - 1; i >= 0 && n < TraceDepth; i-- {
			b = append(b, mustJSON(entries[i])...)
			b = append(b, '\n')
			n++
		}
		for len(old) > 0 && n < TraceDepth {
			var line []byte
			if k := bytes.IndexByte(old, '\n'); k >= 0 {
				line, old = old[:k+1], old[k+1:]
			} else {
				line, old = append(old, '\n'), nil
			}
			b = append(b, line...)
			n++
		}
		j.sets[kTrace(id)] = b
	}
	return nil
}

// isTransient reports whether err says nothing definite about the item (network, throttling, server error).
func isTransient(err error) bool {
	var ie *ItemError
	return !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrPrecondition) && !errors.Is(err, ErrUnsupported) &&
		!errors.Is(err, ErrAuth) && !errors.As(err, &ie)
}

// finish records the run's outcome: on success the cursors, pending state and traces are committed with the run.
func (j *syncJob) finish(err error) error {
	r := j.run
	r.End = j.e.now()
	switch {
	case errors.Is(err, ErrApprovalPending):
		r.Status = RunNeedsApproval
	case err != nil:
		r.Status = RunFailed
		r.Error = trimErr(err)
		r.Counts.Errors++
	case j.transient != nil || (j.noCursors && r.Counts.Errors > 0):
		if j.transient == nil {
			j.transient = fmt.Errorf("%d operations could not be applied (see the trace)", r.Counts.Errors)
		}
		r.Status = RunPartial
		r.Error = trimErr(j.transient)
		err = fmt.Errorf("run %s partial: %w", r.ID, j.transient)
	default:
		r.Status = RunOK
		for s := SideCRM; s <= SideMailbox && !j.noCursors; s++ {
			c := j.cursors[s]
			if j.relist[s] {
				c.Cursor = ""
			}
			j.sets[kCursor(j.key, s)] = mustJSON(c)
		}
	}
	if errors.Is(err, ErrCrashed) {
		return err // the simulated process is dead: nothing more is recorded
	}
	if ferr := j.flushTraces(); ferr != nil && err == nil {
		err = ferr
	}
	runSets(j.sets, r)
	if cerr := commitChunked(j.e.kv, j.sets, j.dels, kCursor(j.key, SideCRM), kCursor(j.key, SideMailbox), kRun(r.ID),
		kRunUser(r.Profile, r.User, r.ID)); cerr != nil {
		if err == nil {
			err = cerr
		}
		return err
	}
	if err != nil && !errors.Is(err, ErrApprovalPending) {
		j.log.Warn("sync run did not complete", "status", r.Status, "err", err)
	}
	return err
}

// jsonEq compares two canonical JSON values.
func jsonEq(a, b json.RawMessage) bool { return string(a) == string(b) }

// nowUTC is the engine clock in UTC.
func (j *syncJob) nowUTC() time.Time { return j.e.now().UTC() }

// linkByID finds a loaded link by its id.
func (j *syncJob) linkByID(id string) *Link {
	i := sort.Search(len(j.links), func(i int) bool { return j.links[i].ID >= id })
	if i < len(j.links) && j.links[i].ID == id {
		return j.links[i]
	}
	return nil
}
