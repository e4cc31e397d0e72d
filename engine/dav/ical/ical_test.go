package ical_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine/dav/ical"
)

func TestRoundTripKeepsEverything(t *testing.T) {
	t.Parallel()
	in := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-UNKNOWN;X-P=\"a;b:c\",plain:value with \\, comma\r\n" +
		"BEGIN:X-WHATEVER\r\nFOO:bar\r\nEND:X-WHATEVER\r\nBEGIN:VEVENT\r\nUID:1\r\nDESCRIPTION:" + strings.Repeat("ünïcødé ", 30) + "\r\n" +
		"item1.EMAIL;TYPE=work:a@b.c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	c, err := ical.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out := c.Encode()
	for _, line := range bytes.Split(out, []byte("\r\n")) {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
	c2, err := ical.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c2.Encode(), out) {
		t.Fatalf("not stable:\n%s\n%s", out, c2.Encode())
	}
	ev := c2.Sub("VEVENT")[0]
	if got := ev.Prop("DESCRIPTION").Text(); got != strings.Repeat("ünïcødé ", 30) {
		t.Errorf("folding broke the value: %q", got)
	}
	if p := ev.Prop("EMAIL"); p == nil || p.Group != "item1" {
		t.Errorf("group lost: %+v", p)
	}
	if p := c2.Prop("X-UNKNOWN"); p == nil || len(p.Params[0].Values) != 2 || p.Params[0].Values[0] != "a;b:c" {
		t.Errorf("parameter lost: %+v", p)
	}
	if len(c2.Sub("X-WHATEVER")) != 1 {
		t.Errorf("unknown component lost")
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"empty":            "",
		"no colon":         "BEGIN:VCALENDAR\r\nSUMMARY\r\nEND:VCALENDAR\r\n",
		"unclosed":         "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
		"stray end":        "END:VEVENT\r\n",
		"outside":          "SUMMARY:x\r\n",
		"unterminated":     "BEGIN:VCALENDAR\r\nX;P=\"abc:def\r\nEND:VCALENDAR\r\n",
		"continuation":     " leading\r\n",
		"bad name":         "BEGIN:VCALENDAR\r\nSUM MARY:x\r\nEND:VCALENDAR\r\n",
		"two top (Parse)":  "BEGIN:A\r\nEND:A\r\nBEGIN:B\r\nEND:B\r\n",
		"quote in unquote": "BEGIN:A\r\nX;P=a\"b:v\r\nEND:A\r\n",
	} {
		if _, err := ical.Parse([]byte(in)); !errors.Is(err, ical.ErrSyntax) {
			t.Errorf("%s: got %v, want ErrSyntax", name, err)
		}
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "a,b;c\\d\ne", "trailing\\"} {
		if got := ical.Unescape(ical.Escape(s)); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q", s, got)
		}
	}
	if got := ical.SplitUnescaped(`a\;b;c\,d;`, ';'); len(got) != 3 || got[0] != "a;b" || got[1] != "c,d" || got[2] != "" {
		t.Errorf("SplitUnescaped = %q", got)
	}
}
