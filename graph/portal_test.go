package graph_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/graph/model"
)

// testPortal is the appliance side of the portal for these tests: a fixed public base URL, no per-user mailbox
// sign-in and no sign-in providers (package main tests its real implementation against the SuperOffice and
// Microsoft fakes).
type testPortal struct{}

func (testPortal) PublicBase(context.Context) (string, error) { return "https://sync.example.com", nil }
func (testPortal) MailboxSignIn(context.Context, engine.Profile, engine.LinkedUser) (bool, bool) {
	return false, false
}
func (testPortal) SignInProviders(context.Context) ([]*model.SignInProvider, error) {
	return []*model.SignInProvider{}, nil
}

const myLinksQuery = `{ myLinks { profileId profileName userId crm { id email } mailbox { email }
	status { profileId userId } overrides { daysBack daysAhead filters { skipPrivate } }
	defaults { daysBack daysAhead } userMay { directions filters window }
	recentRuns { id profileId userId status error } quarantine { profileId userId itemId } openConflicts } }`

const acceptPortal = `mutation($t: String!) { acceptPortalInvitation(token: $t) { csrfToken account { email role } } }`

// portalToken creates a portal invitation as the admin and returns the token of its link.
func portalToken(t testing.TB, admin *client, profile, user string) string {
	t.Helper()
	r := admin.query(`mutation($p: ID!, $u: ID!) { createPortalInvitation(profileId: $p, userId: $u) { link email expiresAt } }`,
		map[string]any{"p": profile, "u": user}).must(t)
	link, _ := field(r.Data, "createPortalInvitation", "link").(string)
	tok, ok := strings.CutPrefix(link, "https://sync.example.com/invite/")
	if !ok || tok == "" {
		t.Fatalf("invitation link %q is not https://sync.example.com/invite/<token>", link)
	}
	tok, err := url.PathUnescape(tok)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// redeem opens an invitation in a new browser and returns the signed-in client, or the refusal.
func redeem(t testing.TB, e *env, c *client, token string) (*client, *gqlResponse) {
	t.Helper()
	if c == nil {
		c = e.client()
	}
	r := c.query(acceptPortal, map[string]any{"t": token})
	if len(r.Errors) > 0 {
		return nil, r
	}
	c.csrf = field(r.Data, "acceptPortalInvitation", "csrfToken").(string)
	return c, r
}

// linksOf returns "profile/user" of every portal link of c, and fails when any part of a link names another user.
func linksOf(t *testing.T, c *client) []string {
	t.Helper()
	r := c.query(myLinksQuery, nil).must(t)
	var out []string
	for _, l := range r.Data["myLinks"].([]any) {
		m := l.(map[string]any)
		p, u := m["profileId"].(string), m["userId"].(string)
		if st, ok := m["status"].(map[string]any); ok && (st["profileId"] != p || st["userId"] != u) {
			t.Errorf("link %s/%s carries the status of %v/%v", p, u, st["profileId"], st["userId"])
		}
		for _, run := range m["recentRuns"].([]any) {
			if rm := run.(map[string]any); rm["profileId"] != p || rm["userId"] != u {
				t.Errorf("link %s/%s shows run %v of %v/%v", p, u, rm["id"], rm["profileId"], rm["userId"])
			}
		}
		for _, q := range m["quarantine"].([]any) {
			if qm := q.(map[string]any); qm["profileId"] != p || qm["userId"] != u {
				t.Errorf("link %s/%s shows quarantined item of %v/%v", p, u, qm["profileId"], qm["userId"])
			}
		}
		out = append(out, p+"/"+u)
	}
	return out
}

func wantCode(t *testing.T, what string, r *gqlResponse, code, fieldName string) {
	t.Helper()
	if r.code() != code {
		t.Errorf("%s: %s, want %s", what, r.Raw, code)
		return
	}
	if fieldName != "" && r.Errors[0].Extensions["field"] != fieldName {
		t.Errorf("%s: field %v, want %s (%s)", what, r.Errors[0].Extensions["field"], fieldName, r.Raw)
	}
}

// TestPortalUserSeesOnlyOwnData: two profiles, three linked users, two USER accounts (alice is linked in both
// profiles, bob in one). Every portal field answers only the viewer's data; another user's profile is refused like
// an unknown one; the admin fields are refused; tokens are one-time, newest-only, bound to their user, and expire.
func TestPortalUserSeesOnlyOwnData(t *testing.T) {
	t.Parallel()
	se := newSyncEnvWith(t, func(r *graph.Resolver) { r.Portal = testPortal{} })
	e := se.env
	admin := e.setupAdmin()
	admin.query(saveProfile, map[string]any{"in": profileInput(func(in map[string]any) {
		in["userMay"] = map[string]any{"window": true}
	})}).must(t)
	admin.query(saveProfile, map[string]any{"in": profileInput(func(in map[string]any) { in["id"], in["name"] = "p2", "Support" })}).must(t)
	link := `mutation($in: LinkUserInput!) { linkUser(input: $in) { id } }`
	for _, u := range []struct{ p, id, crm, mail string }{
		{"p1", "u1", "assoc-1", "alice@example.com"},
		{"p1", "u2", "assoc-2", "bob@example.com"},
		{"p2", "u3", "assoc-1", "Alice@Example.com"},
	} {
		admin.query(link, map[string]any{"in": map[string]any{"profileId": u.p, "id": u.id,
			"crm": map[string]any{"id": u.crm}, "mailbox": map[string]any{"email": u.mail}}}).must(t)
	}
	se.idle() // every user's first sync ran: there are runs of all three

	// Alice redeems both her invitations (the second while signed in); bob his newest one.
	alice, r := redeem(t, e, nil, portalToken(t, admin, "p1", "u1"))
	if alice == nil {
		t.Fatalf("alice's invitation: %s", r.Raw)
	}
	if role := field(r.Data, "acceptPortalInvitation", "account", "role"); role != "USER" {
		t.Errorf("alice's account role %v, want USER", role)
	}
	tokA3 := portalToken(t, admin, "p2", "u3")
	if _, r := redeem(t, e, alice, tokA3); r.code() != "" {
		t.Fatalf("alice's second invitation: %s", r.Raw)
	}
	oldB := portalToken(t, admin, "p1", "u2")
	tokB := portalToken(t, admin, "p1", "u2")
	_, r = redeem(t, e, nil, oldB)
	wantCode(t, "an invitation replaced by a newer one", r, "NOT_FOUND", "token")
	bob, r := redeem(t, e, nil, tokB)
	if bob == nil {
		t.Fatalf("bob's invitation: %s", r.Raw)
	}
	if got := field(r.Data, "acceptPortalInvitation", "account", "email"); got != "bob@example.com" {
		t.Errorf("bob's token signed in %v", got)
	}
	_, r = redeem(t, e, nil, tokB)
	wantCode(t, "a used invitation", r, "NOT_FOUND", "token")
	_, r = redeem(t, e, nil, "not-a-token")
	wantCode(t, "an unknown token", r, "NOT_FOUND", "token")

	// Each sees exactly their own links, with only their own status, runs and quarantine.
	if got := linksOf(t, alice); !slices.Equal(got, []string{"p1/u1", "p2/u3"}) {
		t.Errorf("alice sees %v, want p1/u1 and p2/u3", got)
	}
	if got := linksOf(t, bob); !slices.Equal(got, []string{"p1/u2"}) {
		t.Errorf("bob sees %v, want p1/u2", got)
	}
	if got := linksOf(t, admin); len(got) != 0 {
		t.Errorf("the admin has portal links %v", got)
	}
	if r := alice.query(myLinksQuery, nil).must(t); !strings.Contains(r.Raw, `"recentRuns":[{`) {
		t.Errorf("alice's links show no runs: %s", r.Raw)
	}

	// Another user's profile is refused like an unknown one, whatever the field.
	for _, op := range []string{
		`mutation { syncMyMailboxNow(profileId: "p2") }`,
		`mutation { setMyPreferences(profileId: "p2", overrides: {}) { userId } }`,
		`mutation { beginMyMailboxSignIn(profileId: "p2") { url } }`,
		`mutation { syncMyMailboxNow(profileId: "nope") }`,
	} {
		wantCode(t, "bob: "+op, bob.query(op, nil), "NOT_FOUND", "profileId")
	}
	// The admin fields are refused (graph/roles_test.go walks all of them).
	for _, op := range []string{
		`{ linkedUsers(profileId: "p1") { id } }`, `{ syncRuns(profileId: "p1", userId: "u1") { id } }`,
		`{ syncQuarantine(profileId: "p1") { itemId } }`, `mutation { syncNow(profileId: "p1", userId: "u1") }`,
		`mutation { createPortalInvitation(profileId: "p1", userId: "u1") { link } }`,
	} {
		wantCode(t, "bob: "+op, bob.query(op, nil), "FORBIDDEN", "")
	}

	// Sync now queues the viewer's own user only (the audit says which).
	if r := bob.query(`mutation { syncMyMailboxNow(profileId: "p1") }`, nil).must(t); r.Data["syncMyMailboxNow"] != true {
		t.Errorf("syncMyMailboxNow: %s", r.Raw)
	}
	audit := admin.query(`{ auditLog(first: 5) { edges { node { actor action target } } } }`, nil).must(t)
	if !strings.Contains(audit.Raw, `"actor":"bob@example.com","action":"portal.sync_now","target":"p1/u2"`) {
		t.Errorf("audit of syncMyMailboxNow: %s", audit.Raw)
	}

	// Preferences within the locks: p1 lets users change the window only, p2 nothing.
	r = alice.query(`mutation { setMyPreferences(profileId: "p1", overrides: {daysAhead: 60}) { userId overrides { daysAhead } } }`, nil).must(t)
	if field(r.Data, "setMyPreferences", "userId") != "u1" || field(r.Data, "setMyPreferences", "overrides", "daysAhead") != 60.0 {
		t.Errorf("setMyPreferences: %s", r.Raw)
	}
	if u, _ := se.engine.User("p1", "u1"); u.Overrides.DaysAhead == nil || *u.Overrides.DaysAhead != 60 {
		t.Errorf("u1's overrides after setMyPreferences: %+v", u.Overrides)
	}
	if u, _ := se.engine.User("p1", "u2"); u.Overrides.DaysAhead != nil {
		t.Errorf("alice's preferences changed bob: %+v", u.Overrides)
	}
	for _, c := range []struct{ profile, overrides, field string }{
		{"p1", `{filters: {skipPrivate: true}}`, "overrides.filters"},
		{"p1", `{directions: [{kind: APPOINTMENT, direction: CRM_TO_MAILBOX}]}`, "overrides.directions"},
		{"p1", `{daysBack: -1}`, "overrides.daysBack"},
		{"p2", `{daysBack: 5}`, "overrides.daysBack"},
	} {
		op := `mutation { setMyPreferences(profileId: "` + c.profile + `", overrides: ` + c.overrides + `) { userId } }`
		wantCode(t, op, alice.query(op, nil), "BAD_USER_INPUT", c.field)
	}

	// A password-less account cannot sign in with a password until its owner sets one.
	if r := e.client().query(`mutation { login(email: "bob@example.com", password: "correct horse battery") { csrfToken } }`, nil); r.code() != "UNAUTHENTICATED" {
		t.Errorf("login of a password-less account: %s", r.Raw)
	}
	bob.query(`mutation { changePassword(currentPassword: "", newPassword: "bobs own long password") }`, nil).must(t)
	e.login("bob@example.com", "bobs own long password")

	// An admin's address is never given links.
	admin.query(link, map[string]any{"in": map[string]any{"profileId": "p1", "id": "u4",
		"crm": map[string]any{"id": "assoc-4"}, "mailbox": map[string]any{"email": "admin@example.com"}}}).must(t)
	_, r = redeem(t, e, nil, portalToken(t, admin, "p1", "u4"))
	wantCode(t, "an invitation to an admin's address", r, "CONFLICT", "email")
	if got := linksOf(t, admin); len(got) != 0 {
		t.Errorf("the admin got portal links %v", got)
	}

	// Unlinking and deleting a profile take the links away at once; the portal shows nothing and does not fail.
	pending := portalToken(t, admin, "p1", "u2")
	admin.query(`mutation { unlinkUser(profileId: "p1", userId: "u2") }`, nil).must(t)
	_, r = redeem(t, e, nil, pending)
	wantCode(t, "the invitation of an unlinked user", r, "NOT_FOUND", "token")
	bob = e.login("bob@example.com", "bobs own long password")
	if got := linksOf(t, bob); len(got) != 0 {
		t.Errorf("bob still sees %v after being unlinked", got)
	}
	admin.query(`mutation { unlinkUser(profileId: "p1", userId: "u1") }`, nil).must(t)
	if got := linksOf(t, alice); !slices.Equal(got, []string{"p2/u3"}) {
		t.Errorf("alice sees %v after u1 was unlinked, want p2/u3", got)
	}
	admin.query(`mutation { deleteSyncProfile(id: "p2") }`, nil).must(t)
	if got := linksOf(t, alice); len(got) != 0 {
		t.Errorf("alice sees %v after p2 was deleted", got)
	}
	// Re-linking the same ids later does not give the old accounts their links back.
	admin.query(link, map[string]any{"in": map[string]any{"profileId": "p1", "id": "u2",
		"crm": map[string]any{"id": "assoc-9"}, "mailbox": map[string]any{"email": "someone@example.com"}}}).must(t)
	if got := linksOf(t, bob); len(got) != 0 {
		t.Errorf("bob sees %v after u2 was re-linked to someone else", got)
	}

	// Expiry: 7 days (last: every session has expired by then too).
	tok := portalToken(t, admin, "p1", "u2")
	e.clock.Add(auth.PortalInvitationTTL + time.Second)
	_, r = redeem(t, e, nil, tok)
	wantCode(t, "an expired invitation", r, "NOT_FOUND", "token")
}
