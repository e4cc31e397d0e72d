package graph

import (
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/graph/model"
)

// userSummaryOut is the API view of a linked user's summary for the users grid.
func userSummaryOut(s engine.UserSummary) *model.UserSummary {
	out := &model.UserSummary{Kinds: []*model.KindSummary{}, LastSuccess: timep(s.LastSuccess), Quarantined: s.Quarantined}
	for _, k := range s.Kinds {
		ks := &model.KindSummary{Kind: enumOut[model.SyncKind](string(k.Kind)), Items: k.Items}
		if r := k.LastRun; r != nil {
			ks.LastRun = &model.SummaryRun{ID: r.ID, Status: enumOut[model.RunStatus](string(r.Status)), End: r.End,
				Counts: runOut(*r).Counts}
		}
		out.Kinds = append(out.Kinds, ks)
	}
	if e := s.LastError; e != nil {
		se := &model.SummaryError{Kind: enumOut[model.SyncKind](string(e.Kind)), At: e.At, Message: e.Message(),
			RunID: strp(e.Run), Reason: e.Reason}
		if e.Item {
			side := sideOut(e.Side)
			se.Side, se.ItemID, se.Title, se.Field = &side, strp(e.ID), strp(e.Title), strp(e.Field)
		}
		out.LastError = se
	}
	return out
}
