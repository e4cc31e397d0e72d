package msgraph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// MaxClockSkew is the largest difference between our clock and Graph's before the clock check fails (tokens are
// refused beyond about 5 minutes).
const MaxClockSkew = 2 * time.Minute

// Check runs the preflight checks: credentials and consent, the permissions the sync needs, clock skew, each
// linked mailbox (exists, has Exchange Online, readable under any application access policy), and the push path.
func (c *Connector) Check(ctx context.Context, accounts []engine.Account) []engine.CheckResult {
	var out []engine.CheckResult
	add := func(name string, st engine.CheckStatus, detail, fix string) {
		out = append(out, engine.CheckResult{Name: name, Status: st, Detail: detail, Fix: fix})
	}
	if c.set.Auth == AuthApp {
		_, err := c.tokens.token(ctx, "", true)
		if err != nil {
			add("consent granted", engine.CheckFailed, err.Error(),
				"Sign in with Microsoft as a Global Administrator and grant admin consent; check the client id and secret (secrets expire).")
			return out
		}
		add("consent granted", engine.CheckOK, "an app-only token was issued for tenant "+c.set.TenantID, "")
		resp, err := c.do(ctx, request{method: "GET", path: "/users?$top=1&$select=id"})
		switch {
		case err == nil:
			add("permission User.Read.All", engine.CheckOK, "the directory can be read for linking", "")
			c.checkSkew(resp, add)
		case errors.Is(err, engine.ErrAuth):
			add("permission User.Read.All", engine.CheckFailed, err.Error(), "Add the application permission User.Read.All and grant admin consent again.")
		default:
			add("permission User.Read.All", engine.CheckWarning, err.Error(), "")
		}
		add("application access policy", engine.CheckOK,
			"app-only access reaches every mailbox unless an Exchange application access policy (New-ApplicationAccessPolicy) scopes it",
			"To restrict the app to synced users, create an application access policy for a mail-enabled security group that holds them; mailboxes outside it then fail their check with access denied.")
	}
	for _, a := range accounts {
		c.checkMailbox(ctx, a, add)
	}
	if c.publicURL == "" {
		add("change notifications", engine.CheckWarning, "the appliance has no public URL: mailboxes are polled",
			"Give the appliance a public HTTPS URL to get Graph change notifications within seconds.")
	} else {
		add("change notifications", engine.CheckOK, "notifications are delivered to "+c.publicURL+"/hooks/"+Type+"/<profile>", "")
	}
	return out
}

func (c *Connector) checkSkew(resp *response, add func(string, engine.CheckStatus, string, string)) {
	if resp == nil {
		return
	}
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	skew := c.now().Sub(d)
	if skew < 0 {
		skew = -skew
	}
	if skew > MaxClockSkew {
		add("clock skew", engine.CheckFailed, fmt.Sprintf("our clock differs from Microsoft's by %s", skew.Round(time.Second)),
			"Synchronise the appliance's clock (NTP): tokens and subscriptions fail when it drifts.")
		return
	}
	add("clock skew", engine.CheckOK, skew.Round(time.Second).String(), "")
}

func (c *Connector) checkMailbox(ctx context.Context, a engine.Account, add func(string, engine.CheckStatus, string, string)) {
	user := a.ID
	if user == "" {
		user = a.Email
	}
	name := "mailbox " + a.Email
	if a.Email == "" {
		name = "mailbox " + user
	}
	if user == "" {
		add(name, engine.CheckFailed, "the account has neither an id nor an address", "Link the user again.")
		return
	}
	if c.set.Auth == AuthApp {
		_, err := c.do(ctx, request{method: "GET", path: "/users/" + url.PathEscape(user) + "?$select=id,mail"})
		if errors.Is(err, engine.ErrNotFound) {
			add(name, engine.CheckFailed, "no such user in the tenant", "Check the address or link the user to an existing Microsoft 365 account.")
			return
		}
		if err != nil {
			add(name, engine.CheckFailed, err.Error(), authFix(err))
			return
		}
	}
	_, err := c.do(ctx, request{method: "GET", path: "/users/" + url.PathEscape(user) + "/mailboxSettings", user: user})
	var ge *graphError
	switch {
	case err == nil:
		add(name, engine.CheckOK, "the mailbox exists and is on Exchange Online", "")
	case errors.As(err, &ge) && ge.Code == "MailboxNotEnabledForRESTAPI" || errors.Is(err, engine.ErrNotFound):
		add(name, engine.CheckFailed, "the user has no Exchange Online mailbox (a plan without Exchange, or a mailbox hosted on premises)",
			"Assign the user a licence that includes Exchange Online, or sync this user with the Exchange (EWS) connector.")
		return
	default:
		add(name, engine.CheckFailed, err.Error(), authFix(err))
		return
	}
	// One read per kind proves the permission (and that no access policy hides the mailbox).
	base := "/users/" + url.PathEscape(user)
	perms := []struct{ perm, path string }{
		{"Calendars.ReadWrite", base + "/events?$top=1&$select=id"},
		{"Contacts.ReadWrite", base + "/contactFolders?$top=1"},
		{"Tasks.ReadWrite", base + "/todo/lists?$top=1"},
	}
	if c.set.Groups == GroupsCategories {
		// Groups as categories read and write the master category list.
		perms = append(perms, struct{ perm, path string }{"MailboxSettings.ReadWrite", base + "/outlook/masterCategories"})
	}
	for _, p := range perms {
		cname := "permission " + p.perm + " on " + name[len("mailbox "):]
		_, err := c.do(ctx, request{method: "GET", path: p.path, user: user})
		switch {
		case err == nil:
			add(cname, engine.CheckOK, "", "")
		case errors.Is(err, engine.ErrAuth):
			add(cname, engine.CheckFailed, err.Error(), "Add the permission "+p.perm+" (application permission, .All for tasks, in app-only mode) and grant admin consent again; an application access policy may also exclude this mailbox.")
		default:
			add(cname, engine.CheckWarning, err.Error(), "")
		}
	}
}

func authFix(err error) string {
	var ae *AuthError
	switch {
	case errors.As(err, &ae) && ae.User != "":
		return "The user's sign-in has expired or was revoked: send them a new invitation."
	case errors.Is(err, engine.ErrAuth):
		return "Access denied: an application access policy may exclude this mailbox, or a permission is missing; grant consent again."
	}
	return ""
}
