package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The journal.
//
// Every remote write goes through execute:
//
//  1. Commit the Intent (and, for a create, the link in its pending state with the side's attempt counter
//     incremented and the source side's base), durably, before the write is sent.
//  2. Send the write.
//  3. Commit, in ONE Commit: the intent's deletion, the AppliedOp record of the run, and the link's new state and
//     base (or, for a link with two writes, a Check flag after the first one, so that a crash between the two
//     makes the next run re-read both sides and merge again rather than lose the second write).
//
// An error that says nothing definite about the write (a timeout, a 5xx, throttling) leaves the intent in place:
// the write may have happened ("write succeeded but the response was lost"), so it is resolved like a crash.
//
// Recovery (Recover, and the start of every run for its own job) resolves the intents left behind:
//   - create: FindByMarker when the store has it — found: the item is adopted into the link; ErrNotFound: the
//     create never happened and stays pending (retried with the next attempt's marker). Without MarkerFinder the
//     side's cursor is reset: the next (full) listing carries the marker and the item is adopted there.
//   - update, delete: the link is flagged Check: the next run re-reads both sides and plans again (the write, if
//     it happened, then looks like a change whose fields equal the other side's: nothing more is written).

// apply commits state-only plans and executes the planned writes.
func (j *syncJob) apply(ctx context.Context) error {
	for _, lp := range j.plans {
		if len(lp.writes) > 0 {
			continue
		}
		if err := j.stateSets(lp, j.sets, &j.dels); err != nil {
			return err
		}
	}
	for _, lp := range j.plans {
		for i, w := range lp.writes {
			ok, err := j.execute(ctx, lp, w, i == len(lp.writes)-1)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
		}
		var ra *RetryAfterError
		if errors.As(j.transient, &ra) {
			j.log.Info("throttled: stopping the run's writes", "wait", ra.Wait)
			break
		}
	}
	return nil
}

// stateSets adds lp's final link state to sets/dels.
func (j *syncJob) stateSets(lp *linkPlan, sets map[string][]byte, dels *[]string) error {
	if lp.remove {
		*dels = append(*dels, kLink(j.key, lp.l.ID), kBase(j.key, lp.l.ID))
	} else {
		b, err := encodeBase(lp.base)
		if err != nil {
			return fmt.Errorf("link %s: %w", lp.l.ID, err)
		}
		sets[kLink(j.key, lp.l.ID)] = lp.l.encode()
		sets[kBase(j.key, lp.l.ID)] = b
	}
	if lp.conflict != nil {
		sets[kConflict(lp.conflict.ID)] = mustJSON(lp.conflict)
	}
	return nil
}

// execute journals and sends one write. ok is false when the link's remaining writes must not be sent; err is
// fatal for the run (the journal could not be written, the context ended, credentials were refused).
func (j *syncJob) execute(ctx context.Context, lp *linkPlan, w *write, last bool) (ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	l := lp.l
	s := w.side
	j.opSeq++
	op := j.run.ID + "." + strconv.Itoa(j.opSeq)
	in := Intent{Op: op, Run: j.run.ID, Profile: j.p.ID, User: j.u.ID, Kind: j.kind, Side: s, Action: w.action,
		Link: l.ID, ID: w.id, Precond: w.precond, At: j.nowUTC()}
	if w.item != nil {
		in.PayloadHash = hashHex(w.item)
	}
	if w.action == ActionUpdate {
		in.Payload, _ = encodeItem(w.item)
		in.Before, _ = encodeItem(w.before)
	}
	sets := map[string][]byte{}
	if w.action == ActionCreate {
		attempt := l.Attempt[s]
		in.Marker = Marker(l.ID, s, int(attempt))
		l.Attempt[s] = attempt + 1
		l.Pending[s] = true
		pre := *l
		pre.IDs[s], pre.Vers[s], pre.Hashes[s] = "", "", hash16{}
		b := lp.base
		b[s] = nil
		bb, err := encodeBase(b)
		if err != nil {
			return false, err
		}
		sets[kLink(j.key, l.ID)] = pre.encode()
		sets[kBase(j.key, l.ID)] = bb
	}
	sets[kIntent(op)] = mustJSON(in)
	if err := j.e.kv.Commit(sets, nil); err != nil {
		return false, err
	}

	st := j.stores[s]
	var r Remote
	switch w.action {
	case ActionCreate:
		r, err = st.Create(ctx, w.item, in.Marker)
	case ActionUpdate:
		r, err = st.Update(ctx, w.id, w.precond, w.item)
	case ActionDelete:
		err = st.Delete(ctx, w.id, w.precond)
		if errors.Is(err, ErrNotFound) {
			err = nil // already gone
		}
	}
	target := w.id
	if target == "" {
		target = r.ID
	}
	o := s.Other()
	res := map[string][]byte{}
	dels := []string{kIntent(op)}
	var ie *ItemError
	switch {
	case err == nil:
	case errors.Is(err, ErrPrecondition), errors.Is(err, ErrNotFound):
		// The item changed (or vanished) since we read it: re-read both sides next run.
		if !w.orphan && lp.stored != nil {
			chk := *lp.stored
			chk.Check = true
			res[kLink(j.key, l.ID)] = chk.encode()
		}
		j.trace(s, target, l.ID, DecError, "changed meanwhile; planned again next run: "+trimErr(err))
		j.run.Counts.Errors++
		return false, j.e.kv.Commit(res, dels)
	case errors.As(err, &ie), errors.Is(err, ErrUnsupported):
		if !w.orphan {
			q := Quarantined{Profile: j.p.ID, User: j.u.ID, Kind: j.kind, Side: o, ID: w.source, Version: l.Vers[o],
				Reason: trimErr(err), At: j.nowUTC()}
			if ie != nil {
				q.Field, q.Reason = ie.Field, trimErr(ie.Err)
			}
			if w.source == "" {
				q.Side, q.ID, q.Version = s, w.id, w.precond
			}
			qk := kQuarantine(j.key, q.Side, q.ID)
			j.quar[qk] = q
			res[qk] = mustJSON(q)
			j.run.Counts.Quarantined++
			j.trace(q.Side, q.ID, l.ID, DecQuarantined, fmt.Sprintf("quarantined: %s of the %s copy failed: %s", w.action, s, q.Reason))
		}
		return false, j.e.kv.Commit(res, dels)
	case errors.Is(err, ErrAuth):
		_ = j.e.kv.Commit(nil, dels)
		return false, fmt.Errorf("%s refused the credentials: %w", s, err)
	default:
		// Outcome unknown: the intent stays and is resolved like a crash.
		if j.transient == nil {
			j.transient = err
		}
		j.run.Counts.Errors++
		j.trace(s, target, l.ID, DecError, trimErr(err))
		return false, nil
	}

	stored := r.Item
	if stored == nil {
		stored = w.item
	}
	ap := AppliedOp{Seq: j.opSeq, Side: s, Action: w.action, Link: l.ID, ID: target, Version: r.Version, At: j.nowUTC()}
	if w.before != nil {
		ap.Before, _ = encodeItem(w.before)
	}
	if w.action != ActionDelete {
		ap.After, _ = encodeItem(stored)
	}
	res[kRunOpPrefix(j.run.ID)+fmt.Sprintf("%06d", j.opSeq)] = mustJSON(ap)
	if !w.orphan {
		switch w.action {
		case ActionCreate, ActionUpdate:
			if r.ID != "" {
				l.IDs[s] = r.ID
			}
			l.Vers[s], l.Hashes[s], l.Pending[s] = r.Version, hashKey(stored), false
			lp.base[s] = stored
		}
		if last {
			if err := j.stateSets(lp, res, &dels); err != nil {
				return false, err
			}
		} else if lp.stored != nil {
			// More writes follow for this link. Until they are done, the stored state keeps the other side's old
			// base and this side's base gains only the fields just written: if the run stops here, the next run
			// re-reads both sides (Check) and still sees both sides' own changes, so the rest is not lost.
			chk := *lp.stored
			chk.Check = true
			chk.Vers[s], chk.Hashes[s] = "", hash16{}
			b := lp.oldBase
			if b[s] != nil {
				nb := Split(b[s])
				cur := Split(stored)
				for _, f := range ChangedFields(Split(w.before), Split(w.item)) {
					setField(nb, f, cur)
				}
				if it, err := Join(j.kind, nb); err == nil {
					b[s] = it
				}
			}
			bb, err := encodeBase(b)
			if err != nil {
				return false, err
			}
			res[kLink(j.key, l.ID)] = chk.encode()
			res[kBase(j.key, l.ID)] = bb
		}
	}
	if err := j.e.kv.Commit(res, dels); err != nil {
		return false, err
	}
	switch w.action {
	case ActionCreate:
		j.run.Counts.Created++
		j.trace(s, target, l.ID, DecCreated, w.reason)
		j.trace(o, w.source, l.ID, DecCreated, "copied to the "+s.String()+" as "+target)
	case ActionUpdate:
		j.run.Counts.Updated++
		j.trace(s, target, l.ID, DecUpdated, w.reason)
		j.trace(o, w.source, l.ID, DecUpdated, "the "+s.String()+" copy was updated: "+w.reason)
	case ActionDelete:
		j.run.Counts.Deleted++
		j.trace(s, target, l.ID, DecDeleted, w.reason)
	}
	return true, nil
}

// recover resolves the pending intents of this job.
func (j *syncJob) recover(ctx context.Context) error {
	var intents []Intent
	if err := scanJSON(j.e.kv, keyRoot+"intent/", func(_ string, in Intent) error {
		if in.Profile == j.p.ID && in.User == j.u.ID && in.Kind == j.kind {
			intents = append(intents, in)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, in := range intents {
		if err := j.resolve(ctx, in); err != nil {
			return fmt.Errorf("intent %s (%s in the %s): %w", in.Op, in.Action, in.Side, err)
		}
	}
	return nil
}

// resolve settles one intent (see the journal comment above).
func (j *syncJob) resolve(ctx context.Context, in Intent) error {
	dels := []string{kIntent(in.Op)}
	sets := map[string][]byte{}
	l, ok, err := j.e.getLink(j.key, in.Link)
	if err != nil {
		return err
	}
	s := in.Side
	st := j.stores[s]
	if !ok {
		// The link is gone (undo of a delete, a removed user's state): an item created under it is a plain
		// unlinked item the next listing sees.
		return j.e.kv.Commit(nil, dels)
	}
	switch in.Action {
	case ActionCreate:
		if l.IDs[s] != "" {
			break
		}
		mf, ok := st.(MarkerFinder)
		if !ok {
			l.Check = true
			dels = append(dels, kCursor(j.key, s))
			j.log.Info("create interrupted; the store cannot find by marker: listing fully", "link", l.ID, "side", s)
			break
		}
		r, err := mf.FindByMarker(ctx, in.Marker)
		switch {
		case errors.Is(err, ErrNotFound):
			l.Pending[s] = true // never reached the store: create again
		case err != nil:
			return err
		default:
			base, err := j.loadBase(l.ID)
			if err != nil {
				return err
			}
			// Adopt it. If it still holds exactly what we sent, it is the base; otherwise someone may have edited
			// it since (or the store rewrote it): the base is what we sent, and the next plan sees the rest as a
			// change of that side.
			if hashHex(r.Item) == in.PayloadHash {
				base[s] = r.Item
				l.IDs[s], l.Vers[s], l.Hashes[s], l.Pending[s] = r.ID, r.Version, hashKey(r.Item), false
			} else {
				base[s] = base[s.Other()]
				l.IDs[s], l.Vers[s], l.Hashes[s], l.Pending[s] = r.ID, "", hash16{}, false
				l.Check = true
			}
			bb, err := encodeBase(base)
			if err != nil {
				return err
			}
			sets[kBase(j.key, l.ID)] = bb
			seq := 0
			if i := strings.LastIndexByte(in.Op, '.'); i >= 0 {
				seq, _ = strconv.Atoi(in.Op[i+1:])
			}
			after, _ := encodeItem(r.Item)
			sets[kRunOpPrefix(in.Run)+fmt.Sprintf("%06d", seq)] = mustJSON(AppliedOp{Seq: seq, Side: s,
				Action: ActionCreate, Link: l.ID, ID: r.ID, Version: r.Version, After: after, At: j.nowUTC()})
			j.trace(s, r.ID, l.ID, DecCreated, "found by its idempotency marker after an interrupted create")
		}
	case ActionUpdate:
		l.Check = true
		r, err := st.Get(ctx, in.ID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case r.Version == in.Precond:
			// The update never reached the store.
		default:
			// Something changed the item: our update, later edits, or both. The written fields that now hold what
			// we sent become the side's base, so that only later edits count as changes of that side.
			base, err := j.loadBase(l.ID)
			if err != nil {
				return err
			}
			payload, err1 := decodeItem(j.kind, in.Payload)
			before, err2 := decodeItem(j.kind, in.Before)
			if err1 != nil || err2 != nil || payload == nil || before == nil || base[s] == nil {
				break
			}
			nb, cur, p := Split(base[s]), Split(r.Item), Split(payload)
			for _, f := range ChangedFields(Split(before), p) {
				if jsonEq(cur[f], p[f]) {
					setField(nb, f, p)
				}
			}
			it, err := Join(j.kind, nb)
			if err != nil {
				break
			}
			base[s] = it
			bb, err := encodeBase(base)
			if err != nil {
				return err
			}
			sets[kBase(j.key, l.ID)] = bb
			l.Vers[s], l.Hashes[s] = "", hash16{}
		}
	default:
		l.Check = true
	}
	sets[kLink(j.key, l.ID)] = l.encode()
	return j.e.kv.Commit(sets, dels)
}

// Recover resolves the journal intents left by a previous process (see the journal comment), for every job. It
// is called once at start-up before the scheduler runs jobs; runs also resolve their own job's intents first. An
// intent of a profile or user that no longer exists is dropped. Errors of one job do not stop the others; they
// are returned joined.
func (e *Engine) Recover(ctx context.Context) error {
	jobs := map[string]Intent{}
	if err := scanJSON(e.kv, keyRoot+"intent/", func(_ string, in Intent) error {
		jobs[kJob(in.Profile, in.User, in.Kind)] = in
		return nil
	}); err != nil {
		return err
	}
	var errs []error
	for _, key := range sortedKeys(jobs) {
		in := jobs[key]
		if err := e.recoverJob(ctx, in.Profile, in.User, in.Kind); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) recoverJob(ctx context.Context, profileID, userID string, kind Kind) error {
	key := kJob(profileID, userID, kind)
	lock := e.jobLock(key)
	lock.Lock()
	defer lock.Unlock()
	p, perr := e.Profile(profileID)
	u, uerr := e.User(profileID, userID)
	if perr != nil || uerr != nil {
		var dels []string
		err := scanJSON(e.kv, keyRoot+"intent/", func(k string, in Intent) error {
			if kJob(in.Profile, in.User, in.Kind) == key {
				dels = append(dels, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return e.kv.Commit(nil, dels)
	}
	eff := p.effective(u, kind)
	j := &syncJob{e: e, p: p, u: u, kind: kind, key: key, eff: eff, win: eff.window(e.now()),
		log: e.log.With("profile", profileID, "user", userID, "kind", kind), run: &Run{ID: "recover"},
		sets: map[string][]byte{}, traces: map[string][]TraceEntry{}}
	if err := j.open(ctx); err != nil {
		return err
	}
	defer j.close()
	if err := j.recover(ctx); err != nil {
		return err
	}
	if err := j.flushTraces(); err != nil {
		return err
	}
	return e.kv.Commit(j.sets, nil)
}

// setField copies field group f from src to dst (deleting it when src has none).
func setField(dst Fields, f string, src Fields) {
	if v, ok := src[f]; ok {
		dst[f] = v
	} else {
		delete(dst, f)
	}
}
