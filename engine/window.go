package engine

import "time"

// allDaySlack widens the window for dates that float (all-day appointments, date-only tasks): such a date is the
// same calendar day in every zone, so as an instant it may begin up to 14 hours earlier (UTC+14) or end up to 12
// hours later (UTC−12) than 00:00 UTC. Counting it as in the window when it is in the window anywhere keeps an
// item at the window's edge from flapping in and out depending on whose clock is read.
const allDaySlack = 14 * time.Hour

// Contains reports whether the instant t lies in the window [From, To) (a zero bound is unbounded).
func (w Window) Contains(t time.Time) bool {
	return (w.From.IsZero() || !t.Before(w.From)) && (w.To.IsZero() || t.Before(w.To))
}

// InWindow reports whether item it touches the window w, the rule for which items a profile syncs:
//
//   - An appointment touches the window if one of its occurrences — after exclusions and overrides, so an
//     override that moves an occurrence into the window counts and a deleted occurrence does not — overlaps
//     [From, To). An endless series always has future occurrences, so it stays in any window that reaches past
//     its start; as the window rolls forward, it keeps touching it. All-day dates count if they are in the window
//     in any zone (see allDaySlack).
//   - A task is in the window when its Due (or, with no Due, its Start) lies in [From, To); a task without dates
//     is always in.
//   - Contacts and groups have no dates and are always in.
//
// A zero From or To is unbounded; a zero Window contains everything.
func InWindow(it Item, w Window) bool {
	switch v := it.(type) {
	case *Appointment:
		if v == nil {
			return false
		}
		from, to := w.From, w.To
		if v.AllDay {
			if !from.IsZero() {
				from = from.Add(-allDaySlack)
			}
			if !to.IsZero() {
				to = to.Add(allDaySlack)
			}
		}
		if v.Recurrence == nil {
			end := v.End
			if end.Before(v.Start) {
				end = v.Start
			}
			return overlaps(v.Start, end, from, to)
		}
		return anyOccurrence(v, from, to)
	case *Task:
		if v == nil {
			return false
		}
		t := v.Due
		if t.IsZero() {
			t = v.Start
		}
		if t.IsZero() {
			return true
		}
		if v.DueAllDay {
			return overlaps(t.Add(-allDaySlack), t.Add(24*time.Hour+allDaySlack), w.From, w.To)
		}
		return w.Contains(t)
	case nil:
		return false
	}
	return true
}

// anyOccurrence reports whether series a has an occurrence overlapping [from, to), stopping at the first.
func anyOccurrence(a *Appointment, from, to time.Time) bool {
	if to.IsZero() && from.IsZero() {
		return true
	}
	r := a.Recurrence
	ix := indexSeries(a)
	// Overrides can move an occurrence into the window from anywhere; check them first (cheap).
	for _, o := range r.Overrides {
		if o.Item != nil && overlaps(o.Item.Start, o.Item.End, from, to) && !ix.excluded[ix.key(o.OriginalStart)] &&
			IsOccurrence(a, o.OriginalStart) {
			return true
		}
	}
	dur := a.End.Sub(a.Start)
	if dur < 0 {
		dur = 0
	}
	lo := from
	if !lo.IsZero() {
		lo = lo.Add(-dur)
	}
	found := false
	check := func(t time.Time) bool {
		if !to.IsZero() && !t.Before(to) {
			return false
		}
		k := ix.key(t)
		if ix.excluded[k] {
			return true
		}
		if o, ok := ix.overrides[k]; ok && o.Item != nil {
			return true // an overridden occurrence is where its override is, checked above
		}
		if overlaps(t, t.Add(dur), from, to) {
			found = true
			return false
		}
		return true
	}
	expand(a, lo, to, check)
	for _, d := range r.Dates {
		if found {
			break
		}
		check(d)
	}
	return found
}
