package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// adminRun runs fn as a run of the job (profile, user, kind) outside the sync cycle (undo, conflict resolution):
// with the job's lock, its stores open and its pending intents resolved first. Cursors are not touched.
func (e *Engine) adminRun(ctx context.Context, profileID, userID string, kind Kind, trigger string, fn func(*syncJob) error) (*Run, error) {
	p, err := e.Profile(profileID)
	if err != nil {
		return nil, err
	}
	u, err := e.User(profileID, userID)
	if err != nil {
		return nil, err
	}
	key := kJob(profileID, userID, kind)
	lock := e.jobLock(key)
	lock.Lock()
	defer lock.Unlock()
	now := e.now()
	run := &Run{ID: e.newID("r"), Profile: profileID, User: userID, Kind: kind, Trigger: trigger, Start: now, Status: RunRunning}
	eff := p.effective(u, kind)
	j := &syncJob{e: e, p: p, u: u, kind: kind, key: key, eff: eff, win: eff.window(now), run: run,
		log:  e.log.With("profile", profileID, "user", userID, "kind", kind, "run", run.ID),
		byID: [2]map[string]*Link{{}, {}}, quar: map[string]Quarantined{},
		sets: map[string][]byte{}, traces: map[string][]TraceEntry{}, touched: map[string]bool{}, noCursors: true}
	if err := e.putRun(run); err != nil {
		return nil, err
	}
	err = func() error {
		if err := j.open(ctx); err != nil {
			return err
		}
		defer j.close()
		if err := j.recover(ctx); err != nil {
			return err
		}
		return fn(j)
	}()
	return run, j.finish(err)
}

// Undo applies the inverse of every operation run runID applied, newest first: a created copy is deleted, an
// update is reverted to the content before it, a deleted item is recreated from its content before the delete
// (and, on the next sync, copied to the other side again, since that is where the delete came from). Each inverse
// is journaled like any write and carries the version the run left as its precondition: an item changed since
// is not touched (the undo run says so in its trace and ends partial). It returns the id of the undo run.
func (e *Engine) Undo(ctx context.Context, runID string) (string, error) {
	r, ops, err := e.Run(runID)
	if err != nil {
		if errors.Is(err, ErrNoSuchRun) && e.pruned(runID) {
			return "", fmt.Errorf("it can no longer be undone: %w", err)
		}
		return "", err
	}
	switch {
	case r.UndoneBy != "":
		return "", errFieldf("runId", "run %s was already undone by run %s", runID, r.UndoneBy)
	case len(ops) == 0:
		return "", errFieldf("runId", "run %s applied no operations", runID)
	case r.Status == RunRunning:
		return "", errFieldf("runId", "run %s is still running", runID)
	}
	undo, err := e.adminRun(ctx, r.Profile, r.User, r.Kind, "undo:"+runID, func(j *syncJob) error {
		j.run.UndoOf = runID
		for i := len(ops) - 1; i >= 0; i-- {
			if err := j.undoOp(ctx, ops[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if undo == nil {
		return "", err
	}
	if undo.Status == RunOK || undo.Status == RunPartial {
		r.UndoneBy = undo.ID
		if perr := e.putRun(&r); perr != nil && err == nil {
			err = perr
		}
	}
	return undo.ID, err
}

// undoOp applies the inverse of one operation.
func (j *syncJob) undoOp(ctx context.Context, op AppliedOp) error {
	l, ok, err := j.e.getLink(j.key, op.Link)
	if err != nil {
		return err
	}
	s := op.Side
	var base [2]Item
	if ok {
		if base, err = j.loadBase(l.ID); err != nil {
			return err
		}
	}
	switch op.Action {
	case ActionCreate:
		after, err := decodeItem(j.kind, op.After)
		if err != nil {
			return err
		}
		w := &write{side: s, action: ActionDelete, id: op.ID, precond: op.Version, before: after,
			reason: "undo of run " + j.run.UndoOf + ": remove the copy it created"}
		lp := &linkPlan{stored: &l, base: base, oldBase: base}
		nl := l
		if ok && l.IDs[s] == op.ID {
			nl.IDs[s], nl.Vers[s], nl.Hashes[s], nl.Pending[s] = "", "", hash16{}, false
			lp.base[s] = nil
		} else {
			w.orphan = true
		}
		lp.l = &nl
		_, err = j.execute(ctx, lp, w, true)
		return err
	case ActionUpdate:
		before, err1 := decodeItem(j.kind, op.Before)
		after, err2 := decodeItem(j.kind, op.After)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("operation %d of run %s has no content to restore: %w", op.Seq, j.run.UndoOf, err)
		}
		if before == nil {
			return fmt.Errorf("operation %d of run %s has no content to restore", op.Seq, j.run.UndoOf)
		}
		w := &write{side: s, action: ActionUpdate, id: op.ID, precond: op.Version, item: before, before: after,
			reason: "undo of run " + j.run.UndoOf + ": restore the content before its update"}
		nl := l
		lp := &linkPlan{l: &nl, stored: &l, base: base, oldBase: base}
		if !ok || l.IDs[s] != op.ID {
			w.orphan = true
		}
		_, err := j.execute(ctx, lp, w, true)
		return err
	case ActionDelete:
		before, err := decodeItem(j.kind, op.Before)
		if err != nil {
			return fmt.Errorf("operation %d of run %s has no content to recreate: %w", op.Seq, j.run.UndoOf, err)
		}
		if before == nil {
			return fmt.Errorf("operation %d of run %s has no content to recreate", op.Seq, j.run.UndoOf)
		}
		// A new link whose other side is pending: the next sync copies the restored item there too.
		nl := &Link{ID: j.e.newLinkID()}
		nl.Pending[s.Other()] = true
		lp := &linkPlan{l: nl}
		w := &write{side: s, action: ActionCreate, item: before,
			reason: "undo of run " + j.run.UndoOf + ": recreate what it deleted"}
		_, err = j.execute(ctx, lp, w, true)
		return err
	}
	return nil
}

// Conflict returns one recorded conflict, or an *InputError naming conflictId when there is none.
func (e *Engine) Conflict(id string) (Conflict, error) {
	var c Conflict
	ok, err := e.getJSON(kConflict(id), &c)
	if err != nil {
		return Conflict{}, err
	}
	if !ok {
		return Conflict{}, errFieldf("conflictId", "no conflict %q", id)
	}
	return c, nil
}

// ResolveConflict overrides the decision of a recorded conflict: choice is the side whose values of the
// conflicting fields both copies get ("crm" or "mailbox"). Choosing the side the policy already chose only
// closes the conflict. The writes are journaled like any other, with the current versions as preconditions.
func (e *Engine) ResolveConflict(ctx context.Context, conflictID string, choice Side) error {
	c, err := e.Conflict(conflictID)
	if err != nil {
		return err
	}
	if c.Resolved != "" {
		return errFieldf("conflictId", "conflict %s was already resolved (%s)", conflictID, c.Resolved)
	}
	if choice != c.Decision {
		vals := c.CRM
		if choice == SideMailbox {
			vals = c.Mailbox
		}
		var chosen map[string]json.RawMessage
		if err := json.Unmarshal(vals, &chosen); err != nil {
			return fmt.Errorf("conflict %s: %w", conflictID, err)
		}
		run, err := e.adminRun(ctx, c.Profile, c.User, c.Kind, "resolve:"+conflictID, func(j *syncJob) error {
			return j.applyFields(ctx, c, chosen)
		})
		if err != nil {
			return err
		}
		if run.Status != RunOK {
			return fmt.Errorf("conflict %s: the resolution run %s ended %s: %s", conflictID, run.ID, run.Status, run.Error)
		}
	}
	c.Resolved = choice.String()
	return e.put(kConflict(conflictID), c)
}

// applyFields writes the chosen values of c's fields to both copies of its link.
func (j *syncJob) applyFields(ctx context.Context, c Conflict, chosen map[string]json.RawMessage) error {
	l, ok, err := j.e.getLink(j.key, c.Link)
	if err != nil {
		return err
	}
	if !ok {
		return errFieldf("conflictId", "the items of conflict %s are no longer linked", c.ID)
	}
	base, err := j.loadBase(l.ID)
	if err != nil {
		return err
	}
	nl := l
	lp := &linkPlan{l: &nl, stored: &l, base: base, oldBase: base}
	for s := SideCRM; s <= SideMailbox; s++ {
		if l.IDs[s] == "" {
			continue
		}
		r, err := j.stores[s].Get(ctx, l.IDs[s])
		if err != nil {
			return fmt.Errorf("read the %s copy: %w", s, err)
		}
		cur := Split(r.Item)
		target := Split(r.Item)
		for _, f := range c.Fields {
			setField(target, f, chosen)
		}
		diff := ChangedFields(cur, target)
		if len(diff) == 0 {
			continue
		}
		it, err := Join(j.kind, target)
		if err != nil {
			return err
		}
		lp.writes = append(lp.writes, &write{side: s, action: ActionUpdate, id: l.IDs[s], precond: r.Version,
			item: it, before: r.Item, source: l.IDs[s.Other()], reason: "conflict resolved by the admin: " + strings.Join(diff, ", ")})
	}
	for i, w := range lp.writes {
		ok, err := j.execute(ctx, lp, w, i == len(lp.writes)-1)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the %s copy could not be written; see the trace of %s", w.side, w.id)
		}
	}
	return nil
}
