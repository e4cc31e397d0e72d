package superoffice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/synchronizer/synchronizer/engine"
)

// SelectionStore is the tenant's person selections (KindGroup), static and dynamic, each with its member persons.
// SuperOffice sends no webhook for selections and a dynamic selection's membership changes without any
// UpdatedDate, so every Changes call is a full listing and the version is a digest of name and members.
// Selections are read-only here (sync them CRM → mailbox); writes return engine.ErrUnsupported.
type SelectionStore struct {
	c     *Connector
	scope engine.Scope
}

var _ engine.Store = (*SelectionStore)(nil)

type selectionRow struct {
	id   int32
	name string
}

func (s *SelectionStore) selections(ctx context.Context, extra string) ([]selectionRow, error) {
	f := "targetTableName eq 'person'"
	if extra != "" {
		f += " and " + extra
	}
	q := url.Values{"$select": {"selectionId,name,selectionType,targetTableName"}, "$filter": {f},
		"$orderBy": {"selectionId"}, "$top": {strconv.Itoa(s.c.set.PageSize)}}
	var out []selectionRow
	err := s.c.cl.archive(ctx, "Selection", q, func(rows []map[string]any) error {
		for _, r := range rows {
			id, err := intOf(r, "selectionId")
			if err != nil {
				return err
			}
			out = append(out, selectionRow{id: id, name: strOf(r, "name")})
		}
		return nil
	})
	return out, err
}

func (s *SelectionStore) group(ctx context.Context, sel selectionRow) (engine.Remote, error) {
	var members []string
	q := url.Values{"$select": {"personId"}, "$top": {"1000"}}
	err := s.c.cl.archive(ctx, "Selection/"+strconv.Itoa(int(sel.id))+"/Members", q, func(rows []map[string]any) error {
		for _, r := range rows {
			id, err := intOf(r, "personId")
			if err != nil {
				return err
			}
			members = append(members, strconv.Itoa(int(id)))
		}
		return nil
	})
	if err != nil {
		return engine.Remote{}, err
	}
	slices.Sort(members)
	members = slices.Compact(members)
	sum := sha256.Sum256([]byte(sel.name + "\x00" + strings.Join(members, ",")))
	return engine.Remote{ID: strconv.Itoa(int(sel.id)), Version: hex.EncodeToString(sum[:12]),
		Item: &engine.Group{Name: sel.name, Members: members}}, nil
}

// Changes lists every selection with its members. It returns no cursor, so the engine treats every listing as
// a full one and finds deleted selections by their absence.
func (s *SelectionStore) Changes(ctx context.Context, _ string) (engine.Page, error) {
	sels, err := s.selections(ctx, "")
	if err != nil {
		return engine.Page{}, err
	}
	page := engine.Page{Complete: true} // no cursor: every listing is a full one, so deletions are found
	for _, sel := range sels {
		r, err := s.group(ctx, sel)
		if err != nil {
			return engine.Page{}, err
		}
		page.Changes = append(page.Changes, engine.Change{ID: r.ID, Version: r.Version, Item: r.Item})
	}
	return page, nil
}

// Get reads one selection.
func (s *SelectionStore) Get(ctx context.Context, id string) (engine.Remote, error) {
	n, err := strconv.ParseInt(id, 10, 32)
	if err != nil {
		return engine.Remote{}, fmt.Errorf("%w: bad selection id %q", engine.ErrNotFound, id)
	}
	sels, err := s.selections(ctx, "selectionId eq "+strconv.Itoa(int(n)))
	if err != nil {
		return engine.Remote{}, err
	}
	if len(sels) == 0 {
		return engine.Remote{}, fmt.Errorf("%w: selection %s", engine.ErrNotFound, id)
	}
	return s.group(ctx, sels[0])
}

// Create is not supported: selections are read-only.
func (s *SelectionStore) Create(context.Context, engine.Item, string) (engine.Remote, error) {
	return engine.Remote{}, fmt.Errorf("%w: SuperOffice selections are synced to mailboxes only", engine.ErrUnsupported)
}

// Update is not supported: selections are read-only.
func (s *SelectionStore) Update(context.Context, string, string, engine.Item) (engine.Remote, error) {
	return engine.Remote{}, fmt.Errorf("%w: SuperOffice selections are synced to mailboxes only", engine.ErrUnsupported)
}

// Delete is not supported: selections are read-only.
func (s *SelectionStore) Delete(context.Context, string, string) error {
	return fmt.Errorf("%w: SuperOffice selections are synced to mailboxes only", engine.ErrUnsupported)
}
