package engine

import (
	"context"
	"fmt"
	"time"
)

// approval is the one approved plan of a job: the fingerprints of the deletes and creates the admin saw.
type approval struct {
	Run string          `json:"run"`
	Ops map[string]bool `json:"ops"`
	At  time.Time       `json:"at"`
}

// guardLog is the recent guarded activity of a profile, for the profile-wide limits.
type guardLog struct {
	Entries []guardEntry `json:"entries"`
}

type guardEntry struct {
	At      time.Time `json:"at"`
	Deletes int       `json:"d"`
	Creates int       `json:"c"`
}

func fingerprint(p PlannedOp) string {
	ref := p.ID
	if p.Action == ActionCreate {
		ref = p.Source
	}
	return p.Side.String() + "/" + string(p.Action) + "/" + ref
}

func (j *syncJob) plannedOps() []PlannedOp {
	out := make([]PlannedOp, 0, len(j.planned))
	for _, pw := range j.planned {
		p := PlannedOp{Side: pw.w.side, Action: pw.w.action, Link: pw.lp.l.ID, ID: pw.w.id, Source: pw.w.source,
			Reason: pw.w.reason}
		it := pw.w.item
		if it == nil {
			it = pw.w.before
		}
		p.Title = titleOf(it)
		out = append(out, p)
	}
	return out
}

func titleOf(it Item) string {
	switch x := it.(type) {
	case *Appointment:
		return x.Title
	case *Task:
		return x.Title
	case *Contact:
		if x.Display != "" {
			return x.Display
		}
		return x.GivenName + " " + x.FamilyName
	case *Group:
		return x.Name
	}
	return ""
}

// guard checks the planned deletes and creates against the profile's limits. When they are exceeded and no
// matching approval exists, the run stops before writing anything (ErrApprovalPending), listing its plan.
func (j *syncJob) guard() (bool, error) {
	var del, cre int
	for _, pw := range j.planned {
		if pw.w.orphan {
			continue
		}
		switch pw.w.action {
		case ActionDelete:
			del++
		case ActionCreate:
			cre++
		}
	}
	g := j.p.Guard
	linked := len(j.links)
	over := func(n int, t Threshold) bool {
		return n > t.Count && float64(n)*100 > t.Percent*float64(linked)
	}
	var reason string
	switch {
	case over(del, g.Deletes):
		reason = fmt.Sprintf("%d deletes of %d linked items exceed the limit (more than %d and %g %%)", del, linked, g.Deletes.Count, g.Deletes.Percent)
	case (linked > 0 || g.GuardFirstSync) && over(cre, g.Creates):
		reason = fmt.Sprintf("%d creates for %d linked items exceed the limit (more than %d and %g %%)", cre, linked, g.Creates.Count, g.Creates.Percent)
	}
	var gl guardLog
	if _, err := j.e.getJSON(kGuardLog(j.p.ID), &gl); err != nil {
		return false, err
	}
	now := j.nowUTC()
	keep := gl.Entries[:0]
	var pd, pc int
	for _, e := range gl.Entries {
		if now.Sub(e.At) < g.ProfileWindow.D() {
			keep = append(keep, e)
			pd += e.Deletes
			pc += e.Creates
		}
	}
	gl.Entries = keep
	if reason == "" && g.ProfileDeletes > 0 && del > 0 && pd+del > g.ProfileDeletes {
		reason = fmt.Sprintf("%d deletes in the profile within %s (with this run's %d) exceed the profile limit %d", pd+del, g.ProfileWindow.D(), del, g.ProfileDeletes)
	}
	if reason == "" && g.ProfileCreates > 0 && cre > 0 && (linked > 0 || g.GuardFirstSync) && pc+cre > g.ProfileCreates {
		reason = fmt.Sprintf("%d creates in the profile within %s (with this run's %d) exceed the profile limit %d", pc+cre, g.ProfileWindow.D(), cre, g.ProfileCreates)
	}
	var ap approval
	hasApproval, err := j.e.getJSON(kApproval(j.key), &ap)
	if err != nil {
		return false, err
	}
	ops := j.plannedOps()
	if hasApproval {
		j.dels = append(j.dels, kApproval(j.key)) // an approval is used once
		if reason != "" {
			covered := true
			for _, p := range ops {
				if (p.Action == ActionDelete || p.Action == ActionCreate) && !ap.Ops[fingerprint(p)] {
					covered = false
					break
				}
			}
			if covered {
				j.log.Info("running an approved plan", "approved", ap.Run)
				reason = ""
			} else {
				reason = "the plan changed since run " + ap.Run + " was approved: " + reason
			}
		}
	}
	if reason == "" {
		if del+cre > 0 {
			gl.Entries = append(gl.Entries, guardEntry{At: now, Deletes: del, Creates: cre})
			j.sets[kGuardLog(j.p.ID)] = mustJSON(gl)
		}
		return false, nil
	}
	j.run.Guard = reason
	j.run.Planned = ops
	for _, p := range ops {
		if p.Action == ActionDelete || p.Action == ActionCreate {
			id := p.ID
			if id == "" {
				id = p.Source
			}
			j.trace(p.Side, id, p.Link, DecGuard, "held for approval: "+reason)
		}
	}
	return true, fmt.Errorf("run %s: %s: %w", j.run.ID, reason, ErrApprovalPending)
}

// RunApproved marks a needs-approval run whose plan was approved (the run that carried it out is in ApprovedBy).
const RunApproved RunStatus = "approved"

// Approve lets the plan of a needs-approval run run once: it records the approval and runs the job again
// (trigger "approval:<runID>"), which plans afresh; when the new plan has deletes or creates the admin did not
// see, it stops again in needs-approval. It returns the id of the new run.
func (e *Engine) Approve(ctx context.Context, runID string) (string, error) {
	r, _, err := e.Run(runID)
	if err != nil {
		return "", err
	}
	if r.Status != RunNeedsApproval {
		return "", errFieldf("runId", "run %s is %s, not %s", runID, r.Status, RunNeedsApproval)
	}
	ap := approval{Run: runID, Ops: map[string]bool{}, At: e.now().UTC()}
	for _, p := range r.Planned {
		ap.Ops[fingerprint(p)] = true
	}
	r.Status = RunApproved
	if err := e.kv.Commit(runSets(map[string][]byte{kApproval(kJob(r.Profile, r.User, r.Kind)): mustJSON(ap)}, &r), nil); err != nil {
		return "", err
	}
	return e.runSync(ctx, r.Profile, r.User, r.Kind, "approval:"+runID, runID)
}

// Reject closes a needs-approval run without running it. The job's next run plans again (and stops again if the
// cause remains): rejecting says "not this", the admin still has to fix the cause.
func (e *Engine) Reject(runID string) error {
	r, _, err := e.Run(runID)
	if err != nil {
		return err
	}
	if r.Status != RunNeedsApproval {
		return errFieldf("runId", "run %s is %s, not %s", runID, r.Status, RunNeedsApproval)
	}
	r.Status = RunRejected
	return e.putRun(&r)
}
