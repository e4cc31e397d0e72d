package engine

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Link is one linked pair of items of a job (profile, user, kind): the id, version and content hash each side
// had at the last sync. It is what the engine keeps per item; the base content lives apart (Base) and is read
// only for items that changed, so a run over unchanged items reads these small records only and the engine keeps
// nothing in memory between runs.
//
// An empty id on a side means the side has no copy: Pending says a create on that side was planned and must
// be (re)tried — with the marker of the current Attempt — whether or not the other side changes; otherwise (the
// copy was removed by Undo, or by a one-way profile) a copy is made only when the other side changes.
type Link struct {
	ID      string    `json:"id"`
	IDs     [2]string `json:"ids"`
	Vers    [2]string `json:"v"`
	Hashes  [2]hash16 `json:"h"` // the first 16 bytes of Hash of the side's base content (zero = unknown)
	Pending [2]bool   `json:"p,omitempty"`
	Attempt [2]int32  `json:"a,omitempty"`
	// Check asks the next run to re-read both sides (after an interrupted write or a failed precondition).
	Check bool `json:"c,omitempty"`
	// Unknown says the outcome of the last create on that side is unknown and the store cannot find items by
	// marker: the create is not retried before a complete full listing has been searched for its marker.
	Unknown [2]bool `json:"u,omitempty"`
}

// Base is the content of both sides at the last sync, in canonical form. M is nil when it equals C.
type Base struct {
	C json.RawMessage `json:"c,omitempty"`
	M json.RawMessage `json:"m,omitempty"`
}

// Cursor is a side's change cursor, with the window it was taken in: a cursor taken in another window is not
// reused (the next listing is a full one).
type Cursor struct {
	Cursor string `json:"cursor"`
	Window Window `json:"window"`
	// Members is, for a group job, the digest of the contact links its members were translated with: when the
	// links change, the groups are listed fully so that members linked since are written (members.go).
	Members string `json:"members,omitempty"`
}

// Marker returns the idempotency marker for a create on side s of link id at attempt n. It is deterministic so
// recovery can look for an earlier attempt.
func Marker(linkID string, s Side, attempt int) string {
	return fmt.Sprintf("syn1.%s.%s.%d", linkID, s, attempt)
}

// parseMarker is the inverse of Marker.
func parseMarker(m string) (linkID string, s Side, attempt int, ok bool) {
	parts := strings.Split(m, ".")
	if len(parts) != 4 || parts[0] != "syn1" || parts[1] == "" {
		return "", 0, 0, false
	}
	if err := s.UnmarshalText([]byte(parts[2])); err != nil {
		return "", 0, 0, false
	}
	n, err := strconv.Atoi(parts[3])
	if err != nil || n < 0 {
		return "", 0, 0, false
	}
	return parts[1], s, n, true
}

// hashHex is the content hash kept in intents (hex, for JSON).
func hashHex(it Item) string {
	h := Hash(it)
	return fmt.Sprintf("%x", h[:16])
}

// hash16 is the compact content hash kept in links: the first 16 bytes of Hash.
type hash16 [16]byte

// hashKey returns the hash16 of it.
func hashKey(it Item) hash16 {
	h := Hash(it)
	return hash16(h[:16])
}

// encodeItem stores an item in canonical form.
func encodeItem(it Item) (json.RawMessage, error) {
	if it == nil {
		return nil, nil
	}
	return json.Marshal(Normalize(it))
}

// decodeItem reads an item of kind k.
func decodeItem(k Kind, b []byte) (Item, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var it Item
	switch k {
	case KindAppointment:
		it = &Appointment{}
	case KindTask:
		it = &Task{}
	case KindContact:
		it = &Contact{}
	case KindGroup:
		it = &Group{}
	default:
		return nil, fmt.Errorf("unknown kind %q", k)
	}
	if err := json.Unmarshal(b, it); err != nil {
		return nil, fmt.Errorf("decode %s: %w", k, err)
	}
	return it, nil
}

// Intent is a remote write announced in the journal before it is sent. Its result and the new link state are
// committed together, and the intent deleted, in one Commit after the write; an intent found at start-up means
// the process stopped in between (see Recover).
type Intent struct {
	Op          string `json:"op"`
	Run         string `json:"run"`
	Profile     string `json:"profile"`
	User        string `json:"user"`
	Kind        Kind   `json:"kind"`
	Side        Side   `json:"side"`
	Action      Action `json:"action"`
	Link        string `json:"link"`
	ID          string `json:"id,omitempty"`           // update, delete
	Marker      string `json:"marker,omitempty"`       // create
	Precond     string `json:"precondition,omitempty"` // update, delete
	PayloadHash string `json:"payloadHash,omitempty"`
	// Payload and Before are the content sent and the content it replaces (updates), so that recovery can tell,
	// field by field, which of the written fields reached the store.
	Payload json.RawMessage `json:"payload,omitempty"`
	Before  json.RawMessage `json:"before,omitempty"`
	// Other is, for a group update, the other side's content when the write was planned (members.go).
	Other json.RawMessage `json:"other,omitempty"`
	At    time.Time       `json:"at"`
}

// RunStatus is the state of a run.
type RunStatus string

// The run statuses.
const (
	RunRunning       RunStatus = "running"
	RunOK            RunStatus = "ok"
	RunFailed        RunStatus = "failed"
	RunPartial       RunStatus = "partial"
	RunNeedsApproval RunStatus = "needs-approval"
	RunRejected      RunStatus = "rejected"
)

// Counts sums up what a run did.
type Counts struct {
	Listed      int `json:"listed"`
	Created     int `json:"created"`
	Updated     int `json:"updated"`
	Deleted     int `json:"deleted"`
	Unchanged   int `json:"unchanged"`
	Conflicts   int `json:"conflicts"`
	Quarantined int `json:"quarantined"`
	Skipped     int `json:"skipped"` // filtered, outside the window, direction off
	Errors      int `json:"errors"`
}

// PlannedOp is one write the planner wants to make; runs stopped by a guard list them for the admin.
type PlannedOp struct {
	Side   Side   `json:"side"`
	Action Action `json:"action"`
	Link   string `json:"link"`
	ID     string `json:"id,omitempty"`     // the target item (update, delete)
	Source string `json:"source,omitempty"` // the item on the other side it comes from
	Title  string `json:"title,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Run is one sync of a job, or an undo.
type Run struct {
	ID       string      `json:"id"`
	Profile  string      `json:"profile"`
	User     string      `json:"user"`
	Kind     Kind        `json:"kind"`
	Trigger  string      `json:"trigger"`
	Start    time.Time   `json:"start"`
	End      time.Time   `json:"end,omitzero"`
	Status   RunStatus   `json:"status"`
	Error    string      `json:"error,omitempty"`
	Counts   Counts      `json:"counts"`
	Planned  []PlannedOp `json:"planned,omitempty"` // needs-approval runs: what the run would do
	Guard    string      `json:"guard,omitempty"`   // which limit stopped the run
	UndoOf   string      `json:"undoOf,omitempty"`
	UndoneBy string      `json:"undoneBy,omitempty"`
	Approved string      `json:"approved,omitempty"` // the needs-approval run this run carried out
}

// AppliedOp is one write a run applied, with the content before and after, so Undo can apply its inverse.
type AppliedOp struct {
	Seq     int             `json:"seq"`
	Side    Side            `json:"side"`
	Action  Action          `json:"action"`
	Link    string          `json:"link"`
	ID      string          `json:"id"`
	Version string          `json:"version,omitempty"` // after the write (empty for deletes)
	Before  json.RawMessage `json:"before,omitempty"`
	After   json.RawMessage `json:"after,omitempty"`
	At      time.Time       `json:"at"`
}

// Conflict records a field changed on both sides to different values since the last sync, and how the policy
// decided it.
type Conflict struct {
	ID       string          `json:"id"`
	Profile  string          `json:"profile"`
	User     string          `json:"user"`
	Kind     Kind            `json:"kind"`
	Link     string          `json:"link"`
	Run      string          `json:"run"`
	IDs      [2]string       `json:"ids"`
	Fields   []string        `json:"fields"`
	Base     json.RawMessage `json:"base,omitempty"`    // the base fields involved
	CRM      json.RawMessage `json:"crm,omitempty"`     // the CRM's values of those fields
	Mailbox  json.RawMessage `json:"mailbox,omitempty"` // the mailbox's values
	Decision Side            `json:"decision"`          // the side whose values were kept
	Policy   Policy          `json:"policy"`
	At       time.Time       `json:"at"`
	Resolved string          `json:"resolved,omitempty"` // "" while open; the side chosen by the admin
}

// Quarantined is an item the engine cannot map or write. It is skipped until its version changes.
type Quarantined struct {
	Profile string    `json:"profile"`
	User    string    `json:"user"`
	Kind    Kind      `json:"kind"`
	Side    Side      `json:"side"`
	ID      string    `json:"id"`
	Version string    `json:"version,omitempty"`
	Field   string    `json:"field,omitempty"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// Decision is a reason code of the trace.
type Decision string

// The trace decisions.
const (
	DecCreated      Decision = "created"
	DecUpdated      Decision = "updated"
	DecDeleted      Decision = "deleted"
	DecUnchanged    Decision = "unchanged"
	DecEcho         Decision = "echo"
	DecOutOfWindow  Decision = "outside-window"
	DecFiltered     Decision = "filtered"
	DecPolicy       Decision = "policy"
	DecConflict     Decision = "conflict"
	DecGuard        Decision = "guard"
	DecError        Decision = "error"
	DecQuarantined  Decision = "quarantined"
	DecDirectionOff Decision = "direction-off"
	DecLinked       Decision = "linked"
)

// TraceEntry is one decision about an item.
type TraceEntry struct {
	At       time.Time `json:"at"`
	Run      string    `json:"run"`
	Profile  string    `json:"profile"`
	User     string    `json:"user"`
	Kind     Kind      `json:"kind"`
	Side     Side      `json:"side"` // the side the item id belongs to
	Link     string    `json:"link,omitempty"`
	Decision Decision  `json:"decision"`
	Reason   string    `json:"reason,omitempty"`
}

// TraceDepth is how many decisions are kept per item id.
const TraceDepth = 20

// encode writes l in the compact binary form links are stored in (JSON costs several times more to decode, and a
// full listing decodes every link of a job): 'L', version 1, five length-prefixed strings (ID, IDs, Vers), the two
// 16-byte hashes, a flag byte (Pending[0], Pending[1], Check, Unknown[0], Unknown[1]) and the two attempt counters.
func (l *Link) encode() []byte {
	b := make([]byte, 0, 2+len(l.ID)+len(l.IDs[0])+len(l.IDs[1])+len(l.Vers[0])+len(l.Vers[1])+48)
	b = append(b, 'L', 1)
	for _, s := range [...]string{l.ID, l.IDs[0], l.IDs[1], l.Vers[0], l.Vers[1]} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, l.Hashes[0][:]...)
	b = append(b, l.Hashes[1][:]...)
	var flags byte
	if l.Pending[0] {
		flags |= 1
	}
	if l.Pending[1] {
		flags |= 2
	}
	if l.Check {
		flags |= 4
	}
	if l.Unknown[0] {
		flags |= 8
	}
	if l.Unknown[1] {
		flags |= 16
	}
	b = append(b, flags)
	// The int32 -> uint64 conversion sign-extends and decodeLink's uint64 -> int32 truncates back, so every int32
	// (attempt counters are never negative anyway) round-trips exactly.
	b = binary.AppendUvarint(b, uint64(l.Attempt[0]))    //nolint:gosec // G115: lossless round-trip with decodeLink, see above
	return binary.AppendUvarint(b, uint64(l.Attempt[1])) //nolint:gosec // G115: lossless round-trip with decodeLink, see above
}

var errBadLink = errors.New("corrupt link record")

// decodeLink reads a link written by encode.
func decodeLink(b []byte) (Link, error) {
	var l Link
	if len(b) < 2 || b[0] != 'L' || b[1] != 1 {
		return l, errBadLink
	}
	b = b[2:]
	// One allocation holds every string of the link; the fields share it.
	var idx [5][2]int
	off := 0
	rest := b
	for i := range idx {
		n, k := binary.Uvarint(rest)
		if k <= 0 || uint64(len(rest)-k) < n { //nolint:gosec // G115: 0 < k <= len(rest) here, so len(rest)-k >= 0
			return l, errBadLink
		}
		sz := int(n) //nolint:gosec // G115: n <= len(rest)-k was checked above, so it fits in an int
		idx[i] = [2]int{off + k, off + k + sz}
		off += k + sz
		rest = rest[k+sz:]
	}
	all := string(b[:off])
	var strs [5]string
	for i, r := range idx {
		strs[i] = all[r[0]:r[1]]
	}
	b = rest
	if len(b) < 32 {
		return l, errBadLink
	}
	l.Hashes = [2]hash16{hash16(b[:16]), hash16(b[16:32])}
	b = b[32:]
	if len(b) < 1 {
		return l, errBadLink
	}
	flags := b[0]
	b = b[1:]
	a0, k0 := binary.Uvarint(b)
	if k0 <= 0 {
		return l, errBadLink
	}
	a1, k1 := binary.Uvarint(b[k0:])
	if k1 <= 0 {
		return l, errBadLink
	}
	l.ID, l.IDs, l.Vers = strs[0], [2]string{strs[1], strs[2]}, [2]string{strs[3], strs[4]}
	l.Pending = [2]bool{flags&1 != 0, flags&2 != 0}
	l.Check = flags&4 != 0
	l.Unknown = [2]bool{flags&8 != 0, flags&16 != 0}
	l.Attempt = [2]int32{int32(a0), int32(a1)} //nolint:gosec // G115: truncation inverts encode's sign-extension, so every int32 round-trips
	return l, nil
}

// getLink reads one link; ok is false when it does not exist.
func (e *Engine) getLink(job, id string) (Link, bool, error) {
	b, ok, err := e.kv.Get([]byte(kLink(job, id)))
	if err != nil || !ok {
		return Link{}, ok, err
	}
	l, err := decodeLink(b)
	if err != nil {
		return Link{}, true, fmt.Errorf("link %s of %s: %w", id, job, err)
	}
	return l, true, nil
}
