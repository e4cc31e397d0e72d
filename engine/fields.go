package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Fields is an item split into mergeable field groups: each key names a group of fields that change together
// (an appointment's start, end, zones and all-day flag are one group, "when"), each value is the JSON of that group
// in canonical form. A group whose value is the zero value is absent, so an absent key and a zero group are equal.
// The planner merges three versions of an item group by group: a group changed on one side only is taken from that
// side; a group changed on both sides is a conflict.
type Fields map[string]json.RawMessage

// The field groups of each kind, in the order FieldNames lists them.
//
// Appointment: uid, title, body, location, when (start, end, tz, endTz, allDay), recurrence (the rule with its
// exclusions and overrides), organizer, attendees, showAs, private, categories, reminder, onlineMeetingUrl, type,
// links.
//
// Task: title, body, when (start, due, dueAllDay, tz), completed, priority, private, categories, reminder, type,
// links.
//
// Contact: name (prefix, givenName, middleName, familyName, suffix, display), company, department, jobTitle,
// emails, phones, addresses, urls, birthday, notes, categories, links.
//
// Group: name, members.
var fieldNames = map[Kind][]string{
	KindAppointment: {"uid", "title", "body", "location", "when", "recurrence", "organizer", "attendees", "showAs",
		"private", "categories", "reminder", "onlineMeetingUrl", "type", "links"},
	KindTask: {"title", "body", "when", "completed", "priority", "private", "categories", "reminder", "type",
		"links"},
	KindContact: {"name", "company", "department", "jobTitle", "emails", "phones", "addresses", "urls", "birthday",
		"notes", "categories", "links"},
	KindGroup: {"name", "members"},
}

// FieldNames returns the names of the field groups of kind k, in a stable order (nil for an unknown kind).
func FieldNames(k Kind) []string { return slices.Clone(fieldNames[k]) }

type apptWhen struct {
	Start       time.Time `json:"start,omitzero"`
	End         time.Time `json:"end,omitzero"`
	TimeZone    string    `json:"tz,omitempty"`
	EndTimeZone string    `json:"endTz,omitempty"`
	AllDay      bool      `json:"allDay,omitempty"`
}

type taskWhen struct {
	Start     time.Time `json:"start,omitzero"`
	Due       time.Time `json:"due,omitzero"`
	DueAllDay bool      `json:"dueAllDay,omitempty"`
	TimeZone  string    `json:"tz,omitempty"`
}

type contactName struct {
	Prefix     string `json:"prefix,omitempty"`
	GivenName  string `json:"givenName,omitempty"`
	MiddleName string `json:"middleName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
	Suffix     string `json:"suffix,omitempty"`
	Display    string `json:"display,omitempty"`
}

// Split splits it (normalized first) into its field groups. Zero-valued groups are left out. A nil item gives empty
// Fields; an item of a kind without field groups is one group, "item" (Join cannot rebuild it).
func Split(it Item) Fields {
	f := Fields{}
	if it == nil {
		return f
	}
	switch v := Normalize(it).(type) {
	case *Appointment:
		if v == nil {
			return f
		}
		f.put("uid", v.UID)
		f.put("title", v.Title)
		f.put("body", v.Body)
		f.put("location", v.Location)
		f.put("when", apptWhen{v.Start, v.End, v.TimeZone, v.EndTimeZone, v.AllDay})
		f.put("recurrence", v.Recurrence)
		f.put("organizer", v.Organizer)
		f.put("attendees", v.Attendees)
		f.put("showAs", v.ShowAs)
		f.put("private", v.Private)
		f.put("categories", v.Categories)
		f.put("reminder", v.Reminder)
		f.put("onlineMeetingUrl", v.OnlineMeetingURL)
		f.put("type", v.Type)
		f.put("links", v.Links)
	case *Task:
		if v == nil {
			return f
		}
		f.put("title", v.Title)
		f.put("body", v.Body)
		f.put("when", taskWhen{v.Start, v.Due, v.DueAllDay, v.TimeZone})
		f.put("completed", v.Completed)
		f.put("priority", v.Priority)
		f.put("private", v.Private)
		f.put("categories", v.Categories)
		f.put("reminder", v.Reminder)
		f.put("type", v.Type)
		f.put("links", v.Links)
	case *Contact:
		if v == nil {
			return f
		}
		f.put("name", contactName{v.Prefix, v.GivenName, v.MiddleName, v.FamilyName, v.Suffix, v.Display})
		f.put("company", v.Company)
		f.put("department", v.Department)
		f.put("jobTitle", v.JobTitle)
		f.put("emails", v.Emails)
		f.put("phones", v.Phones)
		f.put("addresses", v.Addresses)
		f.put("urls", v.URLs)
		f.put("birthday", v.Birthday)
		f.put("notes", v.Notes)
		f.put("categories", v.Categories)
		f.put("links", v.Links)
	case *Group:
		if v == nil {
			return f
		}
		f.put("name", v.Name)
		f.put("members", v.Members)
	default:
		// A kind without field groups yet is one group, so that changes are still seen (never merged).
		f.put("item", v)
	}
	return f
}

// put stores the JSON of v under name unless v is a zero value.
func (f Fields) put(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every group is plain data (strings, numbers, times in years 1..9999 after normalization); a time outside
		// what JSON can hold is the only way here. Keep the group distinguishable rather than dropping it.
		b, _ = json.Marshal(err.Error())
	}
	switch string(b) {
	case `""`, "null", "false", "[]", "{}", `"0001-01-01T00:00:00Z"`:
		return
	}
	f[name] = b
}

// FieldError reports a field group that Join could not read.
type FieldError struct {
	Kind  Kind
	Field string
	Err   error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("engine: %s field %q: %v", e.Kind, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Join builds an item of kind k from field groups, the inverse of Split: Join(k, Split(x)) equals Normalize(x).
// Missing groups are zero. An unknown kind, an unknown group name or a group that does not decode is an error
// naming it (*FieldError).
func Join(k Kind, f Fields) (Item, error) {
	names, ok := fieldNames[k]
	if !ok {
		return nil, fmt.Errorf("engine: unknown kind %q", k)
	}
	for name := range f {
		if !slices.Contains(names, name) {
			return nil, &FieldError{Kind: k, Field: name, Err: fmt.Errorf("unknown field group")}
		}
	}
	var err error
	get := func(name string, dst any) {
		raw, ok := f[name]
		if !ok || err != nil {
			return
		}
		if e := json.Unmarshal(raw, dst); e != nil {
			err = &FieldError{Kind: k, Field: name, Err: e}
		}
	}
	var it Item
	switch k {
	case KindAppointment:
		v := &Appointment{}
		var w apptWhen
		get("uid", &v.UID)
		get("title", &v.Title)
		get("body", &v.Body)
		get("location", &v.Location)
		get("when", &w)
		v.Start, v.End, v.TimeZone, v.EndTimeZone, v.AllDay = w.Start, w.End, w.TimeZone, w.EndTimeZone, w.AllDay
		get("recurrence", &v.Recurrence)
		get("organizer", &v.Organizer)
		get("attendees", &v.Attendees)
		get("showAs", &v.ShowAs)
		get("private", &v.Private)
		get("categories", &v.Categories)
		get("reminder", &v.Reminder)
		get("onlineMeetingUrl", &v.OnlineMeetingURL)
		get("type", &v.Type)
		get("links", &v.Links)
		it = v
	case KindTask:
		v := &Task{}
		var w taskWhen
		get("title", &v.Title)
		get("body", &v.Body)
		get("when", &w)
		v.Start, v.Due, v.DueAllDay, v.TimeZone = w.Start, w.Due, w.DueAllDay, w.TimeZone
		get("completed", &v.Completed)
		get("priority", &v.Priority)
		get("private", &v.Private)
		get("categories", &v.Categories)
		get("reminder", &v.Reminder)
		get("type", &v.Type)
		get("links", &v.Links)
		it = v
	case KindContact:
		v := &Contact{}
		var n contactName
		get("name", &n)
		v.Prefix, v.GivenName, v.MiddleName, v.FamilyName, v.Suffix, v.Display = n.Prefix, n.GivenName, n.MiddleName, n.FamilyName, n.Suffix, n.Display
		get("company", &v.Company)
		get("department", &v.Department)
		get("jobTitle", &v.JobTitle)
		get("emails", &v.Emails)
		get("phones", &v.Phones)
		get("addresses", &v.Addresses)
		get("urls", &v.URLs)
		get("birthday", &v.Birthday)
		get("notes", &v.Notes)
		get("categories", &v.Categories)
		get("links", &v.Links)
		it = v
	case KindGroup:
		v := &Group{}
		get("name", &v.Name)
		get("members", &v.Members)
		it = v
	}
	if err != nil {
		return nil, err
	}
	return Normalize(it), nil
}

// ChangedFields returns the sorted names of the groups whose values differ between base and cur (a group absent
// on one side and present on the other differs; absent on both does not).
func ChangedFields(base, cur Fields) []string {
	var out []string
	for name, b := range base {
		if c, ok := cur[name]; !ok || !bytes.Equal(b, c) {
			out = append(out, name)
		}
	}
	for name := range cur {
		if _, ok := base[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
