package engine

import (
	"strings"
	"testing"
	"time"
)

// TestGeneratedZonesLoad checks every name the generated tables hand out against the embedded tz database, and
// that every Windows id round-trips: Windows → IANA → Windows gives the same id.
func TestGeneratedZonesLoad(t *testing.T) {
	t.Parallel()
	for key, iana := range windowsToIANA {
		if iana == "UTC" {
			continue
		}
		if _, err := time.LoadLocation(iana); err != nil {
			t.Errorf("windowsToIANA[%q] = %q does not load: %v", key, iana, err)
		}
		if c, err := CanonicalZone(iana); err != nil || c != iana {
			t.Errorf("windowsToIANA[%q] = %q is not canonical (%q, %v)", key, iana, c, err)
		}
	}
	for alias, target := range zoneAliases {
		if _, err := time.LoadLocation(alias); err != nil {
			t.Errorf("alias %q does not load: %v", alias, err)
		}
		if target != "UTC" {
			if _, err := time.LoadLocation(target); err != nil {
				t.Errorf("alias target %q does not load: %v", target, err)
			}
		}
		if _, again := zoneAliases[target]; again {
			t.Errorf("alias %q → %q chains further", alias, target)
		}
	}
	for iana := range ianaToWindows {
		if _, err := LoadZone(iana); err != nil {
			t.Errorf("ianaToWindows key %q does not load: %v", iana, err)
		}
	}
	for low, win := range windowsZoneNames {
		iana, ok := IANAFromWindows(win, "")
		if !ok {
			t.Errorf("no 001 mapping for %q", win)
			continue
		}
		back, ok := WindowsFromIANA(iana)
		if !ok || strings.ToLower(back) != low {
			t.Errorf("%q → %q → %q, %v", win, iana, back, ok)
		}
	}
}
