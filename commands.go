package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/synchronizer/synchronizer/kv"
)

// storeFlags are the flags backup and restore share with serve.
type storeFlags struct {
	dataDir string
	keyFile string
	key     string
}

func bindStoreFlags(fs *flag.FlagSet, getenv func(string) string) *storeFlags {
	s := &storeFlags{dataDir: defaultConfig().DataDir, key: getenv(envPrefix + "KEY")}
	if v := getenv(envName("data")); v != "" {
		s.dataDir = v
	}
	s.keyFile = getenv(envName("key-file"))
	fs.StringVar(&s.dataDir, "data", s.dataDir, "")
	fs.StringVar(&s.keyFile, "key-file", s.keyFile, "")
	return s
}

// parseInterspersed parses flags and positional arguments in any order, so
// that both `restore FILE --data DIR` and `restore --data DIR FILE` work.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// hasStore reports whether dir holds a Badger store (its MANIFEST file).
func hasStore(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil
}

func writeBackupHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: synchronizer backup [--data DIR] [--key-file FILE] [--output FILE] > FILE

Write a full, consistent backup of the store to stdout (or --output). The server must be
stopped: the store is opened read-only and a running server holds its lock.
The backup stream holds the data decrypted: keep it as safe as the key.

Flags:
  --data DIR          data directory (env SYNCHRONIZER_DATA, default ./data)
  --key-file FILE     encryption key file (env SYNCHRONIZER_KEY_FILE, default <data>/synchronizer.key;
                      env SYNCHRONIZER_KEY holds the key itself)
  --output FILE       write to FILE instead of stdout (created, never overwritten)
`)
}

func runBackup(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sf := bindStoreFlags(fs, getenv)
	output := fs.String("output", "", "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("backup takes no arguments, got %q (redirect stdout to a file)", pos)}
	}
	if !hasStore(sf.dataDir) {
		return fmt.Errorf("--data: %s holds no Synchronizer store", sf.dataDir)
	}
	if f, ok := stdout.(*os.File); ok && *output == "" {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return &usageError{"stdout is a terminal: redirect it to a file (synchronizer backup > backup.bak) or use --output"}
		}
	}
	key, _, err := loadExistingKey(sf)
	if err != nil {
		return err
	}
	db, err := kv.Open(kv.Options{Dir: sf.dataDir, EncryptionKey: key, ReadOnly: true})
	if err != nil {
		if errors.Is(err, kv.ErrLocked) {
			return fmt.Errorf("the store in %s is in use by a running server: stop the server and run backup again: %w", sf.dataDir, err)
		}
		return fmt.Errorf("open store in %s: %w", sf.dataDir, err)
	}
	defer db.Close() //nolint:errcheck // read-only; nothing to flush
	if *output == "" {
		cw := &countingWriter{w: stdout}
		if err := db.Backup(cw); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintf(stderr, "backup: wrote %d bytes from %s\n", cw.n, sf.dataDir)
		return nil
	}
	n, err := backupToFile(db, *output)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "backup: wrote %d bytes from %s to %s\n", n, sf.dataDir, *output)
	return nil
}

// backupToFile writes the backup into a new file (never an existing one),
// synced to disk; on failure the partial file is removed.
func backupToFile(db *kv.DB, path string) (n int64, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // the operator names the file
	if err != nil {
		return 0, fmt.Errorf("--output: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(path)
		}
	}()
	cw := &countingWriter{w: f}
	if err := db.Backup(cw); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("--output: %w", err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("--output: %w", err)
	}
	return cw.n, nil
}

// loadExistingKey loads the key of an existing store without ever creating
// one.
func loadExistingKey(sf *storeFlags) ([]byte, bool, error) {
	key, created, err := kv.LoadOrCreateKey(sf.keyFile, sf.dataDir, sf.key)
	if err != nil {
		return nil, false, fmt.Errorf("encryption key: %w", err)
	}
	return key, created, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeRestoreHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: synchronizer restore FILE --data DIR [--key-file FILE]

Restore a backup made by 'synchronizer backup' into DIR, which must be missing or empty:
restore never writes over an existing store. FILE "-" reads stdin.
The restored store is encrypted with the key from --key-file or SYNCHRONIZER_KEY; without
either, a new key is generated into DIR/synchronizer.key.

Flags:
  --data DIR          data directory to create (env SYNCHRONIZER_DATA, default ./data)
  --key-file FILE     encryption key file (env SYNCHRONIZER_KEY_FILE)
`)
}

func runRestore(args []string, stdin io.Reader, _, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sf := bindStoreFlags(fs, getenv)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"restore needs exactly one backup FILE (or - for stdin)"}
	}
	if err := checkEmptyDir(sf.dataDir); err != nil {
		return err
	}
	r := stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0]) //nolint:gosec // the operator names the backup file
		if err != nil {
			return fmt.Errorf("backup file: %w", err)
		}
		defer f.Close() //nolint:errcheck // read-only
		r = f
	}
	_, statErr := os.Stat(sf.dataDir)
	dirExisted := statErr == nil
	key, created, err := kv.LoadOrCreateKey(sf.keyFile, sf.dataDir, sf.key)
	if err != nil {
		return fmt.Errorf("encryption key: %w", err)
	}
	if err := kv.Restore(r, kv.Options{Dir: sf.dataDir, EncryptionKey: key}); err != nil {
		// Leave no half-made store behind: the directory was empty or missing.
		cleanupFailedRestore(sf.dataDir, dirExisted, created)
		return fmt.Errorf("restore into %s: %w", sf.dataDir, err)
	}
	if created {
		fmt.Fprintf(stderr, "restore: generated a new encryption key in %s; back it up\n", filepath.Join(sf.dataDir, kv.KeyFileName))
	}
	fmt.Fprintf(stderr, "restore: restored %s into %s\n", pos[0], sf.dataDir)
	return nil
}

// checkEmptyDir accepts a missing or empty directory (or one holding only a
// key file) and refuses anything else, naming what is in the way.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	for _, e := range entries {
		if e.Name() != kv.KeyFileName {
			return fmt.Errorf("--data: %s is not empty (it holds %s); restore only writes into an empty or missing directory, so nothing there is overwritten", dir, e.Name())
		}
	}
	return nil
}

// cleanupFailedRestore removes what a failed restore wrote into a directory
// that was empty or missing before.
func cleanupFailedRestore(dir string, dirExisted, keyCreated bool) {
	if !dirExisted {
		_ = os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() == kv.KeyFileName && !keyCreated {
			continue
		}
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

func writeHealthcheckHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: synchronizer healthcheck [--url URL]

GET /healthz of the local server and exit 0 on 200, 1 otherwise. Without --url the address
comes from the same environment as serve (SYNCHRONIZER_LISTEN, ..._HTTP_LISTEN with
SYNCHRONIZER_DOMAIN) on the loopback interface. Meant for container health checks.

Flags:
  --url URL       URL to check (default derived from the environment)
  --timeout DUR   request timeout (default 5s)
`)
}

func runHealthcheck(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("url", "", "")
	timeout := fs.Duration("timeout", 5*time.Second, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("healthcheck takes no arguments, got %q", pos)}
	}
	if *url == "" {
		cfg, err := loadServeConfig(nil, getenv)
		if err != nil {
			return fmt.Errorf("derive the URL from the environment: %w", err)
		}
		*url = healthURL(cfg)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return &usageError{fmt.Sprintf("--url: %v", err)}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // DefaultTransport is an *http.Transport
	// The probe talks to this host's own server, whose certificate may be
	// self-signed or issued for a public name.
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // loopback liveness probe
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", *url, err)
	}
	defer resp.Body.Close() //nolint:errcheck // body drained below
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", *url, resp.Status)
	}
	fmt.Fprintf(stdout, "ok: %s\n", *url)
	return nil
}

// healthURL is the /healthz URL of a server running with cfg, on loopback.
func healthURL(cfg Config) string {
	addr, scheme := cfg.Listen, "http"
	switch cfg.TLSMode() {
	case TLSACME:
		addr = cfg.HTTPListen
	case TLSStatic, TLSSelfSigned:
		scheme = "https"
	case TLSOff:
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		port = "8080"
	}
	host, _, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || host == "localhost" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/healthz"
}
