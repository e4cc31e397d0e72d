// Package dav is the CalDAV/CardDAV connector: calendars (appointments and tasks, RFC 4791) and address books
// (contacts and groups, RFC 6352) on any DAV server, synced with RFC 6578 sync-collection where the server does it
// right and with etag listings where it does not. It works on either side of a profile, so it also syncs a
// calendar with another calendar.
//
// The connector is built by New from the settings {url, username, password, calendar?, addressbook?}. Open finds
// the collection for a scope (Scope.Container, then the configured name or URL, then discovery: well-known URL,
// current-user-principal, calendar-home-set / addressbook-home-set, first collection that holds the kind) and
// returns a *Collection. What Open found is kept by the connector, so later Opens (every engine run) send nothing
// until a request on the collection fails with 404, 410 or a redirect. Check runs the preflight checks.
package dav

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Type is the connector type name used in profiles and limit scopes.
const Type = "caldav"

// Settings configure one CalDAV/CardDAV server.
type Settings struct {
	// URL is the server's base URL or any URL on it (a principal, a home set or a collection): discovery starts
	// there, then tries /.well-known/caldav and /.well-known/carddav.
	URL string `json:"url"`
	// Username and Password are sent with HTTP Basic auth; app passwords work the same way.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// Calendar optionally names the calendar to sync: a collection URL or path, or a display name. Empty picks
	// the first calendar that holds the kind.
	Calendar string `json:"calendar,omitempty"`
	// AddressBook optionally names the address book the same way.
	AddressBook string `json:"addressbook,omitempty"`
	// MaxInFlight bounds concurrent requests to the server (default 4).
	MaxInFlight int `json:"maxInFlight,omitempty"`
}

// Connector is one configured CalDAV/CardDAV server.
type Connector struct {
	set  Settings
	base *url.URL
	c    *client
	now  func() time.Time
	log  *slog.Logger

	mu sync.Mutex
	// found caches what Open found per (kind, configured name or URL): the collection's href. Open asks the
	// server only the first time (discovery, or one depth-0 PROPFIND that checks a named URL) and again after a
	// request on the collection failed with 404, 410, a redirect or a PROPFIND 403 (Collection.gone).
	found map[string]string
	// disc is the last discovery Open ran, shared by the kinds (dropped with found when a collection is gone).
	disc *Discovery

	// secrets is the instance's secret store (nil: none), where the learned records are kept.
	secrets engine.Secrets
	// lmu guards learned: what the collections learned about the server, by collection href (see learned).
	lmu           sync.Mutex
	learned       map[string]learned
	learnedLoaded bool
	// omu guards own: the version (ETag, or ownDeleted) of each resource this connector wrote or deleted and no
	// listing has shown since; the next sync-collection leaves these echoes out.
	omu sync.Mutex
	own map[string]string
}

// discovered returns the discovery of this connector, running it the first time.
func (c *Connector) discovered(ctx context.Context) (*Discovery, error) {
	c.mu.Lock()
	d := c.disc
	c.mu.Unlock()
	if d != nil {
		return d, nil
	}
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.disc = d
	c.mu.Unlock()
	return d, nil
}

var (
	_ engine.Connector = (*Connector)(nil)
	_ engine.Checker   = (*Connector)(nil)
	_ engine.Factory   = New
)

// New is the engine.Factory of the caldav connector. It validates the settings and calls nothing remote.
func New(_ context.Context, raw json.RawMessage, env engine.Env) (engine.Connector, error) {
	set, err := decodeSettings(raw)
	if err != nil {
		return nil, err
	}
	return NewConnector(set, env)
}

// CheckEntered validates settings JSON as New does, without building anything: every caldav setting is typed by
// the admin (no sign-in fills one in), so a profile is refused at save time what its first run would refuse. Errors
// are *SettingsError (an *engine.InputError naming the settings key) or, for JSON that does not decode (unknown
// fields included), a plain error.
func CheckEntered(raw json.RawMessage) error {
	set, err := decodeSettings(raw)
	if err != nil {
		return err
	}
	_, err = set.validate()
	return err
}

// decodeSettings decodes settings JSON; unknown fields are errors.
func decodeSettings(raw json.RawMessage) (Settings, error) {
	var set Settings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		return Settings{}, fmt.Errorf("caldav settings: %w", err)
	}
	return set, nil
}

// validate fills the defaults of set and returns its parsed URL; errors are *SettingsError naming the field.
func (set *Settings) validate() (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(set.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, settingsErr("url", "want an http or https URL, got %q", set.URL)
	}
	if set.MaxInFlight < 0 || set.MaxInFlight > 64 {
		return nil, settingsErr("maxInFlight", "want 0..64, got %d", set.MaxInFlight)
	}
	if set.MaxInFlight == 0 {
		set.MaxInFlight = 4
	}
	return u, nil
}

// SettingsError is a setting the connector refuses. It unwraps to the *engine.InputError naming the settings key
// (Field "url") and reads "caldav settings: field url: want …".
type SettingsError struct{ *engine.InputError }

// Error reads "caldav settings: field <key>: <reason>".
func (e *SettingsError) Error() string {
	return "caldav settings: field " + e.Field + ": " + e.Reason
}

// Unwrap returns the *engine.InputError, so errors.As finds the field.
func (e *SettingsError) Unwrap() error { return e.InputError }

func settingsErr(field, format string, a ...any) error {
	return &SettingsError{&engine.InputError{Field: field, Reason: fmt.Sprintf(format, a...)}}
}

// NewConnector builds the connector from decoded settings. Settings at fault are refused with a *SettingsError
// (an *engine.InputError naming the settings key).
func NewConnector(set Settings, env engine.Env) (*Connector, error) {
	u, err := set.validate()
	if err != nil {
		return nil, err
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("connector", Type, "server", u.Host)
	now := env.Now
	if now == nil {
		now = time.Now
	}
	gov := env.Governor
	if gov == nil {
		gov = engine.NoLimits{}
	}
	gov.Declare(Type, "server", engine.Limits{MaxInFlight: set.MaxInFlight})
	root := &url.URL{Scheme: u.Scheme, Host: u.Host, User: nil}
	cl := &client{
		base: root, user: set.Username, password: set.Password, http: newHTTPClient(env.HTTP), gov: gov,
		scope: engine.LimitScope{System: Type, Kind: "server", Key: u.Host}, log: log, retries: 3,
	}
	return &Connector{set: set, base: u, c: cl, now: now, log: log, secrets: env.Secrets}, nil
}

// Kinds lists appointments, tasks, contacts and groups.
func (*Connector) Kinds() []engine.Kind {
	return []engine.Kind{engine.KindAppointment, engine.KindTask, engine.KindContact, engine.KindGroup}
}

// CollectionInfo describes one calendar or address book found by discovery.
type CollectionInfo struct {
	Href        string   // escaped path, ending in "/"
	DisplayName string   // may be empty
	Calendar    bool     // a calendar collection
	AddressBook bool     // an address book collection
	Components  []string // supported calendar components (VEVENT, VTODO); empty means all
	SyncToken   bool     // the collection reports DAV:sync-token (RFC 6578)
}

func (ci CollectionInfo) holds(kind engine.Kind) bool {
	switch kind {
	case engine.KindAppointment, engine.KindTask:
		if !ci.Calendar {
			return false
		}
		if len(ci.Components) == 0 {
			return true
		}
		want := "VEVENT"
		if kind == engine.KindTask {
			want = "VTODO"
		}
		for _, c := range ci.Components {
			if strings.EqualFold(c, want) {
				return true
			}
		}
		return false
	case engine.KindContact, engine.KindGroup:
		return ci.AddressBook
	}
	return false
}

// Discovery is what discovery found on the server.
type Discovery struct {
	Principal    string
	CalendarHome string
	CardHome     string
	Collections  []CollectionInfo
}

// Discover finds the principal, the home sets and the collections in them.
func (c *Connector) Discover(ctx context.Context) (*Discovery, error) {
	d := &Discovery{}
	starts := []string{c.base.EscapedPath(), "/.well-known/caldav", "/.well-known/carddav", "/"}
	var lastErr error
	for _, st := range starts {
		if st == "" {
			continue
		}
		ms, err := c.c.propfind(ctx, st, "0", `<D:current-user-principal/><C:calendar-home-set/><CR:addressbook-home-set/><D:resourcetype/>`)
		if err != nil {
			if errors.Is(err, engine.ErrAuth) {
				return nil, err
			}
			lastErr = err
			continue
		}
		for i := range ms.Responses {
			p := ms.Responses[i].okProps()
			if p.Principal != nil && len(p.Principal.Hrefs) > 0 && d.Principal == "" {
				d.Principal = c.c.hrefPath(p.Principal.Hrefs[0])
			}
			if p.CalHome != nil && len(p.CalHome.Hrefs) > 0 && d.CalendarHome == "" {
				d.CalendarHome = c.c.hrefPath(p.CalHome.Hrefs[0])
			}
			if p.CardHome != nil && len(p.CardHome.Hrefs) > 0 && d.CardHome == "" {
				d.CardHome = c.c.hrefPath(p.CardHome.Hrefs[0])
			}
		}
		if d.Principal != "" {
			break
		}
	}
	if d.Principal == "" {
		if lastErr != nil {
			return nil, fmt.Errorf("discovery: no current-user-principal found: %w", lastErr)
		}
		return nil, errors.New("discovery: the server reports no current-user-principal")
	}
	if d.CalendarHome == "" || d.CardHome == "" {
		ms, err := c.c.propfind(ctx, d.Principal, "0", `<C:calendar-home-set/><CR:addressbook-home-set/>`)
		if err != nil {
			return nil, fmt.Errorf("discovery: principal %s: %w", d.Principal, err)
		}
		for i := range ms.Responses {
			p := ms.Responses[i].okProps()
			if p.CalHome != nil && len(p.CalHome.Hrefs) > 0 && d.CalendarHome == "" {
				d.CalendarHome = c.c.hrefPath(p.CalHome.Hrefs[0])
			}
			if p.CardHome != nil && len(p.CardHome.Hrefs) > 0 && d.CardHome == "" {
				d.CardHome = c.c.hrefPath(p.CardHome.Hrefs[0])
			}
		}
	}
	seen := map[string]bool{}
	for _, home := range []string{d.CalendarHome, d.CardHome} {
		if home == "" || seen[home] {
			continue
		}
		seen[home] = true
		cols, err := c.collections(ctx, home, "1")
		if err != nil {
			return nil, fmt.Errorf("discovery: home set %s: %w", home, err)
		}
		d.Collections = append(d.Collections, cols...)
	}
	return d, nil
}

func (c *Connector) collections(ctx context.Context, href, depth string) ([]CollectionInfo, error) {
	// DAV:sync-token is asked for only in listings (depth 1): checking one named collection does not need it, and
	// some servers (Radicale) compute it over every item of the collection.
	prop := `<D:resourcetype/><D:displayname/><C:supported-calendar-component-set/>`
	if depth != "0" {
		prop += `<D:sync-token/>`
	}
	ms, err := c.c.propfind(ctx, href, depth, prop)
	if err != nil {
		return nil, err
	}
	var out []CollectionInfo
	for i := range ms.Responses {
		r := &ms.Responses[i]
		if len(r.Hrefs) == 0 {
			continue
		}
		p := r.okProps()
		if p.ResourceType == nil || (p.ResourceType.Calendar == nil && p.ResourceType.Addressbook == nil) {
			continue
		}
		ci := CollectionInfo{Href: c.c.hrefPath(r.Hrefs[0]), DisplayName: p.DisplayName, Calendar: p.ResourceType.Calendar != nil,
			AddressBook: p.ResourceType.Addressbook != nil, SyncToken: p.SyncToken != ""}
		if !strings.HasSuffix(ci.Href, "/") {
			ci.Href += "/"
		}
		if p.Comps != nil {
			for _, cm := range p.Comps.Comps {
				ci.Components = append(ci.Components, strings.ToUpper(cm.Name))
			}
		}
		out = append(out, ci)
	}
	return out, nil
}

// Open returns the Collection for scope: Scope.Container (a collection URL or path), else the configured
// calendar or address book, else the first discovered collection that holds the kind.
func (c *Connector) Open(ctx context.Context, scope engine.Scope) (engine.Store, error) {
	return c.OpenCollection(ctx, scope)
}

// OpenCollection is Open with the concrete type.
func (c *Connector) OpenCollection(ctx context.Context, scope engine.Scope) (*Collection, error) {
	kind := scope.Kind
	switch kind {
	case engine.KindAppointment, engine.KindTask, engine.KindContact, engine.KindGroup:
	default:
		return nil, fmt.Errorf("caldav: kind %q: %w", kind, engine.ErrUnsupported)
	}
	want := scope.Container
	if want == "" {
		if kind == engine.KindContact || kind == engine.KindGroup {
			want = c.set.AddressBook
		} else {
			want = c.set.Calendar
		}
	}
	key := string(kind) + "\x00" + want
	c.mu.Lock()
	href, ok := c.found[key]
	c.mu.Unlock()
	if ok {
		return c.collection(ctx, href, kind, key), nil
	}
	if want != "" && (strings.Contains(want, "/")) {
		u, err := url.Parse(want)
		if err != nil {
			return nil, fmt.Errorf("caldav: container %q: %w", want, err)
		}
		href = c.c.hrefPath(u.String())
		if !strings.HasSuffix(href, "/") {
			href += "/"
		}
		cols, err := c.collections(ctx, href, "0")
		if err != nil {
			return nil, fmt.Errorf("caldav: collection %s: %w", href, err)
		}
		if len(cols) == 0 || !cols[0].holds(kind) {
			return nil, fmt.Errorf("caldav: %s is not a collection that holds %ss: %w", href, kind, engine.ErrUnsupported)
		}
	} else {
		d, err := c.discovered(ctx)
		if err != nil {
			return nil, err
		}
		for _, ci := range d.Collections {
			if !ci.holds(kind) {
				continue
			}
			if want == "" || strings.EqualFold(ci.DisplayName, want) || strings.TrimSuffix(ci.Href[strings.LastIndex(strings.TrimSuffix(ci.Href, "/"), "/")+1:], "/") == want {
				href = ci.Href
				break
			}
		}
		if href == "" {
			c.mu.Lock()
			c.disc = nil // the collection may be new: look again next time
			c.mu.Unlock()
			if want != "" {
				return nil, fmt.Errorf("caldav: no collection named %q holds %ss: %w", want, kind, engine.ErrNotFound)
			}
			return nil, fmt.Errorf("caldav: no collection holds %ss: %w", kind, engine.ErrUnsupported)
		}
	}
	c.mu.Lock()
	if c.found == nil {
		c.found = map[string]string{}
	}
	c.found[key] = href
	c.mu.Unlock()
	return c.collection(ctx, href, kind, key), nil
}

// collection builds the Collection of href, with what was learned about its server before (see learned).
func (c *Connector) collection(ctx context.Context, href string, kind engine.Kind, key string) *Collection {
	s := &Collection{c: c.c, url: href, kind: kind, now: c.now, log: c.log.With("collection", href, "kind", string(kind)),
		chunk: 100, inFlight: c.set.MaxInFlight, cache: map[string]cached{}, budget: cacheBudget, uids: map[string]string{}, conn: c,
		remember: c.remember}
	if l, ok := c.learnedFor(ctx, href); ok {
		s.apply(l)
	}
	s.gone = func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.found[key] == href {
			delete(c.found, key)
			c.disc = nil
			c.log.Info("dav: the collection did not answer where it was found; the next open finds it again", "collection", href)
		}
	}
	return s
}

// Check runs the preflight checks: the server answers (with TLS ≥ 1.2 for https), the credentials are accepted,
// discovery finds the principal and collections, and whether each collection supports sync-collection.
func (c *Connector) Check(ctx context.Context, _ []engine.Account) []engine.CheckResult {
	var out []engine.CheckResult
	add := func(name string, st engine.CheckStatus, detail, fix string) {
		out = append(out, engine.CheckResult{Name: name, Status: st, Detail: detail, Fix: fix})
	}
	if c.base.Scheme == "http" {
		add("TLS", engine.CheckWarning, "the server URL uses plain http: passwords cross the network unencrypted", "use an https URL")
	} else {
		add("TLS", engine.CheckOK, "https with TLS 1.2 or later", "")
	}
	d, err := c.Discover(ctx)
	switch {
	case errors.Is(err, engine.ErrAuth):
		add("credentials valid", engine.CheckFailed, err.Error(), "check the username and the (app) password")
		return out
	case err != nil:
		add("server reachable and discovery works", engine.CheckFailed, err.Error(),
			"check the URL; give the principal or collection URL if the server has no /.well-known/caldav")
		return out
	}
	add("credentials valid", engine.CheckOK, "", "")
	add("server reachable and discovery works", engine.CheckOK, fmt.Sprintf("principal %s, calendar home %s, address book home %s, %d collections",
		d.Principal, d.CalendarHome, d.CardHome, len(d.Collections)), "")
	for _, want := range []struct {
		kind engine.Kind
		name string
	}{{engine.KindAppointment, c.set.Calendar}, {engine.KindContact, c.set.AddressBook}} {
		st, err := c.OpenCollection(ctx, engine.Scope{Kind: want.kind})
		if err != nil {
			add(fmt.Sprintf("collection for %ss", want.kind), engine.CheckWarning, err.Error(), "create the collection or name an existing one in the settings")
			continue
		}
		add(fmt.Sprintf("collection for %ss", want.kind), engine.CheckOK, st.url, "")
		token, ctag, err := st.state(ctx)
		switch {
		case err != nil:
			add("sync-collection on "+st.url, engine.CheckWarning, err.Error(), "")
		case token == "":
			add("sync-collection on "+st.url, engine.CheckWarning, "the server does not support RFC 6578 sync-collection; changes are found by comparing etag listings (slower)", "")
		default:
			detail := "supported"
			if ctag == "" {
				detail += "; no getctag, so every poll runs a sync-collection report"
			}
			add("sync-collection on "+st.url, engine.CheckOK, detail, "")
		}
	}
	return out
}

// URL returns the collection's escaped path.
func (s *Collection) URL() string { return s.url }

// Kind returns the kind of item the collection store holds.
func (s *Collection) Kind() engine.Kind { return s.kind }
