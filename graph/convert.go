package graph

import (
	"context"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph/model"
)

// signIn starts a session for a (setting the cookies on the response) and
// returns the payload of the mutations that sign in.
func (r *Resolver) signIn(ctx context.Context, a *auth.Account) (*model.AuthPayload, error) {
	sess, err := r.Auth.StartSession(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return &model.AuthPayload{Account: accountModel(a), CsrfToken: sess.CSRF}, nil
}

func accountModel(a *auth.Account) *model.Account {
	role := model.RoleUser
	if a.Role == auth.RoleAdmin {
		role = model.RoleAdmin
	}
	return &model.Account{ID: a.ID, Email: a.Email, Name: a.Name, Role: role, CreatedAt: a.CreatedAt}
}

func tokenModel(t *auth.APIToken) *model.APIToken {
	return &model.APIToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
}

func auditModel(e auth.Event) *model.AuditEvent {
	return &model.AuditEvent{ID: e.ID, Time: e.Time, Actor: e.Actor, Action: e.Action, Target: e.Target, IP: e.IP, Detail: e.Detail}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
