// Package msgraph is the Microsoft 365 connector over Microsoft Graph (plain net/http, hand-written types): the
// events of each mailbox's primary calendar (calendarView/delta within the profile's window, immutable ids,
// explicit time zones), contacts (a contact folder, or the contacts carrying a category), contact groups such as
// SuperOffice selections (a contact folder per group holding marked copies of its members, or an Outlook category
// per group on its members; groups.go), Microsoft To Do tasks (a list for CRM tasks), and the tenant's users for
// linking.
//
// Authentication is app-only (client credentials after admin consent, AdminConsentURL / HandleConsentCallback)
// or delegated per user (authorization code with PKCE, AuthCodeURL / ExchangeCode; rotated refresh tokens are
// saved in engine.Env.Secrets before the new access token is used). Grants that fail surface as *AuthError
// wrapping engine.ErrAuth, naming the user.
//
// Every call is admitted by the governor under the scope kinds "mailbox" (4 in flight, 10,000 requests per 10
// minutes, Graph's Outlook limits) and "app"; 429/503/504 come back as *engine.RetryAfterError with the server's
// exact Retry-After. Writes carry an idempotency marker (transactionId for events, a single-value extended
// property for events and contacts, a linked resource for tasks) and If-Match with the item's etag; Batch sends
// up to 20 writes in one $batch.
package msgraph

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Type is the connector type name used in profiles, hook URLs and limit scopes.
const Type = "msgraph"

// Authentication modes.
const (
	AuthApp       = "app"
	AuthDelegated = "delegated"
)

// Contact modes: how a synced selection is represented in the mailbox.
const (
	ContactsFolder   = "folder"
	ContactsCategory = "category"
)

// Graph's Outlook limits per app and mailbox.
var (
	// MailboxLimits are Graph's: 4 concurrent requests and 10,000 requests per 10 minutes per mailbox. The
	// window is declared WindowMargin longer, because Graph starts counting a request when it arrives, a moment
	// after the governor admitted it: with the exact window a request admitted as the oldest one leaves our
	// window could reach Graph while that one is still in Graph's (a 429). The margin costs 0.8% of the ceiling.
	MailboxLimits = engine.Limits{MaxInFlight: 4, Requests: 10000, Per: 10*time.Minute + WindowMargin}
	// AppLimits bound the whole app per tenant (Graph's global limit is 130,000 requests per 10 seconds per app
	// across tenants; we stay far below it).
	AppLimits = engine.Limits{MaxInFlight: 64}
)

// WindowMargin is added to Graph's budget window; see MailboxLimits.
const WindowMargin = 5 * time.Second

// Settings configure one Microsoft 365 tenant.
type Settings struct {
	TenantID string `json:"tenantId"`
	ClientID string `json:"clientId"`
	// ClientSecret may be given here or stored in Secrets under SecretClientSecret (preferred: never readable).
	ClientSecret string `json:"clientSecret,omitempty"`
	// Auth is "app" (default) or "delegated".
	Auth string `json:"auth,omitempty"`
	// RedirectURL is the consent / sign-in redirect registered on the app.
	RedirectURL string `json:"redirectUrl,omitempty"`
	// Contacts is "folder" (default: a contact folder named ContactFolder, or Scope.Container) or "category"
	// (contacts in the default folder carrying the category ContactCategory).
	Contacts        string `json:"contacts,omitempty"`
	ContactFolder   string `json:"contactFolder,omitempty"`
	ContactCategory string `json:"contactCategory,omitempty"`
	// Groups says how contact groups (SuperOffice selections, engine.KindGroup) are kept in the mailbox:
	// "folders" (default: a contact folder per group holding a copy of each member contact) or "categories"
	// (an Outlook category per group, named GroupCategoryPrefix + the group's name, on the member contacts).
	Groups string `json:"groups,omitempty"`
	// GroupCategoryPrefix marks the categories that are groups (default "CRM: "); categories mode only.
	GroupCategoryPrefix string `json:"groupCategoryPrefix,omitempty"`
	// HandAddedContacts says what happens to contacts a user added by hand to a group folder when the group is
	// deleted: "move" (default: moved to the default contact folder) or "refuse" (the folder is kept and the
	// delete is quarantined with the reason). Folders mode only.
	HandAddedContacts string `json:"handAddedContacts,omitempty"`
	// TaskList is the To Do list for CRM tasks (created when missing); default "CRM tasks".
	TaskList string `json:"taskList,omitempty"`
	// Authority and GraphURL override the cloud endpoints (national clouds, tests).
	Authority string `json:"authority,omitempty"`
	GraphURL  string `json:"graphUrl,omitempty"`
	// PageSize is the odata.maxpagesize of listings (default 100).
	PageSize int `json:"pageSize,omitempty"`
	// WindowMarginSeconds is added to Graph's 10-minute budget window (default 5; see WindowMargin).
	WindowMarginSeconds int `json:"windowMarginSeconds,omitempty"`
}

// Connector is one configured tenant.
type Connector struct {
	set       Settings
	authority string
	graph     string
	http      *http.Client
	gov       engine.Governor
	secrets   engine.Secrets
	now       func() time.Time
	log       *slog.Logger
	publicURL string
	tokens    *tokenSource
	margin    time.Duration // see WindowMargin

	mu         sync.Mutex
	containers map[string]string // user|kind → folder or list id
}

var (
	_ engine.Connector = (*Connector)(nil)
	_ engine.Directory = (*Connector)(nil)
	_ engine.Checker   = (*Connector)(nil)
	_ engine.Factory   = New
)

// New is the engine.Factory of the msgraph connector. It validates the settings and calls nothing remote.
func New(_ context.Context, raw json.RawMessage, env engine.Env) (engine.Connector, error) {
	set, err := decodeSettings(raw)
	if err != nil {
		return nil, err
	}
	return NewConnector(set, env)
}

// NewConnector builds the connector from decoded settings. Settings at fault are refused with a *SettingsError
// (an *engine.InputError naming the settings key).
func NewConnector(set Settings, env engine.Env) (*Connector, error) {
	set.TenantID = strings.TrimSpace(set.TenantID)
	if set.TenantID == "" {
		return nil, settingsErr("tenantId", "required (run the admin consent first)")
	}
	if err := set.validate(); err != nil {
		return nil, err
	}
	authority, err := baseURL(set.Authority, "https://login.microsoftonline.com", "authority")
	if err != nil {
		return nil, err
	}
	graph, err := baseURL(set.GraphURL, "https://graph.microsoft.com", "graphUrl")
	if err != nil {
		return nil, err
	}
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}
	gov := env.Governor
	if gov == nil {
		gov = engine.NoLimits{}
	}
	margin := WindowMargin
	if set.WindowMarginSeconds > 0 {
		margin = time.Duration(set.WindowMarginSeconds) * time.Second
	}
	ml := MailboxLimits
	ml.Per = 10*time.Minute + margin
	gov.Declare(Type, "mailbox", ml)
	gov.Declare(Type, "app", AppLimits)
	hc := env.HTTP
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		tr.MaxIdleConnsPerHost = 32
		hc = &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	}
	c := &Connector{set: set, authority: authority, graph: graph, http: hc, gov: gov, secrets: env.Secrets, now: now,
		log: log.With("connector", Type, "tenant", set.TenantID), publicURL: strings.TrimRight(env.PublicURL, "/"), containers: map[string]string{}, margin: margin}
	c.tokens = &tokenSource{c: c, cache: map[string]cachedToken{}, userLocks: map[string]*sync.Mutex{}}
	return c, nil
}

// validate fills the defaults of s and checks every setting but tenantId, which the admin consent fills in; errors
// are *SettingsError naming the field.
func (set *Settings) validate() error {
	set.ClientID = strings.TrimSpace(set.ClientID)
	if set.ClientID == "" {
		return settingsErr("clientId", "required")
	}
	switch set.Auth {
	case "":
		set.Auth = AuthApp
	case AuthApp, AuthDelegated:
	default:
		return settingsErr("auth", "want %q or %q, got %q", AuthApp, AuthDelegated, set.Auth)
	}
	switch set.Contacts {
	case "":
		set.Contacts = ContactsFolder
	case ContactsFolder, ContactsCategory:
	default:
		return settingsErr("contacts", "want %q or %q, got %q", ContactsFolder, ContactsCategory, set.Contacts)
	}
	if set.ContactFolder == "" {
		set.ContactFolder = "Synchronizer"
	}
	if set.ContactCategory == "" {
		set.ContactCategory = "CRM"
	}
	if set.TaskList == "" {
		set.TaskList = "CRM tasks"
	}
	switch set.Groups {
	case "":
		set.Groups = GroupsFolders
	case GroupsFolders, GroupsCategories:
	default:
		return settingsErr("groups", "want %q or %q, got %q", GroupsFolders, GroupsCategories, set.Groups)
	}
	switch set.HandAddedContacts {
	case "":
		set.HandAddedContacts = HandAddedMove
	case HandAddedMove, HandAddedRefuse:
	default:
		return settingsErr("handAddedContacts", "want %q or %q, got %q", HandAddedMove, HandAddedRefuse, set.HandAddedContacts)
	}
	if set.GroupCategoryPrefix == "" {
		set.GroupCategoryPrefix = "CRM: "
	}
	if strings.TrimSpace(set.GroupCategoryPrefix) == "" || len(set.GroupCategoryPrefix) > 64 {
		return settingsErr("groupCategoryPrefix", "want 1 to 64 characters that are not all spaces, got %q", set.GroupCategoryPrefix)
	}
	if set.Groups == GroupsCategories && set.Contacts == ContactsCategory && isGroupCategory(set.GroupCategoryPrefix, set.ContactCategory) {
		return settingsErr("groupCategoryPrefix", "the contact category %q starts with the group prefix %q; choose another prefix",
			set.ContactCategory, set.GroupCategoryPrefix)
	}
	if set.PageSize < 0 || set.PageSize > 1000 {
		return settingsErr("pageSize", "want 0..1000, got %d", set.PageSize)
	}
	if set.PageSize == 0 {
		set.PageSize = 100
	}
	for _, u := range []struct{ field, v string }{{"authority", set.Authority}, {"graphUrl", set.GraphURL}, {"redirectUrl", set.RedirectURL}} {
		if _, err := baseURL(u.v, "", u.field); err != nil {
			return err
		}
	}
	if set.WindowMarginSeconds < 0 || set.WindowMarginSeconds > 300 {
		return settingsErr("windowMarginSeconds", "want 0..300, got %d", set.WindowMarginSeconds)
	}
	return nil
}

// CheckEntered validates the settings an admin types (clientId, auth, contacts, groups, URLs, limits) without
// requiring tenantId, which the admin consent fills in later: a profile saved as a draft before its consent is still
// refused a bad setting, naming the field. Unknown fields are refused too. Errors are *SettingsError (an
// *engine.InputError naming the settings key) or, for JSON that does not decode, a plain error.
func CheckEntered(raw json.RawMessage) error {
	set, err := decodeSettings(raw)
	if err != nil {
		return err
	}
	return set.validate()
}

// decodeSettings decodes settings JSON; unknown fields are errors.
func decodeSettings(raw json.RawMessage) (Settings, error) {
	var set Settings
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		return Settings{}, fmt.Errorf("msgraph settings: %w", err)
	}
	return set, nil
}

// SettingsError is a setting the connector refuses. It unwraps to the *engine.InputError naming the settings key
// (Field "groups") and reads "msgraph settings: field groups: want …".
type SettingsError struct{ *engine.InputError }

// Error reads "msgraph settings: field <key>: <reason>".
func (e *SettingsError) Error() string {
	return "msgraph settings: field " + e.Field + ": " + e.Reason
}

// Unwrap returns the *engine.InputError, so errors.As finds the field.
func (e *SettingsError) Unwrap() error { return e.InputError }

func settingsErr(field, format string, a ...any) error {
	return &SettingsError{&engine.InputError{Field: field, Reason: fmt.Sprintf(format, a...)}}
}

func baseURL(v, def, field string) (string, error) {
	if v == "" {
		return def, nil
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", settingsErr(field, "want an https URL, got %q", v)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Kinds lists appointments, tasks, contacts and contact groups.
func (*Connector) Kinds() []engine.Kind {
	return []engine.Kind{engine.KindAppointment, engine.KindTask, engine.KindContact, engine.KindGroup}
}

// Open returns the store for scope. It finds or creates the contact folder or task list the scope syncs with;
// for groups it returns a *FolderGroupStore or a *CategoryGroupStore (Settings.Groups) over the contacts store.
func (c *Connector) Open(ctx context.Context, scope engine.Scope) (engine.Store, error) {
	if scope.Kind == engine.KindGroup {
		return c.OpenGroups(ctx, scope)
	}
	return c.OpenStore(ctx, scope)
}

// OpenGroups returns the group store of scope's account: a *FolderGroupStore or a *CategoryGroupStore.
func (c *Connector) OpenGroups(ctx context.Context, scope engine.Scope) (engine.Store, error) {
	cs := scope
	cs.Kind, cs.Container = engine.KindContact, ""
	contacts, err := c.OpenStore(ctx, cs)
	if err != nil {
		return nil, err
	}
	gb := groupBase{c: c, user: contacts.user, base: "/users/" + url.PathEscape(contacts.user), contacts: contacts}
	if c.set.Groups == GroupsCategories {
		return &CategoryGroupStore{gb}, nil
	}
	return &FolderGroupStore{gb}, nil
}

// OpenStore is Open with the concrete type.
func (c *Connector) OpenStore(ctx context.Context, scope engine.Scope) (*Store, error) {
	user := scope.Account.ID
	if user == "" {
		user = scope.Account.Email
	}
	if user == "" {
		return nil, errors.New("msgraph: scope account: id or email required")
	}
	s := &Store{c: c, user: user, scope: scope}
	switch scope.Kind {
	case engine.KindAppointment:
		s.ad = eventAdapter{}
		s.coll = "/users/" + url.PathEscape(user) + "/events"
	case engine.KindContact:
		s.ad = contactAdapter{category: c.categoryMode(), prefix: c.groupPrefix()}
		if c.set.Contacts == ContactsCategory {
			s.coll = "/users/" + url.PathEscape(user) + "/contacts"
			break
		}
		id := scope.Container
		if id == "" {
			var err error
			if id, err = c.container(ctx, user, "contactFolders", c.set.ContactFolder); err != nil {
				return nil, err
			}
		}
		s.coll = "/users/" + url.PathEscape(user) + "/contactFolders/" + url.PathEscape(id) + "/contacts"
	case engine.KindTask:
		s.ad = taskAdapter{}
		id := scope.Container
		if id == "" {
			var err error
			if id, err = c.container(ctx, user, "todo/lists", c.set.TaskList); err != nil {
				return nil, err
			}
		}
		s.coll = "/users/" + url.PathEscape(user) + "/todo/lists/" + url.PathEscape(id) + "/tasks"
	default:
		return nil, fmt.Errorf("msgraph: kind %s: %w", scope.Kind, engine.ErrUnsupported)
	}
	return s, nil
}

// groupPrefix is the prefix of group categories when groups are categories, else "".
func (c *Connector) groupPrefix() string {
	if c.set.Groups == GroupsCategories {
		return c.set.GroupCategoryPrefix
	}
	return ""
}

func (c *Connector) categoryMode() string {
	if c.set.Contacts == ContactsCategory {
		return c.set.ContactCategory
	}
	return ""
}

// container finds the contact folder or To Do list named name, creating it when missing.
func (c *Connector) container(ctx context.Context, user, path, name string) (string, error) {
	key := user + "|" + path + "|" + name
	c.mu.Lock()
	id, ok := c.containers[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	var list struct {
		Value []struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		} `json:"value"`
	}
	base := "/users/" + url.PathEscape(user) + "/" + path
	if err := c.call(ctx, request{method: "GET", path: base, user: user}, &list); err != nil {
		return "", fmt.Errorf("msgraph: listing %s of %s: %w", path, user, err)
	}
	for _, v := range list.Value {
		if strings.EqualFold(v.DisplayName, name) {
			id = v.ID
		}
	}
	if id == "" {
		var created struct {
			ID string `json:"id"`
		}
		if err := c.call(ctx, request{method: "POST", path: base, user: user, body: map[string]any{"displayName": name}}, &created); err != nil {
			return "", fmt.Errorf("msgraph: creating %s %q of %s: %w", path, name, user, err)
		}
		id = created.ID
	}
	c.mu.Lock()
	c.containers[key] = id
	c.mu.Unlock()
	return id, nil
}

type graphUser struct {
	ID             string   `json:"id"`
	Mail           string   `json:"mail"`
	UPN            string   `json:"userPrincipalName"`
	DisplayName    string   `json:"displayName"`
	ProxyAddresses []string `json:"proxyAddresses"`
}

func (u graphUser) account() engine.Account {
	a := engine.Account{ID: u.ID, Email: u.Mail, Name: u.DisplayName}
	if a.Email == "" {
		a.Email = u.UPN
	}
	seen := map[string]bool{strings.ToLower(a.Email): true}
	add := func(s string) {
		if s != "" && !seen[strings.ToLower(s)] {
			seen[strings.ToLower(s)] = true
			a.Aliases = append(a.Aliases, s)
		}
	}
	add(u.UPN)
	for _, p := range u.ProxyAddresses {
		if i := strings.IndexByte(p, ':'); i >= 0 && strings.EqualFold(p[:i], "smtp") {
			add(p[i+1:])
		}
	}
	return a
}

// Accounts lists the tenant's users (app-only) for linking, matched by mail, UPN and SMTP proxy addresses.
func (c *Connector) Accounts(ctx context.Context) ([]engine.Account, error) {
	if c.set.Auth == AuthDelegated {
		return nil, fmt.Errorf("msgraph: listing the directory needs app-only access: %w", engine.ErrUnsupported)
	}
	var out []engine.Account
	next := "/users?$select=id,mail,userPrincipalName,displayName,proxyAddresses&$top=999"
	for next != "" {
		var page struct {
			Value []graphUser `json:"value"`
			Next  string      `json:"@odata.nextLink"`
		}
		if err := c.call(ctx, request{method: "GET", path: next}, &page); err != nil {
			return nil, fmt.Errorf("msgraph: listing users: %w", err)
		}
		for _, u := range page.Value {
			out = append(out, u.account())
		}
		next = page.Next
	}
	return out, nil
}
