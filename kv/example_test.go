package kv_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/synchronizer/synchronizer/kv"
)

// Example shows the life of a store: open, write in a transaction, read
// back, list a key space newest first, close.
func Example() {
	db, err := kv.Open(kv.Options{InMemory: true}) // production: Dir + EncryptionKey
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	type setting struct{ Interval string }
	err = db.Update(func(tx *kv.Tx) error {
		if err := kv.PutJSON(tx, []byte(kv.PrefixConfig+"poll"), setting{Interval: "5m"}); err != nil {
			return err
		}
		for _, id := range []string{"0001", "0002", "0003"} {
			if err := tx.Set([]byte(kv.PrefixAudit+id), []byte("event "+id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	err = db.View(func(tx *kv.Tx) error {
		s, err := kv.GetJSON[setting](tx, []byte(kv.PrefixConfig+"poll"))
		if err != nil {
			return err
		}
		fmt.Println("poll interval:", s.Interval)
		if _, err := tx.Get([]byte(kv.PrefixConfig + "missing")); errors.Is(err, kv.ErrNotFound) {
			fmt.Println("missing: not found")
		}
		n := 0
		return tx.ScanReverse([]byte(kv.PrefixAudit), func(key, value []byte) error {
			fmt.Printf("%s = %s\n", key, value)
			if n++; n == 2 {
				return kv.ErrStopScan
			}
			return nil
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// poll interval: 5m
	// missing: not found
	// audit/0003 = event 0003
	// audit/0002 = event 0002
}

// ExampleDB_Commit shows the engine-facing surface: one atomic, durable
// write of several keys, then point reads.
func ExampleDB_Commit() {
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	err = db.Commit(map[string][]byte{
		"eng/link/1": []byte("a"),
		"eng/link/2": []byte("b"),
	}, []string{"eng/link/0"})
	if err != nil {
		log.Fatal(err)
	}
	v, ok, err := db.Get([]byte("eng/link/2"))
	fmt.Println(string(v), ok, err)
	_, ok, err = db.Get([]byte("eng/link/0"))
	fmt.Println(ok, err)
	// Output:
	// b true <nil>
	// false <nil>
}
