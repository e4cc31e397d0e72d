package superoffice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// PersonStore is the persons an associate is "our contact" for (KindContact), each with their company.
// Ids are PersonIds; versions are UpdatedDate; cursors as for ActivityStore.
type PersonStore struct {
	c     *Connector
	scope engine.Scope
	assoc int32
}

var (
	_ engine.Store        = (*PersonStore)(nil)
	_ engine.MarkerFinder = (*PersonStore)(nil)
	_ engine.IDLister     = (*PersonStore)(nil)
)

// phoneLists pairs the person's phone lists with their labels.
func phoneLists(p *PersonEntity) []struct {
	label string
	list  *[]EntityElement
} {
	return []struct {
		label string
		list  *[]EntityElement
	}{{"work", &p.OfficePhones}, {"mobile", &p.MobilePhones}, {"home", &p.PrivatePhones}, {"fax", &p.Faxes}, {"other", &p.OtherPhones}}
}

func (m *mapper) contact(p *PersonEntity) (*engine.Contact, error) {
	c := &engine.Contact{Prefix: p.Mrmrs, GivenName: p.Firstname, MiddleName: p.MiddleName, FamilyName: p.Lastname,
		JobTitle: p.Title, Notes: p.Description}
	if p.Contact != nil && p.Contact.ContactID != 0 {
		c.Company = p.Contact.Name
		c.Links = []engine.CRMLink{{Type: engine.LinkCompany, ID: strconv.Itoa(int(p.Contact.ContactID)), Name: p.Contact.Name}}
	}
	for _, e := range p.Emails {
		if e.Value != "" {
			c.Emails = append(c.Emails, engine.Labeled{Label: strings.ToLower(e.Description), Value: e.Value})
		}
	}
	for _, pl := range phoneLists(p) {
		for _, e := range *pl.list {
			if e.Value != "" {
				c.Phones = append(c.Phones, engine.Labeled{Label: pl.label, Value: e.Value})
			}
		}
	}
	for _, u := range p.Urls {
		if u.Value != "" {
			c.URLs = append(c.URLs, engine.Labeled{Label: strings.ToLower(u.Description), Value: u.Value})
		}
	}
	if p.Address != nil && p.Address.Street != nil {
		a := p.Address.Street
		street := strings.Join(nonEmpty(a.Address1, a.Address2, a.Address3), "\n")
		if street != "" || a.City != "" || a.Zipcode != "" {
			c.Addresses = []engine.Address{{Label: "home", Street: street, City: a.City, Region: a.State, PostalCode: a.Zipcode}}
		}
	}
	if p.BirthDate != "" {
		b, err := ParseTime(p.BirthDate, time.UTC)
		if err != nil {
			return nil, &engine.ItemError{ID: strconv.Itoa(int(p.PersonID)), Field: "birthday", Err: err}
		}
		if !b.IsZero() {
			c.Birthday = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
		}
	}
	return c, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (m *mapper) toPerson(c *engine.Contact, p *PersonEntity) error {
	if c.GivenName == "" && c.FamilyName == "" {
		if c.Display == "" {
			return &engine.ItemError{Field: "familyName", Err: errors.New("a SuperOffice person needs a name")}
		}
		p.Firstname, p.Lastname = "", c.Display
	} else {
		p.Firstname, p.Lastname = c.GivenName, c.FamilyName
	}
	p.Mrmrs, p.MiddleName, p.Title, p.Description = c.Prefix, c.MiddleName, c.JobTitle, c.Notes
	p.Contact = nil
	for i, l := range c.Links {
		if l.Type != engine.LinkCompany {
			continue
		}
		n, err := strconv.ParseInt(l.ID, 10, 32)
		if err != nil || n <= 0 {
			return &engine.ItemError{Field: fmt.Sprintf("links[%d].id", i), Err: fmt.Errorf("%q is not a SuperOffice id", l.ID)}
		}
		p.Contact = &ContactRef{ContactID: int32(n)}
	}
	p.Emails = nil
	for _, e := range c.Emails {
		p.Emails = append(p.Emails, EntityElement{Value: e.Value, Description: e.Label})
	}
	for _, pl := range phoneLists(p) {
		*pl.list = nil
	}
	for i, ph := range c.Phones {
		placed := false
		for _, pl := range phoneLists(p) {
			if pl.label == ph.Label || (ph.Label == "" && pl.label == "work") {
				*pl.list = append(*pl.list, EntityElement{Value: ph.Value})
				placed = true
				break
			}
		}
		if !placed {
			return &engine.ItemError{Field: fmt.Sprintf("phones[%d].label", i), Err: fmt.Errorf("%q has no SuperOffice phone list (work, mobile, home, fax, other)", ph.Label)}
		}
	}
	p.Urls = nil
	for _, u := range c.URLs {
		p.Urls = append(p.Urls, EntityElement{Value: u.Value, Description: u.Label})
	}
	if len(c.Addresses) > 1 {
		return &engine.ItemError{Field: "addresses", Err: errors.New("a SuperOffice person keeps one address")}
	}
	if len(c.Addresses) == 1 {
		a := c.Addresses[0]
		lines := strings.SplitN(a.Street, "\n", 3)
		sa := &StructuredAddress{AtypeIdx: "PersonPrivateAddress", City: a.City, State: a.Region, Zipcode: a.PostalCode}
		for i, l := range lines {
			*[]*string{&sa.Address1, &sa.Address2, &sa.Address3}[i] = l
		}
		p.Address = &Address{Street: sa}
	} else {
		p.Address = nil
	}
	p.BirthDate = ""
	if !c.Birthday.IsZero() {
		p.BirthDate = FormatTime(c.Birthday, time.UTC)
	}
	return nil
}

func (s *PersonStore) key() string { return s.scope.Account.ID + "/contact" }

func (s *PersonStore) query(extra ...string) url.Values {
	f := append([]string{"associateId eq " + strconv.Itoa(int(s.assoc))}, extra...)
	return url.Values{"$select": {"personId,updatedDate"}, "$filter": {strings.Join(f, " and ")},
		"$orderBy": {"personId"}, "$top": {strconv.Itoa(s.c.set.PageSize)}}
}

func (s *PersonStore) list(ctx context.Context, q url.Values) ([]int32, time.Time, error) {
	var ids []int32
	var wm time.Time
	serverNow, err := s.c.cl.archiveDated(ctx, "Person", q, func(rows []map[string]any) error {
		for _, r := range rows {
			id, err := intOf(r, "personId")
			if err != nil {
				return err
			}
			if u, err := ParseTime(strOf(r, "updatedDate"), time.UTC); err == nil && u.After(wm) {
				wm = u
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, advance(wm, serverNow, s.c.set.OverlapSeconds), err
}

func (s *PersonStore) get(ctx context.Context, id int32) (*PersonEntity, error) {
	var p PersonEntity
	if err := s.c.cl.do(ctx, request{method: http.MethodGet, path: "v1/Person/" + strconv.Itoa(int(id)), out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *PersonStore) remote(p *PersonEntity, me int32) (engine.Remote, error) {
	id := strconv.Itoa(int(p.PersonID))
	c, err := s.c.m.contact(p)
	if err != nil {
		return engine.Remote{ID: id, Version: p.UpdatedDate}, err
	}
	return engine.Remote{ID: id, Version: p.UpdatedDate, Item: c, Marker: p.UserDefinedFields[s.c.set.MarkerUdef],
		Echo: me != 0 && p.UpdatedBy != nil && p.UpdatedBy.AssociateID == me}, nil
}

// Changes lists persons, as ActivityStore.Changes does appointments.
func (s *PersonStore) Changes(ctx context.Context, cursor string) (engine.Page, error) {
	full := cursor == ""
	q := s.query()
	var since time.Time
	if !full {
		wm, ok := strings.CutPrefix(cursor, "wm:")
		t, err := time.Parse(time.RFC3339, wm)
		if !ok || err != nil {
			return engine.Page{}, fmt.Errorf("%w: cursor %q is not a SuperOffice watermark", engine.ErrCursorExpired, cursor)
		}
		since = t
		q = s.query("updatedDate after '" + FormatTime(since.Add(-time.Duration(s.c.set.OverlapSeconds)*time.Second), time.UTC) + "'")
	}
	ids, wm, err := s.list(ctx, q)
	if err != nil {
		return engine.Page{}, err
	}
	if wm.Before(since) {
		wm = since
	}
	if wm.IsZero() {
		wm = s.c.now().UTC().Truncate(time.Second)
	}
	page := engine.Page{Next: "wm:" + wm.Format(time.RFC3339), Complete: full}
	me, _ := s.c.SystemAssociate(ctx)
	for _, id := range ids {
		p, err := s.get(ctx, id)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		}
		if err != nil {
			return engine.Page{}, err
		}
		r, err := s.remote(p, me)
		if err != nil && !isItemErr(err) {
			return engine.Page{}, err
		}
		page.Changes = append(page.Changes, engine.Change{ID: r.ID, Version: r.Version, Item: r.Item, Marker: r.Marker, Echo: r.Echo})
	}
	if !full {
		for _, id := range s.c.takeDeleted(s.key(), "person") {
			if _, err := s.get(ctx, id); errors.Is(err, engine.ErrNotFound) {
				page.Changes = append(page.Changes, engine.Change{ID: strconv.Itoa(int(id)), Deleted: true})
			}
		}
	}
	return page, nil
}

func personID(id string) (int32, error) {
	n, err := strconv.ParseInt(id, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: bad person id %q", engine.ErrNotFound, id)
	}
	return int32(n), nil
}

// Get reads one person.
func (s *PersonStore) Get(ctx context.Context, id string) (engine.Remote, error) {
	n, err := personID(id)
	if err != nil {
		return engine.Remote{}, err
	}
	p, err := s.get(ctx, n)
	if err != nil {
		return engine.Remote{}, err
	}
	me, _ := s.c.SystemAssociate(ctx)
	return s.remote(p, me)
}

// Create writes a new person owned by the associate, with the marker in the user-defined field.
func (s *PersonStore) Create(ctx context.Context, item engine.Item, marker string) (engine.Remote, error) {
	c, ok := item.(*engine.Contact)
	if !ok {
		return engine.Remote{}, &engine.ItemError{Field: "kind", Err: fmt.Errorf("unexpected %T", item)}
	}
	p := &PersonEntity{Associate: &Associate{AssociateID: s.assoc}}
	if err := s.c.m.toPerson(c, p); err != nil {
		return engine.Remote{}, err
	}
	p.UserDefinedFields = map[string]string{s.c.set.MarkerUdef: marker}
	var out PersonEntity
	if err := s.c.cl.do(ctx, request{method: http.MethodPost, path: "v1/Person", body: p, out: &out}); err != nil {
		return engine.Remote{}, err
	}
	me, _ := s.c.SystemAssociate(ctx)
	return s.remote(&out, me)
}

// Update writes a person if it still has version.
func (s *PersonStore) Update(ctx context.Context, id, version string, item engine.Item) (engine.Remote, error) {
	c, ok := item.(*engine.Contact)
	if !ok {
		return engine.Remote{}, &engine.ItemError{ID: id, Field: "kind", Err: fmt.Errorf("unexpected %T", item)}
	}
	n, err := personID(id)
	if err != nil {
		return engine.Remote{}, err
	}
	ifUnmod, err := versionTime(version)
	if err != nil {
		return engine.Remote{}, err
	}
	p, err := s.get(ctx, n)
	if err != nil {
		return engine.Remote{}, err
	}
	if p.UpdatedDate != version {
		return engine.Remote{}, fmt.Errorf("%w: person %s is at %s", engine.ErrPrecondition, id, p.UpdatedDate)
	}
	if err := s.c.m.toPerson(c, p); err != nil {
		return engine.Remote{}, errItem(id, err)
	}
	var out PersonEntity
	if err := s.c.cl.do(ctx, request{method: http.MethodPut, path: "v1/Person/" + id, body: p, out: &out, ifUnmod: ifUnmod}); err != nil {
		return engine.Remote{}, err
	}
	me, _ := s.c.SystemAssociate(ctx)
	return s.remote(&out, me)
}

// Delete deletes a person if it still has version (empty: unconditionally).
func (s *PersonStore) Delete(ctx context.Context, id, version string) error {
	if _, err := personID(id); err != nil {
		return err
	}
	r := request{method: http.MethodDelete, path: "v1/Person/" + id}
	if version != "" {
		t, err := versionTime(version)
		if err != nil {
			return err
		}
		r.ifUnmod = t
	}
	return s.c.cl.do(ctx, r)
}

// FindByMarker finds the person created with marker.
func (s *PersonStore) FindByMarker(ctx context.Context, marker string) (engine.Remote, error) {
	if strings.ContainsAny(marker, "'") {
		return engine.Remote{}, fmt.Errorf("superoffice: marker %q contains a quote", marker)
	}
	ids, _, err := s.list(ctx, s.query(s.c.set.MarkerUdef+" eq '"+marker+"'"))
	if err != nil {
		return engine.Remote{}, err
	}
	if len(ids) == 0 {
		return engine.Remote{}, fmt.Errorf("%w: no person with marker %s", engine.ErrNotFound, marker)
	}
	return s.Get(ctx, strconv.Itoa(int(ids[0])))
}

// ListIDs lists every person id of the associate.
func (s *PersonStore) ListIDs(ctx context.Context) ([]string, error) {
	ids, _, err := s.list(ctx, s.query())
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.Itoa(int(id))
	}
	return out, nil
}
