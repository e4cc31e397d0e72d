package engine

import (
	"context"
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
