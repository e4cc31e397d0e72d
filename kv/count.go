package kv

import badger "github.com/dgraph-io/badger/v4"

// ScanKeys calls fn with every key starting with prefix, in ascending order, on one consistent snapshot, without
// reading the values (a key-only iteration); the key is only valid during the call. An error from fn stops the
// scan and is returned. The sync engine counts a user's links with it for the users grid.
func (db *DB) ScanKeys(prefix []byte, fn func(key []byte) error) error {
	return db.View(func(tx *Tx) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = prefix
		it := tx.txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if err := fn(it.Item().Key()); err != nil {
				return err
			}
		}
		return nil
	})
}
