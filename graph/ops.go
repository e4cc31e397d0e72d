package graph

import (
	"context"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/graph/model"
)

// Ops is what the operations fields need from the appliance around the API:
// its TLS set-up, backup download links and the record of automatic
// re-invitations. The appliance (package main) implements it.
type Ops interface {
	// TLSStatus describes how HTTPS is served, without any private key.
	TLSStatus(ctx context.Context) (*model.TLSStatus, error)
	// CreateBackupLink issues a one-time download link for the calling
	// admin; encrypted seals the backup with the store's key.
	CreateBackupLink(ctx context.Context, encrypted bool) (*model.BackupLink, error)
	// Reinvitations lists the automatic re-invitations, newest first; of
	// one profile when profileID is not empty.
	Reinvitations(ctx context.Context, profileID string) ([]*model.Reinvitation, error)
}

func (r *Resolver) needOps() (Ops, error) {
	if r.Ops == nil {
		return nil, errUnavailable("the appliance's operations service")
	}
	return r.Ops, nil
}

// maxHistoryMinutes is the longest governorHistory window.
const maxHistoryMinutes = int(governor.HistorySpan / time.Minute)

// governorHistory is the governorHistory field.
func (r *Resolver) governorHistory(scope *string, minutes *int) (*model.GovernorHistory, error) {
	if r.Governor == nil {
		return nil, errUnavailable("the governor")
	}
	m := maxHistoryMinutes
	if minutes != nil {
		if *minutes < 1 || *minutes > maxHistoryMinutes {
			return nil, badInput("minutes", "minutes must be between 1 and %d, got %d", maxHistoryMinutes, *minutes)
		}
		m = *minutes
	}
	name := ""
	if scope != nil {
		name = strings.TrimSpace(*scope)
	}
	samples, ok := r.Governor.History(name, time.Duration(m)*time.Minute)
	if !ok {
		return nil, notFound("governor scope %q is not active (scopes idle for more than an hour are forgotten)", name)
	}
	out := &model.GovernorHistory{Scope: name, StepSeconds: int(governor.HistoryStep / time.Second),
		Samples: make([]*model.GovernorSample, len(samples))}
	for i, s := range samples {
		out.Samples[i] = &model.GovernorSample{At: s.At, Admitted: s.Admitted, Throttled: s.Throttled,
			WaitedMs: float64(s.Waited) / float64(time.Millisecond), MaxInFlight: s.MaxInFlight}
	}
	return out, nil
}
