package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/synchronizer/synchronizer/kv"
)

// The audit actions recorded by the Service.
const (
	ActionSetup                = "setup"
	ActionSetupFailed          = "setup.failed"
	ActionLoginOK              = "login.ok"
	ActionLoginFailed          = "login.failed"
	ActionLogout               = "logout"
	ActionTokenCreated         = "token.created"
	ActionTokenRevoked         = "token.revoked"
	ActionAdminAdded           = "admin.added"
	ActionAdminInvited         = "admin.invited"
	ActionAdminRemoved         = "admin.removed"
	ActionInvitationAccepted   = "invitation.accepted"
	ActionUserAdded            = "user.added"
	ActionPasswordChanged      = "password.changed"
	ActionPasswordChangeFailed = "password.change_failed"
)

// Event is one entry of the security audit log.
type Event struct {
	// ID is time-ordered: listing keys in reverse yields newest first.
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Actor is the e-mail of who did it ("" → the viewer in ctx, or "anonymous").
	Actor string `json:"actor"`
	// Action is one of the Action… constants.
	Action string `json:"action"`
	// Target is what it was done to (an e-mail, a token id).
	Target string `json:"target,omitempty"`
	// IP is the client IP ("" → the request's IP from ctx).
	IP string `json:"ip,omitempty"`
	// Detail is a short human-readable note; never a secret.
	Detail string `json:"detail,omitempty"`
}

// Audit records e, filling in ID, Time, Actor and IP from ctx when empty,
// and publishes it to the subscribers (SubscribeAudit).
func (s *Service) Audit(ctx context.Context, e Event) error {
	now := s.now().UTC()
	if e.Time.IsZero() {
		e.Time = now
	}
	if e.Actor == "" {
		if v := ViewerFrom(ctx); v != nil {
			e.Actor = v.Email
		} else {
			e.Actor = "anonymous"
		}
	}
	if e.IP == "" {
		e.IP = RequestIP(ctx)
	}
	// Actor and target may come from unauthenticated input (a failed
	// login's e-mail): bound what an anonymous caller can make us store.
	e.Actor, e.Target, e.Detail = truncate(e.Actor, 256), truncate(e.Target, 256), truncate(e.Detail, 1024)
	// IDs sort in the order events were recorded, even within one clock
	// tick; the random suffix keeps them unique across processes.
	s.auditMu.Lock()
	nano := max(e.Time.UnixNano(), s.auditLast+1)
	s.auditLast = nano
	s.auditMu.Unlock()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	e.ID = fmt.Sprintf("%016x%s", uint64(nano), hex.EncodeToString(rnd[:]))
	err := s.db.Update(func(tx *kv.Tx) error { return kv.PutJSON(tx, []byte(kv.PrefixAudit+e.ID), &e) })
	if err != nil {
		s.log.Error("auth: could not write audit event", "action", e.Action, "err", err)
		return err
	}
	s.log.Info("audit", "action", e.Action, "actor", e.Actor, "target", e.Target, "ip", e.IP)
	s.hub.publish(e)
	return nil
}

// loadAuditClock continues the audit id sequence after the newest stored
// event, so ids keep sorting in recording order across restarts even if
// the wall clock stepped back.
func (s *Service) loadAuditClock() error {
	return s.db.View(func(tx *kv.Tx) error {
		return tx.ScanReverse([]byte(kv.PrefixAudit), func(key, _ []byte) error {
			id := strings.TrimPrefix(string(key), kv.PrefixAudit)
			if n, err := strconv.ParseInt(id[:min(16, len(id))], 16, 64); err == nil {
				s.auditLast = n
			}
			return kv.ErrStopScan
		})
	})
}

// MaxAuditPage is the largest page AuditLog returns.
const MaxAuditPage = 500

// AuditLog lists audit events newest first: at most first events after the
// event with id after ("" starts at the newest). hasMore reports whether
// older events exist. The caller must be an admin.
func (s *Service) AuditLog(ctx context.Context, first int, after string) (events []Event, hasMore bool, err error) {
	if err := RequireRole(ctx, RoleAdmin); err != nil {
		return nil, false, err
	}
	if first < 0 || first > MaxAuditPage {
		return nil, false, badInput("first", "first must be between 0 and %d (got %d)", MaxAuditPage, first)
	}
	if after != "" && (len(after) != 24 || strings.Trim(after, "0123456789abcdef") != "") {
		return nil, false, badInput("after", "after %q is not a cursor returned by auditLog", after)
	}
	err = s.db.View(func(tx *kv.Tx) error {
		return tx.ScanReverse([]byte(kv.PrefixAudit), func(key, value []byte) error {
			id := strings.TrimPrefix(string(key), kv.PrefixAudit)
			if after != "" && id >= after {
				return nil
			}
			if len(events) == first {
				hasMore = true
				return kv.ErrStopScan
			}
			e, err := unmarshal[Event](value)
			if err != nil {
				return fmt.Errorf("auth: reading audit event %s: %w", id, err)
			}
			events = append(events, e)
			return nil
		})
	})
	return events, hasMore, err
}

// SubscribeAudit delivers every new audit event to the returned channel
// until ctx is done, then closes it. A subscriber that falls behind by more
// than 64 events misses events rather than blocking the writers. The caller
// must be an admin.
func (s *Service) SubscribeAudit(ctx context.Context) (<-chan Event, error) {
	if err := RequireRole(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	ch := make(chan Event, 64)
	id := s.hub.add(ch)
	go func() {
		<-ctx.Done()
		s.hub.remove(id)
	}()
	return ch, nil
}

// hub fans audit events out to subscribers.
type hub struct {
	// mu guards next and subs; a channel is closed only under mu.
	mu   sync.Mutex
	next int
	subs map[int]chan Event
}

func newHub() *hub { return &hub{subs: map[int]chan Event{}} }

func (h *hub) add(ch chan Event) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next++
	h.subs[h.next] = ch
	return h.next
}

func (h *hub) remove(id int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch, ok := h.subs[id]; ok {
		delete(h.subs, id)
		close(ch)
	}
}

func (h *hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ch := range h.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
