package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// Side names one of the two systems of a profile.
type Side int

// The two sides of a profile.
const (
	SideCRM     Side = 0
	SideMailbox Side = 1
)

func (s Side) String() string {
	if s == SideCRM {
		return "crm"
	}
	return "mailbox"
}

// Other returns the opposite side.
func (s Side) Other() Side { return 1 - s }

// MarshalText writes "crm" or "mailbox".
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "crm" or "mailbox".
func (s *Side) UnmarshalText(b []byte) error {
	switch string(b) {
	case "crm":
		*s = SideCRM
	case "mailbox":
		*s = SideMailbox
	default:
		return fmt.Errorf("side %q: want crm or mailbox", b)
	}
	return nil
}

// Direction says which way changes of one kind flow.
type Direction string

// The directions.
const (
	DirTwoWay       Direction = "two-way"
	DirCRMToMailbox Direction = "crm-to-mailbox"
	DirMailboxToCRM Direction = "mailbox-to-crm"
	DirOff          Direction = "off"
)

// writes reports whether changes may be written to side s.
func (d Direction) writes(s Side) bool {
	switch d {
	case DirTwoWay:
		return true
	case DirCRMToMailbox:
		return s == SideMailbox
	case DirMailboxToCRM:
		return s == SideCRM
	}
	return false
}

func (d Direction) valid() bool {
	switch d {
	case DirTwoWay, DirCRMToMailbox, DirMailboxToCRM, DirOff:
		return true
	}
	return false
}

// Policy decides a field changed differently on both sides since the last sync.
type Policy string

// The conflict policies. Every policy first merges field by field; the policy only decides fields changed on
// both sides to different values.
//
// PolicyNewest: the contract carries no modification times, so "newest" is the change the engine observed last.
// Both changes are usually observed in the same run; then the CRM wins (documented tie-break).
const (
	PolicyNewest      Policy = "newest"
	PolicyCRMWins     Policy = "crm-wins"
	PolicyMailboxWins Policy = "mailbox-wins"
)

// DeletePolicy decides a delete on one side against an update on the other.
type DeletePolicy string

// The delete policies. The default, UpdateWins, recreates the deleted item from the updated side: losing an edit
// is worse than keeping an item someone deleted (it can be deleted again; an edit cannot be recovered).
const (
	UpdateWins DeletePolicy = "update-wins"
	DeleteWins DeletePolicy = "delete-wins"
)

// SystemRef names one configured system of a profile: its connector type (the key of the Factory in
// Config.Connectors), the connector instance (systems shared by several profiles share one instance id, so they
// share one Connector and its limits) and the settings passed to the factory.
type SystemRef struct {
	Type     string          `json:"type"`
	Instance string          `json:"instance"`
	Settings json.RawMessage `json:"settings,omitempty"`
}

// Filters exclude appointments (and, where the field exists, tasks) from the sync. A filtered item is never
// created on the other side and never deleted because of the filter: the trace says "filtered".
type Filters struct {
	SkipPrivate   bool `json:"skipPrivate,omitempty"`
	SkipAllDay    bool `json:"skipAllDay,omitempty"`
	SkipFree      bool `json:"skipFree,omitempty"`
	SkipRecurring bool `json:"skipRecurring,omitempty"`
}

// Threshold is one mass-change limit: a run exceeds it when its count is above Count AND above Percent of the
// user's linked items of that kind. Both conditions keep small mailboxes (3 of 4 items deleted) and big ones
// (200 of 100,000) from being stopped needlessly.
type Threshold struct {
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

// Guard holds the mass-change limits of a profile.
//
// Defaults and why: deletes > 10 items AND > 20 % of the user's linked items — a user cleaning up a handful of
// appointments is normal, a fifth of a calendar vanishing at once is what a wrong mapping, a revoked folder or a
// broken listing looks like. Creates > 50 AND > 50 %: imports of tens of items are everyday, doubling a calendar
// in one run is the signature of a duplicate storm. Profile-wide, over ProfileWindow (default 1 h): 200 deletes or
// 1,000 creates applied across all users — a bad profile setting shows up as many users each under their limit.
// The first sync of a user (no links yet) is exempt from the create limit unless GuardFirstSync is set: creating
// everything is then the expected outcome.
type Guard struct {
	Deletes        Threshold `json:"deletes"`
	Creates        Threshold `json:"creates"`
	ProfileDeletes int       `json:"profileDeletes"`
	ProfileCreates int       `json:"profileCreates"`
	ProfileWindow  Duration  `json:"profileWindowSeconds"`
	GuardFirstSync bool      `json:"guardFirstSync,omitempty"`
}

// DefaultGuard returns the default thresholds (see Guard).
func DefaultGuard() Guard {
	return Guard{
		Deletes:        Threshold{Count: 10, Percent: 20},
		Creates:        Threshold{Count: 50, Percent: 50},
		ProfileDeletes: 200,
		ProfileCreates: 1000,
		ProfileWindow:  Duration(3600),
	}
}

// Overrides are what a linked user may change for themselves, within Profile.UserMay.
type Overrides struct {
	Directions map[Kind]Direction `json:"directions,omitempty"`
	Filters    *Filters           `json:"filters,omitempty"`
	DaysBack   *int               `json:"daysBack,omitempty"`
	DaysAhead  *int               `json:"daysAhead,omitempty"`
}

// UserMay lists the overrides the admin allows users to set.
type UserMay struct {
	Directions bool `json:"directions,omitempty"`
	Filters    bool `json:"filters,omitempty"`
	Window     bool `json:"window,omitempty"`
}

// Profile is a CRM system, a groupware system and how to sync them. Zero fields take the defaults of
// Profile.withDefaults when saved.
type Profile struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	CRM     SystemRef `json:"crm"`
	Mailbox SystemRef `json:"mailbox"`
	// Directions per kind; a kind missing from the map is off.
	Directions map[Kind]Direction `json:"directions"`
	DaysBack   int                `json:"daysBack"`  // default 30 (when both are 0)
	DaysAhead  int                `json:"daysAhead"` // default 120 (when both are 0)
	Filters    Filters            `json:"filters"`
	Policy     Policy             `json:"policy"`   // default newest
	OnDelete   DeletePolicy       `json:"onDelete"` // default update-wins
	Guard      Guard              `json:"guard"`
	// PollSeconds is the polling interval the scheduler uses (default 300, minimum 30).
	PollSeconds int     `json:"pollSeconds"`
	UserMay     UserMay `json:"userMay"`
	Paused      bool    `json:"paused,omitempty"`
}

// LinkedUser links a CRM account to a mailbox account within a profile.
type LinkedUser struct {
	ID        string    `json:"id"`
	CRM       Account   `json:"crm"`
	Mailbox   Account   `json:"mailbox"`
	Overrides Overrides `json:"overrides"`
	Paused    bool      `json:"paused,omitempty"`
}

// InputError reports invalid input to the engine API: Field names the field at fault ("directions.task", "guard.deletes.percent").
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

func validID(field, id string) error {
	if !idRE.MatchString(id) {
		return &InputError{field, fmt.Sprintf("%q is not a valid id (letters, digits and . _ @ + -, at most 128, no /)", id)}
	}
	return nil
}

// withDefaults fills zero fields with the defaults.
func (p Profile) withDefaults() Profile {
	if p.DaysBack == 0 && p.DaysAhead == 0 {
		p.DaysBack, p.DaysAhead = 30, 120 // both unset; a window of 0 days back and N ahead is kept as given
	}
	if p.Policy == "" {
		p.Policy = PolicyNewest
	}
	if p.OnDelete == "" {
		p.OnDelete = UpdateWins
	}
	if p.Guard == (Guard{}) {
		p.Guard = DefaultGuard()
	}
	if p.PollSeconds == 0 {
		p.PollSeconds = 300
	}
	if p.Directions == nil {
		p.Directions = map[Kind]Direction{}
	}
	return p
}

// Validate checks p (after defaults) and returns a *InputError naming the first field at fault.
func (p Profile) Validate(connectors map[string]Factory) error {
	if err := validID("id", p.ID); err != nil {
		return err
	}
	for _, s := range []struct {
		name string
		ref  SystemRef
	}{{"crm", p.CRM}, {"mailbox", p.Mailbox}} {
		if s.ref.Type == "" {
			return &InputError{s.name + ".type", "required"}
		}
		if connectors != nil {
			if _, ok := connectors[s.ref.Type]; !ok {
				return &InputError{s.name + ".type", fmt.Sprintf("no connector of type %q", s.ref.Type)}
			}
		}
		if err := validID(s.name+".instance", s.ref.Instance); err != nil {
			return err
		}
		if len(s.ref.Settings) > 0 && !json.Valid(s.ref.Settings) {
			return &InputError{s.name + ".settings", "not valid JSON"}
		}
	}
	kinds := make([]string, 0, len(p.Directions))
	for k := range p.Directions {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if !validKind(Kind(k)) {
			return &InputError{"directions." + k, "unknown kind"}
		}
		if d := p.Directions[Kind(k)]; !d.valid() {
			return &InputError{"directions." + k, fmt.Sprintf("unknown direction %q", d)}
		}
	}
	if p.DaysBack < 0 || p.DaysBack > 3650 {
		return &InputError{"daysBack", "must be between 0 and 3650"}
	}
	if p.DaysAhead < 0 || p.DaysAhead > 3650 {
		return &InputError{"daysAhead", "must be between 0 and 3650"}
	}
	switch p.Policy {
	case PolicyNewest, PolicyCRMWins, PolicyMailboxWins:
	default:
		return &InputError{"policy", fmt.Sprintf("unknown policy %q", p.Policy)}
	}
	switch p.OnDelete {
	case UpdateWins, DeleteWins:
	default:
		return &InputError{"onDelete", fmt.Sprintf("unknown delete policy %q", p.OnDelete)}
	}
	g := p.Guard
	for _, t := range []struct {
		name string
		th   Threshold
	}{{"guard.deletes", g.Deletes}, {"guard.creates", g.Creates}} {
		if t.th.Count < 0 {
			return &InputError{t.name + ".count", "must not be negative"}
		}
		if t.th.Percent < 0 || t.th.Percent > 100 {
			return &InputError{t.name + ".percent", "must be between 0 and 100"}
		}
	}
	if g.ProfileDeletes < 0 {
		return &InputError{"guard.profileDeletes", "must not be negative"}
	}
	if g.ProfileCreates < 0 {
		return &InputError{"guard.profileCreates", "must not be negative"}
	}
	if g.ProfileWindow < 0 {
		return &InputError{"guard.profileWindowSeconds", "must not be negative"}
	}
	if p.PollSeconds < 30 {
		return &InputError{"pollSeconds", "must be at least 30"}
	}
	return nil
}

func validKind(k Kind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// validate checks u against its profile's UserMay.
func (u LinkedUser) validate(p Profile) error {
	if err := validID("id", u.ID); err != nil {
		return err
	}
	if u.CRM.ID == "" {
		return &InputError{"crm.id", "required"}
	}
	if u.Mailbox.ID == "" && u.Mailbox.Email == "" {
		return &InputError{"mailbox.id", "required (or mailbox.email)"}
	}
	o := u.Overrides
	if len(o.Directions) > 0 && !p.UserMay.Directions {
		return &InputError{"overrides.directions", "the profile does not allow users to change directions"}
	}
	for k, d := range o.Directions {
		if !validKind(k) {
			return &InputError{"overrides.directions." + string(k), "unknown kind"}
		}
		if !d.valid() {
			return &InputError{"overrides.directions." + string(k), fmt.Sprintf("unknown direction %q", d)}
		}
		if p.Directions[k] == "" || p.Directions[k] == DirOff {
			if d != DirOff {
				return &InputError{"overrides.directions." + string(k), "the profile does not sync this kind"}
			}
		}
	}
	if o.Filters != nil && !p.UserMay.Filters {
		return &InputError{"overrides.filters", "the profile does not allow users to change filters"}
	}
	if (o.DaysBack != nil || o.DaysAhead != nil) && !p.UserMay.Window {
		return &InputError{"overrides.daysBack", "the profile does not allow users to change the window"}
	}
	if o.DaysBack != nil && (*o.DaysBack < 0 || *o.DaysBack > 3650) {
		return &InputError{"overrides.daysBack", "must be between 0 and 3650"}
	}
	if o.DaysAhead != nil && (*o.DaysAhead < 0 || *o.DaysAhead > 3650) {
		return &InputError{"overrides.daysAhead", "must be between 0 and 3650"}
	}
	return nil
}

// effective is the configuration of one job: the profile's settings with the user's allowed overrides applied.
type effective struct {
	dir       Direction
	filters   Filters
	daysBack  int
	daysAhead int
}

func (p Profile) effective(u LinkedUser, k Kind) effective {
	e := effective{dir: p.Directions[k], filters: p.Filters, daysBack: p.DaysBack, daysAhead: p.DaysAhead}
	if e.dir == "" {
		e.dir = DirOff
	}
	if p.UserMay.Directions {
		if d, ok := u.Overrides.Directions[k]; ok && e.dir != DirOff {
			e.dir = d
		}
	}
	if p.UserMay.Filters && u.Overrides.Filters != nil {
		e.filters = *u.Overrides.Filters
	}
	if p.UserMay.Window {
		if u.Overrides.DaysBack != nil {
			e.daysBack = *u.Overrides.DaysBack
		}
		if u.Overrides.DaysAhead != nil {
			e.daysAhead = *u.Overrides.DaysAhead
		}
	}
	return e
}

// window computes the job's window at now: whole days, so it only moves once a day.
func (e effective) window(now time.Time) Window {
	day := now.UTC().Truncate(24 * time.Hour)
	return Window{From: day.AddDate(0, 0, -e.daysBack), To: day.AddDate(0, 0, e.daysAhead+1)}
}

// ErrNoSuchProfile, ErrNoSuchUser and ErrNoSuchRun are returned for unknown ids.
var (
	ErrNoSuchProfile = errors.New("no such profile")
	ErrNoSuchUser    = errors.New("no such linked user")
	ErrNoSuchRun     = errors.New("no such run")
)
