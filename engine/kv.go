package engine

// KV is the durable key-value storage the engine keeps its state in (links, cursors, journal, runs, conflicts,
// approvals, quarantine, trace, profiles), all under keys starting with "eng/". *kv.DB satisfies it; tests use an
// in-memory implementation.
//
// Commit applies sets and deletes in one atomic transaction and returns only once it is durable (synced to disk):
// the journal relies on that to record an intent before the remote write it describes.
//
// Scan and ScanReverse call fn for every key with prefix in ascending (descending) key order, on one consistent
// snapshot; an error from fn stops the scan and is returned (the engine stops early with its own sentinel).
type KV interface {
	Get(key []byte) (value []byte, ok bool, err error)
	Scan(prefix []byte, fn func(key, value []byte) error) error
	ScanReverse(prefix []byte, fn func(key, value []byte) error) error
	Commit(sets map[string][]byte, deletes []string) error
}
