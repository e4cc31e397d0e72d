package engine_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

func TestSplitJoinRoundTrip(t *testing.T) {
	t.Parallel()
	for _, it := range append(normalizationCases(t), typicalAppointment()) {
		f := engine.Split(it)
		for name := range f {
			if !slices.Contains(engine.FieldNames(it.ItemKind()), name) {
				t.Errorf("%s: Split made group %q not in FieldNames", it.ItemKind(), name)
			}
		}
		got, err := engine.Join(it.ItemKind(), f)
		if err != nil {
			t.Fatalf("Join(Split(%T)): %v", it, err)
		}
		if want := engine.Normalize(it); !reflect.DeepEqual(got, want) {
			t.Errorf("Join(Split(x)) != Normalize(x) for %s:\n got %+v\nwant %+v", it.ItemKind(), got, want)
		}
		if engine.Hash(got) != engine.Hash(it) {
			t.Errorf("%s: hash changed through Split/Join", it.ItemKind())
		}
	}
}

func TestSplitGroups(t *testing.T) {
	t.Parallel()
	f := engine.Split(typicalAppointment())
	want := []string{"attendees", "body", "categories", "links", "location", "onlineMeetingUrl", "organizer", "reminder", "title", "type", "uid", "when"}
	var got []string
	for k := range f {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v (zero groups left out)", got, want)
	}
	var when map[string]any
	if err := json.Unmarshal(f["when"], &when); err != nil || when["tz"] != "Europe/Oslo" || when["start"] != "2025-03-24T08:00:00Z" {
		t.Errorf("when = %s (%v)", f["when"], err)
	}
	if len(engine.Split(nil)) != 0 || len(engine.Split((*engine.Task)(nil))) != 0 {
		t.Error("Split of nil is not empty")
	}
}

func TestChangedFields(t *testing.T) {
	t.Parallel()
	base := typicalAppointment()
	cur := typicalAppointment()
	cur.Title = "New title"
	cur.End = cur.End.Add(30 * time.Minute)
	cur.Reminder = nil
	cur.Private = true
	cur.Attendees = append(cur.Attendees[:0:0], cur.Attendees[2], cur.Attendees[0], cur.Attendees[1]) // order only
	got := engine.ChangedFields(engine.Split(base), engine.Split(cur))
	if want := []string{"private", "reminder", "title", "when"}; !slices.Equal(got, want) {
		t.Errorf("ChangedFields = %v, want %v", got, want)
	}
	if got := engine.ChangedFields(engine.Split(base), engine.Split(typicalAppointment())); len(got) != 0 {
		t.Errorf("ChangedFields of equal items = %v", got)
	}
	if got := engine.ChangedFields(nil, engine.Fields{"title": json.RawMessage(`"x"`)}); !slices.Equal(got, []string{"title"}) {
		t.Errorf("ChangedFields(nil, title) = %v", got)
	}
}

// TestFieldMerge shows the use the planner makes of fields: changes to different groups on two sides merge.
func TestFieldMerge(t *testing.T) {
	t.Parallel()
	base := engine.Split(typicalAppointment())
	crm := typicalAppointment()
	crm.Title = "Renamed in the CRM"
	mbx := typicalAppointment()
	mbx.Location = "Room 4"
	a, b := engine.Split(crm), engine.Split(mbx)
	merged := engine.Fields{}
	for k, v := range base {
		merged[k] = v
	}
	for _, k := range engine.ChangedFields(base, a) {
		merged[k] = a[k]
	}
	for _, k := range engine.ChangedFields(base, b) {
		merged[k] = b[k]
	}
	it, err := engine.Join(engine.KindAppointment, merged)
	if err != nil {
		t.Fatal(err)
	}
	got := it.(*engine.Appointment)
	if got.Title != "Renamed in the CRM" || got.Location != "Room 4" {
		t.Errorf("merge lost an update: %q %q", got.Title, got.Location)
	}
}

func TestJoinErrors(t *testing.T) {
	t.Parallel()
	var fe *engine.FieldError
	if _, err := engine.Join(engine.KindAppointment, engine.Fields{"colour": json.RawMessage(`"red"`)}); !errors.As(err, &fe) || fe.Field != "colour" {
		t.Errorf("unknown group: %v", err)
	}
	if _, err := engine.Join(engine.KindTask, engine.Fields{"when": json.RawMessage(`{"due":"yesterday"}`)}); !errors.As(err, &fe) || fe.Field != "when" {
		t.Errorf("bad group: %v", err)
	}
	if _, err := engine.Join("folder", nil); err == nil {
		t.Error("unknown kind: no error")
	}
	it, err := engine.Join(engine.KindGroup, nil)
	if err != nil || it.(*engine.Group).Name != "" {
		t.Errorf("Join(group, nil) = %v, %v", it, err)
	}
}

// otherItem stands for a kind added later (directory users) that Split and Hash do not know field by field.
type otherItem struct{ Name string }

func (otherItem) ItemKind() engine.Kind { return "diruser" }

func TestUnknownKindStillDetectsChanges(t *testing.T) {
	t.Parallel()
	a, b := otherItem{Name: "a"}, otherItem{Name: "b"}
	if engine.Hash(a) == engine.Hash(b) {
		t.Error("items of an unknown kind hash alike")
	}
	if got := engine.ChangedFields(engine.Split(a), engine.Split(b)); !slices.Equal(got, []string{"item"}) {
		t.Errorf("ChangedFields of an unknown kind = %v", got)
	}
}
