package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/superoffice"
)

// Customer is a CRM person of the demo: a customer contact that one demo user is "our contact" for, so the
// contacts job copies it into that user's mailbox.
type Customer struct {
	PersonID   int32
	GivenName  string
	FamilyName string
	Company    string
	JobTitle   string
	Email      string
	// Owner is the associate id of the demo user who is "our contact" for the person.
	Owner int32
}

// Selection is one of the demo's static person selections; the profile syncs it to each user's mailbox as a
// contact folder holding copies of the members that user is "our contact" for.
type Selection struct {
	ID      int32
	Name    string
	Members []int32 // person ids
}

// The demo's selections. Every user is "our contact" for one member of each; Ada's key account is also on the
// newsletter, so one person is in two selections (a copy in both folders).
const (
	SelectionKeyAccounts    = "Key accounts"
	SelectionNewsletter     = "Newsletter"
	SelectionChristmasCards = "Christmas cards"
)

// customerRole is which selection a customer of a user goes into.
type customerRole int

const (
	roleKeyAccount customerRole = iota
	roleNewsletter
	roleChristmasCard
)

// customerSeed is one sample customer: the demo user's index, the role and the person.
type customerSeed struct {
	user       int
	role       customerRole
	given      string
	family     string
	company    string
	title      string
	phone      string
	mailDomain string
}

// customerSeeds are three customers per demo user (fictional people and companies).
var customerSeeds = []customerSeed{
	{0, roleKeyAccount, "Kari", "Nordlie", "Nordlys AS", "CEO", "+47 22 11 00 01", "nordlys.example"},
	{0, roleNewsletter, "Ola", "Strand", "Strand Fisk", "Buyer", "+47 22 11 00 02", "strandfisk.example"},
	{0, roleChristmasCard, "Ingrid", "Moe", "Moe Regnskap", "Partner", "+47 22 11 00 03", "moeregnskap.example"},
	{1, roleKeyAccount, "Per", "Vestby", "Vestby Bygg", "Site manager", "+47 22 11 00 04", "vestbybygg.example"},
	{1, roleNewsletter, "Sunniva", "Lie", "Lie Design", "Designer", "+47 22 11 00 05", "liedesign.example"},
	{1, roleChristmasCard, "Halvor", "Dahl", "Dahl Transport", "Owner", "+47 22 11 00 06", "dahltransport.example"},
	{2, roleKeyAccount, "Marte", "Havblikk", "Havblikk Shipping", "Fleet director", "+47 22 11 00 07", "havblikk.example"},
	{2, roleNewsletter, "Jonas", "Berge", "Berge Bakeri", "Manager", "+47 22 11 00 08", "bergebakeri.example"},
	{2, roleChristmasCard, "Liv", "Aas", "Aas Arkitekter", "Architect", "+47 22 11 00 09", "aasark.example"},
	{3, roleKeyAccount, "Erik", "Granli", "Granli Consulting", "Managing partner", "+47 22 11 00 10", "granli.example"},
	{3, roleNewsletter, "Nora", "Vik", "Vik Hotell", "Head of sales", "+47 22 11 00 11", "vikhotell.example"},
	{3, roleChristmasCard, "Tor", "Lunde", "Lunde Maskin", "Service lead", "+47 22 11 00 12", "lundemaskin.example"},
	{4, roleKeyAccount, "Hanne", "Solberg", "Solberg Trading", "CFO", "+47 22 11 00 13", "solbergtrading.example"},
	{4, roleNewsletter, "Aksel", "Foss", "Foss Energi", "Engineer", "+47 22 11 00 14", "fossenergi.example"},
	{4, roleChristmasCard, "Silje", "Rud", "Rud Media", "Editor", "+47 22 11 00 15", "rudmedia.example"},
}

// Customers returns the demo's CRM persons.
func (d *Demo) Customers() []Customer { return append([]Customer(nil), d.customers...) }

// Selections returns the demo's selections.
func (d *Demo) Selections() []Selection {
	out := make([]Selection, 0, len(d.selections))
	for _, s := range d.selections {
		s.Members = append([]int32(nil), s.Members...)
		out = append(out, s)
	}
	return out
}

// seedCustomers stores the customers in the CRM as their demo users made them (each user "our contact" for three,
// at their company) and the three static selections of them.
func (d *Demo) seedCustomers() error {
	members := map[customerRole][]int32{}
	var adaKeyAccount int32
	for i, c := range customerSeeds {
		if c.user < 0 || c.user >= len(d.people) {
			return fmt.Errorf("demo: customer %d (%s %s): no demo user %d", i, c.given, c.family, c.user)
		}
		owner := d.people[c.user].AssociateID
		company := d.so.AddCompany(c.company)
		email := fmt.Sprintf("%s.%s@%s", lower(c.given), lower(c.family), c.mailDomain)
		id := d.so.SeedPerson(owner, superoffice.PersonEntity{Firstname: c.given, Lastname: c.family, Title: c.title,
			Associate:    &superoffice.Associate{AssociateID: owner},
			Contact:      &superoffice.ContactRef{ContactID: company},
			Emails:       []superoffice.EntityElement{{Value: email, Description: "work"}},
			OfficePhones: []superoffice.EntityElement{{Value: c.phone}}})
		d.customers = append(d.customers, Customer{PersonID: id, GivenName: c.given, FamilyName: c.family, Company: c.company,
			JobTitle: c.title, Email: email, Owner: owner})
		members[c.role] = append(members[c.role], id)
		if c.user == 0 && c.role == roleKeyAccount {
			adaKeyAccount = id
		}
	}
	if adaKeyAccount == 0 {
		return errors.New("demo: the first demo user has no key account customer")
	}
	for _, s := range []Selection{
		{Name: SelectionKeyAccounts, Members: members[roleKeyAccount]},
		{Name: SelectionNewsletter, Members: append(append([]int32(nil), members[roleNewsletter]...), adaKeyAccount)},
		{Name: SelectionChristmasCards, Members: members[roleChristmasCard]},
	} {
		s.ID = d.so.AddSelection(s.Name, false, s.Members...)
		d.selections = append(d.selections, s)
	}
	return nil
}

// lower lower-cases the ASCII letters of s and drops everything else (for sample e-mail addresses).
func lower(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case r >= 'a' && r <= 'z':
			b = append(b, byte(r))
		}
	}
	return string(b)
}

// seedTasks writes each user's checklist tasks in the CRM and a To Do task in the mailbox through the real
// connectors, as the users would have made them.
func (d *Demo) seedTasks(ctx context.Context, crm, mb engine.Connector, win engine.Window, day func(int) time.Time) error {
	for i, p := range d.people {
		cs, err := crm.Open(ctx, engine.Scope{Account: engine.Account{ID: strconv.Itoa(int(p.AssociateID)), Email: p.Email},
			Kind: engine.KindTask, Window: win})
		if err != nil {
			return fmt.Errorf("demo: open %s's tasks in SuperOffice: %w", p.Name, err)
		}
		ms, err := mb.Open(ctx, engine.Scope{Account: engine.Account{ID: p.GraphID, Email: p.Email}, Kind: engine.KindTask, Window: win})
		if err != nil {
			return fmt.Errorf("demo: open %s's To Do list: %w", p.Name, err)
		}
		date := func(n int) time.Time {
			t := day(n)
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		}
		company, contact := "a customer", "a customer"
		for _, c := range customerSeeds {
			if c.user == i && c.role == roleKeyAccount {
				company, contact = c.company, c.given+" "+c.family
			}
		}
		crmTasks := []*engine.Task{
			{Title: "Send offer to " + company, Due: date(3 + i), DueAllDay: true, Priority: engine.PriorityHigh,
				Body: "Sample task of the Synchronizer demo."},
			{Title: "Follow up " + contact, Due: date(8 + i), DueAllDay: true,
				Body: "Sample task of the Synchronizer demo."},
		}
		for _, t := range crmTasks {
			if _, err := cs.Create(ctx, t, ""); err != nil {
				return fmt.Errorf("demo: seed %s's task %q in SuperOffice: %w", p.Name, t.Title, err)
			}
		}
		own := &engine.Task{Title: "Renew the parking permit", Due: date(5 + i), DueAllDay: true}
		if _, err := ms.Create(ctx, own, ""); err != nil {
			return fmt.Errorf("demo: seed %s's To Do task %q: %w", p.Name, own.Title, err)
		}
	}
	return nil
}
