package dav

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav/ical"
)

func seeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err == nil {
			f.Add(b)
		}
	}
}

// FuzzParseICal checks that no calendar data makes the parser or the mapping panic, that parse → write → parse is
// stable, and that writing a mapped item back into its own resource keeps the mapped item.
func FuzzParseICal(f *testing.F) {
	seeds(f, "*.ics")
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Europe/Oslo:20260101T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ical.Parse(data)
		if err != nil {
			return
		}
		w1 := c.Encode()
		c2, err := ical.Parse(w1)
		if err != nil {
			t.Fatalf("cannot re-read what we wrote: %v\n%q", err, w1)
		}
		if w2 := c2.Encode(); !bytes.Equal(w1, w2) {
			t.Fatalf("parse → write is not stable:\n%q\n%q", w1, w2)
		}
		item, base, err := decodeCalendar(data)
		if err != nil {
			return
		}
		out, err := encodeCalendar(base, item, "", time.Unix(0, 0))
		if err != nil {
			return // an item the writer refuses is reported as an error, which is fine
		}
		again, err := calendarItem(out)
		if err != nil {
			t.Fatalf("cannot read back what we wrote: %v\n%s", err, out.Encode())
		}
		if !same(canon(item), canon(again)) {
			t.Fatalf("merge changed the item:\n%+v\n%+v\n%s", item, again, out.Encode())
		}
	})
}

// FuzzParseVCard is FuzzParseICal for address data.
func FuzzParseVCard(f *testing.F) {
	seeds(f, "*.vcf")
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:G\r\nMEMBER:urn:uuid:1\r\nEND:VCARD\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ical.Parse(data)
		if err != nil {
			return
		}
		w1 := c.Encode()
		c2, err := ical.Parse(w1)
		if err != nil {
			t.Fatalf("cannot re-read what we wrote: %v", err)
		}
		if w2 := c2.Encode(); !bytes.Equal(w1, w2) {
			t.Fatalf("parse → write is not stable:\n%q\n%q", w1, w2)
		}
		item, base, err := decodeVCard(data)
		if err != nil {
			return
		}
		out, err := encodeVCard(base, item, "")
		if err != nil {
			return
		}
		again, err := vcardItem(out)
		if err != nil {
			t.Fatalf("cannot read back what we wrote: %v", err)
		}
		if !same(item, again) {
			t.Fatalf("merge changed the item:\n%+v\n%+v\n%s", item, again, out.Encode())
		}
	})
}

func canon(it engine.Item) engine.Item {
	if a, ok := it.(*engine.Appointment); ok {
		return canonAppointment(a)
	}
	return it
}
