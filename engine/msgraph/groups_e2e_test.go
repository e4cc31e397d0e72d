package msgraph_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

const (
	copyOfProp   = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name SynchronizerCopyOf"
	markerPropID = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name SynchronizerMarker"
)

// dropOnce is a transport that, once, lets a matching request reach the server and then loses its answer (a
// crash or a cut connection after Graph acted).
type dropOnce struct {
	mu    sync.Mutex
	match func(*http.Request) bool
	done  bool
	base  http.RoundTripper
}

func (d *dropOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil && !d.done && d.match != nil && d.match(r) {
		d.done = true
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return nil, errors.New("connection reset after the request was sent")
	}
	return resp, err
}

// groupRig is SuperOffice (fake) → engine → Graph (fake) with contacts and groups synced CRM → mailbox.
type groupRig struct {
	t       *testing.T
	ctx     context.Context
	so      *superofficetest.Server
	srv     *msgraphtest.Server
	e       *engine.Engine
	persons engine.Store
	drop    *dropOnce
}

func newGroupRig(t *testing.T, mod func(*msgraph.Settings)) *groupRig {
	t.Helper()
	ctx := context.Background()
	pemKey, pub := superofficetest.PartnerKeyPEM()
	so := superofficetest.New(superofficetest.Options{PartnerKey: pub})
	base := so.Start()
	t.Cleanup(so.Close)
	so.AddAssociate(101, "Alice", "alice@contoso.com")
	soSecrets := newSecrets()
	_ = soSecrets.Put(ctx, superoffice.SecretPartnerKey, []byte(pemKey))
	_ = soSecrets.Put(ctx, superoffice.SecretClientSecret, []byte(superofficetest.ClientSecret))
	_ = soSecrets.Put(ctx, superoffice.SecretSystemToken, []byte(superofficetest.SystemToken))
	soSettings, _ := json.Marshal(map[string]any{"mode": "online", "baseUrl": base + "/api/", "loginUrl": base + "/login",
		"contextIdentifier": superofficetest.ContextIdentifier, "clientId": superofficetest.ClientID})
	srv := newFake(t, msgraphtest.Options{PageSize: 5})
	drop := &dropOnce{base: http.DefaultTransport}
	e, err := engine.New(engine.Config{KV: engine.NewMemKV(), HTTP: &http.Client{Transport: drop},
		Secrets: func(instance string) engine.Secrets {
			if instance == "so" {
				return soSecrets
			}
			return newSecrets()
		},
		Connectors: map[string]engine.Factory{"superoffice": superoffice.New, msgraph.Type: msgraph.New}})
	if err != nil {
		t.Fatal(err)
	}
	big := engine.Threshold{Count: 1000, Percent: 100}
	if _, err := e.PutProfile(engine.Profile{ID: "p1", Name: "selections",
		CRM:        engine.SystemRef{Type: "superoffice", Instance: "so", Settings: soSettings},
		Mailbox:    engine.SystemRef{Type: msgraph.Type, Instance: "m365", Settings: rawSettings(settings(srv, mod))},
		Directions: map[engine.Kind]engine.Direction{engine.KindContact: engine.DirCRMToMailbox, engine.KindGroup: engine.DirCRMToMailbox},
		OnDelete:   engine.DeleteWins,
		Guard:      engine.Guard{Deletes: big, Creates: big, ProfileDeletes: 1000, ProfileCreates: 1000, ProfileWindow: 3600}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.LinkUser("p1", engine.LinkedUser{ID: "u1", CRM: engine.Account{ID: "101", Email: "alice@contoso.com"},
		Mailbox: engine.Account{ID: alice, Email: "alice@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	soConn, err := superoffice.New(ctx, soSettings, engine.Env{Secrets: soSecrets})
	if err != nil {
		t.Fatal(err)
	}
	persons, err := soConn.Open(ctx, engine.Scope{Account: engine.Account{ID: "101"}, Kind: engine.KindContact})
	if err != nil {
		t.Fatal(err)
	}
	return &groupRig{t: t, ctx: ctx, so: so, srv: srv, e: e, persons: persons, drop: drop}
}

// person creates a CRM person owned by Alice and returns its id.
func (g *groupRig) person(given, family string) int32 {
	g.t.Helper()
	r, err := g.persons.Create(g.ctx, &engine.Contact{GivenName: given, FamilyName: family,
		Emails: []engine.Labeled{{Value: strings.ToLower(given) + "@example.com"}}}, "")
	if err != nil {
		g.t.Fatal(err)
	}
	n, err := strconv.Atoi(r.ID)
	if err != nil {
		g.t.Fatal(err)
	}
	return int32(n)
}

// run syncs one kind and returns the run's applied operations; wantErr allows a partial run.
func (g *groupRig) run(kind engine.Kind, wantErr bool) []engine.AppliedOp {
	g.t.Helper()
	g.so.Flush()
	id, err := g.e.RunSync(g.ctx, "p1", "u1", kind, "test")
	if err != nil && !wantErr {
		r, ops, _ := g.e.Run(id)
		g.t.Fatalf("sync %s: %v (run %+v ops %+v)", kind, err, r, ops)
	}
	_, ops, rerr := g.e.Run(id)
	if rerr != nil {
		g.t.Fatal(rerr)
	}
	return ops
}

// syncFolder is the id of the contacts folder ("Synchronizer").
func (g *groupRig) syncFolder() string {
	for id, n := range g.srv.Folders(alice) {
		if n == "Synchronizer" {
			return id
		}
	}
	g.t.Fatal("no Synchronizer contact folder")
	return ""
}

// contacts returns the synced contacts by id → given name.
func (g *groupRig) contacts() map[string]string {
	out := map[string]string{}
	for _, o := range g.srv.Objects(alice, "contactFolders/"+g.syncFolder()+"/contacts") {
		out[o["id"].(string)] = o["givenName"].(string)
	}
	return out
}

func prop(o map[string]any, id string) string {
	props, _ := o["singleValueExtendedProperties"].([]any)
	for _, p := range props {
		if pm, _ := p.(map[string]any); strings.EqualFold(pm["id"].(string), id) {
			s, _ := pm["value"].(string)
			return s
		}
	}
	return ""
}

// groupFolders returns the group folders (those carrying our marker) by name → sorted given names of the
// copies; every copy must point at a synced contact of the same name.
func (g *groupRig) groupFolders() map[string][]string {
	g.t.Helper()
	main := g.contacts()
	out := map[string][]string{}
	for _, f := range g.srv.Objects(alice, "contactFolders") {
		if prop(f, markerPropID) == "" {
			continue
		}
		names := []string{}
		for _, c := range g.srv.Objects(alice, "contactFolders/"+f["id"].(string)+"/contacts") {
			of := prop(c, copyOfProp)
			if of == "" {
				continue // added by hand
			}
			if main[of] != c["givenName"] {
				g.t.Fatalf("copy %v in %q points at %q (%q)", c["givenName"], f["displayName"], of, main[of])
			}
			names = append(names, c["givenName"].(string))
		}
		slices.Sort(names)
		out[f["displayName"].(string)] = names
	}
	return out
}

// groupCategories returns the group categories by name (without the prefix) → sorted given names of the
// synced contacts carrying them.
func (g *groupRig) groupCategories() map[string][]string {
	out := map[string][]string{}
	for _, c := range g.srv.Categories(alice) {
		if name, ok := strings.CutPrefix(c.DisplayName, "CRM: "); ok {
			out[name] = []string{}
		}
	}
	for _, o := range g.srv.Objects(alice, "contactFolders/"+g.syncFolder()+"/contacts") {
		cats, _ := o["categories"].([]any)
		for _, c := range cats {
			if name, ok := strings.CutPrefix(c.(string), "CRM: "); ok {
				out[name] = append(out[name], o["givenName"].(string))
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

func sameGroups(got map[string][]string, want map[string][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			return false
		}
	}
	return true
}

// TestSelectionsAsContactFolders syncs SuperOffice selections to Graph contact folders: create, a person in two
// selections, rename, members added and removed, a quiet run, a changed member contact refreshed in its copies,
// and a deleted selection whose folder holds a contact added by hand (moved to the default folder).
func TestSelectionsAsContactFolders(t *testing.T) {
	g := newGroupRig(t, nil)
	ada, bob, cy := g.person("Ada", "Lovelace"), g.person("Bob", "Hope"), g.person("Cy", "Young")
	g.run(engine.KindContact, false)
	if n := len(g.contacts()); n != 3 {
		t.Fatalf("synced contacts: %d", n)
	}
	key := g.so.AddSelection("Key accounts", false, ada, bob)
	news := g.so.AddSelection("Newsletter", true, bob, cy)
	g.run(engine.KindGroup, false)
	if got := g.groupFolders(); !sameGroups(got, map[string][]string{"Key accounts": {"Ada", "Bob"}, "Newsletter": {"Bob", "Cy"}}) {
		t.Fatalf("group folders after the first sync: %v", got)
	}
	// The copies are not synced contacts: the contacts job sees nothing new and writes nothing.
	if ops := g.run(engine.KindContact, false); len(ops) != 0 {
		t.Fatalf("the contacts job after the groups wrote %+v", ops)
	}
	// Rename, add Cy, remove Bob.
	folderID := ""
	for id, n := range g.srv.Folders(alice) {
		if n == "Key accounts" {
			folderID = id
		}
	}
	g.so.RenameSelection(key, "Top accounts")
	g.so.SetSelectionMembers(key, ada, cy)
	g.run(engine.KindGroup, false)
	if got := g.groupFolders(); !sameGroups(got, map[string][]string{"Top accounts": {"Ada", "Cy"}, "Newsletter": {"Bob", "Cy"}}) {
		t.Fatalf("group folders after rename and membership change: %v", got)
	}
	if g.srv.Folders(alice)[folderID] != "Top accounts" {
		t.Fatalf("the folder was not renamed in place: %v", g.srv.Folders(alice))
	}
	before := g.srv.Requests()
	if ops := g.run(engine.KindGroup, false); len(ops) != 0 {
		t.Fatalf("a quiet run wrote %+v", ops)
	}
	// A quiet run reads the folder list, each group folder and the synced contacts (for stale copies): 4 here.
	if n := g.srv.Requests() - before; n != 4 {
		t.Fatalf("a quiet run of 2 groups made %d Graph requests, want 4", n)
	}
	// Bob's phone changes in the CRM: the contact and his copy in Newsletter follow.
	r, err := g.persons.Get(g.ctx, strconv.Itoa(int(bob)))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Item.(*engine.Contact)
	c.JobTitle = "Comedian"
	if _, err := g.persons.Update(g.ctx, r.ID, r.Version, c); err != nil {
		t.Fatal(err)
	}
	g.run(engine.KindContact, false)
	g.run(engine.KindGroup, false)
	for id, n := range g.srv.Folders(alice) {
		if n != "Newsletter" {
			continue
		}
		for _, o := range g.srv.Objects(alice, "contactFolders/"+id+"/contacts") {
			if o["givenName"] == "Bob" && o["jobTitle"] != "Comedian" {
				t.Fatalf("Bob's copy was not refreshed: %v", o)
			}
		}
		// A user adds a contact of their own to the Newsletter folder.
		g.srv.Insert(alice, "contactFolders/"+id+"/contacts", map[string]any{"givenName": "Dora", "surname": "Private"})
	}
	if got := g.groupFolders(); !sameGroups(got, map[string][]string{"Top accounts": {"Ada", "Cy"}, "Newsletter": {"Bob", "Cy"}}) {
		t.Fatalf("a hand-added contact must not count as a member: %v", got)
	}
	// The selection is deleted: the folder goes, Dora is moved to the default contact folder, the synced
	// contacts stay.
	g.so.RemoveSelection(news)
	g.run(engine.KindGroup, false)
	if got := g.groupFolders(); !sameGroups(got, map[string][]string{"Top accounts": {"Ada", "Cy"}}) {
		t.Fatalf("group folders after the selection was deleted: %v", got)
	}
	moved := g.srv.Objects(alice, "contacts")
	if len(moved) != 1 || moved[0]["givenName"] != "Dora" {
		t.Fatalf("default contact folder after the delete: %v", moved)
	}
	if n := len(g.contacts()); n != 3 {
		t.Fatalf("synced contacts after the delete: %d", n)
	}
	// Settled.
	if ops := g.run(engine.KindGroup, false); len(ops) != 0 {
		t.Fatalf("a quiet run wrote %+v", ops)
	}
}

// TestSelectionFolderDeleteRefused checks handAddedContacts "refuse": a folder holding a hand-added contact is
// kept and the delete is quarantined with a reason naming the contact.
func TestSelectionFolderDeleteRefused(t *testing.T) {
	g := newGroupRig(t, func(s *msgraph.Settings) { s.HandAddedContacts = msgraph.HandAddedRefuse })
	ada := g.person("Ada", "Lovelace")
	g.run(engine.KindContact, false)
	sel := g.so.AddSelection("Partners", false, ada)
	g.run(engine.KindGroup, false)
	for id, n := range g.srv.Folders(alice) {
		if n == "Partners" {
			g.srv.Insert(alice, "contactFolders/"+id+"/contacts", map[string]any{"givenName": "Dora"})
		}
	}
	g.so.RemoveSelection(sel)
	g.run(engine.KindGroup, true)
	if got := g.groupFolders(); !sameGroups(got, map[string][]string{"Partners": {"Ada"}}) {
		t.Fatalf("the folder must stay: %v", got)
	}
	q, err := g.e.Quarantine("p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].Field != "members" || !strings.Contains(q[0].Reason, `"Dora"`) {
		t.Fatalf("quarantine %+v", q)
	}
}

// TestSelectionFolderCreateCrash loses Graph's answers during a folder's creation: when the folder was made but
// its answer lost (the members not copied yet), and when everything was written but the final answer lost. Each
// time the next run finds the folder by its marker: one folder, all members, no duplicate copies.
func TestSelectionFolderCreateCrash(t *testing.T) {
	for _, tc := range []struct {
		name  string
		match func(*http.Request) bool
	}{
		{"folder POST answer lost", func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/contactFolders")
		}},
		{"final read lost", func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/contactFolders/") && !strings.Contains(r.URL.Path, "/contacts") &&
				strings.Contains(r.URL.RawQuery, "expand")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGroupRig(t, nil)
			ada, bob := g.person("Ada", "Lovelace"), g.person("Bob", "Hope")
			g.run(engine.KindContact, false)
			g.so.AddSelection("Key accounts", false, ada, bob)
			g.drop.mu.Lock()
			g.drop.match = tc.match
			g.drop.mu.Unlock()
			g.run(engine.KindGroup, true)
			if !g.drop.done {
				t.Fatal("no answer was lost")
			}
			g.run(engine.KindGroup, false)
			g.run(engine.KindGroup, false)
			n := 0
			for _, name := range g.srv.Folders(alice) {
				if name == "Key accounts" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d folders named Key accounts: %v", n, g.srv.Folders(alice))
			}
			if got := g.groupFolders(); !sameGroups(got, map[string][]string{"Key accounts": {"Ada", "Bob"}}) {
				t.Fatalf("group folders: %v", got)
			}
			if ops := g.run(engine.KindGroup, false); len(ops) != 0 {
				t.Fatalf("a quiet run wrote %+v", ops)
			}
		})
	}
}

// TestSelectionsAsCategories syncs SuperOffice selections to Outlook categories on the synced contacts: create
// (master categories with stable colours), a person in two selections, rename (a new category, same colour),
// members added and removed, contacts edited in the CRM keep their group categories, and a deleted selection.
func TestSelectionsAsCategories(t *testing.T) {
	g := newGroupRig(t, func(s *msgraph.Settings) { s.Groups = msgraph.GroupsCategories })
	ada, bob, cy := g.person("Ada", "Lovelace"), g.person("Bob", "Hope"), g.person("Cy", "Young")
	g.run(engine.KindContact, false)
	key := g.so.AddSelection("Key accounts", false, ada, bob)
	news := g.so.AddSelection("Newsletter", true, bob, cy)
	g.srv.AddCategory(alice, "Holiday cards", "preset3") // a user's own category is left alone
	g.run(engine.KindGroup, false)
	if got := g.groupCategories(); !sameGroups(got, map[string][]string{"Key accounts": {"Ada", "Bob"}, "Newsletter": {"Bob", "Cy"}}) {
		t.Fatalf("group categories after the first sync: %v", got)
	}
	color := ""
	for _, c := range g.srv.Categories(alice) {
		if c.DisplayName == "CRM: Key accounts" {
			color = c.Color
		}
	}
	if !strings.HasPrefix(color, "preset") {
		t.Fatalf("category colour %q", color)
	}
	// The contacts job does not see the group categories as contact changes.
	if ops := g.run(engine.KindContact, false); len(ops) != 0 {
		t.Fatalf("the contacts job after the groups wrote %+v", ops)
	}
	// A CRM edit of Bob is written to his contact without taking him out of his groups.
	r, err := g.persons.Get(g.ctx, strconv.Itoa(int(bob)))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Item.(*engine.Contact)
	c.JobTitle = "Comedian"
	if _, err := g.persons.Update(g.ctx, r.ID, r.Version, c); err != nil {
		t.Fatal(err)
	}
	if ops := g.run(engine.KindContact, false); len(ops) != 1 {
		t.Fatalf("the contacts job wrote %+v, want Bob's update", ops)
	}
	if got := g.groupCategories(); !sameGroups(got, map[string][]string{"Key accounts": {"Ada", "Bob"}, "Newsletter": {"Bob", "Cy"}}) {
		t.Fatalf("group categories after Bob's update: %v", got)
	}
	// Rename, add Cy, remove Bob.
	g.so.RenameSelection(key, "Top accounts")
	g.so.SetSelectionMembers(key, ada, cy)
	g.run(engine.KindGroup, false)
	if got := g.groupCategories(); !sameGroups(got, map[string][]string{"Top accounts": {"Ada", "Cy"}, "Newsletter": {"Bob", "Cy"}}) {
		t.Fatalf("group categories after rename and membership change: %v", got)
	}
	for _, c := range g.srv.Categories(alice) {
		if c.DisplayName == "CRM: Top accounts" && c.Color != color {
			t.Fatalf("the renamed category's colour %q, want %q", c.Color, color)
		}
	}
	before := g.srv.Requests()
	if ops := g.run(engine.KindGroup, false); len(ops) != 0 {
		t.Fatalf("a quiet run wrote %+v", ops)
	}
	// A quiet run reads the master categories and the synced contacts: 2 requests here.
	if n := g.srv.Requests() - before; n != 2 {
		t.Fatalf("a quiet run of 2 groups made %d Graph requests, want 2", n)
	}
	// The selection is deleted: the category goes from the contacts and the master list; the contacts stay.
	g.so.RemoveSelection(news)
	g.run(engine.KindGroup, false)
	if got := g.groupCategories(); !sameGroups(got, map[string][]string{"Top accounts": {"Ada", "Cy"}}) {
		t.Fatalf("group categories after the delete: %v", got)
	}
	if n := len(g.contacts()); n != 3 {
		t.Fatalf("synced contacts after the delete: %d", n)
	}
	names := []string{}
	for _, c := range g.srv.Categories(alice) {
		names = append(names, c.DisplayName)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"CRM: Top accounts", "Holiday cards"}) {
		t.Fatalf("master categories %v", names)
	}
	if ops := g.run(engine.KindGroup, false); len(ops) != 0 {
		t.Fatalf("a quiet run wrote %+v", ops)
	}
}
