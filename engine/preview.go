package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrPreviewTooLarge is wrapped in the error Preview returns when a listing holds more items than
// PreviewOptions.MaxItems: the preview stops instead of holding an unbounded listing in memory.
var ErrPreviewTooLarge = errors.New("too many items to preview")

// Preview defaults.
const (
	DefaultPreviewOps      = 200
	DefaultPreviewItems    = 100_000
	DefaultPreviewExamples = 50
	// previewLockWait is how long a preview waits for a running job before it reads the job's state anyway.
	previewLockWait = 2 * time.Second
)

// PreviewOptions bound a preview. Zero fields take the defaults.
type PreviewOptions struct {
	// Kinds limits the preview to these kinds; nil previews every kind the profile syncs for the user. A kind
	// whose direction is off is an *InputError.
	Kinds []Kind
	// MaxOps is how many operations the preview lists (over all kinds, in plan order); the counts always cover
	// every operation. Default DefaultPreviewOps.
	MaxOps int
	// MaxItems bounds the changes one side's listing of one kind may hold (default DefaultPreviewItems); a
	// larger listing fails the preview with ErrPreviewTooLarge rather than using unbounded memory.
	MaxItems int
	// MaxExamples bounds the bad items and conflicts listed per kind (default DefaultPreviewExamples).
	MaxExamples int
}

func (o PreviewOptions) withDefaults() PreviewOptions {
	if o.MaxOps <= 0 {
		o.MaxOps = DefaultPreviewOps
	}
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultPreviewItems
	}
	if o.MaxExamples <= 0 {
		o.MaxExamples = DefaultPreviewExamples
	}
	return o
}

// Preview is what the next run of each enabled kind would do for one user, computed by the planner real runs
// use, without writing anything.
type Preview struct {
	Profile string `json:"profile"`
	User    string `json:"user"`
	// Saved says the preview started from the user's stored sync state (links, cursors): it shows the
	// incremental changes of the next run. Otherwise it is a first sync.
	Saved bool `json:"saved"`
	// Paused says the profile or the user is paused: scheduled runs do not run (a manual run still does).
	Paused bool          `json:"paused,omitempty"`
	Kinds  []KindPreview `json:"kinds"`
	// Ops lists the planned operations of every kind, at most PreviewOptions.MaxOps; Truncated says more exist
	// (TotalOps counts them all).
	Ops       []PreviewOp   `json:"ops"`
	Truncated bool          `json:"truncated"`
	TotalOps  int           `json:"totalOps"`
	Took      time.Duration `json:"took"`
}

// SideChanges counts the writes planned on one side.
type SideChanges struct {
	Creates int `json:"creates"`
	Updates int `json:"updates"`
	Deletes int `json:"deletes"`
}

// SkipCount is how many items one reason kept from being copied (filters, the window, the direction).
type SkipCount struct {
	Decision Decision `json:"decision"`
	Reason   string   `json:"reason"`
	Count    int      `json:"count"`
}

// ConflictPreview is a conflict the run would record.
type ConflictPreview struct {
	IDs    [2]string `json:"ids"`
	Title  string    `json:"title,omitempty"`
	Fields []string  `json:"fields"`
	Kept   Side      `json:"kept"`
}

// KindPreview is the preview of one kind.
type KindPreview struct {
	Kind      Kind      `json:"kind"`
	Direction Direction `json:"direction"`
	// FirstSync: the job has no link yet, so everything found is new to it.
	FirstSync bool `json:"firstSync"`
	// Linked is the number of linked items before the run; Listed the changes both listings returned.
	Linked    int         `json:"linked"`
	Listed    int         `json:"listed"`
	CRM       SideChanges `json:"crm"`
	Mailbox   SideChanges `json:"mailbox"`
	Unchanged int         `json:"unchanged"`
	// Conflicts counts the conflicts the run would record; ConflictList shows the first MaxExamples.
	Conflicts    int               `json:"conflicts"`
	ConflictList []ConflictPreview `json:"conflictList,omitempty"`
	// Skipped counts the items not copied, by reason (Skips).
	Skipped int         `json:"skipped"`
	Skips   []SkipCount `json:"skips,omitempty"`
	// Bad lists (the first MaxExamples of) the items the run would put in quarantine, naming the item and the
	// field at fault; BadCount counts them all. StillQuarantined counts items skipped as already quarantined.
	Bad              []Quarantined `json:"bad,omitempty"`
	BadCount         int           `json:"badCount"`
	StillQuarantined int           `json:"stillQuarantined"`
	// Guard is the reason the guard would hold the run for approval ("" = it would run).
	Guard string `json:"guard,omitempty"`
	// PendingWrites counts interrupted writes of the job that the run resolves before it plans (a preview does
	// not resolve them: that needs writes).
	PendingWrites int `json:"pendingWrites,omitempty"`
	// Busy: a run of this job was in progress when the preview read its state; the preview may show changes that
	// run is applying.
	Busy bool `json:"busy,omitempty"`
	// Incomplete says some items could not be read (a transient error); the run would retry them.
	Incomplete string        `json:"incomplete,omitempty"`
	Took       time.Duration `json:"took"`
}

// PreviewOp is one planned operation of a preview.
type PreviewOp struct {
	Kind Kind `json:"kind"`
	PlannedOp
	// Start is when the item starts (appointments; tasks: the start, or else the due date); zero otherwise.
	Start time.Time `json:"start,omitzero"`
}

// Preview computes what the next run of each kind p syncs would do for user u, with the planner real runs use,
// and writes nothing: no KV write (state, cursors, journal, runs, trace, conflicts, quarantine), no remote write,
// no webhook registration (the connectors are built with ProbeConnector).
//
// p and u may be unsaved (the setup wizard): p is checked like PutProfile checks it and the preview is a first
// sync. When p.ID names a saved profile with the same two systems (type and instance) and u.ID a saved user of
// it linked to the same accounts, the preview starts from the user's stored state (links, cursors, quarantine)
// and shows the next incremental run under p's settings.
//
// The job's lock is taken only while its stored state is read (a preview waits at most a few seconds for a
// running job, then reads anyway and says so in KindPreview.Busy); listing and planning run without it, so a
// preview never holds up a run. Memory is bounded by PreviewOptions.MaxItems per listing and MaxOps operations
// kept; ctx bounds the time. Interrupted writes of the job are not resolved (KindPreview.PendingWrites), and
// writes a store would refuse are not known before they are sent.
func (e *Engine) Preview(ctx context.Context, p Profile, u LinkedUser, opts PreviewOptions) (Preview, error) {
	start := time.Now()
	opts = opts.withDefaults()
	p = p.withDefaults()
	givenUser := u.ID != ""
	if p.ID == "" {
		p.ID = "preview"
	}
	if !givenUser {
		u.ID = "preview"
	}
	if err := p.Validate(e.cfg.Connectors); err != nil {
		return Preview{}, err
	}
	if u.Mailbox.ID == "" {
		u.Mailbox.ID = u.Mailbox.Email
	}
	if err := u.validate(p); err != nil {
		return Preview{}, err
	}
	kinds := opts.Kinds
	if kinds == nil {
		for _, k := range Kinds {
			if p.effective(u, k).dir != DirOff {
				kinds = append(kinds, k)
			}
		}
	}
	for _, k := range kinds {
		if !validKind(k) {
			return Preview{}, errFieldf("kinds", "unknown kind %q", k)
		}
		if p.effective(u, k).dir == DirOff {
			return Preview{}, errFieldf("kinds", "the profile does not sync %s for this user (direction off)", k)
		}
	}
	if len(kinds) == 0 {
		return Preview{}, errFieldf("directions", "the profile syncs no kind for this user: nothing to preview")
	}
	saved, err := e.previewUsesState(p, u, givenUser)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{Profile: p.ID, User: u.ID, Saved: saved, Paused: p.Paused || u.Paused, Ops: []PreviewOp{}}
	for _, k := range kinds {
		kp, err := e.previewKind(ctx, p, u, k, saved, opts, &out)
		if err != nil {
			return Preview{}, fmt.Errorf("%s: %w", k, err)
		}
		out.Kinds = append(out.Kinds, kp)
	}
	out.Truncated = out.TotalOps > len(out.Ops)
	out.Took = time.Since(start)
	return out, nil
}

// previewUsesState reports whether a preview of (p, u) starts from u's stored state: the profile is saved with
// the same systems and the user is saved with the same accounts (otherwise that state belongs to other stores).
func (e *Engine) previewUsesState(p Profile, u LinkedUser, givenUser bool) (bool, error) {
	if !givenUser {
		return false, nil
	}
	sp, err := e.Profile(p.ID)
	if errors.Is(err, ErrNoSuchProfile) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if sp.CRM.Type != p.CRM.Type || sp.CRM.Instance != p.CRM.Instance ||
		sp.Mailbox.Type != p.Mailbox.Type || sp.Mailbox.Instance != p.Mailbox.Instance {
		return false, nil
	}
	su, err := e.User(p.ID, u.ID)
	if errors.Is(err, ErrNoSuchUser) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return su.CRM.ID == u.CRM.ID && su.Mailbox.ID == u.Mailbox.ID, nil
}

// lockWithin takes m, waiting at most d (and not beyond ctx); ok is false when it could not.
func lockWithin(ctx context.Context, m interface{ TryLock() bool }, d time.Duration) (bool, error) {
	deadline := time.Now().Add(d)
	for {
		if m.TryLock() {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// previewKind previews one kind and adds its operations to out.
func (e *Engine) previewKind(ctx context.Context, p Profile, u LinkedUser, kind Kind, saved bool, opts PreviewOptions, out *Preview) (KindPreview, error) {
	start := time.Now()
	eff := p.effective(u, kind)
	key := kJob(p.ID, u.ID, kind)
	run := &Run{ID: "preview", Profile: p.ID, User: u.ID, Kind: kind, Trigger: "preview", Start: e.now(), Status: RunRunning}
	j := &syncJob{e: e, p: p, u: u, kind: kind, key: key, eff: eff, win: eff.window(e.now()), run: run,
		log:  e.log.With("profile", p.ID, "user", u.ID, "kind", kind, "preview", true),
		byID: [2]map[string]*Link{{}, {}}, quar: map[string]Quarantined{},
		sets: map[string][]byte{}, traces: map[string][]TraceEntry{}, touched: map[string]bool{},
		fresh: !saved, probe: true, maxListed: opts.MaxItems}
	kp := KindPreview{Kind: kind, Direction: eff.dir}
	if saved {
		// The stored state is read under the job's lock, so it is one run's state and not half of one.
		m := e.jobLock(key)
		locked, err := lockWithin(ctx, m, previewLockWait)
		if err != nil {
			return kp, err
		}
		kp.Busy = !locked
		err = j.loadState()
		if err == nil {
			kp.PendingWrites, err = e.pendingIntents(p.ID, u.ID, kind)
		}
		if locked {
			m.Unlock()
		}
		if err != nil {
			return kp, err
		}
	}
	kp.Linked = len(j.links)
	kp.FirstSync = len(j.links) == 0
	if err := j.open(ctx); err != nil {
		return kp, err
	}
	defer j.close()
	if err := j.readAndPlan(ctx); err != nil {
		if errors.Is(err, ErrPreviewTooLarge) {
			return kp, fmt.Errorf("%w (raise the limit or narrow the window)", err)
		}
		return kp, err
	}
	stop, err := j.guard()
	if err != nil && !stop {
		return kp, err
	}
	if stop {
		kp.Guard = j.run.Guard
	}
	c := j.run.Counts
	kp.Listed, kp.Unchanged, kp.Conflicts, kp.Skipped = c.Listed, c.Unchanged, c.Conflicts, c.Skipped
	for _, pw := range j.planned {
		sc := &kp.CRM
		if pw.w.side == SideMailbox {
			sc = &kp.Mailbox
		}
		switch pw.w.action {
		case ActionCreate:
			sc.Creates++
		case ActionUpdate:
			sc.Updates++
		case ActionDelete:
			sc.Deletes++
		}
		out.TotalOps++
		if len(out.Ops) < opts.MaxOps {
			op := PreviewOp{Kind: kind, PlannedOp: PlannedOp{Side: pw.w.side, Action: pw.w.action, Link: pw.lp.l.ID,
				ID: pw.w.id, Source: pw.w.source, Reason: pw.w.reason}}
			it := pw.w.item
			if it == nil {
				it = pw.w.before
			}
			op.Title, op.Start = titleOf(it), startOf(it)
			out.Ops = append(out.Ops, op)
		}
	}
	for _, lp := range j.plans {
		if lp.conflict == nil || len(kp.ConflictList) >= opts.MaxExamples {
			continue
		}
		cp := ConflictPreview{IDs: lp.conflict.IDs, Fields: lp.conflict.Fields, Kept: lp.conflict.Decision}
		if lp.base[0] != nil {
			cp.Title = titleOf(lp.base[0])
		}
		kp.ConflictList = append(kp.ConflictList, cp)
	}
	kp.BadCount = len(j.newQuar)
	kp.Bad = j.newQuar[:min(len(j.newQuar), opts.MaxExamples)]
	kp.Skips, kp.StillQuarantined = summarizeTraces(j.traces)
	if j.transient != nil {
		kp.Incomplete = "some items could not be read and are left for the run to retry: " + trimErr(j.transient)
	}
	kp.Took = time.Since(start)
	return kp, nil
}

// pendingIntents counts the journal intents of a job.
func (e *Engine) pendingIntents(profileID, userID string, kind Kind) (int, error) {
	n := 0
	err := scanJSON(e.kv, keyRoot+"intent/", func(_ string, in Intent) error {
		if in.Profile == profileID && in.User == userID && in.Kind == kind {
			n++
		}
		return nil
	})
	return n, err
}

// summarizeTraces counts a run's skip decisions by reason (most frequent first) and the items skipped as still
// quarantined.
func summarizeTraces(traces map[string][]TraceEntry) ([]SkipCount, int) {
	type key struct {
		d Decision
		r string
	}
	counts := map[key]int{}
	still := 0
	for _, entries := range traces {
		for _, t := range entries {
			switch t.Decision {
			case DecFiltered, DecOutOfWindow, DecDirectionOff:
				counts[key{t.Decision, t.Reason}]++
			case DecQuarantined:
				if strings.HasPrefix(t.Reason, "still quarantined") {
					still++
				}
			}
		}
	}
	out := make([]SkipCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, SkipCount{Decision: k.d, Reason: k.r, Count: n})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Count != out[b].Count {
			return out[a].Count > out[b].Count
		}
		return out[a].Reason < out[b].Reason
	})
	if len(out) > 20 {
		rest := SkipCount{Decision: out[20].Decision, Reason: "other reasons"}
		for _, s := range out[20:] {
			rest.Count += s.Count
		}
		out = append(out[:20], rest)
	}
	return out, still
}

// startOf returns when an item starts: an appointment's start, a task's start or due date; zero otherwise.
func startOf(it Item) time.Time {
	switch x := it.(type) {
	case *Appointment:
		return x.Start
	case *Task:
		if !x.Start.IsZero() {
			return x.Start
		}
		return x.Due
	}
	return time.Time{}
}
