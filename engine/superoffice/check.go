package superoffice

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Check runs the preflight checks: the API is reachable (over TLS 1.2 or newer for https), the credentials are
// accepted, the system user has the rights we need (reading the task list, the diary and persons of the linked
// associates, managing webhooks), the marker field exists, the linked associates exist, and the webhook target is
// reachable from outside (or, without a public URL, a warning that the profile runs on polling).
func (c *Connector) Check(ctx context.Context, accounts []engine.Account) []engine.CheckResult {
	var out []engine.CheckResult
	add := func(name string, st engine.CheckStatus, detail, fix string) {
		out = append(out, engine.CheckResult{Name: name, Status: st, Detail: detail, Fix: fix})
	}
	// 1. Reachable, TLS ≥ 1.2.
	u, _ := url.Parse(c.set.BaseURL)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.set.BaseURL+"v1/User/currentPrincipal", nil)
	resp, err := c.env.HTTP.Do(req)
	switch {
	case err != nil:
		add("API reachable", engine.CheckFailed, err.Error(), "Check the base URL ("+c.set.BaseURL+") and that the appliance can reach it (proxy, firewall, DNS).")
		return out
	case u.Scheme == "https" && (resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12):
		resp.Body.Close()
		add("API reachable", engine.CheckFailed, "the server negotiated a TLS version older than 1.2", "Enable TLS 1.2 or 1.3 on the NetServer.")
		return out
	default:
		resp.Body.Close()
		detail := "HTTP " + resp.Status
		if u.Scheme == "http" {
			add("API reachable", engine.CheckWarning, detail+" over plain http", "Use https for anything but a test installation.")
		} else {
			add("API reachable", engine.CheckOK, detail+" over TLS ≥ 1.2", "")
		}
	}
	// 2. Credentials.
	me, err := c.SystemAssociate(ctx)
	if err != nil {
		fix := "Sign in with SuperOffice again to renew the consent (system token) and check the partner key and client secret."
		if c.set.Mode == "onsite" {
			fix = "Check the on-site user name and password (or ticket)."
		}
		add("credentials valid", engine.CheckFailed, err.Error(), fix)
		return out
	}
	add("credentials valid", engine.CheckOK, fmt.Sprintf("signed in as associate %d", me), "")
	// 3. Rights.
	rights := []struct {
		name string
		f    func() error
	}{
		{"read the task list", func() error { return c.loadTypes(ctx) }},
		{"list webhooks", func() error {
			var hooks []Webhook
			return c.cl.do(ctx, request{method: http.MethodGet, path: "v1/Webhook", out: &hooks})
		}},
		{"search appointments by the marker field " + c.set.MarkerUdef, func() error {
			q := url.Values{"$select": {"appointmentId"}, "$filter": {c.set.MarkerUdef + " eq 'preflight'"}, "$top": {"1"}}
			return c.cl.archive(ctx, "Appointment", q, func([]map[string]any) error { return nil })
		}},
	}
	for _, r := range rights {
		if err := r.f(); err != nil {
			fix := "Give the system user the right to " + r.name + "."
			if strings.Contains(r.name, "marker") {
				fix = "Create a text user-defined field " + c.set.MarkerUdef + " on appointments and persons, or set markerUdef to one that exists."
			}
			add("right: "+r.name, engine.CheckFailed, err.Error(), fix)
		} else {
			add("right: "+r.name, engine.CheckOK, "", "")
		}
	}
	// 4. Linked associates.
	if len(accounts) > 0 {
		all, err := c.Accounts(ctx)
		if err != nil {
			add("associates", engine.CheckFailed, err.Error(), "Give the system user the right to list associates.")
		} else {
			known := map[string]bool{}
			for _, a := range all {
				known[a.ID] = true
			}
			for _, a := range accounts {
				if known[a.ID] {
					add("associate "+a.Email, engine.CheckOK, "associate "+a.ID, "")
				} else {
					add("associate "+a.Email, engine.CheckFailed, "no active associate "+a.ID, "Link the user to an existing SuperOffice user.")
				}
			}
		}
	}
	// 5. Webhook target.
	switch {
	case c.set.Webhooks != nil && !*c.set.Webhooks:
		add("webhook target reachable", engine.CheckWarning, "webhooks are disabled; changes are found by polling", "")
	case c.env.PublicURL == "":
		add("webhook target reachable", engine.CheckWarning, "the appliance has no public URL: SuperOffice cannot deliver webhooks, so this profile runs on polling",
			"Give the appliance a public https URL (and certificate) to get changes within seconds.")
	default:
		err := c.probeTarget(ctx)
		if err != nil {
			add("webhook target reachable", engine.CheckFailed, err.Error(), "Make "+c.env.PublicURL+" reachable from the internet over https with a valid certificate; until then the profile runs on polling.")
		} else {
			add("webhook target reachable", engine.CheckOK, c.env.PublicURL, "")
		}
	}
	return out
}

// probeTarget asks SuperOffice to call our hook URL (POST v1/Webhook/Test), which proves reachability from outside.
func (c *Connector) probeTarget(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	h := Webhook{Name: "synchronizer-preflight", Events: []string{"activity.changed"}, Type: "webhook", State: "Active",
		TargetURL: strings.TrimSuffix(c.env.PublicURL, "/") + "/hooks/superoffice/preflight"}
	var res struct {
		Success bool   `json:"Success"`
		Message string `json:"Message"`
	}
	if err := c.cl.do(ctx, request{method: http.MethodPost, path: "v1/Webhook/Test", body: &h, out: &res}); err != nil {
		return err
	}
	if !res.Success {
		return errors.New("SuperOffice could not reach the webhook target: " + res.Message)
	}
	return nil
}
