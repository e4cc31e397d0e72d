package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/reference"
)

// TestGroupModel is the randomized model test of contact groups and their member translation (members.go). It
// shares TestModel's machinery (reference stores with random change models, random faults, crashes at a random
// commit with a restart and Recover, the -seed and -seeds flags) and runs the contacts job and the groups job in
// random order. Random scripts create and delete contacts on both sides, create, rename and delete groups on
// both sides, and add and remove members — members whose contact is not linked yet, is deleted meanwhile, or is
// never copied (the contacts' direction is one-way or off for the seed). After quiet runs it asserts: every
// group and contact is held once per side (no duplicate after a crash); both sides hold the same groups, with the
// same names and the same members through the contact links; no member is lost (one the owner added whose contact
// is alive on that side) or invented (one nobody added, or an id that is not a contact of that side); nothing is
// deleted that no user deleted; a quiet run writes nothing. Every group has an owner side for its name and one
// for its members (the other side does not edit them), so the expected outcome is known whatever the timing.
//
// Replay a seed with: go test ./engine -run TestGroupModel -seed=N -v
func TestGroupModel(t *testing.T) {
	if *seedFlag >= 0 {
		if _, err := runGroupModel(uint64(*seedFlag), *crashAtFlag, true); err != nil {
			t.Fatalf("seed %d: %v", *seedFlag, err)
		}
		return
	}
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("ENGINE_GROUP_MODEL_SEEDS")); err == nil && v > 0 {
		n = v
	}
	if *seedsFlag > 0 {
		n = *seedsFlag
	}
	if testing.Short() {
		n = 200
	}
	failed := 0
	for seed := range uint64(n) {
		if _, err := runGroupModel(seed, -1, false); err != nil {
			t.Errorf("seed %d: %v\nreplay: go test ./engine -run TestGroupModel -seed=%d -v", seed, err, seed)
			if failed++; failed >= 5 {
				t.Fatal("stopping after 5 failing seeds")
			}
		}
	}
}

var crashAtFlag = flag.Int("crashat", -1, "with -seed: crash at this commit of the seed (TestGroupModelCrashEveryCommit) instead of at random ones")

var crashSeedsFlag = flag.Int("crashseeds", 0, "number of seeds of TestGroupModelCrashEveryCommit (default 20)")

// TestGroupModelSeeds replays the seeds that found bugs in the member translation (see docs/engine.md, "Contact
// groups"): 16 (a member list copied from one side wiped the other side's unlinked members), 47 (a member added
// while the other side's members got linked was lost to the conflict policy), 316 (a member whose contact copy was
// still being made never reached the other side), 604 (a crash between a link's two writes made members the other
// side did not hold yet read as removed by it), 4548 (a write over a group whose members translated differently
// since it was read took the new translation for agreed); and seeds that broke earlier versions of those fixes:
// 2027 (a later removal of a just-added member was invisible after a recovered write), 3820 (a contact copy removed
// in a one-way profile hid a removal from the group), 14582 (after a crash between two writes neither side read as
// changed, so the second write was never made); 41492 (a member removed on one side whose base named it before it
// was linked came back from the other side, which named it by its link).
func TestGroupModelSeeds(t *testing.T) {
	for _, seed := range []uint64{16, 47, 316, 604, 2027, 3820, 4548, 14582, 41492} {
		if _, err := runGroupModel(seed, -1, false); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	}
}

// TestGroupModelCrashEveryCommit runs seeds once without crashes to count their commits, then once per commit with
// the process crashing exactly there (and restarting, recovering, going on with the script): every commit of every
// run — intents, results, link states, cursors — is a crash point. More seeds: -crashseeds=N.
func TestGroupModelCrashEveryCommit(t *testing.T) {
	n := 20
	if *crashSeedsFlag > 0 {
		n = *crashSeedsFlag
	}
	if testing.Short() {
		n = 3
	}
	runs := 0
	for seed := range uint64(n) {
		seed += 100000 // other scripts than TestGroupModel's first seeds
		w, err := runGroupModelWorld(seed, -2, false)
		if err != nil {
			t.Fatalf("seed %d without crashes: %v", seed, err)
		}
		for k := w.first; k < w.rounds; k++ {
			runs++
			if _, err := runGroupModel(seed, k, false); err != nil {
				t.Fatalf("seed %d, crash at commit %d of %d: %v\nreplay: go test ./engine -run TestGroupModel -seed=%d -crashat=%d -v", seed, k, w.rounds, err, seed, k)
			}
		}
	}
	t.Logf("%d seeds, %d crash points", n, runs)
}

// TestGroupModelReplays runs seeds twice and compares everything they did: a failing seed must replay exactly.
func TestGroupModelReplays(t *testing.T) {
	for seed := range uint64(8) {
		a, errA := runGroupModel(seed, -1, false)
		b, errB := runGroupModel(seed, -1, false)
		if (errA == nil) != (errB == nil) || a != b {
			t.Fatalf("seed %d does not replay: errors %v / %v\nfirst run:\n%s\nsecond run:\n%s", seed, errA, errB, a, b)
		}
	}
}

// gmGroup is what the users of a seed did to one group.
type gmGroup struct {
	key         string
	nameOwner   engine.Side // the only side that renames it
	memberOwner engine.Side // the only side that adds and removes members
	name        string
	members     map[string]bool // contact keys the owner (or the creator) put in
	deleted     bool
	// reached: contact keys the owner side's copy held at the end of a successful groups run. maybe: keys the
	// owner removed before they ever reached its copy: the engine never saw the owner side hold them, so the
	// removal cannot be told from a member the other side holds and the owner side did not have yet (it gets it
	// once the contact is linked). Such a key may be in the group or not.
	reached map[string]bool
	maybe   map[string]bool
}

// groupWorld is one seed's world of contacts and groups.
type groupWorld struct {
	rng      *rand.Rand
	f        *fixture
	srv      [2]*reference.Server
	acct     [2]string
	contacts engine.Direction
	cascade  [2]bool
	origin   map[string]engine.Side // contact key → the side it was created on
	cDeleted map[string]bool        // contact keys a user deleted
	known    [2]map[string]string   // every contact id seen on a side (after an edit or a sync) → its key
	groups   map[string]*gmGroup
	nextC    int
	nextG    int
	log      []string
	verbose  bool
	ids      seededReader
	// crashAt is the commit (counted over the whole seed) the process crashes at, instead of random crashes: -1
	// random crashes, -2 none (to count the commits).
	crashAt int
	kv      *groupCountingKV
	commits int    // commits made so far
	first   int    // commits made before the first round (the profile, the user)
	rounds  int    // commits made by the end of the last round (before the quiet runs)
	trace   string // the log and the final state, for the replay test
}

// groupCountingKV counts the commits that reach the MemKV.
type groupCountingKV struct {
	*engine.MemKV
	w *groupWorld
}

// Commit commits and counts.
func (c *groupCountingKV) Commit(sets map[string][]byte, dels []string) error {
	err := c.MemKV.Commit(sets, dels)
	if err == nil {
		c.w.commits++
	}
	return err
}

func (w *groupWorld) logf(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	w.log = append(w.log, s)
	if w.verbose {
		fmt.Println(s)
	}
}

// runGroupModel runs one seed (crashAt: see groupWorld); it returns the seed's log and final state (for the replay
// test) and the first broken invariant.
func runGroupModel(seed uint64, crashAt int, verbose bool) (string, error) {
	w, err := runGroupModelWorld(seed, crashAt, verbose)
	return w.trace, err
}

func runGroupModelWorld(seed uint64, crashAt int, verbose bool) (w *groupWorld, err error) {
	rng := rand.New(rand.NewPCG(seed, 0x9e0))
	models := []reference.Model{reference.Delta, reference.EWS, reference.Watermark, reference.CalDAV}
	cm, mm := models[rng.IntN(4)], models[rng.IntN(4)]
	basic := rng.IntN(4) == 0 && mm != reference.Watermark // see runModel
	broken := rng.IntN(3) == 0
	dirs := []engine.Direction{engine.DirTwoWay, engine.DirTwoWay, engine.DirTwoWay, engine.DirCRMToMailbox,
		engine.DirMailboxToCRM, engine.DirOff}
	policies := []engine.Policy{engine.PolicyCRMWins, engine.PolicyMailboxWins, engine.PolicyNewest}
	w = &groupWorld{rng: rng, crashAt: crashAt, contacts: dirs[rng.IntN(len(dirs))], origin: map[string]engine.Side{},
		cDeleted: map[string]bool{}, groups: map[string]*gmGroup{}, verbose: verbose,
		ids: seededReader{rand.New(rand.NewPCG(seed, 11))}, known: [2]map[string]string{{}, {}}}
	policy := policies[rng.IntN(len(policies))]
	w.cascade = [2]bool{rng.IntN(4) != 0, rng.IntN(2) == 0}
	f, ferr := newGroupModelFixture(w, cm, mm, basic, broken, w.contacts, policy)
	if ferr != nil {
		return w, ferr
	}
	w.f = f
	w.srv = [2]*reference.Server{f.crm, f.mbx}
	w.acct = [2]string{crmAcct, mbxAcct}
	for s := range 2 {
		w.srv[s].SetCascadeMembers(w.cascade[s])
	}
	w.logf("seed %d: crm %s, mailbox %s (basic %v, brokenSync %v), contacts %s, policy %s, cascade %v", seed, cm, mm,
		basic, broken, w.contacts, policy, w.cascade)
	defer func() {
		w.trace = strings.Join(w.log, "\n") + "\n" + w.dump()
		if err != nil && !verbose {
			err = fmt.Errorf("%w\n%s", err, w.trace)
		}
	}()

	w.first = w.commits
	rounds := 3 + rng.IntN(4)
	for r := range rounds {
		w.edits(r)
		w.faults()
		after := -1 // drawn in every mode, so the scripts are the same
		if rng.IntN(2) == 0 {
			after = rng.IntN(40)
		}
		if after >= 0 && w.crashAt == -1 {
			f.kv.SimulateCrashAfter(after)
			w.logf("round %d: crash after %d commits", r, after)
		}
		for range 1 + rng.IntN(3) {
			f.now = f.now.Add(time.Duration(1+rng.IntN(10)) * time.Minute)
			k := engine.KindGroup
			if w.contacts != engine.DirOff && rng.IntN(2) == 0 {
				k = engine.KindContact
			}
			if w.crashAt >= w.commits {
				f.kv.SimulateCrashAfter(w.crashAt - w.commits)
			}
			run, serr := w.sync(k)
			w.logf("round %d: %s sync: %v %s %+v", r, k, serr, run.Status, run.Counts)
			if f.kv.Crashed() {
				break
			}
		}
		if f.kv.Crashed() {
			w.logf("round %d: crashed at commit %d", r, w.commits)
			if w.crashAt >= 0 {
				w.crashAt = -2 // once
			}
			f.kv.Restart()
			w.restart()
		}
		f.kv.SimulateCrashAfter(-1)
	}
	w.rounds = w.commits
	// Quiet: no more faults, no more edits; contacts first, then groups, as the scheduler runs them.
	f.crm.SetFaults(nil)
	f.mbx.SetFaults(nil)
	last := -1
	for i := range 6 {
		f.now = f.now.Add(time.Minute)
		before := f.crm.Writes() + f.mbx.Writes()
		for _, k := range []engine.Kind{engine.KindContact, engine.KindGroup} {
			if k == engine.KindContact && w.contacts == engine.DirOff {
				continue
			}
			run, serr := w.sync(k)
			w.logf("quiet %d: %s sync: %v %s %+v", i, k, serr, run.Status, run.Counts)
			if serr != nil {
				return w, fmt.Errorf("quiet %s sync %d failed: %w", k, i, serr)
			}
		}
		last = f.crm.Writes() + f.mbx.Writes() - before
		w.logf("quiet %d: %d writes", i, last)
		if i >= 1 && last == 0 {
			break
		}
	}
	if last != 0 {
		return w, fmt.Errorf("quiet syncs still write (%d writes in the last round)", last)
	}
	if err := w.check(); err != nil {
		return w, fmt.Errorf("%w\n%s%s", err, w.dump(), w.traces())
	}
	return w, nil
}

// traces renders the engine's trace of every group on both sides.
func (w *groupWorld) traces() string {
	var b strings.Builder
	for s := range 2 {
		groups, _ := w.gmGroups(engine.Side(s))
		for _, k := range keysOf(groups) {
			for _, id := range groups[k] {
				tr, _ := w.f.e.Trace(id)
				fmt.Fprintf(&b, "trace of %s %s (%s):\n", engine.Side(s), id, k)
				for i := len(tr) - 1; i >= 0; i-- {
					fmt.Fprintf(&b, "  %s %s %s: %s\n", tr[i].Run, tr[i].Side, tr[i].Decision, tr[i].Reason)
				}
			}
		}
	}
	return b.String()
}

func newGroupModelFixture(w *groupWorld, cm, mm reference.Model, basic, broken bool, contacts engine.Direction, policy engine.Policy) (*fixture, error) {
	f := &fixture{kv: engine.NewMemKV(), now: time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)}
	w.kv = &groupCountingKV{MemKV: f.kv, w: w}
	clock := func() time.Time { return f.now }
	f.crm, f.mbx = reference.NewServer(clock), reference.NewServer(clock)
	f.crm.SetIDPrefix("crm-")
	f.mbx.SetIDPrefix("mbx-")
	e, err := engine.New(engine.Config{KV: w.kv, Now: clock, Rand: w.ids,
		Connectors: map[string]engine.Factory{"crm": f.crm.Factory(), "mbx": f.mbx.Factory()}})
	if err != nil {
		return nil, err
	}
	f.e = e
	ms := fmt.Sprintf(`{"model":%q,"pageSize":2,"basic":%v,"brokenSync":%v}`, mm, basic, broken)
	dirs := map[engine.Kind]engine.Direction{engine.KindGroup: engine.DirTwoWay}
	if contacts != engine.DirOff {
		dirs[engine.KindContact] = contacts
	}
	_, err = e.PutProfile(engine.Profile{ID: "p1",
		CRM:        engine.SystemRef{Type: "crm", Instance: "crm1", Settings: json.RawMessage(fmt.Sprintf(`{"model":%q,"pageSize":3}`, cm))},
		Mailbox:    engine.SystemRef{Type: "mbx", Instance: "mbx1", Settings: json.RawMessage(ms)},
		Directions: dirs, Policy: policy})
	if err != nil {
		return nil, err
	}
	_, err = e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: crmAcct}, Mailbox: engine.Account{ID: mbxAcct}})
	return f, err
}

// sync runs one job and returns its run record.
func (w *groupWorld) sync(k engine.Kind) (_ engine.Run, err error) {
	defer func() {
		for s := range 2 {
			w.gmContacts(engine.Side(s)) // learn the ids of the contacts the run created
		}
		if k == engine.KindGroup && err == nil {
			w.reached()
		}
		if w.verbose {
			fmt.Print(w.dump())
		}
	}()
	id, err := w.f.e.RunSync(context.Background(), "p1", "u1", k, "test")
	if id == "" {
		return engine.Run{}, err
	}
	r, _, rerr := w.f.e.Run(id)
	if rerr != nil && err == nil {
		err = rerr
	}
	return r, err
}

// reached records, after a successful groups run, which contacts each group's copy on its member owner's side
// holds.
func (w *groupWorld) reached() {
	var keyOf [2]map[string]string
	var groups [2]map[string][]string
	var items [2]map[string]*engine.Group
	for s := range 2 {
		_, keyOf[s] = w.gmContacts(engine.Side(s))
		groups[s], items[s] = w.gmGroups(engine.Side(s))
	}
	for _, k := range keysOf(w.groups) {
		g := w.groups[k]
		o := g.memberOwner
		for _, id := range groups[o][k] {
			for _, m := range items[o][id].Members {
				if ck := keyOf[o][m]; ck != "" {
					g.reached[ck] = true
				}
			}
		}
	}
}

// restart builds a new engine over the restarted KV, as a new process would, and recovers.
func (w *groupWorld) restart() {
	f := w.f
	e, err := engine.New(engine.Config{KV: w.kv, Now: func() time.Time { return f.now }, Rand: w.ids,
		Connectors: map[string]engine.Factory{"crm": f.crm.Factory(), "mbx": f.mbx.Factory()}})
	if err != nil {
		panic(err)
	}
	f.e = e
	w.logf("restart: recover: %v", e.Recover(context.Background()))
}

// faults installs this round's random faults on both servers (every kind) and may expire cursors.
func (w *groupWorld) faults() {
	for s := range 2 {
		r := rand.New(rand.NewPCG(w.rng.Uint64(), 1))
		p := w.rng.Float64() * 0.15
		w.srv[s].SetFaults(func(c reference.Call) reference.Fault {
			if r.Float64() >= p {
				return reference.Fault{}
			}
			switch r.IntN(6) {
			case 0:
				return reference.Fault{Before: reference.ErrTimeout}
			case 1:
				return reference.Fault{Before: &engine.RetryAfterError{Wait: time.Second, Err: errors.New("429")}}
			case 2:
				return reference.Fault{After: reference.ErrTimeout} // done, but the answer is lost
			case 3:
				return reference.Fault{Partial: true}
			case 4:
				return reference.Fault{Duplicate: true}
			}
			return reference.Fault{Before: errors.New("503 service unavailable")}
		})
		if w.rng.IntN(6) == 0 {
			k := engine.KindGroup
			if w.rng.IntN(2) == 0 {
				k = engine.KindContact
			}
			w.srv[s].ExpireCursors(w.acct[s], k)
			w.logf("%s cursors of the %s expire", k, engine.Side(s))
		}
	}
}

// gmContacts returns side s's live contacts: the ids of each key, and the key of each id.
func (w *groupWorld) gmContacts(s engine.Side) (map[string][]string, map[string]string) {
	byKey, keyOf := map[string][]string{}, map[string]string{}
	for id, it := range w.srv[s].Items(w.acct[s], engine.KindContact) {
		k := it.(*engine.Contact).GivenName
		byKey[k] = append(byKey[k], id)
		keyOf[id] = k
		w.known[s][id] = k
	}
	for _, ids := range byKey {
		slices.Sort(ids)
	}
	return byKey, keyOf
}

// gmGroups returns side s's live groups: the ids of each group key (the first word of the name), and each group.
func (w *groupWorld) gmGroups(s engine.Side) (map[string][]string, map[string]*engine.Group) {
	byKey, items := map[string][]string{}, map[string]*engine.Group{}
	for id, it := range w.srv[s].Items(w.acct[s], engine.KindGroup) {
		g := it.(*engine.Group)
		k, _, _ := strings.Cut(g.Name, " ")
		byKey[k] = append(byKey[k], id)
		items[id] = g
	}
	for _, ids := range byKey {
		slices.Sort(ids)
	}
	return byKey, items
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// edits makes this round's random user edits.
func (w *groupWorld) edits(round int) {
	rng := w.rng
	for range 1 + rng.IntN(5) {
		s := engine.Side(rng.IntN(2))
		contacts, keyOf := w.gmContacts(s)
		groups, items := w.gmGroups(s)
		ckeys, gkeys := keysOf(contacts), keysOf(groups)
		// The groups this side may edit: name or members.
		var mine []string
		for _, k := range gkeys {
			if g := w.groups[k]; g != nil && (g.nameOwner == s || g.memberOwner == s) {
				mine = append(mine, k)
			}
		}
		switch op := rng.IntN(12); {
		case op < 2 || len(ckeys) == 0:
			w.nextC++
			k := "c" + strconv.Itoa(w.nextC)
			id := w.srv[s].Put(w.acct[s], &engine.Contact{GivenName: k, FamilyName: "F" + strconv.Itoa(rng.IntN(100))})
			w.origin[k] = s
			w.logf("round %d: %s creates contact %s (%s)", round, s, k, id)
		case op == 2:
			k := ckeys[rng.IntN(len(ckeys))]
			id := contacts[k][0]
			if err := w.srv[s].Remove(w.acct[s], engine.KindContact, id); err == nil {
				w.cDeleted[k] = true
				w.logf("round %d: %s deletes contact %s (%s)", round, s, k, id)
			}
		case op < 5:
			w.nextG++
			g := &gmGroup{key: "g" + strconv.Itoa(w.nextG), nameOwner: engine.Side(rng.IntN(2)),
				memberOwner: engine.Side(rng.IntN(2)), members: map[string]bool{}, reached: map[string]bool{},
				maybe: map[string]bool{}}
			g.name = g.key
			var ids []string
			for range rng.IntN(4) {
				k := ckeys[rng.IntN(len(ckeys))]
				ids = append(ids, contacts[k][0])
				g.members[k] = true
			}
			w.groups[g.key] = g
			id := w.srv[s].Put(w.acct[s], &engine.Group{Name: g.name, Members: ids})
			w.logf("round %d: %s creates group %s (%s) members %v %v (owners: name %s, members %s)", round, s, g.key,
				id, keysOf(g.members), ids, g.nameOwner, g.memberOwner)
		case op == 5 && len(gkeys) > 0:
			k := gkeys[rng.IntN(len(gkeys))]
			id := groups[k][0]
			if err := w.srv[s].Remove(w.acct[s], engine.KindGroup, id); err == nil {
				w.groups[k].deleted = true
				w.logf("round %d: %s deletes group %s (%s)", round, s, k, id)
			}
		case len(mine) > 0:
			k := mine[rng.IntN(len(mine))]
			g, id := w.groups[k], groups[k][0]
			cur := items[id]
			var desc string
			switch {
			case g.nameOwner == s && (g.memberOwner != s || op == 6):
				g.name = fmt.Sprintf("%s r%d", k, rng.IntN(1000))
				cur.Name = g.name
				desc = "renames it " + g.name
			case op < 10 || len(cur.Members) == 0:
				ck := ckeys[rng.IntN(len(ckeys))]
				cid := contacts[ck][0]
				cur.Members = append(cur.Members, cid)
				g.members[ck] = true
				delete(g.maybe, ck)
				desc = fmt.Sprintf("adds %s (%s)", ck, cid)
			default:
				i := rng.IntN(len(cur.Members))
				cid := cur.Members[i]
				cur.Members = slices.Delete(slices.Clone(cur.Members), i, i+1)
				ck := keyOf[cid]
				if ck != "" {
					delete(g.members, ck)
					if !g.reached[ck] {
						g.maybe[ck] = true
					}
				}
				desc = fmt.Sprintf("removes %s (%s)", ck, cid)
			}
			if err := w.srv[s].Edit(w.acct[s], engine.KindGroup, id, func(engine.Item) engine.Item { return cur }); err != nil {
				w.logf("round %d: %s edit of %s failed: %v", round, s, k, err)
				continue
			}
			w.logf("round %d: %s edits group %s (%s): %s", round, s, k, id, desc)
		}
	}
}

// copied reports whether a contact created on side origin is copied to side s by the seed's contact direction.
func (w *groupWorld) copied(origin, s engine.Side) bool {
	if origin == s {
		return true
	}
	switch w.contacts {
	case engine.DirTwoWay:
		return true
	case engine.DirCRMToMailbox:
		return origin == engine.SideCRM
	case engine.DirMailboxToCRM:
		return origin == engine.SideMailbox
	}
	return false
}

// check asserts the invariants after the quiet syncs.
func (w *groupWorld) check() error {
	var contacts, groups [2]map[string][]string
	var keyOf [2]map[string]string
	var items [2]map[string]*engine.Group
	for s := range 2 {
		contacts[s], keyOf[s] = w.gmContacts(engine.Side(s))
		groups[s], items[s] = w.gmGroups(engine.Side(s))
		for _, k := range keysOf(contacts[s]) {
			if n := len(contacts[s][k]); n > 1 {
				return fmt.Errorf("duplicate: %d copies of contact %s in the %s", n, k, engine.Side(s))
			}
		}
		for _, k := range keysOf(groups[s]) {
			if n := len(groups[s][k]); n > 1 {
				return fmt.Errorf("duplicate: %d copies of group %s in the %s", n, k, engine.Side(s))
			}
			if w.groups[k] == nil {
				return fmt.Errorf("invented: group %q in the %s was never created", k, engine.Side(s))
			}
		}
	}
	for _, k := range keysOf(w.origin) {
		if w.cDeleted[k] {
			continue
		}
		for s := range 2 {
			want := w.copied(w.origin[k], engine.Side(s))
			if got := len(contacts[s][k]) == 1; got != want {
				return fmt.Errorf("contact %s (created in the %s, never deleted): in the %s %v, want %v",
					k, w.origin[k], engine.Side(s), got, want)
			}
		}
	}
	for _, k := range keysOf(w.groups) {
		g := w.groups[k]
		crmIDs, mbxIDs := groups[0][k], groups[1][k]
		if len(crmIDs) != len(mbxIDs) {
			return fmt.Errorf("not converged: group %s in the crm %v, in the mailbox %v", k, crmIDs, mbxIDs)
		}
		if len(crmIDs) == 0 {
			if !g.deleted {
				return fmt.Errorf("lost: group %s was deleted although nobody deleted it", k)
			}
			continue
		}
		gs := [2]*engine.Group{items[0][crmIDs[0]], items[1][mbxIDs[0]]}
		if gs[0].Name != gs[1].Name {
			return fmt.Errorf("not converged: group %s is named %q in the crm, %q in the mailbox", k, gs[0].Name, gs[1].Name)
		}
		if !g.deleted && gs[0].Name != g.name {
			return fmt.Errorf("lost update: group %s is named %q, want %q (renamed in the %s)", k, gs[0].Name, g.name, g.nameOwner)
		}
		// The members of each side as contact keys.
		var mem [2]map[string]bool
		for s := range 2 {
			mem[s] = map[string]bool{}
			for _, id := range gs[s].Members {
				ck, live := keyOf[s][id]
				switch {
				case live:
					mem[s][ck] = true
				case w.cDeleted[w.known[s][id]]:
					// A deleted contact. The server removed it from its groups (cascade) or kept it (a CardDAV
					// group card); a groups run on contact links that did not know of the deletion yet can also
					// have written it (a documented limit: the contacts job runs first).
				default:
					return fmt.Errorf("invented: group %s in the %s holds %q, which is no contact of that side", k, engine.Side(s), id)
				}
			}
		}
		for s := range 2 {
			for _, ck := range keysOf(mem[s]) {
				// A group deleted on one side and recreated from the other (update wins) holds what that side
				// held, which may include members the deleting side had removed before it deleted the group.
				if !g.members[ck] && !g.deleted && !g.maybe[ck] {
					return fmt.Errorf("invented: group %s in the %s holds contact %s, which nobody added (members %v)", k, engine.Side(s), ck, keysOf(g.members))
				}
				o := 1 - s
				if len(contacts[o][ck]) == 1 && !mem[o][ck] {
					return fmt.Errorf("not converged: group %s holds contact %s in the %s but not in the %s, where the contact is",
						k, ck, engine.Side(s), engine.Side(o))
				}
			}
			if g.deleted {
				continue // recreated from the other side: its members are that side's
			}
			for _, ck := range keysOf(g.members) {
				if !w.cDeleted[ck] && len(contacts[s][ck]) == 1 && !mem[s][ck] {
					return fmt.Errorf("lost: group %s in the %s does not hold contact %s (added in the %s; members %v)",
						k, engine.Side(s), ck, g.memberOwner, keysOf(mem[s]))
				}
			}
		}
	}
	return nil
}

// dump renders both sides' contacts and groups, sorted, for the log and the replay test.
func (w *groupWorld) dump() string {
	var b strings.Builder
	for s := range 2 {
		contacts, _ := w.gmContacts(engine.Side(s))
		groups, items := w.gmGroups(engine.Side(s))
		fmt.Fprintf(&b, "%s contacts:", engine.Side(s))
		for _, k := range keysOf(contacts) {
			fmt.Fprintf(&b, " %s=%v", k, contacts[k])
		}
		fmt.Fprintf(&b, "\n%s groups:\n", engine.Side(s))
		for _, k := range keysOf(groups) {
			for _, id := range groups[k] {
				fmt.Fprintf(&b, "  %s %q %v\n", id, items[id].Name, items[id].Members)
			}
		}
	}
	return b.String()
}
