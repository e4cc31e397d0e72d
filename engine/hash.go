package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"time"
)

// hashVersion is mixed into every Hash. Bump it when the canonical encoding or Normalize changes meaning, so that
// stored hashes of the old form never compare equal by accident (they then differ once, and the planner compares
// content field by field).
const hashVersion = "synchronizer/hash/v1"

// Hash returns a stable content hash of Normalize(it): SHA-256 over a canonical binary encoding written field by
// field in a fixed order (kind, then every field with a one-byte tag; strings, lists and times length-prefixed),
// independent of map order, Go version and fmt. A nil item hashes like an empty item of no kind; an item of a kind
// the encoder does not know is hashed over its JSON.
func Hash(it Item) [32]byte {
	var e encoder
	e.b = make([]byte, 0, 512)
	e.str(hashVersion)
	if it == nil {
		return sha256.Sum256(e.b)
	}
	n := Normalize(it)
	e.str(string(it.ItemKind()))
	switch v := n.(type) {
	case *Appointment:
		e.appointment(v)
	case *Task:
		e.task(v)
	case *Contact:
		e.contact(v)
	case *Group:
		e.group(v)
	default:
		// A kind this encoder does not know yet: its JSON (struct fields in declaration order) is still a
		// deterministic encoding, and far better than hashing every item of the kind alike.
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte(err.Error())
		}
		e.tag('?')
		e.str(string(b))
	}
	return sha256.Sum256(e.b)
}

// encoder writes the canonical encoding. Every value is preceded by a tag byte so that adjacent fields cannot run
// into each other; a missing pointer is tag 0.
type encoder struct{ b []byte }

func (e *encoder) tag(t byte) { e.b = append(e.b, t) }

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *encoder) int(v int64) { e.b = binary.AppendVarint(e.b, v) }

func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.int(t.Unix())
	e.int(int64(t.Nanosecond()))
}

func (e *encoder) times(ts []time.Time) {
	e.uint(uint64(len(ts)))
	for _, t := range ts {
		e.time(t)
	}
}

func (e *encoder) ints(vs []int) {
	e.uint(uint64(len(vs)))
	for _, v := range vs {
		e.int(int64(v))
	}
}

func (e *encoder) strs(vs []string) {
	e.uint(uint64(len(vs)))
	for _, v := range vs {
		e.str(v)
	}
}

func (e *encoder) duration(d *Duration) {
	if d == nil {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.int(int64(*d))
}

func (e *encoder) attendee(a *Attendee) {
	if a == nil {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.str(a.Email)
	e.str(a.Name)
	e.str(string(a.Role))
	e.str(string(a.Response))
}

func (e *encoder) links(ls []CRMLink) {
	e.uint(uint64(len(ls)))
	for _, l := range ls {
		e.str(string(l.Type))
		e.str(l.ID)
		e.str(l.Name)
	}
}

func (e *encoder) labeled(ls []Labeled) {
	e.uint(uint64(len(ls)))
	for _, l := range ls {
		e.str(l.Label)
		e.str(l.Value)
	}
}

func (e *encoder) appointment(a *Appointment) {
	if a == nil {
		e.tag(0)
		return
	}
	e.tag('A')
	e.str(a.UID)
	e.str(a.Title)
	e.str(a.Body)
	e.str(a.Location)
	e.time(a.Start)
	e.time(a.End)
	e.str(a.TimeZone)
	e.str(a.EndTimeZone)
	e.bool(a.AllDay)
	e.rule(a.Recurrence)
	e.attendee(a.Organizer)
	e.uint(uint64(len(a.Attendees)))
	for i := range a.Attendees {
		e.attendee(&a.Attendees[i])
	}
	e.str(string(a.ShowAs))
	e.bool(a.Private)
	e.strs(a.Categories)
	e.duration(a.Reminder)
	e.str(a.OnlineMeetingURL)
	e.str(a.Type)
	e.links(a.Links)
}

func (e *encoder) rule(r *Rule) {
	if r == nil {
		e.tag(0)
		return
	}
	e.tag('R')
	e.str(string(r.Freq))
	e.int(int64(r.Interval))
	e.int(int64(r.Count))
	e.time(r.Until)
	e.uint(uint64(len(r.ByDay)))
	for _, d := range r.ByDay {
		e.int(int64(d.N))
		e.int(int64(d.Day))
	}
	e.ints(r.ByMonthDay)
	e.ints(r.ByMonth)
	e.ints(r.BySetPos)
	e.int(int64(r.WeekStart))
	e.times(r.Dates)
	e.times(r.Excluded)
	e.uint(uint64(len(r.Overrides)))
	for _, o := range r.Overrides {
		e.time(o.OriginalStart)
		e.appointment(o.Item)
	}
}

func (e *encoder) task(t *Task) {
	if t == nil {
		e.tag(0)
		return
	}
	e.tag('T')
	e.str(t.Title)
	e.str(t.Body)
	e.time(t.Start)
	e.time(t.Due)
	e.bool(t.DueAllDay)
	e.str(t.TimeZone)
	e.time(t.Completed)
	e.str(string(t.Priority))
	e.bool(t.Private)
	e.strs(t.Categories)
	e.duration(t.Reminder)
	e.str(t.Type)
	e.links(t.Links)
}

func (e *encoder) contact(c *Contact) {
	if c == nil {
		e.tag(0)
		return
	}
	e.tag('C')
	for _, s := range []string{c.Prefix, c.GivenName, c.MiddleName, c.FamilyName, c.Suffix, c.Display, c.Company,
		c.Department, c.JobTitle} {
		e.str(s)
	}
	e.labeled(c.Emails)
	e.labeled(c.Phones)
	e.uint(uint64(len(c.Addresses)))
	for _, a := range c.Addresses {
		for _, s := range []string{a.Label, a.Street, a.City, a.Region, a.PostalCode, a.Country} {
			e.str(s)
		}
	}
	e.labeled(c.URLs)
	e.time(c.Birthday)
	e.str(c.Notes)
	e.strs(c.Categories)
	e.links(c.Links)
}

func (e *encoder) group(g *Group) {
	if g == nil {
		e.tag(0)
		return
	}
	e.tag('G')
	e.str(g.Name)
	e.strs(g.Members)
}
