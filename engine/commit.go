package engine

import "sort"

// Bounds of one Commit. The appliance's store (Badger) refuses a transaction of more than a few MB; a run that
// links or decides thousands of items at once (a first sync matching two full calendars by UID) collects more
// state than that.
const (
	maxCommitBytes = 1 << 20
	maxCommitKeys  = 4096
)

// commitChunked commits sets and dels like one KV.Commit when they fit in one transaction. When they do not, it
// commits everything except the keys in last in bounded chunks first, then the keys in last in a final commit.
// last holds what must not become durable before the rest (a job's cursors and its run record): until the final
// commit, a crash leaves links and traces that a re-run finds and reuses, and the cursor still points before the
// changes, so nothing is lost or done twice. As in one Commit, a key both set and deleted ends up set.
func commitChunked(kv KV, sets map[string][]byte, dels []string, last ...string) error {
	size := 0
	for k, v := range sets {
		size += len(k) + len(v)
	}
	for _, k := range dels {
		size += len(k)
	}
	if size <= maxCommitBytes && len(sets)+len(dels) <= maxCommitKeys {
		return kv.Commit(sets, dels)
	}
	final := make(map[string][]byte, len(last))
	isLast := make(map[string]bool, len(last))
	for _, k := range last {
		isLast[k] = true
		if v, ok := sets[k]; ok {
			final[k] = v
		}
	}
	var finalDels []string
	chunk, chunkDels, chunkSize := map[string][]byte{}, []string(nil), 0
	flush := func() error {
		if len(chunk) == 0 && len(chunkDels) == 0 {
			return nil
		}
		err := kv.Commit(chunk, chunkDels)
		chunk, chunkDels, chunkSize = map[string][]byte{}, nil, 0
		return err
	}
	add := func(n int) error {
		if chunkSize+n > maxCommitBytes || len(chunk)+len(chunkDels) >= maxCommitKeys {
			return flush()
		}
		return nil
	}
	for _, k := range dels {
		if _, set := sets[k]; set {
			continue // the set wins, as in one Commit
		}
		if isLast[k] {
			finalDels = append(finalDels, k)
			continue
		}
		if err := add(len(k)); err != nil {
			return err
		}
		chunkDels = append(chunkDels, k)
		chunkSize += len(k)
	}
	keys := make([]string, 0, len(sets))
	for k := range sets {
		if !isLast[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys) // deterministic chunks: a replayed seed commits the same way
	for _, k := range keys {
		v := sets[k]
		if err := add(len(k) + len(v)); err != nil {
			return err
		}
		chunk[k] = v
		chunkSize += len(k) + len(v)
	}
	if err := flush(); err != nil {
		return err
	}
	return kv.Commit(final, finalDels)
}
