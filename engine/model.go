package engine

import (
	"time"
)

// Kind names a kind of item that can be synced.
type Kind string

// The kinds of items Synchronizer syncs.
const (
	KindAppointment Kind = "appointment"
	KindTask        Kind = "task"
	KindContact     Kind = "contact"
	KindGroup       Kind = "group"
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindAppointment, KindTask, KindContact, KindGroup}

// Item is the canonical content of one synced item: *Appointment, *Task, *Contact or *Group. Connectors map their
// wire formats to and from these types; the planner compares them field by field.
type Item interface {
	ItemKind() Kind
}

// ShowAs is the free/busy status of an appointment.
type ShowAs string

// The free/busy statuses. The zero value means busy.
const (
	ShowBusy             ShowAs = ""
	ShowFree             ShowAs = "free"
	ShowTentative        ShowAs = "tentative"
	ShowOutOfOffice      ShowAs = "oof"
	ShowWorkingElsewhere ShowAs = "elsewhere"
)

// Response is an attendee's answer to an invitation.
type Response string

// The attendee responses. The zero value means no answer yet.
const (
	ResponseNone      Response = ""
	ResponseAccepted  Response = "accepted"
	ResponseTentative Response = "tentative"
	ResponseDeclined  Response = "declined"
	ResponseOrganizer Response = "organizer"
)

// AttendeeRole says whether an attendee is required, optional or a resource (a room, equipment).
type AttendeeRole string

// The attendee roles. The zero value means required.
const (
	RoleRequired AttendeeRole = ""
	RoleOptional AttendeeRole = "optional"
	RoleResource AttendeeRole = "resource"
)

// Attendee is a person invited to an appointment, or its organizer.
type Attendee struct {
	Email    string       `json:"email,omitempty"`
	Name     string       `json:"name,omitempty"`
	Role     AttendeeRole `json:"role,omitempty"`
	Response Response     `json:"response,omitempty"`
}

// LinkType names the kind of CRM record an item is linked to.
type LinkType string

// The CRM record types an item can be linked to.
const (
	LinkCompany LinkType = "company"
	LinkPerson  LinkType = "person"
	LinkProject LinkType = "project"
	LinkSale    LinkType = "sale"
)

// CRMLink links an item to a record in the CRM (SuperOffice: contact, person, project, sale). Mailbox systems
// cannot hold these natively; connectors keep them in an extended property where they can, so they survive.
type CRMLink struct {
	Type LinkType `json:"type"`
	ID   string   `json:"id"`
	Name string   `json:"name,omitempty"`
}

// Weekday is a day of the week in a recurrence rule, optionally with an ordinal (BYDAY=2MO is N=2, Day=Monday;
// -1FR is the last Friday). N is 0 when no ordinal is given.
type Weekday struct {
	N   int          `json:"n,omitempty"`
	Day time.Weekday `json:"day"`
}

// Frequency is an RFC 5545 recurrence frequency.
type Frequency string

// The recurrence frequencies we model (RFC 5545 FREQ values).
const (
	Daily   Frequency = "DAILY"
	Weekly  Frequency = "WEEKLY"
	Monthly Frequency = "MONTHLY"
	Yearly  Frequency = "YEARLY"
)

// Rule is a recurrence rule, the structured form of an RFC 5545 RRULE. Every system we sync with expresses a
// subset of it; connectors that cannot express a rule report an ItemError naming the field "recurrence".
type Rule struct {
	Freq       Frequency    `json:"freq"`
	Interval   int          `json:"interval,omitempty"` // 0 and 1 both mean every period
	Count      int          `json:"count,omitempty"`    // 0 = no count limit
	Until      time.Time    `json:"until,omitzero"`     // zero = no end; an instant (UTC) or, for all-day series, a date at 00:00 UTC
	ByDay      []Weekday    `json:"byDay,omitempty"`
	ByMonthDay []int        `json:"byMonthDay,omitempty"`
	ByMonth    []int        `json:"byMonth,omitempty"`
	BySetPos   []int        `json:"bySetPos,omitempty"`
	WeekStart  time.Weekday `json:"weekStart,omitempty"` // Monday unless set; zero value Sunday is stored as 0 only when explicit
	Dates      []time.Time  `json:"dates,omitempty"`     // extra occurrence starts (RDATE), for patterns that are explicit lists
	Excluded   []time.Time  `json:"excluded,omitempty"`  // original starts of deleted occurrences (EXDATE)
	Overrides  []Override   `json:"overrides,omitempty"` // modified occurrences
}

// Override is one modified occurrence of a series: the occurrence that would start at OriginalStart (the
// RECURRENCE-ID) has this content instead. Item holds the full content of the occurrence; its Recurrence is nil.
type Override struct {
	OriginalStart time.Time    `json:"originalStart"`
	Item          *Appointment `json:"item"`
}

// Appointment is a calendar event, possibly a recurring series with its exceptions.
//
// Times: a timed appointment has Start and End as instants and TimeZone as the IANA zone it was scheduled in (the
// zone matters for recurrence across daylight-saving changes and for display). An all-day appointment has AllDay
// set and Start/End at 00:00 UTC of its first day and of the day after its last day (End is exclusive), whatever
// zone anyone views it from.
type Appointment struct {
	UID              string     `json:"uid,omitempty"` // iCalendar UID where the system has one (the cross-system key)
	Title            string     `json:"title,omitempty"`
	Body             string     `json:"body,omitempty"` // plain text
	Location         string     `json:"location,omitempty"`
	Start            time.Time  `json:"start"`
	End              time.Time  `json:"end"`
	TimeZone         string     `json:"tz,omitempty"`    // IANA name; empty means UTC
	EndTimeZone      string     `json:"endTz,omitempty"` // only when it differs from TimeZone
	AllDay           bool       `json:"allDay,omitempty"`
	Recurrence       *Rule      `json:"recurrence,omitempty"`
	Organizer        *Attendee  `json:"organizer,omitempty"`
	Attendees        []Attendee `json:"attendees,omitempty"`
	ShowAs           ShowAs     `json:"showAs,omitempty"`
	Private          bool       `json:"private,omitempty"`
	Categories       []string   `json:"categories,omitempty"`
	Reminder         *Duration  `json:"reminder,omitempty"` // before Start; nil = no reminder
	OnlineMeetingURL string     `json:"onlineMeetingUrl,omitempty"`
	Type             string     `json:"type,omitempty"` // the CRM's appointment type (mapped to a category by the profile)
	Links            []CRMLink  `json:"links,omitempty"`
}

// ItemKind reports KindAppointment.
func (*Appointment) ItemKind() Kind { return KindAppointment }

// Duration is a time.Duration that marshals as whole seconds.
type Duration int64

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) * time.Second }

// DurationOf converts a time.Duration (rounded down to whole seconds) to a *Duration.
func DurationOf(d time.Duration) *Duration { v := Duration(d / time.Second); return &v }

// Priority is a task's priority.
type Priority string

// The task priorities. The zero value means normal.
const (
	PriorityNormal Priority = ""
	PriorityLow    Priority = "low"
	PriorityHigh   Priority = "high"
)

// Task is a to-do item (SuperOffice checklist item, Microsoft To Do task, VTODO, Google task).
// Due and Start are dates at 00:00 UTC when DueAllDay is set (most systems keep only a date), instants otherwise.
type Task struct {
	Title      string    `json:"title,omitempty"`
	Body       string    `json:"body,omitempty"`
	Start      time.Time `json:"start,omitzero"`
	Due        time.Time `json:"due,omitzero"`
	DueAllDay  bool      `json:"dueAllDay,omitempty"`
	TimeZone   string    `json:"tz,omitempty"`
	Completed  time.Time `json:"completed,omitzero"` // zero = not completed
	Priority   Priority  `json:"priority,omitempty"`
	Private    bool      `json:"private,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Reminder   *Duration `json:"reminder,omitempty"` // before Due
	Type       string    `json:"type,omitempty"`     // the CRM's task type
	Links      []CRMLink `json:"links,omitempty"`
}

// ItemKind reports KindTask.
func (*Task) ItemKind() Kind { return KindTask }

// Labeled is a value with a label such as work, home, mobile or other (lower case).
type Labeled struct {
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
}

// Address is a postal address.
type Address struct {
	Label      string `json:"label,omitempty"`
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Contact is a person (SuperOffice person with their company, Outlook contact, vCard, Google person).
type Contact struct {
	Prefix     string    `json:"prefix,omitempty"`
	GivenName  string    `json:"givenName,omitempty"`
	MiddleName string    `json:"middleName,omitempty"`
	FamilyName string    `json:"familyName,omitempty"`
	Suffix     string    `json:"suffix,omitempty"`
	Display    string    `json:"display,omitempty"` // display name, when the system keeps one apart from the parts
	Company    string    `json:"company,omitempty"`
	Department string    `json:"department,omitempty"`
	JobTitle   string    `json:"jobTitle,omitempty"`
	Emails     []Labeled `json:"emails,omitempty"`
	Phones     []Labeled `json:"phones,omitempty"`
	Addresses  []Address `json:"addresses,omitempty"`
	URLs       []Labeled `json:"urls,omitempty"`
	Birthday   time.Time `json:"birthday,omitzero"` // a date at 00:00 UTC
	Notes      string    `json:"notes,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Links      []CRMLink `json:"links,omitempty"`
}

// ItemKind reports KindContact.
func (*Contact) ItemKind() Kind { return KindContact }

// Group is a named set of contacts: a SuperOffice selection on the CRM side; a contact group, a contact folder or
// a category on the mailbox side. Members are ids of contacts in the same store system; the engine translates
// them through the contact links.
type Group struct {
	Name    string   `json:"name"`
	Members []string `json:"members,omitempty"`
}

// ItemKind reports KindGroup.
func (*Group) ItemKind() Kind { return KindGroup }
