package msgraph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strings"

	"github.com/synchronizer/synchronizer/engine"
)

// Contact groups (engine.KindGroup): a SuperOffice selection and its member persons, on the mailbox side either
//
//   - "folders": one contact folder per group, named after it, carrying our idempotency marker as an extended
//     property. Members are copies of the member contacts (the contacts of the contacts store) in that folder,
//     each marked with copyProp (the id of the contact it copies) and copyVerProp (the version it was copied
//     from), so they are never taken for duplicates a user made. A person in two groups has a copy in both
//     folders. Contacts a user adds to a group folder by hand carry no copyProp: they are not members, and when
//     the group is deleted they are moved to the default contact folder (or the delete is refused, setting
//     handAddedContacts); or
//   - "categories": one Outlook master category per group, named GroupCategoryPrefix + the group's name, with a
//     colour derived from the name (kept across renames). Members are the contacts of the contacts store that
//     carry the category. A category's name cannot change in Exchange, so a rename creates the new category,
//     moves the members to it and deletes the old one (the group's id changes with it).
//
// Member ids are the ids of the contacts in the contacts store; the engine translates them through its contact
// links (engine/members.go). Both stores list every group completely on each Changes call (Page.Complete, never
// a delta cursor): Graph's contactFolders delta omits the extended properties that mark our folders, a folder's
// membership would need one contacts delta per folder anyway (as many requests as listing it), and master
// categories have no delta at all.

// Group extended properties on contacts copied into group folders.
const (
	copyProp    = "String " + propSet + " Name SynchronizerCopyOf"
	copyVerProp = "String " + propSet + " Name SynchronizerCopyVersion"
	movedProp   = "String " + propSet + " Name SynchronizerMovedFrom"
	// incompleteProp is "1" on a group folder whose members are still being copied by Create. Such a folder is
	// neither listed nor found by marker: the engine creates again (with the next attempt's marker) and Create
	// resumes the folder of the same link instead of making a second one.
	incompleteProp = "String " + propSet + " Name SynchronizerIncomplete"
)

// Group modes (Settings.Groups).
const (
	GroupsFolders    = "folders"
	GroupsCategories = "categories"
)

// Hand-added contact policies (Settings.HandAddedContacts).
const (
	HandAddedMove   = "move"
	HandAddedRefuse = "refuse"
)

// groupBase is what both group stores share: the mailbox and its contacts store.
type groupBase struct {
	c        *Connector
	user     string
	base     string // /users/{id}
	contacts *Store // the contacts store the members live in
}

func (g *groupBase) header() map[string]string { return g.contacts.header() }

// listAll reads every page of a collection.
func (g *groupBase) listAll(ctx context.Context, path string, each func(json.RawMessage) error) error {
	for next := path; next != ""; {
		var page odataPage
		if err := g.c.call(ctx, request{method: "GET", path: next, header: g.header(), user: g.user}, &page); err != nil {
			return err
		}
		for _, raw := range page.Value {
			if err := each(raw); err != nil {
				return err
			}
		}
		next = page.NextLink
	}
	return nil
}

// propsQuery is the $expand of the given extended properties.
func propsQuery(ids ...string) string {
	var f []string
	for _, id := range ids {
		f = append(f, "id eq '"+id+"'")
	}
	return "$expand=" + url.QueryEscape("singleValueExtendedProperties($filter="+strings.Join(f, " or ")+")")
}

// groupVersion digests what a group's version depends on.
func groupVersion(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:12])
}

// checkGroup validates a group to be written.
func checkGroup(it engine.Item) (*engine.Group, error) {
	g, ok := it.(*engine.Group)
	if !ok || g == nil {
		return nil, &engine.ItemError{Err: fmt.Errorf("want a group, got %T", it)}
	}
	if strings.TrimSpace(g.Name) == "" {
		return nil, &engine.ItemError{Field: "name", Err: errors.New("a contact group needs a name")}
	}
	for i, m := range g.Members {
		if m == "" || strings.ContainsAny(m, "/?#'") {
			return nil, &engine.ItemError{Field: fmt.Sprintf("members[%d]", i), Err: fmt.Errorf("bad contact id %q", m)}
		}
	}
	return g, nil
}

// contactBody reads a contact of the contacts store as the JSON body of a copy: its synced content, without
// the marker and the sync category.
func (g *groupBase) contactBody(ctx context.Context, id string) (map[string]any, string, error) {
	r, err := g.contacts.Get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	body, err := contactAdapter{prefix: g.c.groupPrefix()}.encode(g.contacts, r.Item, "")
	if err != nil {
		return nil, "", err
	}
	return body, r.Version, nil
}

// ---- folders ----

// FolderGroupStore keeps groups as contact folders. It implements engine.Store and engine.MarkerFinder.
type FolderGroupStore struct{ groupBase }

var (
	_ engine.Store        = (*FolderGroupStore)(nil)
	_ engine.MarkerFinder = (*FolderGroupStore)(nil)
)

type graphFolder struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	Props       []extProp `json:"singleValueExtendedProperties"`
}

// folderCopy is one contact in a group folder.
type folderCopy struct {
	id, etag, copyOf, copyVer, name string
}

// folderState is a group folder as read.
type folderState struct {
	f      graphFolder
	copies []folderCopy // contacts carrying copyProp
	hand   []folderCopy // contacts added by hand
}

func (st *folderState) remote() engine.Remote {
	var members, parts []string
	for _, c := range st.copies {
		members = append(members, c.copyOf)
		parts = append(parts, c.id+"="+c.copyOf)
	}
	slices.Sort(members)
	members = slices.Compact(members)
	slices.Sort(parts)
	return engine.Remote{ID: st.f.ID, Version: groupVersion(append([]string{st.f.DisplayName}, parts...)...),
		Item: &engine.Group{Name: st.f.DisplayName, Members: members}, Marker: propValue(st.f.Props, markerProp)}
}

// folders lists the mailbox's contact folders that are groups (they carry our marker); incomplete ones (see
// incompleteProp) only when withIncomplete is set.
func (s *FolderGroupStore) folders(ctx context.Context, withIncomplete bool) ([]graphFolder, error) {
	var out []graphFolder
	err := s.listAll(ctx, s.base+"/contactFolders?"+propsQuery(markerProp, incompleteProp), func(raw json.RawMessage) error {
		var f graphFolder
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("msgraph: a contact folder: %w", err)
		}
		if propValue(f.Props, markerProp) != "" && (withIncomplete || propValue(f.Props, incompleteProp) != "1") {
			out = append(out, f)
		}
		return nil
	})
	return out, err
}

// markerLink is a marker without its attempt number (engine.Marker: syn1.<link>.<side>.<attempt>): the markers
// of every attempt to create one link's copy share it.
func markerLink(marker string) string {
	if i := strings.LastIndexByte(marker, '.'); i > 0 {
		return marker[:i+1]
	}
	return marker
}

// read reads a group folder's contacts.
func (s *FolderGroupStore) read(ctx context.Context, f graphFolder) (*folderState, error) {
	st := &folderState{f: f}
	path := s.base + "/contactFolders/" + url.PathEscape(f.ID) + "/contacts?$select=id,displayName,givenName,surname&" + propsQuery(copyProp, copyVerProp)
	err := s.listAll(ctx, path, func(raw json.RawMessage) error {
		var gc graphContact
		if err := json.Unmarshal(raw, &gc); err != nil {
			return fmt.Errorf("msgraph: a contact of folder %s: %w", f.ID, err)
		}
		name := gc.DisplayName
		if name == "" {
			name = strings.TrimSpace(gc.GivenName + " " + gc.Surname)
		}
		c := folderCopy{id: gc.ID, etag: gc.ETag, copyOf: propValue(gc.Props, copyProp), copyVer: propValue(gc.Props, copyVerProp), name: name}
		if c.copyOf != "" {
			st.copies = append(st.copies, c)
		} else {
			st.hand = append(st.hand, c)
		}
		return nil
	})
	return st, err
}

// folder reads one group folder by id.
func (s *FolderGroupStore) folder(ctx context.Context, id string) (*folderState, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return nil, fmt.Errorf("msgraph: bad folder id %q: %w", id, engine.ErrNotFound)
	}
	var f graphFolder
	if err := s.c.call(ctx, request{method: "GET", path: s.base + "/contactFolders/" + url.PathEscape(id) + "?" + propsQuery(markerProp, incompleteProp),
		header: s.header(), user: s.user}, &f); err != nil {
		return nil, err
	}
	if propValue(f.Props, markerProp) == "" || propValue(f.Props, incompleteProp) == "1" {
		return nil, fmt.Errorf("msgraph: contact folder %s is not a synced group: %w", id, engine.ErrNotFound)
	}
	return s.read(ctx, f)
}

// Changes lists every group folder with its members; copies whose contact changed since they were made are
// refreshed on the way (they are ours alone).
func (s *FolderGroupStore) Changes(ctx context.Context, _ string) (engine.Page, error) {
	fs, err := s.folders(ctx, false)
	if err != nil {
		return engine.Page{}, err
	}
	page := engine.Page{Complete: true} // no cursor: every listing is a full one, so deletions are found
	var states []*folderState
	for _, f := range fs {
		st, err := s.read(ctx, f)
		if err != nil {
			return engine.Page{}, err
		}
		states = append(states, st)
		r := st.remote()
		page.Changes = append(page.Changes, engine.Change{ID: r.ID, Version: r.Version, Item: r.Item, Marker: r.Marker})
	}
	if err := s.refresh(ctx, states); err != nil {
		return engine.Page{}, err
	}
	return page, nil
}

// refresh rewrites the copies whose contact has a newer version than the one they were copied from.
func (s *FolderGroupStore) refresh(ctx context.Context, states []*folderState) error {
	n := 0
	for _, st := range states {
		n += len(st.copies)
	}
	if n == 0 {
		return nil
	}
	vers := map[string]string{}
	err := s.listAll(ctx, s.contacts.coll+"?$select=id", func(raw json.RawMessage) error {
		var p struct {
			ID   string `json:"id"`
			ETag string `json:"@odata.etag"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		vers[p.ID] = p.ETag
		return nil
	})
	if err != nil {
		return fmt.Errorf("msgraph: listing the contacts for group copies: %w", err)
	}
	bodies := map[string]map[string]any{}
	for _, st := range states {
		for _, c := range st.copies {
			v, ok := vers[c.copyOf]
			if !ok || v == c.copyVer {
				continue // a copy of a contact no longer synced goes when the group is next written
			}
			body, ok := bodies[c.copyOf]
			if !ok {
				var err error
				if body, v, err = s.contactBody(ctx, c.copyOf); err != nil {
					var ie *engine.ItemError
					if errors.Is(err, engine.ErrNotFound) || errors.As(err, &ie) {
						continue
					}
					return err
				}
				bodies[c.copyOf] = body
			}
			body = copyBody(body, c.copyOf, v)
			err := s.c.call(ctx, request{method: "PATCH", path: s.base + "/contactFolders/" + url.PathEscape(st.f.ID) + "/contacts/" + url.PathEscape(c.id),
				body: body, header: map[string]string{"If-Match": c.etag}, user: s.user}, nil)
			if err != nil && !errors.Is(err, engine.ErrPrecondition) && !errors.Is(err, engine.ErrNotFound) {
				return fmt.Errorf("msgraph: refreshing the copy of %s in group folder %q: %w", c.copyOf, st.f.DisplayName, err)
			}
		}
	}
	return nil
}

// copyBody is body marked as a copy of contact id at version.
func copyBody(body map[string]any, id, version string) map[string]any {
	out := make(map[string]any, len(body)+1)
	for k, v := range body {
		out[k] = v
	}
	out["singleValueExtendedProperties"] = []extProp{{ID: linksProp, Value: "[]"}, {ID: copyProp, Value: id}, {ID: copyVerProp, Value: version}}
	return out
}

// Get reads one group folder.
func (s *FolderGroupStore) Get(ctx context.Context, id string) (engine.Remote, error) {
	st, err := s.folder(ctx, id)
	if err != nil {
		return engine.Remote{}, err
	}
	return st.remote(), nil
}

// FindByMarker finds the group folder created with marker (not one whose Create was interrupted: see
// incompleteProp).
func (s *FolderGroupStore) FindByMarker(ctx context.Context, marker string) (engine.Remote, error) {
	fs, err := s.folders(ctx, false)
	if err != nil {
		return engine.Remote{}, err
	}
	for _, f := range fs {
		if propValue(f.Props, markerProp) == marker {
			st, err := s.read(ctx, f)
			if err != nil {
				return engine.Remote{}, err
			}
			return st.remote(), nil
		}
	}
	return engine.Remote{}, fmt.Errorf("msgraph: group folder with marker %s: %w", marker, engine.ErrNotFound)
}

// folderErr turns Exchange's answer to a folder name that is taken into an ItemError naming the field.
func folderErr(err error, id, name string) error {
	var ge *graphError
	if errors.As(err, &ge) && (ge.Status == 409 || ge.Code == "ErrorFolderExists") {
		return &engine.ItemError{ID: id, Field: "name", Err: fmt.Errorf("the mailbox already has a contact folder named %q that is not this group's", name)}
	}
	return writeErr(err, id)
}

// Create makes a group folder carrying marker and copies the members into it.
func (s *FolderGroupStore) Create(ctx context.Context, it engine.Item, marker string) (engine.Remote, error) {
	g, err := checkGroup(it)
	if err != nil {
		return engine.Remote{}, err
	}
	// An earlier attempt for the same link that stopped half-way is resumed, not duplicated.
	all, err := s.folders(ctx, true)
	if err != nil {
		return engine.Remote{}, err
	}
	var st *folderState
	for _, f := range all {
		if m := propValue(f.Props, markerProp); propValue(f.Props, incompleteProp) == "1" && markerLink(m) == markerLink(marker) {
			if st, err = s.read(ctx, f); err != nil {
				return engine.Remote{}, err
			}
			if err := s.patchFolder(ctx, f.ID, map[string]any{"displayName": g.Name,
				"singleValueExtendedProperties": []extProp{{ID: markerProp, Value: marker}}}, g.Name); err != nil {
				return engine.Remote{}, err
			}
			break
		}
	}
	if st == nil {
		var f graphFolder
		body := map[string]any{"displayName": g.Name, "singleValueExtendedProperties": []extProp{{ID: markerProp, Value: marker}, {ID: incompleteProp, Value: "1"}}}
		if err := s.c.call(ctx, request{method: "POST", path: s.base + "/contactFolders", body: body, header: s.header(), user: s.user}, &f); err != nil {
			return engine.Remote{}, folderErr(err, "", g.Name)
		}
		st = &folderState{f: f}
	}
	if err := s.members(ctx, st, g.Members); err != nil {
		return engine.Remote{}, withID(err, st.f.ID)
	}
	if err := s.patchFolder(ctx, st.f.ID, map[string]any{"singleValueExtendedProperties": []extProp{{ID: incompleteProp, Value: "0"}}}, g.Name); err != nil {
		return engine.Remote{}, err
	}
	return s.Get(ctx, st.f.ID)
}

// patchFolder writes body over group folder id.
func (s *FolderGroupStore) patchFolder(ctx context.Context, id string, body map[string]any, name string) error {
	err := s.c.call(ctx, request{method: "PATCH", path: s.base + "/contactFolders/" + url.PathEscape(id), body: body, user: s.user}, nil)
	if err != nil {
		return folderErr(err, id, name)
	}
	return nil
}

// members makes the copies in the folder match want: copies of new members are made, copies of members that
// left are deleted. Contacts added by hand are left alone.
func (s *FolderGroupStore) members(ctx context.Context, st *folderState, want []string) error {
	have := map[string]bool{}
	coll := s.base + "/contactFolders/" + url.PathEscape(st.f.ID) + "/contacts"
	present := map[string]bool{}
	for _, c := range st.copies {
		present[c.copyOf] = true
	}
	// Read every new member first: a member that is not a synced contact refuses the write before anything
	// changed.
	type newCopy struct {
		id, version string
		body        map[string]any
	}
	var adds []newCopy
	for i, m := range want {
		if present[m] {
			continue
		}
		present[m] = true
		body, v, err := s.contactBody(ctx, m)
		switch {
		case errors.Is(err, engine.ErrNotFound):
			return &engine.ItemError{Field: fmt.Sprintf("members[%d]", i), Err: fmt.Errorf("contact %s is not in the synced contacts", m)}
		case err != nil:
			return err
		}
		adds = append(adds, newCopy{m, v, body})
	}
	for _, c := range st.copies {
		if slices.Contains(want, c.copyOf) && !have[c.copyOf] {
			have[c.copyOf] = true
			continue
		}
		// A member that left, or a second copy of one contact (an interrupted write): delete it.
		if err := s.c.call(ctx, request{method: "DELETE", path: coll + "/" + url.PathEscape(c.id), user: s.user}, nil); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return err
		}
	}
	for _, a := range adds {
		if err := s.c.call(ctx, request{method: "POST", path: coll, body: copyBody(a.body, a.id, a.version), header: s.header(), user: s.user}, nil); err != nil {
			return writeErr(err, st.f.ID)
		}
	}
	return nil
}

// Update renames the folder and adjusts its copies, if the group still has version.
func (s *FolderGroupStore) Update(ctx context.Context, id, version string, it engine.Item) (engine.Remote, error) {
	g, err := checkGroup(it)
	if err != nil {
		return engine.Remote{}, withID(err, id)
	}
	st, err := s.folder(ctx, id)
	if err != nil {
		return engine.Remote{}, err
	}
	if version != "" && st.remote().Version != version {
		return engine.Remote{}, fmt.Errorf("msgraph: group folder %s: %w", id, engine.ErrPrecondition)
	}
	if st.f.DisplayName != g.Name {
		if err := s.patchFolder(ctx, id, map[string]any{"displayName": g.Name}, g.Name); err != nil {
			return engine.Remote{}, err
		}
	}
	if err := s.members(ctx, st, g.Members); err != nil {
		return engine.Remote{}, withID(err, id)
	}
	return s.Get(ctx, id)
}

func withID(err error, id string) error {
	var ie *engine.ItemError
	if errors.As(err, &ie) && ie.ID == "" {
		ie.ID = id
	}
	return err
}

// Delete deletes a group folder if it still has version (unconditionally when version is empty). Contacts added
// to it by hand are moved to the default contact folder first, or, with handAddedContacts "refuse", the delete
// is refused with an ItemError naming them.
func (s *FolderGroupStore) Delete(ctx context.Context, id, version string) error {
	st, err := s.folder(ctx, id)
	if err != nil {
		return err
	}
	if version != "" && st.remote().Version != version {
		return fmt.Errorf("msgraph: group folder %s: %w", id, engine.ErrPrecondition)
	}
	if len(st.hand) > 0 {
		if s.c.set.HandAddedContacts == HandAddedRefuse {
			var names []string
			for _, h := range st.hand {
				names = append(names, fmt.Sprintf("%q", h.name))
			}
			return &engine.ItemError{ID: id, Field: "members", Err: fmt.Errorf("the folder %q holds %d contact(s) added by hand (%s): it is not deleted; "+
				"move or delete them in Outlook, or set handAddedContacts to %q", st.f.DisplayName, len(st.hand), strings.Join(names, ", "), HandAddedMove)}
		}
		for _, h := range st.hand {
			if err := s.move(ctx, st.f.ID, h.id); err != nil {
				return fmt.Errorf("msgraph: moving contact %q out of group folder %q: %w", h.name, st.f.DisplayName, err)
			}
		}
	}
	return s.c.call(ctx, request{method: "DELETE", path: s.base + "/contactFolders/" + url.PathEscape(id), user: s.user}, nil)
}

// move moves a contact a user added to a group folder into the default contact folder: a copy marked with the
// original's id (so an interrupted move is not repeated), then the original is deleted.
func (s *FolderGroupStore) move(ctx context.Context, folder, id string) error {
	src := s.base + "/contactFolders/" + url.PathEscape(folder) + "/contacts/" + url.PathEscape(id)
	q := url.Values{"$filter": {"singleValueExtendedProperties/Any(ep: ep/id eq '" + movedProp + "' and ep/value eq '" + id + "')"}}
	var found odataPage
	if err := s.c.call(ctx, request{method: "GET", path: s.base + "/contacts?" + q.Encode(), header: s.header(), user: s.user}, &found); err != nil {
		return err
	}
	if len(found.Value) == 0 {
		resp, err := s.c.do(ctx, request{method: "GET", path: src, header: s.header(), user: s.user})
		if err != nil {
			return err
		}
		var body map[string]any
		if err := json.Unmarshal(resp.Body, &body); err != nil {
			return err
		}
		for _, k := range []string{"id", "@odata.etag", "@odata.context", "changeKey", "parentFolderId", "createdDateTime", "lastModifiedDateTime", "singleValueExtendedProperties"} {
			delete(body, k)
		}
		body["singleValueExtendedProperties"] = []extProp{{ID: movedProp, Value: id}}
		if err := s.c.call(ctx, request{method: "POST", path: s.base + "/contacts", body: body, header: s.header(), user: s.user}, nil); err != nil {
			return err
		}
	}
	err := s.c.call(ctx, request{method: "DELETE", path: src, user: s.user}, nil)
	if errors.Is(err, engine.ErrNotFound) {
		return nil
	}
	return err
}

// ---- categories ----

// CategoryGroupStore keeps groups as Outlook master categories on the synced contacts. It implements
// engine.Store. It cannot find a category by marker (categories hold no extended properties); creating a category
// whose name exists adopts it instead, so a create repeated after a crash makes no second category.
type CategoryGroupStore struct{ groupBase }

var _ engine.Store = (*CategoryGroupStore)(nil)

type graphCategory struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Color       string `json:"color"`
}

// categoryColor is the colour of a new group category: derived from its name, so it is the same in every
// mailbox, and kept when the group is renamed.
func categoryColor(name string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(name)))
	return fmt.Sprintf("preset%d", h.Sum32()%25)
}

// catState is every group category and its members.
type catState struct {
	cats    []graphCategory
	members map[string][]string // category name (lower case) → contact ids
	etags   map[string]string   // contact id → etag
}

func (s *CategoryGroupStore) prefix() string { return s.c.groupPrefix() }

// ours reports whether a category name is a group's.
func (s *CategoryGroupStore) ours(name string) bool {
	p := s.prefix()
	return len(name) > len(p) && strings.EqualFold(name[:len(p)], p)
}

func (s *CategoryGroupStore) state(ctx context.Context) (*catState, error) {
	st := &catState{members: map[string][]string{}, etags: map[string]string{}}
	var list struct {
		Value []graphCategory `json:"value"`
	}
	if err := s.c.call(ctx, request{method: "GET", path: s.base + "/outlook/masterCategories", user: s.user}, &list); err != nil {
		return nil, err
	}
	for _, c := range list.Value {
		if s.ours(c.DisplayName) {
			st.cats = append(st.cats, c)
		}
	}
	err := s.listAll(ctx, s.contacts.coll+"?$select=id,categories", func(raw json.RawMessage) error {
		var p struct {
			ID         string   `json:"id"`
			ETag       string   `json:"@odata.etag"`
			Categories []string `json:"categories"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		st.etags[p.ID] = p.ETag
		for _, c := range p.Categories {
			if s.ours(c) {
				st.members[strings.ToLower(c)] = append(st.members[strings.ToLower(c)], p.ID)
			}
		}
		return nil
	})
	return st, err
}

func (s *CategoryGroupStore) remote(st *catState, c graphCategory) engine.Remote {
	m := slices.Clone(st.members[strings.ToLower(c.DisplayName)])
	slices.Sort(m)
	m = slices.Compact(m)
	return engine.Remote{ID: c.ID, Version: groupVersion(append([]string{c.DisplayName}, m...)...),
		Item: &engine.Group{Name: c.DisplayName[len(s.prefix()):], Members: m}}
}

func (st *catState) byID(id string) (graphCategory, bool) {
	for _, c := range st.cats {
		if c.ID == id {
			return c, true
		}
	}
	return graphCategory{}, false
}

// Changes lists every group category with its members.
func (s *CategoryGroupStore) Changes(ctx context.Context, _ string) (engine.Page, error) {
	st, err := s.state(ctx)
	if err != nil {
		return engine.Page{}, err
	}
	page := engine.Page{Complete: true} // no cursor: every listing is a full one, so deletions are found
	for _, c := range st.cats {
		r := s.remote(st, c)
		page.Changes = append(page.Changes, engine.Change{ID: r.ID, Version: r.Version, Item: r.Item})
	}
	return page, nil
}

// Get reads one group category.
func (s *CategoryGroupStore) Get(ctx context.Context, id string) (engine.Remote, error) {
	st, err := s.state(ctx)
	if err != nil {
		return engine.Remote{}, err
	}
	c, ok := st.byID(id)
	if !ok {
		return engine.Remote{}, fmt.Errorf("msgraph: group category %s: %w", id, engine.ErrNotFound)
	}
	return s.remote(st, c), nil
}

// create makes the master category name (colour color), or adopts the one that exists.
func (s *CategoryGroupStore) create(ctx context.Context, name, color string) (graphCategory, error) {
	var c graphCategory
	err := s.c.call(ctx, request{method: "POST", path: s.base + "/outlook/masterCategories", body: map[string]any{"displayName": name, "color": color},
		user: s.user}, &c)
	var ge *graphError
	if errors.As(err, &ge) && ge.Status == 409 {
		st, lerr := s.state(ctx)
		if lerr != nil {
			return c, lerr
		}
		for _, x := range st.cats {
			if strings.EqualFold(x.DisplayName, name) {
				return x, nil
			}
		}
	}
	return c, writeErr(err, "")
}

// Create makes the group's master category (or adopts an existing one of the same name) and puts it on the
// members.
func (s *CategoryGroupStore) Create(ctx context.Context, it engine.Item, _ string) (engine.Remote, error) {
	g, err := checkGroup(it)
	if err != nil {
		return engine.Remote{}, err
	}
	c, err := s.create(ctx, s.prefix()+g.Name, categoryColor(g.Name))
	if err != nil {
		return engine.Remote{}, err
	}
	st, err := s.state(ctx)
	if err != nil {
		return engine.Remote{}, err
	}
	if err := s.retag(ctx, st, c.DisplayName, c.DisplayName, g.Members); err != nil {
		return engine.Remote{}, withID(err, c.ID)
	}
	return s.Get(ctx, c.ID)
}

// retag makes the contacts carrying category from carry category to instead, exactly the contacts in want.
func (s *CategoryGroupStore) retag(ctx context.Context, st *catState, from, to string, want []string) error {
	have := st.members[strings.ToLower(from)]
	touched := map[string]bool{}
	for _, id := range have {
		touched[id] = true
	}
	for i, id := range want {
		if _, ok := st.etags[id]; !ok {
			return &engine.ItemError{Field: fmt.Sprintf("members[%d]", i), Err: fmt.Errorf("contact %s is not in the synced contacts", id)}
		}
		touched[id] = true
	}
	for _, id := range slices.Sorted(mapsKeys(touched)) {
		in := slices.Contains(want, id)
		if in && from == to && slices.Contains(have, id) {
			continue
		}
		if err := s.tag(ctx, id, from, to, in); err != nil {
			return err
		}
	}
	return nil
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// tag removes category from from contact id's categories and adds to when in is set (read, then written with
// the version read; a contact changed in between is read again).
func (s *CategoryGroupStore) tag(ctx context.Context, id, from, to string, in bool) error {
	p := s.contacts.itemPath(id)
	if p == "" {
		return &engine.ItemError{Field: "members", Err: fmt.Errorf("bad contact id %q", id)}
	}
	for attempt := 0; ; attempt++ {
		var cur struct {
			ETag       string   `json:"@odata.etag"`
			Categories []string `json:"categories"`
		}
		if err := s.c.call(ctx, request{method: "GET", path: p + "?$select=categories", header: s.header(), user: s.user}, &cur); err != nil {
			if errors.Is(err, engine.ErrNotFound) && !in {
				return nil
			}
			return err
		}
		cats := []string{}
		for _, c := range cur.Categories {
			if !strings.EqualFold(c, from) && !strings.EqualFold(c, to) {
				cats = append(cats, c)
			}
		}
		if in {
			cats = append(cats, to)
		}
		err := s.c.call(ctx, request{method: "PATCH", path: p, body: map[string]any{"categories": cats}, header: map[string]string{"If-Match": cur.ETag}, user: s.user}, nil)
		if errors.Is(err, engine.ErrPrecondition) && attempt < 2 {
			continue
		}
		return err
	}
}

// Update renames the group (a new category replaces the old one: Exchange cannot rename a category) and moves
// the category to exactly the members, if the group still has version.
func (s *CategoryGroupStore) Update(ctx context.Context, id, version string, it engine.Item) (engine.Remote, error) {
	g, err := checkGroup(it)
	if err != nil {
		return engine.Remote{}, withID(err, id)
	}
	st, err := s.state(ctx)
	if err != nil {
		return engine.Remote{}, err
	}
	c, ok := st.byID(id)
	if !ok {
		return engine.Remote{}, fmt.Errorf("msgraph: group category %s: %w", id, engine.ErrNotFound)
	}
	if version != "" && s.remote(st, c).Version != version {
		return engine.Remote{}, fmt.Errorf("msgraph: group category %s: %w", id, engine.ErrPrecondition)
	}
	name := s.prefix() + g.Name
	if name == c.DisplayName {
		if err := s.retag(ctx, st, name, name, g.Members); err != nil {
			return engine.Remote{}, withID(err, id)
		}
		return s.Get(ctx, id)
	}
	nc, err := s.create(ctx, name, c.Color)
	if err != nil {
		return engine.Remote{}, withID(err, id)
	}
	if err := s.retag(ctx, st, c.DisplayName, name, g.Members); err != nil {
		return engine.Remote{}, withID(err, id)
	}
	if err := s.c.call(ctx, request{method: "DELETE", path: s.base + "/outlook/masterCategories/" + url.PathEscape(id), user: s.user}, nil); err != nil && !errors.Is(err, engine.ErrNotFound) {
		return engine.Remote{}, err
	}
	return s.Get(ctx, nc.ID)
}

// Delete removes the category from its contacts and deletes it, if the group still has version. The contacts
// themselves stay.
func (s *CategoryGroupStore) Delete(ctx context.Context, id, version string) error {
	st, err := s.state(ctx)
	if err != nil {
		return err
	}
	c, ok := st.byID(id)
	if !ok {
		return fmt.Errorf("msgraph: group category %s: %w", id, engine.ErrNotFound)
	}
	if version != "" && s.remote(st, c).Version != version {
		return fmt.Errorf("msgraph: group category %s: %w", id, engine.ErrPrecondition)
	}
	for _, m := range st.members[strings.ToLower(c.DisplayName)] {
		if err := s.tag(ctx, m, c.DisplayName, c.DisplayName, false); err != nil {
			return err
		}
	}
	return s.c.call(ctx, request{method: "DELETE", path: s.base + "/outlook/masterCategories/" + url.PathEscape(id), user: s.user}, nil)
}
