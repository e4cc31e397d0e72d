package superoffice_test

import (
	"context"
	"errors"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

func TestCategoriesListTypesInTheLanguage(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	tests := []struct {
		name    string
		extra   map[string]any
		deleted string
		want    []engine.Category
	}{
		{name: "english", want: []engine.Category{
			{Name: "Meeting", Kind: engine.KindAppointment}, {Name: "Phone call", Kind: engine.KindAppointment},
			{Name: "Follow-up", Kind: engine.KindTask}, {Name: "Holiday", Kind: engine.KindAppointment}}},
		{name: "norwegian", extra: map[string]any{"language": "no"}, want: []engine.Category{
			{Name: "Møte", Kind: engine.KindAppointment}, {Name: "Telefon", Kind: engine.KindAppointment},
			{Name: "Oppfølging", Kind: engine.KindTask}, {Name: "Ferie", Kind: engine.KindAppointment}}},
	}
	for _, tc := range tests {
		c := tn.connector(t, tc.extra)
		var v engine.Vocabulary = c
		got, err := v.Categories(context.Background(), engine.Account{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: [%d] = %+v, want %+v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

func TestCategoriesLeaveOutDeletedTypes(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	if !tn.fake.DeleteTaskType("Phone call") {
		t.Fatal("the fake has no Phone call type")
	}
	got, err := tn.connector(t, nil).Categories(context.Background(), engine.Account{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if c.Name == "Phone call" {
			t.Errorf("a deleted type is listed: %v", got)
		}
	}
	if len(got) != 3 {
		t.Errorf("got %d types, want 3: %v", len(got), got)
	}
}

func TestCategoriesReportAuthFailure(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	tn.secrets.m = map[string][]byte{}
	c := tn.connector(t, nil)
	_, err := c.Categories(context.Background(), engine.Account{})
	if !errors.Is(err, engine.ErrAuth) {
		t.Fatalf("listing without credentials: got %v, want ErrAuth", err)
	}
}
