package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Run retention defaults (Config.RunRetention, Config.RunKeep).
const (
	DefaultRunRetention = 90 * 24 * time.Hour
	DefaultRunKeep      = 50
)

// pruneChunk bounds the keys deleted in one Commit.
const pruneChunk = 1000

// PruneRuns removes the runs older than the retention (Config.RunRetention, by their start) together with their
// applied operations and their entries in the run index, keeping the newest Config.RunKeep runs of each linked user
// whatever their age and every run that is still running or waiting for approval. It returns how many runs it removed. Undo of a removed run
// fails with an error that says the run was removed by the retention. It is meant for the nightly housekeeping;
// ctx ends it between chunks (what was removed stays removed).
func (e *Engine) PruneRuns(ctx context.Context) (int, error) {
	if e.cfg.RunRetention < 0 {
		return 0, nil
	}
	e.removeMu.Lock()
	defer e.removeMu.Unlock()
	cutoff := e.now().Add(-e.cfg.RunRetention)
	perUser := map[string]int{}
	var victims []Run // id, profile and user only
	err := e.kv.ScanReverse([]byte(keyRoot+"run/"), func(k, b []byte) error {
		var h struct {
			ID      string    `json:"id"`
			Profile string    `json:"profile"`
			User    string    `json:"user"`
			Start   time.Time `json:"start"`
			Status  RunStatus `json:"status"`
		}
		if err := json.Unmarshal(b, &h); err != nil {
			return fmt.Errorf("decode %s: %w", k, err)
		}
		u := h.Profile + "/" + h.User
		perUser[u]++
		if perUser[u] <= e.cfg.RunKeep || !h.Start.Before(cutoff) || h.Status == RunRunning || h.Status == RunNeedsApproval {
			return nil
		}
		victims = append(victims, Run{ID: string(k[len(keyRoot+"run/"):]), Profile: h.Profile, User: h.User})
		return nil
	})
	if err != nil {
		return 0, err
	}
	removed := 0
	var dels []string
	flush := func() error {
		if len(dels) == 0 {
			return nil
		}
		err := e.kv.Commit(nil, dels)
		dels = dels[:0]
		return err
	}
	for _, v := range victims {
		id := v.ID
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		// The operations first: a run record without operations is harmless, operations without a run are not
		// reachable.
		if err := e.kv.Scan([]byte(kRunOpPrefix(id)), func(k, _ []byte) error {
			dels = append(dels, string(k))
			if len(dels) >= pruneChunk {
				return flush()
			}
			return nil
		}); err != nil {
			return removed, err
		}
		// The run record and its index entry go in the same commit: the index never names a removed run.
		dels = append(dels, kRun(id), kRunUser(v.Profile, v.User, id))
		if len(dels) >= pruneChunk {
			if err := flush(); err != nil {
				return removed, err
			}
		}
		removed++
	}
	if err := flush(); err != nil {
		return removed, err
	}
	if removed > 0 {
		e.log.Info("run retention: removed old runs", "runs", removed, "older_than", cutoff.UTC().Format(time.DateOnly))
	}
	return removed, nil
}

// pruned reports whether a run with this id, if it existed, is older than the retention (its id starts with its
// start time in milliseconds, see newID), so that its absence is explained by PruneRuns.
func (e *Engine) pruned(id string) bool {
	if e.cfg.RunRetention < 0 || len(id) < 12 || id[0] != 'r' {
		return false
	}
	ms, err := strconv.ParseInt(id[1:12], 16, 64)
	if err != nil {
		return false
	}
	return time.UnixMilli(ms).Before(e.now().Add(-e.cfg.RunRetention))
}

// retentionText describes a retention for messages ("90 days").
func retentionText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return d.String()
}
