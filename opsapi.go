package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/graph/model"
	"github.com/synchronizer/synchronizer/kv"
)

// opsAPI implements graph.Ops for the appliance: TLS status (tlsstatus.go), backup download links (backupdl.go)
// and the record of automatic re-invitations (reinvite.go).
type opsAPI struct {
	*tlsWatch
	*backupDownloads
	db *kv.DB
}

var _ graph.Ops = (*opsAPI)(nil)

// newOps builds the operations service of serve.
func newOps(cfg Config, db *kv.DB, authSvc *auth.Service, logger *slog.Logger) (*opsAPI, error) {
	tw, err := newTLSWatch(cfg, db.CertCache(), time.Now)
	if err != nil {
		return nil, err
	}
	return &opsAPI{tlsWatch: tw, backupDownloads: newBackupDownloads(db, authSvc, time.Now, logger.With("component", "backup")), db: db}, nil
}

// Reinvitations implements graph.Ops.
func (o *opsAPI) Reinvitations(ctx context.Context, profileID string) ([]*model.Reinvitation, error) {
	if err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	return reinvitations(o.db, profileID)
}
