package dav

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

var weekdays = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

func weekdayCode(d time.Weekday) string {
	return strings.ToUpper(d.String()[:2])
}

// parseRRule parses an RRULE value. UNTIL in local or date form is read in zone (the zone of DTSTART).
// An unknown or malformed part is an error naming the part.
func parseRRule(s string, zone *time.Location, allDay bool) (*engine.Rule, error) {
	r := &engine.Rule{WeekStart: time.Monday}
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("RRULE part %q has no '='", part)
		}
		k = strings.ToUpper(k)
		var err error
		switch k {
		case "FREQ":
			switch f := engine.Frequency(strings.ToUpper(v)); f {
			case engine.Daily, engine.Weekly, engine.Monthly, engine.Yearly:
				r.Freq = f
			default:
				return nil, fmt.Errorf("RRULE FREQ=%s is not supported", v)
			}
		case "INTERVAL":
			r.Interval, err = positive(v)
		case "COUNT":
			r.Count, err = positive(v)
		case "UNTIL":
			var t time.Time
			t, _, err = parseDateTimeValue(v, zone)
			if err == nil && allDay {
				t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			}
			r.Until = t.UTC()
		case "BYDAY":
			for _, d := range strings.Split(v, ",") {
				d = strings.ToUpper(strings.TrimSpace(d))
				if len(d) < 2 {
					return nil, fmt.Errorf("RRULE BYDAY value %q is malformed", d)
				}
				wd, ok := weekdays[d[len(d)-2:]]
				if !ok {
					return nil, fmt.Errorf("RRULE BYDAY value %q is malformed", d)
				}
				n := 0
				if num := d[:len(d)-2]; num != "" {
					n, err = strconv.Atoi(strings.TrimPrefix(num, "+"))
					if err != nil || n == 0 || n < -53 || n > 53 {
						return nil, fmt.Errorf("RRULE BYDAY value %q is malformed", d)
					}
				}
				r.ByDay = append(r.ByDay, engine.Weekday{N: n, Day: wd})
			}
		case "BYMONTHDAY":
			r.ByMonthDay, err = intList(v, -31, 31)
		case "BYMONTH":
			r.ByMonth, err = intList(v, 1, 12)
		case "BYSETPOS":
			r.BySetPos, err = intList(v, -366, 366)
		case "WKST":
			wd, ok := weekdays[strings.ToUpper(v)]
			if !ok {
				return nil, fmt.Errorf("RRULE WKST=%s is malformed", v)
			}
			r.WeekStart = wd
		default:
			return nil, fmt.Errorf("RRULE part %s is not supported", k)
		}
		if err != nil {
			return nil, fmt.Errorf("RRULE %s: %w", k, err)
		}
	}
	if r.Freq == "" {
		return nil, fmt.Errorf("RRULE has no FREQ")
	}
	if r.Interval == 1 {
		r.Interval = 0
	}
	return r, nil
}

func positive(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a positive number", v)
	}
	return n, nil
}

func intList(v string, lo, hi int) ([]int, error) {
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "+"))
		if err != nil || n < lo || n > hi || n == 0 {
			return nil, fmt.Errorf("%q is not a number in %d..%d", s, lo, hi)
		}
		out = append(out, n)
	}
	return out, nil
}

// formatRRule writes r as an RRULE value. UNTIL is a date for all-day series and a UTC instant otherwise.
func formatRRule(r *engine.Rule, allDay bool) string {
	parts := []string{"FREQ=" + string(r.Freq)}
	if r.Until.IsZero() && r.Count > 0 {
		parts = append(parts, "COUNT="+strconv.Itoa(r.Count))
	}
	if !r.Until.IsZero() {
		if allDay {
			parts = append(parts, "UNTIL="+r.Until.UTC().Format("20060102"))
		} else {
			parts = append(parts, "UNTIL="+r.Until.UTC().Format("20060102T150405Z"))
		}
	}
	if r.Interval > 1 {
		parts = append(parts, "INTERVAL="+strconv.Itoa(r.Interval))
	}
	if len(r.ByDay) > 0 {
		ds := make([]string, len(r.ByDay))
		for i, d := range r.ByDay {
			ds[i] = weekdayCode(d.Day)
			if d.N != 0 {
				ds[i] = strconv.Itoa(d.N) + ds[i]
			}
		}
		parts = append(parts, "BYDAY="+strings.Join(ds, ","))
	}
	ints := func(name string, v []int) {
		if len(v) == 0 {
			return
		}
		s := make([]string, len(v))
		for i, n := range v {
			s[i] = strconv.Itoa(n)
		}
		parts = append(parts, name+"="+strings.Join(s, ","))
	}
	ints("BYMONTHDAY", r.ByMonthDay)
	ints("BYMONTH", r.ByMonth)
	ints("BYSETPOS", r.BySetPos)
	if r.WeekStart != time.Monday && (r.Freq == engine.Weekly || slices.ContainsFunc(r.ByDay, func(d engine.Weekday) bool { return d.N != 0 })) {
		parts = append(parts, "WKST="+weekdayCode(r.WeekStart))
	}
	return strings.Join(parts, ";")
}

// parseDateTimeValue reads a DATE or DATE-TIME value: "20261121" (a date, reported as allDay), "20261121T100000Z"
// (UTC) or "20261121T100000" (local time in zone, UTC when zone is nil).
func parseDateTimeValue(v string, zone *time.Location) (time.Time, bool, error) {
	t, allDay, err := parseDateTimeRaw(v, zone)
	if err == nil && (t.Year() < 1000 || t.Year() > 9998) {
		return time.Time{}, false, fmt.Errorf("date %q is out of range (years 1000 to 9998)", v)
	}
	return t, allDay, err
}

func parseDateTimeRaw(v string, zone *time.Location) (time.Time, bool, error) {
	v = strings.TrimSpace(v)
	if zone == nil {
		zone = time.UTC
	}
	switch {
	case len(v) == 8:
		t, err := time.Parse("20060102", v)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("bad date %q", v)
		}
		return t, true, nil
	case len(v) == 16 && (v[15] == 'Z' || v[15] == 'z'):
		t, err := time.Parse("20060102T150405", v[:15])
		if err != nil {
			return time.Time{}, false, fmt.Errorf("bad date-time %q", v)
		}
		return t, false, nil
	case len(v) == 15:
		t, err := time.ParseInLocation("20060102T150405", v, zone)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("bad date-time %q", v)
		}
		return t.UTC(), false, nil
	}
	return time.Time{}, false, fmt.Errorf("bad date-time %q", v)
}

// parseDuration reads an RFC 5545 DURATION value ("-PT15M", "P1DT2H", "P2W").
func parseDuration(s string) (time.Duration, error) {
	orig := s
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) < 2 || (s[0] != 'P' && s[0] != 'p') {
		return 0, fmt.Errorf("bad duration %q", orig)
	}
	s = strings.ToUpper(s[1:])
	var d time.Duration
	inTime := false
	num := ""
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			num += string(c)
		case c == 'T':
			inTime = true
		default:
			if num == "" || len(num) > 9 {
				return 0, fmt.Errorf("bad duration %q", orig)
			}
			n, _ := strconv.Atoi(num)
			num = ""
			unit := time.Duration(0)
			switch {
			case c == 'W' && !inTime:
				unit = 7 * 24 * time.Hour
			case c == 'D' && !inTime:
				unit = 24 * time.Hour
			case c == 'H' && inTime:
				unit = time.Hour
			case c == 'M' && inTime:
				unit = time.Minute
			case c == 'S' && inTime:
				unit = time.Second
			default:
				return 0, fmt.Errorf("bad duration %q", orig)
			}
			d += time.Duration(n) * unit
		}
	}
	if num != "" {
		return 0, fmt.Errorf("bad duration %q", orig)
	}
	if neg {
		d = -d
	}
	return d, nil
}

// formatDuration writes d as an RFC 5545 DURATION.
func formatDuration(d time.Duration) string {
	s := ""
	if d < 0 {
		s, d = "-", -d
	}
	s += "P"
	if d == 0 {
		return s + "T0S"
	}
	if days := d / (24 * time.Hour); days > 0 {
		if days%7 == 0 && d%(24*time.Hour) == 0 {
			return s + strconv.Itoa(int(days/7)) + "W"
		}
		s += strconv.Itoa(int(days)) + "D"
		d -= days * 24 * time.Hour
	}
	if d > 0 {
		s += "T"
		if h := d / time.Hour; h > 0 {
			s += strconv.Itoa(int(h)) + "H"
			d -= h * time.Hour
		}
		if m := d / time.Minute; m > 0 {
			s += strconv.Itoa(int(m)) + "M"
			d -= m * time.Minute
		}
		if sec := d / time.Second; sec > 0 {
			s += strconv.Itoa(int(sec)) + "S"
		}
	}
	return s
}
