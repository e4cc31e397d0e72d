package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The user summary is what the users grid shows of each linked user: per kind the items in sync and the last
// finished run, the last successful sync, the number of quarantined items, and the most recent error naming the
// item at fault. Its cost is bounded per user: it counts the user's link keys in one key-only scan (links are not
// decoded), reads the user's run index newest first until every kind with links has its last finished run (at most
// SummaryRunScan runs), decodes only that user's quarantine records and, for the newest of them, one trace and one
// base record to find the item's title.

// SummaryRunScan bounds the runs UserSummary reads (newest first) to find each kind's last finished run. A kind
// whose last finished run is older than that many runs of the user shows no last run.
const SummaryRunScan = 40

// UserSummary sums up one linked user for the users grid.
type UserSummary struct {
	// Kinds has one entry per kind that has linked items or a finished run, in the order of Kinds.
	Kinds []KindSummary
	// LastSuccess is the end of the newest OK run of any kind among the runs read (zero when none).
	LastSuccess time.Time
	// Quarantined is the number of the user's quarantined items (all kinds).
	Quarantined int
	// LastError is the most recent error: the newest quarantined item, or the error of a kind's last finished
	// run when that run failed or was partial and ended after it. Nil when there is none.
	LastError *SummaryError
}

// KindSummary is one kind of a user's summary.
type KindSummary struct {
	Kind Kind
	// Items is the number of linked items of the kind (items in sync between both systems).
	Items int
	// LastRun is the kind's newest finished sync run (OK, partial or failed; undo and conflict resolution runs
	// are left out), nil when none was found.
	LastRun *Run
}

// SummaryError is an error of a user's summary, naming the item at fault when it is an item error.
type SummaryError struct {
	Kind Kind
	At   time.Time
	// Run is the run that reported the error (run errors); empty for a quarantined item.
	Run string
	// Item is set for a quarantined item: its side and id, its title when the engine still knows it, and the
	// field at fault.
	Item   bool
	Side   Side
	ID     string
	Title  string
	Field  string
	Reason string
}

// kindNoun names one item of kind k for messages.
var kindNoun = map[Kind]string{KindAppointment: "Appointment", KindTask: "Task", KindContact: "Contact", KindGroup: "Group"}

// Message is the error as one line, e.g. "Appointment 'Board meeting' (CRM 1234): end: end before start" for an
// item, or "Appointment sync failed: mailbox answered 503" for a run.
func (s *SummaryError) Message() string {
	noun := kindNoun[s.Kind]
	if noun == "" {
		noun = string(s.Kind)
	}
	if !s.Item {
		return noun + " sync failed: " + s.Reason
	}
	var b strings.Builder
	b.WriteString(noun)
	if s.Title != "" {
		fmt.Fprintf(&b, " '%s'", s.Title)
	}
	side := "CRM"
	if s.Side == SideMailbox {
		side = "mailbox"
	}
	fmt.Fprintf(&b, " (%s %s): ", side, s.ID)
	if s.Field != "" && !strings.HasPrefix(s.Reason, s.Field+":") {
		b.WriteString(s.Field + ": ")
	}
	b.WriteString(s.Reason)
	return b.String()
}

// keyScanner is implemented by stores that list the keys under a prefix without reading their values (*kv.DB).
// Other stores are read with Scan.
type keyScanner interface {
	ScanKeys(prefix []byte, fn func(key []byte) error) error
}

// scanKeys calls fn with every key under prefix (valid only during the call).
func (e *Engine) scanKeys(prefix string, fn func(key []byte) error) error {
	if c, ok := e.kv.(keyScanner); ok {
		return c.ScanKeys([]byte(prefix), fn)
	}
	return e.kv.Scan([]byte(prefix), func(k, _ []byte) error { return fn(k) })
}

// linkCounts counts a user's links per kind in one key-only scan of eng/link/<profile>/<user>/.
func (e *Engine) linkCounts(profileID, userID string) (map[Kind]int, error) {
	prefix := keyRoot + "link/" + profileID + "/" + userID + "/"
	out := map[Kind]int{}
	err := e.scanKeys(prefix, func(k []byte) error {
		rest := k[len(prefix):]
		if i := bytes.IndexByte(rest, '/'); i > 0 {
			out[Kind(rest[:i])]++
		}
		return nil
	})
	return out, err
}

// finishedSync reports whether r is a sync run that finished (OK, partial or failed), not an undo or a conflict
// resolution, whose counts say nothing about the items in sync.
func finishedSync(r *Run) bool {
	if r.Status != RunOK && r.Status != RunPartial && r.Status != RunFailed {
		return false
	}
	return !strings.HasPrefix(r.Trigger, "undo:") && !strings.HasPrefix(r.Trigger, "resolve:")
}

// UserSummary sums up linked user userID of profile profileID for the users grid (see UserSummary). A user who
// was unlinked still gets the summary of what is stored about them.
func (e *Engine) UserSummary(profileID, userID string) (UserSummary, error) {
	var out UserSummary
	if err := validID("profileId", profileID); err != nil {
		return out, err
	}
	if err := validID("userId", userID); err != nil {
		return out, err
	}
	linked, err := e.linkCounts(profileID, userID)
	if err != nil {
		return out, err
	}
	// The newest runs, until every kind with linked items has its last finished run and an OK run was seen.
	last := map[Kind]*Run{}
	err = e.summaryRuns(profileID, userID, func(r *Run) bool {
		if !finishedSync(r) {
			return false
		}
		if r.Status == RunOK && r.End.After(out.LastSuccess) {
			out.LastSuccess = r.End
		}
		if last[r.Kind] == nil {
			last[r.Kind] = r
		}
		if out.LastSuccess.IsZero() {
			return false
		}
		for _, k := range Kinds {
			if linked[k] > 0 && last[k] == nil {
				return false
			}
		}
		return true
	})
	if err != nil {
		return out, err
	}
	for _, k := range Kinds {
		if linked[k] == 0 && last[k] == nil {
			continue
		}
		out.Kinds = append(out.Kinds, KindSummary{Kind: k, Items: linked[k], LastRun: last[k]})
	}
	// The user's quarantine: counted, and the newest record kept (records are small and few per user).
	var newest *Quarantined
	err = scanJSON(e.kv, keyRoot+"quarantine/"+profileID+"/"+userID+"/", func(_ string, q Quarantined) error {
		out.Quarantined++
		if newest == nil || q.At.After(newest.At) {
			newest = &q
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	if newest != nil {
		out.LastError = &SummaryError{Kind: newest.Kind, At: newest.At, Item: true, Side: newest.Side, ID: newest.ID,
			Field: newest.Field, Reason: newest.Reason, Title: e.itemTitle(profileID, userID, newest.Kind, newest.ID)}
	}
	for _, k := range Kinds {
		r := last[k]
		if r == nil || r.Status == RunOK || r.Error == "" {
			continue
		}
		if out.LastError == nil || r.End.After(out.LastError.At) {
			out.LastError = &SummaryError{Kind: k, At: r.End, Run: r.ID, Reason: r.Error}
		}
	}
	return out, nil
}

// summaryRuns calls visit with the user's runs, newest first, at most SummaryRunScan of them, until visit returns
// true. It reads the run index when it is complete and UserRuns otherwise.
func (e *Engine) summaryRuns(profileID, userID string, visit func(r *Run) bool) error {
	ready, err := e.runIndexReady()
	if err != nil {
		return err
	}
	if !ready {
		runs, err := e.UserRuns(profileID, userID, SummaryRunScan)
		if err != nil {
			return err
		}
		for i := range runs {
			if visit(&runs[i]) {
				break
			}
		}
		return nil
	}
	prefix := kRunUserPrefix(profileID, userID)
	n := 0
	err = e.kv.ScanReverse([]byte(prefix), func(k, _ []byte) error {
		r := new(Run)
		ok, err := e.getJSON(kRun(string(k[len(prefix):])), r)
		if err != nil {
			return err
		}
		if !ok {
			return nil // removed by the retention after this scan's snapshot was taken
		}
		n++
		if visit(r) || n >= SummaryRunScan {
			return errStopScan
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return err
	}
	return nil
}

// itemTitle finds the title of item id of a user's job through the item's newest trace entry naming a link and
// that link's base content. It returns "" when the item was never linked or its records are gone; a record that
// cannot be read is logged and also gives "" (the title only decorates a message).
func (e *Engine) itemTitle(profileID, userID string, k Kind, id string) string {
	b, ok, err := e.kv.Get([]byte(kTrace(id)))
	if err != nil || !ok {
		return ""
	}
	link := ""
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		var t TraceEntry
		if json.Unmarshal(line, &t) != nil {
			break
		}
		if t.Profile == profileID && t.User == userID && t.Kind == k && t.Link != "" {
			link = t.Link
			break
		}
	}
	if link == "" {
		return ""
	}
	var base Base
	if ok, err := e.getJSON(kBase(kJob(profileID, userID, k), link), &base); err != nil || !ok {
		if err != nil {
			e.log.Warn("user summary: the base of a quarantined item cannot be read", "link", link, "err", err)
		}
		return ""
	}
	for _, c := range []json.RawMessage{base.C, base.M} {
		it, err := decodeItem(k, c)
		if err != nil {
			e.log.Warn("user summary: the base of a quarantined item cannot be decoded", "link", link, "err", err)
			continue
		}
		if it != nil {
			if t := strings.TrimSpace(titleOf(it)); t != "" {
				return t
			}
		}
	}
	return ""
}
