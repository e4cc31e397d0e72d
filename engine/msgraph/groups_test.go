package msgraph_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

// TestGroupSettings checks that bad group settings are refused naming the field.
func TestGroupSettings(t *testing.T) {
	for _, tc := range []struct {
		raw, field string
	}{
		{`{"tenantId":"t","clientId":"c","groups":"lists"}`, "field groups"},
		{`{"tenantId":"t","clientId":"c","handAddedContacts":"keep"}`, "field handAddedContacts"},
		{`{"tenantId":"t","clientId":"c","groupCategoryPrefix":"   "}`, "field groupCategoryPrefix"},
		{`{"tenantId":"t","clientId":"c","groups":"categories","contacts":"category","contactCategory":"CRM: all","groupCategoryPrefix":"CRM: "}`, "field groupCategoryPrefix"},
	} {
		_, err := msgraph.New(context.Background(), []byte(tc.raw), engine.Env{})
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want an error naming %q", tc.raw, err, tc.field)
		}
	}
	for _, raw := range []string{`{"tenantId":"t","clientId":"c","groups":"folders","handAddedContacts":"refuse"}`,
		`{"tenantId":"t","clientId":"c","groups":"categories","groupCategoryPrefix":"Sel/"}`} {
		if _, err := msgraph.New(context.Background(), []byte(raw), engine.Env{}); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

// TestCategoryGroupStore drives the category store directly: a create whose category exists (a create repeated
// after a lost answer) adopts it, members that are not synced contacts are refused naming the member, an update
// with a stale version is refused, and bad items are refused naming the field.
func TestCategoryGroupStore(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, engine.Env{}, func(s *msgraph.Settings) { s.Groups = msgraph.GroupsCategories })
	contacts := openStore(t, c, engine.KindContact, alice)
	ada, err := contacts.Create(ctx, &engine.Contact{GivenName: "Ada"}, "m1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Open(ctx, engine.Scope{Account: engine.Account{ID: alice}, Kind: engine.KindGroup})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddCategory(alice, "CRM: VIP", "preset4")
	r, err := st.Create(ctx, &engine.Group{Name: "VIP", Members: []string{ada.ID}}, "syn1.L.mailbox.0")
	if err != nil {
		t.Fatal(err)
	}
	if cats := srv.Categories(alice); len(cats) != 1 || cats[0].ID != r.ID {
		t.Fatalf("categories %+v, want the existing one adopted (%s)", cats, r.ID)
	}
	if g := r.Item.(*engine.Group); g.Name != "VIP" || len(g.Members) != 1 || g.Members[0] != ada.ID {
		t.Fatalf("created %+v", g)
	}
	// The contact store does not show the group category, and keeps it when it writes the contact.
	got, err := contacts.Get(ctx, ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cs := got.Item.(*engine.Contact).Categories; len(cs) != 0 {
		t.Fatalf("contact categories %v", cs)
	}
	in := got.Item.(*engine.Contact)
	in.JobTitle = "Countess"
	if _, err := contacts.Update(ctx, got.ID, got.Version, in); err != nil {
		t.Fatal(err)
	}
	if again, err := st.Get(ctx, r.ID); err != nil || len(again.Item.(*engine.Group).Members) != 1 {
		t.Fatalf("after the contact update: %+v %v", again, err)
	}
	var ie *engine.ItemError
	if _, err := st.Update(ctx, r.ID, r.Version, &engine.Group{Name: "VIP", Members: []string{ada.ID, "AAMk-nobody"}}); !errors.As(err, &ie) || ie.Field != "members[1]" {
		t.Fatalf("unknown member: %v", err)
	}
	if _, err := st.Update(ctx, r.ID, "stale", &engine.Group{Name: "VIP"}); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := st.Create(ctx, &engine.Group{Name: " "}, "m"); !errors.As(err, &ie) || ie.Field != "name" {
		t.Fatalf("empty name: %v", err)
	}
	if _, err := st.Create(ctx, &engine.Contact{}, "m"); !errors.As(err, &ie) {
		t.Fatalf("a contact as a group: %v", err)
	}
}

// TestFolderGroupNameTaken checks that a group whose name is taken by a user's own contact folder is refused
// naming the field, and that the user's folder is not listed as a group.
func TestFolderGroupNameTaken(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, engine.Env{}, nil)
	srv.Insert(alice, "contactFolders", map[string]any{"displayName": "Family"})
	st, err := c.Open(ctx, engine.Scope{Account: engine.Account{ID: alice}, Kind: engine.KindGroup})
	if err != nil {
		t.Fatal(err)
	}
	var ie *engine.ItemError
	if _, err := st.Create(ctx, &engine.Group{Name: "Family"}, "syn1.L.mailbox.0"); !errors.As(err, &ie) || ie.Field != "name" {
		t.Fatalf("taken name: %v", err)
	}
	p, err := st.Changes(ctx, "")
	if err != nil || len(p.Changes) != 0 || !p.Complete {
		t.Fatalf("listing %+v %v: the user's folder is not a group", p, err)
	}
}

// TestCategoryGroupsPermissionCheck checks that groups as categories add a preflight check of the master category
// list (MailboxSettings.ReadWrite), failed with a fix when Graph refuses it, and that folders mode does not.
func TestCategoryGroupsPermissionCheck(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	sec := newSecrets()
	_ = sec.Put(ctx, msgraph.SecretClientSecret, []byte(secret))
	acct := []engine.Account{{ID: alice, Email: "alice@contoso.com"}}
	name := "permission MailboxSettings.ReadWrite on alice@contoso.com"
	folders := newConn(t, srv, engine.Env{Secrets: sec}, nil)
	for _, r := range folders.Check(ctx, acct) {
		if r.Name == name {
			t.Fatalf("folders mode checks the categories: %+v", r)
		}
	}
	cats := newConn(t, srv, engine.Env{Secrets: sec}, func(s *msgraph.Settings) { s.Groups = msgraph.GroupsCategories })
	if res := cats.Check(ctx, acct); !hasCheck(res, name, engine.CheckOK, "") {
		t.Fatalf("categories mode: %+v", res)
	}
	srv.Deny("outlook/masterCategories")
	if res := cats.Check(ctx, acct); !hasCheck(res, name, engine.CheckFailed, "MailboxSettings.ReadWrite") {
		t.Fatalf("categories mode without the permission: %+v", res)
	}
}

// TestFolderGroupStoreUnknownMember checks that a member that is not a synced contact refuses the write naming
// the member, before the folder is changed.
func TestFolderGroupStoreUnknownMember(t *testing.T) {
	ctx := context.Background()
	srv := newFake(t, msgraphtest.Options{})
	c := newConn(t, srv, engine.Env{}, nil)
	contacts := openStore(t, c, engine.KindContact, alice)
	ada, err := contacts.Create(ctx, &engine.Contact{GivenName: "Ada"}, "m1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Open(ctx, engine.Scope{Account: engine.Account{ID: alice}, Kind: engine.KindGroup})
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Create(ctx, &engine.Group{Name: "VIP", Members: []string{ada.ID}}, "syn1.L.mailbox.0")
	if err != nil {
		t.Fatal(err)
	}
	var ie *engine.ItemError
	if _, err := st.Update(ctx, r.ID, r.Version, &engine.Group{Name: "VIP", Members: []string{"AAMk-nobody"}}); !errors.As(err, &ie) || ie.Field != "members[0]" {
		t.Fatalf("unknown member: %v", err)
	}
	if after, err := st.Get(ctx, r.ID); err != nil || after.Version != r.Version {
		t.Fatalf("the folder changed although the write was refused: %+v %v", after, err)
	}
	if _, err := st.Update(ctx, r.ID, "stale", &engine.Group{Name: "VIP"}); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale version: %v", err)
	}
	if err := st.Delete(ctx, r.ID, "stale"); !errors.Is(err, engine.ErrPrecondition) {
		t.Fatalf("stale delete: %v", err)
	}
	if _, err := st.Get(ctx, "AAMk-nofolder"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("unknown folder: %v", err)
	}
}
