package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Group members across systems.
//
// A Group's Members are ids of contacts in the store that holds the group: SuperOffice person ids on the CRM side,
// Graph contact ids or CardDAV member UIDs on the mailbox side. The planner compares and copies the two sides'
// groups field by field, so for a group job (KindGroup) the engine wraps both stores in a memberStore that
// translates members into one id space, the contact links of the same profile and user:
//
//   - reading (Changes, Get, FindByMarker, and the results of writes): a member with a contact link becomes the
//     link id; any other member (no link, or a link whose copy on the other side is still being created) becomes
//     "crm:<id>" or "mailbox:<id>" (unlinkedPrefix), so it is kept;
//   - writing (Create, Update): a link id becomes the contact's id on the store's side; an unlinked member of the
//     store's own side is written back as it was; an unlinked member of the other side is left out (the contact
//     has no copy on this side, so the group cannot hold it here). An update also keeps the unlinked members of
//     the store's own side that the group holds now (read in this run, or with one Get): the other side cannot
//     name them, so a member list copied from there has not removed them.
//
// The version the engine sees is the store's version plus a digest of the translated members, so a group whose
// members become linked later (the contacts job ran after the groups job) reads as changed and its new members are
// written to the other side. The group job's cursors carry a digest of the contact links (Cursor.Members): when
// the links changed since the last group run, both sides are listed fully, so every group is translated again. An
// update fails with ErrPrecondition when the store still has the version read but the group's members translate
// differently now: the change is then merged in the next run rather than taken for agreed by the write.
//
// In a two-way profile, members that changed on either side since the last sync are merged member by member
// (mergeMemberChanges), never copied as one list nor decided by the conflict policy: a group's translated members
// also change when nobody edited it (a member gets linked after the group was copied, a contact deleted meanwhile
// leaves the group), so both sides' lists often differ from their bases although one side alone changed them, and
// the two lists differ by the members only one side can hold; copying one list whole would undo the other side's
// additions and removals. After an update whose link is not settled by it (the first of two writes, a recovered
// write), the members sent are not taken as both sides' base (agreedWhenWritten, memberBasesAfterWrite).
//
// Run the contacts job before the groups job: members whose contacts are not linked yet are not written to the
// mailbox until they are.

// memberVersionSep separates the store's version from the member digest in a group version.
const memberVersionSep = "#m:"

// unlinkedPrefix is the prefix of a member without a contact link on side s.
func unlinkedPrefix(s Side) string { return s.String() + ":" }

// memberMap translates contact ids of both sides to contact link ids and back.
type memberMap struct {
	toLink   [2]map[string]string // side id → link id
	fromLink [2]map[string]string // link id → side id
	digest   string               // of every (link, CRM id, mailbox id), in link order
}

// loadMemberMap reads the contact links of the job's profile and user.
func (j *syncJob) loadMemberMap() (*memberMap, error) {
	m := &memberMap{}
	for s := range 2 {
		m.toLink[s], m.fromLink[s] = map[string]string{}, map[string]string{}
	}
	h := sha256.New()
	err := j.e.kv.Scan([]byte(kLinkPrefix(kJob(j.p.ID, j.u.ID, KindContact))), func(k, b []byte) error {
		l, err := decodeLink(b)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", l.ID, l.IDs[0], l.IDs[1])
		if (l.IDs[0] == "" || l.IDs[1] == "") && (l.Pending[0] || l.Pending[1] || l.Unknown[0] || l.Unknown[1]) {
			// A contact whose copy is still being made (its create was interrupted) is an unlinked member:
			// once the copy is made, the member reads as changed on the side that holds it, and is copied.
			return nil
		}
		for s := range 2 {
			if l.IDs[s] != "" {
				// A link whose copy on one side was removed for good (a one-way profile, an undo) still
				// names the member on the other side, so a removal from the group there still reaches it.
				m.toLink[s][l.IDs[s]] = l.ID
				m.fromLink[s][l.ID] = l.IDs[s]
			}
		}
		return nil
	})
	m.digest = hex.EncodeToString(h.Sum(nil)[:8])
	return m, err
}

// canonical translates the members of a group read from side s.
func (m *memberMap) canonical(s Side, g *Group) *Group {
	out := &Group{Name: g.Name, Members: make([]string, 0, len(g.Members))}
	for _, id := range g.Members {
		if l, ok := m.toLink[s][id]; ok {
			out.Members = append(out.Members, l)
		} else {
			out.Members = append(out.Members, unlinkedPrefix(s)+id)
		}
	}
	slices.Sort(out.Members)
	out.Members = slices.Compact(out.Members)
	return out
}

// native translates the members of a group to be written to side s.
func (m *memberMap) native(s Side, g *Group) *Group {
	out := &Group{Name: g.Name, Members: make([]string, 0, len(g.Members))}
	for _, id := range g.Members {
		switch {
		case strings.HasPrefix(id, unlinkedPrefix(s)):
			out.Members = append(out.Members, strings.TrimPrefix(id, unlinkedPrefix(s)))
		case strings.HasPrefix(id, unlinkedPrefix(s.Other())):
			// The contact exists only on the other side: this side cannot hold it.
		default:
			if native, ok := m.fromLink[s][id]; ok {
				out.Members = append(out.Members, native)
			}
		}
	}
	slices.Sort(out.Members)
	out.Members = slices.Compact(out.Members)
	return out
}

// memberDigest is a short digest of a translated member list.
func memberDigest(g *Group) string {
	sum := sha256.Sum256([]byte(strings.Join(g.Members, "\n")))
	return hex.EncodeToString(sum[:6])
}

// storeVersion strips the member digest from a version the engine holds.
func storeVersion(v string) string {
	if i := strings.LastIndex(v, memberVersionSep); i >= 0 {
		return v[:i]
	}
	return v
}

// memberStore is a group store whose members are translated (see above).
type memberStore struct {
	st   Store
	side Side
	m    *memberMap
	mu   sync.Mutex           // guards seen
	seen map[string]seenGroup // the groups read through this store, by id
}

// seenGroup is a group as last read: its version as the engine sees it and its translated members.
type seenGroup struct {
	version string
	members []string
}

// wrapMembers wraps a group store of side s, keeping the optional interfaces it implements.
func wrapMembers(st Store, s Side, m *memberMap) Store {
	ms := &memberStore{st: st, side: s, m: m, seen: map[string]seenGroup{}}
	_, mf := st.(MarkerFinder)
	_, idl := st.(IDLister)
	switch {
	case mf && idl:
		return &memberStoreFL{memberStoreF{ms}}
	case mf:
		return &memberStoreF{ms}
	case idl:
		return &memberStoreL{ms}
	}
	return ms
}

// remote translates one remote read from the store.
func (ms *memberStore) remote(r Remote) Remote {
	if g, ok := r.Item.(*Group); ok && g != nil {
		c := ms.m.canonical(ms.side, g)
		r.Item = c
		r.Version += memberVersionSep + memberDigest(c)
		if r.ID != "" {
			ms.mu.Lock()
			ms.seen[r.ID] = seenGroup{version: r.Version, members: c.Members}
			ms.mu.Unlock()
		}
	}
	return r
}

// ownUnlinked returns the native ids of the members of group id that have no contact link and belong to this
// side, as the group holds them at version: from this run's reads when one saw that version, else from a Get. It
// fails with ErrPrecondition when the store still has that version but its members translate differently now (a
// contact link changed since the engine read the group): the store's own precondition cannot see that, and
// writing would take the new translation for agreed without merging it.
func (ms *memberStore) ownUnlinked(ctx context.Context, id, version string) ([]string, error) {
	ms.mu.Lock()
	sg, ok := ms.seen[id]
	ms.mu.Unlock()
	if !ok || sg.version != version {
		r, err := ms.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.Version != version && storeVersion(r.Version) == storeVersion(version) {
			return nil, fmt.Errorf("group %s: its members translate differently since it was read: %w", id, ErrPrecondition)
		}
		g, _ := r.Item.(*Group)
		if g == nil {
			return nil, nil
		}
		sg.members = g.Members
	}
	var own []string
	for _, m := range sg.members {
		if native, ok := strings.CutPrefix(m, unlinkedPrefix(ms.side)); ok {
			own = append(own, native)
		}
	}
	return own, nil
}

// outgoing translates an item to be written to the store.
func (ms *memberStore) outgoing(it Item) Item {
	if g, ok := it.(*Group); ok && g != nil {
		return ms.m.native(ms.side, g)
	}
	return it
}

// Changes lists the store's changes with translated members.
func (ms *memberStore) Changes(ctx context.Context, cursor string) (Page, error) {
	p, err := ms.st.Changes(ctx, cursor)
	if err != nil {
		return p, err
	}
	for i, c := range p.Changes {
		if c.Item == nil || c.Deleted || c.OutOfWindow {
			continue
		}
		r := ms.remote(Remote{ID: c.ID, Version: c.Version, Item: c.Item})
		p.Changes[i].Item, p.Changes[i].Version = r.Item, r.Version
	}
	return p, nil
}

// Get reads one group with translated members.
func (ms *memberStore) Get(ctx context.Context, id string) (Remote, error) {
	r, err := ms.st.Get(ctx, id)
	if err != nil {
		return r, err
	}
	return ms.remote(r), nil
}

// Create writes a group with native members.
func (ms *memberStore) Create(ctx context.Context, it Item, marker string) (Remote, error) {
	r, err := ms.st.Create(ctx, ms.outgoing(it), marker)
	if err != nil {
		return r, err
	}
	return ms.remote(r), nil
}

// Update writes a group with native members over the stored one, keeping the unlinked members of this side it
// holds (see above).
func (ms *memberStore) Update(ctx context.Context, id, version string, it Item) (Remote, error) {
	out := ms.outgoing(it)
	if g, ok := out.(*Group); ok && g != nil {
		own, err := ms.ownUnlinked(ctx, id, version)
		if err != nil {
			return Remote{}, err
		}
		if len(own) > 0 {
			g.Members = append(g.Members, own...)
			slices.Sort(g.Members)
			g.Members = slices.Compact(g.Members)
		}
	}
	r, err := ms.st.Update(ctx, id, storeVersion(version), out)
	if err != nil {
		return r, err
	}
	return ms.remote(r), nil
}

// Delete deletes a group.
func (ms *memberStore) Delete(ctx context.Context, id, version string) error {
	return ms.st.Delete(ctx, id, storeVersion(version))
}

// Close closes the wrapped store when it can be closed.
func (ms *memberStore) Close() error {
	if c, ok := ms.st.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// memberStoreF is a memberStore over a MarkerFinder.
type memberStoreF struct{ *memberStore }

// FindByMarker finds a group by marker, with translated members.
func (ms memberStoreF) FindByMarker(ctx context.Context, marker string) (Remote, error) {
	r, err := ms.st.(MarkerFinder).FindByMarker(ctx, marker)
	if err != nil {
		return r, err
	}
	return ms.remote(r), nil
}

// memberStoreL is a memberStore over an IDLister.
type memberStoreL struct{ *memberStore }

// ListIDs lists the store's group ids.
func (ms memberStoreL) ListIDs(ctx context.Context) ([]string, error) {
	return ms.st.(IDLister).ListIDs(ctx)
}

// memberStoreFL is a memberStore over a MarkerFinder and IDLister.
type memberStoreFL struct{ memberStoreF }

// ListIDs lists the store's group ids.
func (ms memberStoreFL) ListIDs(ctx context.Context) ([]string, error) {
	return ms.st.(IDLister).ListIDs(ctx)
}

// holds reports whether side s can hold translated member id: one of its own unlinked members, or a link with a
// contact id on s.
func (m *memberMap) holds(s Side, id string) bool {
	if strings.HasPrefix(id, unlinkedPrefix(s)) {
		return true
	}
	_, ok := m.fromLink[s][id]
	return ok
}

// mergeMemberChanges merges the "members" field of a two-way group link whose members changed on at least one side
// (ch lists each side's changed fields against its base fb; fc is the current content, which for a side that did
// not change is its base): a member stays if either side holds it now and no side removed it (held it in its base,
// translated with today's links, and holds it no longer). Each side's target becomes the merged list without the members it cannot hold (native
// would leave them out, so a write for them alone would change nothing), and "members" is taken out of ch, so the
// planner neither copies one side's list over the other's nor records a conflict. Copying a list whole would be
// wrong even when one side alone changed: the sides' lists differ by the members only one of them can hold, and
// by members linked since the other's list was read. It returns ch.
func (m *memberMap) mergeMemberChanges(fb, fc, target [2]Fields, ch [2][]string) [2][]string {
	const f = "members"
	if !slices.Contains(ch[0], f) && !slices.Contains(ch[1], f) {
		return ch
	}
	var base, cur [2][]string
	for s := range 2 {
		// A field that does not decode is left to the planner's usual handling.
		if decodeMembers(fb[s][f], &base[s]) != nil || decodeMembers(fc[s][f], &cur[s]) != nil {
			return ch
		}
	}
	removed := map[string]bool{}
	for s := SideCRM; s <= SideMailbox; s++ {
		for _, id := range base[s] {
			// A base read before the member got linked names it by its own id: compare it as it reads now, so
			// that a removal made since counts (and a member merely linked since is no removal).
			if native, ok := strings.CutPrefix(id, unlinkedPrefix(s)); ok {
				if l, ok := m.toLink[s][native]; ok {
					id = l
				}
			}
			if !slices.Contains(cur[s], id) {
				removed[id] = true
			}
		}
	}
	for s := SideCRM; s <= SideMailbox; s++ {
		var t []string
		for o := range 2 {
			for _, id := range cur[o] {
				if !removed[id] && m.holds(s, id) {
					t = append(t, id)
				}
			}
		}
		setMembers(target[s], t)
		ch[s] = slices.DeleteFunc(slices.Clone(ch[s]), func(x string) bool { return x == f })
	}
	return ch
}

// agreedWhenWritten reports whether field f of kind k, once written to one side of a link, is agreed: the value
// sent becomes the other side's base too (journal.go). A group's members are not: the merged list sent to one side
// is not what the other side holds (each side also holds members only it can hold, and the other side's write may
// not have happened yet); memberBasesAfterWrite sets their bases instead.
func agreedWhenWritten(k Kind, f string) bool { return k != KindGroup || f != "members" }

// memberBasesAfterWrite sets the "members" field of both bases of a group link after an update of side s reached
// its store, when the link's state is not simply what both sides hold now: after the first of a link's two writes
// (the second may never happen), and when recovery finds an interrupted write done. nb and no are the bases of s
// and of the other side, to be set; cur is what s holds now, other what the other side held when the write was
// planned (nil when unknown: the bases are left alone).
//
// The other side's base becomes what it held, and s's base the same list as far as s can hold it (with s's own
// unlinked members as s holds them): the next merge reads everything the write changed on s as a change of s, to
// be merged into the other side if its own write did not happen, and a member the other side removes later (even
// one it had just added) reads as removed.
func (m *memberMap) memberBasesAfterWrite(s Side, nb, no, cur, other Fields) {
	const f = "members"
	var c, o []string
	if other == nil || decodeMembers(cur[f], &c) != nil || decodeMembers(other[f], &o) != nil {
		return
	}
	var b []string
	for _, id := range o {
		if m.holds(s, id) {
			b = append(b, id)
		}
	}
	for _, id := range c {
		if strings.HasPrefix(id, unlinkedPrefix(s)) {
			b = append(b, id)
		}
	}
	setMembers(nb, b)
	setMembers(no, o)
}

// setMembers sets the "members" field of fs to the sorted, distinct ids (absent when there are none).
func setMembers(fs Fields, ids []string) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		delete(fs, "members")
	} else {
		fs["members"] = mustJSON(ids)
	}
}

// decodeMembers decodes a "members" field value; an absent field is no members.
func decodeMembers(b json.RawMessage, out *[]string) error {
	if len(b) == 0 {
		*out = nil
		return nil
	}
	return json.Unmarshal(b, out)
}
