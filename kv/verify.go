package kv

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/y"
	"google.golang.org/protobuf/proto"
)

// verifyTables checks the footer and index checksum of every table file in
// dir, reading only. Badger panics in a background goroutine (which no
// recover can catch) when it opens a table whose footer is garbage, so a
// damaged table must be found before badger.Open. The checksum covers the
// index bytes as stored (encrypted or not), so no key is needed.
func verifyTables(dir string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*.sst"))
	if err != nil {
		return fmt.Errorf("kv: list tables in %s: %w", dir, err)
	}
	for _, p := range paths {
		if err := verifyTable(p); err != nil {
			return fmt.Errorf("%w: table %s: %w; restore from a backup", ErrCorrupt, p, err)
		}
	}
	return nil
}

// verifyTable checks one table's footer: [... index | index length (4) |
// checksum | checksum length (4)], lengths big-endian, and the index's
// checksum.
func verifyTable(path string) error {
	f, err := os.Open(path) //nolint:gosec // G304: a *.sst table globbed from the operator-supplied data directory
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	readAt := func(off, n int64) ([]byte, error) {
		if off < 0 || n < 0 || off+n > size {
			return nil, fmt.Errorf("footer points outside the file (offset %d, length %d, size %d)", off, n, size)
		}
		b := make([]byte, n)
		if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
			return nil, err
		}
		return b, nil
	}
	pos := size - 4
	b, err := readAt(pos, 4)
	if err != nil {
		return err
	}
	chkLen := int64(binary.BigEndian.Uint32(b))
	pos -= chkLen
	b, err = readAt(pos, chkLen)
	if err != nil {
		return err
	}
	chk := &pb.Checksum{}
	if err := proto.Unmarshal(b, chk); err != nil {
		return fmt.Errorf("checksum record: %w", err)
	}
	pos -= 4
	b, err = readAt(pos, 4)
	if err != nil {
		return err
	}
	idxLen := int64(binary.BigEndian.Uint32(b))
	pos -= idxLen
	idx, err := readAt(pos, idxLen)
	if err != nil {
		return err
	}
	if idxLen == 0 {
		return fmt.Errorf("empty index")
	}
	if err := y.VerifyChecksum(idx, chk); err != nil {
		return fmt.Errorf("index checksum: %w", err)
	}
	return nil
}
