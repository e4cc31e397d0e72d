package msgraph_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

// TestBadContentIsAnItemError: events other clients wrote that we cannot read are listed by id (so the engine can
// quarantine them) and reading them gives an ItemError naming the field; content we cannot write is refused the
// same way, without a request.
func TestBadContentIsAnItemError(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, nil2env(), nil)
	s := openStore(t, c, engine.KindAppointment, alice)
	dt := func(d time.Time, tz string) map[string]any {
		return map[string]any{"dateTime": d.Format("2006-01-02T15:04:05.0000000"), "timeZone": tz}
	}
	cases := []struct {
		name, field string
		data        map[string]any
	}{
		{"unknown zone", "start", map[string]any{"subject": "x", "start": dt(day(2), "Mars Standard Time"), "end": dt(day(2).Add(time.Hour), "UTC")}},
		{"bad pattern", "recurrence", map[string]any{"subject": "x", "start": dt(day(2), "UTC"), "end": dt(day(2).Add(time.Hour), "UTC"),
			"recurrence": map[string]any{"pattern": map[string]any{"type": "hourly", "interval": 1}, "range": map[string]any{"type": "noEnd", "startDate": day(2).Format("2006-01-02")}}}},
	}
	for _, tc := range cases {
		id := srv.Insert(alice, "events", tc.data)
		_, err := s.Get(ctx, id)
		var ie *engine.ItemError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: want an ItemError on %s, got %v", tc.name, tc.field, err)
		}
	}
	if _, _, err := listAll(t, s, ""); err != nil {
		t.Fatalf("a listing with unreadable events failed: %v", err)
	}
	before := srv.Requests()
	for _, it := range []engine.Item{
		&engine.Appointment{Title: "bad day", Start: day(1), End: day(1).Add(time.Hour), Recurrence: &engine.Rule{Freq: engine.Weekly, ByDay: []engine.Weekday{{Day: 9}}}},
		&engine.Appointment{Title: "no email", Start: day(1), End: day(1).Add(time.Hour), Attendees: []engine.Attendee{{Name: "x"}}},
		&engine.Contact{GivenName: "wrong kind"},
		nil,
	} {
		_, err := s.Create(ctx, it, "m")
		var ie *engine.ItemError
		if !errors.As(err, &ie) {
			t.Errorf("%#v: want an ItemError, got %v", it, err)
		}
	}
	if srv.Requests() != before {
		t.Fatal("content that cannot be written reached Graph")
	}
	for _, id := range []string{"", "a/b", "x?y"} {
		if _, err := s.Get(ctx, id); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("Get(%q): %v", id, err)
		}
	}
	if _, err := s.Changes(ctx, "https://elsewhere.example.com/delta"); !errors.Is(err, engine.ErrCursorExpired) {
		t.Errorf("a foreign cursor: %v", err)
	}
}

func nil2env() engine.Env { return engine.Env{} }
