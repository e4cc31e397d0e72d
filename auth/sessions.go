package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

// Cookie names.
const (
	// SessionCookie holds the session id (HttpOnly).
	SessionCookie = "synchronizer_session"
	// CSRFCookie holds the CSRF token; scripts read it and echo it in CSRFHeader.
	CSRFCookie = "synchronizer_csrf"
	// CSRFHeader must carry the CSRF token on every cookie-authenticated POST.
	CSRFHeader = "X-CSRF-Token"
)

// touchEvery bounds how often a session's or token's last-use time is written.
const touchEvery = time.Minute

// sessionRecord is a session as stored under sess/<sha256 of its id>.
type sessionRecord struct {
	AccountID string    `json:"accountId"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"createdAt"`
	LastSeen  time.Time `json:"lastSeen"`
	ExpiresAt time.Time `json:"expiresAt"`
	IP        string    `json:"ip,omitempty"`
}

// Session is a newly started session: ID goes into the session cookie, CSRF
// into the CSRF cookie and the X-CSRF-Token header.
type Session struct {
	ID        string
	CSRF      string
	ExpiresAt time.Time
}

// StartSession creates a session for account id and, when ctx carries the
// request's http.ResponseWriter (Middleware puts it there), sets the session
// and CSRF cookies on the response.
func (s *Service) StartSession(ctx context.Context, accountID string) (*Session, error) {
	if _, err := s.Account(accountID); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	sess := &Session{ID: randomToken(32), CSRF: randomToken(24), ExpiresAt: now.Add(s.max)}
	rec := &sessionRecord{AccountID: accountID, CSRF: sess.CSRF, CreatedAt: now, LastSeen: now, ExpiresAt: sess.ExpiresAt, IP: RequestIP(ctx)}
	h := hashSecret(sess.ID)
	err := s.db.Update(func(tx *kv.Tx) error {
		b, err := marshal(rec)
		if err != nil {
			return err
		}
		return tx.SetWithTTL([]byte(kv.PrefixSession+h), b, s.max)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sessions[h] = rec
	if len(s.sessions)%256 == 0 {
		s.pruneSessionsLocked(now)
	}
	s.mu.Unlock()
	if ri := requestFrom(ctx); ri != nil && ri.w != nil {
		setSessionCookies(ri, sess, s.secure)
	}
	return sess, nil
}

// Logout ends the viewer's session (a no-op for token or anonymous callers)
// and clears the cookies.
func (s *Service) Logout(ctx context.Context) error {
	v := ViewerFrom(ctx)
	if ri := requestFrom(ctx); ri != nil && ri.w != nil {
		clearSessionCookies(ri, s.secure)
	}
	if v == nil || v.SessionHash == "" {
		return nil
	}
	if err := s.db.Update(func(tx *kv.Tx) error { return tx.Delete([]byte(kv.PrefixSession + v.SessionHash)) }); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.sessions, v.SessionHash)
	s.mu.Unlock()
	_ = s.Audit(ctx, Event{Action: ActionLogout, Target: v.Email})
	return nil
}

// lookupSession resolves a session cookie value into a viewer and the
// session's CSRF token. It is the hot path of every authenticated request:
// a map lookup after one sha256, kv only on a cache miss, and a write at
// most once a minute per session.
func (s *Service) lookupSession(cookie string) (*Viewer, string, error) {
	if cookie == "" || len(cookie) > 128 {
		return nil, "", nil
	}
	h := hashSecret(cookie)
	now := s.now()
	s.mu.RLock()
	rec, ok := s.sessions[h]
	var cp sessionRecord
	if ok {
		cp = *rec
	}
	s.mu.RUnlock()
	if !ok {
		loaded, err := s.loadSession(h)
		if err != nil || loaded == nil {
			return nil, "", err
		}
		cp = *loaded
		s.mu.Lock()
		s.sessions[h] = loaded
		s.mu.Unlock()
	}
	if now.After(cp.ExpiresAt) || now.Sub(cp.LastSeen) > s.idle {
		s.expireSession(h)
		return nil, "", nil
	}
	v := s.viewerFor(cp.AccountID)
	if v == nil {
		s.expireSession(h)
		return nil, "", nil
	}
	v.Via = "session"
	v.SessionHash = h
	if now.Sub(cp.LastSeen) >= touchEvery {
		s.touchSession(h, now)
	}
	return v, cp.CSRF, nil
}

func (s *Service) loadSession(h string) (*sessionRecord, error) {
	var rec sessionRecord
	err := s.db.View(func(tx *kv.Tx) error {
		var err error
		rec, err = kv.GetJSON[sessionRecord](tx, []byte(kv.PrefixSession+h))
		return err
	})
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

func (s *Service) touchSession(h string, now time.Time) {
	s.mu.Lock()
	rec, ok := s.sessions[h]
	if !ok || now.Sub(rec.LastSeen) < touchEvery {
		s.mu.Unlock()
		return
	}
	updated := *rec
	updated.LastSeen = now.UTC()
	s.sessions[h] = &updated
	s.mu.Unlock()
	ttl := updated.ExpiresAt.Sub(now)
	if ttl <= 0 {
		return
	}
	err := s.db.Update(func(tx *kv.Tx) error {
		b, err := marshal(&updated)
		if err != nil {
			return err
		}
		return tx.SetWithTTL([]byte(kv.PrefixSession+h), b, ttl)
	})
	if err != nil {
		s.log.Warn("auth: could not record session use", "err", err)
	}
}

func (s *Service) expireSession(h string) {
	s.mu.Lock()
	delete(s.sessions, h)
	s.mu.Unlock()
	if err := s.db.Update(func(tx *kv.Tx) error { return tx.Delete([]byte(kv.PrefixSession + h)) }); err != nil {
		s.log.Warn("auth: could not delete expired session", "err", err)
	}
}

// pruneSessionsLocked drops expired sessions from the cache (kv expires
// them by TTL); s.mu must be held for writing.
func (s *Service) pruneSessionsLocked(now time.Time) {
	for h, rec := range s.sessions {
		if now.After(rec.ExpiresAt) || now.Sub(rec.LastSeen) > s.idle {
			delete(s.sessions, h)
		}
	}
}

// dropSessions deletes every session of account id except keep (a session
// hash, or "").
func (s *Service) dropSessions(accountID, keep string) error {
	var doomed []string
	err := s.db.View(func(tx *kv.Tx) error {
		return tx.Scan([]byte(kv.PrefixSession), func(key, value []byte) error {
			rec, err := unmarshal[sessionRecord](value)
			if err != nil || rec.AccountID == accountID {
				h := strings.TrimPrefix(string(key), kv.PrefixSession)
				if h != keep {
					doomed = append(doomed, h)
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if len(doomed) == 0 {
		return nil
	}
	dels := make([]string, len(doomed))
	for i, h := range doomed {
		dels[i] = kv.PrefixSession + h
	}
	if err := s.db.Commit(nil, dels); err != nil {
		return err
	}
	s.mu.Lock()
	for _, h := range doomed {
		delete(s.sessions, h)
	}
	s.mu.Unlock()
	return nil
}

// viewerFor returns a fresh Viewer for an enabled account, or nil.
func (s *Service) viewerFor(accountID string) *Viewer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok || a.Disabled {
		return nil
	}
	return &Viewer{AccountID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role}
}

// Revalidate reports whether v is still signed in: its session or token
// still exists and its account is enabled with the same role. Long-lived
// connections (websocket subscriptions) call it before delivering data.
func (s *Service) Revalidate(v *Viewer) bool {
	if v == nil {
		return false
	}
	cur := s.viewerFor(v.AccountID)
	if cur == nil || cur.Role != v.Role {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch v.Via {
	case "session":
		_, ok := s.sessions[v.SessionHash]
		return ok
	case "token":
		for _, t := range s.tokens {
			if t.ID == v.TokenID {
				return true
			}
		}
		return false
	}
	return false
}

// csrfOK compares the submitted CSRF token with the session's in constant time.
func csrfOK(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
