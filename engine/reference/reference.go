// Package reference is an in-memory connector for tests: it implements every optional capability of the
// connector contract and can emulate each change model of the systems we sync (Graph/Google delta tokens that
// expire, EWS sync state with paging, a SuperOffice timestamp watermark without tombstones, CalDAV sync tokens
// with an etag-listing fallback), with fault injection and counters of every call.
//
// A Server holds the data of any number of accounts; Server.Factory is registered in the engine's connector map
// (conventionally as "reference"). Tests edit the data directly (Put, Edit, Remove: these are "users" and are not
// counted as API calls) and assert on Counts.
package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Model is a change model.
type Model string

// The change models.
const (
	// Delta: opaque delta tokens with tombstones (Graph delta links, Google sync tokens); tokens expire
	// (ExpireCursors, or after MaxTokenAge changes) with engine.ErrCursorExpired.
	Delta Model = "delta"
	// EWS: ICS sync state; every page is at most PageSize items with More set while items remain.
	EWS Model = "ews"
	// Watermark: a modification-time watermark listed with an overlap; no tombstones (deletions are found
	// through ListIDs); incremental pages are not Complete.
	Watermark Model = "watermark"
	// CalDAV: sync-collection tokens with tombstones; with Settings.BrokenSync the connector falls back to etag
	// listings: every listing enumerates every href with its etag and is a full listing.
	CalDAV Model = "caldav"
)

// Settings are the factory's settings (JSON).
type Settings struct {
	Model    Model `json:"model"`
	PageSize int   `json:"pageSize,omitempty"` // default 50
	// MaxTokenAge expires delta/EWS/CalDAV cursors older than this many changes (0 = only ExpireCursors).
	MaxTokenAge int `json:"maxTokenAge,omitempty"`
	// OverlapSeconds is the watermark overlap (default 60).
	OverlapSeconds int `json:"overlapSeconds,omitempty"`
	// BrokenSync makes a CalDAV store fall back to etag listings (see Store.etagListing).
	BrokenSync bool `json:"brokenSync,omitempty"`
	// Basic hides every optional capability (MarkerFinder, IDLister, Batcher): the store is a plain Store.
	// Listings still carry the markers items were created with.
	Basic bool `json:"basic,omitempty"`
	// NoMarkers makes the store forget markers (neither listed nor findable): only for tests that show why
	// markers matter.
	NoMarkers bool `json:"noMarkers,omitempty"`
	// Limits are declared to the governor for the scope kind "mailbox" (keyed by account id).
	Limits engine.Limits `json:"limits,omitzero"`
}

// Call describes one API call, for fault injection.
type Call struct {
	Op      string // "changes", "get", "create", "update", "delete", "find", "listids", "batch"
	Account string
	Kind    engine.Kind
	ID      string
}

// Fault is what an injected fault does to a call: Before fails it before it does anything; After applies it and
// then fails it (the write happened but the response was lost); Partial truncates a listing page (which is then
// honestly not Complete); Duplicate delivers the page's changes twice and the next page overlaps.
type Fault struct {
	Before    error
	After     error
	Partial   bool
	Duplicate bool
}

// FaultFunc decides the fault of each call; nil means none.
type FaultFunc func(Call) Fault

// ErrTimeout is the error injected to emulate a timeout.
var ErrTimeout = errors.New("reference: i/o timeout")

type entry struct {
	id      string
	version string
	item    engine.Item
	marker  string
	seq     int64     // change sequence of the last change
	mod     time.Time // modification time (watermark model)
	deleted bool      // tombstone
}

type collection struct {
	items map[string]*entry
	seq   int64
	epoch int
}

// Server is the in-memory backend. It is safe for concurrent use.
type Server struct {
	mu       sync.Mutex // guards everything below
	now      func() time.Time
	colls    map[string]*collection
	nextID   int64
	fault    FaultFunc
	rewrite  func(engine.Item) engine.Item
	counts   map[string]int
	inFlight map[string]int
	maxIn    map[string]int
	accounts []engine.Account
	prefix   string
	cascade  bool
}

// SetIDPrefix makes the ids of new items start with prefix (so two servers in one test never share ids).
func (s *Server) SetIDPrefix(prefix string) { s.mu.Lock(); s.prefix = prefix; s.mu.Unlock() }

// NewServer returns an empty server; now is its clock (nil = time.Now).
func NewServer(now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	return &Server{now: now, colls: map[string]*collection{}, counts: map[string]int{}, inFlight: map[string]int{},
		maxIn: map[string]int{}}
}

func collKey(account string, k engine.Kind) string { return account + "\x00" + string(k) }

func (s *Server) coll(account string, k engine.Kind) *collection {
	c := s.colls[collKey(account, k)]
	if c == nil {
		c = &collection{items: map[string]*entry{}}
		s.colls[collKey(account, k)] = c
	}
	return c
}

// SetCascadeMembers makes a deleted contact leave every group of its account that holds it (each such group gets
// a new version), as SuperOffice selections and Outlook categories do; without it a group keeps the id of a
// deleted member, as a CardDAV group card does.
func (s *Server) SetCascadeMembers(on bool) { s.mu.Lock(); s.cascade = on; s.mu.Unlock() }

// dropMember removes contact id from the groups of account when cascading is on. s.mu is held.
func (s *Server) dropMember(account string, k engine.Kind, id string) {
	if !s.cascade || k != engine.KindContact {
		return
	}
	c := s.coll(account, engine.KindGroup)
	ids := make([]string, 0, len(c.items))
	for gid := range c.items {
		ids = append(ids, gid)
	}
	sort.Strings(ids) // versions are assigned in a deterministic order
	for _, gid := range ids {
		e := c.items[gid]
		g, ok := e.item.(*engine.Group)
		if e.deleted || !ok || g == nil {
			continue
		}
		for i, m := range g.Members {
			if m == id {
				members := append(append([]string(nil), g.Members[:i]...), g.Members[i+1:]...)
				e.item = engine.Normalize(&engine.Group{Name: g.Name, Members: members})
				s.bump(c, e)
				break
			}
		}
	}
}

// SetFaults installs f (nil removes it).
func (s *Server) SetFaults(f FaultFunc) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

// SetRewrite installs a content rewrite applied to everything written through the API (as servers that append a
// footer or reorder attendees do); it must be idempotent, as a real server's rewrite is.
func (s *Server) SetRewrite(f func(engine.Item) engine.Item) {
	s.mu.Lock()
	s.rewrite = f
	s.mu.Unlock()
}

// SetAccounts sets what Directory.Accounts returns.
func (s *Server) SetAccounts(a []engine.Account) { s.mu.Lock(); s.accounts = a; s.mu.Unlock() }

// ExpireCursors invalidates every outstanding delta/EWS/CalDAV cursor of account's kind.
func (s *Server) ExpireCursors(account string, k engine.Kind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.coll(account, k).epoch++
}

// Counts returns the number of API calls per op ("create", "update", ...) made so far.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Writes returns the number of successful create, update and delete calls.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts["create.ok"] + s.counts["update.ok"] + s.counts["delete.ok"]
}

// MaxInFlight returns the highest number of concurrent calls seen for an account.
func (s *Server) MaxInFlight(account string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn[account]
}

func (s *Server) bump(c *collection, e *entry) {
	c.seq++
	s.nextID++
	e.seq = c.seq
	e.version = strconv.FormatInt(s.nextID, 36)
	e.mod = s.now()
}

// Put stores a new item as a user would (not counted) and returns its id.
func (s *Server) Put(account string, it engine.Item) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(account, it, "").id
}

func (s *Server) put(account string, it engine.Item, marker string) *entry {
	c := s.coll(account, it.ItemKind())
	s.nextID++
	e := &entry{id: fmt.Sprintf("%s%s-%d", s.prefix, it.ItemKind(), s.nextID), item: engine.Normalize(it), marker: marker}
	c.items[e.id] = e
	s.bump(c, e)
	return e
}

// Edit changes an item as a user would (not counted); f gets a copy of the content.
func (s *Server) Edit(account string, k engine.Kind, id string, f func(engine.Item) engine.Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.coll(account, k)
	e := c.items[id]
	if e == nil || e.deleted {
		return fmt.Errorf("reference: %s %s: %w", k, id, engine.ErrNotFound)
	}
	e.item = engine.Normalize(f(engine.Normalize(e.item)))
	s.bump(c, e)
	return nil
}

// Remove deletes an item as a user would (not counted).
func (s *Server) Remove(account string, k engine.Kind, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.coll(account, k)
	e := c.items[id]
	if e == nil || e.deleted {
		return fmt.Errorf("reference: %s %s: %w", k, id, engine.ErrNotFound)
	}
	e.deleted, e.item = true, nil
	s.bump(c, e)
	s.dropMember(account, k, id)
	return nil
}

// Items returns copies of the live items of account's kind by id.
func (s *Server) Items(account string, k engine.Kind) map[string]engine.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]engine.Item{}
	for id, e := range s.coll(account, k).items {
		if !e.deleted {
			out[id] = engine.Normalize(e.item)
		}
	}
	return out
}

// Factory returns the engine.Factory of this server.
func (s *Server) Factory() engine.Factory {
	return func(ctx context.Context, raw json.RawMessage, env engine.Env) (engine.Connector, error) {
		var st Settings
		if len(raw) > 0 {
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&st); err != nil {
				return nil, fmt.Errorf("reference settings: %w", err)
			}
		}
		switch st.Model {
		case "":
			st.Model = Delta
		case Delta, EWS, Watermark, CalDAV:
		default:
			return nil, fmt.Errorf("reference settings: model: unknown change model %q", st.Model)
		}
		if st.PageSize <= 0 {
			st.PageSize = 50
		}
		if st.OverlapSeconds <= 0 {
			st.OverlapSeconds = 60
		}
		gov := env.Governor
		if gov == nil {
			gov = engine.NoLimits{}
		}
		gov.Declare("reference", "mailbox", st.Limits)
		return &Connector{srv: s, set: st, gov: gov}, nil
	}
}

// Connector is a configured reference system.
type Connector struct {
	srv *Server
	set Settings
	gov engine.Governor
}

var (
	_ engine.Connector = (*Connector)(nil)
	_ engine.Directory = (*Connector)(nil)
	_ engine.Checker   = (*Connector)(nil)
)

// Kinds lists every kind.
func (c *Connector) Kinds() []engine.Kind { return engine.Kinds }

// Open returns the store of scope.
func (c *Connector) Open(_ context.Context, sc engine.Scope) (engine.Store, error) {
	if sc.Account.ID == "" {
		return nil, fmt.Errorf("reference: account id required")
	}
	st := &Store{c: c, scope: sc}
	if c.set.Basic {
		return basicStore{st}, nil
	}
	return st, nil
}

// Accounts returns the accounts set with SetAccounts.
func (c *Connector) Accounts(context.Context) ([]engine.Account, error) {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return append([]engine.Account(nil), c.srv.accounts...), nil
}

// Check reports the system reachable.
func (c *Connector) Check(context.Context, []engine.Account) []engine.CheckResult {
	return []engine.CheckResult{{Name: "reference store reachable", Status: engine.CheckOK}}
}

// Store is one kind of one account. It implements every optional capability.
type Store struct {
	c     *Connector
	scope engine.Scope
}

var (
	_ engine.Store        = (*Store)(nil)
	_ engine.MarkerFinder = (*Store)(nil)
	_ engine.IDLister     = (*Store)(nil)
	_ engine.Batcher      = (*Store)(nil)
)

// basicStore exposes only the base Store interface.
type basicStore struct{ s *Store }

func (b basicStore) Changes(ctx context.Context, cursor string) (engine.Page, error) {
	return b.s.Changes(ctx, cursor)
}
func (b basicStore) Get(ctx context.Context, id string) (engine.Remote, error) {
	return b.s.Get(ctx, id)
}
func (b basicStore) Create(ctx context.Context, it engine.Item, marker string) (engine.Remote, error) {
	return b.s.Create(ctx, it, marker)
}
func (b basicStore) Update(ctx context.Context, id, version string, it engine.Item) (engine.Remote, error) {
	return b.s.Update(ctx, id, version, it)
}
func (b basicStore) Delete(ctx context.Context, id, version string) error {
	return b.s.Delete(ctx, id, version)
}

// begin passes the governor, counts the call and consults the fault hook. The returned func must be called
// with the call's error when it ends.
func (s *Store) begin(ctx context.Context, op, id string) (Fault, func(error), error) {
	acct := s.scope.Account.ID
	permit, err := s.c.gov.Acquire(ctx, engine.LimitScope{System: "reference", Kind: "mailbox", Key: acct})
	if err != nil {
		return Fault{}, nil, err
	}
	start := time.Now()
	srv := s.c.srv
	srv.mu.Lock()
	srv.counts[op]++
	srv.inFlight[acct]++
	if srv.inFlight[acct] > srv.maxIn[acct] {
		srv.maxIn[acct] = srv.inFlight[acct]
	}
	var f Fault
	if srv.fault != nil {
		f = srv.fault(Call{Op: op, Account: acct, Kind: s.scope.Kind, ID: id})
	}
	srv.mu.Unlock()
	done := func(err error) {
		srv.mu.Lock()
		srv.inFlight[acct]--
		if err == nil {
			srv.counts[op+".ok"]++
		}
		srv.mu.Unlock()
		o := engine.Outcome{Status: 200, Latency: time.Since(start), Err: err}
		var ra *engine.RetryAfterError
		if errors.As(err, &ra) {
			o.Status, o.RetryAfter = 429, ra.Wait
		} else if err != nil {
			o.Status = 500
		}
		permit.Done(o)
	}
	if f.Before != nil {
		done(f.Before)
		return f, nil, f.Before
	}
	return f, done, nil
}

func (s *Store) remote(e *entry) engine.Remote {
	r := engine.Remote{ID: e.id, Version: e.version, Item: engine.Normalize(e.item)}
	if !s.c.set.NoMarkers {
		r.Marker = e.marker
	}
	return r
}

func (s *Store) inWindow(it engine.Item) bool {
	w := s.scope.Window
	if w.From.IsZero() && w.To.IsZero() {
		return true
	}
	return engine.InWindow(it, w)
}

// Changes lists changes since cursor in the configured change model.
func (s *Store) Changes(ctx context.Context, cursor string) (engine.Page, error) {
	f, done, err := s.begin(ctx, "changes", "")
	if err != nil {
		return engine.Page{}, err
	}
	p, err := s.changes(cursor, f)
	if err == nil && f.After != nil {
		err = f.After
	}
	done(err)
	if err != nil {
		return engine.Page{}, err
	}
	return p, nil
}

func (s *Store) changes(cursor string, f Fault) (engine.Page, error) {
	srv := s.c.srv
	srv.mu.Lock()
	defer srv.mu.Unlock()
	c := srv.coll(s.scope.Account.ID, s.scope.Kind)
	set := s.c.set
	switch {
	case set.Model == CalDAV && set.BrokenSync:
		return s.etagListing(c, cursor, f)
	case set.Model == Watermark:
		return s.watermark(c, cursor, f)
	}
	// Sequence-based models: cursor "<epoch>:<seq>" (empty = full listing).
	var after int64
	full := cursor == ""
	if !full {
		ep, sq, ok := strings.Cut(cursor, ":")
		epoch, err1 := strconv.Atoi(ep)
		seq, err2 := strconv.ParseInt(sq, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return engine.Page{}, fmt.Errorf("reference: bad cursor %q: %w", cursor, engine.ErrCursorExpired)
		}
		if epoch != c.epoch || (set.MaxTokenAge > 0 && c.seq-seq > int64(set.MaxTokenAge)) {
			return engine.Page{}, fmt.Errorf("reference: cursor of epoch %d: %w", epoch, engine.ErrCursorExpired)
		}
		after = seq
	}
	var es []*entry
	for _, e := range c.items {
		if e.seq > after && (!full || !e.deleted) {
			es = append(es, e)
		}
	}
	sort.Slice(es, func(a, b int) bool { return es[a].seq < es[b].seq })
	limit := len(es)
	if set.Model == EWS && limit > set.PageSize {
		limit = set.PageSize
	}
	more := limit < len(es)
	complete := true
	if f.Partial && limit > 1 {
		limit /= 2
		complete, more = false, false
	}
	page := engine.Page{Complete: complete, More: more}
	last := after
	for _, e := range es[:limit] {
		page.Changes = append(page.Changes, s.change(e))
		last = e.seq
	}
	if !more && !f.Partial {
		last = c.seq
	}
	if f.Duplicate && len(page.Changes) > 0 {
		page.Changes = append(page.Changes, page.Changes...)
		if limit > 0 && last > after {
			last-- // the next listing overlaps this one
		}
	}
	page.Next = fmt.Sprintf("%d:%d", c.epoch, last)
	return page, nil
}

func (s *Store) change(e *entry) engine.Change {
	if e.deleted {
		return engine.Change{ID: e.id, Version: e.version, Deleted: true}
	}
	if !s.inWindow(e.item) {
		return engine.Change{ID: e.id, Version: e.version, OutOfWindow: true}
	}
	r := s.remote(e)
	return engine.Change{ID: e.id, Version: e.version, Item: r.Item, Marker: r.Marker}
}

// watermark lists live items modified at or after the watermark minus the overlap; no tombstones.
func (s *Store) watermark(c *collection, cursor string, f Fault) (engine.Page, error) {
	var since time.Time
	full := cursor == ""
	if !full {
		ns, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil {
			return engine.Page{}, fmt.Errorf("reference: bad watermark %q: %w", cursor, engine.ErrCursorExpired)
		}
		since = time.Unix(0, ns).Add(-time.Duration(s.c.set.OverlapSeconds) * time.Second)
	}
	var es []*entry
	for _, e := range c.items {
		if !e.deleted && (full || !e.mod.Before(since)) && (!full || s.inWindow(e.item)) {
			es = append(es, e)
		}
	}
	sort.Slice(es, func(a, b int) bool { return es[a].seq < es[b].seq })
	page := engine.Page{Complete: full, Next: strconv.FormatInt(s.c.srv.now().UnixNano(), 10)}
	if f.Partial && len(es) > 1 {
		es = es[:len(es)/2]
		page.Complete = false
		page.Next = cursor // honest: the next listing starts where this one did
		if full {
			page.Next = strconv.FormatInt(0, 10)
		}
	}
	for _, e := range es {
		page.Changes = append(page.Changes, s.change(e))
	}
	if f.Duplicate {
		page.Changes = append(page.Changes, page.Changes...)
	}
	return page, nil
}

// etagListing is the CalDAV fallback for servers without (or with a broken) sync-collection: a PROPFIND of
// every href and etag in the window. It reports every item with its etag and no content (the engine reads only
// those whose etag differs from the link's) and returns an empty Next cursor: every listing is a full listing, so
// the engine finds deletions as absences from this complete listing. A partial PROPFIND is an error.
func (s *Store) etagListing(c *collection, _ string, f Fault) (engine.Page, error) {
	if f.Partial {
		return engine.Page{}, fmt.Errorf("reference: PROPFIND answered 507 (truncated): %w", ErrTimeout)
	}
	ids := make([]string, 0, len(c.items))
	for id := range c.items {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	page := engine.Page{Complete: true}
	for _, id := range ids {
		e := c.items[id]
		if e.deleted || !s.inWindow(e.item) {
			continue
		}
		ch := engine.Change{ID: id, Version: e.version}
		if !s.c.set.NoMarkers {
			ch.Marker = e.marker
		}
		page.Changes = append(page.Changes, ch)
	}
	if f.Duplicate {
		page.Changes = append(page.Changes, page.Changes...)
	}
	return page, nil
}

// Get returns one item.
func (s *Store) Get(ctx context.Context, id string) (engine.Remote, error) {
	f, done, err := s.begin(ctx, "get", id)
	if err != nil {
		return engine.Remote{}, err
	}
	srv := s.c.srv
	srv.mu.Lock()
	e := srv.coll(s.scope.Account.ID, s.scope.Kind).items[id]
	var r engine.Remote
	if e == nil || e.deleted {
		err = fmt.Errorf("reference: %s: %w", id, engine.ErrNotFound)
	} else {
		r = s.remote(e)
	}
	srv.mu.Unlock()
	if err == nil && f.After != nil {
		err = f.After
	}
	done(err)
	if err != nil {
		return engine.Remote{}, err
	}
	return r, nil
}

func (s *Store) store(it engine.Item) engine.Item {
	it = engine.Normalize(it)
	if s.c.srv.rewrite != nil {
		it = engine.Normalize(s.c.srv.rewrite(it))
	}
	return it
}

// Create stores a new item with marker. It fails with an *engine.ItemError for an item of another kind.
func (s *Store) Create(ctx context.Context, it engine.Item, marker string) (engine.Remote, error) {
	f, done, err := s.begin(ctx, "create", "")
	if err != nil {
		return engine.Remote{}, err
	}
	r, err := s.create(it, marker)
	if err == nil && f.After != nil {
		err = f.After
	}
	done(err)
	if err != nil {
		return engine.Remote{}, err
	}
	return r, nil
}

func (s *Store) create(it engine.Item, marker string) (engine.Remote, error) {
	if it == nil || it.ItemKind() != s.scope.Kind {
		return engine.Remote{}, &engine.ItemError{Field: "kind", Err: fmt.Errorf("this store holds %s items", s.scope.Kind)}
	}
	srv := s.c.srv
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if s.c.set.NoMarkers {
		marker = ""
	}
	e := srv.put(s.scope.Account.ID, s.store(it), marker)
	return s.remote(e), nil
}

// Update replaces an item if it still has version.
func (s *Store) Update(ctx context.Context, id, version string, it engine.Item) (engine.Remote, error) {
	f, done, err := s.begin(ctx, "update", id)
	if err != nil {
		return engine.Remote{}, err
	}
	r, err := s.update(id, version, it)
	if err == nil && f.After != nil {
		err = f.After
	}
	done(err)
	if err != nil {
		return engine.Remote{}, err
	}
	return r, nil
}

func (s *Store) update(id, version string, it engine.Item) (engine.Remote, error) {
	if it == nil || it.ItemKind() != s.scope.Kind {
		return engine.Remote{}, &engine.ItemError{ID: id, Field: "kind", Err: fmt.Errorf("this store holds %s items", s.scope.Kind)}
	}
	srv := s.c.srv
	srv.mu.Lock()
	defer srv.mu.Unlock()
	c := srv.coll(s.scope.Account.ID, s.scope.Kind)
	e := c.items[id]
	switch {
	case e == nil || e.deleted:
		return engine.Remote{}, fmt.Errorf("reference: %s: %w", id, engine.ErrNotFound)
	case version != e.version:
		return engine.Remote{}, fmt.Errorf("reference: %s has version %s, not %s: %w", id, e.version, version, engine.ErrPrecondition)
	}
	e.item = s.store(it)
	srv.bump(c, e)
	return s.remote(e), nil
}

// Delete deletes an item if it still has version (any version when version is empty).
func (s *Store) Delete(ctx context.Context, id, version string) error {
	f, done, err := s.begin(ctx, "delete", id)
	if err != nil {
		return err
	}
	err = s.delete(id, version)
	if err == nil && f.After != nil {
		err = f.After
	}
	done(err)
	return err
}

func (s *Store) delete(id, version string) error {
	srv := s.c.srv
	srv.mu.Lock()
	defer srv.mu.Unlock()
	c := srv.coll(s.scope.Account.ID, s.scope.Kind)
	e := c.items[id]
	switch {
	case e == nil || e.deleted:
		return fmt.Errorf("reference: %s: %w", id, engine.ErrNotFound)
	case version != "" && version != e.version:
		return fmt.Errorf("reference: %s has version %s, not %s: %w", id, e.version, version, engine.ErrPrecondition)
	}
	e.deleted, e.item = true, nil
	srv.bump(c, e)
	srv.dropMember(s.scope.Account.ID, s.scope.Kind, id)
	return nil
}

// FindByMarker finds the item created with marker.
func (s *Store) FindByMarker(ctx context.Context, marker string) (engine.Remote, error) {
	f, done, err := s.begin(ctx, "find", marker)
	if err != nil {
		return engine.Remote{}, err
	}
	srv := s.c.srv
	srv.mu.Lock()
	var r engine.Remote
	err = fmt.Errorf("reference: marker %s: %w", marker, engine.ErrNotFound)
	if marker != "" {
		for _, e := range srv.coll(s.scope.Account.ID, s.scope.Kind).items {
			if e.marker == marker && !e.deleted {
				r, err = s.remote(e), nil
				break
			}
		}
	}
	srv.mu.Unlock()
	if err == nil && f.After != nil {
		err = f.After
	}
	done(err)
	if err != nil {
		return engine.Remote{}, err
	}
	return r, nil
}

// ListIDs returns every live id within the window, or an error (never a partial list).
func (s *Store) ListIDs(ctx context.Context) ([]string, error) {
	f, done, err := s.begin(ctx, "listids", "")
	if err != nil {
		return nil, err
	}
	if f.Partial {
		err = fmt.Errorf("reference: id listing interrupted: %w", ErrTimeout)
		done(err)
		return nil, err
	}
	srv := s.c.srv
	srv.mu.Lock()
	var ids []string
	for id, e := range srv.coll(s.scope.Account.ID, s.scope.Kind).items {
		if !e.deleted && s.inWindow(e.item) {
			ids = append(ids, id)
		}
	}
	srv.mu.Unlock()
	sort.Strings(ids)
	if f.After != nil {
		err = f.After
	}
	done(err)
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// MaxBatch is 4, small enough that tests exercise several batches.
func (s *Store) MaxBatch() int { return 4 }

// Batch applies ops one by one; results are in order. Each op is counted under its action ("create", ...) like a
// single call, and the fault hook is consulted per op (Call.Op is the action), so per-item faults — an ItemError
// for one item, a lost response — happen inside batches too; a fault on the "batch" call fails the whole batch.
func (s *Store) Batch(ctx context.Context, ops []engine.Op) ([]engine.OpResult, error) {
	if len(ops) > s.MaxBatch() {
		return nil, fmt.Errorf("reference: batch of %d exceeds %d", len(ops), s.MaxBatch())
	}
	f, done, err := s.begin(ctx, "batch", "")
	if err != nil {
		return nil, err
	}
	srv := s.c.srv
	out := make([]engine.OpResult, len(ops))
	for i, op := range ops {
		srv.mu.Lock()
		srv.counts[string(op.Action)]++
		var of Fault
		if srv.fault != nil {
			of = srv.fault(Call{Op: string(op.Action), Account: s.scope.Account.ID, Kind: s.scope.Kind, ID: op.ID})
		}
		srv.mu.Unlock()
		if of.Before != nil {
			out[i].Err = of.Before
			continue
		}
		switch op.Action {
		case engine.ActionCreate:
			out[i].Remote, out[i].Err = s.create(op.Item, op.Marker)
		case engine.ActionUpdate:
			out[i].Remote, out[i].Err = s.update(op.ID, op.Version, op.Item)
		case engine.ActionDelete:
			out[i].Err = s.delete(op.ID, op.Version)
		default:
			out[i].Err = fmt.Errorf("reference: unknown action %q", op.Action)
		}
		if out[i].Err == nil {
			srv.mu.Lock()
			srv.counts[string(op.Action)+".ok"]++
			srv.mu.Unlock()
			if of.After != nil {
				out[i] = engine.OpResult{Err: of.After}
			}
		}
	}
	err = f.After
	done(err)
	if err != nil {
		return nil, err
	}
	return out, nil
}
