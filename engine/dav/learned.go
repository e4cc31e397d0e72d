package dav

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// learnedTTL is how long what the connector learned about a collection's server is trusted. After it the record is
// dropped and the Collection probes again (a server may have been fixed or replaced without changing its name).
const learnedTTL = 24 * time.Hour

// learnedSecret is the name of the connector instance's secret that holds the learned records of its collections
// (a small JSON object keyed by collection href). The secret store is per instance and encrypted at rest.
const learnedSecret = "dav-learned"

// maxOwnWrites bounds the own-writes memory of a Connector (see Connector.own): past it the memory is cleared,
// which only costs the next listing its short-cut.
const maxOwnWrites = 200_000

// ownDeleted marks an href the connector deleted in Connector.own.
const ownDeleted = "\x00deleted"

// learned is what a Collection found out about its server by trying: the quirks that otherwise cost a probe or a
// failed request on every Open. It is kept per collection href by the Connector (in memory, for later Opens in the
// same process) and in the instance's secret store (for later processes), and expires after learnedTTL or when the
// server answers with another Server header than when it was learned (an upgrade or another server).
type learned struct {
	// Fallback: sync-collection cannot be trusted (an unknown token gave HTTP 500 or a silent empty answer, or the
	// report is missing): changes are found by comparing etag listings.
	Fallback bool `json:"fallback,omitempty"`
	// IgnoresIfNoneMatch: a create with If-None-Match: * replaced an existing resource (SOGo); creates look first.
	IgnoresIfNoneMatch bool `json:"ignoresIfNoneMatch,omitempty"`
	// DeleteProbe is 1 when the server honours If-Match on DELETE, 2 when it ignores it (0: not probed).
	DeleteProbe int `json:"deleteProbe,omitempty"`
	// Rewrites: the server was seen storing something else than what we sent; every write is read back.
	Rewrites bool `json:"rewrites,omitempty"`
	// Verified and SchedVerified count the writes read back and found stored as sent (all writes, and writes
	// with an organizer or attendees), up to verifyWrites: once both are full, writes are no longer read back.
	Verified      int `json:"verified,omitempty"`
	SchedVerified int `json:"schedVerified,omitempty"`
	// DAViCal: the server sent X-DAViCal-Version (polls read getctag first, see Collection.needsCTag).
	DAViCal bool `json:"davical,omitempty"`
	// Server is the Server header the server answered with when this was learned ("" when it sends none).
	Server string `json:"server,omitempty"`
	// At is when the record was started; it expires learnedTTL later.
	At time.Time `json:"at"`
}

// empty reports whether the record holds nothing worth keeping.
func (l learned) empty() bool {
	return !l.Fallback && !l.IgnoresIfNoneMatch && l.DeleteProbe == 0 && !l.Rewrites && l.Verified == 0 &&
		l.SchedVerified == 0 && !l.DAViCal
}

// loadLearned reads the instance's learned records once per Connector. A missing secret store or record is not an
// error; an unreadable record is logged and ignored (the quirks are learned again).
func (c *Connector) loadLearned(ctx context.Context) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	if c.learnedLoaded {
		return
	}
	c.learnedLoaded = true
	c.learned = map[string]learned{}
	if c.secrets == nil {
		return
	}
	raw, err := c.secrets.Get(ctx, learnedSecret)
	if err != nil {
		if !errors.Is(err, engine.ErrNotFound) {
			c.log.Warn("dav: cannot read what was learned about the server; probing again", "err", err)
		}
		return
	}
	if err := json.Unmarshal(raw, &c.learned); err != nil {
		c.log.Warn("dav: the record of what was learned about the server is unreadable; probing again", "err", err)
		c.learned = map[string]learned{}
	}
}

// learnedFor returns the live record of collection href, dropping it when it expired or the server changed.
func (c *Connector) learnedFor(ctx context.Context, href string) (learned, bool) {
	c.loadLearned(ctx)
	c.lmu.Lock()
	defer c.lmu.Unlock()
	l, ok := c.learned[href]
	if !ok {
		return learned{}, false
	}
	now := c.now()
	if now.Sub(l.At) >= learnedTTL || l.At.After(now) {
		c.log.Info("dav: what was learned about the collection's server expired; probing again", "collection", href, "learned", l.At)
		delete(c.learned, href)
		return learned{}, false
	}
	if srv := c.c.serverHeader(); srv != "" && srv != l.Server {
		c.log.Info("dav: the server changed since its quirks were learned; probing again", "collection", href,
			"was", l.Server, "now", srv)
		delete(c.learned, href)
		return learned{}, false
	}
	return l, true
}

// remember stores the record of collection href in memory and in the secret store. A failed save is logged: it
// only costs a later process the probes again.
func (c *Connector) remember(ctx context.Context, href string, l learned) {
	c.loadLearned(ctx)
	c.lmu.Lock()
	defer c.lmu.Unlock()
	now := c.now()
	if l.At.IsZero() {
		l.At = now
	}
	old, ok := c.learned[href]
	if ok && old.Server == l.Server && now.Sub(old.At) < learnedTTL {
		// Another Store of the same collection (the task store of a calendar that also holds the appointments)
		// may have learned something this one has not: keep both.
		l = merge(old, l)
	}
	if ok && old == l {
		return
	}
	c.learned[href] = l
	for h, r := range c.learned {
		if now.Sub(r.At) >= learnedTTL {
			delete(c.learned, h)
		}
	}
	if c.secrets == nil {
		return
	}
	raw, err := json.Marshal(c.learned)
	if err == nil {
		err = c.secrets.Put(context.WithoutCancel(ctx), learnedSecret, raw)
	}
	if err != nil {
		c.log.Warn("dav: cannot save what was learned about the server", "collection", href, "err", err)
	}
}

// merge combines two live records of one collection: what either learned holds.
func merge(a, b learned) learned {
	out := b
	out.Fallback = a.Fallback || b.Fallback
	out.IgnoresIfNoneMatch = a.IgnoresIfNoneMatch || b.IgnoresIfNoneMatch
	if b.DeleteProbe == 0 {
		out.DeleteProbe = a.DeleteProbe
	}
	out.Rewrites = a.Rewrites || b.Rewrites
	out.Verified = max(a.Verified, b.Verified)
	out.SchedVerified = max(a.SchedVerified, b.SchedVerified)
	out.DAViCal = a.DAViCal || b.DAViCal
	if a.At.Before(b.At) {
		out.At = a.At
	}
	return out
}

// apply sets what a record says on a new Collection.
func (s *Collection) apply(l learned) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = l.Fallback
	s.ignoresIfNoneMatch = l.IgnoresIfNoneMatch
	s.deleteProbe = l.DeleteProbe
	s.rewrites = l.Rewrites
	s.verified = min(l.Verified, verifyWrites)
	s.schedVerified = min(l.SchedVerified, verifyWrites)
	s.writes = s.verified
	s.schedWrites = s.schedVerified
	s.learnedAt = l.At
	if l.DAViCal {
		s.c.davical.Store(true)
	}
}

// save records what this Collection learned so far (see learned). The caller must not hold s.mu.
func (s *Collection) save(ctx context.Context) {
	if s.remember == nil {
		return
	}
	s.mu.Lock()
	l := learned{
		Fallback: s.fallback, IgnoresIfNoneMatch: s.ignoresIfNoneMatch, DeleteProbe: s.deleteProbe, Rewrites: s.rewrites,
		Verified: s.verified, SchedVerified: s.schedVerified, DAViCal: s.c.isDAViCal(), Server: s.c.serverHeader(),
		At: s.learnedAt,
	}
	if l.At.IsZero() {
		l.At = s.now()
		s.learnedAt = l.At
	}
	s.mu.Unlock()
	if l.empty() {
		return
	}
	s.remember(ctx, s.url, l)
}

// noteOwn records a resource this connector wrote (etag: the version it reported to the engine) or deleted, so the
// next sync-collection listing, which lists our own writes once, leaves them out (see Collection.syncCollection).
func (c *Connector) noteOwn(href, etag string) {
	if etag == "" {
		return
	}
	c.omu.Lock()
	defer c.omu.Unlock()
	if c.own == nil || len(c.own) >= maxOwnWrites {
		c.own = map[string]string{}
	}
	c.own[href] = etag
}

// isOwn reports whether a listed href (with etag, or deleted) is the echo of our own last write of it, and forgets
// the write either way: a resource is listed once after our write, and a later listing is someone else's change.
func (c *Connector) isOwn(href, etag string, deleted bool) bool {
	c.omu.Lock()
	defer c.omu.Unlock()
	e, ok := c.own[href]
	if !ok {
		return false
	}
	delete(c.own, href)
	if deleted {
		return e == ownDeleted
	}
	return etag != "" && e == etag && e != ownDeleted
}
