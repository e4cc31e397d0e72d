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

// apply commits state-only plans and executes the planned writes. Links with a single write to a store that
// implements Batcher are sent in batches of up to MaxBatch (one intent commit and one result commit per batch);
// links with two writes go one write at a time.
func (j *syncJob) apply(ctx context.Context) error {
	for _, lp := range j.plans {
		if len(lp.writes) > 0 {
			continue
		}
		if err := j.stateSets(lp, j.sets, &j.dels); err != nil {
			return err
		}
	}
	var queue [2][]*linkPlan
	flush := func(s Side) error {
		q := queue[s]
		queue[s] = nil
		if len(q) == 0 {
			return nil
		}
		return j.executeBatch(ctx, j.stores[s].(Batcher), q)
	}
	throttled := func() bool {
		var ra *RetryAfterError
		if errors.As(j.transient, &ra) {
			j.log.Info("throttled: stopping the run's writes", "wait", ra.Wait)
			return true
		}
		return false
	}
	for _, lp := range j.plans {
		if len(lp.writes) == 0 {
			continue
		}
		if len(lp.writes) == 1 {
			s := lp.writes[0].side
			if b, ok := j.stores[s].(Batcher); ok && b.MaxBatch() > 1 {
				queue[s] = append(queue[s], lp)
				if len(queue[s]) >= b.MaxBatch() {
					if err := flush(s); err != nil {
						return err
					}
					if throttled() {
						return nil
					}
				}
				continue
			}
		}
		for i, w := range lp.writes {
			ok, err := j.execute(ctx, lp, w, i == len(lp.writes)-1)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
		}
		if throttled() {
			return nil
		}
	}
	for s := SideCRM; s <= SideMailbox; s++ {
		if err := flush(s); err != nil {
			return err
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
	p, sets, err := j.prepare(lp, w, last)
	if err != nil {
		return false, err
	}
	if err := j.e.kv.Commit(sets, nil); err != nil {
		return false, err
	}
	st := j.stores[w.side]
	var r Remote
	switch w.action {
	case ActionCreate:
		r, err = st.Create(ctx, w.item, p.in.Marker)
	case ActionUpdate:
		r, err = st.Update(ctx, w.id, w.precond, w.item)
	case ActionDelete:
		err = st.Delete(ctx, w.id, w.precond)
	}
	res := map[string][]byte{}
	var dels []string
	ok, fatal := j.finalize(p, r, err, res, &dels)
	if len(res) > 0 || len(dels) > 0 {
		if err := j.e.kv.Commit(res, dels); err != nil {
			return false, err
		}
	}
	if fatal != nil {
		return false, fatal
	}
	if ok {
		j.done(p, r)
	}
	return ok, nil
}

// pendingWrite is a write whose intent is prepared.
type pendingWrite struct {
	lp   *linkPlan
	w    *write
	last bool
	in   Intent
}

// prepare builds the intent of a write (and, for a create, the link's pending state) into the returned sets.
func (j *syncJob) prepare(lp *linkPlan, w *write, last bool) (*pendingWrite, map[string][]byte, error) {
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
		if j.kind == KindGroup {
			in.Other, _ = encodeItem(lp.base[s.Other()])
		}
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
			return nil, nil, err
		}
		sets[kLink(j.key, l.ID)] = pre.encode()
		sets[kBase(j.key, l.ID)] = bb
	}
	sets[kIntent(op)] = mustJSON(in)
	return &pendingWrite{lp: lp, w: w, last: last, in: in}, sets, nil
}

// finalize adds what the outcome of a sent write changes to res and dels (to be committed in one Commit). ok
// reports success; fatal is an error that ends the run.
func (j *syncJob) finalize(p *pendingWrite, r Remote, err error, res map[string][]byte, dels *[]string) (ok bool, fatal error) {
	lp, w, l := p.lp, p.w, p.lp.l
	s, o := w.side, w.side.Other()
	if w.action == ActionDelete && errors.Is(err, ErrNotFound) {
		err = nil // already gone
	}
	target := w.id
	if target == "" {
		target = r.ID
	}
	var ie *ItemError
	switch {
	case err == nil:
	case errors.Is(err, ErrPrecondition), errors.Is(err, ErrNotFound):
		// The item changed (or vanished) since we read it: re-read both sides next run.
		*dels = append(*dels, kIntent(p.in.Op))
		if !w.orphan && lp.stored != nil {
			chk := *lp.stored
			chk.Check = true
			res[kLink(j.key, l.ID)] = chk.encode()
		}
		j.trace(s, target, l.ID, DecError, "changed meanwhile; planned again next run: "+trimErr(err))
		j.run.Counts.Errors++
		return false, nil
	case errors.As(err, &ie), errors.Is(err, ErrUnsupported):
		*dels = append(*dels, kIntent(p.in.Op))
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
		return false, nil
	case errors.Is(err, ErrAuth):
		*dels = append(*dels, kIntent(p.in.Op))
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
	*dels = append(*dels, kIntent(p.in.Op))
	stored := r.Item
	if stored == nil {
		stored = w.item
	}
	ap := AppliedOp{Seq: seqOf(p.in.Op), Side: s, Action: w.action, Link: l.ID, ID: target, Version: r.Version, At: j.nowUTC()}
	if w.before != nil {
		ap.Before, _ = encodeItem(w.before)
	}
	if w.action != ActionDelete {
		ap.After, _ = encodeItem(stored)
	}
	res[kRunOpPrefix(j.run.ID)+fmt.Sprintf("%06d", ap.Seq)] = mustJSON(ap)
	if w.orphan {
		return true, nil
	}
	switch w.action {
	case ActionCreate, ActionUpdate:
		if r.ID != "" {
			l.IDs[s] = r.ID
		}
		l.Vers[s], l.Hashes[s], l.Pending[s] = r.Version, hashKey(stored), false
		lp.base[s] = stored
	}
	if p.last {
		if err := j.stateSets(lp, res, dels); err != nil {
			return false, err
		}
		return true, nil
	}
	if lp.stored != nil {
		// More writes follow for this link. Until they are done, the stored state keeps the other side's old
		// base and this side's base gains only the fields just written: if the run stops here, the next run
		// re-reads both sides (Check) and still sees both sides' own changes, so the rest is not lost.
		chk := *lp.stored
		chk.Check = true
		chk.Vers[s], chk.Hashes[s] = "", hash16{}
		// The other side's base takes the written values too: they are now agreed, so a later edit of the other
		// side back to its old value is still seen as a change.
		b := lp.oldBase
		if b[s] != nil && b[o] != nil {
			nb, no := Split(b[s]), Split(b[o])
			cur, sent := Split(stored), Split(w.item)
			written := ChangedFields(Split(w.before), sent)
			for _, f := range written {
				setField(nb, f, cur)
				if agreedWhenWritten(j.kind, f) {
					setField(no, f, sent)
				}
			}
			if j.members != nil && contains(written, "members") {
				j.members.memberBasesAfterWrite(s, nb, no, cur, Split(lp.base[o]))
			}
			it, err1 := Join(j.kind, nb)
			io, err2 := Join(j.kind, no)
			if err1 == nil && err2 == nil {
				b[s], b[o] = it, io
				chk.Hashes[o] = hashKey(io) // the echo check must compare with the new base
			}
		}
		bb, err := encodeBase(b)
		if err != nil {
			return false, err
		}
		res[kLink(j.key, l.ID)] = chk.encode()
		res[kBase(j.key, l.ID)] = bb
	}
	return true, nil
}

// done counts and traces a write whose result is committed.
func (j *syncJob) done(p *pendingWrite, r Remote) {
	w, l := p.w, p.lp.l
	s, o := w.side, w.side.Other()
	target := w.id
	if target == "" {
		target = r.ID
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
}

// executeBatch journals and sends single-write links in one Batch call: their intents in one commit, the batch,
// their results in one commit. A failed batch leaves every intent in place (outcome unknown).
func (j *syncJob) executeBatch(ctx context.Context, b Batcher, lps []*linkPlan) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sets := map[string][]byte{}
	ps := make([]*pendingWrite, len(lps))
	ops := make([]Op, len(lps))
	for i, lp := range lps {
		p, s, err := j.prepare(lp, lp.writes[0], true)
		if err != nil {
			return err
		}
		for k, v := range s {
			sets[k] = v
		}
		ps[i] = p
		w := lp.writes[0]
		ops[i] = Op{Action: w.action, ID: w.id, Version: w.precond, Item: w.item, Marker: p.in.Marker}
	}
	if err := j.e.kv.Commit(sets, nil); err != nil {
		return err
	}
	results, err := b.Batch(ctx, ops)
	if err == nil && len(results) != len(ops) {
		err = fmt.Errorf("batch of %d writes answered %d results", len(ops), len(results))
	}
	if err != nil {
		if errors.Is(err, ErrAuth) {
			return fmt.Errorf("%s refused the credentials: %w", lps[0].writes[0].side, err)
		}
		if j.transient == nil {
			j.transient = err
		}
		for _, p := range ps {
			j.run.Counts.Errors++
			j.trace(p.w.side, p.w.id, p.lp.l.ID, DecError, trimErr(err))
		}
		return nil
	}
	res := map[string][]byte{}
	var dels []string
	oks := make([]bool, len(ps))
	var fatal error
	for i, p := range ps {
		ok, f := j.finalize(p, results[i].Remote, results[i].Err, res, &dels)
		oks[i] = ok
		if f != nil && fatal == nil {
			fatal = f
		}
	}
	if err := j.e.kv.Commit(res, dels); err != nil {
		return err
	}
	for i, p := range ps {
		if oks[i] {
			j.done(p, results[i].Remote)
		}
	}
	return fatal
}

// seqOf returns the sequence number at the end of an op id ("<run>.<seq>").
func seqOf(op string) int {
	n := 0
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		n, _ = strconv.Atoi(op[i+1:])
	}
	return n
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
			l.Unknown[s] = true
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
			o := s.Other()
			if err1 != nil || err2 != nil || payload == nil || before == nil || base[s] == nil || base[o] == nil {
				break
			}
			nb, no, cur, p := Split(base[s]), Split(base[o]), Split(r.Item), Split(payload)
			written := ChangedFields(Split(before), p)
			for _, f := range written {
				if jsonEq(cur[f], p[f]) {
					setField(nb, f, p)
					if agreedWhenWritten(j.kind, f) {
						setField(no, f, p) // agreed now on both sides
					}
				}
			}
			if j.members != nil && contains(written, "members") && jsonEq(cur["members"], p["members"]) {
				if it, err := decodeItem(j.kind, in.Other); err == nil && it != nil {
					j.members.memberBasesAfterWrite(s, nb, no, cur, Split(it))
				}
			}
			it, err := Join(j.kind, nb)
			io, err3 := Join(j.kind, no)
			if err != nil || err3 != nil {
				break
			}
			base[s], base[o] = it, io
			l.Hashes[o] = hashKey(io) // the echo check must compare with the new base
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
// are returned joined. It first builds the run index of a store written before the index existed (once per store,
// resumable; see migrateRunIndex); an error there is returned too but does not stop the recovery.
func (e *Engine) Recover(ctx context.Context) error {
	var errs []error
	if _, err := e.migrateRunIndex(ctx); err != nil {
		errs = append(errs, err)
	}
	jobs := map[string]Intent{}
	if err := scanJSON(e.kv, keyRoot+"intent/", func(_ string, in Intent) error {
		jobs[kJob(in.Profile, in.User, in.Kind)] = in
		return nil
	}); err != nil {
		return errors.Join(append(errs, err)...)
	}
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
	return commitChunked(e.kv, j.sets, nil)
}

// setField copies field group f from src to dst (deleting it when src has none).
func setField(dst Fields, f string, src Fields) {
	if v, ok := src[f]; ok {
		dst[f] = v
	} else {
		delete(dst, f)
	}
}
