package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

type physicalAddress struct {
	Street          string `json:"street,omitempty"`
	City            string `json:"city,omitempty"`
	State           string `json:"state,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	CountryOrRegion string `json:"countryOrRegion,omitempty"`
}

func (p *physicalAddress) empty() bool { return p == nil || *p == physicalAddress{} }

type graphContact struct {
	ID               string           `json:"id"`
	ETag             string           `json:"@odata.etag"`
	Title            string           `json:"title"`
	GivenName        string           `json:"givenName"`
	MiddleName       string           `json:"middleName"`
	Surname          string           `json:"surname"`
	Generation       string           `json:"generation"`
	DisplayName      string           `json:"displayName"`
	CompanyName      string           `json:"companyName"`
	Department       string           `json:"department"`
	JobTitle         string           `json:"jobTitle"`
	EmailAddresses   []emailAddress   `json:"emailAddresses"`
	BusinessPhones   []string         `json:"businessPhones"`
	HomePhones       []string         `json:"homePhones"`
	MobilePhone      string           `json:"mobilePhone"`
	BusinessAddress  *physicalAddress `json:"businessAddress"`
	HomeAddress      *physicalAddress `json:"homeAddress"`
	OtherAddress     *physicalAddress `json:"otherAddress"`
	BusinessHomePage string           `json:"businessHomePage"`
	Birthday         string           `json:"birthday"`
	PersonalNotes    string           `json:"personalNotes"`
	Categories       []string         `json:"categories"`
	Props            []extProp        `json:"singleValueExtendedProperties"`
}

// contactAdapter maps contacts; category is the sync category in category mode (empty in folder mode), prefix
// the prefix of group categories when groups are categories (empty otherwise): those belong to the group store
// and are neither read into the contact nor dropped when it is written (keepGroupCategories).
type contactAdapter struct{ category, prefix string }

// isGroupCategory reports whether cat is a group category under prefix.
func isGroupCategory(prefix, cat string) bool {
	return prefix != "" && len(cat) > len(prefix) && strings.EqualFold(cat[:len(prefix)], prefix)
}

func (contactAdapter) markerInFilter() bool { return true }

func (contactAdapter) getQuery() string {
	return "?$expand=" + url.QueryEscape("singleValueExtendedProperties($filter=id eq '"+markerProp+"' or id eq '"+linksProp+"')")
}

func (contactAdapter) deltaURL(s *Store) string { return s.c.graph + "/v1.0" + s.coll + "/delta" }

func (ca contactAdapter) decode(_ *Store, raw json.RawMessage) (engine.Remote, string, bool, error) {
	var gc graphContact
	if err := json.Unmarshal(raw, &gc); err != nil {
		return engine.Remote{}, "", false, err
	}
	c := &engine.Contact{Prefix: gc.Title, GivenName: gc.GivenName, MiddleName: gc.MiddleName, FamilyName: gc.Surname, Suffix: gc.Generation,
		Display: gc.DisplayName, Company: gc.CompanyName, Department: gc.Department, JobTitle: gc.JobTitle, Notes: gc.PersonalNotes}
	for _, e := range gc.EmailAddresses {
		if e.Address != "" {
			c.Emails = append(c.Emails, engine.Labeled{Value: e.Address})
		}
	}
	for _, p := range gc.BusinessPhones {
		c.Phones = append(c.Phones, engine.Labeled{Label: "work", Value: p})
	}
	for _, p := range gc.HomePhones {
		c.Phones = append(c.Phones, engine.Labeled{Label: "home", Value: p})
	}
	if gc.MobilePhone != "" {
		c.Phones = append(c.Phones, engine.Labeled{Label: "mobile", Value: gc.MobilePhone})
	}
	for _, a := range []struct {
		label string
		p     *physicalAddress
	}{{"work", gc.BusinessAddress}, {"home", gc.HomeAddress}, {"other", gc.OtherAddress}} {
		if !a.p.empty() {
			c.Addresses = append(c.Addresses, engine.Address{Label: a.label, Street: a.p.Street, City: a.p.City, Region: a.p.State,
				PostalCode: a.p.PostalCode, Country: a.p.CountryOrRegion})
		}
	}
	if gc.BusinessHomePage != "" {
		c.URLs = []engine.Labeled{{Label: "work", Value: gc.BusinessHomePage}}
	}
	if gc.Birthday != "" {
		t, err := time.Parse(time.RFC3339, gc.Birthday)
		if err != nil {
			return engine.Remote{}, "", false, &engine.ItemError{ID: gc.ID, Field: "birthday", Err: fmt.Errorf("bad birthday %q", gc.Birthday)}
		}
		c.Birthday = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	out := false
	for _, cat := range gc.Categories {
		if ca.category != "" && strings.EqualFold(cat, ca.category) || isGroupCategory(ca.prefix, cat) {
			continue
		}
		c.Categories = append(c.Categories, cat)
	}
	if ca.category != "" && !slices.ContainsFunc(gc.Categories, func(s string) bool { return strings.EqualFold(s, ca.category) }) {
		out = true
	}
	if l := propValue(gc.Props, linksProp); l != "" && l != "[]" {
		if err := json.Unmarshal([]byte(l), &c.Links); err != nil {
			return engine.Remote{}, "", false, &engine.ItemError{ID: gc.ID, Field: "links", Err: err}
		}
	}
	return engine.Remote{ID: gc.ID, Version: gc.ETag, Item: c, Marker: propValue(gc.Props, markerProp)}, "", out, nil
}

func (ca contactAdapter) encode(_ *Store, it engine.Item, marker string) (map[string]any, error) {
	c, ok := it.(*engine.Contact)
	if !ok || c == nil {
		return nil, &engine.ItemError{Err: fmt.Errorf("want a contact, got %T", it)}
	}
	m := map[string]any{"title": c.Prefix, "givenName": c.GivenName, "middleName": c.MiddleName, "surname": c.FamilyName, "generation": c.Suffix,
		"displayName": c.Display, "companyName": c.Company, "department": c.Department, "jobTitle": c.JobTitle, "personalNotes": c.Notes}
	emails := []emailAddress{}
	for i, e := range c.Emails {
		if len(emails) == 3 {
			return nil, &engine.ItemError{Field: fmt.Sprintf("emails[%d]", i), Err: errors.New("an Outlook contact holds at most 3 e-mail addresses")}
		}
		emails = append(emails, emailAddress{Address: e.Value})
	}
	m["emailAddresses"] = emails
	work, home := []string{}, []string{}
	mobile := ""
	for _, p := range c.Phones {
		switch p.Label {
		case "home":
			home = append(home, p.Value)
		case "mobile", "cell":
			if mobile == "" {
				mobile = p.Value
				continue
			}
			work = append(work, p.Value)
		default:
			work = append(work, p.Value)
		}
	}
	m["businessPhones"], m["homePhones"], m["mobilePhone"] = work, home, mobile
	addr := map[string]*physicalAddress{"businessAddress": {}, "homeAddress": {}, "otherAddress": {}}
	for i, a := range c.Addresses {
		key := map[string]string{"home": "homeAddress", "other": "otherAddress"}[a.Label]
		if key == "" {
			key = "businessAddress"
		}
		if !addr[key].empty() {
			return nil, &engine.ItemError{Field: fmt.Sprintf("addresses[%d]", i), Err: fmt.Errorf("a second %s address cannot be stored", a.Label)}
		}
		addr[key] = &physicalAddress{Street: a.Street, City: a.City, State: a.Region, PostalCode: a.PostalCode, CountryOrRegion: a.Country}
	}
	for k, v := range addr {
		m[k] = v
	}
	m["businessHomePage"] = ""
	if len(c.URLs) > 0 {
		m["businessHomePage"] = c.URLs[0].Value
	}
	if !c.Birthday.IsZero() {
		m["birthday"] = c.Birthday.UTC().Format("2006-01-02") + "T00:00:00Z"
	} else {
		m["birthday"] = nil
	}
	cats := slices.Clone(nonNil(c.Categories))
	if ca.category != "" {
		cats = append(cats, ca.category)
	}
	m["categories"] = cats
	links := "[]"
	if len(c.Links) > 0 {
		b, _ := json.Marshal(c.Links)
		links = string(b)
	}
	props := []extProp{{ID: linksProp, Value: links}}
	if marker != "" {
		props = append(props, extProp{ID: markerProp, Value: marker})
	}
	m["singleValueExtendedProperties"] = props
	return m, nil
}

// keepGroupCategories adds the group categories contact id carries now to the categories of an update body, so
// that writing a contact does not take it out of its groups.
func (s *Store) keepGroupCategories(ctx context.Context, id string, body map[string]any) error {
	prefix := s.c.groupPrefix()
	if s.scope.Kind != engine.KindContact || prefix == "" {
		return nil
	}
	var cur struct {
		Categories []string `json:"categories"`
	}
	if err := s.c.call(ctx, request{method: "GET", path: s.itemPath(id) + "?$select=categories", header: s.header(), user: s.user}, &cur); err != nil {
		return err
	}
	cats, _ := body["categories"].([]string)
	for _, c := range cur.Categories {
		if isGroupCategory(prefix, c) {
			cats = append(cats, c)
		}
	}
	body["categories"] = cats
	return nil
}
