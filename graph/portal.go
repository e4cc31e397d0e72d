package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/graph/model"
)

// This file is the user portal's logic behind portal.graphqls. Every field
// works on the viewer's links only (auth.Service.Links, read fresh on every
// request so an unlinked user disappears at once): an id the viewer is not
// linked to answers exactly like an id that does not exist, so a USER learns
// nothing about other users.

// Audit actions of the portal's writes.
const (
	actionPortalPreferences = "portal.preferences_set"
	actionPortalSyncNow     = "portal.sync_now"
	actionPortalMailbox     = "portal.mailbox_signin_started"
	actionPortalInvite      = "portal.invitation_created"
)

// portalRecentRuns is how many runs a portal link shows.
const portalRecentRuns = 10

// PortalSupport is what the portal needs from the appliance's sign-in flows
// (package main implements it next to the OAuth callbacks): the public base
// URL of invitation links, whether a mailbox signs in per user, and the
// sign-in providers of the login page.
type PortalSupport interface {
	// PublicBase returns the appliance's base URL (https://host) for links
	// sent by e-mail.
	PublicBase(ctx context.Context) (string, error)
	// MailboxSignIn reports whether linked user u of profile p authorizes
	// their own mailbox (delegated Microsoft sign-in) and whether the
	// authorization is stored.
	MailboxSignIn(ctx context.Context, p engine.Profile, u engine.LinkedUser) (perUser, authorized bool)
	// SignInProviders lists the sign-in providers of the login page.
	SignInProviders(ctx context.Context) ([]*model.SignInProvider, error)
}

// errNoSuchLink answers every portal id the viewer is not linked to.
func errNoSuchLink(profileID string) error {
	return &codedError{code: CodeNotFound, field: "profileId", msg: "profileId: you have no linked mailbox in profile " + quote(profileID)}
}

func quote(s string) string {
	if len(s) > 130 {
		s = s[:130]
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' {
			return '?'
		}
		return r
	}, s) + `"`
}

// myLink returns the viewer's linked user in profileID (the first by user id
// when the account has several there), or NOT_FOUND. The profile id is the
// only thing taken from the caller; the user id always comes from the links.
func (r *Resolver) myLink(ctx context.Context, profileID string) (engine.Profile, engine.LinkedUser, error) {
	e, err := r.needEngine()
	if err != nil {
		return engine.Profile{}, engine.LinkedUser{}, err
	}
	if r.Auth == nil {
		return engine.Profile{}, engine.LinkedUser{}, errUnavailable("accounts")
	}
	links := r.Auth.ViewerLinks(ctx)
	slices.SortFunc(links, func(a, b auth.Link) int { return strings.Compare(a.User, b.User) })
	for _, l := range links {
		if l.Profile != profileID {
			continue
		}
		p, err := e.Profile(l.Profile)
		if errors.Is(err, engine.ErrNoSuchProfile) {
			break
		} else if err != nil {
			return engine.Profile{}, engine.LinkedUser{}, err
		}
		u, err := e.User(l.Profile, l.User)
		if errors.Is(err, engine.ErrNoSuchUser) {
			continue
		} else if err != nil {
			return engine.Profile{}, engine.LinkedUser{}, err
		}
		return p, u, nil
	}
	return engine.Profile{}, engine.LinkedUser{}, errNoSuchLink(profileID)
}

// myLinks lists the viewer's links that still exist, ordered by profile and
// user id. Links whose profile or linked user is gone are skipped.
func (r *Resolver) myLinks(ctx context.Context) ([]*model.PortalLink, error) {
	e, err := r.needEngine()
	if err != nil {
		return nil, err
	}
	if r.Auth == nil {
		return nil, errUnavailable("accounts")
	}
	links := r.Auth.ViewerLinks(ctx)
	slices.SortFunc(links, func(a, b auth.Link) int {
		if c := strings.Compare(a.Profile, b.Profile); c != 0 {
			return c
		}
		return strings.Compare(a.User, b.User)
	})
	out := []*model.PortalLink{}
	for _, l := range links {
		p, err := e.Profile(l.Profile)
		if errors.Is(err, engine.ErrNoSuchProfile) {
			continue
		} else if err != nil {
			return nil, err
		}
		u, err := e.User(l.Profile, l.User)
		if errors.Is(err, engine.ErrNoSuchUser) {
			continue
		} else if err != nil {
			return nil, err
		}
		pl, err := r.portalLink(ctx, p, u)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}

// portalLink is the API view of one of the viewer's linked users.
func (r *Resolver) portalLink(ctx context.Context, p engine.Profile, u engine.LinkedUser) (*model.PortalLink, error) {
	lu := linkedUserOut(p.ID, u)
	out := &model.PortalLink{ProfileID: p.ID, ProfileName: p.Name, UserID: u.ID, Crm: lu.Crm, Mailbox: lu.Mailbox,
		CrmType: p.CRM.Type, MailboxType: p.Mailbox.Type, Overrides: lu.Overrides,
		Defaults: &model.PortalDefaults{Directions: directionsOut(p.Directions), Filters: filtersOut(p.Filters),
			DaysBack: p.DaysBack, DaysAhead: p.DaysAhead},
		UserMay:    &model.UserMay{Directions: p.UserMay.Directions, Filters: p.UserMay.Filters, Window: p.UserMay.Window},
		RecentRuns: []*model.SyncRun{}, Quarantine: []*model.QuarantinedItem{}}
	if r.Portal != nil {
		out.MailboxSignIn, out.MailboxAuthorized = r.Portal.MailboxSignIn(ctx, p, u)
	}
	if r.Scheduler != nil {
		if st, ok := r.Scheduler.UserStatus(p.ID, u.ID); ok {
			out.Status = userStatusOut(st)
		}
	}
	runs, err := r.Engine.UserRuns(p.ID, u.ID, portalRecentRuns)
	if err != nil {
		return nil, err
	}
	for _, run := range runs {
		out.RecentRuns = append(out.RecentRuns, runOut(run))
	}
	qs, err := r.Engine.Quarantine(p.ID)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		if q.User == u.ID {
			out.Quarantine = append(out.Quarantine, quarantinedOut(q))
		}
	}
	cs, err := r.Engine.Conflicts(p.ID, true)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.User == u.ID {
			out.OpenConflicts++
		}
	}
	return out, nil
}

// preferencesIn converts the portal's overrides input after checking each
// given field against the profile's userMay: a locked field is refused
// naming it.
func preferencesIn(p engine.Profile, in model.UserOverridesInput) (engine.Overrides, error) {
	var o engine.Overrides
	if in.Directions != nil {
		if !p.UserMay.Directions {
			return o, badInput("overrides.directions", "your administrator does not let users change the sync directions of this profile")
		}
		var err error
		if o.Directions, err = directionsIn("overrides.directions", in.Directions); err != nil {
			return o, err
		}
		if len(o.Directions) == 0 {
			o.Directions = nil
		}
	}
	if in.Filters != nil {
		if !p.UserMay.Filters {
			return o, badInput("overrides.filters", "your administrator does not let users change the filters of this profile")
		}
		f := filtersIn(in.Filters)
		o.Filters = &f
	}
	for _, w := range []struct {
		field string
		in    *int
		dst   **int
	}{{"overrides.daysBack", in.DaysBack, &o.DaysBack}, {"overrides.daysAhead", in.DaysAhead, &o.DaysAhead}} {
		if w.in == nil {
			continue
		}
		if !p.UserMay.Window {
			return o, badInput(w.field, "your administrator does not let users change the date window of this profile")
		}
		if *w.in < 0 || *w.in > 3650 {
			return o, badInput(w.field, "must be between 0 and 3650 days")
		}
		v := *w.in
		*w.dst = &v
	}
	return o, nil
}

// linkedIdentity looks linked users up for auth.AcceptPortalInvitation.
func (r *Resolver) linkedIdentity(e *engine.Engine) auth.LinkedLookup {
	return func(profile, user string) (auth.LinkedIdentity, error) {
		u, err := e.User(profile, user)
		if err != nil {
			return auth.LinkedIdentity{}, err
		}
		name := u.Mailbox.Name
		if name == "" {
			name = u.CRM.Name
		}
		return auth.LinkedIdentity{Email: u.Mailbox.Email, Name: name}, nil
	}
}

// NewPortalInvitation is the createPortalInvitation field, for callers outside GraphQL too (demo mode prints one
// link at start): it creates the durable invitation link of linked user (profileID, userID), replacing any earlier
// one, and audits it with detail (how the link was handed over). ctx carries the viewer, who must be an admin, and,
// when the appliance has no public URL, the request's base URL the link starts with.
func (r *Resolver) NewPortalInvitation(ctx context.Context, profileID, userID, detail string) (*model.PortalInvitation, error) {
	e, err := r.needEngine()
	if err != nil {
		return nil, err
	}
	u, err := e.User(profileID, userID)
	if err != nil {
		return nil, engineErr(err)
	}
	link, expires, err := r.portalInvitation(ctx, profileID, u)
	if err != nil {
		return nil, err
	}
	r.audit(ctx, actionPortalInvite, profileID+"/"+userID, detail)
	return &model.PortalInvitation{Link: link, Email: u.Mailbox.Email, ExpiresAt: expires}, nil
}

// portalInvitation creates the durable invitation link of linked user u
// (replacing any earlier one) and returns it as an absolute URL.
func (r *Resolver) portalInvitation(ctx context.Context, profileID string, u engine.LinkedUser) (string, time.Time, error) {
	if r.Portal == nil {
		return "", time.Time{}, errUnavailable("portal invitations")
	}
	to := strings.TrimSpace(u.Mailbox.Email)
	if to == "" {
		return "", time.Time{}, badInput("userId", "linked user %q has no mailbox e-mail address to invite", u.ID)
	}
	base, err := r.Portal.PublicBase(ctx)
	if err != nil {
		return "", time.Time{}, &codedError{code: CodeUnavailable, msg: err.Error()}
	}
	name := u.Mailbox.Name
	if name == "" {
		name = u.CRM.Name
	}
	inv, err := r.Auth.InvitePortalUser(ctx, profileID, u.ID, to, name)
	if err != nil {
		return "", time.Time{}, err
	}
	return strings.TrimRight(base, "/") + inv.Link, inv.ExpiresAt, nil
}

// overridesSummary describes overrides for the audit log.
func overridesSummary(o engine.Overrides) string {
	var parts []string
	if o.Directions != nil {
		ds := make([]string, 0, len(o.Directions))
		for _, k := range engine.Kinds {
			if d, ok := o.Directions[k]; ok {
				ds = append(ds, string(k)+"="+string(d))
			}
		}
		parts = append(parts, "directions "+strings.Join(ds, ","))
	}
	if o.Filters != nil {
		parts = append(parts, fmt.Sprintf("filters %+v", *o.Filters))
	}
	if o.DaysBack != nil {
		parts = append(parts, fmt.Sprintf("daysBack %d", *o.DaysBack))
	}
	if o.DaysAhead != nil {
		parts = append(parts, fmt.Sprintf("daysAhead %d", *o.DaysAhead))
	}
	if len(parts) == 0 {
		return "the profile's settings"
	}
	return strings.Join(parts, "; ")
}

// dropPortalLinks removes linked user (profile, user) — every user of the
// profile when user is "" — from the portal accounts' links and drops their
// pending invitations. The unlink already happened, so a failure is logged.
func (r *Resolver) dropPortalLinks(ctx context.Context, profile, user string) {
	if r.Auth == nil {
		return
	}
	if err := r.Auth.DropLinks(ctx, profile, user); err != nil && r.Logger != nil {
		r.Logger.Error("graphql: dropping portal links failed", "profile", profile, "user", user, "err", err)
	}
}
