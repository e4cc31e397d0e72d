package engine

// KV is the durable key-value storage the engine keeps its state in (links, cursors, journal, runs, conflicts,
// approvals, quarantine, trace, profiles), all under keys starting with "eng/". *kv.DB satisfies it; tests use an
// in-memory implementation.
//
// Commit applies sets and deletes in one atomic transaction and returns only once it is durable (synced to disk):
// the journal relies on that to record an intent before the remote write it describes.
type KV interface {
	Get(key []byte) (value []byte, ok bool, err error)
	Scan(prefix []byte, fn func(key, value []byte) error) error
	Commit(sets map[string][]byte, deletes []string) error
}
