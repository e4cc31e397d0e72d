package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// propSet is the property set GUID of Synchronizer's single-value extended properties.
const propSet = "{66f5a359-4659-4830-9070-00047ec6ac6e}"

// Extended property ids.
const (
	markerProp = "String " + propSet + " Name SynchronizerMarker"
	linksProp  = "String " + propSet + " Name SynchronizerLinks"
	// tzProp keeps the IANA zone we wrote: Exchange stores Windows zones, which map several IANA zones to one.
	tzProp = "String " + propSet + " Name SynchronizerTimeZone"
)

// adapter maps one kind between Graph JSON and the canonical model.
type adapter interface {
	// decode maps one Graph object. seriesMaster is set for event occurrences and exceptions: the change is the
	// master's (the engine re-reads it). out is set when the object is outside the store's selection.
	decode(s *Store, raw json.RawMessage) (r engine.Remote, seriesMaster string, out bool, err error)
	// encode maps an item to the JSON body of a create (marker set) or an update.
	encode(s *Store, it engine.Item, marker string) (map[string]any, error)
	// deltaURL is the first URL of a full delta listing.
	deltaURL(s *Store) string
	// getQuery is the query string of a GET of one item.
	getQuery() string
	// markerInFilter says whether the marker can be found with a $filter on the extended property.
	markerInFilter() bool
}

// Store is one kind of one mailbox. It implements engine.Store, engine.MarkerFinder and engine.Batcher.
type Store struct {
	c     *Connector
	user  string
	scope engine.Scope
	coll  string // the collection path: /users/{id}/events, .../contactFolders/{id}/contacts, .../todo/lists/{id}/tasks
	ad    adapter
}

var (
	_ engine.Store        = (*Store)(nil)
	_ engine.MarkerFinder = (*Store)(nil)
	_ engine.Batcher      = (*Store)(nil)
)

func (s *Store) header() map[string]string {
	return map[string]string{"Prefer": `IdType="ImmutableId", outlook.timezone="UTC", outlook.body-content-type="text", odata.maxpagesize=` + strconv.Itoa(s.c.set.PageSize)}
}

type odataPage struct {
	Value     []json.RawMessage `json:"value"`
	NextLink  string            `json:"@odata.nextLink"`
	DeltaLink string            `json:"@odata.deltaLink"`
}

type removedProbe struct {
	ID      string `json:"id"`
	Removed *struct {
		Reason string `json:"reason"`
	} `json:"@removed"`
}

// Changes lists one page of the delta listing: cursor is a nextLink or deltaLink, empty for a full listing.
// Expired delta tokens (410, syncStateNotFound) give engine.ErrCursorExpired.
func (s *Store) Changes(ctx context.Context, cursor string) (engine.Page, error) {
	target := cursor
	if target == "" {
		target = s.ad.deltaURL(s)
	} else if !strings.HasPrefix(target, s.c.graph+"/") {
		return engine.Page{}, fmt.Errorf("%w: the cursor is not a delta link of %s", engine.ErrCursorExpired, s.c.graph)
	}
	var page odataPage
	if err := s.c.call(ctx, request{method: "GET", path: target, header: s.header(), user: s.user}, &page); err != nil {
		return engine.Page{}, err
	}
	out := engine.Page{Complete: true}
	seenMaster := map[string]bool{}
	for i, raw := range page.Value {
		var probe removedProbe
		if err := json.Unmarshal(raw, &probe); err != nil {
			return engine.Page{}, fmt.Errorf("msgraph: delta entry %d: %w", i, err)
		}
		if probe.Removed != nil && probe.Removed.Reason != "changed" && s.scope.Kind == engine.KindAppointment && cursor != "" {
			// calendarView reports a deleted series (or a cancelled occurrence) only by its occurrences' ids,
			// which name no series master. A full listing finds the deleted masters by reconciliation.
			return engine.Page{}, fmt.Errorf("%w: a removal in the calendar view may belong to a series; relisting", engine.ErrCursorExpired)
		}
		if probe.Removed != nil {
			out.Changes = append(out.Changes, engine.Change{ID: probe.ID, Deleted: probe.Removed.Reason != "changed", OutOfWindow: probe.Removed.Reason == "changed"})
			continue
		}
		r, master, outside, err := s.ad.decode(s, raw)
		switch {
		case master != "":
			if !seenMaster[master] {
				seenMaster[master] = true
				out.Changes = append(out.Changes, engine.Change{ID: master})
			}
			continue
		case err != nil:
			// Content the mapping cannot read: report the id without content, so the engine's Get quarantines it.
			out.Changes = append(out.Changes, engine.Change{ID: probe.ID})
			continue
		case outside:
			out.Changes = append(out.Changes, engine.Change{ID: r.ID, Version: r.Version, OutOfWindow: true})
			continue
		}
		// Delta entries lack the extended properties and linked resources (Graph expands neither in delta
		// queries), so the content is incomplete: report the version only. The engine skips versions it already
		// knows (our own writes) and calls Get, which expands them, for the rest.
		out.Changes = append(out.Changes, engine.Change{ID: r.ID, Version: r.Version, Marker: r.Marker})
	}
	switch {
	case page.NextLink != "":
		out.Next, out.More = page.NextLink, true
	case page.DeltaLink != "":
		out.Next = page.DeltaLink
	default:
		return engine.Page{}, errors.New("msgraph: a delta page carries neither @odata.nextLink nor @odata.deltaLink")
	}
	return out, nil
}

func (s *Store) itemPath(id string) string {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return ""
	}
	return s.coll + "/" + url.PathEscape(id)
}

// Get reads one item.
func (s *Store) Get(ctx context.Context, id string) (engine.Remote, error) {
	p := s.itemPath(id)
	if p == "" {
		return engine.Remote{}, fmt.Errorf("msgraph: bad id %q: %w", id, engine.ErrNotFound)
	}
	resp, err := s.c.do(ctx, request{method: "GET", path: p + s.ad.getQuery(), header: s.header(), user: s.user})
	if err != nil {
		return engine.Remote{}, err
	}
	r, _, outside, err := s.ad.decode(s, resp.Body)
	if err != nil {
		var ie *engine.ItemError
		if errors.As(err, &ie) {
			return engine.Remote{}, err
		}
		return engine.Remote{}, &engine.ItemError{ID: id, Err: err}
	}
	if a, ok := r.Item.(*engine.Appointment); ok && a.Recurrence != nil {
		var ev graphEvent
		_ = json.Unmarshal(resp.Body, &ev)
		if err := s.readExceptions(ctx, id, a, propValue(ev.Props, excProp)); err != nil {
			if strings.HasPrefix(err.Error(), "field ") {
				return engine.Remote{}, &engine.ItemError{ID: id, Field: "recurrence", Err: err}
			}
			return engine.Remote{}, err
		}
	}
	if outside {
		// A contact that lost the sync category is no longer in this store's selection.
		return engine.Remote{}, fmt.Errorf("msgraph: %s left the selection: %w", id, engine.ErrNotFound)
	}
	return r, nil
}

// Create writes a new item carrying marker and returns what Graph stored.
func (s *Store) Create(ctx context.Context, it engine.Item, marker string) (engine.Remote, error) {
	body, err := s.ad.encode(s, it, marker)
	if err != nil {
		return engine.Remote{}, err
	}
	resp, err := s.c.do(ctx, request{method: "POST", path: s.coll, body: body, header: s.header(), user: s.user})
	if err != nil {
		return engine.Remote{}, writeErr(err, "")
	}
	r, err := s.decodeWritten(resp.Body, "")
	if err != nil || !hasExceptions(it) {
		return r, err
	}
	return s.finishSeries(ctx, r, it)
}

// finishSeries writes the exceptions of a series just written as r and returns the series as Graph now holds it.
// A failure leaves the master written: the engine's next attempt updates it (the marker finds it after a crash).
func (s *Store) finishSeries(ctx context.Context, r engine.Remote, it engine.Item) (engine.Remote, error) {
	if err := s.writeExceptions(ctx, r.ID, it.(*engine.Appointment)); err != nil {
		var ie *engine.ItemError
		if errors.As(err, &ie) {
			ie.ID = r.ID
		}
		return engine.Remote{}, err
	}
	final, err := s.Get(ctx, r.ID)
	if err != nil {
		return engine.Remote{}, err
	}
	if final.Marker == "" {
		final.Marker = r.Marker
	}
	return final, nil
}

func (s *Store) decodeWritten(b []byte, id string) (engine.Remote, error) {
	r, _, _, err := s.ad.decode(s, b)
	if err != nil {
		return engine.Remote{}, fmt.Errorf("msgraph: decoding the written item %s: %w", id, err)
	}
	return r, nil
}

// writeErr turns a 400 answer to a write into an ItemError (the content was refused).
func writeErr(err error, id string) error {
	var ge *graphError
	if errors.As(err, &ge) && ge.Status == 400 {
		return &engine.ItemError{ID: id, Err: err}
	}
	return err
}

// Update writes it over item id if it still has version.
func (s *Store) Update(ctx context.Context, id, version string, it engine.Item) (engine.Remote, error) {
	p := s.itemPath(id)
	if p == "" {
		return engine.Remote{}, fmt.Errorf("msgraph: bad id %q: %w", id, engine.ErrNotFound)
	}
	body, err := s.ad.encode(s, it, "")
	if err != nil {
		var ie *engine.ItemError
		if errors.As(err, &ie) {
			ie.ID = id
		}
		return engine.Remote{}, err
	}
	if err := s.keepGroupCategories(ctx, id, body); err != nil {
		return engine.Remote{}, err
	}
	h := s.header()
	if version != "" {
		h["If-Match"] = version
	}
	resp, err := s.c.do(ctx, request{method: "PATCH", path: p, body: body, header: h, user: s.user})
	if err != nil {
		return engine.Remote{}, writeErr(err, id)
	}
	r, err := s.decodeWritten(resp.Body, id)
	if err != nil || !hasExceptions(it) {
		return r, err
	}
	return s.finishSeries(ctx, r, it)
}

// Delete deletes item id if it still has version (unconditionally when version is empty).
func (s *Store) Delete(ctx context.Context, id, version string) error {
	p := s.itemPath(id)
	if p == "" {
		return fmt.Errorf("msgraph: bad id %q: %w", id, engine.ErrNotFound)
	}
	h := map[string]string{}
	if version != "" {
		h["If-Match"] = version
	}
	_, err := s.c.do(ctx, request{method: "DELETE", path: p, header: h, user: s.user})
	return err
}

// FindByMarker finds the item created with marker.
func (s *Store) FindByMarker(ctx context.Context, marker string) (engine.Remote, error) {
	if marker == "" || strings.ContainsAny(marker, "'\"") {
		return engine.Remote{}, fmt.Errorf("msgraph: bad marker %q: %w", marker, engine.ErrNotFound)
	}
	next := s.coll + s.ad.getQuery()
	if s.ad.markerInFilter() {
		q := url.Values{"$filter": {"singleValueExtendedProperties/Any(ep: ep/id eq '" + markerProp + "' and ep/value eq '" + marker + "')"}}
		next = s.coll + "?" + q.Encode() + "&" + strings.TrimPrefix(s.ad.getQuery(), "?")
	}
	for next != "" {
		var page odataPage
		if err := s.c.call(ctx, request{method: "GET", path: next, header: s.header(), user: s.user}, &page); err != nil {
			return engine.Remote{}, err
		}
		for _, raw := range page.Value {
			r, _, _, err := s.ad.decode(s, raw)
			if err == nil && r.Marker == marker {
				return r, nil
			}
		}
		next = page.NextLink
	}
	return engine.Remote{}, fmt.Errorf("msgraph: marker %s: %w", marker, engine.ErrNotFound)
}

// MaxBatch is Graph's $batch limit.
func (s *Store) MaxBatch() int { return 20 }

type batchPart struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}

type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Batch sends up to 20 writes in one $batch. Ops whose content cannot be encoded fail alone; a part Graph
// throttled fails with *engine.RetryAfterError (and is reported to the governor).
func (s *Store) Batch(ctx context.Context, ops []engine.Op) ([]engine.OpResult, error) {
	if len(ops) > s.MaxBatch() {
		return nil, fmt.Errorf("msgraph: a batch of %d ops exceeds %d", len(ops), s.MaxBatch())
	}
	res := make([]engine.OpResult, len(ops))
	var parts []batchPart
	idx := map[string]int{}
	for i, op := range ops {
		p := batchPart{ID: strconv.Itoa(i + 1), Headers: map[string]string{}}
		for k, v := range s.header() {
			p.Headers[k] = v
		}
		if (op.Action == engine.ActionCreate || op.Action == engine.ActionUpdate) && hasExceptions(op.Item) {
			// Exceptions are written per instance after the master: not in the batch.
			if op.Action == engine.ActionCreate {
				res[i].Remote, res[i].Err = s.Create(ctx, op.Item, op.Marker)
			} else {
				res[i].Remote, res[i].Err = s.Update(ctx, op.ID, op.Version, op.Item)
			}
			continue
		}
		switch op.Action {
		case engine.ActionCreate, engine.ActionUpdate:
			body, err := s.ad.encode(s, op.Item, op.Marker)
			if err != nil {
				res[i].Err = err
				continue
			}
			p.Body, p.Headers["Content-Type"] = body, "application/json"
			p.Method, p.URL = "POST", s.coll
			if op.Action == engine.ActionUpdate {
				p.Method, p.URL = "PATCH", s.itemPath(op.ID)
				if p.URL != "" {
					if err := s.keepGroupCategories(ctx, op.ID, body); err != nil {
						res[i].Err = err
						continue
					}
				}
			}
		case engine.ActionDelete:
			p.Method, p.URL = "DELETE", s.itemPath(op.ID)
		default:
			res[i].Err = fmt.Errorf("msgraph: batch op %d: unknown action %q", i, op.Action)
			continue
		}
		if p.URL == "" {
			res[i].Err = fmt.Errorf("msgraph: bad id %q: %w", op.ID, engine.ErrNotFound)
			continue
		}
		if op.Action != engine.ActionCreate && op.Version != "" {
			p.Headers["If-Match"] = op.Version
		}
		idx[p.ID] = i
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return res, nil
	}
	var answer struct {
		Responses []batchAnswer `json:"responses"`
	}
	if err := s.c.call(ctx, request{method: "POST", path: "/$batch", body: map[string]any{"requests": parts}, user: s.user, parts: len(parts)}, &answer); err != nil {
		return nil, err
	}
	got := 0
	var throttle time.Duration
	throttled := false
	for _, a := range answer.Responses {
		i, ok := idx[a.ID]
		if !ok {
			continue
		}
		got++
		op := ops[i]
		resp := &response{Status: a.Status, Body: a.Body, Header: map[string][]string{}}
		for k, v := range a.Headers {
			resp.Header.Set(k, v)
		}
		part := parts[0]
		for _, q := range parts {
			if q.ID == a.ID {
				part = q
			}
		}
		if err := s.c.statusError(part.Method, s.c.graph+"/v1.0"+part.URL, resp); err != nil {
			var ra *engine.RetryAfterError
			if errors.As(err, &ra) {
				throttled = true
				throttle = max(throttle, ra.Wait)
			}
			if op.Action == engine.ActionDelete && errors.Is(err, engine.ErrNotFound) {
				continue // already gone
			}
			res[i].Err = writeErr(err, op.ID)
			continue
		}
		if op.Action == engine.ActionDelete {
			continue
		}
		r, err := s.decodeWritten(a.Body, op.ID)
		res[i] = engine.OpResult{Remote: r, Err: err}
	}
	if got != len(parts) {
		return nil, fmt.Errorf("msgraph: $batch answered %d of %d requests", got, len(parts))
	}
	if throttled {
		// Tell the governor: the mailbox is held back for the wait Graph asked for.
		if p, err := s.c.gov.Acquire(ctx, s.c.scopes(s.user)...); err == nil {
			p.Done(engine.Outcome{Status: 429, RetryAfter: throttle, Err: &engine.RetryAfterError{Wait: throttle, Err: errors.New("throttled inside $batch")}})
		}
	}
	return res, nil
}

// window returns the calendarView window of the store: the scope's window, or one year back and two ahead when
// unbounded (calendarView needs both ends).
func (s *Store) window() (time.Time, time.Time) {
	from, to := s.scope.Window.From, s.scope.Window.To
	now := s.c.now().UTC()
	if from.IsZero() {
		from = now.AddDate(-1, 0, 0)
	}
	if to.IsZero() {
		to = now.AddDate(2, 0, 0)
	}
	return from.UTC(), to.UTC()
}
