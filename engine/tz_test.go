package engine_test

import (
	"errors"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

func TestCanonicalZone(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Europe/Oslo", "Europe/Oslo"},
		{" Europe/Oslo ", "Europe/Oslo"},
		{"europe/oslo", "Europe/Oslo"},
		{"US/Eastern", "America/New_York"},
		{"Europe/Kiev", "Europe/Kyiv"},
		{"Europe/Kyiv", "Europe/Kyiv"},
		{"Asia/Calcutta", "Asia/Kolkata"},
		{"Asia/Saigon", "Asia/Ho_Chi_Minh"},
		{"America/Buenos_Aires", "America/Argentina/Buenos_Aires"},
		{"W. Europe Standard Time", "Europe/Berlin"},
		{"w. europe standard time", "Europe/Berlin"},
		{"Eastern Standard Time", "America/New_York"},
		{"India Standard Time", "Asia/Kolkata"},
		{"FLE Standard Time", "Europe/Kyiv"},
		{"", "UTC"},
		{"Z", "UTC"},
		{"Etc/UTC", "UTC"},
		{"GMT", "UTC"},
		{"Etc/GMT", "UTC"},
		{"UTC", "UTC"},
		{"Etc/GMT+5", "Etc/GMT+5"},
		{"Europe/Bratislava", "Europe/Bratislava"}, // a link to Prague in tzdata, but its own place in CLDR
		{"Arctic/Longyearbyen", "Arctic/Longyearbyen"},
	}
	for _, tt := range tests {
		got, err := engine.CanonicalZone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("CanonicalZone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"Mars/Olympus_Mons", "Local", "../../etc/passwd", "/etc/localtime", "Not A Zone", "Europe/"} {
		_, err := engine.CanonicalZone(bad)
		var ze *engine.ZoneError
		if !errors.As(err, &ze) || ze.Name != bad {
			t.Errorf("CanonicalZone(%q) error = %v, want a ZoneError naming it", bad, err)
		}
	}
}

func TestWindowsZones(t *testing.T) {
	t.Parallel()
	from := []struct{ win, territory, want string }{
		{"Eastern Standard Time", "", "America/New_York"},
		{"Eastern Standard Time", "001", "America/New_York"},
		{"Eastern Standard Time", "CA", "America/Toronto"},
		{"W. Europe Standard Time", "NO", "Europe/Oslo"},
		{"W. Europe Standard Time", "no", "Europe/Oslo"},
		{"W. Europe Standard Time", "XX", "Europe/Berlin"}, // unknown territory → 001
		{"Romance Standard Time", "", "Europe/Paris"},
		{"UTC", "", "UTC"},
		{"Tokyo Standard Time", "", "Asia/Tokyo"},
	}
	for _, tt := range from {
		got, ok := engine.IANAFromWindows(tt.win, tt.territory)
		if !ok || got != tt.want {
			t.Errorf("IANAFromWindows(%q, %q) = %q, %v; want %q", tt.win, tt.territory, got, ok, tt.want)
		}
	}
	if _, ok := engine.IANAFromWindows("Mars Standard Time", ""); ok {
		t.Error("IANAFromWindows(unknown) ok")
	}
	to := []struct{ iana, want string }{
		{"America/New_York", "Eastern Standard Time"},
		{"US/Eastern", "Eastern Standard Time"},
		{"America/Detroit", "Eastern Standard Time"},
		{"Europe/Oslo", "W. Europe Standard Time"},
		{"Europe/Kyiv", "FLE Standard Time"},
		{"Europe/Kiev", "FLE Standard Time"},
		{"Asia/Kolkata", "India Standard Time"},
		{"Asia/Calcutta", "India Standard Time"},
		{"UTC", "UTC"},
		{"Etc/UTC", "UTC"},
		{"Europe/London", "GMT Standard Time"},
		{"Australia/Sydney", "AUS Eastern Standard Time"},
	}
	for _, tt := range to {
		got, ok := engine.WindowsFromIANA(tt.iana)
		if !ok || got != tt.want {
			t.Errorf("WindowsFromIANA(%q) = %q, %v; want %q", tt.iana, got, ok, tt.want)
		}
	}
	if _, ok := engine.WindowsFromIANA("Mars/Olympus_Mons"); ok {
		t.Error("WindowsFromIANA(unknown) ok")
	}
}

func TestCanonicalZoneDisplayNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":  "Europe/Berlin",
		"(UTC-05:00) Eastern Time (US & Canada)":                        "America/New_York",
		"(utc+01:00)  amsterdam, berlin, bern, rome, stockholm, vienna": "Europe/Berlin",
	} {
		if got, err := engine.CanonicalZone(in); err != nil || got != want {
			t.Errorf("CanonicalZone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
