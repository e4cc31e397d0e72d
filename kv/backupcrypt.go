package kv

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// An encrypted backup is a Badger backup stream sealed with AES-256-GCM:
//
//	magic "SYNCKVE1" | 16-byte random salt | chunk...
//	chunk = 4-byte big-endian header (bit 31: last chunk; bits 0-30:
//	        sealed length) | sealed bytes (at most 64 KiB + 16)
//
// The chunk key is HMAC-SHA256(store key, "synchronizer kv backup v1" |
// salt), the nonce the chunk's index, and the header is the additional
// data, so chunks cannot be reordered, dropped or cut off unnoticed.
const (
	backupMagic     = "SYNCKVE1"
	backupSaltSize  = 16
	backupChunkSize = 64 << 10
	lastChunkFlag   = 1 << 31
)

// BackupEncrypted is Backup sealed with the store's encryption key, so the
// file is as protected as the store: Restore detects the format and needs
// the same key (Options.EncryptionKey) to read it. An unencrypted store has
// no key and cannot make one.
func (db *DB) BackupEncrypted(w io.Writer) error {
	if len(db.key) == 0 {
		return errors.New("kv: encrypted backup: the store has no encryption key")
	}
	salt := make([]byte, backupSaltSize)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("kv: encrypted backup: %w", err)
	}
	aead, err := backupAEAD(db.key, salt)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, backupMagic); err != nil {
		return fmt.Errorf("kv: encrypted backup: %w", err)
	}
	if _, err := w.Write(salt); err != nil {
		return fmt.Errorf("kv: encrypted backup: %w", err)
	}
	sw := &sealWriter{w: w, aead: aead}
	if err := db.Backup(sw); err != nil {
		return err
	}
	if err := sw.finish(); err != nil {
		return fmt.Errorf("kv: encrypted backup: %w", err)
	}
	return nil
}

func backupAEAD(key, salt []byte) (cipher.AEAD, error) {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("synchronizer kv backup v1"))
	mac.Write(salt)
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("kv: backup cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

func chunkNonce(aead cipher.AEAD, n uint64) []byte {
	nonce := make([]byte, aead.NonceSize())
	binary.BigEndian.PutUint64(nonce[len(nonce)-8:], n)
	return nonce
}

// sealWriter buffers plaintext and writes it as sealed chunks.
type sealWriter struct {
	w    io.Writer
	aead cipher.AEAD
	buf  []byte
	n    uint64 // index of the next chunk
}

func (s *sealWriter) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	for len(s.buf) > backupChunkSize {
		if err := s.seal(s.buf[:backupChunkSize], false); err != nil {
			return 0, err
		}
		s.buf = append(s.buf[:0], s.buf[backupChunkSize:]...)
	}
	return len(p), nil
}

// finish writes what is buffered as the last chunk (possibly empty).
func (s *sealWriter) finish() error { return s.seal(s.buf, true) }

func (s *sealWriter) seal(plain []byte, last bool) error {
	hdr := make([]byte, 4)
	h := uint32(len(plain) + s.aead.Overhead()) //nolint:gosec // G115: plain is at most backupChunkSize (64 KiB) plus a small AEAD overhead
	if last {
		h |= lastChunkFlag
	}
	binary.BigEndian.PutUint32(hdr, h)
	sealed := s.aead.Seal(hdr, chunkNonce(s.aead, s.n), plain, hdr)
	s.n++
	_, err := s.w.Write(sealed)
	return err
}

// openReader decrypts an encrypted backup after its magic and salt.
type openReader struct {
	r     io.Reader
	aead  cipher.AEAD
	plain []byte
	n     uint64
	done  bool // the last chunk was read
}

func (o *openReader) Read(p []byte) (int, error) {
	for len(o.plain) == 0 {
		if o.done {
			var one [1]byte
			if n, _ := io.ReadFull(o.r, one[:]); n > 0 {
				return 0, errors.New("encrypted backup: data after the last chunk")
			}
			return 0, io.EOF
		}
		if err := o.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, o.plain)
	o.plain = o.plain[n:]
	return n, nil
}

func (o *openReader) next() error {
	hdr := make([]byte, 4)
	if _, err := io.ReadFull(o.r, hdr); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("encrypted backup is truncated (no last chunk)")
		}
		return err
	}
	h := binary.BigEndian.Uint32(hdr)
	last, size := h&lastChunkFlag != 0, int(h&^lastChunkFlag)
	if size < o.aead.Overhead() || size > backupChunkSize+o.aead.Overhead() {
		return fmt.Errorf("encrypted backup: chunk %d has an invalid length %d", o.n, size)
	}
	sealed := make([]byte, size)
	if _, err := io.ReadFull(o.r, sealed); err != nil {
		return errors.New("encrypted backup is truncated (chunk cut short)")
	}
	plain, err := o.aead.Open(sealed[:0], chunkNonce(o.aead, o.n), sealed, hdr)
	if err != nil {
		if o.n == 0 {
			return fmt.Errorf("%w (the backup was made with another key, or is damaged)", ErrKeyMismatch)
		}
		return fmt.Errorf("encrypted backup: chunk %d is damaged", o.n)
	}
	o.n++
	o.plain, o.done = plain, last
	return nil
}

// backupReader returns a reader of the plain Badger stream in r, decrypting
// it with key when r holds an encrypted backup.
func backupReader(r io.Reader, key []byte) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(len(backupMagic))
	if err != nil || !bytes.Equal(head, []byte(backupMagic)) {
		return br, nil // a plain stream (or a short one: Load reports it)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w (the backup is encrypted: give the key of the store it came from)", ErrKeyMismatch)
	}
	if _, err := br.Discard(len(backupMagic)); err != nil {
		return nil, err
	}
	salt := make([]byte, backupSaltSize)
	if _, err := io.ReadFull(br, salt); err != nil {
		return nil, errors.New("encrypted backup is truncated (no salt)")
	}
	aead, err := backupAEAD(key, salt)
	if err != nil {
		return nil, err
	}
	return &openReader{r: br, aead: aead}, nil
}
