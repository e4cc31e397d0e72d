package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/graph/model"
)

// Error codes of the preview fields, besides BAD_USER_INPUT and NOT_FOUND.
const (
	// CodeRemoteAuth: a system refused the credentials of the profile or the user.
	CodeRemoteAuth = "REMOTE_AUTH"
	// CodeRemoteFailed: a system could not be read (unreachable, an error answer, too slow).
	CodeRemoteFailed = "REMOTE_FAILED"
	// CodePreviewTooLarge: a listing held more items than a preview keeps in memory.
	CodePreviewTooLarge = "PREVIEW_TOO_LARGE"
)

// previewTimeout bounds one preview (all kinds).
const previewTimeout = 2 * time.Minute

// preview runs the engine's preview of (p, u) within previewTimeout and converts the result.
func (r *Resolver) preview(ctx context.Context, e *engine.Engine, p engine.Profile, u engine.LinkedUser) (*model.SyncPreview, error) {
	ctx, cancel := context.WithTimeout(ctx, previewTimeout)
	defer cancel()
	pv, err := e.Preview(ctx, p, u, engine.PreviewOptions{})
	if err != nil {
		return nil, previewErr(err)
	}
	return previewOut(pv), nil
}

// previewErr maps a preview's error to a coded API error that says what to do.
func previewErr(err error) error {
	var ie *engine.InputError
	switch {
	case errors.As(err, &ie), errors.Is(err, engine.ErrNoSuchProfile), errors.Is(err, engine.ErrNoSuchUser):
		return engineErr(err)
	case errors.Is(err, engine.ErrAuth):
		return &codedError{code: CodeRemoteAuth, msg: err.Error() +
			" — check the system's credentials: sign in again or save the secret again, and check the account's permissions"}
	case errors.Is(err, engine.ErrPreviewTooLarge):
		return &codedError{code: CodePreviewTooLarge, msg: err.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		return &codedError{code: CodeRemoteFailed, msg: fmt.Sprintf("the preview took longer than %s: narrow the window or try again when the systems answer faster", previewTimeout)}
	case errors.Is(err, context.Canceled):
		return &codedError{code: CodeRemoteFailed, msg: "the preview was cancelled"}
	}
	return &codedError{code: CodeRemoteFailed, msg: err.Error() + " — check that the system is reachable and its settings are right, then try again"}
}

// previewUser returns the saved user of profileID linked to exactly these accounts, or u unchanged (no id: the
// preview is a first sync).
func previewUser(e *engine.Engine, profileID string, u engine.LinkedUser) (engine.LinkedUser, error) {
	mailboxID := u.Mailbox.ID
	if mailboxID == "" {
		mailboxID = u.Mailbox.Email
	}
	users, err := e.Users(profileID)
	if err != nil {
		return u, err
	}
	for _, s := range users {
		if s.CRM.ID == u.CRM.ID && s.Mailbox.ID == mailboxID {
			s.Overrides = engine.Overrides{} // the accounts given, the profile given: no saved overrides apply
			return s, nil
		}
	}
	return u, nil
}

func previewOut(pv engine.Preview) *model.SyncPreview {
	out := &model.SyncPreview{ProfileID: pv.Profile, UserID: pv.User, Saved: pv.Saved, Paused: pv.Paused,
		Kinds: make([]*model.PreviewKind, len(pv.Kinds)), Operations: make([]*model.PreviewOperation, len(pv.Ops)),
		Truncated: pv.Truncated, TotalOperations: pv.TotalOps, TookMs: int(pv.Took.Milliseconds())}
	for i, k := range pv.Kinds {
		mk := &model.PreviewKind{Kind: enumOut[model.SyncKind](string(k.Kind)),
			Direction: enumOut[model.SyncDirection](string(k.Direction)), FirstSync: k.FirstSync, Linked: k.Linked,
			Listed: k.Listed, Crm: sideChangesOut(k.CRM), Mailbox: sideChangesOut(k.Mailbox), Unchanged: k.Unchanged,
			Conflicts: k.Conflicts, ConflictList: make([]*model.PreviewConflict, len(k.ConflictList)), Skipped: k.Skipped,
			Skips: make([]*model.PreviewSkip, len(k.Skips)), Bad: make([]*model.PreviewBadItem, len(k.Bad)),
			BadCount: k.BadCount, StillQuarantined: k.StillQuarantined, Guard: strp(k.Guard), PendingWrites: k.PendingWrites,
			Busy: k.Busy, Incomplete: strp(k.Incomplete), TookMs: int(k.Took.Milliseconds())}
		for j, c := range k.ConflictList {
			mk.ConflictList[j] = &model.PreviewConflict{CrmID: c.IDs[0], MailboxID: c.IDs[1], Title: strp(c.Title),
				Fields: c.Fields, Kept: sideOut(c.Kept)}
		}
		for j, s := range k.Skips {
			mk.Skips[j] = &model.PreviewSkip{Decision: string(s.Decision), Reason: s.Reason, Count: s.Count}
		}
		for j, q := range k.Bad {
			mk.Bad[j] = &model.PreviewBadItem{Side: sideOut(q.Side), ItemID: q.ID, Version: strp(q.Version),
				Field: strp(q.Field), Reason: q.Reason}
		}
		out.Kinds[i] = mk
	}
	for i, op := range pv.Ops {
		out.Operations[i] = &model.PreviewOperation{Kind: enumOut[model.SyncKind](string(op.Kind)), Side: sideOut(op.Side),
			Action: string(op.Action), LinkID: op.Link, ItemID: strp(op.ID), SourceID: strp(op.Source),
			Title: strp(op.Title), Start: timep(op.Start), Reason: strp(op.Reason)}
	}
	return out
}

func sideChangesOut(s engine.SideChanges) *model.PreviewSideChanges {
	return &model.PreviewSideChanges{Creates: s.Creates, Updates: s.Updates, Deletes: s.Deletes}
}
