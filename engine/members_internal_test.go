package engine

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestMemberMapTranslation(t *testing.T) {
	m := &memberMap{
		toLink:   [2]map[string]string{{"p1": "L1", "p2": "L2"}, {"c1": "L1", "c3": "L3"}},
		fromLink: [2]map[string]string{{"L1": "p1", "L2": "p2"}, {"L1": "c1", "L3": "c3"}},
	}
	for _, tc := range []struct {
		name string
		side Side
		in   []string
		want []string
		f    func(Side, *Group) *Group
	}{
		{"CRM read: linked become links, others are kept by side", SideCRM, []string{"p2", "p1", "p9", "p1"}, []string{"L1", "L2", "crm:p9"}, m.canonical},
		{"mailbox read", SideMailbox, []string{"c3", "x"}, []string{"L3", "mailbox:x"}, m.canonical},
		{"mailbox write: links map, own unlinked kept, other side's dropped", SideMailbox, []string{"L1", "L2", "mailbox:x", "crm:p9"}, []string{"c1", "x"}, m.native},
		{"CRM write", SideCRM, []string{"L3", "L2", "crm:p9", "mailbox:x"}, []string{"p2", "p9"}, m.native},
		{"empty", SideCRM, nil, []string{}, m.native},
	} {
		got := tc.f(tc.side, &Group{Name: "G", Members: tc.in})
		if got.Name != "G" || !slices.Equal(got.Members, tc.want) {
			t.Errorf("%s: %+v, want members %v", tc.name, got, tc.want)
		}
	}
	for v, want := range map[string]string{"etag-1": "etag-1", "etag-1#m:abc": "etag-1", `W/"x#m:1"#m:2`: `W/"x#m:1"`, "": ""} {
		if got := storeVersion(v); got != want {
			t.Errorf("storeVersion(%q) = %q, want %q", v, got, want)
		}
	}
}

// stubStore is a Store with optional capabilities, for wrapMembers.
type stubStore struct{ Store }
type stubMF struct{ stubStore }

func (stubMF) FindByMarker(context.Context, string) (Remote, error) { return Remote{}, ErrNotFound }

type stubIDL struct{ stubStore }

func (stubIDL) ListIDs(context.Context) ([]string, error) { return nil, nil }

type stubBoth struct{ stubMF }

func (stubBoth) ListIDs(context.Context) ([]string, error) { return nil, nil }

func TestWrapMembersKeepsCapabilities(t *testing.T) {
	m := &memberMap{}
	for _, tc := range []struct {
		st      Store
		mf, idl bool
	}{{stubStore{}, false, false}, {stubMF{}, true, false}, {stubIDL{}, false, true}, {stubBoth{}, true, true}} {
		w := wrapMembers(tc.st, SideMailbox, m)
		_, mf := w.(MarkerFinder)
		_, idl := w.(IDLister)
		if mf != tc.mf || idl != tc.idl {
			t.Errorf("%T wrapped: MarkerFinder %v IDLister %v, want %v %v", tc.st, mf, idl, tc.mf, tc.idl)
		}
	}
}

func TestMergeMemberChanges(t *testing.T) {
	m := &memberMap{
		toLink:   [2]map[string]string{{"p1": "L1", "p2": "L2", "p3": "L3"}, {"c1": "L1", "c2": "L2", "c3": "L3"}},
		fromLink: [2]map[string]string{{"L1": "p1", "L2": "p2", "L3": "p3"}, {"L1": "c1", "L2": "c2", "L3": "c3"}},
	}
	fields := func(ids ...string) Fields { return Split(&Group{Name: "G", Members: ids}) }
	for _, tc := range []struct {
		name          string
		baseC, curC   []string
		baseM, curM   []string
		wantC, wantM  []string
		changedC, chM bool
	}{
		{"both add", []string{"L1"}, []string{"L1", "L2"}, []string{"L1"}, []string{"L1", "L3"},
			[]string{"L1", "L2", "L3"}, []string{"L1", "L2", "L3"}, true, true},
		{"a removal wins over the other side's unchanged copy", []string{"L1", "L2"}, []string{"L1"}, []string{"L1", "L2"}, []string{"L1", "L2", "L3"},
			[]string{"L1", "L3"}, []string{"L1", "L3"}, true, true},
		{"linked since: the CRM's change is a translation, the mailbox's addition stays", []string{"crm:p1"}, []string{"L1"}, nil, []string{"L2"},
			[]string{"L1", "L2"}, []string{"L1", "L2"}, true, true},
		{"one side changed: the other keeps what only it can hold", []string{"L1", "crm:p9"}, []string{"L1", "crm:p9"}, []string{"L1", "mailbox:x"}, []string{"mailbox:x"},
			[]string{"crm:p9"}, []string{"mailbox:x"}, false, true},
		{"removed on the CRM after its base was read unlinked: the removal counts", []string{"crm:p3"}, nil, []string{"mailbox:x", "mailbox:c3"}, []string{"mailbox:x", "L3"},
			nil, []string{"mailbox:x"}, true, true},
		{"a member that left both sides", []string{"L1", "L2"}, []string{"L1"}, []string{"L1", "L2"}, []string{"L1"},
			[]string{"L1"}, []string{"L1"}, true, true},
	} {
		fb := [2]Fields{fields(tc.baseC...), fields(tc.baseM...)}
		fc := [2]Fields{fields(tc.curC...), fields(tc.curM...)}
		target := [2]Fields{fields(tc.curC...), fields(tc.curM...)}
		var ch [2][]string
		if tc.changedC {
			ch[0] = ChangedFields(fb[0], fc[0])
		}
		if tc.chM {
			ch[1] = ChangedFields(fb[1], fc[1])
		}
		ch = m.mergeMemberChanges(fb, fc, target, ch)
		if slices.Contains(ch[0], "members") || slices.Contains(ch[1], "members") {
			t.Errorf("%s: members left in the changed fields %v", tc.name, ch)
		}
		for s, want := range [2][]string{tc.wantC, tc.wantM} {
			g, err := Join(KindGroup, target[s])
			if err != nil {
				t.Fatal(err)
			}
			if got := g.(*Group).Members; !slices.Equal(got, want) {
				t.Errorf("%s: %s target %v, want %v", tc.name, Side(s), got, want)
			}
		}
	}
}

func TestMemberBasesAfterWrite(t *testing.T) {
	m := &memberMap{fromLink: [2]map[string]string{{"L1": "p1", "L2": "p2"}, {"L1": "c1"}}}
	fields := func(ids ...string) Fields { return Split(&Group{Name: "G", Members: ids}) }
	nb, no := fields("L1"), fields("L1")
	// The mailbox was written with the CRM's L2 (it cannot hold it: no mailbox copy) and keeps its own x; the
	// CRM held L1, L2 and its own p9 when the write was planned.
	m.memberBasesAfterWrite(SideMailbox, nb, no, fields("L1", "mailbox:x"), fields("L1", "L2", "crm:p9"))
	for _, tc := range []struct {
		name string
		f    Fields
		want []string
	}{{"written side", nb, []string{"L1", "mailbox:x"}}, {"other side", no, []string{"L1", "L2", "crm:p9"}}} {
		var got []string
		if err := decodeMembers(tc.f["members"], &got); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s base %v (%v), want %v", tc.name, got, err, tc.want)
		}
	}
}

// groupStub is a group store holding one group, for the translation precondition.
type groupStub struct {
	stubStore
	r       Remote
	updates int
}

func (g *groupStub) Get(context.Context, string) (Remote, error) { return g.r, nil }
func (g *groupStub) Update(_ context.Context, id, _ string, it Item) (Remote, error) {
	g.updates++
	return Remote{ID: id, Version: "v2", Item: it}, nil
}

func TestMemberUpdateFailsWhenTheTranslationChanged(t *testing.T) {
	st := &groupStub{r: Remote{ID: "g", Version: "v1", Item: &Group{Name: "G", Members: []string{"p1"}}}}
	before := &memberMap{toLink: [2]map[string]string{{}, {}}, fromLink: [2]map[string]string{{}, {}}}
	read := wrapMembers(st, SideCRM, before)
	r, err := read.Get(context.Background(), "g")
	if err != nil {
		t.Fatal(err)
	}
	// p1 gets linked before the write: the store's version is still v1, the translation is not.
	after := &memberMap{toLink: [2]map[string]string{{"p1": "L1"}, {"c1": "L1"}}, fromLink: [2]map[string]string{{"L1": "p1"}, {"L1": "c1"}}}
	write := wrapMembers(st, SideCRM, after)
	if _, err := write.Update(context.Background(), "g", r.Version, &Group{Name: "H", Members: []string{"L1"}}); !errors.Is(err, ErrPrecondition) || st.updates != 0 {
		t.Fatalf("update over a changed translation: %v (%d updates), want ErrPrecondition and no write", err, st.updates)
	}
	r, err = write.Get(context.Background(), "g")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := write.Update(context.Background(), "g", r.Version, &Group{Name: "H", Members: []string{"L1"}}); err != nil || st.updates != 1 {
		t.Fatalf("update at the current translation: %v (%d updates)", err, st.updates)
	}
}
