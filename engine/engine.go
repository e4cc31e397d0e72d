package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is what New needs. KV and Connectors are required; the rest have defaults.
type Config struct {
	// KV is where all engine state lives (see keys.go for the layout).
	KV KV
	// Logger receives the engine's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Connectors maps connector types ("superoffice", "msgraph", "reference") to their factories.
	Connectors map[string]Factory
	// Governor admits remote calls; nil means NoLimits. It is passed to connectors through Env.
	Governor Governor
	// HTTP is the base client passed to connectors; nil means a client with a 60 s timeout.
	HTTP *http.Client
	// PublicURL is passed to connectors (webhooks).
	PublicURL string
	// Secrets returns the secret store of a connector instance; nil gives connectors no secret store.
	Secrets func(instance string) Secrets
	// Push is the push intake connectors register their webhook receivers with; nil: polling only.
	Push PushRegistry
	// RunRetention is how long runs and their applied operations are kept (PruneRuns): 0 means
	// DefaultRunRetention (90 days), a negative value keeps every run.
	RunRetention time.Duration
	// RunKeep is how many of the newest runs of each linked user are kept whatever their age: 0 means
	// DefaultRunKeep (50).
	RunKeep int
	// Rand is the source of the random part of ids (links, runs, conflicts); nil means crypto/rand. Tests set a
	// seeded source so that a seed replays exactly.
	Rand io.Reader
}

// Engine is the sync core: profiles, linked users, runs of a (profile, user, kind) job, the journal, conflicts,
// approvals, quarantine, trace and undo. It is safe for concurrent use; two runs of the same job never overlap
// (the second waits for the first).
type Engine struct {
	kv  KV
	log *slog.Logger
	now func() time.Time
	cfg Config
	seq atomic.Uint64
	mu  sync.Mutex // guards conns and jobs
	// profileMu serialises every write of a profile (PutProfile, UpdateProfile, DeleteProfile), so a read-modify-write
	// by one caller (the API merging kept secrets, a sign-in callback setting the tenant's address) never loses another's.
	profileMu sync.Mutex
	// userMu serialises every write of a linked user (LinkUser, UpdateUser, UnlinkUser), so a read-modify-write
	// (a user's own preferences from the portal) never brings back a user unlinked or re-linked meanwhile.
	userMu sync.Mutex
	conns  map[string]connEntry
	jobs   map[string]*sync.Mutex
	// runIndexOK is set once the run index is known to be complete (see runindex.go).
	runIndexOK atomic.Bool
	// removeMu serialises the removal of runs (PruneRuns) with the run index migration, so the migration never
	// writes an entry for a run removed after its scan began.
	removeMu sync.Mutex
}

type connEntry struct {
	settings []byte
	conn     Connector
}

// New returns an engine over cfg.KV. It does not recover interrupted writes: call Recover before the first run.
func New(cfg Config) (*Engine, error) {
	if cfg.KV == nil {
		return nil, &InputError{"KV", "required"}
	}
	if cfg.Connectors == nil {
		return nil, &InputError{"Connectors", "required"}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Governor == nil {
		cfg.Governor = NoLimits{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if cfg.RunRetention == 0 {
		cfg.RunRetention = DefaultRunRetention
	}
	if cfg.RunKeep < 0 {
		return nil, &InputError{"RunKeep", "must not be negative"}
	}
	if cfg.RunKeep == 0 {
		cfg.RunKeep = DefaultRunKeep
	}
	return &Engine{kv: cfg.KV, log: cfg.Logger, now: cfg.Now, cfg: cfg,
		conns: map[string]connEntry{}, jobs: map[string]*sync.Mutex{}}, nil
}

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns a new id: sortable by creation time (milliseconds), unique across restarts, without dots or
// slashes.
func (e *Engine) newID(prefix string) string {
	var r [5]byte
	e.rand(r[:])
	return fmt.Sprintf("%s%011x%04x%s", prefix, e.now().UnixMilli(), e.seq.Add(1)&0xffff, b32.EncodeToString(r[:]))
}

// newLinkID returns a short random link id (13 characters).
func (e *Engine) newLinkID() string {
	var r [8]byte
	e.rand(r[:])
	return b32.EncodeToString(r[:])
}

// rand fills b from the configured source (under e.mu: a seeded source is not goroutine-safe).
func (e *Engine) rand(b []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := io.ReadFull(e.cfg.Rand, b); err != nil {
		panic(fmt.Sprintf("engine: random source failed: %v", err))
	}
}

func (e *Engine) getJSON(key string, v any) (bool, error) {
	b, ok, err := e.kv.Get([]byte(key))
	if err != nil || !ok {
		return ok, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("engine: marshal %T: %v", v, err)) // only plain structs are marshalled
	}
	return b
}

func (e *Engine) put(key string, v any) error {
	return e.kv.Commit(map[string][]byte{key: mustJSON(v)}, nil)
}

// scanJSON decodes every value under prefix into a new T and calls fn.
func scanJSON[T any](kv KV, prefix string, fn func(key string, v T) error) error {
	return kv.Scan([]byte(prefix), func(k, b []byte) error {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("decode %s: %w", k, err)
		}
		return fn(string(k), v)
	})
}

// deletePrefix deletes every key under prefix, in chunks.
func (e *Engine) deletePrefix(prefix string) error {
	var keys []string
	if err := e.kv.Scan([]byte(prefix), func(k, _ []byte) error {
		keys = append(keys, string(k))
		return nil
	}); err != nil {
		return err
	}
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		if err := e.kv.Commit(nil, keys[:n]); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// PutProfile creates or replaces a profile. Zero fields take their defaults; the saved profile is returned. An
// invalid profile is refused with a *InputError. Changing the window is harmless: the next run of each job lists
// fully and matches what it finds against the links.
func (e *Engine) PutProfile(p Profile) (Profile, error) {
	e.profileMu.Lock()
	defer e.profileMu.Unlock()
	return e.putProfile(p)
}

// UpdateProfile reads the profile with id (exists is false when there is none yet), lets fn change it, and saves
// the result, all under the lock every profile write takes, so concurrent updates of different fields of one profile
// all survive. An error from fn is returned as it is and nothing is saved.
func (e *Engine) UpdateProfile(id string, fn func(old Profile, exists bool) (Profile, error)) (Profile, error) {
	e.profileMu.Lock()
	defer e.profileMu.Unlock()
	old, err := e.Profile(id)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNoSuchProfile) {
		return Profile{}, err
	}
	p, err := fn(old, exists)
	if err != nil {
		return Profile{}, err
	}
	return e.putProfile(p)
}

func (e *Engine) putProfile(p Profile) (Profile, error) {
	p = p.withDefaults()
	if err := p.Validate(e.cfg.Connectors); err != nil {
		return Profile{}, err
	}
	if err := e.put(kProfile(p.ID), p); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Profile returns the profile with id, or ErrNoSuchProfile.
func (e *Engine) Profile(id string) (Profile, error) {
	var p Profile
	ok, err := e.getJSON(kProfile(id), &p)
	if err != nil {
		return Profile{}, err
	}
	if !ok {
		return Profile{}, fmt.Errorf("profile %q: %w", id, ErrNoSuchProfile)
	}
	return p, nil
}

// Profiles lists every profile, ordered by id.
func (e *Engine) Profiles() ([]Profile, error) {
	var out []Profile
	err := scanJSON(e.kv, keyRoot+"profile/", func(_ string, p Profile) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// DeleteProfile removes a profile, its linked users and all their sync state. Items in the systems are not
// touched. Runs, conflicts and trace entries stay for the record.
func (e *Engine) DeleteProfile(id string) error {
	e.profileMu.Lock()
	defer e.profileMu.Unlock()
	if _, err := e.Profile(id); err != nil {
		return err
	}
	for _, pre := range []string{"link/", "base/", "cursor/", "approval/", "quarantine/"} {
		if err := e.deletePrefix(keyRoot + pre + id + "/"); err != nil {
			return err
		}
	}
	if err := e.deletePrefix(kUserPrefix(id)); err != nil {
		return err
	}
	return e.kv.Commit(nil, []string{kProfile(id), kGuardLog(id)})
}

// LinkUser links (or re-links) a CRM account to a mailbox account in a profile. Overrides are checked against
// what the profile allows users to change. Relinking a user to another mailbox drops the old sync state, so
// nothing is deleted or duplicated in the new mailbox because of the old one.
func (e *Engine) LinkUser(profileID string, u LinkedUser) (LinkedUser, error) {
	e.userMu.Lock()
	defer e.userMu.Unlock()
	return e.linkUser(profileID, u)
}

// UpdateUser reads linked user userID of profileID, lets fn change it and saves the result as LinkUser would, all
// under the lock every linked-user write takes: a user unlinked meanwhile stays unlinked (ErrNoSuchUser, fn is not
// called), and fn sees a re-link that happened since the caller last read the user. An error from fn is returned as
// it is and nothing is saved; fn must keep the user's id.
func (e *Engine) UpdateUser(profileID, userID string, fn func(u LinkedUser) (LinkedUser, error)) (LinkedUser, error) {
	e.userMu.Lock()
	defer e.userMu.Unlock()
	u, err := e.User(profileID, userID)
	if err != nil {
		return LinkedUser{}, err
	}
	if u, err = fn(u); err != nil {
		return LinkedUser{}, err
	}
	if u.ID != userID {
		return LinkedUser{}, fmt.Errorf("engine: UpdateUser of %q changed the user's id to %q", userID, u.ID)
	}
	return e.linkUser(profileID, u)
}

func (e *Engine) linkUser(profileID string, u LinkedUser) (LinkedUser, error) {
	p, err := e.Profile(profileID)
	if err != nil {
		return LinkedUser{}, err
	}
	if err := u.validate(p); err != nil {
		return LinkedUser{}, err
	}
	if u.Mailbox.ID == "" {
		u.Mailbox.ID = u.Mailbox.Email
	}
	var old LinkedUser
	ok, err := e.getJSON(kUser(profileID, u.ID), &old)
	if err != nil {
		return LinkedUser{}, err
	}
	if ok && (old.CRM.ID != u.CRM.ID || old.Mailbox.ID != u.Mailbox.ID) {
		if err := e.dropUserState(profileID, u.ID); err != nil {
			return LinkedUser{}, err
		}
	}
	if err := e.put(kUser(profileID, u.ID), u); err != nil {
		return LinkedUser{}, err
	}
	return u, nil
}

func (e *Engine) dropUserState(p, u string) error {
	for _, pre := range []string{"link/", "base/", "cursor/", "approval/", "quarantine/"} {
		if err := e.deletePrefix(keyRoot + pre + p + "/" + u + "/"); err != nil {
			return err
		}
	}
	return nil
}

// UnlinkUser removes a linked user and their sync state; the items stay in both systems.
func (e *Engine) UnlinkUser(profileID, userID string) error {
	e.userMu.Lock()
	defer e.userMu.Unlock()
	if _, err := e.User(profileID, userID); err != nil {
		return err
	}
	if err := e.dropUserState(profileID, userID); err != nil {
		return err
	}
	return e.kv.Commit(nil, []string{kUser(profileID, userID)})
}

// User returns one linked user, or ErrNoSuchUser.
func (e *Engine) User(profileID, userID string) (LinkedUser, error) {
	var u LinkedUser
	ok, err := e.getJSON(kUser(profileID, userID), &u)
	if err != nil {
		return LinkedUser{}, err
	}
	if !ok {
		return LinkedUser{}, fmt.Errorf("user %q of profile %q: %w", userID, profileID, ErrNoSuchUser)
	}
	return u, nil
}

// Users lists the linked users of a profile, ordered by id.
func (e *Engine) Users(profileID string) ([]LinkedUser, error) {
	var out []LinkedUser
	err := scanJSON(e.kv, kUserPrefix(profileID), func(_ string, u LinkedUser) error {
		out = append(out, u)
		return nil
	})
	return out, err
}

// Runs lists the runs of a profile (all profiles when profileID is empty), newest first, at most limit (0 = all).
// Run ids sort by their start, so it reads the runs newest first and stops at the limit. The runs of one user are
// listed by UserRuns, which reads only those.
func (e *Engine) Runs(profileID string, limit int) ([]Run, error) {
	if profileID == "" {
		return e.scanRuns("", limit, nil)
	}
	return e.scanRuns("", limit, func(h runHead) bool { return h.Profile == profileID })
}

// errStopScan ends a KV scan early.
var errStopScan = errors.New("stop scan")

// Run returns one run and the operations it applied.
func (e *Engine) Run(id string) (Run, []AppliedOp, error) {
	var r Run
	ok, err := e.getJSON(kRun(id), &r)
	if err != nil {
		return Run{}, nil, err
	}
	if !ok {
		if e.pruned(id) {
			return Run{}, nil, fmt.Errorf("run %q was older than the run retention (%s) and was removed with its operations: %w",
				id, retentionText(e.cfg.RunRetention), ErrNoSuchRun)
		}
		return Run{}, nil, fmt.Errorf("run %q: %w", id, ErrNoSuchRun)
	}
	var ops []AppliedOp
	err = scanJSON(e.kv, kRunOpPrefix(id), func(_ string, op AppliedOp) error {
		ops = append(ops, op)
		return nil
	})
	return r, ops, err
}

// Connector returns the connector of ref, built from its settings the way runs build it and shared with them (the
// instance is cached and rebuilt when the settings change). The appliance uses it to register and renew push
// channels.
func (e *Engine) Connector(ctx context.Context, ref SystemRef) (Connector, error) {
	return e.connector(ctx, ref)
}

// connector returns the (cached) connector of ref; it is rebuilt when its settings change.
func (e *Engine) connector(ctx context.Context, ref SystemRef) (Connector, error) {
	key := ref.Type + "/" + ref.Instance
	e.mu.Lock()
	c, ok := e.conns[key]
	e.mu.Unlock()
	if ok && bytes.Equal(c.settings, ref.Settings) {
		return c.conn, nil
	}
	conn, err := e.build(ctx, ref, e.cfg.Push)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.conns[key] = connEntry{settings: append([]byte(nil), ref.Settings...), conn: conn}
	e.mu.Unlock()
	return conn, nil
}

// ProbeConnector builds a connector of ref that is not cached and not shared with runs, and has no push intake:
// for trying a configuration before it is saved (connection tests, directory listings, previews). It reads the
// instance's saved secrets like a run would, and never registers webhooks.
func (e *Engine) ProbeConnector(ctx context.Context, ref SystemRef) (Connector, error) {
	return e.build(ctx, ref, nil)
}

// build runs the factory of ref's type with the engine's environment.
func (e *Engine) build(ctx context.Context, ref SystemRef, push PushRegistry) (Connector, error) {
	f, ok := e.cfg.Connectors[ref.Type]
	if !ok {
		return nil, &InputError{"type", fmt.Sprintf("no connector of type %q", ref.Type)}
	}
	env := Env{Logger: e.log.With("connector", ref.Type, "instance", ref.Instance), Now: e.now, HTTP: e.cfg.HTTP,
		Governor: e.cfg.Governor, PublicURL: e.cfg.PublicURL, Push: push}
	if e.cfg.Secrets != nil {
		env.Secrets = e.cfg.Secrets(ref.Instance)
	}
	conn, err := f(ctx, ref.Settings, env)
	if err != nil {
		return nil, fmt.Errorf("connector %s %s: %w", ref.Type, ref.Instance, err)
	}
	return conn, nil
}

// jobLock returns the mutex of a job.
func (e *Engine) jobLock(job string) *sync.Mutex {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.jobs[job]
	if !ok {
		m = &sync.Mutex{}
		e.jobs[job] = m
	}
	return m
}

// Trace returns the latest decisions about an item, by its id on either side, newest first.
func (e *Engine) Trace(itemID string) ([]TraceEntry, error) {
	b, _, err := e.kv.Get([]byte(kTrace(itemID)))
	if err != nil {
		return nil, err
	}
	var t []TraceEntry
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		var te TraceEntry
		if err := json.Unmarshal(line, &te); err != nil {
			return nil, fmt.Errorf("trace of %s: %w", itemID, err)
		}
		t = append(t, te)
	}
	return t, nil
}

// Conflicts lists recorded conflicts of a profile (all when empty); open only when openOnly is set. Newest first.
func (e *Engine) Conflicts(profileID string, openOnly bool) ([]Conflict, error) {
	var out []Conflict
	err := scanJSON(e.kv, keyRoot+"conflict/", func(_ string, c Conflict) error {
		if (profileID == "" || c.Profile == profileID) && (!openOnly || c.Resolved == "") {
			out = append(out, c)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, err
}

// Quarantine lists quarantined items of a profile (all when empty).
func (e *Engine) Quarantine(profileID string) ([]Quarantined, error) {
	pre := keyRoot + "quarantine/"
	if profileID != "" {
		pre += profileID + "/"
	}
	var out []Quarantined
	err := scanJSON(e.kv, pre, func(_ string, q Quarantined) error {
		out = append(out, q)
		return nil
	})
	return out, err
}

// ReleaseQuarantine releases a quarantined item: the next run of its job considers it again (and re-reads it).
func (e *Engine) ReleaseQuarantine(profileID, userID string, kind Kind, side Side, itemID string) error {
	job := kJob(profileID, userID, kind)
	key := kQuarantine(job, side, itemID)
	_, ok, err := e.kv.Get([]byte(key))
	if err != nil {
		return err
	}
	if !ok {
		return &InputError{"itemId", fmt.Sprintf("item %q is not quarantined", itemID)}
	}
	// Reset the side's cursor so the item is listed again.
	return e.kv.Commit(nil, []string{key, kCursor(job, side)})
}

// PendingApprovals lists runs waiting for approval, newest first.
func (e *Engine) PendingApprovals(profileID string) ([]Run, error) {
	runs, err := e.Runs(profileID, 0)
	if err != nil {
		return nil, err
	}
	out := runs[:0]
	for _, r := range runs {
		if r.Status == RunNeedsApproval {
			out = append(out, r)
		}
	}
	return out, nil
}

// errFieldf builds a InputError.
func errFieldf(field, format string, a ...any) error {
	return &InputError{field, fmt.Sprintf(format, a...)}
}

func trimErr(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return strings.TrimSpace(s)
}
