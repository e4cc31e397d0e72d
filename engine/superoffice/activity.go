package superoffice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// ActivityStore is one associate's diary (KindAppointment) or checklist (KindTask).
//
// Ids: a single appointment or task is its AppointmentId ("1234"); a recurring series, whose occurrences are
// separate rows sharing a recurrence rule, is "s" + RecurrenceId ("s5678"). Versions: a row's UpdatedDate; a
// series' latest UpdatedDate and its row count ("2026-11-21T10:00:00#12"), so a deleted occurrence changes it.
// Cursors: "" for a full listing, "wm:<RFC 3339>" for the watermark of an incremental one.
type ActivityStore struct {
	c     *Connector
	scope engine.Scope
	assoc int32
}

var (
	_ engine.Store        = (*ActivityStore)(nil)
	_ engine.MarkerFinder = (*ActivityStore)(nil)
	_ engine.IDLister     = (*ActivityStore)(nil)
)

func (s *ActivityStore) checklist() bool { return s.scope.Kind == engine.KindTask }

func (s *ActivityStore) key() string {
	return s.scope.Account.ID + "/" + string(s.scope.Kind)
}

// rawType is the archive's rawType: 1 diary, 2 checklist.
func (s *ActivityStore) rawType() int32 {
	if s.checklist() {
		return 2
	}
	return 1
}

// listing is one archive row.
type listing struct {
	id, rid, rawType int32
	updated          time.Time
}

func (s *ActivityStore) query(extra ...string) url.Values {
	f := []string{"associateId eq " + strconv.Itoa(int(s.assoc))}
	f = append(f, extra...)
	return url.Values{"$select": {"appointmentId,updatedDate,recurrenceRuleId,rawType"}, "$filter": {strings.Join(f, " and ")},
		"$orderBy": {"appointmentId"}, "$top": {strconv.Itoa(s.c.set.PageSize)}}
}

func (s *ActivityStore) windowFilter() []string {
	var f []string
	if !s.scope.Window.From.IsZero() {
		f = append(f, "endDate ge '"+FormatTime(s.scope.Window.From, time.UTC)+"'")
	}
	if !s.scope.Window.To.IsZero() {
		f = append(f, "date lt '"+FormatTime(s.scope.Window.To, time.UTC)+"'")
	}
	return f
}

func (s *ActivityStore) list(ctx context.Context, q url.Values, fn func([]listing) error) error {
	_, err := s.listDated(ctx, q, fn)
	return err
}

// listDated is list that also returns the server's clock when the listing started.
func (s *ActivityStore) listDated(ctx context.Context, q url.Values, fn func([]listing) error) (time.Time, error) {
	return s.c.cl.archiveDated(ctx, "Appointment", q, func(rows []map[string]any) error {
		out := make([]listing, 0, len(rows))
		for _, r := range rows {
			var l listing
			var err error
			if l.id, err = intOf(r, "appointmentId"); err != nil {
				return err
			}
			l.rid, _ = intOf(r, "recurrenceRuleId")
			l.rawType, _ = intOf(r, "rawType")
			if l.rawType != 0 && l.rawType != s.rawType() {
				continue
			}
			if l.updated, err = ParseTime(strOf(r, "updatedDate"), time.UTC); err != nil {
				return fmt.Errorf("superoffice: archive updatedDate: %w", err)
			}
			s.c.noteSeries(l.id, l.rid)
			out = append(out, l)
		}
		return fn(out)
	})
}

// Changes lists the associate's rows: all of them (within the window) for an empty cursor, else those updated
// after the watermark minus the overlap, plus the deletions webhooks reported.
func (s *ActivityStore) Changes(ctx context.Context, cursor string) (engine.Page, error) {
	full := cursor == ""
	var since time.Time
	if !full {
		wm, ok := strings.CutPrefix(cursor, "wm:")
		t, err := time.Parse(time.RFC3339, wm)
		if !ok || err != nil {
			return engine.Page{}, fmt.Errorf("%w: cursor %q is not a SuperOffice watermark", engine.ErrCursorExpired, cursor)
		}
		since = t
	}
	var q url.Values
	if full {
		q = s.query(s.windowFilter()...)
	} else {
		q = s.query("updatedDate after '" + FormatTime(since.Add(-time.Duration(s.c.set.OverlapSeconds)*time.Second), time.UTC) + "'")
		q.Set("$orderBy", "updatedDate")
	}
	var singles []int32
	seenRule := map[int32]bool{}
	var rules []int32
	wm := since
	serverNow, err := s.listDated(ctx, q, func(ls []listing) error {
		for _, l := range ls {
			if l.updated.After(wm) {
				wm = l.updated
			}
			if l.rid != 0 {
				if !seenRule[l.rid] {
					seenRule[l.rid] = true
					rules = append(rules, l.rid)
				}
				continue
			}
			singles = append(singles, l.id)
		}
		return nil
	})
	if err != nil {
		return engine.Page{}, err
	}
	wm = advance(wm, serverNow, s.c.set.OverlapSeconds)
	var deletedSingles []int32
	if !full {
		for _, id := range s.c.takeDeleted(s.key(), "appointment") {
			if rid := s.c.seriesOf(id); rid != 0 {
				if !seenRule[rid] {
					seenRule[rid] = true
					rules = append(rules, rid)
				}
				continue
			}
			deletedSingles = append(deletedSingles, id)
		}
	}
	if wm.IsZero() {
		wm = s.c.now().UTC().Truncate(time.Second)
	}
	page := engine.Page{Next: "wm:" + wm.UTC().Format(time.RFC3339), Complete: full}
	rows, err := s.c.fetchRows(ctx, singles)
	if err != nil {
		return engine.Page{}, err
	}
	me, _ := s.c.SystemAssociate(ctx)
	for _, e := range rows {
		if e == nil {
			continue // deleted between the listing and the read
		}
		ch, ok, err := s.change([]*AppointmentEntity{e}, me, full)
		if err != nil {
			return engine.Page{}, err
		}
		if ok {
			page.Changes = append(page.Changes, ch)
		}
	}
	for _, rid := range rules {
		rs, err := s.c.seriesRows(ctx, rid)
		if err != nil {
			return engine.Page{}, err
		}
		if len(rs) == 0 {
			if !full {
				page.Changes = append(page.Changes, engine.Change{ID: seriesID(rid), Deleted: true})
			}
			continue
		}
		ch, ok, err := s.change(rs, me, full)
		if err != nil {
			return engine.Page{}, err
		}
		if ok {
			page.Changes = append(page.Changes, ch)
		}
	}
	for _, id := range deletedSingles {
		if _, err := s.c.getRow(ctx, id); errors.Is(err, engine.ErrNotFound) {
			page.Changes = append(page.Changes, engine.Change{ID: strconv.Itoa(int(id)), Deleted: true})
		}
	}
	return page, nil
}

// advance moves a watermark up to the server's clock minus the overlap when nothing newer was listed, so that
// items changed long ago are not read again on every poll; the overlap still covers rows committed late with an
// earlier UpdatedDate. Without a server clock the watermark stays at the newest UpdatedDate seen.
func advance(wm, serverNow time.Time, overlapSeconds int) time.Time {
	if serverNow.IsZero() {
		return wm
	}
	if floor := serverNow.Add(-time.Duration(overlapSeconds) * time.Second).Truncate(time.Second); floor.After(wm) {
		return floor
	}
	return wm
}

func seriesID(rid int32) string { return "s" + strconv.Itoa(int(rid)) }

// change maps rows (one single row, or a series) to a Change; ok is false for rows of another kind or owner, and,
// in a full listing, for items outside the window.
func (s *ActivityStore) change(rows []*AppointmentEntity, me int32, full bool) (engine.Change, bool, error) {
	r, err := s.remote(rows, me)
	if err != nil {
		if isItemErr(err) && r.ID != "" {
			// An item we cannot read is listed without content: the engine's Get then gets the ItemError and
			// quarantines the item with its reason; it is never silently skipped.
			s.c.log.Warn("superoffice: unreadable item", "id", r.ID, "err", err)
			return engine.Change{ID: r.ID, Version: r.Version}, true, nil
		}
		return engine.Change{}, false, err
	}
	if r.ID == "" {
		return engine.Change{}, false, nil
	}
	if !s.inWindow(r.Item) {
		if full {
			return engine.Change{}, false, nil
		}
		return engine.Change{ID: r.ID, Version: r.Version, OutOfWindow: true}, true, nil
	}
	return engine.Change{ID: r.ID, Version: r.Version, Item: r.Item, Marker: r.Marker, Echo: r.Echo}, true, nil
}

func (s *ActivityStore) inWindow(it engine.Item) bool {
	w := s.scope.Window
	switch v := it.(type) {
	case *engine.Appointment:
		return len(engine.Occurrences(v, w.From, w.To)) > 0
	case *engine.Task:
		return (w.From.IsZero() || !v.Due.Before(w.From)) && (w.To.IsZero() || v.Due.Before(w.To))
	}
	return true
}

// remote maps rows of this store's kind and owner to a Remote; a zero Remote (empty ID) means not ours.
func (s *ActivityStore) remote(rows []*AppointmentEntity, me int32) (engine.Remote, error) {
	e := rows[0]
	isTask := e.Type == "inChecklist" || e.Type == "BookingForChecklist"
	if isTask != s.checklist() || (e.Associate != nil && e.Associate.AssociateID != s.assoc) {
		return engine.Remote{}, nil
	}
	r := engine.Remote{Marker: e.UserDefinedFields[s.c.set.MarkerUdef], Echo: me != 0}
	var latest string
	for _, row := range rows {
		if row.UpdatedDate > latest {
			latest = row.UpdatedDate
		}
		if row.UpdatedBy == nil || row.UpdatedBy.AssociateID != me {
			r.Echo = false
		}
	}
	var err error
	switch {
	case s.checklist():
		r.ID, r.Version = strconv.Itoa(int(e.AppointmentID)), e.UpdatedDate
		r.Item, err = s.c.m.task(e)
	case e.Recurrence != nil && e.Recurrence.IsRecurrence && e.Recurrence.RecurrenceID != 0:
		r.ID, r.Version = seriesID(e.Recurrence.RecurrenceID), latest+"#"+strconv.Itoa(len(rows))
		r.Item, err = s.c.m.series(rows)
	default:
		r.ID, r.Version = strconv.Itoa(int(e.AppointmentID)), e.UpdatedDate
		r.Item, err = s.c.m.appointment(e)
	}
	if err != nil {
		// The id and version stay set so a listing can report the item for the engine to quarantine.
		r.Item = nil
		return r, errItem(r.ID, err)
	}
	return r, nil
}

// versionTime reads the UpdatedDate a version carries.
func versionTime(v string) (time.Time, error) {
	v, _, _ = strings.Cut(v, "#")
	t, err := ParseTime(v, time.UTC)
	if err != nil || t.IsZero() {
		return time.Time{}, fmt.Errorf("superoffice: version %q is not an UpdatedDate", v)
	}
	return t, nil
}

func (c *Connector) getRow(ctx context.Context, id int32) (*AppointmentEntity, error) {
	var e AppointmentEntity
	if err := c.cl.do(ctx, request{method: http.MethodGet, path: "v1/Appointment/" + strconv.Itoa(int(id)), out: &e}); err != nil {
		return nil, err
	}
	if e.Recurrence != nil && e.Recurrence.IsRecurrence {
		c.noteSeries(e.AppointmentID, e.Recurrence.RecurrenceID)
	}
	return &e, nil
}

// fetchRows reads rows concurrently (the governor bounds the concurrency); a row deleted meanwhile is nil.
func (c *Connector) fetchRows(ctx context.Context, ids []int32) ([]*AppointmentEntity, error) {
	out := make([]*AppointmentEntity, len(ids))
	errs := make([]error, len(ids))
	workers := min(c.set.MaxInFlight, len(ids))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				e, err := c.getRow(ctx, ids[i])
				if errors.Is(err, engine.ErrNotFound) {
					continue
				}
				out[i], errs[i] = e, err
			}
		}()
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// seriesRows reads every row of a recurrence rule, sorted by start.
func (c *Connector) seriesRows(ctx context.Context, rid int32) ([]*AppointmentEntity, error) {
	var ids []int32
	q := url.Values{"$select": {"appointmentId"}, "$filter": {"recurrenceRuleId eq " + strconv.Itoa(int(rid))},
		"$orderBy": {"date"}, "$top": {"1000"}}
	if err := c.cl.archive(ctx, "Appointment", q, func(rows []map[string]any) error {
		for _, r := range rows {
			id, err := intOf(r, "appointmentId")
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err := c.fetchRows(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		if r != nil {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartDate < out[j].StartDate })
	return out, nil
}

// Get reads one item.
func (s *ActivityStore) Get(ctx context.Context, id string) (engine.Remote, error) {
	rows, err := s.rows(ctx, id)
	if err != nil {
		return engine.Remote{}, err
	}
	me, _ := s.c.SystemAssociate(ctx)
	r, err := s.remote(rows, me)
	if err != nil {
		return engine.Remote{}, err
	}
	if r.ID == "" {
		return engine.Remote{}, fmt.Errorf("%w: %s is not in this %s", engine.ErrNotFound, id, s.scope.Kind)
	}
	return r, nil
}

func (s *ActivityStore) rows(ctx context.Context, id string) ([]*AppointmentEntity, error) {
	if rest, ok := strings.CutPrefix(id, "s"); ok {
		rid, err := strconv.ParseInt(rest, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: bad id %q", engine.ErrNotFound, id)
		}
		rows, err := s.c.seriesRows(ctx, int32(rid))
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("%w: series %s", engine.ErrNotFound, id)
		}
		return rows, nil
	}
	n, err := strconv.ParseInt(id, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: bad id %q", engine.ErrNotFound, id)
	}
	e, err := s.c.getRow(ctx, int32(n))
	if err != nil {
		return nil, err
	}
	return []*AppointmentEntity{e}, nil
}

// horizon ends series without COUNT or UNTIL: the window's end, or two years ahead.
func (s *ActivityStore) horizon() time.Time {
	if !s.scope.Window.To.IsZero() {
		return s.scope.Window.To
	}
	return s.c.now().AddDate(2, 0, 0)
}

// entity builds the carrier for item on top of base (the stored row, or nil for a new one).
func (s *ActivityStore) entity(item engine.Item, base *AppointmentEntity) (*AppointmentEntity, error) {
	e := &AppointmentEntity{Associate: &Associate{AssociateID: s.assoc}}
	if base != nil {
		cp := *base
		e = &cp
	}
	switch v := item.(type) {
	case *engine.Appointment:
		if s.checklist() {
			return nil, &engine.ItemError{Field: "kind", Err: errors.New("an appointment in a task store")}
		}
		if err := s.c.m.toEntity(v, e); err != nil {
			return nil, err
		}
	case *engine.Task:
		if !s.checklist() {
			return nil, &engine.ItemError{Field: "kind", Err: errors.New("a task in an appointment store")}
		}
		if err := s.c.m.taskToEntity(v, e); err != nil {
			return nil, err
		}
	default:
		return nil, &engine.ItemError{Field: "kind", Err: fmt.Errorf("unexpected %T", item)}
	}
	return e, nil
}

// inZone rewrites e's date-times from UTC to loc (the zone a series is expanded in).
func inZone(e *AppointmentEntity, loc *time.Location) {
	for _, p := range []*string{&e.StartDate, &e.EndDate} {
		if t, err := ParseTime(*p, time.UTC); err == nil && !t.IsZero() {
			*p = FormatTime(t, loc)
		}
	}
}

// Create writes a new item with the marker in the configured user-defined field.
func (s *ActivityStore) Create(ctx context.Context, item engine.Item, marker string) (engine.Remote, error) {
	e, err := s.entity(item, nil)
	if err != nil {
		return engine.Remote{}, err
	}
	e.UserDefinedFields = map[string]string{s.c.set.MarkerUdef: marker}
	a, _ := item.(*engine.Appointment)
	if a == nil || a.Recurrence == nil {
		var out AppointmentEntity
		if err := s.c.cl.do(ctx, request{method: http.MethodPost, path: "v1/Appointment", body: e, out: &out}); err != nil {
			return engine.Remote{}, err
		}
		me, _ := s.c.SystemAssociate(ctx)
		return s.remote([]*AppointmentEntity{&out}, me)
	}
	info, err := s.c.m.recurrenceInfo(a, s.horizon())
	if err != nil {
		return engine.Remote{}, err
	}
	e.Recurrence = info
	inZone(e, s.c.m.zone)
	var out AppointmentEntity
	if err := s.c.cl.do(ctx, request{method: http.MethodPost, path: "v1/Appointment", body: e, out: &out,
		zone: s.c.set.TimeZone}); err != nil {
		return engine.Remote{}, err
	}
	if out.Recurrence == nil || out.Recurrence.RecurrenceID == 0 {
		return engine.Remote{}, errors.New("superoffice: the created series has no RecurrenceId")
	}
	id := seriesID(out.Recurrence.RecurrenceID)
	if err := s.reconcile(ctx, id, a); err != nil {
		return engine.Remote{}, err
	}
	return s.Get(ctx, id)
}

// reconcile makes the rows of series id match every occurrence of a: it moves, rewrites and deletes rows so that
// overrides, exclusions and wall-clock times in a's own zone hold exactly, whatever zone SuperOffice expanded the
// pattern in.
func (s *ActivityStore) reconcile(ctx context.Context, id string, a *engine.Appointment) error {
	rows, err := s.rows(ctx, id)
	if err != nil {
		return err
	}
	want := engine.Occurrences(a, time.Time{}, time.Time{})
	used := make([]bool, len(want))
	pair := make([]int, len(rows))
	for i := range pair {
		pair[i] = -1
	}
	starts := make([]time.Time, len(rows))
	for i, r := range rows {
		starts[i], _ = ParseTime(r.StartDate, time.UTC)
	}
	// Exact matches first (by original start, then by actual start), then nearest by time.
	for pass := 0; pass < 3; pass++ {
		for i := range rows {
			if pair[i] >= 0 {
				continue
			}
			bestJ, bestD := -1, time.Duration(1<<62)
			for j, w := range want {
				if used[j] {
					continue
				}
				var d time.Duration
				switch pass {
				case 0:
					if !w.OriginalStart.Equal(starts[i]) {
						continue
					}
				case 1:
					if !w.Start.Equal(starts[i]) {
						continue
					}
				default:
					d = w.OriginalStart.Sub(starts[i]).Abs()
				}
				if d < bestD {
					bestJ, bestD = j, d
				}
			}
			if bestJ >= 0 {
				pair[i], used[bestJ] = bestJ, true
			}
		}
	}
	for j := range want {
		if !used[j] {
			return &engine.ItemError{Field: "recurrence", Err: fmt.Errorf("the occurrence at %s cannot be added to a SuperOffice series",
				want[j].OriginalStart.Format(time.RFC3339))}
		}
	}
	master := *a
	master.Recurrence = nil
	for i, r := range rows {
		if pair[i] < 0 {
			if err := s.c.deleteRow(ctx, r, false); err != nil {
				return err
			}
			continue
		}
		w := want[pair[i]]
		desired := master
		if w.Override != nil {
			desired = *w.Override
		}
		desired.Start, desired.End = w.Start, w.End
		desired.Recurrence = nil
		have, err := s.c.m.appointment(r)
		if err != nil {
			return errItem(id, err)
		}
		if contentKey(have) == contentKey(&desired) && have.Start.Equal(desired.Start) && have.End.Equal(desired.End) {
			continue
		}
		e := *r
		if err := s.c.m.toEntity(&desired, &e); err != nil {
			return err
		}
		upd, _ := ParseTime(r.UpdatedDate, time.UTC)
		if err := s.c.cl.do(ctx, request{method: http.MethodPut, path: "v1/Appointment/" + strconv.Itoa(int(r.AppointmentID)),
			body: &e, ifUnmod: upd}); err != nil {
			return err
		}
	}
	return nil
}

// deleteRow deletes one row, conditionally on the UpdatedDate it was read with unless unconditional.
func (c *Connector) deleteRow(ctx context.Context, r *AppointmentEntity, unconditional bool) error {
	req := request{method: http.MethodDelete, path: "v1/Appointment/" + strconv.Itoa(int(r.AppointmentID))}
	if !unconditional {
		req.ifUnmod, _ = ParseTime(r.UpdatedDate, time.UTC)
	}
	err := c.cl.do(ctx, req)
	if errors.Is(err, engine.ErrNotFound) {
		return nil
	}
	return err
}

// Update writes item over id if it still has version.
func (s *ActivityStore) Update(ctx context.Context, id, version string, item engine.Item) (engine.Remote, error) {
	ifUnmod, err := versionTime(version)
	if err != nil {
		return engine.Remote{}, err
	}
	rows, err := s.rows(ctx, id)
	if err != nil {
		return engine.Remote{}, err
	}
	me, _ := s.c.SystemAssociate(ctx)
	cur, err := s.remote(rows, me)
	if err != nil && !isItemErr(err) {
		return engine.Remote{}, err
	}
	if cur.Version != version && cur.ID != "" {
		return engine.Remote{}, fmt.Errorf("%w: %s is at %s, not %s", engine.ErrPrecondition, id, cur.Version, version)
	}
	a, _ := item.(*engine.Appointment)
	isSeries := strings.HasPrefix(id, "s")
	if !isSeries {
		if a != nil && a.Recurrence != nil {
			return engine.Remote{}, &engine.ItemError{ID: id, Field: "recurrence",
				Err: errors.New("SuperOffice cannot turn a single appointment into a series; delete it and create the series")}
		}
		e, err := s.entity(item, rows[0])
		if err != nil {
			return engine.Remote{}, errItem(id, err)
		}
		var out AppointmentEntity
		if err := s.c.cl.do(ctx, request{method: http.MethodPut, path: "v1/Appointment/" + id, body: e, out: &out, ifUnmod: ifUnmod}); err != nil {
			return engine.Remote{}, err
		}
		return s.remote([]*AppointmentEntity{&out}, me)
	}
	if a == nil || a.Recurrence == nil {
		return engine.Remote{}, &engine.ItemError{ID: id, Field: "recurrence",
			Err: errors.New("SuperOffice cannot turn a series into a single appointment; delete it and create the appointment")}
	}
	info, err := s.c.m.recurrenceInfo(a, s.horizon())
	if err != nil {
		return engine.Remote{}, errItem(id, err)
	}
	old := *rows[0].Recurrence
	info.RecurrenceID = old.RecurrenceID
	ni, oi := *info, old
	ni.Dates, oi.Dates, ni.StartDate, oi.StartDate = nil, nil, "", ""
	jn, _ := json.Marshal(ni)
	jo, _ := json.Marshal(oi)
	if string(jn) != string(jo) || info.StartDate != old.StartDate {
		// The pattern changed: SuperOffice re-materializes the series from the row we PUT.
		base := *rows[0]
		master := *a
		master.Recurrence = nil
		if err := s.c.m.toEntity(&master, &base); err != nil {
			return engine.Remote{}, errItem(id, err)
		}
		base.Recurrence = info
		inZone(&base, s.c.m.zone)
		upd, _ := ParseTime(rows[0].UpdatedDate, time.UTC)
		if err := s.c.cl.do(ctx, request{method: http.MethodPut, path: "v1/Appointment/" + strconv.Itoa(int(rows[0].AppointmentID)),
			body: &base, ifUnmod: upd, zone: s.c.set.TimeZone}); err != nil {
			return engine.Remote{}, err
		}
	}
	if err := s.reconcile(ctx, id, a); err != nil {
		return engine.Remote{}, errItem(id, err)
	}
	return s.Get(ctx, id)
}

func isItemErr(err error) bool {
	var ie *engine.ItemError
	return errors.As(err, &ie)
}

// Delete deletes id if it still has version (every row of a series); an empty version deletes unconditionally.
func (s *ActivityStore) Delete(ctx context.Context, id, version string) error {
	rows, err := s.rows(ctx, id)
	if err != nil {
		return err
	}
	if version != "" {
		me, _ := s.c.SystemAssociate(ctx)
		cur, err := s.remote(rows, me)
		if err != nil && !isItemErr(err) {
			return err
		}
		if cur.ID != "" && cur.Version != version {
			return fmt.Errorf("%w: %s is at %s, not %s", engine.ErrPrecondition, id, cur.Version, version)
		}
	}
	for _, r := range rows {
		if err := s.c.deleteRow(ctx, r, version == ""); err != nil {
			return err
		}
	}
	return nil
}

// FindByMarker finds the item created with marker by the user-defined marker field.
func (s *ActivityStore) FindByMarker(ctx context.Context, marker string) (engine.Remote, error) {
	if strings.ContainsAny(marker, "'") {
		return engine.Remote{}, fmt.Errorf("superoffice: marker %q contains a quote", marker)
	}
	q := s.query(s.c.set.MarkerUdef + " eq '" + marker + "'")
	var found *listing
	if err := s.list(ctx, q, func(ls []listing) error {
		if len(ls) > 0 && found == nil {
			l := ls[0]
			found = &l
		}
		return nil
	}); err != nil {
		return engine.Remote{}, err
	}
	if found == nil {
		return engine.Remote{}, fmt.Errorf("%w: no item with marker %s", engine.ErrNotFound, marker)
	}
	id := strconv.Itoa(int(found.id))
	if found.rid != 0 {
		id = seriesID(found.rid)
	}
	return s.Get(ctx, id)
}

// ListIDs lists every item id of the associate within the window, for reconciliation (SuperOffice keeps no
// tombstones). Series whose rows all lie outside the window are not listed.
func (s *ActivityStore) ListIDs(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	q := s.query(s.windowFilter()...)
	q.Set("$top", "1000") // ids only: large pages are cheap
	q.Set("$select", "appointmentId,recurrenceRuleId,rawType,updatedDate")
	err := s.list(ctx, q, func(ls []listing) error {
		for _, l := range ls {
			id := strconv.Itoa(int(l.id))
			if l.rid != 0 {
				id = seriesID(l.rid)
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
