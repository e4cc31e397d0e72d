package dav

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav/ical"
)

// decodeVCard maps an address object resource (one VCARD, version 3 or 4) to a Contact, or to a Group when it is
// a vCard 4 KIND:group or an Apple X-ADDRESSBOOKSERVER-KIND:group card. Group members are returned as the member
// UIDs without their "urn:uuid:" prefix; the store translates them to hrefs.
func decodeVCard(data []byte) (engine.Item, *ical.Component, error) {
	card, err := ical.Parse(data)
	if err != nil {
		return nil, nil, err
	}
	if card.Name != "VCARD" {
		return nil, nil, fmt.Errorf("address data: want VCARD, found %s", card.Name)
	}
	it, err := vcardItem(card)
	if err != nil {
		return nil, nil, err
	}
	return it, card, nil
}

func vcardItem(card *ical.Component) (engine.Item, error) {
	if isGroupCard(card) {
		g := &engine.Group{Name: textOf(card, "FN")}
		for _, p := range append(card.All("MEMBER"), card.All("X-ADDRESSBOOKSERVER-MEMBER")...) {
			g.Members = append(g.Members, memberUID(p.Value))
		}
		return g, nil
	}
	c := &engine.Contact{Display: textOf(card, "FN"), JobTitle: textOf(card, "TITLE"), Notes: textOf(card, "NOTE")}
	if p := card.Prop("N"); p != nil {
		n := ical.SplitUnescaped(p.Value, ';')
		get := func(i int) string {
			if i < len(n) {
				return strings.TrimSpace(n[i])
			}
			return ""
		}
		c.FamilyName, c.GivenName, c.MiddleName, c.Prefix, c.Suffix = get(0), get(1), get(2), get(3), get(4)
	}
	if p := card.Prop("ORG"); p != nil {
		o := ical.SplitUnescaped(p.Value, ';')
		c.Company = strings.TrimSpace(o[0])
		if len(o) > 1 {
			c.Department = strings.TrimSpace(strings.Join(o[1:], " "))
		}
	}
	for _, p := range card.All("EMAIL") {
		if v := strings.TrimSpace(p.Text()); v != "" {
			c.Emails = append(c.Emails, engine.Labeled{Label: labelOf(p), Value: v})
		}
	}
	for _, p := range card.All("TEL") {
		v := strings.TrimSpace(p.Text())
		if len(v) > 4 && strings.EqualFold(v[:4], "tel:") {
			v = v[4:]
		}
		if v != "" {
			c.Phones = append(c.Phones, engine.Labeled{Label: labelOf(p), Value: v})
		}
	}
	for _, p := range card.All("URL") {
		if v := strings.TrimSpace(p.Value); v != "" {
			c.URLs = append(c.URLs, engine.Labeled{Label: labelOf(p), Value: v})
		}
	}
	for _, p := range card.All("ADR") {
		f := ical.SplitUnescaped(p.Value, ';')
		get := func(i int) string {
			if i < len(f) {
				return strings.TrimSpace(f[i])
			}
			return ""
		}
		street := strings.TrimSpace(strings.Join(nonEmpty(get(0), get(1), get(2)), "\n"))
		c.Addresses = append(c.Addresses, engine.Address{Label: labelOf(p), Street: street, City: get(3), Region: get(4), PostalCode: get(5), Country: get(6)})
	}
	if p := card.Prop("BDAY"); p != nil {
		if t, ok := parseBirthday(p.Value); ok {
			c.Birthday = t
		}
	}
	c.Categories = categoriesOf(card)
	links, err := linksOf(card)
	if err != nil {
		return nil, err
	}
	c.Links = links
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

func isGroupCard(card *ical.Component) bool {
	for _, n := range []string{"KIND", "X-ADDRESSBOOKSERVER-KIND"} {
		if p := card.Prop(n); p != nil && strings.EqualFold(strings.TrimSpace(p.Value), "group") {
			return true
		}
	}
	return false
}

func memberUID(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 9 && strings.EqualFold(v[:9], "urn:uuid:") {
		return v[9:]
	}
	return v
}

// labelOf maps vCard TYPE values to a lower-case label: work, home, mobile, fax, pager, main or other; "" when the
// property has no such type.
func labelOf(p *ical.Prop) string {
	for _, raw := range p.ParamValues("TYPE") {
		for _, t := range strings.Split(raw, ",") {
			switch strings.ToLower(strings.TrimSpace(t)) {
			case "work":
				return "work"
			case "home":
				return "home"
			case "cell", "mobile", "iphone":
				return "mobile"
			case "fax":
				return "fax"
			case "pager":
				return "pager"
			case "main":
				return "main"
			case "other":
				return "other"
			}
		}
	}
	return ""
}

func parseBirthday(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, 'T'); i > 0 {
		v = v[:i]
	}
	for _, layout := range []string{"20060102", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// encodeVCard writes item as a VCARD, merged into base (the card last read) when given so that unmapped
// properties survive and unchanged fields keep their wire form. New cards are vCard 3.0; a group is written with
// KIND/MEMBER on a 4.0 card and with Apple's X-ADDRESSBOOKSERVER-KIND/-MEMBER on a 3.0 card. members are the
// member UIDs.
func encodeVCard(base *ical.Component, item engine.Item, uid string) (*ical.Component, error) {
	var card *ical.Component
	if base != nil {
		card = base.Clone()
	} else {
		card = &ical.Component{Name: "VCARD", Props: []ical.Prop{{Name: "VERSION", Value: "3.0"}, {Name: "PRODID", Value: prodID}}}
	}
	v4 := false
	if p := card.Prop("VERSION"); p != nil && strings.HasPrefix(p.Value, "4") {
		v4 = true
	}
	if p := card.Prop("UID"); p != nil && p.Value != "" {
		uid = p.Value
	}
	card.Set(ical.Prop{Name: "UID", Value: uid})
	var old engine.Item
	if base != nil {
		old, _ = vcardItem(base)
	}
	switch it := item.(type) {
	case *engine.Contact:
		o, _ := old.(*engine.Contact)
		encodeContact(card, o, it, v4)
	case *engine.Group:
		if strings.TrimSpace(it.Name) == "" {
			return nil, fieldErr("name", errors.New("a group needs a name"))
		}
		o, _ := old.(*engine.Group)
		if o == nil || o.Name != it.Name {
			card.Remove("FN", "N")
			card.Add(ical.Prop{Name: "FN", Value: ical.Escape(it.Name)})
			card.Add(ical.Prop{Name: "N", Value: ical.Escape(it.Name) + ";;;;"})
		}
		if o == nil || !same(o.Members, it.Members) {
			card.Remove("MEMBER", "X-ADDRESSBOOKSERVER-MEMBER", "KIND", "X-ADDRESSBOOKSERVER-KIND")
			kind, member := "X-ADDRESSBOOKSERVER-KIND", "X-ADDRESSBOOKSERVER-MEMBER"
			if v4 {
				kind, member = "KIND", "MEMBER"
			}
			card.Add(ical.Prop{Name: kind, Value: "group"})
			for _, m := range it.Members {
				card.Add(ical.Prop{Name: member, Value: "urn:uuid:" + m})
			}
		}
	default:
		return nil, fieldErr("kind", fmt.Errorf("an address book cannot hold a %T", item))
	}
	return card, nil
}

func encodeContact(card *ical.Component, old, c *engine.Contact, v4 bool) {
	var o engine.Contact
	if old != nil {
		o = *old
	}
	has := old != nil
	display := c.Display
	if display == "" {
		display = strings.Join(nonEmpty(c.Prefix, c.GivenName, c.MiddleName, c.FamilyName, c.Suffix), " ")
	}
	if display == "" {
		display = c.Company
	}
	if !has || o.Display != c.Display || o.GivenName != c.GivenName || o.FamilyName != c.FamilyName || o.MiddleName != c.MiddleName ||
		o.Prefix != c.Prefix || o.Suffix != c.Suffix {
		card.Remove("FN", "N")
		card.Add(ical.Prop{Name: "FN", Value: ical.Escape(display)})
		card.Add(ical.Prop{Name: "N", Value: ical.JoinEscaped([]string{c.FamilyName, c.GivenName, c.MiddleName, c.Prefix, c.Suffix}, ";")})
	}
	if !has || o.Company != c.Company || o.Department != c.Department {
		card.Remove("ORG")
		if c.Company != "" || c.Department != "" {
			parts := []string{c.Company}
			if c.Department != "" {
				parts = append(parts, c.Department)
			}
			card.Add(ical.Prop{Name: "ORG", Value: ical.JoinEscaped(parts, ";")})
		}
	}
	text := func(name, ov, nv string) {
		if has && ov == nv {
			return
		}
		card.Remove(name)
		if nv != "" {
			card.Add(ical.Prop{Name: name, Value: ical.Escape(nv)})
		}
	}
	text("TITLE", o.JobTitle, c.JobTitle)
	text("NOTE", o.Notes, c.Notes)
	labeled := func(name string, ov, nv []engine.Labeled, escape bool) {
		if has && same(ov, nv) {
			return
		}
		card.Remove(name)
		for _, l := range nv {
			p := ical.Prop{Name: name, Value: l.Value}
			if escape {
				p.Value = ical.Escape(l.Value)
			}
			if t := typeOf(l.Label, name); t != "" {
				p.Params = []ical.Param{{Name: "TYPE", Values: []string{t}}}
			}
			card.Add(p)
		}
	}
	labeled("EMAIL", o.Emails, c.Emails, true)
	labeled("TEL", o.Phones, c.Phones, true)
	labeled("URL", o.URLs, c.URLs, false)
	if !has || !same(o.Addresses, c.Addresses) {
		card.Remove("ADR")
		for _, a := range c.Addresses {
			p := ical.Prop{Name: "ADR", Value: ical.JoinEscaped([]string{"", "", a.Street, a.City, a.Region, a.PostalCode, a.Country}, ";")}
			if t := typeOf(a.Label, "ADR"); t != "" {
				p.Params = []ical.Param{{Name: "TYPE", Values: []string{t}}}
			}
			card.Add(p)
		}
	}
	if !has || !o.Birthday.Equal(c.Birthday) {
		card.Remove("BDAY")
		if !c.Birthday.IsZero() {
			layout := "2006-01-02"
			if v4 {
				layout = "20060102"
			}
			card.Add(ical.Prop{Name: "BDAY", Value: c.Birthday.UTC().Format(layout)})
		}
	}
	changed := false
	writeCommon(card, has, &changed, false, false, o.Categories, c.Categories, "", "", o.Links, c.Links)
}

func typeOf(label, prop string) string {
	switch label {
	case "":
		return ""
	case "mobile":
		return "cell"
	}
	return label
}
