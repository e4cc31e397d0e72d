package superoffice

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// mapper converts between SuperOffice carriers and the canonical model for one tenant.
type mapper struct {
	zone     *time.Location // the tenant's zone
	zoneName string
	tmpl     *Template
	types    []TaskListItem    // the task list (appointment and task types)
	typeCat  map[string]string // type → category
	catType  map[string]string // category (lower case) → type
	udef     string
	defType  string
	emails   map[int32]string // associate id → e-mail, for participants that are users
}

func newMapper(s Settings) (*mapper, error) {
	z, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fieldErr("timeZone", "%v", err)
	}
	t, err := ParseTemplate(s.TitleTemplate)
	if err != nil {
		return nil, fieldErr("titleTemplate", "%v", err)
	}
	m := &mapper{zone: z, zoneName: s.TimeZone, tmpl: t, typeCat: map[string]string{}, catType: map[string]string{},
		udef: s.MarkerUdef, defType: s.DefaultType, emails: map[int32]string{}}
	if m.zoneName == "UTC" {
		m.zoneName = ""
	}
	for k, v := range s.TypeCategories {
		m.typeCat[k] = v
		m.catType[strings.ToLower(v)] = k
	}
	return m, nil
}

func (m *mapper) values(e *AppointmentEntity) map[string]string {
	v := map[string]string{"title": e.Title}
	if e.Task != nil {
		v["type"] = e.Task.Value
	}
	if e.Contact != nil {
		v["company"] = e.Contact.Name
	}
	if e.Person != nil {
		v["person"] = e.Person.FullName
	}
	if e.Project != nil {
		v["project"] = e.Project.Name
	}
	if e.Sale != nil {
		v["sale"] = e.Sale.Title
	}
	return v
}

func links(e *AppointmentEntity) []engine.CRMLink {
	var out []engine.CRMLink
	if e.Contact != nil && e.Contact.ContactID != 0 {
		out = append(out, engine.CRMLink{Type: engine.LinkCompany, ID: strconv.Itoa(int(e.Contact.ContactID)), Name: e.Contact.Name})
	}
	if e.Person != nil && e.Person.PersonID != 0 {
		out = append(out, engine.CRMLink{Type: engine.LinkPerson, ID: strconv.Itoa(int(e.Person.PersonID)), Name: e.Person.FullName})
	}
	if e.Project != nil && e.Project.ProjectID != 0 {
		out = append(out, engine.CRMLink{Type: engine.LinkProject, ID: strconv.Itoa(int(e.Project.ProjectID)), Name: e.Project.Name})
	}
	if e.Sale != nil && e.Sale.SaleID != 0 {
		out = append(out, engine.CRMLink{Type: engine.LinkSale, ID: strconv.Itoa(int(e.Sale.SaleID)), Name: e.Sale.Title})
	}
	return out
}

// setLinks writes the CRM links of an item into e; a link with a non-numeric id is an ItemError.
func setLinks(e *AppointmentEntity, ls []engine.CRMLink) error {
	e.Contact, e.Person, e.Project, e.Sale = nil, nil, nil, nil
	for i, l := range ls {
		n, err := strconv.ParseInt(l.ID, 10, 32)
		if err != nil || n <= 0 {
			return &engine.ItemError{Field: fmt.Sprintf("links[%d].id", i), Err: fmt.Errorf("%q is not a SuperOffice id", l.ID)}
		}
		id := int32(n)
		switch l.Type {
		case engine.LinkCompany:
			e.Contact = &ContactRef{ContactID: id, Name: l.Name}
		case engine.LinkPerson:
			e.Person = &PersonRef{PersonID: id, FullName: l.Name}
		case engine.LinkProject:
			e.Project = &ProjectRef{ProjectID: id, Name: l.Name}
		case engine.LinkSale:
			e.Sale = &SaleRef{SaleID: id, Title: l.Name}
		default:
			return &engine.ItemError{Field: fmt.Sprintf("links[%d].type", i), Err: fmt.Errorf("unknown link type %q", l.Type)}
		}
	}
	return nil
}

// ParseLeadTime reads an alarm lead time: ISO 8601 ("PT15M", "P1DT2H") or .NET TimeSpan ("00:15:00", "1.02:00:00").
func ParseLeadTime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "P") || strings.HasPrefix(s, "-P") {
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "P")
		var d time.Duration
		inTime := false
		num := ""
		for _, r := range s {
			switch {
			case r >= '0' && r <= '9' || r == '.':
				num += string(r)
			case r == 'T':
				inTime = true
			default:
				f, err := strconv.ParseFloat(num, 64)
				if err != nil {
					return 0, fmt.Errorf("lead time %q: bad number", s)
				}
				unit := map[rune]time.Duration{'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour}[r]
				if inTime {
					unit = map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}[r]
				}
				if unit == 0 {
					return 0, fmt.Errorf("lead time %q: unit %q", s, r)
				}
				d += time.Duration(f * float64(unit))
				num = ""
			}
		}
		if neg {
			d = -d
		}
		return d, nil
	}
	days := 0
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("lead time %q", s)
		}
		days, s = n, s[i+1:]
	}
	var h, mi, sec int
	if _, err := fmt.Sscanf(s, "%d:%d:%d", &h, &mi, &sec); err != nil {
		return 0, fmt.Errorf("lead time %q: want PT15M or 00:15:00", s)
	}
	return time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second, nil
}

// FormatLeadTime writes d as ISO 8601 ("PT15M").
func FormatLeadTime(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	s := "PT"
	if h := d / time.Hour; h > 0 {
		s += strconv.Itoa(int(h)) + "H"
		d -= h * time.Hour
	}
	if mi := d / time.Minute; mi > 0 {
		s += strconv.Itoa(int(mi)) + "M"
		d -= mi * time.Minute
	}
	if d > 0 || s == "PT" {
		s += strconv.Itoa(int(d/time.Second)) + "S"
	}
	return s
}

func (m *mapper) times(e *AppointmentEntity) (start, end time.Time, err error) {
	start, err = ParseTime(e.StartDate, time.UTC)
	if err != nil {
		return start, end, &engine.ItemError{ID: strconv.Itoa(int(e.AppointmentID)), Field: "start", Err: err}
	}
	end, err = ParseTime(e.EndDate, time.UTC)
	if err != nil {
		return start, end, &engine.ItemError{ID: strconv.Itoa(int(e.AppointmentID)), Field: "end", Err: err}
	}
	return start, end, nil
}

// localDate is the calendar date of t in the tenant's zone, at 00:00 UTC.
func (m *mapper) localDate(t time.Time) time.Time {
	l := t.In(m.zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// localMidnight is the instant of 00:00 on date d (a date at 00:00 UTC) in the tenant's zone.
func (m *mapper) localMidnight(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, m.zone).UTC()
}

// appointment maps one row (not its recurrence) to an Appointment.
func (m *mapper) appointment(e *AppointmentEntity) (*engine.Appointment, error) {
	start, end, err := m.times(e)
	if err != nil {
		return nil, err
	}
	a := &engine.Appointment{Title: m.tmpl.Format(m.values(e)), Body: e.Description, Location: e.Location,
		Start: start, End: end, TimeZone: m.zoneName, Private: e.Private == "PrivateUser" || e.Private == "PrivateGroup",
		OnlineMeetingURL: e.JoinVideomeetURL, Links: links(e)}
	if e.IsAlldayEvent {
		a.AllDay, a.TimeZone = true, ""
		a.Start = m.localDate(start)
		a.End = m.localDate(end)
		if !m.localMidnight(a.End).Equal(end) || !a.End.After(a.Start) {
			a.End = a.End.AddDate(0, 0, 1) // SuperOffice may end all-day rows at 23:59 of the last day
		}
	}
	if e.IsFree {
		a.ShowAs = engine.ShowFree
	}
	if e.HasAlarm {
		d, err := ParseLeadTime(e.AlarmLeadTime)
		if err != nil {
			return nil, &engine.ItemError{ID: strconv.Itoa(int(e.AppointmentID)), Field: "reminder", Err: err}
		}
		a.Reminder = engine.DurationOf(d)
	}
	if e.Task != nil {
		a.Type = e.Task.Value
		if c, ok := m.typeCat[a.Type]; ok {
			a.Categories = []string{c}
		}
	}
	for _, p := range e.Participants {
		addr := p.EmailAddress
		if addr == "" && p.AssociateID != 0 {
			addr = m.emails[p.AssociateID]
		}
		if addr == "" {
			continue
		}
		at := engine.Attendee{Email: addr, Name: p.Description}
		switch p.ExternallyOwnedType {
		case "Optional":
			at.Role = engine.RoleOptional
		case "Resource":
			at.Role = engine.RoleResource
		}
		switch p.ExternallyOwnedStatus {
		case "Accepted":
			at.Response = engine.ResponseAccepted
		case "TentativelyAccepted":
			at.Response = engine.ResponseTentative
		case "Declined":
			at.Response = engine.ResponseDeclined
		case "", "Unknown":
			switch p.InvitationStatus {
			case "Accepted":
				at.Response = engine.ResponseAccepted
			case "Declined":
				at.Response = engine.ResponseDeclined
			}
		}
		if p.ExternallyOwnedType == "Organizer" {
			at.Response, at.Role = "", ""
			o := at
			a.Organizer = &o
			continue
		}
		a.Attendees = append(a.Attendees, at)
	}
	return a, nil
}

// typeItem resolves the task list item for a type name or categories; nil means keep what the entity has.
func (m *mapper) typeItem(typ string, cats []string, checklist bool) *TaskListItem {
	find := func(name string) *TaskListItem {
		for i := range m.types {
			if strings.EqualFold(m.types[i].Value, name) && !m.types[i].Deleted {
				t := m.types[i]
				return &TaskListItem{TaskListItemID: t.TaskListItemID, Value: t.Value}
			}
		}
		return nil
	}
	if typ != "" {
		if t := find(typ); t != nil {
			return t
		}
	}
	for _, c := range cats {
		if t, ok := m.catType[strings.ToLower(c)]; ok {
			if ti := find(t); ti != nil {
				return ti
			}
		}
	}
	return nil
}

func (m *mapper) defaultType(checklist bool) *TaskListItem {
	if m.defType != "" {
		if t := m.typeItem(m.defType, nil, checklist); t != nil {
			return t
		}
	}
	for _, t := range m.types {
		if t.Deleted {
			continue
		}
		if (checklist && t.Type == "ToDo") || (!checklist && t.Type == "Appointment") {
			return &TaskListItem{TaskListItemID: t.TaskListItemID, Value: t.Value}
		}
	}
	if len(m.types) > 0 {
		return &TaskListItem{TaskListItemID: m.types[0].TaskListItemID, Value: m.types[0].Value}
	}
	return nil
}

// toEntity writes a (into e, which holds the stored entity or a new one), without the recurrence.
func (m *mapper) toEntity(a *engine.Appointment, e *AppointmentEntity) error {
	if a.Start.IsZero() {
		return &engine.ItemError{Field: "start", Err: errors.New("missing")}
	}
	if a.End.Before(a.Start) {
		return &engine.ItemError{Field: "end", Err: errors.New("before start")}
	}
	if t := m.typeItem(a.Type, a.Categories, false); t != nil {
		e.Task = t
	} else if e.Task == nil {
		e.Task = m.defaultType(false)
	}
	if err := setLinks(e, a.Links); err != nil {
		return err
	}
	e.Title = m.tmpl.Title(a.Title, m.values(e))
	e.Description, e.Location, e.JoinVideomeetURL = a.Body, a.Location, a.OnlineMeetingURL
	start, end := a.Start, a.End
	if a.AllDay {
		start, end = m.localMidnight(a.Start), m.localMidnight(a.End)
	}
	e.StartDate, e.EndDate = FormatTime(start, time.UTC), FormatTime(end, time.UTC)
	e.IsAlldayEvent = a.AllDay
	if a.Private {
		if e.Private != "PrivateGroup" {
			e.Private = "PrivateUser"
		}
	} else {
		e.Private = "Public"
	}
	e.IsFree = a.ShowAs == engine.ShowFree
	e.HasAlarm = a.Reminder != nil
	e.AlarmLeadTime = ""
	if a.Reminder != nil {
		e.AlarmLeadTime = FormatLeadTime(a.Reminder.D())
	}
	if e.Type == "" {
		e.Type = "inDiary"
	}
	var ps []ParticipantInfo
	if a.Organizer != nil && a.Organizer.Email != "" {
		ps = append(ps, ParticipantInfo{EmailAddress: a.Organizer.Email, Description: a.Organizer.Name, ExternallyOwnedType: "Organizer"})
	}
	for i, at := range a.Attendees {
		if at.Email == "" {
			return &engine.ItemError{Field: fmt.Sprintf("attendees[%d].email", i), Err: errors.New("SuperOffice participants need an e-mail address")}
		}
		p := ParticipantInfo{EmailAddress: at.Email, Description: at.Name, ExternallyOwnedType: "Required", InvitationStatus: "Invitation"}
		switch at.Role {
		case engine.RoleOptional:
			p.ExternallyOwnedType = "Optional"
		case engine.RoleResource:
			p.ExternallyOwnedType = "Resource"
		}
		switch at.Response {
		case engine.ResponseAccepted:
			p.ExternallyOwnedStatus, p.InvitationStatus = "Accepted", "Accepted"
		case engine.ResponseTentative:
			p.ExternallyOwnedStatus = "TentativelyAccepted"
		case engine.ResponseDeclined:
			p.ExternallyOwnedStatus, p.InvitationStatus = "Declined", "Declined"
		default:
			p.ExternallyOwnedStatus = "NotResponded"
		}
		ps = append(ps, p)
	}
	e.Participants = ps
	return nil
}

// task maps a checklist row to a Task: the do-by date is StartDate, the completion time ActiveDate.
func (m *mapper) task(e *AppointmentEntity) (*engine.Task, error) {
	due, _, err := m.times(e)
	if err != nil {
		return nil, err
	}
	t := &engine.Task{Title: m.tmpl.Format(m.values(e)), Body: e.Description, Due: due, TimeZone: m.zoneName,
		Private: e.Private == "PrivateUser" || e.Private == "PrivateGroup", Links: links(e)}
	if e.IsAlldayEvent {
		t.DueAllDay, t.Due, t.TimeZone = true, m.localDate(due), ""
	}
	if e.Completed == "Completed" {
		c, err := ParseTime(e.ActiveDate, time.UTC)
		if err != nil {
			return nil, &engine.ItemError{ID: strconv.Itoa(int(e.AppointmentID)), Field: "completed", Err: err}
		}
		if c.IsZero() {
			c = due
		}
		t.Completed = c
	}
	if e.HasAlarm {
		d, err := ParseLeadTime(e.AlarmLeadTime)
		if err != nil {
			return nil, &engine.ItemError{ID: strconv.Itoa(int(e.AppointmentID)), Field: "reminder", Err: err}
		}
		t.Reminder = engine.DurationOf(d)
	}
	if e.Task != nil {
		t.Type = e.Task.Value
		if c, ok := m.typeCat[t.Type]; ok {
			t.Categories = []string{c}
		}
	}
	return t, nil
}

func (m *mapper) taskToEntity(t *engine.Task, e *AppointmentEntity) error {
	if t.Due.IsZero() {
		return &engine.ItemError{Field: "due", Err: errors.New("SuperOffice tasks need a do-by date")}
	}
	if ti := m.typeItem(t.Type, t.Categories, true); ti != nil {
		e.Task = ti
	} else if e.Task == nil {
		e.Task = m.defaultType(true)
	}
	if err := setLinks(e, t.Links); err != nil {
		return err
	}
	e.Title = m.tmpl.Title(t.Title, m.values(e))
	e.Description = t.Body
	due := t.Due
	if t.DueAllDay {
		due = m.localMidnight(t.Due)
	}
	e.StartDate, e.EndDate, e.IsAlldayEvent = FormatTime(due, time.UTC), FormatTime(due, time.UTC), t.DueAllDay
	e.Type = "inChecklist"
	if t.Private {
		if e.Private != "PrivateGroup" {
			e.Private = "PrivateUser"
		}
	} else {
		e.Private = "Public"
	}
	e.Completed, e.ActiveDate = "NotStarted", ""
	if !t.Completed.IsZero() {
		e.Completed, e.ActiveDate = "Completed", FormatTime(t.Completed, time.UTC)
	}
	e.HasAlarm, e.AlarmLeadTime = t.Reminder != nil, ""
	if t.Reminder != nil {
		e.AlarmLeadTime = FormatLeadTime(t.Reminder.D())
	}
	return nil
}

// ---- recurrence ----

// maxSeriesRows is the most occurrences a series may have: SuperOffice stores each as its own row.
const maxSeriesRows = 1000

var weekdayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

var weekOfMonth = map[int]string{1: "First", 2: "Second", 3: "Third", 4: "Fourth", -1: "Last"}

func recErr(format string, a ...any) error {
	return &engine.ItemError{Field: "recurrence", Err: fmt.Errorf(format, a...)}
}

// recurrenceInfo expresses r (of a series starting at start, wall time in the tenant zone) as a SuperOffice
// pattern, or reports an ItemError naming "recurrence". horizon ends series without COUNT or UNTIL, since
// SuperOffice materializes every occurrence.
func (m *mapper) recurrenceInfo(a *engine.Appointment, horizon time.Time) (*RecurrenceInfo, error) {
	r := a.Recurrence
	if len(r.Dates) > 0 {
		return nil, recErr("extra dates (RDATE) cannot be expressed in SuperOffice")
	}
	if len(r.BySetPos) > 1 {
		return nil, recErr("more than one BYSETPOS")
	}
	if r.Interval > 999 || r.Count > maxSeriesRows {
		return nil, recErr("SuperOffice keeps every occurrence as a row: at most %d occurrences and intervals below 1000", maxSeriesRows)
	}
	for _, d := range r.ByMonthDay {
		if d < -31 || d > 31 {
			return nil, recErr("day of month %d", d)
		}
	}
	for _, mo := range r.ByMonth {
		if mo < 1 || mo > 12 {
			return nil, recErr("month %d", mo)
		}
	}
	iv := int32(max(r.Interval, 1)) //nolint:gosec // G115: 1 ≤ interval ≤ 999, checked above.
	ls := a.Start.In(m.zone)
	if a.AllDay {
		ls = a.Start
	}
	info := &RecurrenceInfo{IsRecurrence: true, StartDate: ls.Format("2006-01-02")}
	switch {
	case r.Count > 0:
		info.RecurrenceEndType, info.RecurrenceCounter = "Counter", int32(r.Count) //nolint:gosec // G115: ≤ maxSeriesRows, checked above.
	case !r.Until.IsZero():
		u := r.Until
		if !a.AllDay {
			u = u.In(m.zone)
		}
		info.RecurrenceEndType, info.EndDate = "EndDate", u.Format("2006-01-02")
	default:
		info.RecurrenceEndType, info.EndDate = "EndDate", horizon.In(m.zone).Format("2006-01-02")
	}
	ordinal := func() (engine.Weekday, bool) {
		if len(r.ByDay) != 1 {
			return engine.Weekday{}, false
		}
		d := r.ByDay[0]
		if d.N == 0 && len(r.BySetPos) == 1 {
			d.N = r.BySetPos[0]
		}
		_, ok := weekOfMonth[d.N]
		return d, ok
	}
	switch r.Freq {
	case engine.Daily:
		if len(r.ByMonth) > 0 || len(r.ByMonthDay) > 0 || len(r.BySetPos) > 0 {
			return nil, recErr("a daily rule with BYMONTH, BYMONTHDAY or BYSETPOS")
		}
		if len(r.ByDay) > 0 {
			if !isWorkdays(r.ByDay) || iv != 1 {
				return nil, recErr("a daily rule limited to days other than Monday–Friday")
			}
			info.Pattern, info.DayPattern = "Daily", &RecurrenceDayPattern{Pattern: "EveryWorkday", Cycle: 1}
			break
		}
		info.Pattern, info.DayPattern = "Daily", &RecurrenceDayPattern{Pattern: "EveryCyclicDay", Cycle: iv}
	case engine.Weekly:
		if len(r.ByMonth) > 0 || len(r.ByMonthDay) > 0 || len(r.BySetPos) > 0 {
			return nil, recErr("a weekly rule with BYMONTH, BYMONTHDAY or BYSETPOS")
		}
		if iv > 1 && r.WeekStart != time.Monday && r.WeekStart != 0 {
			return nil, recErr("weeks starting on %s (SuperOffice weeks start on Monday)", r.WeekStart)
		}
		days := r.ByDay
		if len(days) == 0 {
			days = []engine.Weekday{{Day: ls.Weekday()}}
		}
		var names []string
		for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
			for _, x := range days {
				if x.N != 0 {
					return nil, recErr("a weekly rule with ordinal days")
				}
				if x.Day == d && !slices.Contains(names, weekdayNames[d]) {
					names = append(names, weekdayNames[d])
				}
			}
		}
		info.Pattern, info.WeekPattern = "Weekly", &RecurrenceWeekPattern{Weekdays: strings.Join(names, ", "), Cycle: iv}
	case engine.Monthly, engine.Yearly:
		mp := &RecurrenceMonthPattern{Cycle: iv}
		if r.Freq == engine.Yearly {
			if iv != 1 {
				return nil, recErr("a yearly rule with an interval")
			}
			month := int(ls.Month())
			if len(r.ByMonth) > 1 {
				return nil, recErr("a yearly rule on several months")
			}
			if len(r.ByMonth) == 1 {
				month = r.ByMonth[0]
			}
			mp.Cycle = int32(month) //nolint:gosec // G115: a month, 1–12.
		} else if len(r.ByMonth) > 0 {
			return nil, recErr("a monthly rule with BYMONTH")
		}
		switch {
		case len(r.ByDay) > 0:
			d, ok := ordinal()
			if !ok || len(r.ByMonthDay) > 0 {
				return nil, recErr("only one weekday of the month (first…fourth or last) can be expressed")
			}
			mp.Pattern, mp.Weekday, mp.WeekOfMonth = "WeekdayOfMonth", weekdayNames[d.Day], weekOfMonth[d.N]
		case len(r.ByMonthDay) > 1 || len(r.BySetPos) > 0:
			return nil, recErr("several days of the month")
		case len(r.ByMonthDay) == 1:
			if r.ByMonthDay[0] < 1 {
				return nil, recErr("days counted from the end of the month")
			}
			mp.Pattern, mp.Day = "DayOfMonth", int32(r.ByMonthDay[0]) //nolint:gosec // G115: 1–31, checked above.
		default:
			mp.Pattern, mp.Day = "DayOfMonth", int32(ls.Day()) //nolint:gosec // G115: a day of the month.
		}
		if r.Freq == engine.Monthly {
			info.Pattern, info.MonthPattern = "Monthly", mp
		} else {
			info.Pattern, info.YearPattern = "Yearly", mp
		}
	default:
		return nil, recErr("frequency %q", r.Freq)
	}
	return info, nil
}

func isWorkdays(ds []engine.Weekday) bool {
	if len(ds) != 5 {
		return false
	}
	for _, d := range ds {
		if d.N != 0 || d.Day == time.Saturday || d.Day == time.Sunday {
			return false
		}
	}
	return true
}

// rule reads a SuperOffice pattern back as a Rule (without exceptions).
func (m *mapper) rule(info *RecurrenceInfo, allDay bool) (*engine.Rule, error) {
	r := &engine.Rule{WeekStart: time.Monday}
	switch info.RecurrenceEndType {
	case "Counter":
		r.Count = int(info.RecurrenceCounter)
	case "EndDate":
		u, err := ParseTime(info.EndDate, time.UTC)
		if err != nil {
			return nil, recErr("EndDate: %v", err)
		}
		d := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
		if allDay {
			r.Until = d
		} else {
			r.Until = time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, m.zone).UTC()
		}
	}
	cyc := func(c int32) int {
		if c <= 1 {
			return 0
		}
		return int(c)
	}
	wd := func(name string) (time.Weekday, error) {
		for i, n := range weekdayNames {
			if n == strings.TrimSpace(name) {
				return time.Weekday(i), nil
			}
		}
		return 0, recErr("weekday %q", name)
	}
	switch info.Pattern {
	case "Daily":
		r.Freq = engine.Daily
		if info.DayPattern != nil && info.DayPattern.Pattern == "EveryWorkday" {
			for d := time.Monday; d <= time.Friday; d++ {
				r.ByDay = append(r.ByDay, engine.Weekday{Day: d})
			}
		} else if info.DayPattern != nil {
			r.Interval = cyc(info.DayPattern.Cycle)
		}
	case "Weekly":
		r.Freq = engine.Weekly
		if info.WeekPattern == nil {
			return nil, recErr("WeekPattern missing")
		}
		r.Interval = cyc(info.WeekPattern.Cycle)
		for _, n := range strings.Split(info.WeekPattern.Weekdays, ",") {
			d, err := wd(n)
			if err != nil {
				return nil, err
			}
			r.ByDay = append(r.ByDay, engine.Weekday{Day: d})
		}
	case "Monthly", "Yearly":
		mp := info.MonthPattern
		r.Freq = engine.Monthly
		if info.Pattern == "Yearly" {
			mp, r.Freq = info.YearPattern, engine.Yearly
		}
		if mp == nil {
			return nil, recErr("%sPattern missing", info.Pattern)
		}
		if r.Freq == engine.Monthly {
			r.Interval = cyc(mp.Cycle)
		} else {
			r.ByMonth = []int{int(mp.Cycle)}
		}
		switch mp.Pattern {
		case "DayOfMonth":
			r.ByMonthDay = []int{int(mp.Day)}
		case "WeekdayOfMonth":
			d, err := wd(mp.Weekday)
			if err != nil {
				return nil, err
			}
			n := 0
			for k, v := range weekOfMonth {
				if v == mp.WeekOfMonth {
					n = k
				}
			}
			if n == 0 {
				return nil, recErr("WeekOfMonth %q", mp.WeekOfMonth)
			}
			r.ByDay = []engine.Weekday{{N: n, Day: d}}
		default:
			return nil, recErr("%sPattern.Pattern %q", info.Pattern, mp.Pattern)
		}
	case "Custom":
		// An explicit list of dates: the occurrences are the rows themselves (RDATE), added by the caller.
		r.Freq = engine.Daily
		r.Count = 1
	default:
		return nil, recErr("pattern %q", info.Pattern)
	}
	return r, nil
}

// contentKey identifies what an occurrence row says apart from its time, to tell exceptions from the series.
func contentKey(a *engine.Appointment) string {
	c := *a
	c.Start, c.End, c.Recurrence = time.Time{}, time.Time{}, nil
	b, _ := json.Marshal(c)
	return string(b)
}

// series maps the rows of one recurring series (sorted by start) to one Appointment: the master is the pattern
// with the most common content and time of day; rows that differ are overrides; expected occurrences without a row
// are exclusions.
func (m *mapper) series(rows []*AppointmentEntity) (*engine.Appointment, error) {
	if len(rows) == 0 {
		return nil, errors.New("superoffice: empty series")
	}
	info := rows[0].Recurrence
	occ := make([]*engine.Appointment, len(rows))
	contentVotes := map[string]int{}
	shapeVotes := map[string]int{} // local time of day + duration
	shape := func(a *engine.Appointment) string {
		if a.AllDay {
			return "allday/" + a.End.Sub(a.Start).String()
		}
		return a.Start.In(m.zone).Format("15:04:05") + "/" + a.End.Sub(a.Start).String()
	}
	for i, row := range rows {
		a, err := m.appointment(row)
		if err != nil {
			return nil, err
		}
		occ[i] = a
		contentVotes[contentKey(a)]++
		shapeVotes[shape(a)]++
	}
	best := func(v map[string]int) string {
		var k string
		n := -1
		for key, c := range v {
			if c > n || (c == n && key < k) {
				k, n = key, c
			}
		}
		return k
	}
	bestContent, bestShape := best(contentVotes), best(shapeVotes)
	var model *engine.Appointment
	for _, a := range occ {
		if contentKey(a) == bestContent && shape(a) == bestShape {
			model = a
			break
		}
	}
	if model == nil {
		model = occ[0]
	}
	allDay := model.AllDay
	rule, err := m.rule(info, allDay)
	if err != nil {
		return nil, err
	}
	master := *model
	sd, err := ParseTime(info.StartDate, time.UTC)
	if err != nil || sd.IsZero() {
		sd = m.localDate(occ[0].Start)
	}
	dur := model.End.Sub(model.Start)
	if allDay {
		master.Start = sd
	} else {
		lt := model.Start.In(m.zone)
		master.Start = time.Date(sd.Year(), sd.Month(), sd.Day(), lt.Hour(), lt.Minute(), lt.Second(), 0, m.zone).UTC()
	}
	master.End = master.Start.Add(dur)
	master.Recurrence = rule
	if info.Pattern == "Custom" {
		// Every row is an explicit date.
		master.Start, master.End = occ[0].Start, occ[0].Start.Add(dur)
		for _, a := range occ[1:] {
			rule.Dates = append(rule.Dates, a.Start)
		}
		rule.Count = 0
	}
	// Expected occurrences of the bare pattern.
	bare := master
	bare.Recurrence = &engine.Rule{}
	*bare.Recurrence = *rule
	expected := engine.Occurrences(&bare, time.Time{}, time.Time{})
	used := make([]bool, len(occ))
	matched := make([]bool, len(expected))
	byStart := map[int64]int{}
	for i, a := range occ {
		byStart[a.Start.Unix()] = i
	}
	var overrides []engine.Override
	addOverride := func(orig time.Time, a *engine.Appointment) {
		if contentKey(a) == bestContent && a.Start.Equal(orig) && a.End.Sub(a.Start) == dur {
			return
		}
		o := *a
		o.Recurrence = nil
		overrides = append(overrides, engine.Override{OriginalStart: orig, Item: &o})
	}
	for j, ex := range expected {
		if i, ok := byStart[ex.OriginalStart.Unix()]; ok && !used[i] {
			used[i], matched[j] = true, true
			addOverride(ex.OriginalStart, occ[i])
		}
	}
	// Moved rows: pair each left-over row with the unmatched expected occurrence nearest to it.
	for i, a := range occ {
		if used[i] {
			continue
		}
		bestJ, bestD := -1, time.Duration(1<<62)
		for j, ex := range expected {
			if matched[j] {
				continue
			}
			if d := (ex.OriginalStart.Sub(a.Start)).Abs(); d < bestD {
				bestJ, bestD = j, d
			}
		}
		if bestJ < 0 {
			rule.Dates = append(rule.Dates, a.Start)
			addOverride(a.Start, a)
			continue
		}
		used[i], matched[bestJ] = true, true
		addOverride(expected[bestJ].OriginalStart, a)
	}
	for j, ex := range expected {
		if !matched[j] {
			rule.Excluded = append(rule.Excluded, ex.OriginalStart)
		}
	}
	sort.Slice(overrides, func(i, j int) bool { return overrides[i].OriginalStart.Before(overrides[j].OriginalStart) })
	rule.Overrides = overrides
	return &master, nil
}
