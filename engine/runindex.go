package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The run index lists the runs of each user: one key eng/runu/<profile>/<user>/<run> (empty value) per run record
// eng/run/<run>. Run ids start with their start time, so the index of a user read in reverse is their runs newest
// first, and UserRuns reads as many runs as it returns instead of every run of the profile.
//
// Every write of a run record writes its index entry in the same transaction (runSets), and PruneRuns deletes both
// in the same commit, so an index entry exists exactly when its run record does. Unlinking a user or deleting a
// profile keeps their runs for the record, and so their index entries. Stores written before the index existed
// get it from migrateRunIndex, once, when Recover runs at start-up; until it has finished, UserRuns reads the run
// key space instead (correct, only slower).

// runIndexChunk bounds the index entries the migration writes in one Commit.
const runIndexChunk = 1000

// runIndexState is the migration's progress (eng/meta/runindex): After is the last run whose entry is durable
// (run ids sort, so a restarted migration skips every run up to it); Done is set when every run was indexed.
type runIndexState struct {
	Done  bool      `json:"done"`
	After string    `json:"after,omitempty"`
	Runs  int       `json:"runs"` // runs indexed so far
	At    time.Time `json:"at"`
}

// runSets adds the keys recording r (its run record and its entry in the run index) to sets, which may be nil, and
// returns sets. Every write of a run record goes through it, so the index is written in the same transaction.
func runSets(sets map[string][]byte, r *Run) map[string][]byte {
	if sets == nil {
		sets = make(map[string][]byte, 2)
	}
	sets[kRun(r.ID)] = mustJSON(r)
	sets[kRunUser(r.Profile, r.User, r.ID)] = []byte{}
	return sets
}

// putRun commits a run record with its index entry.
func (e *Engine) putRun(r *Run) error { return e.kv.Commit(runSets(nil, r), nil) }

// UserRuns lists the runs of one user of a profile, newest first, at most limit (0 = all). It reads the user's
// run index, so its cost grows with the runs it returns, not with the runs of the profile. Runs of a user who was
// unlinked stay listed until the retention removes them, as they do in Runs.
func (e *Engine) UserRuns(profileID, userID string, limit int) ([]Run, error) {
	return e.UserRunsBefore(profileID, userID, "", limit)
}

// UserRunsBefore is UserRuns for the runs older than the run with id before (the next page after a page that
// ended with that run); an empty before starts at the newest run. The entries newer than before are skipped by
// key, without reading their runs.
func (e *Engine) UserRunsBefore(profileID, userID, before string, limit int) ([]Run, error) {
	if err := validID("profileId", profileID); err != nil {
		return nil, err
	}
	if err := validID("userId", userID); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, &InputError{"limit", "must not be negative"}
	}
	ready, err := e.runIndexReady()
	if err != nil {
		return nil, err
	}
	if !ready {
		return e.userRunsScan(profileID, userID, before, limit)
	}
	prefix := kRunUserPrefix(profileID, userID)
	var out []Run
	err = e.kv.ScanReverse([]byte(prefix), func(k, _ []byte) error {
		id := string(k[len(prefix):])
		if before != "" && id >= before {
			return nil
		}
		var r Run
		ok, err := e.getJSON(kRun(id), &r)
		if err != nil {
			return err
		}
		if !ok {
			// Removed by the retention after this scan's snapshot was taken (both go in one commit).
			return nil
		}
		out = append(out, r)
		if limit > 0 && len(out) >= limit {
			return errStopScan
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return nil, err
	}
	return out, nil
}

// userRunsScan is UserRunsBefore without the index: it reads the run key space newest first (every run of every
// profile, decoding each one's header) and keeps the user's runs. It serves stores whose index is not built yet.
func (e *Engine) userRunsScan(profileID, userID, before string, limit int) ([]Run, error) {
	return e.scanRuns(before, limit, func(h runHead) bool { return h.Profile == profileID && h.User == userID })
}

// runHead is the part of a run record that says whose run it is.
type runHead struct {
	Profile string `json:"profile"`
	User    string `json:"user"`
}

// scanRuns reads the run records newest first, skipping those at or after the run id before (when given) and those
// keep refuses (when keep is given; only the head is decoded for that), and stops at limit runs (0 = all).
func (e *Engine) scanRuns(before string, limit int, keep func(runHead) bool) ([]Run, error) {
	var out []Run
	prefix := keyRoot + "run/"
	err := e.kv.ScanReverse([]byte(prefix), func(k, b []byte) error {
		if before != "" && string(k[len(prefix):]) >= before {
			return nil
		}
		if keep != nil {
			var h runHead
			if err := json.Unmarshal(b, &h); err != nil {
				return fmt.Errorf("decode %s: %w", k, err)
			}
			if !keep(h) {
				return nil
			}
		}
		var r Run
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("decode %s: %w", k, err)
		}
		out = append(out, r)
		if limit > 0 && len(out) >= limit {
			return errStopScan
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return nil, err
	}
	return out, nil
}

// runIndexReady reports whether the run index is complete (the migration finished on this store).
func (e *Engine) runIndexReady() (bool, error) {
	if e.runIndexOK.Load() {
		return true, nil
	}
	var st runIndexState
	if _, err := e.getJSON(kRunIndexState(), &st); err != nil {
		return false, err
	}
	if st.Done {
		e.runIndexOK.Store(true)
	}
	return st.Done, nil
}

// migrateRunIndex builds the run index of a store whose runs were written before the index existed. It runs once
// per store (Recover calls it; a finished migration is recorded and costs one read afterwards), indexes the runs in
// key order in commits of at most runIndexChunk entries, each with its progress, so a migration interrupted by a
// crash or by ctx resumes after the last durable chunk. Writing an entry twice is harmless, and runs started
// meanwhile write their own entries. A run record that cannot be decoded is logged and left out (it cannot be
// listed by Runs either). It returns the number of runs it indexed in this call.
func (e *Engine) migrateRunIndex(ctx context.Context) (int, error) {
	var st runIndexState
	if _, err := e.getJSON(kRunIndexState(), &st); err != nil {
		return 0, err
	}
	if st.Done {
		e.runIndexOK.Store(true)
		return 0, nil
	}
	e.removeMu.Lock()
	defer e.removeMu.Unlock()
	begin := e.now()
	if st.After != "" {
		e.log.Info("run index: resuming the migration", "after", st.After, "indexed", st.Runs)
	} else {
		e.log.Info("run index: building the index of existing runs")
	}
	n, skipped := 0, 0
	sets := map[string][]byte{}
	flush := func(done bool) error {
		st.Done, st.At = done, e.now().UTC()
		sets[kRunIndexState()] = mustJSON(st)
		if err := e.kv.Commit(sets, nil); err != nil {
			return fmt.Errorf("run index migration (after run %q): %w", st.After, err)
		}
		clear(sets)
		return nil
	}
	prefix := keyRoot + "run/"
	err := e.kv.Scan([]byte(prefix), func(k, b []byte) error {
		id := string(k[len(prefix):])
		if st.After != "" && id <= st.After {
			return nil // indexed before a restart
		}
		var h struct {
			Profile string `json:"profile"`
			User    string `json:"user"`
		}
		if err := json.Unmarshal(b, &h); err != nil || validID("profile", h.Profile) != nil || validID("user", h.User) != nil {
			e.log.Warn("run index: a run record cannot be read; it is left out of the index", "key", string(k), "err", err)
			skipped++
			return nil
		}
		sets[kRunUser(h.Profile, h.User, id)] = []byte{}
		st.After = id
		st.Runs++
		n++
		if len(sets) >= runIndexChunk {
			if err := flush(false); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := flush(true); err != nil {
		return n, err
	}
	e.runIndexOK.Store(true)
	e.log.Info("run index: built", "runs", st.Runs, "indexed_this_start", n, "unreadable", skipped,
		"took", e.now().Sub(begin).Round(time.Millisecond))
	return n, nil
}
