package kv

import badger "github.com/dgraph-io/badger/v4"

// CountPrefix counts the keys starting with prefix on one consistent snapshot without reading their values (a
// key-only iteration), so counting a user's links costs a walk over the keys alone. The sync engine uses it for
// the users grid's item counts.
func (db *DB) CountPrefix(prefix []byte) (int, error) {
	n := 0
	err := db.View(func(tx *Tx) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = prefix
		it := tx.txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}
