package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/graph/model"
)

// DefaultCheckTimeout bounds a connection test, a profile's checks (each system) and a directory listing when
// Resolver.CheckTimeout is zero.
const DefaultCheckTimeout = 20 * time.Second

// checkGrace is how long a checker that ignores its context's deadline is waited for before its results are given
// up; its goroutine ends when the checker returns.
const checkGrace = 2 * time.Second

// maxCheckedUsers bounds how many linked users' accounts one profileChecks call checks.
const maxCheckedUsers = 200

func (r *Resolver) checkTimeout() time.Duration {
	if r.CheckTimeout > 0 {
		return r.CheckTimeout
	}
	return DefaultCheckTimeout
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// probeRef turns a SystemInput (saved or not) into a SystemRef. Secret settings the input leaves out are taken
// from the saved profile profileID when one of its systems is the same instance, as saveSyncProfile would keep
// them. field prefixes the names of fields at fault ("system", "crm", "mailbox").
func (r *Resolver) probeRef(e *engine.Engine, field string, in model.SystemInput, profileID *string) (engine.SystemRef, error) {
	typ, inst := strings.TrimSpace(in.Type), strings.TrimSpace(in.Instance)
	if typ == "" {
		return engine.SystemRef{}, badInput(field+".type", "required")
	}
	if !instanceRE.MatchString(inst) {
		return engine.SystemRef{}, badInput(field+".instance", "%q is not a connection name: use letters, digits and . _ @ + -", inst)
	}
	var old json.RawMessage
	if profileID != nil && *profileID != "" {
		p, err := e.Profile(*profileID)
		switch {
		case errors.Is(err, engine.ErrNoSuchProfile):
			return engine.SystemRef{}, badInput("profileId", "no profile %q", *profileID)
		case err != nil:
			return engine.SystemRef{}, err
		}
		for _, s := range []engine.SystemRef{p.CRM, p.Mailbox} {
			if s.Instance == inst && s.Type == typ {
				old = s.Settings
			}
		}
	}
	settings, err := mergeSettings(field, in.Settings, in.ClearSecrets, old)
	if err != nil {
		return engine.SystemRef{}, err
	}
	return engine.SystemRef{Type: typ, Instance: inst, Settings: settings}, nil
}

// probeSystem reads one unsaved system of the API (field "system") and builds its uncached connector: what
// testSystem, systemAccounts and systemCategories start with.
func (r *Resolver) probeSystem(ctx context.Context, in model.SystemInput, profileID *string) (engine.SystemRef, engine.Connector, error) {
	e, err := r.needEngine()
	if err != nil {
		return engine.SystemRef{}, nil, err
	}
	ref, err := r.probeRef(e, "system", in, profileID)
	if err != nil {
		return engine.SystemRef{}, nil, err
	}
	conn, err := r.probe(ctx, e, "system", ref)
	if err != nil {
		return engine.SystemRef{}, nil, err
	}
	return ref, conn, nil
}

// probe builds an uncached connector of ref. Factories only validate (they never call the remote system), so any
// error is the settings' fault: BAD_USER_INPUT naming the field.
func (r *Resolver) probe(ctx context.Context, e *engine.Engine, field string, ref engine.SystemRef) (engine.Connector, error) {
	conn, err := e.ProbeConnector(ctx, ref)
	if err == nil {
		return conn, nil
	}
	var ie *engine.InputError
	switch {
	case errors.As(err, &ie) && ie.Field == "type":
		return nil, badInput(field+".type", "%s", ie.Reason)
	case errors.As(err, &ie) && ie.Field != "":
		return nil, badInput(field+".settings."+ie.Field, "%s", ie.Reason)
	}
	return nil, badInput(field+".settings", "%v", err)
}

// checkRun is the outcome of one Checker call.
type checkRun struct {
	results  []engine.CheckResult
	timedOut bool
	took     time.Duration
	message  string
}

// runCheck runs conn's preflight checks with accounts, bounded by timeout. A checker that returns after the
// deadline has its results kept (those that failed say why) and the run is marked timed out; one that does not
// return within a short grace is given up.
func (r *Resolver) runCheck(ctx context.Context, conn engine.Connector, typ string, accounts []engine.Account) checkRun {
	chk, ok := conn.(engine.Checker)
	if !ok {
		return checkRun{message: fmt.Sprintf("The %s connector has no preflight checks; its settings are valid.", typ)}
	}
	timeout := r.checkTimeout()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	done := make(chan []engine.CheckResult, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				if r.Logger != nil {
					r.Logger.Error("graphql: a connector's checks panicked", "type", typ, "panic", p)
				}
				done <- []engine.CheckResult{{Name: "checks ran", Status: engine.CheckFailed,
					Detail: fmt.Sprintf("the %s connector's checks failed unexpectedly: %v", typ, p), Fix: "Report this; the server log has details."}}
			}
		}()
		done <- chk.Check(cctx, accounts)
	}()
	grace := time.NewTimer(timeout + checkGrace)
	defer grace.Stop()
	var run checkRun
	select {
	case run.results = <-done:
		run.timedOut = errors.Is(cctx.Err(), context.DeadlineExceeded)
	case <-grace.C:
		run.timedOut = true
	case <-ctx.Done():
		run.timedOut = true
	}
	run.took = time.Since(start)
	if run.timedOut {
		run.message = fmt.Sprintf("The checks did not finish within %s; the results below are those that finished. "+
			"Check that the appliance can reach the system, then run the checks again.", timeout)
	}
	return run
}

func checkStatusOut(s engine.CheckStatus) model.CheckStatus {
	switch s {
	case engine.CheckOK:
		return model.CheckStatusOk
	case engine.CheckFailed:
		return model.CheckStatusFailed
	}
	return model.CheckStatusWarning
}

func checkResultsOut(rs []engine.CheckResult) ([]*model.CheckResult, bool) {
	out := make([]*model.CheckResult, 0, len(rs))
	ok := true
	for _, c := range rs {
		st := checkStatusOut(c.Status)
		ok = ok && st != model.CheckStatusFailed
		out = append(out, &model.CheckResult{Name: c.Name, Status: st, Detail: c.Detail, Fix: c.Fix})
	}
	return out, ok
}

func (r *Resolver) systemReport(side *model.Side, ref engine.SystemRef, run checkRun, at time.Time) *model.SystemCheckReport {
	results, ok := checkResultsOut(run.results)
	return &model.SystemCheckReport{Side: side, Type: ref.Type, Instance: ref.Instance, Results: results,
		Ok: ok && !run.timedOut, DurationMs: int(run.took.Milliseconds()), CheckedAt: at, TimedOut: run.timedOut,
		Message: strp(run.message)}
}

// splitByAccount attributes the results of a Checker run with accounts: a result whose name holds one of an
// account's addresses or its id as a word ("mailbox alice@contoso.com", "associate 17") belongs to that account's
// user; the rest are the system's.
func splitByAccount(results []engine.CheckResult, accounts []engine.Account) (system []engine.CheckResult, per [][]engine.CheckResult) {
	per = make([][]engine.CheckResult, len(accounts))
	owner := map[string]int{}
	ambiguous := map[string]bool{}
	for i, a := range accounts {
		keys := append([]string{a.Email, a.ID}, a.Aliases...)
		for _, k := range keys {
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "" {
				continue
			}
			if j, seen := owner[k]; seen && j != i {
				ambiguous[k] = true
			}
			owner[k] = i
		}
	}
	for _, res := range results {
		who := -1
		for _, w := range strings.Fields(strings.ToLower(res.Name)) {
			if i, ok := owner[w]; ok && !ambiguous[w] {
				who = i
				break
			}
		}
		if who < 0 {
			system = append(system, res)
		} else {
			per[who] = append(per[who], res)
		}
	}
	return system, per
}

// profileChecks runs both systems' checks of a saved profile with the given users' accounts, concurrently.
func (r *Resolver) profileChecks(ctx context.Context, profileID string, userIDs []string) (*model.ProfileCheckReport, error) {
	e, err := r.needEngine()
	if err != nil {
		return nil, err
	}
	p, err := e.Profile(profileID)
	if err != nil {
		return nil, engineErr(err)
	}
	all, err := e.Users(profileID)
	if err != nil {
		return nil, err
	}
	users := all
	if userIDs != nil {
		if len(userIDs) > maxCheckedUsers {
			return nil, badInput("users", "at most %d users at a time", maxCheckedUsers)
		}
		users = nil
		for i, id := range userIDs {
			j := slices.IndexFunc(all, func(u engine.LinkedUser) bool { return u.ID == id })
			if j < 0 {
				return nil, badInput(fmt.Sprintf("users.%d", i), "no linked user %q in profile %q", id, profileID)
			}
			users = append(users, all[j])
		}
	}
	var message string
	if len(users) > maxCheckedUsers {
		message = fmt.Sprintf("The profile links %d users; the first %d (by id) were checked. Name the others with users.",
			len(users), maxCheckedUsers)
		users = users[:maxCheckedUsers]
	}
	at := r.now()
	rep := &model.ProfileCheckReport{ProfileID: p.ID, CheckedAt: at, Message: strp(message), Users: []*model.UserCheckReport{}}
	sides := []struct {
		side model.Side
		ref  engine.SystemRef
		acct func(engine.LinkedUser) engine.Account
		out  **model.SystemCheckReport
		per  [][]engine.CheckResult
	}{
		{model.SideCrm, p.CRM, func(u engine.LinkedUser) engine.Account { return u.CRM }, &rep.Crm, nil},
		{model.SideMailbox, p.Mailbox, func(u engine.LinkedUser) engine.Account { return u.Mailbox }, &rep.Mailbox, nil},
	}
	var wg sync.WaitGroup
	for i := range sides {
		s := &sides[i]
		side := s.side
		wg.Go(func() {
			conn, err := e.Connector(ctx, s.ref)
			if err != nil {
				*s.out = &model.SystemCheckReport{Side: &side, Type: s.ref.Type, Instance: s.ref.Instance, CheckedAt: at,
					Results: []*model.CheckResult{{Name: "settings valid", Status: model.CheckStatusFailed, Detail: err.Error(),
						Fix: "Edit the profile and correct this system's settings."}}}
				s.per = make([][]engine.CheckResult, len(users))
				return
			}
			accts := make([]engine.Account, len(users))
			for j, u := range users {
				accts[j] = s.acct(u)
			}
			run := r.runCheck(ctx, conn, s.ref.Type, accts)
			var sys []engine.CheckResult
			sys, s.per = splitByAccount(run.results, accts)
			run.results = sys
			*s.out = r.systemReport(&side, s.ref, run, at)
		})
	}
	wg.Wait()
	rep.Ok = rep.Crm.Ok && rep.Mailbox.Ok
	for j, u := range users {
		crm, okC := checkResultsOut(sides[0].per[j])
		mbx, okM := checkResultsOut(sides[1].per[j])
		rep.Users = append(rep.Users, &model.UserCheckReport{UserID: u.ID, Crm: accountOut(u.CRM), Mailbox: accountOut(u.Mailbox),
			CrmResults: crm, MailboxResults: mbx, Ok: okC && okM})
		rep.Ok = rep.Ok && okC && okM
	}
	return rep, nil
}

// listing is the outcome of one directory listing.
type listing struct {
	accounts []engine.Account
	err      error
	took     time.Duration
}

// listAccounts lists conn's users, bounded by the check timeout.
func (r *Resolver) listAccounts(ctx context.Context, conn engine.Connector, typ string) listing {
	dir, ok := conn.(engine.Directory)
	if !ok {
		return listing{err: fmt.Errorf("the %s connector cannot list its users: link them by hand or import a CSV", typ)}
	}
	timeout := r.checkTimeout()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	accts, err := dir.Accounts(cctx)
	l := listing{accounts: accts, err: err, took: time.Since(start)}
	if err != nil && cctx.Err() != nil && ctx.Err() == nil {
		l.err = fmt.Errorf("the listing did not finish within %s (%w); check that the appliance can reach the system", timeout, err)
	}
	if err != nil {
		l.accounts = nil
	}
	return l
}

func accountsOut(as []engine.Account) []*model.SyncAccount {
	out := make([]*model.SyncAccount, len(as))
	for i, a := range as {
		out[i] = accountOut(a)
	}
	return out
}

// linkPair is one suggested link.
type linkPair struct {
	crm, mailbox engine.Account
	alias        bool
	address      string
}

// addresses returns a's primary address and aliases, lower case, without repeats.
func addresses(a engine.Account) []string {
	var out []string
	for _, s := range append([]string{a.Email}, a.Aliases...) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && strings.Contains(s, "@") && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// matchAccounts pairs CRM accounts with mailbox accounts: first by equal primary addresses, then by any shared
// address (aliases, proxy addresses, UPNs), ignoring case. An address that several accounts of one side hold is
// ambiguous and never used, so no account is paired twice and no pair is a guess. Pairs are ordered by the CRM
// address, the unmatched by address.
func matchAccounts(crm, mbx []engine.Account) (pairs []linkPair, unCRM, unMbx []engine.Account) {
	count := func(as []engine.Account) map[string]int {
		n := map[string]int{}
		for _, a := range as {
			for _, s := range addresses(a) {
				n[s]++
			}
		}
		return n
	}
	nc, nm := count(crm), count(mbx)
	usable := func(s string) bool { return nc[s] == 1 && nm[s] == 1 }
	// owner of each usable address on the mailbox side, and whether it is that account's primary address.
	type at struct {
		i       int
		primary bool
	}
	byAddr := map[string]at{}
	for i, a := range mbx {
		for k, s := range addresses(a) {
			if usable(s) {
				byAddr[s] = at{i, k == 0 && strings.EqualFold(strings.TrimSpace(a.Email), s)}
			}
		}
	}
	pairedC := make([]bool, len(crm))
	pairedM := make([]bool, len(mbx))
	// Pass 1: primary = primary.
	for i, a := range crm {
		s := strings.ToLower(strings.TrimSpace(a.Email))
		if m, ok := byAddr[s]; ok && usable(s) && m.primary && !pairedM[m.i] {
			pairs = append(pairs, linkPair{crm: a, mailbox: mbx[m.i], address: s})
			pairedC[i], pairedM[m.i] = true, true
		}
	}
	// Pass 2: any shared usable address, when it points at exactly one unpaired mailbox account.
	for i, a := range crm {
		if pairedC[i] {
			continue
		}
		cand, via := -1, ""
		for _, s := range addresses(a) {
			m, ok := byAddr[s]
			if !ok || pairedM[m.i] {
				continue
			}
			if cand >= 0 && cand != m.i {
				cand = -2 // two different mailbox accounts: leave it to the admin
				break
			}
			cand, via = m.i, s
		}
		if cand >= 0 && cand < len(mbx) {
			pairs = append(pairs, linkPair{crm: a, mailbox: mbx[cand], alias: true, address: via})
			pairedC[i], pairedM[cand] = true, true
		}
	}
	for i, a := range crm {
		if !pairedC[i] {
			unCRM = append(unCRM, a)
		}
	}
	for i, a := range mbx {
		if !pairedM[i] {
			unMbx = append(unMbx, a)
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].address < pairs[j].address })
	byEmail := func(as []engine.Account) {
		sort.SliceStable(as, func(i, j int) bool {
			return strings.ToLower(as[i].Email) < strings.ToLower(as[j].Email)
		})
	}
	byEmail(unCRM)
	byEmail(unMbx)
	return pairs, unCRM, unMbx
}

// suggestLinks lists both systems' users concurrently and pairs them.
func (r *Resolver) suggestLinks(ctx context.Context, crmIn, mbxIn model.SystemInput, profileID *string) (*model.LinkSuggestions, error) {
	e, err := r.needEngine()
	if err != nil {
		return nil, err
	}
	refC, err := r.probeRef(e, "crm", crmIn, profileID)
	if err != nil {
		return nil, err
	}
	refM, err := r.probeRef(e, "mailbox", mbxIn, profileID)
	if err != nil {
		return nil, err
	}
	connC, err := r.probe(ctx, e, "crm", refC)
	if err != nil {
		return nil, err
	}
	connM, err := r.probe(ctx, e, "mailbox", refM)
	if err != nil {
		return nil, err
	}
	var lc, lm listing
	var wg sync.WaitGroup
	wg.Go(func() { lc = r.listAccounts(ctx, connC, refC.Type) })
	wg.Go(func() { lm = r.listAccounts(ctx, connM, refM.Type) })
	wg.Wait()
	out := &model.LinkSuggestions{Pairs: []*model.LinkSuggestion{}, Complete: lc.err == nil && lm.err == nil}
	var notes []string
	if lc.err != nil {
		notes = append(notes, "The CRM's users could not be listed: "+lc.err.Error()+".")
	}
	if lm.err != nil {
		notes = append(notes, "The mailbox system's users could not be listed: "+lm.err.Error()+".")
	}
	if len(notes) > 0 {
		notes = append(notes, "Nothing was matched; the users of the other side are listed as unmatched.")
	}
	out.Message = strp(strings.Join(notes, " "))
	if !out.Complete {
		out.UnmatchedCrm, out.UnmatchedMailbox = accountsOut(lc.accounts), accountsOut(lm.accounts)
		return out, nil
	}
	pairs, unC, unM := matchAccounts(lc.accounts, lm.accounts)
	for _, p := range pairs {
		how := model.LinkMatchEmail
		if p.alias {
			how = model.LinkMatchAlias
		}
		out.Pairs = append(out.Pairs, &model.LinkSuggestion{Crm: accountOut(p.crm), Mailbox: accountOut(p.mailbox), MatchedBy: how, Address: p.address})
	}
	out.UnmatchedCrm, out.UnmatchedMailbox = accountsOut(unC), accountsOut(unM)
	return out, nil
}
