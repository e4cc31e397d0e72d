package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxOccurrences bounds every expansion: Occurrences returns at most this many occurrences, so an endless series
// asked for an unbounded window never hangs or exhausts memory.
const MaxOccurrences = 10000

// maxPeriods bounds how many periods one SplitSeries walk counts. Expansion itself stops at year 9999 and when a
// rule has produced nothing for 400 years (the Gregorian cycle: a rule silent that long is silent forever, such as
// BYMONTHDAY=31;BYMONTH=2).
const maxPeriods = 1000000

// RuleError reports a malformed or unsupported RRULE part.
type RuleError struct {
	Part   string // the part at fault, such as "BYDAY=9XX" or "BYWEEKNO"
	Reason string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("engine: RRULE part %q: %s", e.Part, e.Reason)
}

var dayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func parseDay(s string) (time.Weekday, bool) {
	for i, c := range dayCodes {
		if s == c {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// ParseRRule parses an RFC 5545 RRULE value ("FREQ=WEEKLY;BYDAY=MO,WE", with or without the "RRULE:" prefix).
// It is strict: an unknown part, a repeated part, a malformed value, COUNT together with UNTIL, and parts the model
// cannot express (FREQ=HOURLY and finer, BYWEEKNO, BYYEARDAY, BYHOUR, BYMINUTE, BYSECOND) are a *RuleError naming
// the part. Names and values are matched ignoring case. UNTIL may be a date (YYYYMMDD, read as 00:00 UTC), a UTC
// date-time (YYYYMMDDTHHMMSSZ) or a floating date-time (read as UTC). WeekStart is Monday unless WKST is given.
func ParseRRule(s string) (Rule, error) {
	r := Rule{WeekStart: time.Monday}
	s = strings.TrimSpace(s)
	if len(s) >= 6 && strings.EqualFold(s[:6], "RRULE:") {
		s = s[6:]
	}
	if s == "" {
		return Rule{}, &RuleError{Part: "FREQ", Reason: "missing"}
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name = strings.ToUpper(strings.TrimSpace(name))
		value = strings.ToUpper(strings.TrimSpace(value))
		if !ok || name == "" {
			return Rule{}, &RuleError{Part: part, Reason: "want NAME=VALUE"}
		}
		if seen[name] {
			return Rule{}, &RuleError{Part: name, Reason: "given more than once"}
		}
		seen[name] = true
		bad := func(reason string) error { return &RuleError{Part: name + "=" + value, Reason: reason} }
		switch name {
		case "FREQ":
			switch f := Frequency(value); f {
			case Daily, Weekly, Monthly, Yearly:
				r.Freq = f
			case "SECONDLY", "MINUTELY", "HOURLY":
				return Rule{}, bad("frequencies finer than a day are not supported")
			default:
				return Rule{}, bad("unknown frequency")
			}
		case "INTERVAL":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > 10000 {
				return Rule{}, bad("want an integer from 1 to 10000")
			}
			if n > 1 {
				r.Interval = n // 1 is stored as 0, the canonical "every period"
			}
		case "COUNT":
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > 1000000 {
				return Rule{}, bad("want an integer from 1 to 1000000")
			}
			r.Count = n
		case "UNTIL":
			t, err := parseUntil(value)
			if err != nil {
				return Rule{}, bad(err.Error())
			}
			if t.Year() < 1 {
				return Rule{}, bad("the year must be 1 or later")
			}
			r.Until = t
		case "BYDAY":
			for _, v := range strings.Split(value, ",") {
				wd, err := parseWeekday(v)
				if err != nil {
					return Rule{}, bad(err.Error())
				}
				r.ByDay = append(r.ByDay, wd)
			}
		case "BYMONTHDAY":
			ns, err := parseInts(value, 1, 31)
			if err != nil {
				return Rule{}, bad(err.Error())
			}
			r.ByMonthDay = ns
		case "BYMONTH":
			ns, err := parseInts(value, 1, 12)
			if err != nil {
				return Rule{}, bad(err.Error())
			}
			for _, n := range ns {
				if n < 0 {
					return Rule{}, bad("months are 1 to 12")
				}
			}
			r.ByMonth = ns
		case "BYSETPOS":
			ns, err := parseInts(value, 1, 366)
			if err != nil {
				return Rule{}, bad(err.Error())
			}
			r.BySetPos = ns
		case "WKST":
			d, ok := parseDay(value)
			if !ok {
				return Rule{}, bad("want SU, MO, TU, WE, TH, FR or SA")
			}
			r.WeekStart = d
		case "BYWEEKNO", "BYYEARDAY", "BYHOUR", "BYMINUTE", "BYSECOND":
			return Rule{}, &RuleError{Part: name, Reason: "not supported"}
		default:
			return Rule{}, &RuleError{Part: name, Reason: "unknown part"}
		}
	}
	if r.Freq == "" {
		return Rule{}, &RuleError{Part: "FREQ", Reason: "missing"}
	}
	if err := checkRule(&r); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// checkRule enforces the RFC 5545 combinations between parts.
func checkRule(r *Rule) error {
	if r.Count > 0 && !r.Until.IsZero() {
		return &RuleError{Part: "COUNT", Reason: "COUNT and UNTIL must not both be given"}
	}
	for _, d := range r.ByDay {
		if d.N != 0 && r.Freq != Monthly && r.Freq != Yearly {
			return &RuleError{Part: "BYDAY", Reason: "an ordinal day needs FREQ=MONTHLY or FREQ=YEARLY"}
		}
		if d.N != 0 && r.Freq == Monthly && (d.N > 5 || d.N < -5) {
			return &RuleError{Part: "BYDAY", Reason: "a month has at most 5 of each weekday"}
		}
	}
	if len(r.ByMonthDay) > 0 && r.Freq == Weekly {
		return &RuleError{Part: "BYMONTHDAY", Reason: "not allowed with FREQ=WEEKLY"}
	}
	if len(r.BySetPos) > 0 && len(r.ByDay) == 0 && len(r.ByMonthDay) == 0 && len(r.ByMonth) == 0 {
		return &RuleError{Part: "BYSETPOS", Reason: "needs another BYxxx part"}
	}
	return nil
}

func parseUntil(v string) (time.Time, error) {
	switch len(v) {
	case 8:
		return time.Parse("20060102", v)
	case 15:
		return time.Parse("20060102T150405", v)
	case 16:
		if v[15] == 'Z' {
			return time.Parse("20060102T150405", v[:15])
		}
	}
	return time.Time{}, fmt.Errorf("want YYYYMMDD or YYYYMMDDTHHMMSSZ")
}

func parseWeekday(v string) (Weekday, error) {
	if len(v) < 2 {
		return Weekday{}, fmt.Errorf("want [+|-][ordinal]SU..SA, got %q", v)
	}
	d, ok := parseDay(v[len(v)-2:])
	if !ok {
		return Weekday{}, fmt.Errorf("unknown weekday %q", v)
	}
	n := 0
	if p := v[:len(v)-2]; p != "" {
		var err error
		n, err = strconv.Atoi(p)
		if err != nil || n == 0 || n > 53 || n < -53 || strings.HasPrefix(p, "+-") {
			return Weekday{}, fmt.Errorf("bad ordinal in %q (want ±1 to ±53)", v)
		}
	}
	return Weekday{N: n, Day: d}, nil
}

func parseInts(v string, lo, hi int) ([]int, error) {
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		if n == 0 || n > hi || n < -hi || (n > 0 && n < lo) {
			return nil, fmt.Errorf("%d is out of range (±%d to ±%d)", n, lo, hi)
		}
		out = append(out, n)
	}
	return out, nil
}

// RRule formats r as an RFC 5545 RRULE value (without "RRULE:", RDATE or EXDATE): FREQ first, then INTERVAL
// (above 1), COUNT, UNTIL (a UTC date-time), BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS and WKST (when not Monday). See
// FormatRRule for all-day series.
func (r Rule) RRule() string { return FormatRRule(r, false) }

// FormatRRule formats r like Rule.RRule; for an all-day series (allDay) UNTIL is written as a date, as RFC 5545
// requires when DTSTART is a date.
func FormatRRule(r Rule, allDay bool) string {
	var b strings.Builder
	b.WriteString("FREQ=")
	b.WriteString(string(r.Freq))
	if r.Interval > 1 {
		fmt.Fprintf(&b, ";INTERVAL=%d", r.Interval)
	}
	if r.Count > 0 {
		fmt.Fprintf(&b, ";COUNT=%d", r.Count)
	}
	if !r.Until.IsZero() {
		if allDay {
			b.WriteString(";UNTIL=" + r.Until.UTC().Format("20060102"))
		} else {
			b.WriteString(";UNTIL=" + r.Until.UTC().Format("20060102T150405Z"))
		}
	}
	writeInts := func(name string, ns []int) {
		if len(ns) == 0 {
			return
		}
		b.WriteString(";" + name + "=")
		for i, n := range ns {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
	}
	writeInts("BYMONTH", r.ByMonth)
	writeInts("BYMONTHDAY", r.ByMonthDay)
	if len(r.ByDay) > 0 {
		b.WriteString(";BYDAY=")
		for i, d := range r.ByDay {
			if i > 0 {
				b.WriteByte(',')
			}
			if d.N != 0 {
				b.WriteString(strconv.Itoa(d.N))
			}
			b.WriteString(dayCodes[((int(d.Day)%7)+7)%7])
		}
	}
	writeInts("BYSETPOS", r.BySetPos)
	if r.WeekStart != time.Monday {
		b.WriteString(";WKST=" + dayCodes[((int(r.WeekStart)%7)+7)%7])
	}
	return b.String()
}

// Occurrence is one occurrence of an appointment: OriginalStart is where the rule puts it (the RECURRENCE-ID),
// Start and End are where it is (moved by an override, if any), and Override is the override's content or nil.
type Occurrence struct {
	OriginalStart, Start, End time.Time
	Override                  *Appointment
}

// Occurrences expands a into the occurrences that overlap [from, to) (a zero from or to is unbounded), sorted by
// Start. A non-recurring appointment has at most one occurrence, itself.
//
// A series is expanded in its TimeZone: the wall-clock time of the first occurrence is kept across daylight-saving
// changes (09:00 New York stays 09:00 New York, so it moves for someone in Oslo in the weeks the EU and the US
// switch on different dates); a wall time that does not exist on a spring-forward day is moved forward by the gap,
// as RFC 5545 says. Every occurrence lasts as long as the first (End − Start). An all-day series is expanded on
// dates (00:00 UTC) and stays on the same dates from every zone. The first occurrence is Start itself (it counts
// toward COUNT even when the rule would not generate it); Dates (RDATE) add occurrences; an Excluded original start
// removes one; an override replaces one and may move it into or out of the window. UNTIL is inclusive.
//
// Expansion is bounded: at most MaxOccurrences results, never past the year 9999, and a rule that produces nothing
// for 400 years stops. An unknown TimeZone is expanded in UTC (Validate reports it).
func Occurrences(a *Appointment, from, to time.Time) []Occurrence {
	if a == nil {
		return nil
	}
	dur := a.End.Sub(a.Start)
	if dur < 0 {
		dur = 0
	}
	if a.Recurrence == nil {
		if overlaps(a.Start, a.Start.Add(dur), from, to) {
			return []Occurrence{{OriginalStart: a.Start, Start: a.Start, End: a.Start.Add(dur)}}
		}
		return nil
	}
	r := a.Recurrence
	ix := indexSeries(a)
	var out []Occurrence
	add := func(orig time.Time) {
		if ix.excluded[ix.key(orig)] {
			return
		}
		oc := Occurrence{OriginalStart: orig, Start: orig, End: orig.Add(dur)}
		if o, ok := ix.overrides[ix.key(orig)]; ok && o.Item != nil {
			oc.Start, oc.End, oc.Override = o.Item.Start, o.Item.End, o.Item
			if oc.End.Before(oc.Start) {
				oc.End = oc.Start
			}
		}
		if overlaps(oc.Start, oc.End, from, to) {
			out = append(out, oc)
		}
	}
	// seen records generated original starts, needed only to avoid doubling them with Dates and overrides.
	var seen map[int64]bool
	if len(r.Dates)+len(r.Overrides) > 0 {
		seen = map[int64]bool{}
	}
	// Expand a little wider than the window: an override may move an occurrence whose original start lies
	// outside the window into it; those are handled below by checking the override's original start directly.
	lo := from
	if !lo.IsZero() {
		lo = lo.Add(-dur)
	}
	expand(a, lo, to, func(t time.Time) bool {
		if !to.IsZero() && !t.Before(to) {
			return false
		}
		if seen != nil {
			seen[ix.key(t)] = true
		}
		add(t)
		return len(out) < MaxOccurrences
	})
	for _, d := range r.Dates {
		if seen[ix.key(d)] || !overlaps(d, d.Add(dur), lo, to) {
			continue
		}
		seen[ix.key(d)] = true
		add(d)
	}
	for i := range r.Overrides {
		o := &r.Overrides[i]
		if o.Item == nil || seen[ix.key(o.OriginalStart)] {
			continue
		}
		if overlaps(o.Item.Start, o.Item.End, from, to) && IsOccurrence(a, o.OriginalStart) {
			add(o.OriginalStart)
		}
	}
	slices.SortFunc(out, func(x, y Occurrence) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return x.OriginalStart.Compare(y.OriginalStart)
	})
	if len(out) > MaxOccurrences {
		out = out[:MaxOccurrences]
	}
	return out
}

// seriesIndex finds a series' exclusions and overrides by original start. On an all-day series original starts
// are compared as dates, so an exclusion given as local midnight still matches.
type seriesIndex struct {
	allDay    bool
	excluded  map[int64]bool
	overrides map[int64]*Override
}

func indexSeries(a *Appointment) *seriesIndex {
	r := a.Recurrence
	ix := &seriesIndex{allDay: a.AllDay, excluded: make(map[int64]bool, len(r.Excluded)), overrides: make(map[int64]*Override, len(r.Overrides))}
	for _, t := range r.Excluded {
		ix.excluded[ix.key(t)] = true
	}
	for i := range r.Overrides {
		o := &r.Overrides[i]
		ix.overrides[ix.key(o.OriginalStart)] = o
	}
	return ix
}

func (ix *seriesIndex) key(t time.Time) int64 {
	if ix.allDay {
		return dateOf(t).Unix()
	}
	return t.Unix()*1e9 + int64(t.Nanosecond())
}

// IsOccurrence reports whether the series a has an occurrence that originally starts at t (generated by the rule
// or listed in Dates; exclusions and overrides are not considered).
func IsOccurrence(a *Appointment, t time.Time) bool {
	if a == nil {
		return false
	}
	if a.Recurrence == nil {
		return a.Start.Equal(t)
	}
	if slices.ContainsFunc(a.Recurrence.Dates, t.Equal) {
		return true
	}
	found := false
	expand(a, t, t.Add(time.Nanosecond), func(s time.Time) bool {
		if s.Equal(t) {
			found = true
		}
		return s.Before(t)
	})
	return found
}

func overlaps(s, e, from, to time.Time) bool {
	if !to.IsZero() && !s.Before(to) {
		return false
	}
	if from.IsZero() {
		return true
	}
	return e.After(from) || (e.Equal(s) && !s.Before(from))
}

// seriesZone returns the location a series is expanded in.
func seriesZone(a *Appointment) *time.Location {
	if a.AllDay {
		return time.UTC
	}
	loc, err := LoadZone(a.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// expand calls fn with the original starts the rule of a generates, in order, from the series start, until fn
// returns false, COUNT or UNTIL ends the series, or the bounds are reached. Starts earlier than from may be
// skipped when the rule has no COUNT (a series without COUNT can be entered in the middle); to (when not zero)
// ends the walk once a period begins after it.
func expand(a *Appointment, from, to time.Time, fn func(time.Time) bool) {
	r := a.Recurrence
	loc := seriesZone(a)
	start := a.Start.In(loc)
	if a.AllDay {
		start = dateOf(a.Start)
	}
	if !r.Until.IsZero() && start.After(r.Until) {
		// The series ends before it starts: only the first occurrence exists (RFC 5545 counts DTSTART).
		fn(start)
		return
	}
	hh, mm, ss := start.Clock()
	ns := start.Nanosecond()
	sy, sm, sd := start.Date()
	startDay := time.Date(sy, sm, sd, 0, 0, 0, 0, time.UTC) // civil date of the first occurrence
	interval := r.Interval
	if interval < 1 {
		interval = 1
	}
	if interval > 10000 || r.Count < 0 {
		fn(start) // out of range (Validate reports it): only the first occurrence is certain
		return
	}
	count := 0
	emit := func(t time.Time) bool {
		if !r.Until.IsZero() && t.After(r.Until) {
			return false
		}
		count++
		if r.Count > 0 && count > r.Count {
			return false
		}
		return fn(t)
	}
	if r.Freq == "" {
		fn(start) // a series of explicit dates (RDATE) only: the first occurrence is the start
		return
	}
	// Periods: index k covers the k-th period of the rule's frequency counted from the series start.
	k0 := 0
	if r.Count == 0 && !from.IsZero() && from.After(start) {
		fd := from.In(loc)
		fy, fm, fdd := fd.Date()
		fromDay := time.Date(fy, fm, fdd, 0, 0, 0, 0, time.UTC)
		var periods int
		switch r.Freq {
		case Daily:
			periods = int(fromDay.Sub(startDay).Hours() / 24)
		case Weekly:
			periods = int(fromDay.Sub(startDay).Hours()/24) / 7
		case Monthly:
			periods = (fy-sy)*12 + int(fm) - int(sm)
		case Yearly:
			periods = fy - sy
		}
		if k := periods/interval - 1; k > 0 {
			k0 = k
		}
	}
	if k0 == 0 {
		if !emit(start) {
			return
		}
	}
	var toDay time.Time
	if !to.IsZero() {
		ty, tm, td := to.In(loc).Date()
		toDay = time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	}
	// A rule silent for 400 years is silent forever.
	maxEmpty := map[Frequency]int{Daily: 146097, Weekly: 20872, Monthly: 4800, Yearly: 400}[r.Freq]/interval + 1
	empty := 0
	var cands []time.Time
	for k := k0; ; k++ {
		var first time.Time // first civil day of the period
		cands = cands[:0]
		switch r.Freq {
		case Daily:
			first = startDay.AddDate(0, 0, k*interval)
			if dayMatches(r, first, false) {
				cands = append(cands, first)
			}
		case Weekly:
			off := (int(startDay.Weekday()) - int(r.WeekStart) + 7) % 7
			first = startDay.AddDate(0, 0, -off+7*k*interval)
			for i := 0; i < 7; i++ {
				d := first.Add(time.Duration(i) * 24 * time.Hour) // civil days in UTC are 24 hours
				if len(r.ByDay) == 0 {
					if d.Weekday() != startDay.Weekday() {
						continue
					}
				} else if !slices.ContainsFunc(r.ByDay, func(w Weekday) bool { return w.Day == d.Weekday() }) {
					continue
				}
				if len(r.ByMonth) > 0 && !slices.Contains(r.ByMonth, int(d.Month())) {
					continue
				}
				cands = append(cands, d)
			}
		case Monthly:
			first = time.Date(sy, sm+time.Month(k*interval), 1, 0, 0, 0, 0, time.UTC)
			if len(r.ByMonth) == 0 || slices.Contains(r.ByMonth, int(first.Month())) {
				cands = monthDays(r, cands, first.Year(), first.Month(), sd)
			}
		case Yearly:
			y := sy + k*interval
			first = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			cands = yearDays(r, cands, y, sm, sd)
		default:
			return
		}
		if !toDay.IsZero() && first.After(toDay) {
			return
		}
		if first.Year() > 9999 || first.Before(startDay.AddDate(-1, 0, 0)) {
			return // past the calendar we model, or an arithmetic wrap-around
		}
		if len(r.BySetPos) > 0 {
			cands = setPos(cands, r.BySetPos)
		}
		if len(cands) == 0 {
			if empty++; empty > maxEmpty {
				return
			}
			continue
		}
		empty = 0
		for _, d := range cands {
			t := wallTime(d, hh, mm, ss, ns, loc)
			if !t.After(start) {
				continue
			}
			if !emit(t) {
				return
			}
		}
	}
}

// dayMatches applies BYMONTH, BYMONTHDAY and BYDAY (weekdays without ordinals) as filters to a civil day.
func dayMatches(r *Rule, d time.Time, skipDay bool) bool {
	if len(r.ByMonth) > 0 && !slices.Contains(r.ByMonth, int(d.Month())) {
		return false
	}
	if len(r.ByMonthDay) > 0 {
		last := daysIn(d.Year(), d.Month())
		if !slices.ContainsFunc(r.ByMonthDay, func(n int) bool { return n == d.Day() || (n < 0 && last+n+1 == d.Day()) }) {
			return false
		}
	}
	if !skipDay && len(r.ByDay) > 0 && !slices.ContainsFunc(r.ByDay, func(w Weekday) bool { return w.Day == d.Weekday() }) {
		return false
	}
	return true
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthDays appends the candidate days of one month for a MONTHLY rule (or a YEARLY rule with BYMONTH): BYMONTHDAY
// and BYDAY (ordinals counted within the month) intersect; with neither, the day of the month of the series start
// (months without it are skipped).
func monthDays(r *Rule, out []time.Time, y int, m time.Month, startDay int) []time.Time {
	n := daysIn(y, m)
	if len(r.ByMonthDay) == 0 && len(r.ByDay) == 0 {
		if startDay <= n {
			out = append(out, time.Date(y, m, startDay, 0, 0, 0, 0, time.UTC))
		}
		return out
	}
	for day := 1; day <= n; day++ {
		d := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
		if len(r.ByMonthDay) > 0 && !slices.ContainsFunc(r.ByMonthDay, func(v int) bool { return v == day || (v < 0 && n+v+1 == day) }) {
			continue
		}
		if len(r.ByDay) > 0 && !byDayMatches(r.ByDay, d, day, n) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// byDayMatches reports whether civil day d, the pos-th day (1-based) of a span of n days (a month or a year),
// matches one of the weekdays, whose ordinals count occurrences of the weekday within the span.
func byDayMatches(days []Weekday, d time.Time, pos, n int) bool {
	for _, w := range days {
		if w.Day != d.Weekday() {
			continue
		}
		if w.N == 0 {
			return true
		}
		nth := (pos-1)/7 + 1        // this is the nth such weekday from the start
		nthLast := -((n-pos)/7 + 1) // and the nthLast from the end
		if w.N == nth || w.N == nthLast {
			return true
		}
	}
	return false
}

// yearDays appends the candidate days of year y for a YEARLY rule.
func yearDays(r *Rule, out []time.Time, y int, sm time.Month, sd int) []time.Time {
	switch {
	case len(r.ByMonth) > 0:
		months := slices.Clone(r.ByMonth)
		slices.Sort(months)
		for _, m := range slices.Compact(months) {
			out = monthDays(r, out, y, time.Month(m), sd)
		}
	case len(r.ByMonthDay) > 0:
		for m := time.January; m <= time.December; m++ {
			n := daysIn(y, m)
			for day := 1; day <= n; day++ {
				d := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
				if dayMatches(r, d, true) && (len(r.ByDay) == 0 || slices.ContainsFunc(r.ByDay, func(w Weekday) bool { return w.Day == d.Weekday() })) {
					out = append(out, d)
				}
			}
		}
	case len(r.ByDay) > 0:
		n := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
		for pos := 1; pos <= n; pos++ {
			d := time.Date(y, 1, pos, 0, 0, 0, 0, time.UTC)
			if byDayMatches(r.ByDay, d, pos, n) {
				out = append(out, d)
			}
		}
	default:
		if sd <= daysIn(y, sm) {
			out = append(out, time.Date(y, sm, sd, 0, 0, 0, 0, time.UTC))
		}
	}
	return out
}

// setPos keeps the BYSETPOS positions (1-based, negative from the end) of the sorted candidate set.
func setPos(cands []time.Time, pos []int) []time.Time {
	n := len(cands)
	var keep []int
	for _, p := range pos {
		i := p - 1
		if p < 0 {
			i = n + p
		}
		if i >= 0 && i < n {
			keep = append(keep, i)
		}
	}
	slices.Sort(keep)
	keep = slices.Compact(keep)
	out := make([]time.Time, 0, len(keep))
	for _, i := range keep {
		out = append(out, cands[i])
	}
	return append(cands[:0], out...)
}

// wallTime returns the instant of civil day d at hh:mm:ss.ns wall-clock time in loc, the RFC 5545 way: a wall time
// that falls into a spring-forward gap is read with the offset in effect before the gap (02:30 becomes 03:30), and
// one that occurs twice on a fall-back day is its first occurrence.
func wallTime(d time.Time, hh, mm, ss, ns int, loc *time.Location) time.Time {
	y, m, day := d.Date()
	t := time.Date(y, m, day, hh, mm, ss, ns, loc)
	if loc == time.UTC {
		return t
	}
	naive := time.Date(y, m, day, hh, mm, ss, ns, time.UTC)
	if th, tm, ts := t.Clock(); th != hh || tm != mm || ts != ss {
		// In a gap: use the offset of the day before (transitions are months apart).
		_, before := naive.Add(-24 * time.Hour).In(loc).Zone()
		return naive.Add(-time.Duration(before) * time.Second)
	}
	// On a fall-back day the same wall time may exist at two offsets: take the earlier instant.
	_, offBefore := naive.Add(-24 * time.Hour).In(loc).Zone()
	if e := naive.Add(-time.Duration(offBefore) * time.Second); e.Before(t) {
		if eh, em, es := e.In(loc).Clock(); eh == hh && em == mm && es == ss {
			return e
		}
	}
	return t
}
