// Package superofficetest is a faithful fake of the SuperOffice CRM Online WebAPI v1 for tests, benchmarks and the
// demo mode: the REST paths and JSON carriers of the Swagger definitions (Appointment, Person, Webhook, Selection
// and the task list), the OData archive subset the connector uses ($select, $filter with eq/ne/lt/le/gt/ge/after/
// before/contains joined by and, $orderBy, $top, $skip, odata.nextLink), SO-TimeZone handling of local date-times,
// recurring appointments stored as one row per occurrence, If-Unmodified-Since preconditions (412), webhooks
// delivered with X-SuperOffice-Signature to their target URL (falling into TooManyErrors after 9 consecutive
// failures), the partner system-user ticket endpoint verifying the RSA signature, the OpenID Connect endpoints of
// "Sign in with SuperOffice", and injectable latency, 429 Retry-After and other faults.
//
// The fake holds its state in memory and is safe for concurrent use. Start serves it on 127.0.0.1.
package superofficetest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/synchronizer/synchronizer/engine/superoffice"
)

// The fake tenant's fixed identity.
const (
	ContextIdentifier = "Cust12345"
	ClientID          = "fake-client-id"
	ClientSecret      = "fake-client-secret" //nolint:gosec // G101: the fake tenant's published test credential.
	SystemToken       = "Synchronizer-fake12345"
	// SystemAssociateID is the associate our system user acts as: every write through a ticket is made by it.
	SystemAssociateID = 9
	// MaxConsecutiveErrors is the number of failed deliveries after which a webhook falls into TooManyErrors.
	MaxConsecutiveErrors = 9
)

// Fault lets a test fail one request: return a status to answer it with (and, for 429/503, a Retry-After in
// seconds), or 0 to serve it normally.
type Fault func(r *http.Request) (status int, retryAfter int)

// Server is the fake tenant.
type Server struct {
	mu         sync.Mutex
	now        func() time.Time
	zone       *time.Location // the tenant's zone, used when a request has no SO-TimeZone
	srv        *httptest.Server
	latency    time.Duration
	fault      Fault
	calls      atomic.Int64
	nextID     int32
	appts      map[int32]*appt
	persons    map[int32]*person
	contacts   map[int32]superoffice.ContactRef
	associates []superoffice.Associate
	emails     map[int32]string // associate id → e-mail
	tasks      []superoffice.TaskListItem
	selections map[int32]*selection
	webhooks   map[int32]*superoffice.Webhook
	tickets    map[string]time.Time // ticket → last use
	basic      map[string]string    // on-site user → password
	partnerKey *rsa.PublicKey
	loginKey   *rsa.PrivateKey
	codes      map[string]signIn // authorization code → who signed in, with the nonce
	// signedIn is the associate who signs in at the login page (the fake has no login form); 0: the admin.
	signedIn   int32
	deliveries chan delivery
	pending    sync.WaitGroup
	hookClient *http.Client
	// aud overrides the audience of issued id_tokens (tests of the client's audience check).
	aud string
	// Udef is the progId of the user-defined field the tenant has configured for the idempotency marker.
	udef string
}

type appt struct {
	e       superoffice.AppointmentEntity // wire form with times in UTC
	start   time.Time
	end     time.Time
	updated time.Time
}

type person struct {
	e       superoffice.PersonEntity
	updated time.Time
}

type selection struct {
	id      int32
	name    string
	dynamic bool
	members []int32
	updated time.Time
}

type delivery struct {
	hook superoffice.Webhook
	body []byte
}

// Options configure New.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Zone is the tenant's time zone for requests without SO-TimeZone (default Europe/Oslo).
	Zone *time.Location
	// PartnerKey is the public half of the partner's RSA key that signs system-user tokens.
	PartnerKey *rsa.PublicKey
	// MarkerUdef is the progId of a user-defined field on appointments and persons (default "SuperOffice:1").
	MarkerUdef string
}

// New returns a fake tenant with no appointments, a few associates and the default task list.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Zone == nil {
		z, err := time.LoadLocation("Europe/Oslo")
		if err != nil {
			z = time.UTC
		}
		o.Zone = z
	}
	if o.MarkerUdef == "" {
		o.MarkerUdef = "SuperOffice:1"
	}
	lk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	s := &Server{now: o.Now, zone: o.Zone, nextID: 1000, appts: map[int32]*appt{}, persons: map[int32]*person{},
		contacts: map[int32]superoffice.ContactRef{}, emails: map[int32]string{}, selections: map[int32]*selection{},
		webhooks: map[int32]*superoffice.Webhook{}, tickets: map[string]time.Time{}, basic: map[string]string{},
		partnerKey: o.PartnerKey, loginKey: lk, codes: map[string]signIn{}, udef: o.MarkerUdef,
		deliveries: make(chan delivery, 4096), hookClient: &http.Client{Timeout: 5 * time.Second}}
	s.tasks = []superoffice.TaskListItem{
		{TaskListItemID: 1, Value: "Meeting", Type: "Appointment"},
		{TaskListItemID: 2, Value: "Phone call", Type: "Phone"},
		{TaskListItemID: 3, Value: "Follow-up", Type: "ToDo"},
		{TaskListItemID: 4, Value: "Holiday", Type: "Appointment", IsDefaultAlldayEvent: true, IsDefaultFree: true},
	}
	s.AddAssociate(SystemAssociateID, "SYNC", "sync@system.invalid")
	s.associates[0].Type = "SystemAssociate"
	go s.deliver()
	return s
}

// Start serves the fake on 127.0.0.1 and returns its base URL (the tenant's webapi_url is URL + "/api/").
func (s *Server) Start() string {
	s.srv = httptest.NewServer(s)
	return s.srv.URL
}

// URL is the base URL after Start.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server and the webhook deliveries.
func (s *Server) Close() {
	s.Flush()
	if s.srv != nil {
		s.srv.Close()
	}
}

// SetLatency delays every request by d.
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// SetFault installs f (nil removes it).
func (s *Server) SetFault(f Fault) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

// Calls reports how many requests the REST API has served.
func (s *Server) Calls() int64 { return s.calls.Load() }

// AddAssociate adds a CRM user with an e-mail address.
func (s *Server) AddAssociate(id int32, name, email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.associates = append(s.associates, superoffice.Associate{AssociateID: id, Name: name, FullName: name, Type: "InternalAssociate", UserName: email})
	s.emails[id] = email
}

// DeleteTaskType marks the task list item named value deleted, as an administrator does in SuperOffice's Settings
// and maintenance: the item stays in v1/List/Task/Items with Deleted set, so existing activities keep their type.
// It reports whether the item was found.
func (s *Server) DeleteTaskType(value string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.tasks {
		if s.tasks[i].Value == value {
			s.tasks[i].Deleted = true
			return true
		}
	}
	return false
}

// AddCompany adds a company (contact) and returns its id.
func (s *Server) AddCompany(name string) int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.contacts[s.nextID] = superoffice.ContactRef{ContactID: s.nextID, Name: name}
	return s.nextID
}

// signIn is an authorization code's pending sign-in.
type signIn struct {
	nonce string
	assoc int32 // 0: the tenant's administrator (AdminEmail, AdminAssociateID)
}

// The administrator who signs in unless SignInAs names another associate.
const (
	AdminEmail       = "admin@example.com"
	AdminAssociateID = 5
)

// SignInAs makes the login page sign in associate id (added with AddAssociate) from now on, as if that user typed
// their credentials; 0 restores the administrator. Its id_tokens carry the associate's e-mail and id.
func (s *Server) SignInAs(id int32) { s.mu.Lock(); s.signedIn = id; s.mu.Unlock() }

// SetIDTokenAudience makes the token endpoint issue id_tokens for another audience ("" restores ClientID).
func (s *Server) SetIDTokenAudience(aud string) { s.mu.Lock(); s.aud = aud; s.mu.Unlock() }

// SetBasic allows on-site Basic authentication for user.
func (s *Server) SetBasic(user, password string) {
	s.mu.Lock()
	s.basic[user] = password
	s.mu.Unlock()
}

// ExpireTickets invalidates every issued ticket (as after 6 hours unused), so the next call gets 401.
func (s *Server) ExpireTickets() { s.mu.Lock(); clear(s.tickets); s.mu.Unlock() }

// Flush waits until every queued webhook delivery has been attempted.
func (s *Server) Flush() { s.pending.Wait() }

func (s *Server) tick(prev time.Time) time.Time {
	t := s.now().UTC().Truncate(time.Second)
	if !t.After(prev) {
		t = prev.Add(time.Second)
	}
	return t
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	lat, fault := s.latency, s.fault
	s.mu.Unlock()
	if lat > 0 {
		select {
		case <-time.After(lat):
		case <-r.Context().Done():
			return
		}
	}
	path := r.URL.Path
	if strings.HasPrefix(strings.ToLower(path), "/login/") {
		s.serveLogin(w, r)
		return
	}
	s.calls.Add(1)
	if fault != nil {
		if st, ra := fault(r); st != 0 {
			if ra > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(ra))
			}
			httpError(w, st, "injected fault")
			return
		}
	}
	assoc, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `SOTicket`)
		httpError(w, http.StatusUnauthorized, "ticket missing, invalid or expired")
		return
	}
	loc := s.zone
	if tz := r.Header.Get("SO-TimeZone"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			httpError(w, http.StatusBadRequest, "SO-TimeZone: unknown zone "+tz)
			return
		}
		loc = l
	}
	c := &call{s: s, w: w, r: r, loc: loc, assoc: assoc, lang: r.Header.Get("SO-Language")}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(path, "/api/v1"), "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "Appointment" && r.Method == http.MethodGet:
		c.listAppointments()
	case len(parts) == 1 && parts[0] == "Appointment" && r.Method == http.MethodPost:
		c.createAppointment()
	case len(parts) == 2 && parts[0] == "Appointment":
		c.appointment(parts[1])
	case len(parts) == 1 && parts[0] == "Person" && r.Method == http.MethodGet:
		c.listPersons()
	case len(parts) == 1 && parts[0] == "Person" && r.Method == http.MethodPost:
		c.putPerson(0)
	case len(parts) == 2 && parts[0] == "Person":
		c.person(parts[1])
	case len(parts) == 1 && parts[0] == "User" && r.Method == http.MethodGet:
		c.listAssociates()
	case len(parts) == 3 && parts[0] == "List" && parts[1] == "Task" && parts[2] == "Items" && r.Method == http.MethodGet:
		s.mu.Lock()
		out := slices.Clone(s.tasks)
		s.mu.Unlock()
		if r.Header.Get("SO-Language") == "no" {
			// Multi-language list items come back in the requested language.
			for i := range out {
				out[i].Value = norwegian[out[i].Value]
			}
		}
		writeJSON(w, http.StatusOK, out)
	case len(parts) == 1 && parts[0] == "Selection" && r.Method == http.MethodGet:
		c.listSelections()
	case len(parts) == 3 && parts[0] == "Selection" && parts[2] == "Members" && r.Method == http.MethodGet:
		c.selectionMembers(parts[1])
	case parts[0] == "Webhook":
		c.webhook(parts[1:])
	case len(parts) == 2 && parts[0] == "User" && parts[1] == "currentPrincipal" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"AssociateId": assoc, "UserType": "SystemAssociate",
			"FunctionRights": []string{"admin-all", "webhook-admin"}})
	default:
		httpError(w, http.StatusNotFound, "no route "+r.Method+" "+path)
	}
}

func httpError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"Error": true, "ErrorType": http.StatusText(status), "Message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) authenticate(r *http.Request) (int32, bool) {
	h := r.Header.Get("Authorization")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.HasPrefix(h, "SOTicket "):
		t := strings.TrimPrefix(h, "SOTicket ")
		last, ok := s.tickets[t]
		if !ok || s.now().Sub(last) > 6*time.Hour || r.Header.Get("SO-AppToken") != ClientSecret {
			return 0, false
		}
		s.tickets[t] = s.now()
		return SystemAssociateID, true
	case strings.HasPrefix(h, "Basic "):
		user, pass, ok := r.BasicAuth()
		if !ok || s.basic[user] == "" || !hmac.Equal([]byte(s.basic[user]), []byte(pass)) {
			return 0, false
		}
		return SystemAssociateID, true
	}
	return 0, false
}

// call is one REST request being served.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	loc   *time.Location
	assoc int32
	lang  string // SO-Language: list items are returned in it
}

func (c *call) fail(status int, format string, a ...any) {
	httpError(c.w, status, fmt.Sprintf(format, a...))
}

func (c *call) decode(v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, 4<<20))
	if err := dec.Decode(v); err != nil {
		c.fail(http.StatusBadRequest, "body: %v", err)
		return false
	}
	return true
}

// precondition reports whether If-Unmodified-Since allows a write of an entity last updated at updated.
func (c *call) precondition(updated time.Time) bool {
	h := c.r.Header.Get("If-Unmodified-Since")
	if h == "" {
		return true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		c.fail(http.StatusBadRequest, "If-Unmodified-Since: %v", err)
		return false
	}
	if updated.After(t) {
		c.fail(http.StatusPreconditionFailed, "the entity was modified at %s", updated.Format(http.TimeFormat))
		return false
	}
	return true
}

// ---- appointments ----

func (c *call) out(a *appt) superoffice.AppointmentEntity {
	e := a.e
	e.StartDate = superoffice.FormatTime(a.start, c.loc)
	e.EndDate = superoffice.FormatTime(a.end, c.loc)
	e.UpdatedDate = superoffice.FormatTime(a.updated, time.UTC) // UpdatedDate is always UTC
	e.Participants = slices.Clone(a.e.Participants)
	if a.e.Recurrence != nil {
		rc := *a.e.Recurrence
		e.Recurrence = &rc
	}
	maps := map[string]string{}
	for k, v := range a.e.UserDefinedFields {
		maps[k] = v
	}
	e.UserDefinedFields = maps
	if e.Task != nil && c.lang == "no" {
		t := *e.Task
		t.Value = norwegian[t.Value]
		e.Task = &t
	}
	return e
}

func (c *call) appointment(idStr string) {
	id, err := strconv.ParseInt(idStr, 10, 32)
	if err != nil {
		c.fail(http.StatusBadRequest, "id: %q is not an integer", idStr)
		return
	}
	s := c.s
	s.mu.Lock()
	a, ok := s.appts[int32(id)]
	if !ok {
		s.mu.Unlock()
		c.fail(http.StatusNotFound, "appointment %d not found", id)
		return
	}
	switch c.r.Method {
	case http.MethodGet:
		e := c.out(a)
		s.mu.Unlock()
		writeJSON(c.w, http.StatusOK, e)
	case http.MethodDelete:
		if !c.precondition(a.updated) {
			s.mu.Unlock()
			return
		}
		delete(s.appts, int32(id))
		s.eventLocked("activity.deleted", int32(id), c.assoc, map[string]string{"appointment_id": idStr})
		s.mu.Unlock()
		c.w.WriteHeader(http.StatusNoContent)
	case http.MethodPut:
		s.mu.Unlock()
		var in superoffice.AppointmentEntity
		if !c.decode(&in) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		a, ok = s.appts[int32(id)]
		if !ok {
			c.fail(http.StatusNotFound, "appointment %d not found", id)
			return
		}
		if !c.precondition(a.updated) {
			return
		}
		na, err := c.fromWire(in)
		if err != nil {
			c.fail(http.StatusBadRequest, "%v", err)
			return
		}
		na.e.AppointmentID, na.e.CreatedDate, na.e.CreatedBy = a.e.AppointmentID, a.e.CreatedDate, a.e.CreatedBy
		if rc := in.Recurrence; rc != nil && rc.IsRecurrence && a.e.Recurrence != nil && patternChanged(a.e.Recurrence, rc) {
			// A changed pattern re-materializes the whole series ("update all"), keeping its RecurrenceId.
			s.regenerate(c, a, na, rc)
			return
		}
		na.e.Recurrence = a.e.Recurrence // a PUT of one row changes only this occurrence
		if na.e.Associate == nil {
			na.e.Associate = a.e.Associate
		}
		na.updated = s.tick(a.updated)
		na.e.UpdatedBy = &superoffice.Associate{AssociateID: c.assoc}
		s.appts[a.e.AppointmentID] = na
		s.eventLocked("activity.changed", a.e.AppointmentID, c.assoc, nil)
		writeJSON(c.w, http.StatusOK, c.out(na))
	default:
		s.mu.Unlock()
		c.fail(http.StatusMethodNotAllowed, "method %s", c.r.Method)
	}
}

// fromWire validates an incoming carrier and converts its local times.
func (c *call) fromWire(in superoffice.AppointmentEntity) (*appt, error) {
	st, err := superoffice.ParseTime(in.StartDate, c.loc)
	if err != nil || st.IsZero() {
		return nil, fmt.Errorf("StartDate: %q is not a date-time", in.StartDate)
	}
	en, err := superoffice.ParseTime(in.EndDate, c.loc)
	if err != nil || en.IsZero() {
		return nil, fmt.Errorf("EndDate: %q is not a date-time", in.EndDate)
	}
	if en.Before(st) {
		return nil, errors.New("EndDate: before StartDate")
	}
	switch in.Type {
	case "", "inDiary", "inChecklist", "BookingForDiary", "BookingForChecklist":
	default:
		return nil, fmt.Errorf("field Type: %q is not a diary or checklist type", in.Type)
	}
	switch in.Private {
	case "", "Public", "PrivateUser", "PrivateGroup":
	default:
		return nil, fmt.Errorf("field Private: %q", in.Private)
	}
	if in.Type == "" {
		in.Type = "inDiary"
	}
	if in.Private == "" {
		in.Private = "Public"
	}
	if in.Completed == "" {
		in.Completed = "NotStarted"
	}
	if in.Task != nil {
		found := false
		for _, t := range c.s.tasks {
			if t.TaskListItemID == in.Task.TaskListItemID {
				tt := t
				in.Task, found = &tt, true
			}
		}
		if !found {
			return nil, fmt.Errorf("Task.TaskListItemId: %d is not in the task list", in.Task.TaskListItemID)
		}
	}
	if in.Contact != nil && in.Contact.ContactID != 0 {
		co, ok := c.s.contacts[in.Contact.ContactID]
		if !ok {
			return nil, fmt.Errorf("Contact.ContactId: %d does not exist", in.Contact.ContactID)
		}
		in.Contact = &co
	}
	if in.Person != nil && in.Person.PersonID != 0 {
		p, ok := c.s.persons[in.Person.PersonID]
		if !ok {
			return nil, fmt.Errorf("Person.PersonId: %d does not exist", in.Person.PersonID)
		}
		in.Person = &superoffice.PersonRef{PersonID: p.e.PersonID, FullName: strings.TrimSpace(p.e.Firstname + " " + p.e.Lastname)}
	}
	if in.Associate != nil {
		if _, ok := c.s.emails[in.Associate.AssociateID]; !ok {
			return nil, fmt.Errorf("Associate.AssociateId: %d is not a user", in.Associate.AssociateID)
		}
		in.Associate = &superoffice.Associate{AssociateID: in.Associate.AssociateID, Name: c.s.name(in.Associate.AssociateID)}
	}
	if in.HasAlarm && in.AlarmLeadTime == "" {
		return nil, errors.New("AlarmLeadTime: required when HasAlarm")
	}
	in.StartDate, in.EndDate, in.UpdatedDate = "", "", ""
	return &appt{e: in, start: st, end: en}, nil
}

func (s *Server) name(id int32) string {
	for _, a := range s.associates {
		if a.AssociateID == id {
			return a.Name
		}
	}
	return ""
}

func (c *call) createAppointment() {
	var in superoffice.AppointmentEntity
	if !c.decode(&in) {
		return
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := c.fromWire(in)
	if err != nil {
		c.fail(http.StatusBadRequest, "%v", err)
		return
	}
	if a.e.Associate == nil {
		a.e.Associate = &superoffice.Associate{AssociateID: c.assoc, Name: s.name(c.assoc)}
	}
	a.e.CreatedBy = &superoffice.Associate{AssociateID: c.assoc}
	a.e.UpdatedBy = &superoffice.Associate{AssociateID: c.assoc}
	a.updated = s.tick(time.Time{})
	a.e.CreatedDate = superoffice.FormatTime(a.updated, time.UTC)
	var rows []*appt
	if rc := in.Recurrence; rc != nil && rc.IsRecurrence {
		starts, err := expand(rc, a.start, c.loc)
		if err != nil {
			c.fail(http.StatusBadRequest, "Recurrence: %v", err)
			return
		}
		s.nextID++
		rid := s.nextID
		info := *rc
		info.RecurrenceID = rid
		info.StartDate = superoffice.FormatTime(starts[0], c.loc)[:10]
		info.Dates = nil
		dur := a.end.Sub(a.start)
		for _, st := range starts {
			row := *a
			row.e.Recurrence = &info
			row.start, row.end = st, st.Add(dur)
			rows = append(rows, &row)
		}
	} else {
		a.e.Recurrence = nil
		rows = []*appt{a}
	}
	for _, row := range rows {
		s.nextID++
		row.e.AppointmentID = s.nextID
		s.appts[row.e.AppointmentID] = row
		s.eventLocked("activity.created", row.e.AppointmentID, c.assoc, nil)
	}
	writeJSON(c.w, http.StatusCreated, c.out(rows[0]))
}

// norwegian is the task list in Norwegian, for SO-Language: no.
var norwegian = map[string]string{"Meeting": "Møte", "Phone call": "Telefon", "Follow-up": "Oppfølging", "Holiday": "Ferie"}

var weekdays = map[string]time.Weekday{"Sunday": time.Sunday, "Monday": time.Monday, "Tuesday": time.Tuesday,
	"Wednesday": time.Wednesday, "Thursday": time.Thursday, "Friday": time.Friday, "Saturday": time.Saturday}

var weeksOfMonth = map[string]int{"First": 1, "Second": 2, "Third": 3, "Fourth": 4, "Last": -1}

// maxRows bounds the rows one series creates, as SuperOffice limits the occurrences it materializes.
const maxRows = 1000

// expand materializes a series as SuperOffice does: wall-clock times in loc, from first, by the pattern.
func expand(rc *superoffice.RecurrenceInfo, first time.Time, loc *time.Location) ([]time.Time, error) {
	lf := first.In(loc)
	var until time.Time
	count := 0
	switch rc.RecurrenceEndType {
	case "Counter":
		count = int(rc.RecurrenceCounter)
		if count <= 0 {
			return nil, errors.New("RecurrenceCounter: must be positive with RecurrenceEndType Counter")
		}
	case "EndDate":
		u, err := superoffice.ParseTime(rc.EndDate, loc)
		if err != nil || u.IsZero() {
			return nil, fmt.Errorf("EndDate: %q", rc.EndDate)
		}
		ul := u.In(loc)
		until = time.Date(ul.Year(), ul.Month(), ul.Day(), 23, 59, 59, 0, loc)
	default:
		return nil, fmt.Errorf("RecurrenceEndType: %q (want EndDate or Counter)", rc.RecurrenceEndType)
	}
	at := func(d time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), lf.Hour(), lf.Minute(), lf.Second(), 0, loc)
	}
	var out []time.Time
	done := func(t time.Time) bool {
		return (count > 0 && len(out) >= count) || (!until.IsZero() && t.After(until)) || len(out) >= maxRows
	}
	emit := func(t time.Time) bool {
		if t.Before(first) {
			return false
		}
		if done(t) {
			return true
		}
		out = append(out, t.UTC())
		return false
	}
	day0 := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, time.UTC)
	switch rc.Pattern {
	case "Daily":
		cyc := 1
		if rc.DayPattern != nil && rc.DayPattern.Cycle > 0 {
			cyc = int(rc.DayPattern.Cycle)
		}
		workdays := rc.DayPattern != nil && rc.DayPattern.Pattern == "EveryWorkday"
		for d := day0; d.Year() < 9999; d = d.AddDate(0, 0, cyc) {
			if workdays && (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday) {
				continue
			}
			if emit(at(d)) {
				break
			}
		}
	case "Weekly":
		if rc.WeekPattern == nil || rc.WeekPattern.Weekdays == "" {
			return nil, errors.New("WeekPattern.Weekdays: required")
		}
		days := map[time.Weekday]bool{}
		for _, n := range strings.Split(rc.WeekPattern.Weekdays, ",") {
			wd, ok := weekdays[strings.TrimSpace(n)]
			if !ok {
				return nil, fmt.Errorf("WeekPattern.Weekdays: %q", n)
			}
			days[wd] = true
		}
		cyc := max(1, int(rc.WeekPattern.Cycle))
		monday := day0.AddDate(0, 0, -((int(day0.Weekday()) + 6) % 7))
		for w := monday; w.Year() < 9999; w = w.AddDate(0, 0, 7*cyc) {
			stop := false
			for i := range 7 {
				d := w.AddDate(0, 0, i)
				if days[d.Weekday()] && emit(at(d)) {
					stop = true
					break
				}
			}
			if stop {
				break
			}
		}
	case "Monthly", "Yearly":
		mp := rc.MonthPattern
		step := 1
		if rc.Pattern == "Yearly" {
			mp, step = rc.YearPattern, 12
		}
		if mp == nil {
			return nil, errors.New(rc.Pattern + "Pattern: required")
		}
		m0 := time.Date(day0.Year(), day0.Month(), 1, 0, 0, 0, 0, time.UTC)
		if rc.Pattern == "Monthly" {
			step = max(1, int(mp.Cycle))
		} else if mp.Cycle >= 1 && mp.Cycle <= 12 {
			m0 = time.Date(day0.Year(), time.Month(mp.Cycle), 1, 0, 0, 0, 0, time.UTC)
			if m0.Before(time.Date(day0.Year(), day0.Month(), 1, 0, 0, 0, 0, time.UTC)) {
				m0 = m0.AddDate(1, 0, 0)
			}
		}
		for m := m0; m.Year() < 9999; m = m.AddDate(0, step, 0) {
			var d time.Time
			switch mp.Pattern {
			case "DayOfMonth":
				if int(mp.Day) > daysIn(m) || mp.Day < 1 {
					continue
				}
				d = m.AddDate(0, 0, int(mp.Day)-1)
			case "WeekdayOfMonth":
				wd, ok := weekdays[mp.Weekday]
				n, ok2 := weeksOfMonth[mp.WeekOfMonth]
				if !ok || !ok2 {
					return nil, fmt.Errorf("%sPattern: weekday %q week %q", rc.Pattern, mp.Weekday, mp.WeekOfMonth)
				}
				if n > 0 {
					d = m.AddDate(0, 0, (int(wd)-int(m.Weekday())+7)%7+7*(n-1))
				} else {
					last := m.AddDate(0, 1, -1)
					d = last.AddDate(0, 0, -((int(last.Weekday()) - int(wd) + 7) % 7))
				}
			default:
				return nil, fmt.Errorf("%sPattern.Pattern: %q", rc.Pattern, mp.Pattern)
			}
			if emit(at(d)) {
				break
			}
		}
	case "Custom":
		for i, rd := range rc.Dates {
			d, err := superoffice.ParseTime(rd.Date, loc)
			if err != nil || d.IsZero() {
				return nil, fmt.Errorf("Dates[%d].Date: %q", i, rd.Date)
			}
			ld := d.In(loc)
			out = append(out, at(time.Date(ld.Year(), ld.Month(), ld.Day(), 0, 0, 0, 0, time.UTC)).UTC())
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	default:
		return nil, fmt.Errorf("field Pattern: %q", rc.Pattern)
	}
	if len(out) == 0 {
		return nil, errors.New("the pattern produces no occurrence")
	}
	return out, nil
}

// patternChanged reports whether two recurrence infos describe different patterns or ends.
func patternChanged(a, b *superoffice.RecurrenceInfo) bool {
	x, y := *a, *b
	x.RecurrenceID, y.RecurrenceID, x.Dates, y.Dates = 0, 0, nil, nil
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return !bytes.Equal(ja, jb)
}

// regenerate replaces the rows of a's series by a new materialization of rc starting at na. Callers hold s.mu.
func (s *Server) regenerate(c *call, a, na *appt, rc *superoffice.RecurrenceInfo) {
	rid := a.e.Recurrence.RecurrenceID
	starts, err := expand(rc, na.start, c.loc)
	if err != nil {
		c.fail(http.StatusBadRequest, "Recurrence: %v", err)
		return
	}
	for id, x := range s.appts {
		if x.e.Recurrence != nil && x.e.Recurrence.RecurrenceID == rid {
			delete(s.appts, id)
			s.eventLocked("activity.deleted", id, c.assoc, map[string]string{"appointment_id": strconv.Itoa(int(id))})
		}
	}
	info := *rc
	info.RecurrenceID = rid
	info.StartDate = superoffice.FormatTime(starts[0], c.loc)[:10]
	info.Dates = nil
	dur := na.end.Sub(na.start)
	var first *appt
	for _, st := range starts {
		row := *na
		row.e.Recurrence = &info
		row.start, row.end = st, st.Add(dur)
		row.updated = s.tick(a.updated)
		row.e.UpdatedBy = &superoffice.Associate{AssociateID: c.assoc}
		s.nextID++
		row.e.AppointmentID = s.nextID
		s.appts[row.e.AppointmentID] = &row
		s.eventLocked("activity.created", row.e.AppointmentID, c.assoc, nil)
		if first == nil {
			first = &row
		}
	}
	writeJSON(c.w, http.StatusOK, c.out(first))
}

func daysIn(m time.Time) int { return m.AddDate(0, 1, -1).Day() }

// ---- OData archive subset ----

type cond struct {
	col, op, val string
}

// parseFilter parses "a eq 1 and b after '2026-01-01T00:00:00'".
func parseFilter(f string) ([]cond, error) {
	var out []cond
	f = strings.TrimSpace(f)
	for f != "" {
		var c cond
		var ok bool
		c.col, f, ok = strings.Cut(f, " ")
		if !ok {
			return nil, fmt.Errorf("$filter: incomplete condition %q", c.col)
		}
		f = strings.TrimLeft(f, " ")
		c.op, f, ok = strings.Cut(f, " ")
		if !ok {
			return nil, fmt.Errorf("$filter: %s %s: value missing", c.col, c.op)
		}
		f = strings.TrimLeft(f, " ")
		if strings.HasPrefix(f, "'") {
			end := strings.Index(f[1:], "'")
			if end < 0 {
				return nil, errors.New("$filter: unterminated string")
			}
			c.val, f = f[1:end+1], f[end+2:]
		} else {
			c.val, f, _ = strings.Cut(f, " ")
		}
		out = append(out, c)
		f = strings.TrimSpace(f)
		if f == "" {
			break
		}
		rest, ok := strings.CutPrefix(f, "and ")
		if !ok {
			return nil, fmt.Errorf("$filter: only 'and' joins conditions, got %q", f)
		}
		f = strings.TrimSpace(rest)
	}
	return out, nil
}

func match(row map[string]any, cs []cond, loc *time.Location) (bool, error) {
	for _, c := range cs {
		v, ok := row[c.col]
		if !ok {
			return false, fmt.Errorf("$filter: unknown column %q", c.col)
		}
		var cmp int
		switch x := v.(type) {
		case int32:
			n, err := strconv.ParseInt(c.val, 10, 64)
			if err != nil {
				return false, fmt.Errorf("$filter: %s: %q is not an integer", c.col, c.val)
			}
			cmp = compareInt(int64(x), n)
		case time.Time:
			t, err := superoffice.ParseTime(c.val, loc)
			if err != nil {
				return false, fmt.Errorf("$filter: %s: %w", c.col, err)
			}
			cmp = x.Compare(t)
		case string:
			if c.op == "contains" {
				if !strings.Contains(strings.ToLower(x), strings.ToLower(c.val)) {
					return false, nil
				}
				continue
			}
			cmp = strings.Compare(x, c.val)
		default:
			return false, fmt.Errorf("$filter: column %q cannot be filtered", c.col)
		}
		var keep bool
		switch c.op {
		case "eq", "equals", "is":
			keep = cmp == 0
		case "ne", "unequals", "isNot":
			keep = cmp != 0
		case "lt", "less", "before":
			keep = cmp < 0
		case "le":
			keep = cmp <= 0
		case "gt", "greater", "after":
			keep = cmp > 0
		case "ge":
			keep = cmp >= 0
		default:
			return false, fmt.Errorf("$filter: operator %q not supported", c.op)
		}
		if !keep {
			return false, nil
		}
	}
	return true, nil
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// archive answers an OData archive query over rows (each a column → value map).
func (c *call) archive(rows []map[string]any, defaultOrder string) {
	q := c.r.URL.Query()
	cs, err := parseFilter(q.Get("$filter"))
	if err != nil {
		c.fail(http.StatusBadRequest, "%v", err)
		return
	}
	var kept []map[string]any
	for _, row := range rows {
		ok, err := match(row, cs, c.loc)
		if err != nil {
			c.fail(http.StatusBadRequest, "%v", err)
			return
		}
		if ok {
			kept = append(kept, row)
		}
	}
	order := q.Get("$orderBy")
	if order == "" {
		order = defaultOrder
	}
	col, dir, _ := strings.Cut(order, " ")
	desc := strings.EqualFold(dir, "desc")
	var sortErr error
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i][col], kept[j][col]
		var less bool
		switch x := a.(type) {
		case int32:
			less = x < b.(int32)
		case time.Time:
			less = x.Before(b.(time.Time))
		case string:
			less = x < b.(string)
		default:
			sortErr = fmt.Errorf("$orderBy: unknown column %q", col)
		}
		if desc {
			return !less && a != b
		}
		return less
	})
	if sortErr != nil {
		c.fail(http.StatusBadRequest, "%v", sortErr)
		return
	}
	skip, top := 0, 0
	if v := q.Get("$skip"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			c.fail(http.StatusBadRequest, "$skip: %q", v)
			return
		}
	}
	if v := q.Get("$top"); v != "" {
		if top, err = strconv.Atoi(v); err != nil || top < 0 {
			c.fail(http.StatusBadRequest, "$top: %q", v)
			return
		}
	}
	if skip > len(kept) {
		skip = len(kept)
	}
	kept = kept[skip:]
	next := ""
	if top > 0 && len(kept) > top {
		kept = kept[:top]
		u := *c.r.URL
		qq := u.Query()
		qq.Set("$skip", strconv.Itoa(skip+top))
		u.RawQuery = qq.Encode()
		next = u.RequestURI()
	}
	sel := q.Get("$select")
	resp := superoffice.ODataSlimResponse{Metadata: "fake", NextLink: next, Value: []map[string]any{}}
	for _, row := range kept {
		out := map[string]any{}
		for col, v := range row {
			if sel != "" && !slices.Contains(strings.Split(sel, ","), col) {
				continue
			}
			if t, ok := v.(time.Time); ok {
				v = superoffice.FormatTime(t, time.UTC)
			}
			out[col] = v
		}
		resp.Value = append(resp.Value, out)
	}
	writeJSON(c.w, http.StatusOK, resp)
}

func (c *call) listAppointments() {
	s := c.s
	s.mu.Lock()
	rows := make([]map[string]any, 0, len(s.appts))
	for _, a := range s.appts {
		var rid int32
		if a.e.Recurrence != nil {
			rid = a.e.Recurrence.RecurrenceID
		}
		var owner int32
		if a.e.Associate != nil {
			owner = a.e.Associate.AssociateID
		}
		rawType := int32(1)
		if a.e.Type == "inChecklist" || a.e.Type == "BookingForChecklist" {
			rawType = 2
		}
		rows = append(rows, map[string]any{"appointmentId": a.e.AppointmentID, "associateId": owner,
			"updatedDate": a.updated, "date": a.start, "endDate": a.end, "recurrenceRuleId": rid, "rawType": rawType,
			"title": a.e.Title, s.udef: a.e.UserDefinedFields[s.udef]})
	}
	s.mu.Unlock()
	c.archive(rows, "appointmentId")
}

// ---- persons ----

func (c *call) person(idStr string) {
	id, err := strconv.ParseInt(idStr, 10, 32)
	if err != nil {
		c.fail(http.StatusBadRequest, "id: %q is not an integer", idStr)
		return
	}
	s := c.s
	switch c.r.Method {
	case http.MethodGet:
		s.mu.Lock()
		p, ok := s.persons[int32(id)]
		var e superoffice.PersonEntity
		if ok {
			e = c.outPerson(p)
		}
		s.mu.Unlock()
		if !ok {
			c.fail(http.StatusNotFound, "person %d not found", id)
			return
		}
		writeJSON(c.w, http.StatusOK, e)
	case http.MethodPut:
		c.putPerson(int32(id))
	case http.MethodDelete:
		s.mu.Lock()
		defer s.mu.Unlock()
		p, ok := s.persons[int32(id)]
		if !ok {
			c.fail(http.StatusNotFound, "person %d not found", id)
			return
		}
		if !c.precondition(p.updated) {
			return
		}
		delete(s.persons, int32(id))
		for _, sel := range s.selections {
			sel.members = slices.DeleteFunc(sel.members, func(m int32) bool { return m == int32(id) }) //nolint:gosec // G115: parsed with bitSize 32.
		}
		s.eventLocked("person.deleted", int32(id), c.assoc, map[string]string{"person_id": idStr})
		c.w.WriteHeader(http.StatusNoContent)
	default:
		c.fail(http.StatusMethodNotAllowed, "method %s", c.r.Method)
	}
}

func (c *call) outPerson(p *person) superoffice.PersonEntity {
	e := p.e
	e.UpdatedDate = superoffice.FormatTime(p.updated, time.UTC)
	e.FullName = strings.Join(strings.Fields(e.Firstname+" "+e.MiddleName+" "+e.Lastname), " ")
	e.UserDefinedFields = map[string]string{}
	for k, v := range p.e.UserDefinedFields {
		e.UserDefinedFields[k] = v
	}
	return e
}

func (c *call) putPerson(id int32) {
	var in superoffice.PersonEntity
	if !c.decode(&in) {
		return
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Firstname == "" && in.Lastname == "" {
		c.fail(http.StatusBadRequest, "Lastname: a person needs a first or last name")
		return
	}
	if in.Contact != nil && in.Contact.ContactID != 0 {
		co, ok := s.contacts[in.Contact.ContactID]
		if !ok {
			c.fail(http.StatusBadRequest, "Contact.ContactId: %d does not exist", in.Contact.ContactID)
			return
		}
		in.Contact = &co
	}
	if in.BirthDate != "" {
		if _, err := superoffice.ParseTime(in.BirthDate, time.UTC); err != nil {
			c.fail(http.StatusBadRequest, "BirthDate: %v", err)
			return
		}
	}
	np := &person{e: in}
	event := "person.created"
	if id == 0 {
		s.nextID++
		np.e.PersonID = s.nextID
		np.e.CreatedDate = superoffice.FormatTime(s.now(), time.UTC)
		np.updated = s.tick(time.Time{})
	} else {
		p, ok := s.persons[id]
		if !ok {
			c.fail(http.StatusNotFound, "person %d not found", id)
			return
		}
		if !c.precondition(p.updated) {
			return
		}
		np.e.PersonID, np.e.CreatedDate = id, p.e.CreatedDate
		np.updated = s.tick(p.updated)
		event = "person.changed"
	}
	np.e.UpdatedBy = &superoffice.Associate{AssociateID: c.assoc}
	s.persons[np.e.PersonID] = np
	s.eventLocked(event, np.e.PersonID, c.assoc, nil)
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	writeJSON(c.w, status, c.outPerson(np))
}

func (c *call) listPersons() {
	s := c.s
	s.mu.Lock()
	rows := make([]map[string]any, 0, len(s.persons))
	for _, p := range s.persons {
		var cid int32
		if p.e.Contact != nil {
			cid = p.e.Contact.ContactID
		}
		var owner int32
		if p.e.Associate != nil {
			owner = p.e.Associate.AssociateID
		}
		rows = append(rows, map[string]any{"personId": p.e.PersonID, "contactId": cid, "associateId": owner,
			"updatedDate": p.updated, s.udef: p.e.UserDefinedFields[s.udef]})
	}
	s.mu.Unlock()
	c.archive(rows, "personId")
}

func (c *call) listAssociates() {
	s := c.s
	s.mu.Lock()
	rows := make([]map[string]any, 0, len(s.associates))
	for _, a := range s.associates {
		rows = append(rows, map[string]any{"associateId": a.AssociateID, "name": a.Name, "fullName": a.FullName,
			"email": s.emails[a.AssociateID], "type": a.Type})
	}
	s.mu.Unlock()
	c.archive(rows, "associateId")
}

// ---- selections ----

// AddSelection adds a static (or, with dynamic set, a dynamic) person selection and returns its id.
func (s *Server) AddSelection(name string, dynamic bool, members ...int32) int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.selections[s.nextID] = &selection{id: s.nextID, name: name, dynamic: dynamic, members: members, updated: s.tick(time.Time{})}
	return s.nextID
}

// SetSelectionMembers replaces a selection's members (as a criteria change does for a dynamic one).
func (s *Server) SetSelectionMembers(id int32, members ...int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sel, ok := s.selections[id]; ok {
		sel.members = members
		sel.updated = s.tick(sel.updated)
	}
}

func (c *call) listSelections() {
	s := c.s
	s.mu.Lock()
	rows := make([]map[string]any, 0, len(s.selections))
	for _, sel := range s.selections {
		typ := "Static"
		if sel.dynamic {
			typ = "Dynamic"
		}
		rows = append(rows, map[string]any{"selectionId": sel.id, "name": sel.name, "selectionType": typ,
			"targetTableName": "person", "updatedDate": sel.updated})
	}
	s.mu.Unlock()
	c.archive(rows, "selectionId")
}

func (c *call) selectionMembers(idStr string) {
	id, err := strconv.ParseInt(idStr, 10, 32)
	if err != nil {
		c.fail(http.StatusBadRequest, "selectionId: %q", idStr)
		return
	}
	s := c.s
	s.mu.Lock()
	sel, ok := s.selections[int32(id)]
	var rows []map[string]any
	if ok {
		for _, m := range sel.members {
			if _, live := s.persons[m]; live {
				rows = append(rows, map[string]any{"personId": m})
			}
		}
	}
	s.mu.Unlock()
	if !ok {
		c.fail(http.StatusNotFound, "selection %d not found", id)
		return
	}
	c.archive(rows, "personId")
}

// ---- webhooks ----

func (c *call) webhook(rest []string) {
	s := c.s
	switch {
	case len(rest) == 0 && c.r.Method == http.MethodGet:
		s.mu.Lock()
		out := []superoffice.Webhook{}
		for _, h := range s.webhooks {
			hh := *h
			hh.Secret = ""
			out = append(out, hh)
		}
		s.mu.Unlock()
		sort.Slice(out, func(i, j int) bool { return out[i].WebhookID < out[j].WebhookID })
		writeJSON(c.w, http.StatusOK, out)
	case len(rest) == 0 && c.r.Method == http.MethodPost:
		var in superoffice.Webhook
		if !c.decode(&in) {
			return
		}
		if err := validHook(in); err != nil {
			c.fail(http.StatusBadRequest, "%v", err)
			return
		}
		// SuperOffice POSTs a test event to the target and refuses the webhook unless it answers 200.
		if err := s.post(c.r.Context(), in, []byte(`{"EventId":"test","Event":"test","Entity":"test"}`), "test"); err != nil {
			c.fail(http.StatusBadRequest, "TargetUrl: the test call failed: %v", err)
			return
		}
		s.mu.Lock()
		s.nextID++
		in.WebhookID = s.nextID
		if in.State == "" {
			in.State = "Active"
		}
		h := in
		s.webhooks[in.WebhookID] = &h
		s.mu.Unlock()
		in.Secret = ""
		writeJSON(c.w, http.StatusCreated, in)
	case len(rest) == 1 && rest[0] == "Test" && c.r.Method == http.MethodPost:
		var in superoffice.Webhook
		if !c.decode(&in) {
			return
		}
		err := s.post(c.r.Context(), in, []byte(`{"EventId":"test","Event":"test","Entity":"test"}`), "test")
		res := map[string]any{"Success": err == nil, "Message": ""}
		if err != nil {
			res["Message"] = err.Error()
		}
		writeJSON(c.w, http.StatusOK, res)
	case len(rest) == 1:
		id, err := strconv.ParseInt(rest[0], 10, 32)
		if err != nil {
			c.fail(http.StatusBadRequest, "id: %q", rest[0])
			return
		}
		s.mu.Lock()
		h, ok := s.webhooks[int32(id)]
		s.mu.Unlock()
		if !ok {
			c.fail(http.StatusNotFound, "webhook %d not found", id)
			return
		}
		switch c.r.Method {
		case http.MethodGet:
			s.mu.Lock()
			hh := *h
			s.mu.Unlock()
			hh.Secret = ""
			writeJSON(c.w, http.StatusOK, hh)
		case http.MethodDelete:
			s.mu.Lock()
			delete(s.webhooks, int32(id))
			s.mu.Unlock()
			c.w.WriteHeader(http.StatusNoContent)
		case http.MethodPut:
			var in superoffice.Webhook
			if !c.decode(&in) {
				return
			}
			if err := validHook(in); err != nil {
				c.fail(http.StatusBadRequest, "%v", err)
				return
			}
			s.mu.Lock()
			secret := h.Secret
			if in.Secret != "" {
				secret = in.Secret
			}
			in.WebhookID, in.Secret = int32(id), secret
			if in.State == "Active" {
				in.ConsecutiveErrors = 0
			} else {
				in.ConsecutiveErrors = h.ConsecutiveErrors
			}
			in.TotalCalls, in.TotalErrors, in.LastError = h.TotalCalls, h.TotalErrors, h.LastError
			*h = in
			s.mu.Unlock()
			in.Secret = ""
			writeJSON(c.w, http.StatusOK, in)
		default:
			c.fail(http.StatusMethodNotAllowed, "method %s", c.r.Method)
		}
	default:
		c.fail(http.StatusNotFound, "no webhook route")
	}
}

func validHook(h superoffice.Webhook) error {
	if h.Name == "" {
		return errors.New("field Name: required")
	}
	if len(h.Events) == 0 {
		return errors.New("field Events: at least one event is required")
	}
	u, err := url.Parse(h.TargetURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("TargetUrl: %q is not an absolute URL", h.TargetURL)
	}
	switch h.State {
	case "", "Active", "Stopped", "TooManyErrors":
	default:
		return fmt.Errorf("field State: %q", h.State)
	}
	return nil
}

// Webhooks returns the registered webhooks (with their state and error counters).
func (s *Server) Webhooks() []superoffice.Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []superoffice.Webhook
	for _, h := range s.webhooks {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].WebhookID < out[j].WebhookID })
	return out
}

// eventLocked queues the deliveries of one event to every active webhook subscribed to it.
func (s *Server) eventLocked(event string, pk, by int32, values map[string]string) {
	entity, _, _ := strings.Cut(event, ".")
	if entity == "activity" {
		entity = "appointment"
	}
	for _, h := range s.webhooks {
		if h.State != "Active" || !slices.Contains(h.Events, event) {
			continue
		}
		var id [16]byte
		_, _ = rand.Read(id[:])
		p := superoffice.WebhookPayload{EventID: fmt.Sprintf("%x-%x-%x-%x-%x", id[:4], id[4:6], id[6:8], id[8:10], id[10:]),
			Timestamp: s.now().UTC().Format(time.RFC3339), Event: event, PrimaryKey: pk, Entity: entity,
			ContextIdentifier: ContextIdentifier, ChangedByAssociateID: by, WebhookName: h.Name, Values: values}
		body, _ := json.Marshal(p)
		s.pending.Add(1)
		select {
		case s.deliveries <- delivery{hook: *h, body: body}:
		default:
			s.pending.Done()
			h.ConsecutiveErrors++
			h.TotalErrors++
		}
	}
}

func (s *Server) deliver() {
	for d := range s.deliveries {
		err := s.post(context.Background(), d.hook, d.body, "")
		s.mu.Lock()
		if h, ok := s.webhooks[d.hook.WebhookID]; ok {
			h.TotalCalls++
			if err != nil {
				h.TotalErrors++
				h.ConsecutiveErrors++
				h.LastError = err.Error()
				if h.ConsecutiveErrors >= MaxConsecutiveErrors {
					h.State = "TooManyErrors"
				}
			} else {
				h.ConsecutiveErrors = 0
			}
		}
		s.mu.Unlock()
		s.pending.Done()
	}
}

// post sends one signed delivery and reports whether the target answered 200.
func (s *Server) post(ctx context.Context, h superoffice.Webhook, body []byte, eventID string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.TargetURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	var p superoffice.WebhookPayload
	_ = json.Unmarshal(body, &p)
	if eventID == "" {
		eventID = p.EventID
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "NetServer-Webhook/10.3")
	req.Header.Set("X-SuperOffice-Event", p.Event)
	req.Header.Set("X-SuperOffice-EventId", eventID)
	for k, v := range h.Headers {
		req.Header.Set(k, v)
	}
	if h.Secret != "" {
		mac := hmac.New(sha256.New, []byte(h.Secret))
		mac.Write(body)
		req.Header.Set("X-SuperOffice-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	resp, err := s.hookClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("target answered %d", resp.StatusCode)
	}
	return nil
}

// ---- direct edits, as CRM users make them in the SuperOffice client ----

// Edit changes an appointment row as the associate `by` would in the SuperOffice client (webhooks fire).
func (s *Server) Edit(id int32, by int32, f func(e *superoffice.AppointmentEntity, start, end *time.Time)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.appts[id]
	if !ok {
		return fmt.Errorf("appointment %d not found", id)
	}
	f(&a.e, &a.start, &a.end)
	a.updated = s.tick(a.updated)
	a.e.UpdatedBy = &superoffice.Associate{AssociateID: by}
	s.eventLocked("activity.changed", id, by, nil)
	return nil
}

// Remove deletes an appointment row as associate `by`; quiet suppresses the webhook, as when webhooks are down.
func (s *Server) Remove(id int32, by int32, quiet bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.appts[id]; !ok {
		return fmt.Errorf("appointment %d not found", id)
	}
	delete(s.appts, id)
	if !quiet {
		s.eventLocked("activity.deleted", id, by, map[string]string{"appointment_id": strconv.Itoa(int(id))})
	}
	return nil
}

// Appointments returns every appointment row (times in UTC, as the fake stores them).
func (s *Server) Appointments() []superoffice.AppointmentEntity {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, loc: time.UTC}
	var out []superoffice.AppointmentEntity
	for _, a := range s.appts {
		out = append(out, c.out(a))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AppointmentID < out[j].AppointmentID })
	return out
}

// Seed stores appointment rows directly (times read in UTC), as the CRM's own users created them; a row with
// Recurrence set joins the series with that RecurrenceId. It returns the ids.
func (s *Server) Seed(by int32, es ...superoffice.AppointmentEntity) ([]int32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, loc: time.UTC, assoc: by}
	var ids []int32
	for i, e := range es {
		a, err := c.fromWire(e)
		if err != nil {
			return ids, fmt.Errorf("row %d: %w", i, err)
		}
		if a.e.Associate == nil {
			a.e.Associate = &superoffice.Associate{AssociateID: by, Name: s.name(by)}
		}
		s.nextID++
		a.e.AppointmentID = s.nextID
		a.updated = s.tick(time.Time{})
		a.e.CreatedBy, a.e.UpdatedBy = &superoffice.Associate{AssociateID: by}, &superoffice.Associate{AssociateID: by}
		s.appts[a.e.AppointmentID] = a
		s.eventLocked("activity.created", a.e.AppointmentID, by, nil)
		ids = append(ids, a.e.AppointmentID)
	}
	return ids, nil
}

// NewRecurrenceID reserves a recurrence rule id for Seed.
func (s *Server) NewRecurrenceID() int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return s.nextID
}

// SeedPerson stores a person directly, as a CRM user created it, and returns its id.
func (s *Server) SeedPerson(by int32, e superoffice.PersonEntity) int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Contact != nil {
		if co, ok := s.contacts[e.Contact.ContactID]; ok {
			e.Contact = &co
		}
	}
	s.nextID++
	e.PersonID = s.nextID
	e.UpdatedBy = &superoffice.Associate{AssociateID: by}
	s.persons[e.PersonID] = &person{e: e, updated: s.tick(time.Time{})}
	s.eventLocked("person.created", e.PersonID, by, nil)
	return e.PersonID
}

// ---- login: partner system user and OpenID Connect ----

func (s *Server) issuer() string { return s.srv.URL + "/login" }

func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(strings.ToLower(r.URL.Path), "/login")
	switch p {
	case "/.well-known/openid-configuration":
		writeJSON(w, http.StatusOK, map[string]any{"issuer": s.issuer(),
			"authorization_endpoint":                s.issuer() + "/common/oauth/authorize",
			"token_endpoint":                        s.issuer() + "/common/oauth/tokens",
			"jwks_uri":                              s.issuer() + "/.well-known/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	case "/.well-known/jwks":
		pub := s.loginKey.PublicKey
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{"kty": "RSA", "use": "sig", "alg": "RS256",
			"kid": "fake-1", "n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
	case "/common/oauth/authorize":
		q := r.URL.Query()
		if q.Get("client_id") != ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
			httpError(w, http.StatusBadRequest, "client_id, response_type=code and redirect_uri are required")
			return
		}
		u, err := url.Parse(q.Get("redirect_uri"))
		if err != nil {
			httpError(w, http.StatusBadRequest, "redirect_uri")
			return
		}
		rq := u.Query()
		rq.Set("state", q.Get("state"))
		// Like SuperOffice's login service, an OpenID Connect request must ask for the openid scope; the error goes
		// back to the client as an OAuth error response.
		if !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
			rq.Set("error", "invalid_scope")
			rq.Set("error_description", "the openid scope is required")
			u.RawQuery = rq.Encode()
			http.Redirect(w, r, u.String(), http.StatusFound) //nolint:gosec // G710: a test authorization server redirects where the client asks.
			return
		}
		var b [12]byte
		_, _ = rand.Read(b[:])
		code := base64.RawURLEncoding.EncodeToString(b[:])
		s.mu.Lock()
		s.codes[code] = signIn{nonce: q.Get("nonce"), assoc: s.signedIn}
		s.mu.Unlock()
		rq.Set("code", code)
		u.RawQuery = rq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound) //nolint:gosec // G710: a test authorization server redirects where the client asks.
	case "/common/oauth/tokens":
		if err := r.ParseForm(); err != nil {
			httpError(w, http.StatusBadRequest, "form")
			return
		}
		code := r.PostForm.Get("code")
		s.mu.Lock()
		si, ok := s.codes[code]
		delete(s.codes, code)
		email, assoc := AdminEmail, strconv.Itoa(AdminAssociateID)
		if si.assoc != 0 {
			email, assoc = s.emails[si.assoc], strconv.Itoa(int(si.assoc))
		}
		s.mu.Unlock()
		nonce := si.nonce
		if !ok || r.PostForm.Get("client_id") != ClientID || r.PostForm.Get("client_secret") != ClientSecret ||
			r.PostForm.Get("grant_type") != "authorization_code" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		now := s.now()
		s.mu.Lock()
		aud := s.aud
		s.mu.Unlock()
		if aud == "" {
			aud = ClientID
		}
		claims := map[string]any{"iss": s.issuer(), "aud": aud, "sub": email, "iat": now.Unix(),
			"exp": now.Add(time.Hour).Unix(), "nonce": nonce,
			"http://schemes.superoffice.net/identity/ctx":           ContextIdentifier,
			"http://schemes.superoffice.net/identity/webapi_url":    s.srv.URL + "/api/",
			"http://schemes.superoffice.net/identity/netserver_url": s.srv.URL + "/Remote/Services88/",
			"http://schemes.superoffice.net/identity/system_token":  SystemToken,
			"http://schemes.superoffice.net/identity/email":         email,
			"http://schemes.superoffice.net/identity/associateid":   assoc}
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "8A:fake", "token_type": "Bearer", "expires_in": 3600,
			"id_token": s.sign(claims)})
	case "/api/partnersystemuser/authenticate":
		s.calls.Add(1)
		var in struct {
			SignedSystemToken, ApplicationToken, ContextIdentifier, ReturnTokenType string
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			httpError(w, http.StatusBadRequest, "body")
			return
		}
		fail := func(msg string) {
			writeJSON(w, http.StatusOK, map[string]any{"IsSuccessful": false, "ErrorMessage": msg, "Token": nil})
		}
		if in.ApplicationToken != ClientSecret || in.ContextIdentifier != ContextIdentifier {
			fail("unknown application or context")
			return
		}
		i := strings.LastIndex(in.SignedSystemToken, ".")
		if i < 0 || s.partnerKey == nil {
			fail("malformed signed token")
			return
		}
		msg, sig := in.SignedSystemToken[:i], in.SignedSystemToken[i+1:]
		raw, err := base64.StdEncoding.DecodeString(sig)
		sum := sha256.Sum256([]byte(msg))
		if err != nil || rsa.VerifyPKCS1v15(s.partnerKey, crypto.SHA256, sum[:], raw) != nil {
			fail("signature does not verify")
			return
		}
		tok, stamp, ok := strings.Cut(msg, ".")
		ts, err := time.Parse("200601021504", stamp)
		if !ok || tok != SystemToken || err != nil || s.now().Sub(ts).Abs() > 10*time.Minute {
			fail("system token unknown or timestamp out of range")
			return
		}
		var b [18]byte
		_, _ = rand.Read(b[:])
		ticket := "7T:" + base64.RawURLEncoding.EncodeToString(b[:])
		s.mu.Lock()
		s.tickets[ticket] = s.now()
		s.mu.Unlock()
		now := s.now()
		writeJSON(w, http.StatusOK, map[string]any{"IsSuccessful": true, "ErrorMessage": "", "Token": s.sign(map[string]any{
			"iss": "SuperOffice AS", "aud": "spn:" + ClientID, "exp": now.Add(6 * time.Hour).Unix(), "iat": now.Unix(),
			"http://schemes.superoffice.net/identity/ticket":      ticket,
			"http://schemes.superoffice.net/identity/webapi_url":  s.srv.URL + "/api/",
			"http://schemes.superoffice.net/identity/associateid": strconv.Itoa(SystemAssociateID)})})
	default:
		httpError(w, http.StatusNotFound, "no login route "+r.URL.Path)
	}
}

// IDTokenForTest returns an id_token signed by the fake's login key, for signature tests.
func (s *Server) IDTokenForTest() string {
	now := s.now()
	return s.sign(map[string]any{"iss": s.issuer(), "aud": ClientID, "exp": now.Add(time.Hour).Unix(), "nonce": "x"})
}

func (s *Server) sign(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "fake-1"})
	c, _ := json.Marshal(claims)
	msg := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(msg))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, s.loginKey, crypto.SHA256, sum[:])
	return msg + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// PartnerKeyPEM generates a partner RSA key pair for tests and returns the private key as PKCS#1 PEM together with
// the public key to pass in Options.PartnerKey.
func PartnerKeyPEM() (string, *rsa.PublicKey) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), &k.PublicKey
}

// RenameSelection renames a selection.
func (s *Server) RenameSelection(id int32, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sel, ok := s.selections[id]; ok {
		sel.name = name
		sel.updated = s.tick(sel.updated)
	}
}

// RemoveSelection deletes a selection.
func (s *Server) RemoveSelection(id int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.selections, id)
}
