package engine

import (
	"errors"
	"slices"
	"time"
)

// SplitSeries splits series a at the occurrence that originally starts at (or, when at is not an original start,
// at the first one after it), the way an organizer's "this and following occurrences" edit does: before is the
// old series ending just before that occurrence (UNTIL set to the last earlier original start, or COUNT reduced to
// the occurrences before it), after is a new series starting there with the same rule (COUNT reduced to what
// remains) and the exclusions, overrides and explicit dates from there on. before is nil when no occurrence
// precedes the split; after is nil when none follows. Neither shares memory with a; both are normalized. after
// keeps a's UID: the caller gives the new series its own identity when the target system needs one.
//
// A non-recurring appointment is an error.
func SplitSeries(a *Appointment, at time.Time) (before, after *Appointment, err error) {
	if a == nil || a.Recurrence == nil {
		return nil, nil, errors.New("engine: SplitSeries needs a recurring appointment")
	}
	n := normalizeAppointment(a, true)
	r := n.Recurrence
	dur := n.End.Sub(n.Start)
	if n.AllDay {
		at = dateOf(at)
	}

	// Walk the generated starts from the beginning: COUNT counts from the first occurrence.
	var last, next time.Time
	earlier := 0
	expand(n, time.Time{}, time.Time{}, func(t time.Time) bool {
		if t.Before(at) {
			last = t
			earlier++
			return earlier < maxPeriods
		}
		next = t
		return false
	})
	// Explicit dates may lie closer to the split than generated ones.
	for _, d := range r.Dates {
		if d.Before(at) && d.After(last) {
			last = d
		}
		if !d.Before(at) && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}

	splitTimes := func(ts []time.Time) (lo, hi []time.Time) {
		for _, t := range ts {
			if t.Before(at) {
				lo = append(lo, t)
			} else {
				hi = append(hi, t)
			}
		}
		return lo, hi
	}
	exLo, exHi := splitTimes(r.Excluded)
	dLo, dHi := splitTimes(r.Dates)
	var ovLo, ovHi []Override
	for _, o := range r.Overrides {
		if o.OriginalStart.Before(at) {
			ovLo = append(ovLo, o)
		} else {
			ovHi = append(ovHi, o)
		}
	}

	if !last.IsZero() {
		b := *n
		br := *r
		br.Excluded, br.Dates, br.Overrides = exLo, dLo, ovLo
		if r.Count > 0 {
			br.Count = earlier
		} else {
			br.Until = last
		}
		b.Recurrence = &br
		before = normalizeAppointment(&b, true)
	}
	if !next.IsZero() {
		f := *n
		fr := *r
		fr.Excluded, fr.Dates, fr.Overrides = exHi, dHi, ovHi
		if r.Count > 0 {
			fr.Count = r.Count - earlier
			if fr.Count <= 0 {
				fr.Count = 0
				fr.Freq = "" // only explicit dates remain
			}
		}
		// The new series starts at the next occurrence: keep the wall-clock time in the series zone.
		f.Start = next
		f.End = next.Add(dur)
		f.Recurrence = &fr
		// Dates before the new start would count as the first occurrence; they stay with the old series.
		fr.Dates = slices.DeleteFunc(fr.Dates, func(t time.Time) bool { return t.Equal(next) })
		after = normalizeAppointment(&f, true)
	}
	return before, after, nil
}
