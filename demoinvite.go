package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/demo"
	"github.com/synchronizer/synchronizer/graph"
)

// demoInviteActor is the actor of the portal invitation demo mode creates at start, in the audit log.
const demoInviteActor = "synchronizer (demo mode)"

// demoInvitation is the portal invitation demo mode prints at start.
type demoInvitation struct {
	Link    string
	Name    string
	Email   string
	Expires time.Time
}

// createDemoInvitation creates a portal invitation link for the first demo user with the portal's own
// invitation code (graph.Resolver.NewPortalInvitation, as createPortalInvitation), so a newcomer can open the
// user portal in a private window next to the admin's. base is the appliance's URL, used when it has no public
// URL (no --domain). Each start makes a new link; it replaces the one of the earlier start.
func createDemoInvitation(ctx context.Context, d *demo.Demo, r *graph.Resolver, base string) (demoInvitation, error) {
	users := d.Users()
	if len(users) == 0 {
		return demoInvitation{}, errors.New("demo: no linked user to invite")
	}
	u := users[0]
	actx := auth.WithViewer(context.WithValue(ctx, requestBaseKey{}, base),
		&auth.Viewer{Email: demoInviteActor, Role: auth.RoleAdmin, Via: "system"})
	inv, err := r.NewPortalInvitation(actx, demo.ProfileID, u.ID, "link printed at the start of demo mode")
	if err != nil {
		return demoInvitation{}, fmt.Errorf("demo: portal invitation of %s: %w", u.ID, err)
	}
	return demoInvitation{Link: inv.Link, Name: u.Mailbox.Name, Email: inv.Email, Expires: inv.ExpiresAt}, nil
}

// printDemoInvitation creates the demo's portal invitation and prints it to stdout next to the setup URL; a
// failure is logged and leaves demo mode running without it. It returns the link ("" on failure).
func printDemoInvitation(ctx context.Context, stdout io.Writer, d *demo.Demo, r *graph.Resolver, base string, logger *slog.Logger) string {
	inv, err := createDemoInvitation(ctx, d, r, base)
	if err != nil {
		logger.Warn("demo: no portal invitation link", slog.Any("error", err))
		return ""
	}
	fmt.Fprintf(stdout, "Demo: open %s in a private window to see the user portal as %s <%s> (works once, until %s UTC).\n",
		inv.Link, inv.Name, inv.Email, inv.Expires.UTC().Format(time.DateTime))
	return inv.Link
}
