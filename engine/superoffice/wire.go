package superoffice

import (
	"fmt"
	"strings"
	"time"
)

// The wire types below are the subset of the SuperOffice WebAPI v1 carriers (Swagger-v1-*.json in testdata) this
// connector reads and writes. Field names and JSON keys are exactly those of the Swagger definitions; fields the
// connector does not use are left out and so are never sent (SuperOffice keeps what a PUT omits only for some
// carriers, so Update always starts from the entity it read and changes the fields it maps).

// wireTimeLayout is how SuperOffice writes date-times: local time without an offset, in the zone named by the
// SO-TimeZone request header (we always send UTC).
const wireTimeLayout = "2006-01-02T15:04:05"

// FormatTime formats t as a SuperOffice date-time in loc.
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(wireTimeLayout)
}

// ParseTime parses a SuperOffice date-time as a wall time in loc. An explicit offset or Z, which newer NetServer
// versions may add, wins over loc. The empty string and SuperOffice's "no date" values give the zero time.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0001-01-01") || strings.HasPrefix(s, "1753-01-01") {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", wireTimeLayout, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date-time %q: not in the form yyyy-MM-ddTHH:mm:ss", s)
}

// Associate is SuperOffice.CRM.Services.Associate.
type Associate struct {
	AssociateID int32  `json:"AssociateId"`
	Name        string `json:"Name,omitempty"`
	PersonID    int32  `json:"PersonId,omitempty"`
	FullName    string `json:"FullName,omitempty"`
	Type        string `json:"Type,omitempty"`
	Deleted     bool   `json:"Deleted,omitempty"`
	UserName    string `json:"UserName,omitempty"`
}

// ContactRef is SuperOffice.CRM.Services.Contact (the company carrier embedded in other entities).
type ContactRef struct {
	ContactID  int32  `json:"ContactId"`
	Name       string `json:"Name,omitempty"`
	Department string `json:"Department,omitempty"`
}

// PersonRef is SuperOffice.CRM.Services.Person (the person carrier embedded in other entities).
type PersonRef struct {
	PersonID  int32  `json:"PersonId"`
	FullName  string `json:"FullName,omitempty"`
	Email     string `json:"Email,omitempty"`
	ContactID int32  `json:"ContactId,omitempty"`
}

// ProjectRef is SuperOffice.CRM.Services.Project.
type ProjectRef struct {
	ProjectID int32  `json:"ProjectId"`
	Name      string `json:"Name,omitempty"`
}

// SaleRef is SuperOffice.CRM.Services.Sale.
type SaleRef struct {
	SaleID int32  `json:"SaleId"`
	Title  string `json:"Title,omitempty"`
}

// TaskListItem is SuperOffice.CRM.Services.TaskListItem: an appointment or task type ("Meeting", "Phone call").
type TaskListItem struct {
	TaskListItemID       int32  `json:"TaskListItemId"`
	Value                string `json:"Value,omitempty"`
	Type                 string `json:"Type,omitempty"`
	Deleted              bool   `json:"Deleted,omitempty"`
	IsDefaultAlldayEvent bool   `json:"IsDefaultAlldayEvent,omitempty"`
	IsDefaultFree        bool   `json:"IsDefaultFree,omitempty"`
}

// ParticipantInfo is SuperOffice.CRM.Services.ParticipantInfo.
type ParticipantInfo struct {
	AssociateID           int32  `json:"AssociateId,omitempty"`
	PersonID              int32  `json:"PersonId,omitempty"`
	ContactID             int32  `json:"ContactId,omitempty"`
	SendEmail             bool   `json:"SendEmail,omitempty"`
	InvitationStatus      string `json:"InvitationStatus,omitempty"`
	EmailAddress          string `json:"EmailAddress,omitempty"`
	Description           string `json:"Description,omitempty"`
	ExternallyOwnedType   string `json:"ExternallyOwnedType,omitempty"`
	ExternallyOwnedStatus string `json:"ExternallyOwnedStatus,omitempty"`
}

// RecurrenceDayPattern is SuperOffice.CRM.Services.RecurrenceDayPattern.
type RecurrenceDayPattern struct {
	Pattern string `json:"Pattern,omitempty"` // EveryWorkday, EveryWeekday, EveryCyclicDay
	Cycle   int32  `json:"Cycle,omitempty"`
}

// RecurrenceWeekPattern is SuperOffice.CRM.Services.RecurrenceWeekPattern. Weekdays is a .NET flags enum,
// serialized as "Monday, Wednesday".
type RecurrenceWeekPattern struct {
	Weekdays string `json:"Weekdays,omitempty"`
	Cycle    int32  `json:"Cycle,omitempty"`
}

// RecurrenceMonthPattern is SuperOffice.CRM.Services.RecurrenceMonthPattern (and, with Cycle the month 1–12,
// RecurrenceYearPattern).
type RecurrenceMonthPattern struct {
	Pattern     string `json:"Pattern,omitempty"` // DayOfMonth, WeekdayOfMonth
	Cycle       int32  `json:"Cycle,omitempty"`
	Day         int32  `json:"Day,omitempty"`
	Weekday     string `json:"Weekday,omitempty"`
	WeekOfMonth string `json:"WeekOfMonth,omitempty"` // First … Fourth, Last
}

// RecurrenceDate is SuperOffice.CRM.Services.RecurrenceDate.
type RecurrenceDate struct {
	Date       string `json:"Date"`
	IsConflict bool   `json:"IsConflict,omitempty"`
}

// RecurrenceInfo is SuperOffice.CRM.Services.RecurrenceInfo.
type RecurrenceInfo struct {
	RecurrenceID      int32                   `json:"RecurrenceId,omitempty"`
	StartDate         string                  `json:"StartDate,omitempty"`
	EndDate           string                  `json:"EndDate,omitempty"`
	RecurrenceCounter int32                   `json:"RecurrenceCounter,omitempty"`
	RecurrenceEndType string                  `json:"RecurrenceEndType,omitempty"` // EndDate, Counter
	Pattern           string                  `json:"Pattern,omitempty"`           // Daily, Weekly, Monthly, Yearly, Custom
	DayPattern        *RecurrenceDayPattern   `json:"DayPattern,omitempty"`
	WeekPattern       *RecurrenceWeekPattern  `json:"WeekPattern,omitempty"`
	MonthPattern      *RecurrenceMonthPattern `json:"MonthPattern,omitempty"`
	YearPattern       *RecurrenceMonthPattern `json:"YearPattern,omitempty"`
	Dates             []RecurrenceDate        `json:"Dates,omitempty"`
	IsRecurrence      bool                    `json:"IsRecurrence"`
}

// AppointmentEntity is SuperOffice.CRM.Services.AppointmentEntity: one diary appointment, one checklist task, or
// one occurrence of a recurring series (each occurrence is its own row sharing Recurrence.RecurrenceId).
type AppointmentEntity struct {
	AppointmentID     int32             `json:"AppointmentId"`
	Associate         *Associate        `json:"Associate,omitempty"`
	Contact           *ContactRef       `json:"Contact,omitempty"`
	Person            *PersonRef        `json:"Person,omitempty"`
	Project           *ProjectRef       `json:"Project,omitempty"`
	Sale              *SaleRef          `json:"Sale,omitempty"`
	CreatedBy         *Associate        `json:"CreatedBy,omitempty"`
	UpdatedBy         *Associate        `json:"UpdatedBy,omitempty"`
	CreatedDate       string            `json:"CreatedDate,omitempty"`
	UpdatedDate       string            `json:"UpdatedDate,omitempty"`
	Description       string            `json:"Description"`
	Title             string            `json:"Title"`
	InternalNotes     string            `json:"InternalNotes,omitempty"`
	StartDate         string            `json:"StartDate"`
	EndDate           string            `json:"EndDate"`
	ActiveDate        string            `json:"ActiveDate,omitempty"`
	MotherID          int32             `json:"MotherId,omitempty"`
	Private           string            `json:"Private,omitempty"` // Public, PrivateUser, PrivateGroup
	Type              string            `json:"Type,omitempty"`    // inDiary, inChecklist, BookingForDiary, BookingForChecklist
	Completed         string            `json:"Completed,omitempty"`
	AlarmLeadTime     string            `json:"AlarmLeadTime,omitempty"`
	HasAlarm          bool              `json:"HasAlarm"`
	IsFree            bool              `json:"IsFree"`
	IsAlldayEvent     bool              `json:"IsAlldayEvent"`
	Location          string            `json:"Location"`
	Recurrence        *RecurrenceInfo   `json:"Recurrence,omitempty"`
	Participants      []ParticipantInfo `json:"Participants,omitempty"`
	InvitationStatus  string            `json:"InvitationStatus,omitempty"`
	BookingType       string            `json:"BookingType,omitempty"`
	Task              *TaskListItem     `json:"Task,omitempty"`
	JoinVideomeetURL  string            `json:"JoinVideomeetUrl,omitempty"`
	UserDefinedFields map[string]string `json:"UserDefinedFields,omitempty"`
}

// EntityElement is SuperOffice.CRM.Services.EntityElement (an e-mail address, phone number or URL of a person).
type EntityElement struct {
	Value         string `json:"Value"`
	StrippedValue string `json:"StrippedValue,omitempty"`
	Description   string `json:"Description,omitempty"`
}

// Position is SuperOffice.CRM.Services.Position.
type Position struct {
	ID    int32  `json:"Id"`
	Value string `json:"Value,omitempty"`
}

// StructuredAddress is SuperOffice.CRM.Services.StructuredAddress.
type StructuredAddress struct {
	AtypeIdx string `json:"AtypeIdx,omitempty"`
	Address1 string `json:"Address1,omitempty"`
	Address2 string `json:"Address2,omitempty"`
	Address3 string `json:"Address3,omitempty"`
	City     string `json:"City,omitempty"`
	County   string `json:"County,omitempty"`
	State    string `json:"State,omitempty"`
	Zipcode  string `json:"Zipcode,omitempty"`
}

// Address is SuperOffice.CRM.Services.Address.
type Address struct {
	Street    *StructuredAddress `json:"Street,omitempty"`
	Postal    *StructuredAddress `json:"Postal,omitempty"`
	Formatted string             `json:"Formatted,omitempty"`
}

// PersonEntity is SuperOffice.CRM.Services.PersonEntity: a contact person, with the company they belong to.
type PersonEntity struct {
	PersonID          int32             `json:"PersonId"`
	Firstname         string            `json:"Firstname"`
	MiddleName        string            `json:"MiddleName"`
	Lastname          string            `json:"Lastname"`
	Mrmrs             string            `json:"Mrmrs"`
	Title             string            `json:"Title"`
	UpdatedDate       string            `json:"UpdatedDate,omitempty"`
	CreatedDate       string            `json:"CreatedDate,omitempty"`
	BirthDate         string            `json:"BirthDate,omitempty"`
	UpdatedBy         *Associate        `json:"UpdatedBy,omitempty"`
	Emails            []EntityElement   `json:"Emails"`
	Description       string            `json:"Description"`
	OfficePhones      []EntityElement   `json:"OfficePhones"`
	MobilePhones      []EntityElement   `json:"MobilePhones"`
	PrivatePhones     []EntityElement   `json:"PrivatePhones"`
	Faxes             []EntityElement   `json:"Faxes"`
	OtherPhones       []EntityElement   `json:"OtherPhones"`
	Urls              []EntityElement   `json:"Urls"`
	Position          *Position         `json:"Position,omitempty"`
	Contact           *ContactRef       `json:"Contact,omitempty"`
	Associate         *Associate        `json:"Associate,omitempty"`
	Address           *Address          `json:"Address,omitempty"`
	FullName          string            `json:"FullName,omitempty"`
	UserDefinedFields map[string]string `json:"UserDefinedFields,omitempty"`
}

// Webhook is SuperOffice.CRM.Services.Webhook.
type Webhook struct {
	WebhookID         int32             `json:"WebhookId"`
	Name              string            `json:"Name"`
	Events            []string          `json:"Events"`
	TargetURL         string            `json:"TargetUrl"`
	Secret            string            `json:"Secret,omitempty"`
	State             string            `json:"State"` // Active, Stopped, TooManyErrors
	Type              string            `json:"Type"`
	Headers           map[string]string `json:"Headers,omitempty"`
	Properties        map[string]string `json:"Properties,omitempty"`
	ConsecutiveErrors int32             `json:"ConsecutiveErrors,omitempty"`
	TotalCalls        int32             `json:"TotalCalls,omitempty"`
	TotalErrors       int32             `json:"TotalErrors,omitempty"`
	LastError         string            `json:"LastError,omitempty"`
}

// WebhookPayload is the body of one webhook delivery.
type WebhookPayload struct {
	EventID              string            `json:"EventId"`
	Timestamp            string            `json:"Timestamp"`
	Changes              []string          `json:"Changes"`
	Event                string            `json:"Event"`
	PrimaryKey           int32             `json:"PrimaryKey"`
	Entity               string            `json:"Entity"`
	ContextIdentifier    string            `json:"ContextIdentifier"`
	ChangedByAssociateID int32             `json:"ChangedByAssociateId"`
	WebhookName          string            `json:"WebhookName"`
	Values               map[string]string `json:"Values,omitempty"`
}

// ODataSlimResponse is SuperOffice.Services.WebApi.OData.ODataSlimResponse: archive rows.
type ODataSlimResponse struct {
	Metadata string           `json:"odata.metadata,omitempty"`
	NextLink string           `json:"odata.nextLink,omitempty"`
	Value    []map[string]any `json:"value"`
}
