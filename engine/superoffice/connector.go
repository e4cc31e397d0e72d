package superoffice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Connector is one configured SuperOffice tenant.
type Connector struct {
	set  Settings
	cl   *client
	m    *mapper
	log  *slog.Logger
	now  func() time.Time
	env  engine.Env
	auth *authenticator

	mu        sync.Mutex
	typesOK   bool
	deleted   []deletion      // row deletions reported by webhooks, consumed by stores
	consumed  map[string]int  // store key → deletions consumed
	rowSeries map[int32]int32 // appointment row id → recurrence rule id, learnt from listings
}

type deletion struct {
	seq  int
	kind string // "appointment" or "person"
	id   int32
	at   time.Time
}

var (
	_ engine.Connector = (*Connector)(nil)
	_ engine.Directory = (*Connector)(nil)
	_ engine.Checker   = (*Connector)(nil)
)

// New is the engine.Factory of SuperOffice connectors. It validates settings and makes no remote call.
func New(_ context.Context, raw json.RawMessage, env engine.Env) (engine.Connector, error) {
	return NewConnector(raw, env)
}

// NewConnector is New with the concrete result type.
func NewConnector(raw json.RawMessage, env engine.Env) (*Connector, error) {
	set, err := ParseSettings(raw)
	if err != nil {
		return nil, err
	}
	m, err := newMapper(set)
	if err != nil {
		return nil, err
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.HTTP == nil {
		env.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if env.Governor == nil {
		env.Governor = engine.NoLimits{}
	}
	env.Governor.Declare(System, "tenant", engine.Limits{MaxInFlight: set.MaxInFlight})
	oidc := &OIDC{Issuer: set.LoginURL, ClientID: set.ClientID, HTTP: env.HTTP, Now: env.Now}
	auth := &authenticator{set: set, secrets: env.Secrets, http: env.HTTP, now: env.Now, oidc: oidc}
	key := set.ContextIdentifier
	if key == "" {
		key = set.BaseURL
	}
	cl := &client{set: set, http: env.HTTP, gov: env.Governor, auth: auth, log: env.Logger, now: env.Now,
		scope: engine.LimitScope{System: System, Kind: "tenant", Key: key}}
	return &Connector{set: set, cl: cl, m: m, log: env.Logger, now: env.Now, env: env, auth: auth,
		consumed: map[string]int{}, rowSeries: map[int32]int32{}}, nil
}

// Kinds lists appointments, tasks, contacts (persons) and groups (selections).
func (c *Connector) Kinds() []engine.Kind {
	return []engine.Kind{engine.KindAppointment, engine.KindTask, engine.KindContact, engine.KindGroup}
}

// Open returns the store of one associate's diary, checklist, persons or selections.
func (c *Connector) Open(ctx context.Context, sc engine.Scope) (engine.Store, error) {
	n, err := strconv.ParseInt(sc.Account.ID, 10, 32)
	if err != nil || n <= 0 {
		return nil, fieldErr("account.id", "%q is not a SuperOffice associate id", sc.Account.ID)
	}
	switch sc.Kind {
	case engine.KindAppointment, engine.KindTask:
		if err := c.loadTypes(ctx); err != nil {
			return nil, err
		}
		return &ActivityStore{c: c, scope: sc, assoc: int32(n)}, nil
	case engine.KindContact:
		return &PersonStore{c: c, scope: sc, assoc: int32(n)}, nil
	case engine.KindGroup:
		return &SelectionStore{c: c, scope: sc}, nil
	}
	return nil, engine.ErrUnsupported
}

// loadTypes reads the task list (appointment and task types) once.
func (c *Connector) loadTypes(ctx context.Context) error {
	c.mu.Lock()
	ok := c.typesOK
	c.mu.Unlock()
	if ok {
		return nil
	}
	var items []TaskListItem
	if err := c.cl.do(ctx, request{method: http.MethodGet, path: "v1/List/Task/Items", out: &items}); err != nil {
		return fmt.Errorf("superoffice: task list: %w", err)
	}
	c.mu.Lock()
	c.m.types, c.typesOK = items, true
	c.mu.Unlock()
	return nil
}

// SystemAssociate returns the associate id our system user writes as (from the ticket, or asked once).
func (c *Connector) SystemAssociate(ctx context.Context) (int32, error) {
	c.auth.mu.Lock()
	id := c.auth.associate
	c.auth.mu.Unlock()
	if id != 0 {
		return id, nil
	}
	var p struct {
		AssociateID int32 `json:"AssociateId"`
	}
	if err := c.cl.do(ctx, request{method: http.MethodGet, path: "v1/User/currentPrincipal", out: &p}); err != nil {
		return 0, err
	}
	c.auth.mu.Lock()
	c.auth.associate = p.AssociateID
	c.auth.mu.Unlock()
	return p.AssociateID, nil
}

// Accounts lists the CRM users (associates) with their e-mail addresses, for linking to mailboxes (the OData
// "AllUsers" archive behind GET v1/User).
func (c *Connector) Accounts(ctx context.Context) ([]engine.Account, error) {
	var out []engine.Account
	q := url.Values{"$select": {"associateId,name,fullName,email,type"}, "$top": {"500"}}
	err := c.cl.archive(ctx, "User", q, func(rows []map[string]any) error {
		for _, r := range rows {
			id, err := intOf(r, "associateId")
			if err != nil {
				return err
			}
			if t := strOf(r, "type"); t != "" && t != "InternalAssociate" {
				continue
			}
			email := strOf(r, "email")
			c.mu.Lock()
			c.m.emails[id] = email
			c.mu.Unlock()
			if email == "" {
				continue
			}
			out = append(out, engine.Account{ID: strconv.Itoa(int(id)), Email: email, Name: strOf(r, "fullName")})
		}
		return nil
	})
	return out, err
}

// HandleWebhook takes the body of a verified SuperOffice webhook delivery (engine/push checks the signature) and
// records deletions so the next Changes of every store reports them; SuperOffice has no tombstones otherwise. It
// reports whether the event was caused by our own system user (an echo that needs no sync).
func (c *Connector) HandleWebhook(ctx context.Context, body []byte) (echo bool, err error) {
	var p WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return false, fmt.Errorf("superoffice webhook: %w", err)
	}
	me, _ := c.SystemAssociate(ctx)
	echo = me != 0 && p.ChangedByAssociateID == me
	kind := ""
	switch p.Event {
	case "activity.deleted":
		kind = "appointment"
	case "person.deleted":
		kind = "person"
	}
	if kind != "" && p.PrimaryKey != 0 {
		c.NoteDeleted(kind, p.PrimaryKey)
	}
	return echo, nil
}

// NoteDeleted records that SuperOffice reported the deletion of an entity ("appointment" for activity.deleted,
// "person" for person.deleted) so the next Changes of every store reports it (after confirming it is gone). The
// push intake's Route hook calls it for deleted events (engine/push Event.Resource "appointment/123").
func (c *Connector) NoteDeleted(entity string, id int32) {
	if entity == "activity" {
		entity = "appointment"
	}
	if entity != "appointment" && entity != "person" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	seq := 1
	if n := len(c.deleted); n > 0 {
		seq = c.deleted[n-1].seq + 1
	}
	c.deleted = append(c.deleted, deletion{seq: seq, kind: entity, id: id, at: c.now()})
	// Keep a day of deletions: a store that has not polled for that long does a reconciliation anyway.
	for len(c.deleted) > 0 && c.now().Sub(c.deleted[0].at) > 24*time.Hour {
		c.deleted = c.deleted[1:]
	}
}

// OwnerOf returns the associate id whose diary, checklist or persons an appointment or person belongs to and the
// kind it syncs as, so a webhook can trigger only that user's job (the push intake's Route hook). ErrNotFound means
// the entity is gone (then trigger every user, or rely on NoteDeleted).
func (c *Connector) OwnerOf(ctx context.Context, entity string, id int32) (string, engine.Kind, error) {
	switch entity {
	case "appointment", "activity":
		e, err := c.getRow(ctx, id)
		if err != nil {
			return "", "", err
		}
		kind := engine.KindAppointment
		if e.Type == "inChecklist" || e.Type == "BookingForChecklist" {
			kind = engine.KindTask
		}
		if e.Associate == nil {
			return "", kind, nil
		}
		return strconv.Itoa(int(e.Associate.AssociateID)), kind, nil
	case "person":
		var p PersonEntity
		if err := c.cl.do(ctx, request{method: http.MethodGet, path: "v1/Person/" + strconv.Itoa(int(id)), out: &p}); err != nil {
			return "", "", err
		}
		if p.Associate == nil {
			return "", engine.KindContact, nil
		}
		return strconv.Itoa(int(p.Associate.AssociateID)), engine.KindContact, nil
	}
	return "", "", fmt.Errorf("superoffice: no owner lookup for %q", entity)
}

// takeDeleted returns the deletions of kind not yet seen by the store with key.
func (c *Connector) takeDeleted(key, kind string) []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	last := c.consumed[key]
	var out []int32
	for _, d := range c.deleted {
		if d.seq > last && d.kind == kind {
			out = append(out, d.id)
		}
		if d.seq > c.consumed[key] {
			c.consumed[key] = d.seq
		}
	}
	return out
}

func (c *Connector) noteSeries(row, rid int32) {
	c.mu.Lock()
	if rid != 0 {
		c.rowSeries[row] = rid
	}
	c.mu.Unlock()
}

func (c *Connector) seriesOf(row int32) int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rowSeries[row]
}

// errItem wraps err as an ItemError for id unless it already is one.
func errItem(id string, err error) error {
	var ie *engine.ItemError
	if errors.As(err, &ie) {
		if ie.ID == "" {
			ie.ID = id
		}
		return ie
	}
	return err
}
