package dav

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/dav/ical"
)

// Collection is one calendar or address book on a CalDAV/CardDAV server, seen as the engine.Store of one kind.
// A calendar that holds both events and tasks is opened once per kind; each Store reports only its kind.
//
// Ids are the resources' escaped href paths, versions their ETags (keyed by href, so SOGo's per-object ETag
// counters that repeat across resources do no harm). New resources get a client-chosen href derived from the
// idempotency marker and are written with If-None-Match: *, so FindByMarker is a GET of that href and a retried
// create can never make a duplicate. Updates and deletes carry If-Match.
//
// The Collection keeps the raw text of the resources it read (the server's bytes, parsed again only when an
// update needs them), by href and ETag, so an update merges the mapped fields into what the server holds and every
// property we do not map survives. It does not keep the text of its own writes (the engine opens a Collection per
// run and does not update in a run what that run wrote; an update of an href it has no text for reads it first).
type Collection struct {
	c        *client
	url      string // escaped path of the collection, ending in "/"
	kind     engine.Kind
	now      func() time.Time
	log      *slog.Logger
	chunk    int // hrefs per multiget
	inFlight int
	// gone, when set, tells the connector that a request on the collection failed with 404, 410, a redirect or a
	// PROPFIND 403: the connector forgets the collection it found and finds it again on the next Open.
	gone func()

	mu    sync.Mutex // guards cache, cacheBytes and uids
	cache map[string]cached
	// cacheBytes is the text held in cache; listings stop adding to it at budget (cacheBudget; see keepMode).
	cacheBytes, budget int
	uids               map[string]string // vCard UID → href, for group members
	// learned is set once learnUIDs has read every card of the address book (a group store does that at most once,
	// when a group names a member or is written with a member this Collection has not seen).
	learned bool
	// fallback is set once the server has shown that sync-collection cannot be trusted; Changes then compares
	// etag listings.
	fallback bool
	listing  map[string]string // href → etag of the last full etag listing, for the fallback
	// pending are the hrefs the last sync-collection listed as changed, without content; Get fetches them
	// chunk by chunk (a read-ahead from the requested href) and keeps the results in prefetched.
	pending    []string
	pendingAt  map[string]int
	prefetched map[string]engine.Remote
	// writes counts the writes of this Collection; the first few are always read back to learn whether the
	// server rewrites what we store (SOGo adds CLASS and fills in CN and PARTSTAT yet answers with an ETag).
	writes int
	// rewrites is set once a read-back differed from what we sent: every write is read back from then on.
	rewrites bool
	// schedWrites counts the writes of items with an organizer or attendees; the first few are read back even
	// after the server proved it stores other items verbatim, since scheduling servers rewrite only those.
	schedWrites int
	// ignoresIfNoneMatch is set once the server answered a create with 204 (it replaced an existing resource
	// although we sent If-None-Match: *, as SOGo does): creates then look for the resource first.
	ignoresIfNoneMatch bool
	// deleteProbe is 0 before the probe, 1 when the server honours If-Match on DELETE, 2 when it ignores it.
	deleteProbe int
	// probeMu makes the concurrent deletes of a batch wait for one probe instead of each running its own.
	probeMu sync.Mutex
	// verified and schedVerified count the read-backs that found a write stored as sent (see learned).
	verified, schedVerified int
	// learnedAt is when the learned record of this collection was started (zero: nothing learned yet).
	learnedAt time.Time
	// remember saves what the Collection learned (Connector.remember); nil keeps it in this Collection only.
	remember func(ctx context.Context, href string, l learned)
	// conn is the connector that opened the Collection: it remembers our own writes across Opens (noteOwn).
	conn *Connector
}

// verifyWrites is how many writes per Collection are read back to learn whether the server rewrites content.
const verifyWrites = 3

// cacheBudget bounds the text a Collection keeps from listings (1 MiB: some 2,000 events of 500 bytes). The text
// of resources beyond it is read again, one multiget per batch of updates (Batch), when the engine updates them:
// a first sync of a large collection keeps its memory bounded, the updates still merge losslessly, and the extra
// REPORT per batch of up to 32 updates costs little next to their 32 PUTs.
const cacheBudget = 1 << 20

// keepMode says whether decode keeps a resource's text for a later merge.
type keepMode int

const (
	keepNot    keepMode = iota // our own writes: not kept, and an older text of the href is dropped
	keepIfRoom                 // listings and read-aheads: kept while the cache holds less than cacheBudget
	keepAlways                 // a GET or the bases of a batch of updates: about to be merged into
)

// cached is the stored form of a resource the Collection read: its ETag and its text exactly as the server sent
// it. Only an update needs the parsed form (to merge the mapped fields into what the server holds), so the text is
// kept instead of the parse tree, which takes several times the text's size, and parsed again by base.
type cached struct {
	etag string
	raw  []byte
}

// base parses the cached text for a merge.
func (c cached) base(calendar bool) (*ical.Component, error) {
	if calendar {
		_, comp, err := decodeCalendar(c.raw)
		return comp, err
	}
	_, comp, err := decodeVCard(c.raw)
	return comp, err
}

var (
	_ engine.Store        = (*Collection)(nil)
	_ engine.MarkerFinder = (*Collection)(nil)
	_ engine.Batcher      = (*Collection)(nil)
	_ engine.IDLister     = (*Collection)(nil)
)

func (s *Collection) isCalendar() bool {
	return s.kind == engine.KindAppointment || s.kind == engine.KindTask
}

func (s *Collection) ext() string {
	if s.isCalendar() {
		return ".ics"
	}
	return ".vcf"
}

func (s *Collection) contentType() string {
	if s.isCalendar() {
		return "text/calendar; charset=utf-8"
	}
	return "text/vcard; charset=utf-8"
}

// cursor is the decoded form of the opaque cursor string: a sync-token mode cursor ("s"), or an etag-listing
// fingerprint ("e") for servers whose sync-collection is missing or cannot be trusted. CTag is the collection's
// getctag when the cursor was made; an unchanged CTag and token means nothing changed (one PROPFIND).
type cursor struct {
	Mode  string `json:"m"`
	Token string `json:"t,omitempty"`
	CTag  string `json:"c,omitempty"`
	Hash  string `json:"h,omitempty"`
	// URL is the collection the cursor was made on (absent in cursors made before it was recorded): a cursor of
	// another collection (the settings now name another one) is expired.
	URL string `json:"u,omitempty"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, fmt.Errorf("%w: unreadable cursor", engine.ErrCursorExpired)
	}
	if err := json.Unmarshal(b, &c); err != nil || (c.Mode != "s" && c.Mode != "e") {
		return c, fmt.Errorf("%w: unreadable cursor", engine.ErrCursorExpired)
	}
	return c, nil
}

// state reads the collection's sync-token and getctag (one PROPFIND, depth 0).
func (s *Collection) state(ctx context.Context) (token, ctag string, err error) {
	ms, err := s.c.propfind(ctx, s.url, "0", `<D:sync-token/><CS:getctag/>`)
	if err != nil {
		return "", "", err
	}
	for i := range ms.Responses {
		p := ms.Responses[i].okProps()
		if p.SyncToken != "" {
			token = p.SyncToken
		}
		if p.CTag != "" {
			ctag = p.CTag
		}
	}
	return token, ctag, nil
}

// Changes lists what changed since cur. See engine.Store. An empty cursor gives a complete listing of the
// collection with content; later calls use RFC 6578 sync-collection with the saved token, or compare etag
// listings when the server has no sync-collection or answers a token it cannot use with 500 (Xandikos) or
// silently with nothing (DAViCal: detected by a getctag change with no change listed).
//
// Every listing is complete (the engine needs no ListIDs reconciliation): sync-collection reports removed
// members (404 entries), and the etag comparison covers the whole collection. The connector ignores the window.
//
// A sync-token cursor goes straight to the sync-collection REPORT, which answers both "did anything change?" and
// the next token: one request per poll. Only servers known to answer an unknown token with a silent empty result
// (DAViCal, recognised by its "data:,N" tokens or its X-DAViCal-Version header) get the getctag PROPFIND first,
// since a getctag change with nothing listed is how that quirk is detected.
func (s *Collection) Changes(ctx context.Context, cur string) (engine.Page, error) {
	page, err := s.changes(ctx, cur)
	if err != nil && s.gone != nil && collectionGone(err) {
		s.gone()
	}
	if err == nil {
		var groups []*engine.Group
		for _, c := range page.Changes {
			if g, ok := c.Item.(*engine.Group); ok {
				groups = append(groups, g)
			}
		}
		if err := s.resolveMembers(ctx, groups...); err != nil {
			return engine.Page{}, err
		}
	}
	return page, err
}

// resolveMembers translates the member UIDs of groups read from an incremental listing or a GET, which may name
// contacts this Collection has not read: then every card is read once (learnUIDs) and the members translated
// again, so members are always the hrefs of the contacts store (the engine maps them through its contact links).
// A member whose card does not exist keeps its UID.
func (s *Collection) resolveMembers(ctx context.Context, groups ...*engine.Group) error {
	if s.isCalendar() || len(groups) == 0 {
		return nil
	}
	s.mu.Lock()
	known := make(map[string]bool, len(s.uids))
	for _, h := range s.uids {
		known[h] = true
	}
	missing := false
	for _, g := range groups {
		for _, m := range g.Members {
			missing = missing || !known[m]
		}
	}
	learned := s.learned
	s.mu.Unlock()
	if !missing || learned {
		return nil
	}
	if err := s.learnUIDs(ctx); err != nil {
		return err
	}
	for _, g := range groups {
		g.Members = s.membersToHrefs(g.Members)
	}
	return nil
}

// learnUIDs reads every card of the address book that this Collection has not read yet (one PROPFIND and the
// multigets), so that every vCard UID → href is known.
func (s *Collection) learnUIDs(ctx context.Context) error {
	l, err := s.list(ctx)
	if err != nil {
		return fmt.Errorf("reading the address book to translate group members: %w", err)
	}
	var hrefs []string
	s.mu.Lock()
	for _, e := range l {
		if c, ok := s.cache[e.href]; !ok || c.etag != e.etag {
			hrefs = append(hrefs, e.href)
		}
	}
	s.mu.Unlock()
	if _, err := s.multiget(ctx, hrefs, keepIfRoom); err != nil {
		return fmt.Errorf("reading the address book to translate group members: %w", err)
	}
	s.mu.Lock()
	s.learned = true
	s.mu.Unlock()
	return nil
}

// resolveHrefs makes sure the UIDs of a group's member hrefs are known before it is written.
func (s *Collection) resolveHrefs(ctx context.Context, item engine.Item) error {
	g, ok := item.(*engine.Group)
	if !ok || s.isCalendar() {
		return nil
	}
	s.mu.Lock()
	known := make(map[string]bool, len(s.uids))
	for _, h := range s.uids {
		known[h] = true
	}
	missing := false
	for _, m := range g.Members {
		missing = missing || (strings.HasPrefix(m, "/") && !known[m])
	}
	learned := s.learned
	s.mu.Unlock()
	if !missing || learned {
		return nil
	}
	return s.learnUIDs(ctx)
}

// collectionGone reports whether a request on the collection failed in a way that says the collection is not
// (or no longer) where it was found: the connector then finds it again on the next Open.
func collectionGone(err error) bool {
	switch statusOf(err) {
	case http.StatusNotFound, http.StatusGone, http.StatusMovedPermanently, http.StatusFound, http.StatusPermanentRedirect,
		http.StatusTemporaryRedirect:
		return true
	case http.StatusForbidden:
		var he *httpError
		return errors.As(err, &he) && he.Method != "REPORT" // a REPORT's 403 is an expired sync token
	}
	return false
}

// needsCTag reports whether a poll with cursor c must read getctag before the sync-collection REPORT to detect
// a silent empty answer to an unknown token (DAViCal).
func (s *Collection) needsCTag(c cursor) bool {
	return strings.HasPrefix(c.Token, "data:,") || s.c.isDAViCal()
}

func (s *Collection) changes(ctx context.Context, cur string) (engine.Page, error) {
	if cur == "" {
		return s.fullListing(ctx)
	}
	c, err := decodeCursor(cur)
	if err != nil {
		return engine.Page{}, err
	}
	if c.URL != "" && c.URL != s.url {
		return engine.Page{}, fmt.Errorf("%w: the cursor was made on collection %s, not %s", engine.ErrCursorExpired, c.URL, s.url)
	}
	if c.Mode == "s" && !s.fallback && !s.needsCTag(c) {
		return s.syncCollection(ctx, c, "")
	}
	token, ctag, err := s.state(ctx)
	if err != nil {
		return engine.Page{}, err
	}
	// A getctag that is a bare number is a timestamp (SOGo: seconds) and cannot show a change made in the same
	// second as the cursor, so it never short-cuts the listing.
	if ctag != "" && ctag == c.CTag && !isTimestampToken(ctag) && (c.Mode == "e" || token == "" || token == c.Token || isTimestampToken(c.Token)) {
		// Nothing changed since the cursor was made.
		next := c
		next.URL = s.url
		if c.Mode == "s" && token != "" && !isTimestampToken(c.Token) {
			next.Token = token
		}
		return engine.Page{Next: encodeCursor(next), Complete: true}, nil
	}
	if c.Mode == "e" || s.fallback {
		return s.etagDiff(ctx, c, ctag, token)
	}
	return s.syncCollection(ctx, c, ctag)
}

// isTimestampToken reports whether a sync token is a bare number (SOGo's Unix-seconds tokens).
func isTimestampToken(t string) bool {
	if t == "" || len(t) > 20 {
		return false
	}
	_, err := strconv.ParseInt(t, 10, 64)
	return err == nil
}

// nextToken returns the token to save after a sync. SOGo's tokens are Unix seconds and a change landing later in
// the same second as the token would be missed; stepping one second back makes the next sync list that second
// again (repeats are harmless: the engine ignores a version it has seen).
func nextToken(t string) string {
	if isTimestampToken(t) {
		n, _ := strconv.ParseInt(t, 10, 64)
		if n > 0 {
			return strconv.FormatInt(n-1, 10)
		}
	}
	return t
}

type hrefETag struct {
	href, etag string
}

// list reads every member resource of the collection with its etag (PROPFIND depth 1).
func (s *Collection) list(ctx context.Context) ([]hrefETag, error) {
	var out []hrefETag
	err := s.c.propfindEach(ctx, s.url, "1", `<D:getetag/><D:resourcetype/><D:getcontenttype/>`, func(r *msResponse) error {
		if len(r.Hrefs) == 0 {
			return nil
		}
		href := s.c.hrefPath(r.Hrefs[0])
		if strings.HasSuffix(href, "/") || href == strings.TrimSuffix(s.url, "/") {
			return nil // the collection itself or a sub-collection
		}
		p := r.okProps()
		if p.ResourceType != nil && p.ResourceType.Collection != nil {
			return nil
		}
		if p.ETag == "" {
			return fmt.Errorf("listing %s: %s has no getetag", s.url, href)
		}
		out = append(out, hrefETag{href, p.ETag})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func listingHash(l []hrefETag) string {
	ss := make([]string, len(l))
	for i, e := range l {
		ss[i] = e.href + "\x00" + e.etag
	}
	slices.Sort(ss)
	h := sha256.New()
	for _, x := range ss {
		h.Write([]byte(x))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// initialToken asks for a sync token with an initial sync-collection report (empty token), for servers that do
// not report DAV:sync-token in PROPFIND (SOGo). It returns "" when the server has no sync-collection.
func (s *Collection) initialToken(ctx context.Context) string {
	body := `<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
	resp, err := s.c.report(ctx, s.url, "0", body)
	if err != nil {
		return ""
	}
	ms, err := parseMultistatus(resp.Body)
	if err != nil {
		return ""
	}
	return ms.SyncToken
}

func (s *Collection) fullListing(ctx context.Context) (engine.Page, error) {
	token, ctag, err := s.state(ctx)
	if err != nil {
		return engine.Page{}, err
	}
	if token == "" && !s.fallback {
		token = s.initialToken(ctx)
	}
	l, err := s.list(ctx)
	if err != nil {
		return engine.Page{}, err
	}
	hrefs := make([]string, len(l))
	for i, e := range l {
		hrefs[i] = e.href
	}
	got, err := s.multiget(ctx, hrefs, keepIfRoom)
	if err != nil {
		return engine.Page{}, err
	}
	page := engine.Page{Complete: true}
	for _, e := range l {
		r, ok := got[e.href]
		if !ok {
			continue // deleted between the listing and the multiget
		}
		if ch, ok := s.change(r); ok {
			page.Changes = append(page.Changes, ch)
		}
	}
	s.mu.Lock()
	s.listing = map[string]string{}
	for _, e := range l {
		s.listing[e.href] = e.etag
	}
	s.mu.Unlock()
	if token != "" && !s.fallback {
		page.Next = encodeCursor(cursor{Mode: "s", Token: nextToken(token), CTag: ctag, URL: s.url})
	} else {
		page.Next = encodeCursor(cursor{Mode: "e", CTag: ctag, Hash: listingHash(l), URL: s.url})
	}
	return page, nil
}

// change turns a fetched resource into a Change of this store's kind; resources of another kind (a VTODO in the
// appointment store) are left out.
func (s *Collection) change(r engine.Remote) (engine.Change, bool) {
	if r.Item != nil && r.Item.ItemKind() != s.kind {
		return engine.Change{}, false
	}
	return engine.Change{ID: r.ID, Version: r.Version, Item: r.Item, Marker: r.Marker}, true
}

func (s *Collection) syncCollection(ctx context.Context, c cursor, ctag string) (engine.Page, error) {
	body := `<D:sync-collection xmlns:D="DAV:"><D:sync-token>` + escapeXML(c.Token) +
		`</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
	resp, err := s.c.report(ctx, s.url, "0", body)
	if err != nil {
		st := statusOf(err)
		switch {
		case st == http.StatusForbidden || st == http.StatusConflict:
			if strings.Contains(err.Error(), "valid-sync-token") || st == http.StatusForbidden {
				return engine.Page{}, fmt.Errorf("%w: %w", engine.ErrCursorExpired, err)
			}
		case st >= 500 || st == http.StatusNotImplemented || st == http.StatusBadRequest:
			// Xandikos answers an unknown token with 500; servers without the report answer 501 or 400. Compare
			// etag listings from now on; the expired cursor makes the engine do a full listing.
			s.log.Info("dav: sync-collection failed; falling back to etag listings", "collection", s.url, "err", err)
			s.setFallback(ctx)
			return engine.Page{}, fmt.Errorf("%w: sync-collection failed: %w", engine.ErrCursorExpired, err)
		}
		return engine.Page{}, err
	}
	var changed []string
	versions := map[string]string{}
	page := engine.Page{}
	more := false
	own := 0
	syncToken, err := eachResponse(resp.Body, func(r *msResponse) error {
		if len(r.Hrefs) == 0 {
			return nil
		}
		href := s.c.hrefPath(r.Hrefs[0])
		if code := statusCode(r.Status); code == http.StatusInsufficientStorage {
			more = true // truncated result (RFC 6578 §3.6): continue with the returned token
			return nil
		}
		if strings.HasSuffix(href, "/") {
			return nil
		}
		if statusCode(r.Status) == http.StatusNotFound {
			s.forget(href)
			if s.conn != nil && s.conn.isOwn(href, "", true) {
				own++
				return nil
			}
			page.Changes = append(page.Changes, engine.Change{ID: href, Deleted: true})
			return nil
		}
		p := r.okProps()
		if s.conn != nil && s.conn.isOwn(href, p.ETag, false) {
			own++ // the echo of our own write: the engine already has this version
			return nil
		}
		changed = append(changed, href)
		versions[href] = p.ETag
		return nil
	})
	if err != nil {
		return engine.Page{}, err
	}
	if len(page.Changes) == 0 && len(changed) == 0 && own == 0 && !more && ctag != "" && c.CTag != "" && ctag != c.CTag &&
		!isTimestampToken(c.Token) {
		// The collection changed but the server listed nothing for our token: DAViCal answers tokens it does not
		// know like this. Do not trust sync-collection on this server any more.
		s.log.Info("dav: sync-collection listed nothing although getctag changed; falling back to etag listings", "collection", s.url)
		s.setFallback(ctx)
		return engine.Page{}, fmt.Errorf("%w: sync-collection answered an empty result although the collection changed", engine.ErrCursorExpired)
	}
	// The content is not fetched here: most entries after our own writes are echoes whose version the engine
	// already has, and it only calls Get for the others. Get then fetches the listed hrefs in multiget chunks.
	s.mu.Lock()
	s.prefetched = nil
	s.pending = changed
	s.pendingAt = map[string]int{}
	for i, h := range changed {
		s.pendingAt[h] = i
	}
	s.mu.Unlock()
	for _, href := range changed {
		page.Changes = append(page.Changes, engine.Change{ID: href, Version: versions[href], Marker: markerOf(href)})
	}
	token := syncToken
	if token == "" {
		token = c.Token
	}
	page.Complete = true // removed members are listed (404): a reliable tombstone for every deletion
	page.More = more
	page.Next = encodeCursor(cursor{Mode: "s", Token: nextToken(token), CTag: ctagIf(!more, ctag), URL: s.url})
	return page, nil
}

// setFallback switches the Collection to etag listings and remembers it for later Opens.
func (s *Collection) setFallback(ctx context.Context) {
	s.mu.Lock()
	s.fallback = true
	s.mu.Unlock()
	s.save(ctx)
}

func ctagIf(ok bool, ctag string) string {
	if ok {
		return ctag
	}
	return ""
}

// etagDiff lists the collection's etags and reports what differs from the last listing this Store made. Without
// that listing (a restarted process) the cursor cannot be used and the engine does a full listing.
func (s *Collection) etagDiff(ctx context.Context, c cursor, ctag, token string) (engine.Page, error) {
	l, err := s.list(ctx)
	if err != nil {
		return engine.Page{}, err
	}
	h := listingHash(l)
	next := encodeCursor(cursor{Mode: "e", CTag: ctag, Hash: h, URL: s.url})
	if h == c.Hash {
		return engine.Page{Next: next, Complete: true}, nil
	}
	s.mu.Lock()
	prev := s.listing
	s.mu.Unlock()
	if prev == nil || c.Mode != "e" || listingHashMap(prev) != c.Hash {
		return engine.Page{}, fmt.Errorf("%w: no etag listing for this cursor in this process", engine.ErrCursorExpired)
	}
	page := engine.Page{Next: next, Complete: true} // the whole collection was compared: deletions included
	cur := map[string]string{}
	var changed []string
	for _, e := range l {
		cur[e.href] = e.etag
		if prev[e.href] != e.etag {
			if s.conn != nil && s.conn.isOwn(e.href, e.etag, false) {
				continue // the echo of our own write: the engine has this version, nothing to download
			}
			changed = append(changed, e.href)
		}
	}
	for href := range prev {
		if _, ok := cur[href]; !ok {
			s.forget(href)
			if s.conn != nil && s.conn.isOwn(href, "", true) {
				continue
			}
			page.Changes = append(page.Changes, engine.Change{ID: href, Deleted: true})
		}
	}
	got, err := s.multiget(ctx, changed, keepIfRoom)
	if err != nil {
		return engine.Page{}, err
	}
	for _, href := range changed {
		if r, ok := got[href]; ok {
			if ch, ok := s.change(r); ok {
				page.Changes = append(page.Changes, ch)
			}
		} else {
			page.Changes = append(page.Changes, engine.Change{ID: href, Deleted: true})
		}
	}
	s.mu.Lock()
	s.listing = cur
	s.mu.Unlock()
	return page, nil
}

func listingHashMap(m map[string]string) string {
	l := make([]hrefETag, 0, len(m))
	for k, v := range m {
		l = append(l, hrefETag{k, v})
	}
	return listingHash(l)
}

// ListIDs returns the hrefs of every resource of this store's kind. Resources whose kind is unknown without
// reading them are included when the collection holds a single kind.
func (s *Collection) ListIDs(ctx context.Context) ([]string, error) {
	l, err := s.list(ctx)
	if err != nil {
		return nil, err
	}
	hrefs := make([]string, len(l))
	for i, e := range l {
		hrefs[i] = e.href
	}
	got, err := s.multiget(ctx, hrefs, keepIfRoom)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hrefs {
		if r, ok := got[h]; ok && r.Item != nil && r.Item.ItemKind() == s.kind {
			out = append(out, h)
		}
	}
	return out, nil
}

// multiget fetches resources by href with calendar-multiget / addressbook-multiget, chunk by chunk, several
// chunks in flight. Resources the server reports as missing are absent from the result; resources that cannot be
// parsed are returned with a nil Item and logged.
func (s *Collection) multiget(ctx context.Context, hrefs []string, keep keepMode) (map[string]engine.Remote, error) {
	out := make(map[string]engine.Remote, len(hrefs))
	if len(hrefs) == 0 {
		return out, nil
	}
	var chunks [][]string
	for i := 0; i < len(hrefs); i += s.chunk {
		chunks = append(chunks, hrefs[i:min(i+s.chunk, len(hrefs))])
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, max(1, s.inFlight))
	)
	for _, ch := range chunks {
		wg.Add(1)
		sem <- struct{}{}
		go func(ch []string) {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := s.multigetChunk(ctx, ch, keep)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			for k, v := range res {
				out[k] = v
			}
		}(ch)
	}
	wg.Wait()
	return out, firstErr
}

func (s *Collection) multigetChunk(ctx context.Context, hrefs []string, keep keepMode) (map[string]engine.Remote, error) {
	var b strings.Builder
	if s.isCalendar() {
		b.WriteString(`<C:calendar-multiget xmlns:D="DAV:" xmlns:C="` + nsCal + `"><D:prop><D:getetag/><C:calendar-data/></D:prop>`)
	} else {
		b.WriteString(`<CR:addressbook-multiget xmlns:D="DAV:" xmlns:CR="` + nsCard + `"><D:prop><D:getetag/><CR:address-data/></D:prop>`)
	}
	for _, h := range hrefs {
		b.WriteString("<D:href>" + escapeXML(h) + "</D:href>")
	}
	if s.isCalendar() {
		b.WriteString(`</C:calendar-multiget>`)
	} else {
		b.WriteString(`</CR:addressbook-multiget>`)
	}
	resp, err := s.c.report(ctx, s.url, "1", b.String())
	if err != nil {
		return nil, err
	}
	out := make(map[string]engine.Remote, len(hrefs))
	// Each resource is parsed as soon as its response is decoded, so the chunk's text is held once (in the body)
	// plus one resource at a time, never as a second decoded copy of the whole chunk.
	_, err = eachResponse(resp.Body, func(r *msResponse) error {
		if len(r.Hrefs) == 0 || statusCode(r.Status) == http.StatusNotFound {
			return nil
		}
		p := r.okProps()
		var data *string
		if s.isCalendar() {
			data = p.CalData
		} else {
			data = p.AddrData
		}
		if data == nil {
			return nil
		}
		href := s.c.hrefPath(r.Hrefs[0])
		rem, err := s.decode(href, p.ETag, []byte(*data), keep)
		if err != nil {
			s.log.Warn("dav: cannot read resource", "href", href, "err", err)
			return nil
		}
		out[href] = rem
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decode parses a resource, remembers its raw form for later merges (as keep says), and maps it.
func (s *Collection) decode(href, etag string, data []byte, keep keepMode) (engine.Remote, error) {
	var (
		it   engine.Item
		comp *ical.Component
		err  error
	)
	if s.isCalendar() {
		it, comp, err = decodeCalendar(data)
	} else {
		it, comp, err = decodeVCard(data)
	}
	if err != nil {
		var ie *engine.ItemError
		if errors.As(err, &ie) {
			ie.ID = href
			return engine.Remote{}, ie
		}
		return engine.Remote{}, &engine.ItemError{ID: href, Field: "content", Err: err}
	}
	s.mu.Lock()
	s.dropLocked(href)
	if keep == keepAlways || keep == keepIfRoom && s.cacheBytes+len(data) <= s.budget {
		s.cache[href] = cached{etag: etag, raw: data}
		s.cacheBytes += len(data)
	}
	if !s.isCalendar() {
		if p := comp.Prop("UID"); p != nil {
			s.uids[memberUID(p.Value)] = href // members name cards by UID without "urn:uuid:"
		}
	}
	s.mu.Unlock()
	if g, ok := it.(*engine.Group); ok {
		g.Members = s.membersToHrefs(g.Members)
	}
	return engine.Remote{ID: href, Version: etag, Item: it, Marker: markerOf(href)}, nil
}

func (s *Collection) forget(href string) {
	s.mu.Lock()
	s.dropLocked(href)
	s.mu.Unlock()
}

// dropLocked removes the cached text of href; s.mu is held.
func (s *Collection) dropLocked(href string) {
	if c, ok := s.cache[href]; ok {
		s.cacheBytes -= len(c.raw)
		delete(s.cache, href)
	}
}

// membersToHrefs translates group member UIDs to the hrefs of the contacts this store has seen; members it has
// not seen keep their UID so they are not lost.
func (s *Collection) membersToHrefs(uids []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(uids))
	for i, u := range uids {
		if h, ok := s.uids[u]; ok {
			out[i] = h
		} else {
			out[i] = u
		}
	}
	return out
}

func (s *Collection) hrefsToMembers(hrefs []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rev := map[string]string{}
	for u, h := range s.uids {
		rev[h] = u
	}
	out := make([]string, len(hrefs))
	for i, h := range hrefs {
		if u, ok := rev[h]; ok {
			out[i] = u
		} else {
			out[i] = h
		}
	}
	return out
}

var safeMarker = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// hrefFor derives the client-chosen href of a new resource from its idempotency marker.
func (s *Collection) hrefFor(marker string) string {
	name := marker
	if !safeMarker.MatchString(marker) {
		sum := sha256.Sum256([]byte(marker))
		name = "m-" + hex.EncodeToString(sum[:20])
	}
	return s.url + name + s.ext()
}

// markerOf returns the marker part of an href we chose ("" for hrefs of other clients is not knowable, so the
// base name without extension is returned; the engine only compares it with markers it issued).
func markerOf(href string) string {
	b := path.Base(href)
	return strings.TrimSuffix(strings.TrimSuffix(b, ".ics"), ".vcf")
}

// Get reads one resource. For an href the last sync-collection listed, it fetches that href and the next listed
// ones in one multiget (the engine asks for the changed items one after the other).
func (s *Collection) Get(ctx context.Context, id string) (engine.Remote, error) {
	if r, ok := s.fromPending(ctx, id); ok {
		if g, ok := r.Item.(*engine.Group); ok {
			if err := s.resolveMembers(ctx, g); err != nil {
				return engine.Remote{}, err
			}
		}
		return r, nil
	}
	r, err := s.getDirect(ctx, id)
	if err != nil {
		return engine.Remote{}, err
	}
	if g, ok := r.Item.(*engine.Group); ok {
		if err := s.resolveMembers(ctx, g); err != nil {
			return engine.Remote{}, err
		}
	}
	return r, nil
}

// getDirect reads one resource with a GET (never from the read-ahead) and keeps its text.
func (s *Collection) getDirect(ctx context.Context, id string) (engine.Remote, error) {
	resp, err := s.c.do(ctx, "GET", id, nil, nil)
	if err != nil {
		if statusOf(err) == http.StatusNotFound || statusOf(err) == http.StatusGone {
			return engine.Remote{}, fmt.Errorf("%s: %w", id, engine.ErrNotFound)
		}
		return engine.Remote{}, err
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		if etag, err = s.etagOf(ctx, id); err != nil {
			return engine.Remote{}, err
		}
	}
	r, err := s.decode(s.c.hrefPath(id), etag, resp.Body, keepAlways)
	if err != nil {
		return engine.Remote{}, err
	}
	if r.Item.ItemKind() != s.kind {
		return engine.Remote{}, fmt.Errorf("%s holds a %s, not a %s: %w", id, r.Item.ItemKind(), s.kind, engine.ErrNotFound)
	}
	return r, nil
}

func (s *Collection) etagOf(ctx context.Context, href string) (string, error) {
	ms, err := s.c.propfind(ctx, href, "0", `<D:getetag/>`)
	if err != nil {
		return "", err
	}
	for i := range ms.Responses {
		if e := ms.Responses[i].okProps().ETag; e != "" {
			return e, nil
		}
	}
	return "", fmt.Errorf("%s: the server reports no ETag", href)
}

// FindByMarker finds the resource created with marker: a GET of the href derived from it.
func (s *Collection) FindByMarker(ctx context.Context, marker string) (engine.Remote, error) {
	r, err := s.Get(ctx, s.hrefFor(marker))
	if err != nil {
		return engine.Remote{}, err
	}
	r.Marker = marker
	return r, nil
}

func (s *Collection) encode(base *ical.Component, item engine.Item, uid string) ([]byte, error) {
	if item == nil {
		return nil, &engine.ItemError{Field: "kind", Err: errors.New("no item")}
	}
	if item.ItemKind() != s.kind {
		return nil, &engine.ItemError{Field: "kind", Err: fmt.Errorf("a %s store cannot hold a %s", s.kind, item.ItemKind())}
	}
	var comp *ical.Component
	var err error
	if s.isCalendar() {
		comp, err = encodeCalendar(base, item, uid, s.now())
	} else {
		if g, ok := item.(*engine.Group); ok {
			cp := *g
			cp.Members = s.hrefsToMembers(g.Members)
			item = &cp
		}
		comp, err = encodeVCard(base, item, uid)
	}
	if err != nil {
		return nil, err
	}
	return comp.Encode(), nil
}

// Create writes a new resource at the href derived from marker with If-None-Match: *. If that href already
// exists, the create already happened (a retry after a crash or a lost answer) and the stored resource is
// returned. When the server does not answer with an ETag (it changed what we sent, as DAViCal does for scheduling),
// the stored resource is read back so the engine records what the server holds.
func (s *Collection) Create(ctx context.Context, item engine.Item, marker string) (engine.Remote, error) {
	if marker == "" {
		return engine.Remote{}, errors.New("dav: create needs an idempotency marker")
	}
	href := s.hrefFor(marker)
	uid := strings.TrimSuffix(path.Base(href), s.ext())
	if s.isCalendar() {
		uid += "@synchronizer"
	}
	if err := s.resolveHrefs(ctx, item); err != nil {
		return engine.Remote{}, err
	}
	body, err := s.encode(nil, item, uid)
	if err != nil {
		return engine.Remote{}, err
	}
	s.mu.Lock()
	lookFirst := s.ignoresIfNoneMatch
	s.mu.Unlock()
	if lookFirst {
		if r, err := s.FindByMarker(ctx, marker); err == nil {
			return r, nil
		} else if !errors.Is(err, engine.ErrNotFound) {
			return engine.Remote{}, err
		}
	}
	resp, err := s.c.do(ctx, "PUT", href, map[string]string{"Content-Type": s.contentType(), "If-None-Match": "*"}, body)
	if err == nil && resp.Status == http.StatusNoContent {
		s.log.Warn("dav: the server replaced an existing resource although the create said If-None-Match: *; creates will check first", "href", href)
		s.mu.Lock()
		s.ignoresIfNoneMatch = true
		s.mu.Unlock()
		s.save(ctx)
	}
	if err != nil {
		if statusOf(err) == http.StatusPreconditionFailed {
			r, gerr := s.FindByMarker(ctx, marker)
			if gerr == nil {
				return r, nil
			}
		}
		return engine.Remote{}, s.writeErr(href, err)
	}
	return s.afterWrite(ctx, href, marker, resp, body, item)
}

// noteOwn tells the connector the version we hold of href after our write (see Connector.noteOwn).
func (s *Collection) noteOwn(href, etag string) {
	if s.conn != nil {
		s.conn.noteOwn(href, etag)
	}
}

// afterWrite returns what the server holds after a PUT. RFC 4791 §5.3.4 says a strong ETag in the answer means
// the server stored what we sent, but SOGo rewrites and still answers with an ETag, so the connector reads the
// resource back when: there is no (strong) ETag (DAViCal's scheduling rewrite), the write is among the
// collection's first few (and first few with an organizer or attendees, which scheduling servers rewrite), or the
// server was seen rewriting before. The engine then records the stored content as its base and copies nothing back.
func (s *Collection) afterWrite(ctx context.Context, href, marker string, resp *response, body []byte, sent engine.Item) (engine.Remote, error) {
	etag := resp.Header.Get("ETag")
	s.mu.Lock()
	s.writes++
	verify := s.rewrites || s.writes <= verifyWrites
	if scheduling(sent) {
		s.schedWrites++
		verify = verify || s.schedWrites <= verifyWrites
	}
	s.mu.Unlock()
	if etag != "" && !strings.HasPrefix(etag, "W/") && !verify {
		r, err := s.decode(href, etag, body, keepNot)
		if err != nil {
			return engine.Remote{}, err
		}
		r.Marker = marker
		s.noteOwn(href, r.Version)
		return r, nil
	}
	r, err := s.Get(ctx, href)
	if err != nil {
		return engine.Remote{}, fmt.Errorf("reading back %s after writing it: %w", href, err)
	}
	learnedNow := false
	if mine, err := s.decodeOnly(body); err == nil {
		s.mu.Lock()
		switch {
		case !same(mine, r.Item):
			if !s.rewrites {
				s.log.Info("dav: the server rewrites what we store; every write is read back", "href", href)
				learnedNow = true
			}
			s.rewrites = true
		case !s.rewrites:
			// Stored as sent: once verifyWrites writes (and as many scheduling writes) were, later Opens trust
			// the server's ETag without reading back.
			if s.verified < verifyWrites {
				s.verified++
				learnedNow = learnedNow || s.verified == verifyWrites
			}
			if scheduling(sent) && s.schedVerified < verifyWrites {
				s.schedVerified++
				learnedNow = learnedNow || s.schedVerified == verifyWrites
			}
		}
		s.mu.Unlock()
	}
	if learnedNow {
		s.save(ctx)
	}
	s.forget(href) // the read-back's text: the engine does not update what it just wrote in this run
	r.Marker = marker
	s.noteOwn(href, r.Version)
	return r, nil
}

// scheduling reports whether an item has an organizer or attendees.
func scheduling(it engine.Item) bool {
	a, ok := it.(*engine.Appointment)
	return ok && (a.Organizer != nil || len(a.Attendees) > 0)
}

// decodeOnly maps a body without touching the cache.
func (s *Collection) decodeOnly(body []byte) (engine.Item, error) {
	var it engine.Item
	var err error
	if s.isCalendar() {
		it, _, err = decodeCalendar(body)
	} else {
		it, _, err = decodeVCard(body)
	}
	if g, ok := it.(*engine.Group); ok && err == nil {
		g.Members = s.membersToHrefs(g.Members)
	}
	return it, err
}

func (s *Collection) writeErr(href string, err error) error {
	switch statusOf(err) {
	case http.StatusPreconditionFailed:
		return fmt.Errorf("%s: %w", href, engine.ErrPrecondition)
	case http.StatusNotFound, http.StatusGone:
		return fmt.Errorf("%s: %w", href, engine.ErrNotFound)
	case http.StatusForbidden, http.StatusConflict, http.StatusUnsupportedMediaType, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		// The server refused the content (a CalDAV precondition such as valid-calendar-data or no-uid-conflict).
		return &engine.ItemError{ID: href, Field: "content", Err: err}
	}
	return err
}

// Update merges item into the stored resource and writes it with If-Match: version.
func (s *Collection) Update(ctx context.Context, id, version string, item engine.Item) (engine.Remote, error) {
	s.mu.Lock()
	c, ok := s.cache[id]
	s.mu.Unlock()
	if !ok || c.etag != version {
		// Not kept (beyond cacheBudget, or not read in this run): read it, from the server, not from the
		// read-ahead, whose text may not have been kept either.
		r, err := s.getDirect(ctx, id)
		if err != nil {
			return engine.Remote{}, err
		}
		if r.Version != version {
			return engine.Remote{}, fmt.Errorf("%s: %w", id, engine.ErrPrecondition)
		}
		s.mu.Lock()
		c, ok = s.cache[id]
		s.mu.Unlock()
		if !ok || c.etag != version {
			// Dropped by a concurrent listing or write of the same href: the base is not known for sure.
			return engine.Remote{}, fmt.Errorf("%s changed while it was being updated: %w", id, engine.ErrPrecondition)
		}
	}
	if err := s.resolveHrefs(ctx, item); err != nil {
		return engine.Remote{}, err
	}
	base, err := c.base(s.isCalendar())
	if err != nil {
		return engine.Remote{}, &engine.ItemError{ID: id, Field: "content", Err: err}
	}
	body, err := s.encode(base, item, strings.TrimSuffix(path.Base(id), s.ext()))
	if err != nil {
		var ie *engine.ItemError
		if errors.As(err, &ie) {
			ie.ID = id
		}
		return engine.Remote{}, err
	}
	resp, err := s.c.do(ctx, "PUT", id, map[string]string{"Content-Type": s.contentType(), "If-Match": version}, body)
	if err != nil {
		return engine.Remote{}, s.writeErr(id, err)
	}
	return s.afterWrite(ctx, id, "", resp, body, item)
}

// Delete deletes the resource if it still has version (unconditionally when version is empty), with If-Match.
// SOGo ignores If-Match on DELETE: on such servers (found by a probe on the first delete) the current ETag is
// checked first with a PROPFIND.
func (s *Collection) Delete(ctx context.Context, id, version string) error {
	hdr := map[string]string{}
	if version != "" {
		hdr["If-Match"] = version
	}
	if version != "" && s.deleteIgnoresIfMatch(ctx) {
		cur, err := s.etagOf(ctx, id)
		switch {
		case statusOf(err) == http.StatusNotFound || statusOf(err) == http.StatusGone:
			s.forget(id)
			return fmt.Errorf("%s: %w", id, engine.ErrNotFound)
		case err != nil:
			return err
		case cur != version:
			return fmt.Errorf("%s: %w", id, engine.ErrPrecondition)
		}
	}
	_, err := s.c.do(ctx, "DELETE", id, hdr, nil)
	s.forget(id)
	if err != nil {
		return s.writeErr(id, err)
	}
	s.noteOwn(id, ownDeleted)
	return nil
}

// MaxBatch is the number of writes Batch sends at once.
func (s *Collection) MaxBatch() int { return 32 }

// Batch runs the writes concurrently (at most the store's in-flight limit at a time; the governor enforces the
// server's). CalDAV has no multi-write request, so a batch saves round-trip latency, not requests.
//
// An update merges into the stored resource, so its raw text must be at hand: the bases the Collection has not read
// at the op's version are fetched first with one multiget per chunk (instead of one GET per update).
func (s *Collection) Batch(ctx context.Context, ops []engine.Op) ([]engine.OpResult, error) {
	var bases []string
	s.mu.Lock()
	for _, op := range ops {
		if c, ok := s.cache[op.ID]; op.Action == engine.ActionUpdate && (!ok || c.etag != op.Version) {
			bases = append(bases, op.ID)
		}
	}
	s.mu.Unlock()
	if len(bases) > 1 {
		_, _ = s.multiget(ctx, bases, keepAlways) // best effort: Update reads what is still missing with a GET
	}
	res := make([]engine.OpResult, len(ops))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, s.inFlight))
	for i, op := range ops {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, op engine.Op) {
			defer wg.Done()
			defer func() { <-sem }()
			switch op.Action {
			case engine.ActionCreate:
				res[i].Remote, res[i].Err = s.Create(ctx, op.Item, op.Marker)
			case engine.ActionUpdate:
				res[i].Remote, res[i].Err = s.Update(ctx, op.ID, op.Version, op.Item)
			case engine.ActionDelete:
				res[i].Err = s.Delete(ctx, op.ID, op.Version)
			default:
				res[i].Err = fmt.Errorf("dav: unknown batch action %q", op.Action)
			}
		}(i, op)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// CursorForToken builds a sync-token cursor, for tests and tools that start from a token they hold.
func CursorForToken(token, ctag string) string {
	return encodeCursor(cursor{Mode: "s", Token: token, CTag: ctag})
}

// fromPending serves Get from the read-ahead of the last sync-collection listing. It reports false when id was not
// listed or the multiget did not return it (the caller then does a plain GET).
func (s *Collection) fromPending(ctx context.Context, id string) (engine.Remote, bool) {
	s.mu.Lock()
	if r, ok := s.prefetched[id]; ok {
		delete(s.prefetched, id)
		s.mu.Unlock()
		return r, r.Item != nil && r.Item.ItemKind() == s.kind
	}
	i, ok := s.pendingAt[id]
	if !ok {
		s.mu.Unlock()
		return engine.Remote{}, false
	}
	var batch []string
	for _, h := range s.pending[i:] {
		if _, listed := s.pendingAt[h]; listed {
			batch = append(batch, h)
			delete(s.pendingAt, h)
		}
		if len(batch) == s.chunk {
			break
		}
	}
	s.mu.Unlock()
	got, err := s.multiget(ctx, batch, keepIfRoom)
	if err != nil {
		return engine.Remote{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prefetched == nil {
		s.prefetched = map[string]engine.Remote{}
	}
	for h, r := range got {
		if h != id {
			s.prefetched[h] = r
		}
	}
	r, ok := got[id]
	return r, ok && r.Item != nil && r.Item.ItemKind() == s.kind
}

// deleteIgnoresIfMatch probes once per Collection whether the server ignores If-Match on DELETE: it creates a
// probe resource and deletes it with a wrong If-Match. A failed probe counts as "ignores" (the safe side).
func (s *Collection) deleteIgnoresIfMatch(ctx context.Context) bool {
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	s.mu.Lock()
	p := s.deleteProbe
	s.mu.Unlock()
	if p != 0 {
		return p == 2
	}
	href := s.url + "synchronizer-probe-" + strconv.FormatInt(s.now().UnixNano(), 36) + s.ext()
	var body []byte
	if s.isCalendar() {
		body = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + prodID + "\r\nBEGIN:VTODO\r\nUID:" + path.Base(href) +
			"\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:probe\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
		if s.kind == engine.KindTask {
			body = []byte(strings.ReplaceAll(string(body), "VTODO", "VJOURNAL"))
		}
	} else {
		body = []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + path.Base(href) + "\r\nFN:probe\r\nN:probe;;;;\r\nEND:VCARD\r\n")
	}
	result, answered := 2, false
	if _, err := s.c.do(ctx, "PUT", href, map[string]string{"Content-Type": s.contentType(), "If-None-Match": "*"}, body); err == nil {
		_, err := s.c.do(ctx, "DELETE", href, map[string]string{"If-Match": `"synchronizer-probe-mismatch"`}, nil)
		answered = err == nil || statusOf(err) == http.StatusPreconditionFailed
		if statusOf(err) == http.StatusPreconditionFailed {
			result = 1
			_, err = s.c.do(ctx, "DELETE", href, nil, nil)
		}
		if err == nil {
			s.noteOwn(href, ownDeleted) // the probe's tombstone is ours: the next listing leaves it out
		}
	}
	s.mu.Lock()
	s.deleteProbe = result
	s.mu.Unlock()
	if answered {
		s.save(ctx) // a probe that failed is assumed "ignores" for this Collection only, not remembered
	}
	return result == 2
}
