package msgraph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Graph's dateTimeTimeZone format.
const graphDateTime = "2006-01-02T15:04:05.0000000"

type dateTimeTZ struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

type emailAddress struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
}

type recipient struct {
	EmailAddress emailAddress `json:"emailAddress"`
}

type attendee struct {
	Type         string       `json:"type,omitempty"`
	EmailAddress emailAddress `json:"emailAddress"`
	Status       *struct {
		Response string `json:"response"`
	} `json:"status,omitempty"`
}

type extProp struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

type recurrencePattern struct {
	Type           string   `json:"type"`
	Interval       int      `json:"interval"`
	Month          int      `json:"month,omitempty"`
	DayOfMonth     int      `json:"dayOfMonth,omitempty"`
	DaysOfWeek     []string `json:"daysOfWeek,omitempty"`
	FirstDayOfWeek string   `json:"firstDayOfWeek,omitempty"`
	Index          string   `json:"index,omitempty"`
}

type recurrenceRange struct {
	Type                string `json:"type"`
	StartDate           string `json:"startDate"`
	EndDate             string `json:"endDate,omitempty"`
	RecurrenceTimeZone  string `json:"recurrenceTimeZone,omitempty"`
	NumberOfOccurrences int    `json:"numberOfOccurrences,omitempty"`
}

type patternedRecurrence struct {
	Pattern recurrencePattern `json:"pattern"`
	Range   recurrenceRange   `json:"range"`
}

type graphEvent struct {
	ID                         string                        `json:"id"`
	ETag                       string                        `json:"@odata.etag"`
	ChangeKey                  string                        `json:"changeKey"`
	ICalUID                    string                        `json:"iCalUId"`
	TransactionID              string                        `json:"transactionId"`
	Type                       string                        `json:"type"`
	SeriesMasterID             string                        `json:"seriesMasterId"`
	Subject                    string                        `json:"subject"`
	Body                       *itemBody                     `json:"body"`
	Location                   *struct{ DisplayName string } `json:"location"`
	Start                      *dateTimeTZ                   `json:"start"`
	End                        *dateTimeTZ                   `json:"end"`
	OriginalStartTimeZone      string                        `json:"originalStartTimeZone"`
	OriginalEndTimeZone        string                        `json:"originalEndTimeZone"`
	IsAllDay                   bool                          `json:"isAllDay"`
	ShowAs                     string                        `json:"showAs"`
	Sensitivity                string                        `json:"sensitivity"`
	Categories                 []string                      `json:"categories"`
	IsReminderOn               bool                          `json:"isReminderOn"`
	ReminderMinutesBeforeStart int                           `json:"reminderMinutesBeforeStart"`
	Organizer                  *recipient                    `json:"organizer"`
	Attendees                  []attendee                    `json:"attendees"`
	OnlineMeeting              *struct {
		JoinURL string `json:"joinUrl"`
	} `json:"onlineMeeting"`
	Recurrence *patternedRecurrence `json:"recurrence"`
	Props      []extProp            `json:"singleValueExtendedProperties"`
}

type itemBody struct {
	ContentType string `json:"contentType"`
	Content     string `json:"content"`
}

func propValue(props []extProp, id string) string {
	for _, p := range props {
		if strings.EqualFold(p.ID, id) {
			return p.Value
		}
	}
	return ""
}

// zoneName maps a Graph time zone (a Windows name or an IANA name) to IANA; ok is false for unknown names.
func zoneName(tz string) (string, bool) {
	if tz == "" || strings.EqualFold(tz, "UTC") || strings.EqualFold(tz, "tzone://Microsoft/Utc") {
		return "", true
	}
	if iana, ok := engine.IANAFromWindows(tz, ""); ok {
		return iana, true
	}
	if c, err := engine.CanonicalZone(tz); err == nil {
		return c, true
	}
	return "", false
}

// parseDT reads a dateTimeTimeZone as an instant.
func parseDT(d *dateTimeTZ, field string) (time.Time, error) {
	if d == nil {
		return time.Time{}, fmt.Errorf("field %s: missing", field)
	}
	s := d.DateTime
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("field %s: bad dateTime %q", field, d.DateTime)
	}
	name, ok := zoneName(d.TimeZone)
	if !ok {
		return time.Time{}, fmt.Errorf("field %s: unknown time zone %q", field, d.TimeZone)
	}
	loc := time.UTC
	if name != "" {
		if loc, err = engine.LoadZone(name); err != nil {
			return time.Time{}, fmt.Errorf("field %s: time zone %q: %w", field, d.TimeZone, err)
		}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc).UTC(), nil
}

// formatDT writes t as a dateTimeTimeZone in zone (IANA; empty = UTC), using the Windows name Graph prefers when
// there is one.
func formatDT(t time.Time, zone string) (dateTimeTZ, error) {
	if zone == "" {
		return dateTimeTZ{DateTime: t.UTC().Format(graphDateTime), TimeZone: "UTC"}, nil
	}
	loc, err := engine.LoadZone(zone)
	if err != nil {
		return dateTimeTZ{}, err
	}
	name := zone
	if w, ok := engine.WindowsFromIANA(zone); ok {
		name = w
	}
	return dateTimeTZ{DateTime: t.In(loc).Format(graphDateTime), TimeZone: name}, nil
}

var showAsIn = map[string]engine.ShowAs{"free": engine.ShowFree, "tentative": engine.ShowTentative, "oof": engine.ShowOutOfOffice,
	"workingElsewhere": engine.ShowWorkingElsewhere}
var responseIn = map[string]engine.Response{"accepted": engine.ResponseAccepted, "tentativelyAccepted": engine.ResponseTentative,
	"declined": engine.ResponseDeclined, "organizer": engine.ResponseOrganizer}

type eventAdapter struct{}

func (eventAdapter) markerInFilter() bool { return true }

func (eventAdapter) getQuery() string {
	return "?$expand=" + url.QueryEscape("singleValueExtendedProperties($filter=id eq '"+markerProp+"' or id eq '"+linksProp+"' or id eq '"+tzProp+"' or id eq '"+excProp+"')")
}

func (eventAdapter) deltaURL(s *Store) string {
	from, to := s.window()
	q := url.Values{"startDateTime": {from.Format(time.RFC3339)}, "endDateTime": {to.Format(time.RFC3339)}}
	return s.c.graph + "/v1.0/users/" + url.PathEscape(s.user) + "/calendarView/delta?" + q.Encode()
}

func (eventAdapter) decode(_ *Store, raw json.RawMessage) (engine.Remote, string, bool, error) {
	var ev graphEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return engine.Remote{}, "", false, err
	}
	if (ev.Type == "occurrence" || ev.Type == "exception") && ev.SeriesMasterID != "" {
		return engine.Remote{ID: ev.ID}, ev.SeriesMasterID, false, nil
	}
	a, err := eventToAppointment(&ev)
	r := engine.Remote{ID: ev.ID, Version: ev.ETag, Item: a, Marker: ev.TransactionID}
	if m := propValue(ev.Props, markerProp); m != "" {
		r.Marker = m
	}
	if err != nil {
		f := fieldOf(err)
		if f != "" {
			err = errors.New(strings.TrimPrefix(strings.TrimPrefix(err.Error(), "field "+f+":"), " "))
		}
		return r, "", false, &engine.ItemError{ID: ev.ID, Field: f, Err: err}
	}
	return r, "", false, nil
}

func fieldOf(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "field ") {
		if f, _, ok := strings.Cut(strings.TrimPrefix(s, "field "), ":"); ok {
			return f
		}
	}
	return ""
}

func eventToAppointment(ev *graphEvent) (*engine.Appointment, error) {
	a := &engine.Appointment{UID: ev.ICalUID, Title: ev.Subject, AllDay: ev.IsAllDay, ShowAs: showAsIn[ev.ShowAs],
		Private: ev.Sensitivity == "private" || ev.Sensitivity == "confidential", Categories: ev.Categories}
	if ev.Body != nil {
		a.Body = ev.Body.Content
		if strings.EqualFold(ev.Body.ContentType, "html") {
			a.Body = htmlToText(a.Body)
		}
	}
	if ev.Location != nil {
		a.Location = ev.Location.DisplayName
	}
	var err error
	if a.Start, err = parseDT(ev.Start, "start"); err != nil {
		return nil, err
	}
	if a.End, err = parseDT(ev.End, "end"); err != nil {
		return nil, err
	}
	if ev.IsAllDay {
		// All-day events are dates: take the wall-clock date as Graph wrote it.
		a.Start = dateOnly(ev.Start.DateTime)
		a.End = dateOnly(ev.End.DateTime)
	} else {
		tz := ev.OriginalStartTimeZone
		if tz == "" {
			tz = ev.Start.TimeZone
		}
		if name, ok := zoneName(tz); ok {
			a.TimeZone = sameZone(name, propValue(ev.Props, tzProp))
		}
		etz := ev.OriginalEndTimeZone
		if etz == "" {
			etz = ev.End.TimeZone
		}
		if name, ok := zoneName(etz); ok && sameZone(name, a.TimeZone) != a.TimeZone {
			a.EndTimeZone = name
		}
	}
	if ev.IsReminderOn {
		a.Reminder = engine.DurationOf(time.Duration(ev.ReminderMinutesBeforeStart) * time.Minute)
	}
	if ev.Organizer != nil && ev.Organizer.EmailAddress.Address != "" {
		a.Organizer = &engine.Attendee{Email: ev.Organizer.EmailAddress.Address, Name: ev.Organizer.EmailAddress.Name, Response: engine.ResponseOrganizer}
	}
	for _, at := range ev.Attendees {
		x := engine.Attendee{Email: at.EmailAddress.Address, Name: at.EmailAddress.Name}
		switch at.Type {
		case "optional":
			x.Role = engine.RoleOptional
		case "resource":
			x.Role = engine.RoleResource
		}
		if at.Status != nil {
			x.Response = responseIn[at.Status.Response]
		}
		a.Attendees = append(a.Attendees, x)
	}
	if ev.OnlineMeeting != nil {
		a.OnlineMeetingURL = ev.OnlineMeeting.JoinURL
	}
	if l := propValue(ev.Props, linksProp); l != "" {
		if err := json.Unmarshal([]byte(l), &a.Links); err != nil {
			return nil, fmt.Errorf("field links: %w", err)
		}
	}
	if ev.Recurrence != nil {
		r, err := ruleFromGraph(ev.Recurrence, a)
		if err != nil {
			return nil, fmt.Errorf("field recurrence: %w", err)
		}
		a.Recurrence = r
	}
	return a, nil
}

// sameZone returns kept (the IANA zone we wrote) when Graph's zone is the same Windows zone, got otherwise.
func sameZone(got, kept string) string {
	if kept == "" || got == kept {
		return got
	}
	wg, ok1 := engine.WindowsFromIANA(got)
	wk, ok2 := engine.WindowsFromIANA(kept)
	if ok1 && ok2 && wg == wk {
		return kept
	}
	return got
}

func dateOnly(s string) time.Time {
	t, err := time.Parse("2006-01-02", s[:min(10, len(s))])
	if err != nil {
		return time.Time{}
	}
	return t
}

// htmlToText strips tags from an HTML body (the Prefer header asks for text; this is the fallback).
func htmlToText(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(b.String()))
}

func (eventAdapter) encode(_ *Store, it engine.Item, marker string) (map[string]any, error) {
	a, ok := it.(*engine.Appointment)
	if !ok || a == nil {
		return nil, &engine.ItemError{Err: fmt.Errorf("want an appointment, got %T", it)}
	}
	m := map[string]any{"subject": a.Title, "body": itemBody{ContentType: "text", Content: a.Body},
		"location": map[string]any{"displayName": a.Location}, "isAllDay": a.AllDay, "categories": nonNil(a.Categories)}
	if a.AllDay {
		tz := "UTC"
		m["start"] = dateTimeTZ{DateTime: a.Start.UTC().Format("2006-01-02") + "T00:00:00.0000000", TimeZone: tz}
		m["end"] = dateTimeTZ{DateTime: a.End.UTC().Format("2006-01-02") + "T00:00:00.0000000", TimeZone: tz}
	} else {
		st, err := formatDT(a.Start, a.TimeZone)
		if err != nil {
			return nil, &engine.ItemError{Field: "tz", Err: err}
		}
		ez := a.EndTimeZone
		if ez == "" {
			ez = a.TimeZone
		}
		en, err := formatDT(a.End, ez)
		if err != nil {
			return nil, &engine.ItemError{Field: "endTz", Err: err}
		}
		m["start"], m["end"] = st, en
	}
	show := map[engine.ShowAs]string{engine.ShowBusy: "busy", engine.ShowFree: "free", engine.ShowTentative: "tentative",
		engine.ShowOutOfOffice: "oof", engine.ShowWorkingElsewhere: "workingElsewhere"}[a.ShowAs]
	if show == "" {
		show = "busy"
	}
	m["showAs"] = show
	m["sensitivity"] = "normal"
	if a.Private {
		m["sensitivity"] = "private"
	}
	m["isReminderOn"] = a.Reminder != nil
	if a.Reminder != nil {
		m["reminderMinutesBeforeStart"] = int(a.Reminder.D() / time.Minute)
	}
	var atts []attendee
	for i, at := range a.Attendees {
		if at.Email == "" {
			return nil, &engine.ItemError{Field: fmt.Sprintf("attendees[%d].email", i), Err: errors.New("every attendee needs an address in Graph")}
		}
		x := attendee{Type: "required", EmailAddress: emailAddress{Name: at.Name, Address: at.Email}}
		switch at.Role {
		case engine.RoleOptional:
			x.Type = "optional"
		case engine.RoleResource:
			x.Type = "resource"
		}
		atts = append(atts, x)
	}
	m["attendees"] = nonNilAtt(atts)
	if a.Recurrence != nil {
		pr, err := ruleToGraph(a)
		if err != nil {
			return nil, &engine.ItemError{Field: "recurrence", Err: err}
		}
		m["recurrence"] = pr
	} else {
		m["recurrence"] = nil
	}
	props := []extProp{}
	if len(a.Links) > 0 {
		b, _ := json.Marshal(a.Links)
		props = append(props, extProp{ID: linksProp, Value: string(b)})
	} else {
		props = append(props, extProp{ID: linksProp, Value: "[]"})
	}
	props = append(props, extProp{ID: tzProp, Value: a.TimeZone})
	exc := "{}"
	if a.Recurrence != nil && (len(a.Recurrence.Excluded) > 0 || len(a.Recurrence.Overrides) > 0) {
		b, err := json.Marshal(seriesExceptions{Excluded: a.Recurrence.Excluded, Overrides: a.Recurrence.Overrides})
		if err != nil {
			return nil, &engine.ItemError{Field: "recurrence", Err: err}
		}
		exc = string(b)
	}
	props = append(props, extProp{ID: excProp, Value: exc})
	if marker != "" {
		m["transactionId"] = marker
		props = append(props, extProp{ID: markerProp, Value: marker})
	}
	m["singleValueExtendedProperties"] = props
	return m, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilAtt(s []attendee) []attendee {
	if s == nil {
		return []attendee{}
	}
	return s
}

var dayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
var indexNames = map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}

func dayOf(s string) (time.Weekday, bool) {
	i := slices.Index(dayNames, strings.ToLower(s))
	return time.Weekday(i), i >= 0
}

// ruleToGraph maps a recurrence rule to a patternedRecurrence. Patterns Graph cannot express (several month
// days, RDATE lists, BYSETPOS with several values, hourly rules) are refused. Exceptions (Excluded, Overrides)
// are not part of the pattern: Store writes them per instance after the master (writeExceptions).
func ruleToGraph(a *engine.Appointment) (*patternedRecurrence, error) {
	r := a.Recurrence
	if len(r.Dates) > 0 {
		return nil, errors.New("explicit occurrence dates (RDATE) cannot be expressed in Graph")
	}
	zone := a.TimeZone
	loc := time.UTC
	if zone != "" && !a.AllDay {
		var err error
		if loc, err = engine.LoadZone(zone); err != nil {
			return nil, err
		}
	}
	start := a.Start.In(loc)
	if r.WeekStart < time.Sunday || r.WeekStart > time.Saturday {
		return nil, fmt.Errorf("bad week start %d", r.WeekStart)
	}
	for _, d := range r.ByDay {
		if d.Day < time.Sunday || d.Day > time.Saturday {
			return nil, fmt.Errorf("bad weekday %d", d.Day)
		}
	}
	if r.Interval < 0 || r.Count < 0 {
		return nil, errors.New("negative interval or count")
	}
	p := recurrencePattern{Interval: max(r.Interval, 1)}
	days := func() ([]string, int, error) {
		var out []string
		n := 0
		for i, d := range r.ByDay {
			if i > 0 && d.N != n {
				return nil, 0, errors.New("BYDAY with different ordinals cannot be expressed in Graph")
			}
			n = d.N
			out = append(out, dayNames[d.Day])
		}
		return out, n, nil
	}
	ordinal := func(n int) (string, error) {
		if len(r.BySetPos) == 1 && n == 0 {
			n = r.BySetPos[0]
		} else if len(r.BySetPos) > 0 {
			return "", errors.New("BYSETPOS with an ordinal BYDAY cannot be expressed in Graph")
		}
		s, ok := indexNames[n]
		if !ok {
			return "", fmt.Errorf("ordinal %d cannot be expressed in Graph (first..fourth, last)", n)
		}
		return s, nil
	}
	switch r.Freq {
	case engine.Daily:
		if len(r.ByDay) > 0 || len(r.ByMonthDay) > 0 || len(r.ByMonth) > 0 {
			return nil, errors.New("a daily rule with BY parts cannot be expressed in Graph")
		}
		p.Type = "daily"
	case engine.Weekly:
		p.Type = "weekly"
		ds, n, err := days()
		if err != nil || n != 0 {
			return nil, errors.New("a weekly rule with ordinal days cannot be expressed in Graph")
		}
		if len(ds) == 0 {
			ds = []string{dayNames[start.Weekday()]}
		}
		p.DaysOfWeek = ds
		p.FirstDayOfWeek = dayNames[r.WeekStart]
		if r.WeekStart == time.Sunday {
			p.FirstDayOfWeek = "monday"
		}
	case engine.Monthly, engine.Yearly:
		rel := len(r.ByDay) > 0
		if r.Freq == engine.Yearly {
			if len(r.ByMonth) > 1 {
				return nil, errors.New("a yearly rule in several months cannot be expressed in Graph")
			}
			p.Month = int(start.Month())
			if len(r.ByMonth) == 1 {
				p.Month = r.ByMonth[0]
			}
		}
		if rel {
			ds, n, err := days()
			if err != nil {
				return nil, err
			}
			if p.Index, err = ordinal(n); err != nil {
				return nil, err
			}
			p.DaysOfWeek = ds
			p.Type = map[engine.Frequency]string{engine.Monthly: "relativeMonthly", engine.Yearly: "relativeYearly"}[r.Freq]
		} else {
			if len(r.ByMonthDay) > 1 || len(r.BySetPos) > 0 {
				return nil, errors.New("several month days cannot be expressed in Graph")
			}
			p.DayOfMonth = start.Day()
			if len(r.ByMonthDay) == 1 {
				if r.ByMonthDay[0] < 1 {
					return nil, errors.New("a negative month day cannot be expressed in Graph")
				}
				p.DayOfMonth = r.ByMonthDay[0]
			}
			p.Type = map[engine.Frequency]string{engine.Monthly: "absoluteMonthly", engine.Yearly: "absoluteYearly"}[r.Freq]
		}
	default:
		return nil, fmt.Errorf("frequency %q cannot be expressed in Graph", r.Freq)
	}
	rg := recurrenceRange{Type: "noEnd", StartDate: start.Format("2006-01-02")}
	if zone != "" {
		if w, ok := engine.WindowsFromIANA(zone); ok {
			rg.RecurrenceTimeZone = w
		} else {
			rg.RecurrenceTimeZone = zone
		}
	}
	switch {
	case r.Count > 0:
		rg.Type, rg.NumberOfOccurrences = "numbered", r.Count
	case !r.Until.IsZero():
		rg.Type = "endDate"
		u := r.Until
		if !a.AllDay {
			u = u.In(loc)
		}
		rg.EndDate = u.Format("2006-01-02")
	}
	return &patternedRecurrence{Pattern: p, Range: rg}, nil
}

// ruleFromGraph maps a patternedRecurrence back to a rule for appointment a (its Start and TimeZone are set).
func ruleFromGraph(pr *patternedRecurrence, a *engine.Appointment) (*engine.Rule, error) {
	p := pr.Pattern
	r := &engine.Rule{Interval: p.Interval}
	if r.Interval == 1 {
		r.Interval = 0
	}
	var byDay []engine.Weekday
	n := 0
	if p.Index != "" {
		for k, v := range indexNames {
			if v == p.Index {
				n = k
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("unknown index %q", p.Index)
		}
	}
	for _, d := range p.DaysOfWeek {
		wd, ok := dayOf(d)
		if !ok {
			return nil, fmt.Errorf("unknown day %q", d)
		}
		byDay = append(byDay, engine.Weekday{N: n, Day: wd})
	}
	switch p.Type {
	case "daily":
		r.Freq = engine.Daily
	case "weekly":
		r.Freq = engine.Weekly
		r.ByDay = make([]engine.Weekday, len(byDay))
		for i, d := range byDay {
			r.ByDay[i] = engine.Weekday{Day: d.Day}
		}
		if wd, ok := dayOf(p.FirstDayOfWeek); ok && wd != time.Monday {
			r.WeekStart = wd
		}
	case "absoluteMonthly":
		r.Freq, r.ByMonthDay = engine.Monthly, []int{p.DayOfMonth}
	case "relativeMonthly":
		r.Freq, r.ByDay = engine.Monthly, byDay
	case "absoluteYearly":
		r.Freq, r.ByMonth, r.ByMonthDay = engine.Yearly, []int{p.Month}, []int{p.DayOfMonth}
	case "relativeYearly":
		r.Freq, r.ByMonth, r.ByDay = engine.Yearly, []int{p.Month}, byDay
	default:
		return nil, fmt.Errorf("unknown pattern type %q", p.Type)
	}
	switch pr.Range.Type {
	case "numbered":
		r.Count = pr.Range.NumberOfOccurrences
	case "endDate":
		d, err := time.Parse("2006-01-02", pr.Range.EndDate)
		if err != nil {
			return nil, fmt.Errorf("bad endDate %q", pr.Range.EndDate)
		}
		if a.AllDay {
			r.Until = d
		} else {
			loc := time.UTC
			if a.TimeZone != "" {
				if l, err := engine.LoadZone(a.TimeZone); err == nil {
					loc = l
				}
			}
			// Graph's endDate is inclusive of that day: the last occurrence may start any time on it.
			st := a.Start.In(loc)
			r.Until = time.Date(d.Year(), d.Month(), d.Day(), st.Hour(), st.Minute(), st.Second(), 0, loc).UTC()
		}
	case "noEnd", "":
	default:
		return nil, fmt.Errorf("unknown range type %q", pr.Range.Type)
	}
	n2 := engine.NormalizeRule(*r, a)
	return &n2, nil
}
