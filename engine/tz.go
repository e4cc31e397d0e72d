package engine

//go:generate go run ./internal/tzgen

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must work on minimal images without /usr/share/zoneinfo
)

// ZoneError reports a time-zone name that is neither an IANA name nor a Windows time-zone id.
type ZoneError struct {
	Name string
}

func (e *ZoneError) Error() string { return fmt.Sprintf("engine: unknown time zone %q", e.Name) }

// CanonicalZone returns the canonical IANA name for name: an IANA name is returned as is, a deprecated or
// alternative IANA name ("US/Eastern", "Europe/Kiev", "Asia/Calcutta") becomes its current name ("America/New_York",
// "Europe/Kyiv", "Asia/Kolkata"), a Windows time-zone id ("W. Europe Standard Time") becomes the IANA name CLDR maps
// it to for territory 001 (so does a Windows display name such as "(UTC+01:00) Amsterdam, Berlin, Bern, Rome,
// Stockholm, Vienna", which Outlook writes as an iCalendar TZID), and every spelling of UTC ("", "Z", "Etc/UTC", "GMT", "Etc/GMT", "UTC") becomes "UTC".
// IANA names are matched exactly first and then ignoring case; Windows ids ignoring case. An unknown name is a
// *ZoneError naming it.
//
// Names that the tz database links but that are distinct places in CLDR (Europe/Bratislava and Europe/Prague) are
// kept apart: users expect their own place's name to survive a round trip.
func CanonicalZone(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch n {
	case "", "Z", "UTC":
		return "UTC", nil
	case "Local":
		return "", &ZoneError{Name: name}
	}
	if v, ok := zoneCache.Load(n); ok {
		return v.(string), nil
	}
	c, err := canonicalZone(n)
	if err != nil {
		return "", &ZoneError{Name: name}
	}
	zoneCache.Store(n, c)
	return c, nil
}

// zoneCache memoizes CanonicalZone for the names it resolved (a bounded set: every input is a real zone name).
var zoneCache sync.Map

// locCache memoizes LoadZone; time.LoadLocation reads and parses the embedded database on every call.
var locCache sync.Map

func canonicalZone(n string) (string, error) {
	if a, ok := zoneAliases[n]; ok {
		return a, nil
	}
	if _, ok := ianaToWindows[n]; ok {
		return n, nil
	}
	if w, ok := windowsZoneNames[strings.ToLower(n)]; ok {
		return windowsToIANA[strings.ToLower(w)+"|001"], nil
	}
	if w, ok := windowsDisplayNames[strings.ToLower(strings.Join(strings.Fields(n), " "))]; ok {
		return windowsToIANA[strings.ToLower(w)+"|001"], nil
	}
	if validZoneSyntax(n) {
		if _, err := time.LoadLocation(n); err == nil {
			return n, nil
		}
	}
	// Case-insensitive match against every name we know.
	ln := strings.ToLower(n)
	for k, v := range zoneAliases {
		if strings.ToLower(k) == ln {
			return v, nil
		}
	}
	for k := range ianaToWindows {
		if strings.ToLower(k) == ln {
			if a, ok := zoneAliases[k]; ok {
				return a, nil
			}
			return k, nil
		}
	}
	return "", &ZoneError{Name: n}
}

// validZoneSyntax rejects names time.LoadLocation would treat as paths or specials.
func validZoneSyntax(n string) bool {
	if n == "" || n == "Local" || len(n) > 64 || strings.Contains(n, "..") || strings.HasPrefix(n, "/") ||
		strings.ContainsAny(n, "\\\x00 ") {
		return false
	}
	return true
}

// LoadZone returns the *time.Location of a zone name in any form CanonicalZone accepts ("" is UTC).
func LoadZone(name string) (*time.Location, error) {
	c, err := CanonicalZone(name)
	if err != nil {
		return nil, err
	}
	if c == "UTC" {
		return time.UTC, nil
	}
	if v, ok := locCache.Load(c); ok {
		return v.(*time.Location), nil
	}
	loc, err := time.LoadLocation(c)
	if err != nil {
		return nil, &ZoneError{Name: name}
	}
	locCache.Store(c, loc)
	return loc, nil
}

// IANAFromWindows returns the canonical IANA name CLDR maps the Windows time-zone id name to for territory (an ISO
// 3166 region such as "US" or "DE"); an empty territory means "001", the default for the Windows zone. A territory
// CLDR does not list for name falls back to "001". The Windows id is matched ignoring case.
func IANAFromWindows(name, territory string) (string, bool) {
	w := strings.ToLower(strings.TrimSpace(name))
	if territory == "" {
		territory = "001"
	}
	if v, ok := windowsToIANA[w+"|"+strings.ToUpper(territory)]; ok {
		return v, true
	}
	v, ok := windowsToIANA[w+"|001"]
	return v, ok
}

// WindowsFromIANA returns the Windows time-zone id for an IANA name, as listed in CLDR or through its canonical
// form (so "Europe/Kyiv", "Europe/Kiev" and "US/Eastern" all resolve). "UTC" and its spellings map to "UTC".
func WindowsFromIANA(iana string) (string, bool) {
	n := strings.TrimSpace(iana)
	if w, ok := ianaToWindows[n]; ok {
		return w, true
	}
	c, err := CanonicalZone(n)
	if err != nil {
		return "", false
	}
	w, ok := ianaToWindows[c]
	return w, ok
}
