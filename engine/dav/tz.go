package dav

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must resolve on minimal images without /usr/share/zoneinfo

	"github.com/synchronizer/synchronizer/engine/dav/ical"
)

// windowsZones maps the Windows zone names that Outlook and Exchange write as TZID to IANA names (territory 001 of
// CLDR windowsZones.xml) for the zones met in practice. Other Windows names fall back to matching the VTIMEZONE
// rules against candidateZones.
var windowsZones = map[string]string{
	"UTC":                             "UTC",
	"GMT Standard Time":               "Europe/London",
	"Greenwich Standard Time":         "Atlantic/Reykjavik",
	"W. Europe Standard Time":         "Europe/Berlin",
	"Central Europe Standard Time":    "Europe/Budapest",
	"Romance Standard Time":           "Europe/Paris",
	"Central European Standard Time":  "Europe/Warsaw",
	"E. Europe Standard Time":         "Europe/Chisinau",
	"FLE Standard Time":               "Europe/Kiev",
	"GTB Standard Time":               "Europe/Bucharest",
	"Russian Standard Time":           "Europe/Moscow",
	"Eastern Standard Time":           "America/New_York",
	"Central Standard Time":           "America/Chicago",
	"Mountain Standard Time":          "America/Denver",
	"US Mountain Standard Time":       "America/Phoenix",
	"Pacific Standard Time":           "America/Los_Angeles",
	"Alaskan Standard Time":           "America/Anchorage",
	"Hawaiian Standard Time":          "Pacific/Honolulu",
	"Atlantic Standard Time":          "America/Halifax",
	"E. South America Standard Time":  "America/Sao_Paulo",
	"India Standard Time":             "Asia/Calcutta",
	"China Standard Time":             "Asia/Shanghai",
	"Tokyo Standard Time":             "Asia/Tokyo",
	"Singapore Standard Time":         "Asia/Singapore",
	"AUS Eastern Standard Time":       "Australia/Sydney",
	"New Zealand Standard Time":       "Pacific/Auckland",
	"South Africa Standard Time":      "Africa/Johannesburg",
	"Arabian Standard Time":           "Asia/Dubai",
	"Israel Standard Time":            "Asia/Jerusalem",
	"Turkey Standard Time":            "Europe/Istanbul",
	"Korea Standard Time":             "Asia/Seoul",
	"Canada Central Standard Time":    "America/Regina",
	"Pacific SA Standard Time":        "America/Santiago",
	"Argentina Standard Time":         "America/Buenos_Aires",
	"Central America Standard Time":   "America/Guatemala",
	"SE Asia Standard Time":           "Asia/Bangkok",
	"W. Australia Standard Time":      "Australia/Perth",
	"Cen. Australia Standard Time":    "Australia/Adelaide",
	"E. Australia Standard Time":      "Australia/Brisbane",
	"Egypt Standard Time":             "Africa/Cairo",
	"Morocco Standard Time":           "Africa/Casablanca",
	"W. Central Africa Standard Time": "Africa/Lagos",
}

// candidateZones are tried, in order, when a TZID is neither an IANA name nor a known Windows name: the first
// zone whose offsets match the VTIMEZONE's in January and July of the reference year is taken.
var candidateZones = []string{
	"Europe/London", "Europe/Berlin", "Europe/Oslo", "Europe/Paris", "Europe/Helsinki", "Europe/Moscow",
	"Europe/Istanbul", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Halifax", "America/St_Johns",
	"America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Santiago", "America/Mexico_City",
	"Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Asia/Singapore", "Asia/Dubai",
	"Asia/Jerusalem", "Asia/Bangkok", "Asia/Kathmandu", "Australia/Sydney", "Australia/Adelaide",
	"Australia/Brisbane", "Australia/Perth", "Pacific/Auckland", "Africa/Johannesburg", "Africa/Lagos",
	"Africa/Cairo", "Atlantic/Reykjavik", "UTC",
}

// zoneTable resolves the TZIDs of one VCALENDAR.
type zoneTable struct {
	defs  map[string]*ical.Component
	cache map[string]zoneRef
}

// zoneRef is a resolved TZID: the location to read local times in and the IANA name to report.
type zoneRef struct {
	loc  *time.Location
	name string
}

func newZoneTable(cal *ical.Component) *zoneTable {
	zt := &zoneTable{defs: map[string]*ical.Component{}, cache: map[string]zoneRef{}}
	if cal != nil {
		for _, tz := range cal.Sub("VTIMEZONE") {
			if p := tz.Prop("TZID"); p != nil {
				zt.defs[p.Value] = tz
			}
		}
	}
	return zt
}

// resolve maps a TZID to a location. It tries, in order: an IANA name, the tail of a prefixed name
// ("/mozilla.org/20050126_1/Europe/Oslo"), a Windows name, and the offsets of the VTIMEZONE that defines it.
func (zt *zoneTable) resolve(tzid string) (zoneRef, error) {
	if r, ok := zt.cache[tzid]; ok {
		return r, nil
	}
	r, err := zt.lookup(tzid)
	if err == nil {
		zt.cache[tzid] = r
	}
	return r, err
}

func (zt *zoneTable) lookup(tzid string) (zoneRef, error) {
	id := strings.TrimSpace(strings.Trim(tzid, `"`))
	if loc, ok := loadIANA(id); ok {
		return zoneRef{loc, canonicalName(id, loc)}, nil
	}
	parts := strings.Split(strings.Trim(id, "/"), "/")
	for i := 1; i < len(parts); i++ {
		cand := strings.Join(parts[i:], "/")
		if loc, ok := loadIANA(cand); ok {
			return zoneRef{loc, canonicalName(cand, loc)}, nil
		}
	}
	if n, ok := windowsZones[id]; ok {
		if loc, ok := loadIANA(n); ok {
			return zoneRef{loc, n}, nil
		}
	}
	if def, ok := zt.defs[tzid]; ok {
		if r, ok := matchVTimezone(def); ok {
			return r, nil
		}
	}
	return zoneRef{}, fmt.Errorf("unknown time zone %q", tzid)
}

func canonicalName(id string, loc *time.Location) string {
	if id == "" || strings.EqualFold(id, "UTC") || strings.EqualFold(id, "Etc/UTC") || id == "GMT" || id == "Z" {
		return ""
	}
	return loc.String()
}

func loadIANA(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || strings.ContainsAny(name, " \\") || len(name) > 64 {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// matchVTimezone finds a candidate zone whose January and July offsets equal the STANDARD and DAYLIGHT offsets
// of a custom VTIMEZONE. A zone without DAYLIGHT matches zones without daylight saving.
func matchVTimezone(def *ical.Component) (zoneRef, bool) {
	std, dst, dstMonth, ok := vtimezoneOffsets(def)
	if !ok {
		return zoneRef{}, false
	}
	year := time.Now().Year()
	jan := time.Date(year, 1, 15, 12, 0, 0, 0, time.UTC)
	jul := time.Date(year, 7, 15, 12, 0, 0, 0, time.UTC)
	wantJan, wantJul := std, std
	if dst != nil {
		if dstMonth >= 1 && dstMonth <= 6 {
			wantJul = *dst // northern hemisphere: daylight in July
		} else {
			wantJan = *dst
		}
	}
	for _, n := range candidateZones {
		loc, ok := loadIANA(n)
		if !ok {
			continue
		}
		_, a := jan.In(loc).Zone()
		_, b := jul.In(loc).Zone()
		if a == wantJan && b == wantJul {
			return zoneRef{loc, canonicalName(n, loc)}, true
		}
	}
	if dst == nil {
		// A fixed offset: report it as a fixed zone so times stay right even without a name.
		return zoneRef{time.FixedZone(formatOffset(std), std), ""}, true
	}
	return zoneRef{}, false
}

func vtimezoneOffsets(def *ical.Component) (std int, dst *int, dstMonth int, ok bool) {
	var haveStd bool
	for _, ob := range def.Children {
		p := ob.Prop("TZOFFSETTO")
		if p == nil {
			continue
		}
		off, err := parseOffset(p.Value)
		if err != nil {
			continue
		}
		switch ob.Name {
		case "STANDARD":
			std, haveStd = off, true
		case "DAYLIGHT":
			o := off
			dst = &o
			if r := ob.Prop("RRULE"); r != nil {
				for _, part := range strings.Split(r.Value, ";") {
					if v, found := strings.CutPrefix(strings.ToUpper(part), "BYMONTH="); found {
						dstMonth, _ = strconv.Atoi(v)
					}
				}
			} else if s := ob.Prop("DTSTART"); s != nil && len(s.Value) >= 6 {
				dstMonth, _ = strconv.Atoi(s.Value[4:6])
			}
		}
	}
	if !haveStd && dst != nil {
		std, haveStd, dst = *dst, true, nil
	}
	return std, dst, dstMonth, haveStd
}

func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	sec := 0
	var err3 error
	if len(s) == 7 {
		sec, err3 = strconv.Atoi(s[5:7])
	}
	if err1 != nil || err2 != nil || err3 != nil || h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}

func formatOffset(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	s := fmt.Sprintf("%c%02d%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf("%02d", off%60)
	}
	return s
}

// vtimezoneCache holds generated VTIMEZONE components by zone name and year; generation scans a year hour by hour.
var vtimezoneCache sync.Map

// vtimezone builds a VTIMEZONE for an IANA zone from Go's zone data, valid around year: yearly RRULEs when the
// zone's transitions follow a "nth / last weekday of month" rule (checked over three years), explicit observances
// for the years around otherwise.
func vtimezone(name string, year int) *ical.Component {
	key := fmt.Sprintf("%s/%d", name, year)
	if v, ok := vtimezoneCache.Load(key); ok {
		return v.(*ical.Component).Clone()
	}
	loc, ok := loadIANA(name)
	if !ok {
		loc = time.UTC
	}
	c := &ical.Component{Name: "VTIMEZONE", Props: []ical.Prop{{Name: "TZID", Value: name}}}
	base := year - 1
	trs := transitions(loc, base)
	switch {
	case len(trs) == 0:
		_, off := time.Date(base, 1, 1, 0, 0, 0, 0, loc).Zone()
		abbr, _ := time.Date(base, 1, 1, 0, 0, 0, 0, loc).Zone()
		c.Children = append(c.Children, observance("STANDARD", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), off, off, abbr, ""))
	case rulesHold(loc, trs, base):
		for _, tr := range trs {
			local := tr.at.Add(time.Duration(tr.from) * time.Second).UTC()
			c.Children = append(c.Children, observance(tr.kind(), local, tr.from, tr.to, tr.abbr, tr.rule(loc)))
		}
	default:
		for y := year - 1; y <= year+10; y++ {
			for _, tr := range transitions(loc, y) {
				local := tr.at.Add(time.Duration(tr.from) * time.Second).UTC()
				c.Children = append(c.Children, observance(tr.kind(), local, tr.from, tr.to, tr.abbr, ""))
			}
		}
		if len(c.Children) == 0 {
			_, off := time.Date(year, 1, 1, 0, 0, 0, 0, loc).Zone()
			c.Children = append(c.Children, observance("STANDARD", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), off, off, "", ""))
		}
	}
	vtimezoneCache.Store(key, c)
	return c.Clone()
}

func observance(kind string, local time.Time, from, to int, abbr, rrule string) *ical.Component {
	ob := &ical.Component{Name: kind, Props: []ical.Prop{
		{Name: "DTSTART", Value: local.Format("20060102T150405")},
		{Name: "TZOFFSETFROM", Value: formatOffset(from)},
		{Name: "TZOFFSETTO", Value: formatOffset(to)},
	}}
	if abbr != "" && !strings.ContainsAny(abbr, "+-") {
		ob.Props = append(ob.Props, ical.Prop{Name: "TZNAME", Value: abbr})
	}
	if rrule != "" {
		ob.Props = append(ob.Props, ical.Prop{Name: "RRULE", Value: rrule})
	}
	return ob
}

type transition struct {
	at       time.Time // UTC instant of the change
	from, to int
	dst      bool
	abbr     string
}

func (t transition) kind() string {
	if t.dst {
		return "DAYLIGHT"
	}
	return "STANDARD"
}

// rule returns the yearly RRULE for the transition: BYMONTH and BYDAY with the weekday's ordinal in the month, or
// -1 when it is the last such weekday.
func (t transition) rule(loc *time.Location) string {
	local := t.at.Add(time.Duration(t.from) * time.Second).UTC()
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%s", int(local.Month()), ordinal(local))
}

func ordinal(local time.Time) string {
	day := local.Day()
	days := time.Date(local.Year(), local.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	wd := strings.ToUpper(local.Weekday().String()[:2])
	if day+7 > days && day > 28-7 && (day-1)/7+1 >= 4 {
		return "-1" + wd
	}
	return strconv.Itoa((day-1)/7+1) + wd
}

// rulesHold reports whether the transitions of the years after base fall on the days the base year's rules give.
func rulesHold(loc *time.Location, base []transition, year int) bool {
	for y := year + 1; y <= year+2; y++ {
		next := transitions(loc, y)
		if len(next) != len(base) {
			return false
		}
		for i, tr := range next {
			b := base[i]
			lb := b.at.Add(time.Duration(b.from) * time.Second).UTC()
			ln := tr.at.Add(time.Duration(tr.from) * time.Second).UTC()
			if tr.from != b.from || tr.to != b.to || lb.Month() != ln.Month() || ordinal(lb) != ordinal(ln) ||
				lb.Hour() != ln.Hour() || lb.Minute() != ln.Minute() {
				return false
			}
		}
	}
	return true
}

// transitions lists the offset changes of loc during year, scanning hour by hour and refining to the minute.
func transitions(loc *time.Location, year int) []transition {
	var out []transition
	t := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	_, prev := t.In(loc).Zone()
	for t.Before(end) {
		n := t.Add(time.Hour)
		_, off := n.In(loc).Zone()
		if off != prev {
			lo, hi := t, n
			for hi.Sub(lo) > time.Minute {
				mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Minute)
				if mid.Equal(lo) {
					break
				}
				if _, o := mid.In(loc).Zone(); o == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			abbr, _ := hi.In(loc).Zone()
			out = append(out, transition{at: hi, from: prev, to: off, dst: hi.In(loc).IsDST(), abbr: abbr})
			prev = off
		}
		t = n
	}
	return out
}
