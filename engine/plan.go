package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// The three-way planner.
//
// For every link touched by this run (an observation on either side, a Check flag, a pending create) each side is
// classified against the link's state:
//
//   - unchanged: no observation, or the version recorded in the link;
//   - echo: a new version whose content hash equals the side's base (our own write coming back, or a touch that
//     changed nothing we sync) — only the version is recorded;
//   - changed: anything else (the content is read with Get when the listing did not carry it);
//   - deleted: a tombstone, or absent from a complete full listing / IDLister id set and confirmed by ErrNotFound;
//   - absent: the link has no copy on that side (a pending create, or a copy removed by Undo or a one-way run).
//
// Decisions, per link:
//
//   - both unchanged/echo: record new versions, nothing to write;
//   - one side changed: its changed field groups (ChangedFields of its base and its content) are written to the
//     other side, if the direction allows writing there;
//   - both changed: merged group by group; a group changed on both sides to different values is a conflict,
//     decided by the profile's policy (the source side always wins in a one-way profile) and recorded;
//   - deleted on one side, unchanged on the other: the other copy is deleted (with its version as precondition);
//   - deleted on one side, changed on the other: with OnDelete update-wins (the default) the deleted copy is
//     recreated from the changed one, with delete-wins the changed copy is deleted;
//   - absent on one side: a copy is created when the other side changed or a create is pending.
//
// Items without a link are matched first by our idempotency marker (an earlier create whose result was lost),
// then, for appointments, by iCalendar UID with an unlinked item of the other side; the rest are created on the
// other side unless the direction, the filters, the window or a quarantine say otherwise (each traced). Filters
// and the window only stop creates: an item already linked keeps syncing, and nothing is ever deleted because it
// is filtered or left the window.

type sideState int

const (
	stUnchanged sideState = iota
	stEcho
	stChanged
	stDeleted
	stAbsent
	stSkip // quarantined or unreadable this run: the link is left alone
)

var stateNames = [...]string{"unchanged", "echo", "changed", "deleted", "absent", "skip"}

func (s sideState) String() string { return stateNames[s] }

// side is what the planner knows about one side of a link in this run.
type side struct {
	st      sideState
	version string
	item    Item // current content (changed, echo when read, unchanged: the base)
}

// linkPlan is the plan for one link: its state after the run and the writes that lead there.
type linkPlan struct {
	l        *Link // the state after the run; written sides are filled in as their writes succeed
	stored   *Link // the state stored before the run (nil for a new link)
	remove   bool  // the link is removed after its writes
	base     [2]Item
	oldBase  [2]Item
	writes   []*write
	conflict *Conflict
}

// write is one planned remote write.
type write struct {
	side    Side
	action  Action
	id      string // update, delete: the target
	precond string
	item    Item // create, update
	before  Item // update, delete: the content being replaced (for Undo)
	source  string
	reason  string
	orphan  bool // delete of a duplicate left by an earlier create attempt: no link state changes
}

// plannedWrite pairs a write with its link plan.
type plannedWrite struct {
	lp *linkPlan
	w  *write
}

// plan builds j.plans.
func (j *syncJob) plan(ctx context.Context) error {
	if err := j.matchNew(ctx); err != nil {
		return err
	}
	for _, l := range j.links { // in link id order (the KV scan order)
		if !j.touchedLink(l) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		lp, err := j.planLink(ctx, l)
		if err != nil {
			return err
		}
		if lp != nil {
			j.addPlan(lp)
		}
	}
	return nil
}

func (j *syncJob) addPlan(lp *linkPlan) {
	j.plans = append(j.plans, lp)
	for _, w := range lp.writes {
		j.planned = append(j.planned, plannedWrite{lp, w})
	}
}

func (j *syncJob) touchedLink(l *Link) bool {
	if l.Check || l.Pending[0] || l.Pending[1] {
		return true
	}
	for s := range 2 {
		if l.IDs[s] != "" {
			if o := j.obs[s][l.IDs[s]]; o != nil && (o.deleted || o.version != l.Vers[s] || o.version == "") {
				return true
			}
		}
	}
	return false
}

// quarantined reports whether item id of side s is quarantined at version; a quarantine of another version is
// released (the item changed).
func (j *syncJob) quarantined(s Side, id, version string) bool {
	k := kQuarantine(j.key, s, id)
	q, ok := j.quar[k]
	if !ok {
		return false
	}
	if q.Version == version {
		return true
	}
	delete(j.quar, k)
	j.dels = append(j.dels, k)
	return false
}

// quarantine records that item id of side s cannot be synced at version.
func (j *syncJob) quarantine(s Side, id, version, link string, err error) {
	q := Quarantined{Profile: j.p.ID, User: j.u.ID, Kind: j.kind, Side: s, ID: id, Version: version,
		Reason: trimErr(err), At: j.nowUTC()}
	var ie *ItemError
	if errors.As(err, &ie) {
		q.Field = ie.Field
		q.Reason = trimErr(ie.Err)
	}
	k := kQuarantine(j.key, s, id)
	j.quar[k] = q
	j.sets[k] = mustJSON(q)
	j.newQuar = append(j.newQuar, q)
	j.run.Counts.Quarantined++
	j.trace(s, id, link, DecQuarantined, q.Reason)
}

// fetch returns the current content of item id on side s, using the listing's copy when it has one.
func (j *syncJob) fetch(ctx context.Context, s Side, o *obs, id string) (*Remote, error) {
	if o != nil && o.remote != nil {
		return o.remote, nil
	}
	r, err := j.stores[s].Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Item == nil {
		return nil, &ItemError{ID: id, Err: errors.New("the store returned no content")}
	}
	if o != nil {
		o.remote = &r
		o.version = r.Version
	}
	return &r, nil
}

// observe classifies side s of link l.
func (j *syncJob) observe(ctx context.Context, l *Link, s Side, base Item) (side, error) {
	id := l.IDs[s]
	if id == "" {
		return side{st: stAbsent}, nil
	}
	o := j.obs[s][id]
	if o == nil && !l.Check {
		return side{st: stUnchanged, version: l.Vers[s], item: base}, nil
	}
	if o != nil && o.deleted {
		return side{st: stDeleted}, nil
	}
	if o != nil && o.version != "" && o.version == l.Vers[s] && !l.Check {
		return side{st: stUnchanged, version: l.Vers[s], item: base}, nil
	}
	if o != nil && o.version != "" && j.quarantined(s, id, o.version) {
		j.trace(s, id, l.ID, DecQuarantined, "still quarantined: "+j.quar[kQuarantine(j.key, s, id)].Reason)
		return side{st: stSkip}, nil
	}
	r, err := j.fetch(ctx, s, o, id)
	var ie *ItemError
	switch {
	case errors.Is(err, ErrNotFound):
		return side{st: stDeleted}, nil
	case errors.As(err, &ie):
		v := ""
		if o != nil {
			v = o.version
		}
		j.quarantine(s, id, v, l.ID, err)
		return side{st: stSkip}, nil
	case err != nil:
		if !isTransient(err) {
			j.trace(s, id, l.ID, DecError, trimErr(err))
			return side{st: stSkip}, nil
		}
		if j.transient == nil {
			j.transient = err
		}
		j.trace(s, id, l.ID, DecError, trimErr(err))
		return side{st: stSkip}, nil
	}
	if j.quarantined(s, id, r.Version) {
		return side{st: stSkip}, nil
	}
	if r.Version == l.Vers[s] && base != nil && !l.Check {
		return side{st: stUnchanged, version: r.Version, item: base}, nil
	}
	if l.Hashes[s] != (hash16{}) && hashKey(r.Item) == l.Hashes[s] {
		return side{st: stEcho, version: r.Version, item: r.Item}, nil
	}
	return side{st: stChanged, version: r.Version, item: r.Item}, nil
}

// loadBase reads the base content of link id.
func (j *syncJob) loadBase(id string) ([2]Item, error) {
	var b Base
	var out [2]Item
	ok, err := j.e.getJSON(kBase(j.key, id), &b)
	if err != nil || !ok {
		return out, err
	}
	if out[0], err = decodeItem(j.kind, b.C); err != nil {
		return out, err
	}
	m := b.M
	if m == nil {
		m = b.C
	}
	out[1], err = decodeItem(j.kind, m)
	return out, err
}

// encodeBase encodes the base content of both sides.
func encodeBase(b [2]Item) ([]byte, error) {
	c, err := encodeItem(b[0])
	if err != nil {
		return nil, err
	}
	m, err := encodeItem(b[1])
	if err != nil {
		return nil, err
	}
	if jsonEq(c, m) {
		m = nil
	}
	return json.Marshal(Base{C: c, M: m})
}

// planLink plans one link; nil means nothing to do.
func (j *syncJob) planLink(ctx context.Context, l *Link) (*linkPlan, error) {
	base, err := j.loadBase(l.ID)
	if err != nil {
		return nil, fmt.Errorf("link %s: %w", l.ID, err)
	}
	// A side adopted by marker has no base yet: its content is what we meant to write, the other side's base.
	for s := range 2 {
		if base[s] == nil && l.IDs[s] != "" {
			base[s] = base[1-s]
		}
	}
	var st [2]side
	for s := SideCRM; s <= SideMailbox; s++ {
		if st[s], err = j.observe(ctx, l, s, base[s]); err != nil {
			return nil, err
		}
		if st[s].st == stSkip {
			return nil, nil
		}
	}
	nl := *l
	nl.Check = false
	lp := &linkPlan{l: &nl, stored: l, oldBase: base, base: base}
	for s := SideCRM; s <= SideMailbox; s++ {
		switch st[s].st {
		case stEcho, stChanged:
			nl.Vers[s] = st[s].version
			lp.base[s] = st[s].item
			nl.Hashes[s] = hashKey(st[s].item)
		}
		if st[s].st == stEcho {
			j.trace(s, l.IDs[s], l.ID, DecEcho, "new version, same content")
		}
	}
	c, m := st[SideCRM].st, st[SideMailbox].st
	switch {
	case c == stDeleted || m == stDeleted:
		j.planDelete(lp, st)
	case c == stAbsent || m == stAbsent:
		j.planAbsent(lp, st)
	case c == stChanged || m == stChanged:
		if err := j.planMerge(lp, st, false); err != nil {
			return nil, err
		}
	default:
		j.run.Counts.Unchanged++
	}
	return lp, nil
}

// planDelete handles a link with a deleted side.
func (j *syncJob) planDelete(lp *linkPlan, st [2]side) {
	l := lp.l
	for s := SideCRM; s <= SideMailbox; s++ {
		if st[s].st != stDeleted {
			continue
		}
		o := s.Other()
		j.trace(s, lp.stored.IDs[s], l.ID, DecDeleted, "deleted in the "+s.String())
		switch st[o].st {
		case stDeleted, stAbsent:
			lp.remove = true
		case stUnchanged, stEcho:
			if j.eff.dir.writes(o) {
				lp.writes = append(lp.writes, &write{side: o, action: ActionDelete, id: l.IDs[o],
					precond: l.Vers[o], before: st[o].item, source: lp.stored.IDs[s],
					reason: "deleted in the " + s.String()})
				lp.remove = true
			} else {
				j.trace(o, l.IDs[o], l.ID, DecDirectionOff, "not deleted: the direction does not write to the "+o.String())
				j.run.Counts.Skipped++
				l.IDs[s], l.Vers[s], l.Hashes[s] = "", "", hash16{}
				lp.base[s] = nil
			}
		case stChanged:
			switch {
			case j.p.OnDelete == UpdateWins && j.eff.dir.writes(s):
				l.IDs[s], l.Vers[s], l.Hashes[s] = "", "", hash16{}
				lp.writes = append(lp.writes, &write{side: s, action: ActionCreate, item: st[o].item,
					source: l.IDs[o], reason: "recreated: changed in the " + o.String() + " after it was deleted in the " + s.String()})
				j.trace(o, l.IDs[o], l.ID, DecPolicy, "update wins over the delete in the "+s.String())
			case j.p.OnDelete == DeleteWins && j.eff.dir.writes(o):
				lp.writes = append(lp.writes, &write{side: o, action: ActionDelete, id: l.IDs[o],
					precond: l.Vers[o], before: st[o].item, source: lp.stored.IDs[s],
					reason: "deleted in the " + s.String() + " (delete wins over the update)"})
				lp.remove = true
			default:
				l.IDs[s], l.Vers[s], l.Hashes[s] = "", "", hash16{}
				lp.base[s] = nil
				j.trace(o, l.IDs[o], l.ID, DecDirectionOff, "not recreated in the "+s.String())
			}
		}
		return
	}
}

// planAbsent handles a link with no copy on one side.
func (j *syncJob) planAbsent(lp *linkPlan, st [2]side) {
	l := lp.l
	for s := SideCRM; s <= SideMailbox; s++ {
		if st[s].st != stAbsent {
			continue
		}
		o := s.Other()
		if st[o].st == stAbsent {
			lp.remove = true
			return
		}
		if st[o].st != stChanged && !l.Pending[s] {
			return
		}
		if !j.eff.dir.writes(s) {
			l.Pending[s] = false
			j.trace(o, l.IDs[o], l.ID, DecDirectionOff, "no copy is made in the "+s.String())
			j.run.Counts.Skipped++
			return
		}
		if l.Unknown[s] {
			if !j.full[s] {
				// An earlier create may have reached the store; it can only be found in a complete full listing.
				j.trace(o, l.IDs[o], l.ID, DecError, "an interrupted copy to the "+s.String()+" is looked for in the next complete listing")
				j.relist[s] = true
				// Keep the stored state: the other side's changes must still be seen as changes once the copy is
				// found (its base is what was sent).
				*l = *lp.stored
				lp.base = lp.oldBase
				lp.conflict = nil
				return
			}
			l.Unknown[s] = false // searched a complete listing: the earlier create never happened
		}
		if j.quarantined(o, l.IDs[o], l.Vers[o]) {
			j.trace(o, l.IDs[o], l.ID, DecQuarantined, "still quarantined: "+j.quar[kQuarantine(j.key, o, l.IDs[o])].Reason)
			lp.writes = nil
			return
		}
		lp.writes = append(lp.writes, &write{side: s, action: ActionCreate, item: st[o].item, source: l.IDs[o],
			reason: "copy of the " + o.String() + " item"})
		return
	}
}

// planMerge merges both sides of a link field by field. fresh is set for a link made in this run by UID, whose
// differences are settled by policy without recording conflicts.
func (j *syncJob) planMerge(lp *linkPlan, st [2]side, fresh bool) error {
	l := lp.l
	var fb, fc, target [2]Fields
	var ch [2][]string
	for s := range 2 {
		fc[s] = Split(st[s].item)
		if !fresh {
			fb[s] = Split(lp.oldBase[s])
		} else {
			fb[s] = Fields{}
		}
		if st[s].st == stChanged {
			ch[s] = ChangedFields(fb[s], fc[s])
		}
		target[s] = make(Fields, len(fc[s]))
		for k, v := range fc[s] {
			target[s][k] = v
		}
	}
	winner := SideCRM
	if j.p.Policy == PolicyMailboxWins {
		winner = SideMailbox
	}
	switch j.eff.dir {
	case DirCRMToMailbox:
		winner = SideCRM
	case DirMailboxToCRM:
		winner = SideMailbox
	}
	if j.members != nil && j.eff.dir == DirTwoWay && !fresh {
		ch = j.members.mergeMemberChanges(fb, fc, target, ch) // members.go: merged member by member, never copied whole
	}
	var conflicted []string
	for s := SideCRM; s <= SideMailbox; s++ {
		o := s.Other()
		for _, f := range ch[o] {
			if contains(ch[s], f) {
				if jsonEq(fc[s][f], fc[o][f]) {
					continue
				}
				if s == SideCRM {
					conflicted = append(conflicted, f)
				}
				if winner != o {
					continue
				}
			}
			if v, ok := fc[o][f]; ok {
				target[s][f] = v
			} else {
				delete(target[s], f)
			}
		}
	}
	if len(conflicted) > 0 && !fresh {
		lp.conflict = j.conflict(l, conflicted, fb[0], fc, winner)
	}
	for s := SideCRM; s <= SideMailbox; s++ {
		diff := ChangedFields(fc[s], target[s])
		if len(diff) == 0 {
			continue
		}
		if !j.eff.dir.writes(s) {
			j.trace(s, l.IDs[s], l.ID, DecDirectionOff, "changes to "+strings.Join(diff, ", ")+" are not written to the "+s.String())
			j.run.Counts.Skipped++
			continue
		}
		item, err := Join(j.kind, target[s])
		if err != nil {
			j.quarantine(s.Other(), l.IDs[s.Other()], l.Vers[s.Other()], l.ID, &ItemError{ID: l.IDs[s.Other()], Err: err})
			lp.writes = nil
			*l = *lp.stored
			lp.base = lp.oldBase
			return nil
		}
		lp.writes = append(lp.writes, &write{side: s, action: ActionUpdate, id: l.IDs[s], precond: st[s].version,
			item: item, before: st[s].item, source: l.IDs[s.Other()], reason: "changed " + strings.Join(diff, ", ")})
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// conflict builds the record of a conflict on fields.
func (j *syncJob) conflict(l *Link, fields []string, base Fields, cur [2]Fields, winner Side) *Conflict {
	pick := func(f Fields) json.RawMessage {
		m := map[string]json.RawMessage{}
		for _, k := range fields {
			if v, ok := f[k]; ok {
				m[k] = v
			}
		}
		return mustJSON(m)
	}
	c := &Conflict{ID: j.e.newID("c"), Profile: j.p.ID, User: j.u.ID, Kind: j.kind, Link: l.ID, Run: j.run.ID,
		IDs: l.IDs, Fields: fields, Base: pick(base), CRM: pick(cur[0]), Mailbox: pick(cur[1]), Decision: winner,
		Policy: j.p.Policy, At: j.nowUTC()}
	j.run.Counts.Conflicts++
	reason := fmt.Sprintf("%s changed on both sides; %s kept (%s)", strings.Join(fields, ", "), winner, j.p.Policy)
	j.trace(SideCRM, l.IDs[0], l.ID, DecConflict, reason)
	j.trace(SideMailbox, l.IDs[1], l.ID, DecConflict, reason)
	return c
}

// matchNew links or plans creates for observed items that belong to no link.
func (j *syncJob) matchNew(ctx context.Context) error {
	var fresh [2][]*obs
	for s := SideCRM; s <= SideMailbox; s++ {
		ids := make([]string, 0)
		for id, o := range j.obs[s] {
			if _, linked := j.byID[s][id]; !linked && !o.deleted {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			o := j.obs[s][id]
			if lid, ms, _, ok := parseMarker(o.marker); ok && ms == s {
				if l := j.linkByID(lid); l != nil {
					if l.IDs[s] == "" {
						// Our own create whose result was never recorded: adopt it.
						l.IDs[s], l.Vers[s], l.Hashes[s], l.Pending[s], l.Unknown[s] = id, "", hash16{}, false, false
						j.byID[s][id] = l
						l.Check = true
						j.trace(s, id, l.ID, DecLinked, "adopted by its idempotency marker")
						continue
					}
					if l.IDs[s] != id {
						// A duplicate left by an earlier attempt: remove it.
						j.addPlan(&linkPlan{l: l, stored: l, writes: []*write{{side: s, action: ActionDelete, id: id,
							precond: o.version, orphan: true, reason: "duplicate of " + l.IDs[s] + " left by an interrupted create"}}})
						continue
					}
				}
			}
			fresh[s] = append(fresh[s], o)
		}
	}
	// Read the content of unlinked items; quarantine what cannot be read.
	var items [2]map[string]*Remote
	for s := SideCRM; s <= SideMailbox; s++ {
		items[s] = map[string]*Remote{}
		for _, o := range fresh[s] {
			if o.version != "" && j.quarantined(s, o.id, o.version) {
				j.trace(s, o.id, "", DecQuarantined, "still quarantined: "+j.quar[kQuarantine(j.key, s, o.id)].Reason)
				continue
			}
			r, err := j.fetch(ctx, s, o, o.id)
			var ie *ItemError
			switch {
			case errors.Is(err, ErrNotFound):
				continue
			case errors.As(err, &ie):
				j.quarantine(s, o.id, o.version, "", err)
				continue
			case err != nil:
				if isTransient(err) && j.transient == nil {
					j.transient = err
				}
				j.trace(s, o.id, "", DecError, trimErr(err))
				continue
			}
			if j.quarantined(s, o.id, r.Version) {
				continue
			}
			items[s][o.id] = r
		}
	}
	// Pair appointments by UID.
	if j.kind == KindAppointment {
		byUID := map[string]string{}
		for id, r := range items[SideMailbox] {
			if a, ok := r.Item.(*Appointment); ok && a.UID != "" {
				byUID[a.UID] = id
			}
		}
		cids := sortedKeys(items[SideCRM])
		for _, cid := range cids {
			r := items[SideCRM][cid]
			a, ok := r.Item.(*Appointment)
			if !ok || a.UID == "" {
				continue
			}
			mid, ok := byUID[a.UID]
			if !ok {
				continue
			}
			delete(byUID, a.UID)
			mr := items[SideMailbox][mid]
			delete(items[SideCRM], cid)
			delete(items[SideMailbox], mid)
			l := &Link{ID: j.e.newLinkID(), IDs: [2]string{cid, mid}, Vers: [2]string{r.Version, mr.Version},
				Hashes: [2]hash16{hashKey(r.Item), hashKey(mr.Item)}}
			lp := &linkPlan{l: l, base: [2]Item{r.Item, mr.Item}}
			st := [2]side{{st: stChanged, version: r.Version, item: r.Item}, {st: stChanged, version: mr.Version, item: mr.Item}}
			if err := j.planMerge(lp, st, true); err != nil {
				return err
			}
			j.trace(SideCRM, cid, l.ID, DecLinked, "matched by UID with mailbox item "+mid)
			j.trace(SideMailbox, mid, l.ID, DecLinked, "matched by UID with CRM item "+cid)
			j.addPlan(lp)
		}
	}
	// Create the rest on the other side.
	for s := SideCRM; s <= SideMailbox; s++ {
		o := s.Other()
		for _, id := range sortedKeys(items[s]) {
			r := items[s][id]
			switch {
			case !j.eff.dir.writes(o):
				j.trace(s, id, "", DecDirectionOff, "not copied to the "+o.String())
				j.run.Counts.Skipped++
				continue
			case !InWindow(r.Item, j.win):
				j.trace(s, id, "", DecOutOfWindow, fmt.Sprintf("outside the window %s – %s", j.win.From.Format("2006-01-02"), j.win.To.Format("2006-01-02")))
				j.run.Counts.Skipped++
				continue
			}
			if why := j.eff.filters.excludes(r.Item); why != "" {
				j.trace(s, id, "", DecFiltered, why)
				j.run.Counts.Skipped++
				continue
			}
			l := &Link{ID: j.e.newLinkID()}
			l.IDs[s], l.Vers[s], l.Hashes[s] = id, r.Version, hashKey(r.Item)
			lp := &linkPlan{l: l}
			lp.base[s] = r.Item
			lp.writes = []*write{{side: o, action: ActionCreate, item: r.Item, source: id,
				reason: "new in the " + s.String()}}
			j.addPlan(lp)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// excludes says why the filters exclude it, or "".
func (f Filters) excludes(it Item) string {
	switch x := it.(type) {
	case *Appointment:
		switch {
		case f.SkipPrivate && x.Private:
			return "private appointments are not synced"
		case f.SkipAllDay && x.AllDay:
			return "all-day appointments are not synced"
		case f.SkipFree && x.ShowAs == ShowFree:
			return "appointments shown as free are not synced"
		case f.SkipRecurring && x.Recurrence != nil:
			return "recurring appointments are not synced"
		}
	case *Task:
		if f.SkipPrivate && x.Private {
			return "private tasks are not synced"
		}
	}
	return ""
}
