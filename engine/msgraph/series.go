package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// excProp keeps the exceptions we wrote on a series master (JSON seriesExceptions): Graph shows a series'
// exceptions only as instances, and we read instances only within the store's window, so the ones outside it come
// from here; inside it, Graph's instances are the truth.
const excProp = "String " + propSet + " Name SynchronizerExceptions"

type seriesExceptions struct {
	Excluded  []time.Time       `json:"excluded,omitempty"`
	Overrides []engine.Override `json:"overrides,omitempty"`
}

// hasExceptions reports whether a is a series with deleted or modified occurrences.
func hasExceptions(it engine.Item) bool {
	a, ok := it.(*engine.Appointment)
	return ok && a != nil && a.Recurrence != nil && (len(a.Recurrence.Excluded) > 0 || len(a.Recurrence.Overrides) > 0)
}

type instance struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	OriginalStart string `json:"originalStart"`
}

// instances lists the instances of series master id in [from, to).
func (s *Store) instances(ctx context.Context, id string, from, to time.Time) ([]json.RawMessage, error) {
	q := url.Values{"startDateTime": {from.UTC().Format(time.RFC3339)}, "endDateTime": {to.UTC().Format(time.RFC3339)}}
	next := s.itemPath(id) + "/instances?" + q.Encode()
	var out []json.RawMessage
	for next != "" {
		var page odataPage
		if err := s.c.call(ctx, request{method: "GET", path: next, header: s.header(), user: s.user}, &page); err != nil {
			return nil, fmt.Errorf("msgraph: instances of %s: %w", id, err)
		}
		out = append(out, page.Value...)
		next = page.NextLink
	}
	return out, nil
}

func sameInstant(a, b time.Time, allDay bool) bool {
	if allDay {
		return a.UTC().Format(time.DateOnly) == b.UTC().Format(time.DateOnly)
	}
	return a.Equal(b)
}

// writeExceptions cancels the excluded occurrences of series master id and rewrites the overridden ones, as
// Graph keeps them: per instance.
func (s *Store) writeExceptions(ctx context.Context, id string, a *engine.Appointment) error {
	r := a.Recurrence
	var origs []time.Time
	origs = append(origs, r.Excluded...)
	for _, o := range r.Overrides {
		origs = append(origs, o.OriginalStart)
	}
	if len(origs) == 0 {
		return nil
	}
	lo, hi := slices.MinFunc(origs, time.Time.Compare), slices.MaxFunc(origs, time.Time.Compare)
	raws, err := s.instances(ctx, id, lo.Add(-time.Minute), hi.Add(a.End.Sub(a.Start)+time.Minute))
	if err != nil {
		return err
	}
	find := func(t time.Time) (string, bool) {
		for _, raw := range raws {
			var in instance
			if json.Unmarshal(raw, &in) != nil {
				continue
			}
			if os, err := time.Parse(time.RFC3339, in.OriginalStart); err == nil && sameInstant(os, t, a.AllDay) {
				return in.ID, true
			}
		}
		return "", false
	}
	for _, t := range r.Excluded {
		iid, ok := find(t)
		if !ok {
			continue // not an occurrence of the pattern: nothing to cancel
		}
		if _, err := s.c.do(ctx, request{method: "DELETE", path: s.itemPath(iid), user: s.user}); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return fmt.Errorf("msgraph: cancelling the occurrence at %s: %w", t.Format(time.RFC3339), err)
		}
	}
	for i, o := range r.Overrides {
		if o.Item == nil {
			continue
		}
		iid, ok := find(o.OriginalStart)
		if !ok {
			return &engine.ItemError{Field: fmt.Sprintf("recurrence.overrides[%d]", i), Err: fmt.Errorf("no occurrence of the series starts at %s", o.OriginalStart.Format(time.RFC3339))}
		}
		ov := *o.Item
		ov.Recurrence = nil
		if ov.TimeZone == "" && !ov.AllDay {
			ov.TimeZone = a.TimeZone
		}
		body, err := eventAdapter{}.encode(s, &ov, "")
		if err != nil {
			var ie *engine.ItemError
			if errors.As(err, &ie) {
				ie.Field = fmt.Sprintf("recurrence.overrides[%d].%s", i, ie.Field)
			}
			return err
		}
		delete(body, "recurrence")
		delete(body, "singleValueExtendedProperties")
		if _, err := s.c.do(ctx, request{method: "PATCH", path: s.itemPath(iid), body: body, header: s.header(), user: s.user}); err != nil {
			return writeErr(fmt.Errorf("msgraph: modifying the occurrence at %s: %w", o.OriginalStart.Format(time.RFC3339), err), "")
		}
	}
	return nil
}

// readExceptions fills the exceptions of series a (master id) from Graph's instances within the store's window and
// from the copy we wrote (excProp) outside it.
func (s *Store) readExceptions(ctx context.Context, id string, a *engine.Appointment, stored string) error {
	var kept seriesExceptions
	if stored != "" {
		_ = json.Unmarshal([]byte(stored), &kept) // a damaged copy only loses exceptions outside the window
	}
	from, to := s.window()
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	r := a.Recurrence
	r.Excluded, r.Overrides = nil, nil
	for _, t := range kept.Excluded {
		if !in(t) {
			r.Excluded = append(r.Excluded, t)
		}
	}
	keptOv := map[int64]*engine.Appointment{}
	for _, o := range kept.Overrides {
		if !in(o.OriginalStart) {
			r.Overrides = append(r.Overrides, o)
		} else if o.Item != nil {
			keptOv[o.OriginalStart.UTC().Unix()] = o.Item
		}
	}
	raws, err := s.instances(ctx, id, from, to)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, raw := range raws {
		var ev graphEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		var inst instance
		_ = json.Unmarshal(raw, &inst)
		os, err := time.Parse(time.RFC3339, inst.OriginalStart)
		if err != nil {
			continue
		}
		if a.AllDay {
			os = time.Date(os.Year(), os.Month(), os.Day(), 0, 0, 0, 0, time.UTC)
		}
		seen[os.UTC().Unix()] = true
		if ev.Type != "exception" {
			continue
		}
		ex, err := eventToAppointment(&ev)
		if err != nil {
			return fmt.Errorf("field recurrence: exception at %s: %w", inst.OriginalStart, err)
		}
		ex.TimeZone = sameZone(ex.TimeZone, a.TimeZone)
		item := ex
		if k := keptOv[os.UTC().Unix()]; k != nil {
			// What we wrote, with the fields Outlook may have changed taken from Graph.
			c := *k
			c.Title, c.Body, c.Location, c.Start, c.End, c.AllDay = ex.Title, ex.Body, ex.Location, ex.Start, ex.End, ex.AllDay
			if !c.AllDay && c.TimeZone == "" {
				c.TimeZone = ex.TimeZone
			}
			item = &c
		} else {
			ex.UID, ex.Organizer, ex.Links = "", nil, nil
		}
		r.Overrides = append(r.Overrides, engine.Override{OriginalStart: os, Item: item})
	}
	bare := *a
	bare.Recurrence = &engine.Rule{}
	*bare.Recurrence = *r
	bare.Recurrence.Excluded, bare.Recurrence.Overrides = nil, nil
	for _, oc := range engine.Occurrences(&bare, from, to) {
		if !seen[oc.OriginalStart.UTC().Unix()] && in(oc.OriginalStart) {
			r.Excluded = append(r.Excluded, oc.OriginalStart)
		}
	}
	nr := engine.NormalizeRule(*r, a)
	a.Recurrence = &nr
	return nil
}
