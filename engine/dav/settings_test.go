package dav_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav"
)

// TestCheckEntered checks that CheckEntered refuses what New refuses, naming the settings key in an
// *engine.InputError whose message still reads "caldav settings: field …", and accepts what New accepts.
func TestCheckEntered(t *testing.T) {
	for _, tc := range []struct {
		name, raw, field string
	}{
		{"minimal", `{"url":"https://dav.example.com/"}`, ""},
		{"everything", `{"url":"http://dav.example.com/dav/","username":"u","password":"p","calendar":"Work","addressbook":"Contacts","maxInFlight":64}`, ""},
		{"no url", `{"username":"u"}`, "url"},
		{"relative url", `{"url":"/dav/"}`, "url"},
		{"not http", `{"url":"ftp://dav.example.com/"}`, "url"},
		{"no host", `{"url":"https://"}`, "url"},
		{"maxInFlight negative", `{"url":"https://dav.example.com/","maxInFlight":-1}`, "maxInFlight"},
		{"maxInFlight too high", `{"url":"https://dav.example.com/","maxInFlight":65}`, "maxInFlight"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr := dav.CheckEntered([]byte(tc.raw))
			_, newErr := dav.New(context.Background(), []byte(tc.raw), engine.Env{})
			for _, err := range []error{checkErr, newErr} {
				if tc.field == "" {
					if err != nil {
						t.Fatalf("%s: %v", tc.raw, err)
					}
					continue
				}
				var ie *engine.InputError
				if !errors.As(err, &ie) || ie.Field != tc.field {
					t.Fatalf("%s: %v, want an *engine.InputError naming %s", tc.raw, err, tc.field)
				}
				if want := "caldav settings: field " + tc.field + ": "; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("%q does not start with %q", err, want)
				}
			}
		})
	}
}

// TestCheckEnteredBadJSON checks that unknown fields and JSON that is not an object are refused.
func TestCheckEnteredBadJSON(t *testing.T) {
	for _, raw := range []string{`{"url":"https://dav.example.com/","calendars":"x"}`, `[1]`, ``, `{"url":`} {
		if err := dav.CheckEntered([]byte(raw)); err == nil || !strings.HasPrefix(err.Error(), "caldav settings: ") {
			t.Errorf("%q: %v, want a caldav settings error", raw, err)
		}
	}
}
