package engine

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns a deep copy of it in canonical form; it never mutates its argument. Two items that mean the
// same thing to a user normalize to equal values (and so have equal Hash), whichever system they came from:
//
//   - Text: invalid UTF-8 is replaced, text is put in Unicode NFC, CRLF and CR become LF, trailing white space is
//     removed from every line, and leading and trailing white space from the whole value. Single-line fields
//     (titles, names, locations) also have line breaks and runs of white space collapsed to one space.
//   - E-mail addresses are trimmed and lower-cased.
//   - Order: what users arrange themselves keeps its order (a contact's e-mail addresses, phones, addresses and
//     URLs; exact duplicates are dropped). Sets are sorted and de-duplicated: categories (case-insensitively, the
//     first spelling wins), attendees (by e-mail, then name; duplicates by e-mail are merged), CRM links (by type
//     and id), group members, and a rule's BYxxx lists, dates and exclusions.
//   - Empty and nil slices are equal (both become nil); an organizer with neither e-mail nor name becomes nil.
//   - Time zones: every name goes through CanonicalZone (aliases and Windows ids to canonical IANA); UTC is "".
//     An unknown zone name is kept as trimmed so that nothing is lost (Validate reports it).
//   - Instants are in UTC without monotonic reading. All-day dates are 00:00 UTC of the calendar date the value
//     carries in its own location; an all-day appointment has no zone, and an End not after Start becomes one day.
//   - Recurrence: see NormalizeRule.
func Normalize(it Item) Item {
	switch v := it.(type) {
	case *Appointment:
		if v == nil {
			return (*Appointment)(nil)
		}
		return normalizeAppointment(v, true)
	case *Task:
		if v == nil {
			return (*Task)(nil)
		}
		return normalizeTask(v)
	case *Contact:
		if v == nil {
			return (*Contact)(nil)
		}
		return normalizeContact(v)
	case *Group:
		if v == nil {
			return (*Group)(nil)
		}
		return normalizeGroup(v)
	}
	return it
}

func normalizeAppointment(in *Appointment, withRule bool) *Appointment {
	a := &Appointment{
		UID:              cleanLine(in.UID),
		Title:            cleanLine(in.Title),
		Body:             cleanText(in.Body),
		Location:         cleanLine(in.Location),
		AllDay:           in.AllDay,
		ShowAs:           ShowAs(lowerLine(string(in.ShowAs))),
		Private:          in.Private,
		Categories:       normCategories(in.Categories),
		OnlineMeetingURL: cleanLine(in.OnlineMeetingURL),
		Type:             cleanLine(in.Type),
		Links:            normLinks(in.Links),
		Attendees:        normAttendees(in.Attendees),
	}
	if a.ShowAs == "busy" {
		a.ShowAs = ShowBusy
	}
	if in.Reminder != nil {
		r := *in.Reminder
		a.Reminder = &r
	}
	if in.Organizer != nil {
		o := normAttendee(*in.Organizer)
		if o.Email != "" || o.Name != "" {
			a.Organizer = &o
		}
	}
	if a.AllDay {
		a.Start = dateOf(in.Start)
		a.End = dateOf(in.End)
		if !a.End.After(a.Start) {
			a.End = a.Start.AddDate(0, 0, 1)
		}
	} else {
		a.Start = utc(in.Start)
		a.End = utc(in.End)
		a.TimeZone = normZone(in.TimeZone)
		a.EndTimeZone = normZone(in.EndTimeZone)
		if a.EndTimeZone == a.TimeZone {
			a.EndTimeZone = ""
		}
	}
	if withRule && in.Recurrence != nil {
		r := normalizeRule(in.Recurrence, a)
		a.Recurrence = &r
	}
	return a
}

// NormalizeRule returns r in canonical form for a series whose first occurrence is the series master a (nil when
// unknown): Interval 1 becomes 0; BYDAY, BYMONTHDAY, BYMONTH and BYSETPOS are sorted and de-duplicated; WeekStart
// is Monday unless it can change the expansion (a WEEKLY rule with an interval above 1 and BYDAY); Until, Dates and
// Excluded are in UTC (dates at 00:00 UTC for an all-day series), sorted and de-duplicated; Overrides are sorted by
// OriginalStart (one per original start, the last given wins), each normalized with a nil Recurrence; an override
// of an excluded occurrence is dropped (the deletion wins), and so is an override identical to the occurrence the
// series would generate anyway.
func NormalizeRule(r Rule, a *Appointment) Rule {
	var m *Appointment
	if a != nil {
		m = normalizeAppointment(a, false)
	}
	return normalizeRule(&r, m)
}

func normalizeRule(in *Rule, master *Appointment) Rule {
	allDay := master != nil && master.AllDay
	r := Rule{
		Freq:       Frequency(cleanLine(strings.ToUpper(string(in.Freq)))),
		Interval:   in.Interval,
		Count:      in.Count,
		ByMonthDay: sortedInts(in.ByMonthDay),
		ByMonth:    sortedInts(in.ByMonth),
		BySetPos:   sortedInts(in.BySetPos),
		WeekStart:  in.WeekStart,
	}
	if r.Interval <= 1 {
		r.Interval = 0
	}
	if r.Count < 0 {
		r.Count = 0
	}
	if len(in.ByDay) > 0 {
		r.ByDay = slices.Clone(in.ByDay)
		slices.SortFunc(r.ByDay, func(x, y Weekday) int {
			return cmp.Or(cmp.Compare(x.Day, y.Day), cmp.Compare(x.N, y.N))
		})
		r.ByDay = slices.Compact(r.ByDay)
	}
	if r.Freq != Weekly || r.Interval <= 1 || len(r.ByDay) == 0 {
		r.WeekStart = time.Monday
	}
	normT := utc
	if allDay {
		normT = dateOf
	}
	if !in.Until.IsZero() {
		r.Until = normT(in.Until)
	}
	r.Dates = sortedTimes(in.Dates, normT)
	r.Excluded = sortedTimes(in.Excluded, normT)
	if len(in.Overrides) > 0 {
		ovs := make([]Override, 0, len(in.Overrides))
		for _, o := range in.Overrides {
			ovs = append(ovs, Override{OriginalStart: normT(o.OriginalStart), Item: o.Item})
		}
		// Stable sort then keep the last override given for each original start.
		slices.SortStableFunc(ovs, func(x, y Override) int { return x.OriginalStart.Compare(y.OriginalStart) })
		out := ovs[:0]
		for i, o := range ovs {
			if i+1 < len(ovs) && ovs[i+1].OriginalStart.Equal(o.OriginalStart) {
				continue
			}
			if _, excluded := slices.BinarySearchFunc(r.Excluded, o.OriginalStart, time.Time.Compare); excluded {
				continue
			}
			if o.Item != nil {
				o.Item = normalizeAppointment(o.Item, false)
			}
			if master != nil && o.Item != nil && sameAsGenerated(master, o) {
				continue
			}
			out = append(out, o)
		}
		if len(out) > 0 {
			r.Overrides = slices.Clip(out)
		}
	}
	return r
}

// sameAsGenerated reports whether override o has exactly the content the series master would give the occurrence
// at o.OriginalStart.
func sameAsGenerated(master *Appointment, o Override) bool {
	g := *master
	g.Recurrence = nil
	g.Start = o.OriginalStart
	g.End = o.OriginalStart.Add(master.End.Sub(master.Start))
	return appointmentEqual(&g, o.Item)
}

func appointmentEqual(x, y *Appointment) bool {
	var ex, ey encoder
	ex.appointment(x)
	ey.appointment(y)
	return string(ex.b) == string(ey.b)
}

func normalizeTask(in *Task) *Task {
	t := &Task{
		Title:      cleanLine(in.Title),
		Body:       cleanText(in.Body),
		DueAllDay:  in.DueAllDay,
		Completed:  utc(in.Completed),
		Priority:   Priority(lowerLine(string(in.Priority))),
		Private:    in.Private,
		Categories: normCategories(in.Categories),
		Type:       cleanLine(in.Type),
		Links:      normLinks(in.Links),
	}
	if t.Priority == "normal" {
		t.Priority = PriorityNormal
	}
	if in.Reminder != nil {
		r := *in.Reminder
		t.Reminder = &r
	}
	if t.DueAllDay {
		t.Start = dateOf(in.Start)
		t.Due = dateOf(in.Due)
	} else {
		t.Start = utc(in.Start)
		t.Due = utc(in.Due)
		t.TimeZone = normZone(in.TimeZone)
	}
	return t
}

func normalizeContact(in *Contact) *Contact {
	c := &Contact{
		Prefix:     cleanLine(in.Prefix),
		GivenName:  cleanLine(in.GivenName),
		MiddleName: cleanLine(in.MiddleName),
		FamilyName: cleanLine(in.FamilyName),
		Suffix:     cleanLine(in.Suffix),
		Display:    cleanLine(in.Display),
		Company:    cleanLine(in.Company),
		Department: cleanLine(in.Department),
		JobTitle:   cleanLine(in.JobTitle),
		Emails:     normLabeled(in.Emails, true),
		Phones:     normLabeled(in.Phones, false),
		URLs:       normLabeled(in.URLs, false),
		Birthday:   dateOf(in.Birthday),
		Notes:      cleanText(in.Notes),
		Categories: normCategories(in.Categories),
		Links:      normLinks(in.Links),
	}
	for _, ad := range in.Addresses {
		n := Address{
			Label:      lowerLine(ad.Label),
			Street:     cleanText(ad.Street),
			City:       cleanLine(ad.City),
			Region:     cleanLine(ad.Region),
			PostalCode: cleanLine(ad.PostalCode),
			Country:    cleanLine(ad.Country),
		}
		if n.Street == "" && n.City == "" && n.Region == "" && n.PostalCode == "" && n.Country == "" {
			continue
		}
		if !slices.Contains(c.Addresses, n) {
			c.Addresses = append(c.Addresses, n)
		}
	}
	return c
}

func normalizeGroup(in *Group) *Group {
	g := &Group{Name: cleanLine(in.Name)}
	for _, m := range in.Members {
		if m = cleanLine(m); m != "" {
			g.Members = append(g.Members, m)
		}
	}
	slices.Sort(g.Members)
	g.Members = slices.Compact(g.Members)
	return g
}

// cleanText canonicalizes multi-line text: valid UTF-8 in NFC, LF line ends, no trailing white space on any line,
// no leading or trailing blank lines or white space.
func cleanText(s string) string {
	if s == "" || plainLine(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = norm.NFC.String(s)
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.ContainsRune(s, '\n') {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
		}
		s = strings.Join(lines, "\n")
	}
	return strings.TrimFunc(s, unicode.IsSpace)
}

// cleanLine canonicalizes single-line text: cleanText, then every run of white space (line breaks included)
// becomes one space.
func cleanLine(s string) string {
	if plainLine(s) {
		return s
	}
	s = cleanText(s)
	if s == "" {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || c == '\t' || c >= utf8.RuneSelf || (c == ' ' && i+1 < len(s) && s[i+1] == ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// plainLine reports whether s is printable ASCII with single spaces only between words: already clean, the
// common case, checked without allocating.
func plainLine(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			return false
		}
	}
	return true
}

func normZone(z string) string {
	z = cleanLine(z)
	if z == "" {
		return ""
	}
	c, err := CanonicalZone(z)
	if err != nil {
		return z
	}
	if c == "UTC" {
		return ""
	}
	return c
}

// utc returns t in UTC without its monotonic reading; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

// dateOf returns 00:00 UTC of the calendar date t has in its own location; the zero time stays zero.
func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func sortedInts(in []int) []int {
	if len(in) == 0 {
		return nil
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}

func sortedTimes(in []time.Time, f func(time.Time) time.Time) []time.Time {
	if len(in) == 0 {
		return nil
	}
	out := make([]time.Time, 0, len(in))
	for _, t := range in {
		if !t.IsZero() {
			out = append(out, f(t))
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.Clip(slices.CompactFunc(out, time.Time.Equal))
}

func normCategories(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, c := range in {
		if c = cleanLine(c); c != "" {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) })
	// Equality must match the sort's ToLower order: strings.EqualFold also folds pairs that ToLower keeps apart (ς/σ),
	// which are not adjacent after the sort and would change the normalized form (and so the stored hashes).
	out = slices.CompactFunc(out, func(x, y string) bool { return strings.ToLower(x) == strings.ToLower(y) }) //nolint:staticcheck // SA6005: see above
	if len(out) == 0 {
		return nil
	}
	return slices.Clip(out)
}

func normLinks(in []CRMLink) []CRMLink {
	if len(in) == 0 {
		return nil
	}
	out := make([]CRMLink, 0, len(in))
	for _, l := range in {
		l = CRMLink{Type: LinkType(lowerLine(string(l.Type))), ID: cleanLine(l.ID), Name: cleanLine(l.Name)}
		if l.ID == "" && l.Type == "" && l.Name == "" {
			continue
		}
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(x, y CRMLink) int { return cmp.Or(cmp.Compare(x.Type, y.Type), cmp.Compare(x.ID, y.ID)) })
	out = slices.CompactFunc(out, func(x, y CRMLink) bool { return x.Type == y.Type && x.ID == y.ID })
	if len(out) == 0 {
		return nil
	}
	return slices.Clip(out)
}

// normEmail lower-cases an address and strips "mailto:" prefixes (iCalendar CAL-ADDRESS values carry one).
func normEmail(s string) string {
	s = lowerLine(s)
	for strings.HasPrefix(s, "mailto:") {
		s = strings.TrimSpace(s[len("mailto:"):])
	}
	return s
}

// lowerLine is cleanLine of the lower-cased value, for labels, codes and addresses.
func lowerLine(s string) string { return cleanLine(strings.ToLower(s)) }

func normAttendee(a Attendee) Attendee {
	return Attendee{
		Email:    normEmail(a.Email),
		Name:     cleanLine(a.Name),
		Role:     AttendeeRole(lowerLine(string(a.Role))),
		Response: Response(lowerLine(string(a.Response))),
	}
}

func normAttendees(in []Attendee) []Attendee {
	if len(in) == 0 {
		return nil
	}
	out := make([]Attendee, 0, len(in))
	for _, a := range in {
		a = normAttendee(a)
		if a.Email == "" && a.Name == "" {
			continue
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(x, y Attendee) int {
		// Attendees with an address first, by address; those without one by name.
		if (x.Email == "") != (y.Email == "") {
			if x.Email == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(strings.Compare(x.Email, y.Email), strings.Compare(x.Name, y.Name),
			cmp.Compare(x.Role, y.Role), cmp.Compare(x.Response, y.Response))
	})
	// Merge duplicates by address: the first keeps its values, empty ones are filled from the later copies.
	merged := out[:0]
	for _, a := range out {
		if n := len(merged); n > 0 && a.Email != "" && merged[n-1].Email == a.Email {
			p := &merged[n-1]
			p.Name = cmp.Or(p.Name, a.Name)
			p.Role = cmp.Or(p.Role, a.Role)
			p.Response = cmp.Or(p.Response, a.Response)
			continue
		}
		if n := len(merged); n > 0 && a.Email == "" && merged[n-1] == a {
			continue
		}
		merged = append(merged, a)
	}
	if len(merged) == 0 {
		return nil
	}
	return slices.Clip(merged)
}

func normLabeled(in []Labeled, email bool) []Labeled {
	if len(in) == 0 {
		return nil
	}
	out := make([]Labeled, 0, len(in))
	for _, l := range in {
		v := cleanLine(l.Value)
		if email {
			v = normEmail(l.Value)
		}
		if v == "" {
			continue
		}
		n := Labeled{Label: lowerLine(l.Label), Value: v}
		if slices.ContainsFunc(out, func(o Labeled) bool { return o.Value == n.Value }) {
			continue
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil
	}
	return slices.Clip(out)
}
