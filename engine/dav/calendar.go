package dav

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav/ical"
)

// Extension properties that carry fields iCalendar has no place for.
const (
	propType = "X-SYNCHRONIZER-TYPE"
	propLink = "X-SYNCHRONIZER-LINK"
)

// prodID is written into every VCALENDAR we create.
const prodID = "-//Synchronizer//Synchronizer//EN"

// decodeCalendar maps a calendar object resource (one VCALENDAR) to an Appointment (the VEVENT master with its
// RECURRENCE-ID overrides) or a Task (the VTODO).
func decodeCalendar(data []byte) (engine.Item, *ical.Component, error) {
	cal, err := ical.Parse(data)
	if err != nil {
		return nil, nil, err
	}
	if cal.Name != "VCALENDAR" {
		return nil, nil, fmt.Errorf("calendar data: want VCALENDAR, found %s", cal.Name)
	}
	item, err := calendarItem(cal)
	if err != nil {
		return nil, nil, err
	}
	return item, cal, nil
}

func calendarItem(cal *ical.Component) (engine.Item, error) {
	zt := newZoneTable(cal)
	events := cal.Sub("VEVENT")
	if len(events) > 0 {
		return decodeEvent(events, zt)
	}
	if todos := cal.Sub("VTODO"); len(todos) > 0 {
		return decodeTodo(todos[0], zt)
	}
	return nil, &engine.ItemError{Field: "kind", Err: errors.New("calendar data holds neither VEVENT nor VTODO")}
}

func fieldErr(field string, err error) error {
	return &engine.ItemError{Field: field, Err: err}
}

func decodeEvent(events []*ical.Component, zt *zoneTable) (*engine.Appointment, error) {
	var master *ical.Component
	var overrides []*ical.Component
	for _, ev := range events {
		if ev.Prop("RECURRENCE-ID") != nil {
			overrides = append(overrides, ev)
			continue
		}
		if master != nil {
			return nil, fieldErr("uid", errors.New("the resource holds more than one VEVENT without RECURRENCE-ID"))
		}
		master = ev
	}
	if master == nil {
		return nil, fieldErr("recurrence", errors.New("the resource holds only RECURRENCE-ID overrides and no master VEVENT"))
	}
	a, err := decodeEventFields(master, zt)
	if err != nil {
		return nil, err
	}
	loc := zoneOf(a)
	if r := master.Prop("RRULE"); r != nil {
		rule, err := parseRRule(r.Value, loc, a.AllDay)
		if err != nil {
			return nil, fieldErr("recurrence", err)
		}
		a.Recurrence = rule
	}
	for _, p := range master.All("RDATE") {
		ts, err := dateList(p, zt, loc)
		if err != nil {
			return nil, fieldErr("recurrence.dates", err)
		}
		if a.Recurrence == nil {
			a.Recurrence = &engine.Rule{Freq: engine.Daily, Count: 1, WeekStart: time.Monday}
		}
		a.Recurrence.Dates = append(a.Recurrence.Dates, ts...)
	}
	for _, p := range master.All("EXDATE") {
		ts, err := dateList(p, zt, loc)
		if err != nil {
			return nil, fieldErr("recurrence.excluded", err)
		}
		if a.Recurrence != nil {
			a.Recurrence.Excluded = append(a.Recurrence.Excluded, ts...)
		}
	}
	for _, ov := range overrides {
		rid := ov.Prop("RECURRENCE-ID")
		orig, err := propTime(rid, zt, loc)
		if err != nil {
			return nil, fieldErr("recurrence.overrides", err)
		}
		o, err := decodeEventFields(ov, zt)
		if err != nil {
			return nil, fmt.Errorf("override %s: %w", rid.Value, err)
		}
		if a.Recurrence == nil {
			return nil, fieldErr("recurrence.overrides", fmt.Errorf("override %s of a VEVENT without RRULE or RDATE", rid.Value))
		}
		o.UID = ""
		a.Recurrence.Overrides = append(a.Recurrence.Overrides, engine.Override{OriginalStart: orig, Item: o})
	}
	if a.Recurrence != nil {
		slices.SortFunc(a.Recurrence.Overrides, func(x, y engine.Override) int { return x.OriginalStart.Compare(y.OriginalStart) })
	}
	return a, nil
}

func zoneOf(a *engine.Appointment) *time.Location {
	if a.TimeZone != "" {
		if loc, ok := loadIANA(a.TimeZone); ok {
			return loc
		}
	}
	return time.UTC
}

// propTime reads a DATE or DATE-TIME property with its TZID.
func propTime(p *ical.Prop, zt *zoneTable, floating *time.Location) (time.Time, error) {
	t, _, _, err := propTimeZone(p, zt, floating)
	return t, err
}

func propTimeZone(p *ical.Prop, zt *zoneTable, floating *time.Location) (time.Time, bool, string, error) {
	loc := floating
	name := ""
	if tzid := p.Param("TZID"); tzid != "" {
		r, err := zt.resolve(tzid)
		if err != nil {
			return time.Time{}, false, "", fmt.Errorf("%s: %w", p.Name, err)
		}
		loc, name = r.loc, r.name
	}
	t, allDay, err := parseDateTimeValue(p.Value, loc)
	if err != nil {
		return time.Time{}, false, "", fmt.Errorf("%s: %w", p.Name, err)
	}
	if strings.EqualFold(p.Param("VALUE"), "DATE") && !allDay {
		return time.Time{}, false, "", fmt.Errorf("%s: VALUE=DATE with a date-time %q", p.Name, p.Value)
	}
	if allDay || strings.HasSuffix(strings.ToUpper(p.Value), "Z") {
		name = ""
	}
	return t, allDay, name, nil
}

func dateList(p *ical.Prop, zt *zoneTable, floating *time.Location) ([]time.Time, error) {
	var out []time.Time
	for _, v := range strings.Split(p.Value, ",") {
		if i := strings.IndexByte(v, '/'); i >= 0 {
			v = v[:i] // PERIOD: its start
		}
		q := ical.Prop{Name: p.Name, Params: p.Params, Value: v}
		t, err := propTime(&q, zt, floating)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func decodeEventFields(ev *ical.Component, zt *zoneTable) (*engine.Appointment, error) {
	a := &engine.Appointment{}
	if p := ev.Prop("UID"); p != nil {
		a.UID = p.Value
	}
	a.Title = textOf(ev, "SUMMARY")
	a.Body = textOf(ev, "DESCRIPTION")
	a.Location = textOf(ev, "LOCATION")
	ds := ev.Prop("DTSTART")
	if ds == nil {
		return nil, fieldErr("start", errors.New("VEVENT has no DTSTART"))
	}
	start, allDay, tz, err := propTimeZone(ds, zt, time.UTC)
	if err != nil {
		return nil, fieldErr("start", err)
	}
	a.Start, a.AllDay, a.TimeZone = start, allDay, tz
	switch {
	case ev.Prop("DTEND") != nil:
		end, _, etz, err := propTimeZone(ev.Prop("DTEND"), zt, zoneOf(a))
		if err != nil {
			return nil, fieldErr("end", err)
		}
		a.End = end
		if etz != a.TimeZone && !allDay && etz != "" {
			a.EndTimeZone = etz
		}
	case ev.Prop("DURATION") != nil:
		d, err := parseDuration(ev.Prop("DURATION").Value)
		if err != nil {
			return nil, fieldErr("end", err)
		}
		a.End = a.Start.Add(d)
	case allDay:
		a.End = a.Start.AddDate(0, 0, 1)
	default:
		a.End = a.Start
	}
	if a.End.Before(a.Start) {
		return nil, fieldErr("end", fmt.Errorf("DTEND %s is before DTSTART %s", a.End.Format(time.RFC3339), a.Start.Format(time.RFC3339)))
	}
	if p := ev.Prop("ORGANIZER"); p != nil {
		o := attendeeOf(p)
		o.Response = engine.ResponseOrganizer
		o.Role = ""
		a.Organizer = &o
	}
	for _, p := range ev.All("ATTENDEE") {
		a.Attendees = append(a.Attendees, attendeeOf(p))
	}
	a.ShowAs = showAsOf(ev)
	a.Private = isPrivate(ev)
	a.Categories = categoriesOf(ev)
	a.Reminder = reminderOf(ev, false, false)
	for _, n := range []string{"CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGCONFLINK"} {
		if p := ev.Prop(n); p != nil && p.Value != "" {
			a.OnlineMeetingURL = p.Value
			break
		}
	}
	a.Type = textOf(ev, propType)
	links, err := linksOf(ev)
	if err != nil {
		return nil, err
	}
	a.Links = links
	return a, nil
}

func textOf(c *ical.Component, name string) string {
	if p := c.Prop(name); p != nil {
		return p.Text()
	}
	return ""
}

func attendeeOf(p *ical.Prop) engine.Attendee {
	a := engine.Attendee{Name: p.Param("CN")}
	v := p.Value
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	a.Email = strings.ToLower(strings.TrimSpace(v))
	switch strings.ToUpper(p.Param("CUTYPE")) {
	case "RESOURCE", "ROOM":
		a.Role = engine.RoleResource
	}
	if a.Role == "" && strings.EqualFold(p.Param("ROLE"), "OPT-PARTICIPANT") {
		a.Role = engine.RoleOptional
	}
	switch strings.ToUpper(p.Param("PARTSTAT")) {
	case "ACCEPTED":
		a.Response = engine.ResponseAccepted
	case "TENTATIVE":
		a.Response = engine.ResponseTentative
	case "DECLINED":
		a.Response = engine.ResponseDeclined
	}
	return a
}

func showAsOf(ev *ical.Component) engine.ShowAs {
	if p := ev.Prop("X-MICROSOFT-CDO-BUSYSTATUS"); p != nil {
		switch strings.ToUpper(p.Value) {
		case "FREE":
			return engine.ShowFree
		case "TENTATIVE":
			return engine.ShowTentative
		case "OOF":
			return engine.ShowOutOfOffice
		case "WORKINGELSEWHERE":
			return engine.ShowWorkingElsewhere
		case "BUSY":
			return engine.ShowBusy
		}
	}
	if p := ev.Prop("TRANSP"); p != nil && strings.EqualFold(p.Value, "TRANSPARENT") {
		return engine.ShowFree
	}
	return engine.ShowBusy
}

func isPrivate(c *ical.Component) bool {
	p := c.Prop("CLASS")
	return p != nil && (strings.EqualFold(p.Value, "PRIVATE") || strings.EqualFold(p.Value, "CONFIDENTIAL"))
}

func categoriesOf(c *ical.Component) []string {
	var out []string
	for _, p := range c.All("CATEGORIES") {
		for _, v := range ical.SplitUnescaped(p.Value, ',') {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// reminderOf reads the first VALARM with a relative trigger as the time before the start (or before the end, for
// a task, when relatedEnd says reminders are relative to DUE).
func reminderOf(c *ical.Component, task, hasStart bool) *engine.Duration {
	for _, al := range c.Sub("VALARM") {
		tr := al.Prop("TRIGGER")
		if tr == nil || strings.EqualFold(tr.Param("VALUE"), "DATE-TIME") {
			continue
		}
		d, err := parseDuration(tr.Value)
		if err != nil {
			continue
		}
		if task && hasStart && !strings.EqualFold(tr.Param("RELATED"), "END") {
			continue // relative to DTSTART of a task: not a reminder before Due
		}
		return engine.DurationOf(-d)
	}
	return nil
}

func linksOf(c *ical.Component) ([]engine.CRMLink, error) {
	var out []engine.CRMLink
	for _, p := range c.All(propLink) {
		l := engine.CRMLink{Type: engine.LinkType(p.Param("X-LINK-TYPE")), ID: ical.Unescape(p.Value), Name: p.Param("X-LINK-NAME")}
		if l.Type == "" || l.ID == "" {
			return nil, fieldErr("links", fmt.Errorf("%s needs X-LINK-TYPE and a value", propLink))
		}
		out = append(out, l)
	}
	return out, nil
}

func decodeTodo(td *ical.Component, zt *zoneTable) (*engine.Task, error) {
	t := &engine.Task{Title: textOf(td, "SUMMARY"), Body: textOf(td, "DESCRIPTION")}
	var startTZ string
	if p := td.Prop("DTSTART"); p != nil {
		s, _, tz, err := propTimeZone(p, zt, time.UTC)
		if err != nil {
			return nil, fieldErr("start", err)
		}
		t.Start, startTZ = s, tz
	}
	if p := td.Prop("DUE"); p != nil {
		d, allDay, tz, err := propTimeZone(p, zt, time.UTC)
		if err != nil {
			return nil, fieldErr("due", err)
		}
		t.Due, t.DueAllDay, t.TimeZone = d, allDay, tz
	} else if p := td.Prop("DURATION"); p != nil && !t.Start.IsZero() {
		d, err := parseDuration(p.Value)
		if err != nil {
			return nil, fieldErr("due", err)
		}
		t.Due = t.Start.Add(d)
	}
	if t.TimeZone == "" {
		t.TimeZone = startTZ
	}
	if p := td.Prop("COMPLETED"); p != nil {
		c, err := propTime(p, zt, time.UTC)
		if err != nil {
			return nil, fieldErr("completed", err)
		}
		t.Completed = c
	} else if p := td.Prop("STATUS"); p != nil && strings.EqualFold(p.Value, "COMPLETED") {
		if lm := td.Prop("LAST-MODIFIED"); lm != nil {
			t.Completed, _ = propTime(lm, zt, time.UTC)
		}
		if t.Completed.IsZero() {
			t.Completed = time.Unix(0, 0).UTC()
		}
	}
	if p := td.Prop("PRIORITY"); p != nil {
		n, err := strconv.Atoi(strings.TrimSpace(p.Value))
		if err != nil || n < 0 || n > 9 {
			return nil, fieldErr("priority", fmt.Errorf("PRIORITY %q is not 0..9", p.Value))
		}
		switch {
		case n >= 1 && n <= 4:
			t.Priority = engine.PriorityHigh
		case n >= 6:
			t.Priority = engine.PriorityLow
		}
	}
	t.Private = isPrivate(td)
	t.Categories = categoriesOf(td)
	t.Reminder = reminderOf(td, true, td.Prop("DTSTART") != nil)
	t.Type = textOf(td, propType)
	links, err := linksOf(td)
	if err != nil {
		return nil, err
	}
	t.Links = links
	return t, nil
}

// encodeCalendar writes item as a calendar object resource. When base (the VCALENDAR last read from the server)
// is given, the result is base with the mapped properties of the changed fields replaced: every property,
// parameter and component we do not map survives, and fields that did not change keep their exact wire form.
func encodeCalendar(base *ical.Component, item engine.Item, uid string, now time.Time) (*ical.Component, error) {
	var cal *ical.Component
	if base != nil {
		cal = base.Clone()
	} else {
		cal = &ical.Component{Name: "VCALENDAR", Props: []ical.Prop{{Name: "VERSION", Value: "2.0"}, {Name: "PRODID", Value: prodID}}}
	}
	stamp := now.UTC().Format("20060102T150405Z")
	switch it := item.(type) {
	case *engine.Appointment:
		if err := encodeAppointment(cal, it, uid, stamp); err != nil {
			return nil, err
		}
	case *engine.Task:
		if err := encodeTask(cal, it, uid, stamp); err != nil {
			return nil, err
		}
	default:
		return nil, fieldErr("kind", fmt.Errorf("a calendar cannot hold a %T", item))
	}
	syncTimezones(cal)
	return cal, nil
}

func same(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// canonAppointment returns a copy of a with every instant in UTC, so that field comparisons do not depend on the
// location a time carries.
func canonAppointment(a *engine.Appointment) *engine.Appointment {
	c := *a
	c.Start, c.End = utc(a.Start), utc(a.End)
	if a.Recurrence != nil {
		r := *a.Recurrence
		r.Until = utc(r.Until)
		r.Dates = utcs(r.Dates)
		r.Excluded = utcs(r.Excluded)
		r.Overrides = nil
		for _, o := range a.Recurrence.Overrides {
			var it *engine.Appointment
			if o.Item != nil {
				it = canonAppointment(o.Item)
			}
			r.Overrides = append(r.Overrides, engine.Override{OriginalStart: utc(o.OriginalStart), Item: it})
		}
		if r.Interval == 1 {
			r.Interval = 0
		}
		c.Recurrence = &r
	}
	return &c
}

func utcs(ts []time.Time) []time.Time {
	if len(ts) == 0 {
		return nil
	}
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.UTC()
	}
	return out
}

func encodeAppointment(cal *ical.Component, a *engine.Appointment, uid, stamp string) error {
	if a.Start.IsZero() {
		return fieldErr("start", errors.New("an appointment needs a start"))
	}
	if a.End.Before(a.Start) {
		return fieldErr("end", errors.New("the end is before the start"))
	}
	if a.UID != "" {
		uid = a.UID
	}
	a = canonAppointment(a)
	var master *ical.Component
	var old *engine.Appointment
	zt := newZoneTable(cal)
	events := cal.Sub("VEVENT")
	for _, ev := range events {
		if ev.Prop("RECURRENCE-ID") == nil {
			master = ev
		}
	}
	if master != nil {
		if o, err := decodeEvent(events, zt); err == nil {
			old = canonAppointment(o)
		}
	} else {
		master = &ical.Component{Name: "VEVENT"}
		cal.Children = append(cal.Children, master)
	}
	var oldFields *engine.Appointment
	if old != nil {
		oldFields = old
	}
	if oldFields != nil && oldFields.UID != "" && uid != oldFields.UID && a.UID == "" {
		uid = oldFields.UID
	}
	changed := writeEventFields(master, oldFields, a, uid)
	loc := zoneOf(a)
	var oldRule *engine.Rule
	if old != nil {
		oldRule = old.Recurrence
	}
	if oldRule == nil || a.Recurrence == nil || !same(ruleCore(oldRule), ruleCore(a.Recurrence)) || !same(oldRule.Dates, a.Recurrence.Dates) ||
		!same(oldRule.Excluded, a.Recurrence.Excluded) || old.AllDay != a.AllDay || old.TimeZone != a.TimeZone {
		if oldRule != nil || a.Recurrence != nil {
			changed = true
			master.Remove("RRULE", "RDATE", "EXDATE")
			if r := a.Recurrence; r != nil {
				if r.Freq == "" {
					return fieldErr("recurrence", errors.New("a recurrence needs a frequency"))
				}
				if r.Count != 1 || r.Freq != engine.Daily || len(r.Dates) == 0 {
					master.Add(ical.Prop{Name: "RRULE", Value: formatRRule(r, a.AllDay)})
				}
				if len(r.Dates) > 0 {
					master.Add(dateListProp("RDATE", r.Dates, a.AllDay, a.TimeZone, loc))
				}
				if len(r.Excluded) > 0 {
					master.Add(dateListProp("EXDATE", r.Excluded, a.AllDay, a.TimeZone, loc))
				}
			}
		}
	}
	// Overrides: merge each into the VEVENT with the same RECURRENCE-ID, add new ones, drop removed ones.
	var keep []*ical.Component
	oldOv := map[int64]*ical.Component{}
	for _, ev := range events {
		if rid := ev.Prop("RECURRENCE-ID"); rid != nil {
			if t, err := propTime(rid, zt, loc); err == nil {
				oldOv[t.Unix()] = ev
			}
		}
	}
	var oldItems = map[int64]*engine.Appointment{}
	if old != nil && old.Recurrence != nil {
		for _, o := range old.Recurrence.Overrides {
			oldItems[o.OriginalStart.Unix()] = o.Item
		}
	}
	if a.Recurrence != nil {
		for _, o := range a.Recurrence.Overrides {
			if o.Item == nil {
				continue
			}
			ev, ok := oldOv[o.OriginalStart.Unix()]
			if !ok {
				ev = &ical.Component{Name: "VEVENT", Props: []ical.Prop{
					dateProp("RECURRENCE-ID", o.OriginalStart, a.AllDay, a.TimeZone, loc),
				}}
				oldItems[o.OriginalStart.Unix()] = nil
			}
			delete(oldOv, o.OriginalStart.Unix())
			oi := *o.Item
			oi.UID = ""
			if writeEventFields(ev, oldItems[o.OriginalStart.Unix()], &oi, uid) {
				changed = true
				setStamp(ev, stamp)
			}
			keep = append(keep, ev)
		}
	}
	if len(oldOv) > 0 {
		changed = true
	}
	// Rebuild the children: everything but VEVENTs in place, then the master, then the overrides.
	var children []*ical.Component
	for _, ch := range cal.Children {
		if ch.Name != "VEVENT" {
			children = append(children, ch)
		}
	}
	children = append(children, master)
	children = append(children, keep...)
	cal.Children = children
	if changed || master.Prop("DTSTAMP") == nil {
		setStamp(master, stamp)
	}
	return nil
}

func setStamp(ev *ical.Component, stamp string) {
	ev.Set(ical.Prop{Name: "DTSTAMP", Value: stamp})
}

// ruleCore is the rule without its exceptions, for comparisons.
func ruleCore(r *engine.Rule) engine.Rule {
	c := *r
	c.Dates, c.Excluded, c.Overrides = nil, nil, nil
	if c.Interval == 1 {
		c.Interval = 0
	}
	return c
}

// writeEventFields writes the mapped fields of a into ev, group by group, leaving groups that equal old alone.
// It reports whether anything changed.
func writeEventFields(ev *ical.Component, old, a *engine.Appointment, uid string) bool {
	changed := false
	if uid != "" && (ev.Prop("UID") == nil || ev.Prop("UID").Value != uid) {
		ev.Set(ical.Prop{Name: "UID", Value: uid})
		changed = true
	}
	loc := zoneOf(a)
	group := func(eq bool, names []string, write func()) {
		if old != nil && eq {
			return
		}
		if old == nil && ev.Prop(names[0]) == nil {
			// New component or a field that was never there: write it only when it has a value.
			ev.Remove(names...)
			write()
			changed = changed || ev.Prop(names[0]) != nil
			return
		}
		ev.Remove(names...)
		write()
		changed = true
	}
	text := func(name, oldV, newV string) {
		group(oldV == newV, []string{name}, func() {
			if newV != "" {
				ev.Add(ical.Prop{Name: name, Value: ical.Escape(newV)})
			}
		})
	}
	var o engine.Appointment
	if old != nil {
		o = *old
	}
	text("SUMMARY", o.Title, a.Title)
	text("DESCRIPTION", o.Body, a.Body)
	text("LOCATION", o.Location, a.Location)
	timesEq := o.Start.Equal(a.Start) && o.End.Equal(a.End) && o.AllDay == a.AllDay && o.TimeZone == a.TimeZone && o.EndTimeZone == a.EndTimeZone
	group(timesEq, []string{"DTSTART", "DTEND", "DURATION"}, func() {
		ev.Add(dateProp("DTSTART", a.Start, a.AllDay, a.TimeZone, loc))
		endZone, endLoc := a.TimeZone, loc
		if a.EndTimeZone != "" {
			if l, ok := loadIANA(a.EndTimeZone); ok {
				endZone, endLoc = a.EndTimeZone, l
			}
		}
		ev.Add(dateProp("DTEND", a.End, a.AllDay, endZone, endLoc))
	})
	group(same(o.Organizer, a.Organizer) && same(o.Attendees, a.Attendees), []string{"ORGANIZER", "ATTENDEE"}, func() {
		if a.Organizer != nil && a.Organizer.Email != "" {
			ev.Add(attendeeProp("ORGANIZER", *a.Organizer))
		}
		for _, at := range a.Attendees {
			if at.Email != "" {
				ev.Add(attendeeProp("ATTENDEE", at))
			}
		}
	})
	group(o.ShowAs == a.ShowAs, []string{"TRANSP", "X-MICROSOFT-CDO-BUSYSTATUS"}, func() {
		if a.ShowAs == engine.ShowFree {
			ev.Add(ical.Prop{Name: "TRANSP", Value: "TRANSPARENT"})
		} else if old != nil || a.ShowAs != engine.ShowBusy {
			ev.Add(ical.Prop{Name: "TRANSP", Value: "OPAQUE"})
		}
		switch a.ShowAs {
		case engine.ShowTentative:
			ev.Add(ical.Prop{Name: "X-MICROSOFT-CDO-BUSYSTATUS", Value: "TENTATIVE"})
		case engine.ShowOutOfOffice:
			ev.Add(ical.Prop{Name: "X-MICROSOFT-CDO-BUSYSTATUS", Value: "OOF"})
		case engine.ShowWorkingElsewhere:
			ev.Add(ical.Prop{Name: "X-MICROSOFT-CDO-BUSYSTATUS", Value: "WORKINGELSEWHERE"})
		}
	})
	writeCommon(ev, old != nil, &changed, o.Private, a.Private, o.Categories, a.Categories, o.Type, a.Type, o.Links, a.Links)
	group(o.OnlineMeetingURL == a.OnlineMeetingURL, []string{"CONFERENCE"}, func() {
		if a.OnlineMeetingURL != "" {
			ev.Add(ical.Prop{Name: "CONFERENCE", Params: []ical.Param{{Name: "VALUE", Values: []string{"URI"}}}, Value: a.OnlineMeetingURL})
		}
	})
	if old == nil || !same(o.Reminder, a.Reminder) {
		if writeReminder(ev, a.Reminder, false) {
			changed = true
		}
	}
	return changed
}

// writeCommon writes the fields events and tasks share: CLASS, CATEGORIES, the CRM type and links.
func writeCommon(c *ical.Component, haveOld bool, changed *bool, oldPriv, priv bool, oldCats, cats []string, oldType, typ string, oldLinks, links []engine.CRMLink) {
	if !haveOld || oldPriv != priv {
		had := c.Prop("CLASS") != nil
		c.Remove("CLASS")
		if priv {
			c.Add(ical.Prop{Name: "CLASS", Value: "PRIVATE"})
		} else if had {
			c.Add(ical.Prop{Name: "CLASS", Value: "PUBLIC"})
		}
		*changed = *changed || haveOld || priv
	}
	if !haveOld || !same(oldCats, cats) {
		c.Remove("CATEGORIES")
		if len(cats) > 0 {
			c.Add(ical.Prop{Name: "CATEGORIES", Value: ical.JoinEscaped(cats, ",")})
		}
		*changed = *changed || haveOld || len(cats) > 0
	}
	if !haveOld || oldType != typ {
		c.Remove(propType)
		if typ != "" {
			c.Add(ical.Prop{Name: propType, Value: ical.Escape(typ)})
		}
		*changed = *changed || haveOld || typ != ""
	}
	if !haveOld || !same(oldLinks, links) {
		c.Remove(propLink)
		for _, l := range links {
			p := ical.Prop{Name: propLink, Params: []ical.Param{{Name: "X-LINK-TYPE", Values: []string{string(l.Type)}}}, Value: ical.Escape(l.ID)}
			if l.Name != "" {
				p.Params = append(p.Params, ical.Param{Name: "X-LINK-NAME", Values: []string{l.Name}})
			}
			c.Add(p)
		}
		*changed = *changed || haveOld || len(links) > 0
	}
}

// writeReminder replaces the first relative-trigger VALARM with one for reminder (or removes it when nil). Other
// alarms (absolute triggers, e-mail alarms) stay. It reports whether it changed anything.
func writeReminder(c *ical.Component, reminder *engine.Duration, relatedEnd bool) bool {
	idx := -1
	for i, al := range c.Children {
		if al.Name != "VALARM" {
			continue
		}
		if tr := al.Prop("TRIGGER"); tr != nil && !strings.EqualFold(tr.Param("VALUE"), "DATE-TIME") {
			idx = i
			break
		}
	}
	if reminder == nil {
		if idx < 0 {
			return false
		}
		c.Children = append(c.Children[:idx], c.Children[idx+1:]...)
		return true
	}
	trig := ical.Prop{Name: "TRIGGER", Value: formatDuration(-reminder.D())}
	if relatedEnd {
		trig.Params = []ical.Param{{Name: "RELATED", Values: []string{"END"}}}
	}
	if idx >= 0 {
		c.Children[idx].Set(trig)
		return true
	}
	c.Children = append(c.Children, &ical.Component{Name: "VALARM", Props: []ical.Prop{
		{Name: "ACTION", Value: "DISPLAY"}, {Name: "DESCRIPTION", Value: "Reminder"}, trig,
	}})
	return true
}

func attendeeProp(name string, a engine.Attendee) ical.Prop {
	p := ical.Prop{Name: name, Value: "mailto:" + a.Email}
	if a.Name != "" {
		p.Params = append(p.Params, ical.Param{Name: "CN", Values: []string{a.Name}})
	}
	if name == "ATTENDEE" {
		switch a.Role {
		case engine.RoleOptional:
			p.Params = append(p.Params, ical.Param{Name: "ROLE", Values: []string{"OPT-PARTICIPANT"}})
		case engine.RoleResource:
			p.Params = append(p.Params, ical.Param{Name: "CUTYPE", Values: []string{"RESOURCE"}})
		default:
			p.Params = append(p.Params, ical.Param{Name: "ROLE", Values: []string{"REQ-PARTICIPANT"}})
		}
		ps := "NEEDS-ACTION"
		switch a.Response {
		case engine.ResponseAccepted, engine.ResponseOrganizer:
			ps = "ACCEPTED"
		case engine.ResponseTentative:
			ps = "TENTATIVE"
		case engine.ResponseDeclined:
			ps = "DECLINED"
		}
		p.Params = append(p.Params, ical.Param{Name: "PARTSTAT", Values: []string{ps}})
	}
	return p
}

// dateProp writes a DATE (all-day), a UTC DATE-TIME (no zone) or a local DATE-TIME with TZID.
func dateProp(name string, t time.Time, allDay bool, zone string, loc *time.Location) ical.Prop {
	switch {
	case allDay:
		return ical.Prop{Name: name, Params: []ical.Param{{Name: "VALUE", Values: []string{"DATE"}}}, Value: t.UTC().Format("20060102")}
	case zone == "" || loc == time.UTC:
		return ical.Prop{Name: name, Value: t.UTC().Format("20060102T150405Z")}
	}
	return ical.Prop{Name: name, Params: []ical.Param{{Name: "TZID", Values: []string{zone}}}, Value: t.In(loc).Format("20060102T150405")}
}

func dateListProp(name string, ts []time.Time, allDay bool, zone string, loc *time.Location) ical.Prop {
	p := dateProp(name, ts[0], allDay, zone, loc)
	vals := make([]string, len(ts))
	for i, t := range ts {
		vals[i] = dateProp(name, t, allDay, zone, loc).Value
	}
	p.Value = strings.Join(vals, ",")
	return p
}

func encodeTask(cal *ical.Component, t *engine.Task, uid, stamp string) error {
	var td *ical.Component
	for _, ch := range cal.Children {
		if ch.Name == "VTODO" {
			td = ch
			break
		}
	}
	var old *engine.Task
	if td != nil {
		if o, err := decodeTodo(td, newZoneTable(cal)); err == nil {
			old = o
		}
		if p := td.Prop("UID"); p != nil && p.Value != "" {
			uid = p.Value
		}
	} else {
		td = &ical.Component{Name: "VTODO"}
		cal.Children = append(cal.Children, td)
	}
	changed := false
	if td.Prop("UID") == nil || td.Prop("UID").Value != uid {
		td.Set(ical.Prop{Name: "UID", Value: uid})
		changed = true
	}
	var o engine.Task
	if old != nil {
		o = *old
	}
	text := func(name, ov, nv string) {
		if old != nil && ov == nv {
			return
		}
		td.Remove(name)
		if nv != "" {
			td.Add(ical.Prop{Name: name, Value: ical.Escape(nv)})
		}
		changed = true
	}
	text("SUMMARY", o.Title, t.Title)
	text("DESCRIPTION", o.Body, t.Body)
	loc := time.UTC
	if t.TimeZone != "" {
		if l, ok := loadIANA(t.TimeZone); ok {
			loc = l
		}
	}
	if old == nil || !o.Start.Equal(t.Start) || !o.Due.Equal(t.Due) || o.DueAllDay != t.DueAllDay || o.TimeZone != t.TimeZone {
		td.Remove("DTSTART", "DUE", "DURATION")
		if !t.Start.IsZero() {
			td.Add(dateProp("DTSTART", t.Start, t.DueAllDay, t.TimeZone, loc))
		}
		if !t.Due.IsZero() {
			td.Add(dateProp("DUE", t.Due, t.DueAllDay, t.TimeZone, loc))
		}
		changed = true
	}
	if old == nil || !o.Completed.Equal(t.Completed) {
		td.Remove("COMPLETED", "STATUS", "PERCENT-COMPLETE")
		if !t.Completed.IsZero() {
			td.Add(ical.Prop{Name: "COMPLETED", Value: t.Completed.UTC().Format("20060102T150405Z")})
			td.Add(ical.Prop{Name: "STATUS", Value: "COMPLETED"})
			td.Add(ical.Prop{Name: "PERCENT-COMPLETE", Value: "100"})
		} else {
			td.Add(ical.Prop{Name: "STATUS", Value: "NEEDS-ACTION"})
		}
		changed = true
	}
	if old == nil || o.Priority != t.Priority {
		td.Remove("PRIORITY")
		switch t.Priority {
		case engine.PriorityHigh:
			td.Add(ical.Prop{Name: "PRIORITY", Value: "1"})
		case engine.PriorityLow:
			td.Add(ical.Prop{Name: "PRIORITY", Value: "9"})
		default:
			if old != nil {
				td.Add(ical.Prop{Name: "PRIORITY", Value: "5"})
			}
		}
		changed = true
	}
	writeCommon(td, old != nil, &changed, o.Private, t.Private, o.Categories, t.Categories, o.Type, t.Type, o.Links, t.Links)
	if old == nil || !same(o.Reminder, t.Reminder) {
		if writeReminder(td, t.Reminder, true) {
			changed = true
		}
	}
	if changed || td.Prop("DTSTAMP") == nil {
		setStamp(td, stamp)
	}
	return nil
}

// syncTimezones makes the VTIMEZONE components match the TZIDs in use: a generated VTIMEZONE for every TZID that
// has none, and no VTIMEZONE that nothing refers to.
func syncTimezones(cal *ical.Component) {
	used := map[string]int{} // TZID → earliest year used
	var walk func(c *ical.Component)
	walk = func(c *ical.Component) {
		if c.Name == "VTIMEZONE" {
			return
		}
		for _, p := range c.Props {
			if tz := p.Param("TZID"); tz != "" {
				y := time.Now().Year()
				if len(p.Value) >= 4 {
					if n, err := strconv.Atoi(p.Value[:4]); err == nil && n > 1900 && n < 2200 {
						y = n
					}
				}
				if cur, ok := used[tz]; !ok || y < cur {
					used[tz] = y
				}
			}
		}
		for _, ch := range c.Children {
			walk(ch)
		}
	}
	walk(cal)
	have := map[string]bool{}
	var children []*ical.Component
	for _, ch := range cal.Children {
		if ch.Name == "VTIMEZONE" {
			id := ""
			if p := ch.Prop("TZID"); p != nil {
				id = p.Value
			}
			if _, ok := used[id]; !ok {
				continue
			}
			have[id] = true
		}
		children = append(children, ch)
	}
	var add []*ical.Component
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !have[id] {
			add = append(add, vtimezone(id, used[id]))
		}
	}
	cal.Children = append(add, children...)
}
