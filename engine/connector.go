package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// The connector contract.
//
// A Connector is one configured external system: a SuperOffice tenant, a Microsoft 365 tenant, an Exchange
// server, a Google Workspace domain, a CalDAV/CardDAV server, a reference store in tests. It is built by the
// Factory registered for its type (server.go keeps an explicit map of factories) from the profile's JSON settings.
//
// Lifecycle:
//
//  1. factory(ctx, settings, env) → Connector. Cheap: it must not call the remote system.
//  2. Connector.Open(ctx, scope) → Store, once per (account, kind, window). Open may call the remote system (for
//     example to find a calendar or a folder); it returns ErrUnsupported for a kind the system does not hold.
//  3. The engine calls Store methods from one goroutine per Store at a time; different Stores may be used
//     concurrently. A Store holds no cursor: the engine persists cursors and passes them in.
//  4. When a profile is removed or the window changes, the engine drops the Store and opens a new one. If the
//     Store implements io.Closer, Close is called.
//
// Every remote call a connector makes passes env.Governor (see Governor), which enforces the limits the connector
// declares with Limits. Connectors never sleep on throttling themselves: they report it with a *RetryAfterError.
//
// Errors: methods return the sentinel errors below (wrapped with %w and context is fine) so the engine can tell
// what happened. Any other error is treated as transient: the engine retries the whole (user, kind) job later with
// backoff, and never infers deletions from a failed call.
var (
	// ErrNotFound: the item does not exist (Get, Update, Delete, FindByMarker). For Delete the engine treats it as
	// success (already gone).
	ErrNotFound = errors.New("not found")
	// ErrPrecondition: the item changed since the version given (etag / changeKey / If-Unmodified-Since failed).
	// The engine re-reads the item and plans again; it never overwrites blindly.
	ErrPrecondition = errors.New("precondition failed: the item changed since it was read")
	// ErrCursorExpired: the cursor passed to Changes is no longer valid (Graph 410 / syncStateNotFound, Google 410,
	// EWS invalid sync state, CalDAV invalid sync-token). The engine starts a full listing (empty cursor) and
	// matches items against its links, so a resync creates no duplicates. Never return an empty page instead.
	ErrCursorExpired = errors.New("cursor expired: a full listing is needed")
	// ErrUnsupported: the system does not support this kind or operation.
	ErrUnsupported = errors.New("not supported by this system")
	// ErrAuth: the credentials were refused or have expired (revoked consent, expired refresh token). The engine
	// stops the user's jobs and surfaces the problem; retrying without the admin or the user acting is pointless.
	ErrAuth = errors.New("authentication failed")
)

// RetryAfterError reports that the remote system asked us to wait (HTTP 429/503 Retry-After, EWS
// BackOffMilliseconds). The governor holds back every call in the same limit scopes for Wait, exactly.
type RetryAfterError struct {
	Wait time.Duration
	Err  error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("throttled, retry after %s: %v", e.Wait, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// ItemError reports that one item cannot be mapped or written because of its content (bad data, a recurrence
// pattern the system cannot express, a field too long). The engine quarantines that item with the reason and goes
// on with the rest. Field names the canonical field at fault ("recurrence", "start", "attendees[2].email").
type ItemError struct {
	ID    string // the item's id in the store that reported the error, if it has one
	Field string
	Err   error
}

func (e *ItemError) Error() string {
	switch {
	case e.ID != "" && e.Field != "":
		return fmt.Sprintf("item %s: field %s: %v", e.ID, e.Field, e.Err)
	case e.Field != "":
		return fmt.Sprintf("field %s: %v", e.Field, e.Err)
	case e.ID != "":
		return fmt.Sprintf("item %s: %v", e.ID, e.Err)
	}
	return e.Err.Error()
}

func (e *ItemError) Unwrap() error { return e.Err }

// Account is a user's presence in one system: a SuperOffice associate, an Exchange/Graph mailbox, a Google user,
// a CalDAV principal.
type Account struct {
	ID    string `json:"id"`    // the system's stable id (associate id, Graph user id, principal URL)
	Email string `json:"email"` // primary SMTP address, used to match accounts across systems
	Name  string `json:"name,omitempty"`
	// Aliases are other addresses of the account (proxy addresses, UPN), also used for matching.
	Aliases []string `json:"aliases,omitempty"`
}

// Window bounds the items synced by date. Appointments whose occurrences all lie outside it, and tasks due outside
// it, are not synced (and not deleted when they leave it). A zero From or To is unbounded.
type Window struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Scope says what one Store holds: one kind of item of one account, within a window.
type Scope struct {
	Account Account `json:"account"`
	Kind    Kind    `json:"kind"`
	Window  Window  `json:"window"`
	// Container optionally names a calendar, folder, list or collection inside the account (a CalDAV collection
	// URL, a Graph contact folder id). Empty means the account's default for the kind.
	Container string `json:"container,omitempty"`
}

// Remote is one item as a store holds it.
type Remote struct {
	ID string
	// Version changes whenever the stored item changes (etag, changeKey, updated timestamp). The engine only
	// compares versions for equality and passes them back as preconditions.
	Version string
	Item    Item
	// Marker is the idempotency marker the item was created with, if the store keeps one.
	Marker string
	// Echo is set when the store knows this version was written by us (SuperOffice: changed by our system user).
	// The engine also detects echoes itself by version and content hash; this is a hint that saves a comparison.
	Echo bool
}

// Change is one entry of a change listing.
type Change struct {
	ID      string
	Version string
	// Deleted is a tombstone: the item was deleted (Graph @removed reason deleted, CalDAV 404 in sync-collection,
	// Google status cancelled, EWS Delete). A windowed store reports an item that left its window with
	// OutOfWindow instead, never as Deleted.
	Deleted     bool
	OutOfWindow bool
	// Item is the content, or nil when the store only reported that the item changed (the engine then calls Get).
	Item   Item
	Marker string
	Echo   bool
}

// Page is the answer to one Changes call.
type Page struct {
	Changes []Change
	// Next is the cursor to pass to the next Changes call: the continuation of this listing when More is set, the
	// new delta cursor (delta link, sync token, sync state, watermark) otherwise. The engine persists it only after
	// it has applied every page of the listing.
	Next string
	More bool
	// Complete is set on every page of a listing that enumerates every item of the scope (a full listing, or a
	// listing whose deletions are reliable tombstones). When the last page of a Complete full listing has been
	// read, any linked item that was not listed is gone from the store (the engine still confirms with Get before
	// propagating a delete). Incremental listings of stores without tombstones (a SuperOffice timestamp watermark)
	// are not complete; such stores implement IDLister so deletions can be found by reconciliation.
	Complete bool
}

// Store is one kind of item in one account of a system. See the lifecycle above.
//
// Changes lists what changed since cursor. An empty cursor asks for a full listing of the scope; the returned
// Page.Next is the cursor for the next incremental call. Implementations express their change model through it:
//   - delta links / sync tokens (Graph, Google): cursor is the link or token; expiry → ErrCursorExpired;
//   - EWS ICS: cursor is the SyncState; Page.More while IncludesLastItemInRange is false;
//   - CalDAV: cursor is the sync-token, or, on servers without sync-collection or with a broken one, an etag
//     listing fingerprint; the connector compares etags itself and reports differences as Changes;
//   - timestamp watermark with overlap and no tombstones (SuperOffice): cursor is the watermark; the connector
//     lists items updated after watermark − overlap (the engine ignores repeats by version), Complete is false,
//     and deletions come from push events or from IDLister reconciliation.
//
// Get returns the item or ErrNotFound.
//
// Create writes a new item carrying the idempotency marker (a client-chosen id, transactionId, extended property,
// client-chosen href) so that FindByMarker can find it after a crash. It returns the stored version; when the
// store rewrites what we sent, Item in the result is what the store now holds (re-read it if the write response
// does not say, as DAViCal omits the ETag), so the engine records the rewritten content as the base and does not
// copy it back.
//
// Update writes item over the stored item if it still has version (else ErrPrecondition) and returns the new
// version and stored content. Delete deletes the item if it still has version (else ErrPrecondition); an empty
// version means unconditionally (used only to undo our own create during recovery).
type Store interface {
	Changes(ctx context.Context, cursor string) (Page, error)
	Get(ctx context.Context, id string) (Remote, error)
	Create(ctx context.Context, item Item, marker string) (Remote, error)
	Update(ctx context.Context, id, version string, item Item) (Remote, error)
	Delete(ctx context.Context, id, version string) error
}

// MarkerFinder is implemented by stores that can find an item by the idempotency marker it was created with. The
// engine calls it during recovery before it retries a create whose result was never recorded. ErrNotFound means
// the create never reached the store.
type MarkerFinder interface {
	FindByMarker(ctx context.Context, marker string) (Remote, error)
}

// IDLister is implemented by stores without reliable tombstones. ListIDs returns every id in the scope (within its
// window), completely or with an error: a partial result must be an error, since the engine reads absent ids as
// deletions.
type IDLister interface {
	ListIDs(ctx context.Context) ([]string, error)
}

// Op is one write in a batch.
type Op struct {
	Action  Action
	ID      string // update, delete
	Version string // update, delete
	Item    Item   // create, update
	Marker  string // create
}

// OpResult is the outcome of one Op of a batch: the stored item, or the error the single call would have returned.
type OpResult struct {
	Remote Remote
	Err    error
}

// Batcher is implemented by stores that can send several writes in one round trip (Graph $batch of ≤ 20, EWS
// multi-item calls). Results are in the order of ops; a failed batch returns an error and no results.
type Batcher interface {
	MaxBatch() int
	Batch(ctx context.Context, ops []Op) ([]OpResult, error)
}

// Action is what the planner decided for one side of a linked item.
type Action string

// The planner's actions.
const (
	ActionNone   Action = ""
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// Connector is one configured external system. See the lifecycle above.
type Connector interface {
	// Kinds lists the kinds this system can hold.
	Kinds() []Kind
	// Open returns the store for scope, or ErrUnsupported.
	Open(ctx context.Context, scope Scope) (Store, error)
}

// Directory is implemented by connectors that can list their users, for linking CRM users to mailboxes (matched
// by e-mail address and aliases).
type Directory interface {
	Accounts(ctx context.Context) ([]Account, error)
}

// Category is one name a system can put on items: a SuperOffice appointment or task type, an Outlook master
// category. The mapping of CRM types to mailbox categories (docs/connectors/superoffice.md) is made of these.
type Category struct {
	Name string `json:"name"`
	// Kind is the kind of item the name applies to (SuperOffice: KindAppointment for appointment types, KindTask
	// for task types), or empty when it applies to any item (Outlook categories).
	Kind Kind `json:"kind,omitempty"`
	// Color is the system's colour of the category ("preset3", "none"), or empty when the system has none.
	Color string `json:"color,omitempty"`
}

// Vocabulary is implemented by connectors that can list the category names their items may carry, so an admin
// can map one system's names to the other's by picking instead of typing. Account names the mailbox for systems
// whose list is per account (Microsoft 365 master categories live in each mailbox); systems with one list per
// tenant (SuperOffice's task list) ignore it. A system that needs an account and gets none returns an
// *InputError naming the field "account". Names are listed in the system's order, without deleted entries.
type Vocabulary interface {
	Categories(ctx context.Context, account Account) ([]Category, error)
}

// CheckStatus is the outcome of one preflight check.
type CheckStatus string

// The preflight check outcomes.
const (
	CheckOK      CheckStatus = "ok"
	CheckWarning CheckStatus = "warning"
	CheckFailed  CheckStatus = "failed"
)

// CheckResult is one preflight check ("API reachable with TLS ≥ 1.2", "credentials valid", "mailbox exists").
// Fix says what the admin should do when it is not OK.
type CheckResult struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail,omitempty"`
	Fix    string      `json:"fix,omitempty"`
}

// Checker is implemented by connectors that run preflight checks. Accounts are the linked accounts to check
// (mailbox exists, has the right licence); an empty list checks the system only.
type Checker interface {
	Check(ctx context.Context, accounts []Account) []CheckResult
}

// LimitScope names one budget that remote calls are charged to: System is the connector type ("msgraph"), Kind
// the kind of budget ("mailbox", "tenant", "endpoint"), Key the instance ("alice@contoso.com"). Scopes are shared
// by every profile that touches the same mailbox or tenant.
type LimitScope struct {
	System string
	Kind   string
	Key    string
}

func (s LimitScope) String() string { return s.System + "/" + s.Kind + "/" + s.Key }

// Limits are the limits of one kind of scope, declared by the connector (Graph mailbox: 4 in flight and 10,000
// requests per 10 minutes). Zero fields are unlimited.
type Limits struct {
	MaxInFlight int
	Requests    int           // budget of requests ...
	Per         time.Duration // ... over this sliding window
}

// Outcome is what happened to one governed call. RetryAfter is the wait the server asked for (0 if none); Status
// is the HTTP status (0 for transport errors).
type Outcome struct {
	Status     int
	RetryAfter time.Duration
	Latency    time.Duration
	Err        error
}

// Permit is the right to make one remote call. Done must be called exactly once with the outcome.
type Permit interface {
	Done(Outcome)
}

// Governor admits remote calls within the declared limits. Acquire blocks until every scope has room (concurrency,
// budget, no backoff in force) or ctx ends. Declare registers the limits for a scope kind of a system; connectors
// declare theirs when they are built.
type Governor interface {
	Declare(system, kind string, limits Limits)
	Acquire(ctx context.Context, scopes ...LimitScope) (Permit, error)
}

// Env is what the engine gives a connector factory.
type Env struct {
	Logger   *slog.Logger
	Now      func() time.Time
	HTTP     *http.Client // base client (timeouts, TLS ≥ 1.2); connectors wrap its transport, never replace it
	Governor Governor
	// PublicURL is the appliance's externally reachable base URL for webhooks, or empty when it has none (then
	// connectors run on polling and their checks say so).
	PublicURL string
	// Secrets reads and writes the connector's secrets (refresh tokens, tickets), encrypted at rest. Rotated
	// tokens must be saved at once.
	Secrets Secrets
	// Push is the appliance's push intake (webhook receivers and subscriptions), or nil when it has none (then
	// connectors run on polling).
	Push PushRegistry
}

// Secrets stores a connector's secrets by name. Values are never exposed through the API.
type Secrets interface {
	Get(ctx context.Context, name string) ([]byte, error) // ErrNotFound if absent
	Put(ctx context.Context, name string, value []byte) error
	Delete(ctx context.Context, name string) error
}

// Factory builds a Connector from its settings (the JSON the admin configured for this system). It validates the
// settings and returns an error naming the field at fault.
type Factory func(ctx context.Context, settings json.RawMessage, env Env) (Connector, error)
