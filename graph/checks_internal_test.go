package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

func TestMatchAccounts(t *testing.T) {
	t.Parallel()
	acct := func(id, email string, aliases ...string) engine.Account {
		return engine.Account{ID: id, Email: email, Aliases: aliases}
	}
	// show renders pairs as "crm=mailbox/how@address" and the unmatched as ids.
	show := func(pairs []linkPair, unC, unM []engine.Account) string {
		var b strings.Builder
		for _, p := range pairs {
			how := "email"
			if p.alias {
				how = "alias"
			}
			fmt.Fprintf(&b, "%s=%s/%s@%s ", p.crm.ID, p.mailbox.ID, how, p.address)
		}
		b.WriteString("| ")
		for _, a := range unC {
			b.WriteString(a.ID + " ")
		}
		b.WriteString("| ")
		for _, a := range unM {
			b.WriteString(a.ID + " ")
		}
		return strings.TrimSpace(b.String())
	}
	for _, c := range []struct {
		name     string
		crm, mbx []engine.Account
		want     string
	}{
		{"primary addresses, ignoring case and blanks",
			[]engine.Account{acct("c1", " Ann@Example.com"), acct("c2", "bob@example.com")},
			[]engine.Account{acct("m2", "BOB@example.com"), acct("m1", "ann@example.COM")},
			"c1=m1/email@ann@example.com c2=m2/email@bob@example.com | |"},
		{"a CRM address that is a mailbox's proxy address",
			[]engine.Account{acct("c1", "ann.smith@example.com")},
			[]engine.Account{acct("m1", "ann@example.com", "ann@example.com", "smtp-less", "Ann.Smith@example.com")},
			"c1=m1/alias@ann.smith@example.com | |"},
		{"a CRM alias that is the mailbox's address",
			[]engine.Account{acct("c1", "old@example.com", "new@example.com")},
			[]engine.Account{acct("m1", "new@example.com")},
			"c1=m1/alias@new@example.com | |"},
		{"primary matches win over alias matches",
			[]engine.Account{acct("c1", "x@example.com"), acct("c2", "y@example.com", "x2@example.com")},
			[]engine.Account{acct("m1", "x@example.com", "x2@example.com")},
			"c1=m1/email@x@example.com | c2 |"},
		{"an address two mailbox accounts hold is not used",
			[]engine.Account{acct("c1", "team@example.com")},
			[]engine.Account{acct("m1", "team@example.com"), acct("m2", "other@example.com", "team@example.com")},
			"| c1 | m2 m1"},
		{"an address two CRM accounts hold is not used",
			[]engine.Account{acct("c1", "dup@example.com"), acct("c2", "dup@example.com")},
			[]engine.Account{acct("m1", "dup@example.com")},
			"| c1 c2 | m1"},
		{"aliases pointing at two different mailboxes are left to the admin",
			[]engine.Account{acct("c1", "c@example.com", "a@example.com", "b@example.com")},
			[]engine.Account{acct("ma", "a@example.com"), acct("mb", "b@example.com")},
			"| c1 | ma mb"},
		{"accounts without addresses stay unmatched, ordered by e-mail",
			[]engine.Account{acct("c2", "zed@example.com"), acct("c1", ""), acct("c3", "amy@example.com")},
			[]engine.Account{acct("m1", "")},
			"| c1 c3 c2 | m1"},
		{"empty sides", nil, nil, "| |"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := show(matchAccounts(c.crm, c.mbx)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestSplitByAccount(t *testing.T) {
	t.Parallel()
	accts := []engine.Account{{ID: "17", Email: "Ann@example.com"}, {ID: "u-2", Email: "bob@example.com"}, {ID: "17", Email: ""}}
	res := []engine.CheckResult{
		{Name: "credentials valid"},
		{Name: "mailbox ann@example.com"},
		{Name: "permission Calendars.ReadWrite on ann@example.com"},
		{Name: "mailbox u-2"},
		{Name: "associate 17"}, // two accounts share the id 17: the system's
		{Name: "annex@example.com store"},
	}
	sys, per := splitByAccount(res, accts)
	names := func(rs []engine.CheckResult) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Name)
		}
		return strings.Join(s, "; ")
	}
	if got := names(sys); got != "credentials valid; associate 17; annex@example.com store" {
		t.Errorf("system: %s", got)
	}
	if got := names(per[0]); got != "mailbox ann@example.com; permission Calendars.ReadWrite on ann@example.com" {
		t.Errorf("ann: %s", got)
	}
	if got := names(per[1]); got != "mailbox u-2" {
		t.Errorf("bob: %s", got)
	}
	if len(per[2]) != 0 {
		t.Errorf("third: %v", per[2])
	}
}

// BenchmarkMatchAccounts pairs two directories of 10,000 users each: every CRM user has a mailbox, a third of them
// only through an alias (the mailbox's primary address differs), and each mailbox carries two proxy addresses.
func BenchmarkMatchAccounts(b *testing.B) {
	const n = 10000
	crm := make([]engine.Account, n)
	mbx := make([]engine.Account, n)
	for i := range n {
		addr := fmt.Sprintf("user%05d@example.com", i)
		crm[i] = engine.Account{ID: fmt.Sprint(i), Email: addr}
		primary := addr
		if i%3 == 0 {
			primary = fmt.Sprintf("u%05d@example.onmicrosoft.com", i)
		}
		mbx[i] = engine.Account{ID: fmt.Sprintf("m%d", i), Email: strings.ToUpper(primary),
			Aliases: []string{addr, fmt.Sprintf("smtp-%05d@example.net", i)}}
	}
	b.ReportAllocs()
	for b.Loop() {
		pairs, unC, unM := matchAccounts(crm, mbx)
		if len(pairs) != n || len(unC) != 0 || len(unM) != 0 {
			b.Fatalf("%d pairs, %d/%d unmatched", len(pairs), len(unC), len(unM))
		}
	}
}
