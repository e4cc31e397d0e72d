package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a goroutine-safe bytes.Buffer for captured output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a serve call running in the background.
type testServer struct {
	st     started
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan struct{} // closed when serve returned
	err    error         // serve's result, valid after done is closed
}

// stop ends the server like SIGTERM does and returns serve's error.
func (s *testServer) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case <-s.done:
		return s.err
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not return within 20s of the shutdown signal")
		return nil
	}
}

// startServe runs serve with cfg until the test ends; it fails the test if
// serve returns before its listeners are bound.
func startServe(t *testing.T, cfg Config) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	ready := make(chan started, 1)
	go func() {
		ts.err = serve(ctx, cfg, ts.stdout, ts.stderr, func(st started) { ready <- st })
		close(ts.done)
	}()
	select {
	case ts.st = <-ready:
	case <-ts.done:
		cancel()
		t.Fatalf("serve returned before starting: %v\nlog:\n%s", ts.err, ts.stderr.String())
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("serve did not start within 20s\nlog:\n%s", ts.stderr.String())
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-ts.done:
		case <-time.After(20 * time.Second):
		}
	})
	return ts
}

func testConfig(t *testing.T) Config {
	t.Helper()
	cfg := defaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.LogLevel = "debug"
	cfg.ShutdownTimeout = 5 * time.Second
	return cfg
}

func get(t *testing.T, c *http.Client, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestRunCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string
		stderr     []string
		stdoutNone bool
	}{
		{"no args", nil, exitUsage, nil, []string{"Usage: synchronizer <command>"}, true},
		{"help", []string{"help"}, exitOK, []string{"serve", "backup", "restore", "healthcheck", "version"}, nil, false},
		{"help serve", []string{"help", "serve"}, exitOK, []string{"--listen", "SYNCHRONIZER_LISTEN", "--domain", "--self-signed"}, nil, false},
		{"serve --help", []string{"serve", "--help"}, exitOK, []string{"Usage: synchronizer serve", "--acme-directory"}, nil, false},
		{"help unknown", []string{"help", "frobnicate"}, exitUsage, nil, []string{`unknown command "frobnicate"`}, true},
		{"version", []string{"version"}, exitOK, []string{"synchronizer ", "commit"}, nil, false},
		{"unknown command", []string{"frobnicate"}, exitUsage, nil, []string{`unknown command "frobnicate"`, "Usage:"}, true},
		{"unknown serve flag", []string{"serve", "--frobnicate"}, exitUsage, nil, []string{"flag provided but not defined: -frobnicate", "Usage: synchronizer serve"}, true},
		{"serve bad env", []string{"serve"}, exitUsage, nil, []string{"SYNCHRONIZER_SELF_SIGNED"}, true},
		{"restore without file", []string{"restore"}, exitUsage, nil, []string{"exactly one backup FILE"}, true},
		{"backup unknown flag", []string{"backup", "--x"}, exitUsage, nil, []string{"flag provided but not defined: -x", "Usage: synchronizer backup"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"SYNCHRONIZER_DATA": filepath.Join(t.TempDir(), "d")}
			if tt.name == "serve bad env" {
				env["SYNCHRONIZER_SELF_SIGNED"] = "perhaps"
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr, envMap(env))
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if tt.stdoutNone && stdout.Len() > 0 {
				t.Errorf("stdout should be empty, got %q", stdout.String())
			}
		})
	}
}

var setupLine = regexp.MustCompile(`^Open (http://127\.0\.0\.1:\d+)/setup\?token=(\S+) to create the first admin\.\n$`)

// TestServeLifecycle starts the server on a fresh data directory, checks the
// operational endpoints and the middleware, then shuts it down and checks
// that the store was closed cleanly (it opens again).
func TestServeLifecycle(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	ts := startServe(t, cfg)
	m := setupLine.FindStringSubmatch(ts.stdout.String())
	if m == nil {
		t.Fatalf("stdout is not the setup line: %q", ts.stdout.String())
	}
	base := m[1]
	if base != "http://"+ts.st.addrs["http"] {
		t.Errorf("setup URL base %s, listener %s", base, ts.st.addrs["http"])
	}
	c := &http.Client{Timeout: 5 * time.Second}

	t.Run("healthz", func(t *testing.T) {
		resp, body := get(t, c, base+"/healthz", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"ok"`) {
			t.Errorf("healthz %d %q", resp.StatusCode, body)
		}
	})
	t.Run("readyz", func(t *testing.T) {
		resp, body := get(t, c, base+"/readyz", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("readyz %d %q", resp.StatusCode, body)
		}
		var rep readyReport
		if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.Checks["store"] != "ok" {
			t.Errorf("readyz body %q (%v)", body, err)
		}
	})
	t.Run("readyz lists a failing check", func(t *testing.T) {
		ts.st.readiness.Add("scheduler", func(context.Context) error { return errors.New("scheduler not running") })
		defer ts.st.readiness.Add("scheduler", func(context.Context) error { return nil })
		resp, body := get(t, c, base+"/readyz", nil)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "scheduler not running") {
			t.Errorf("readyz %d %q", resp.StatusCode, body)
		}
	})
	t.Run("security headers", func(t *testing.T) {
		for _, path := range []string{"/", "/healthz", "/graphql"} {
			resp, _ := get(t, c, base+path, nil)
			want := map[string]string{
				"Content-Security-Policy": contentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Referrer-Policy":         "no-referrer",
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %s = %q, want %q", path, k, got, v)
				}
			}
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("%s: CSP lacks frame-ancestors", path)
			}
			if resp.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS set on plain HTTP", path)
			}
		}
	})
	t.Run("request id", func(t *testing.T) {
		resp, _ := get(t, c, base+"/healthz", map[string]string{"X-Request-Id": "abc-123"})
		if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
			t.Errorf("honoured id = %q", got)
		}
		resp, _ = get(t, c, base+"/healthz", map[string]string{"X-Request-Id": "bad id with spaces"})
		if got := resp.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
			t.Errorf("generated id = %q", got)
		}
		resp, _ = get(t, c, base+"/", map[string]string{"X-Request-Id": "log-me-42"})
		_ = resp
		deadline := time.Now().Add(2 * time.Second)
		for !strings.Contains(ts.stderr.String(), `"request_id":"log-me-42"`) {
			if time.Now().After(deadline) {
				t.Fatalf("access log lacks the request id:\n%s", ts.stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("body limit", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), graphqlBodyLimit+1)
		resp, err := c.Post(base+"/graphql", "application/json", bytes.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "too large") ||
			!strings.Contains(string(body), "PAYLOAD_TOO_LARGE") {
			t.Errorf("oversized body: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("graphql systemStatus", func(t *testing.T) {
		resp, err := c.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ systemStatus { state } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "SETUP") {
			t.Errorf("systemStatus: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("graphql wrong content type", func(t *testing.T) {
		resp, err := c.Post(base+"/graphql", "text/plain", strings.NewReader(`{"query":"{ systemStatus { state } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("text/plain POST: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		resp, body := get(t, c, base+"/metrics", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("metrics %d", resp.StatusCode)
		}
		for _, want := range []string{
			`synchronizer_http_requests_total{code="200",method="GET",route="GET /healthz"}`,
			"synchronizer_http_request_duration_seconds_bucket",
			"go_goroutines", "process_resident_memory_bytes", "synchronizer_build_info",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})

	if err := ts.stop(t); err != nil {
		t.Fatalf("serve returned %v", err)
	}
	logs := ts.stderr.String()
	if !strings.Contains(logs, `"msg":"store closed"`) {
		t.Errorf("log does not say the store closed:\n%s", logs)
	}
	// The store was released: a second start on the same directory works and
	// no longer asks for setup only if an admin exists; here it still does.
	ts2 := startServe(t, cfg)
	if !setupLine.MatchString(ts2.stdout.String()) {
		t.Errorf("restart stdout %q", ts2.stdout.String())
	}
	if err := ts2.stop(t); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownLetsInFlightRequestsFinish holds a request open across the
// shutdown signal and checks that it completes.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	entered := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	logger := newLogger(io.Discard, 0)
	rd := &Readiness{}
	rd.Add("test", func(context.Context) error { return nil })
	app := newAppHandler(appDeps{logger: logger, metrics: newMetrics("t", "t"), readiness: rd, graphql: slow, ui: http.NotFoundHandler()})
	cfg := testConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ls, err := buildServers(ctx, cfg, nil, app, logger)
	if err != nil {
		t.Fatal(err)
	}
	l := ls[0]
	if err := l.listen(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = l.serve() }()
	type result struct {
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + l.ln.Addr().String() + "/graphql")
		if err != nil {
			res <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		res <- result{string(b), err}
	}()
	<-entered
	shutDone := make(chan error, 1)
	go func() { shutDone <- l.srv.Shutdown(context.Background()) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-shutDone:
		t.Fatalf("Shutdown returned %v while a request was in flight", err)
	default:
	}
	close(release)
	r := <-res
	if r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	if err := <-shutDone; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

func TestReadinessFailsWhileStopping(t *testing.T) {
	t.Parallel()
	rd := &Readiness{}
	if _, ok := rd.Check(context.Background()); ok {
		t.Error("ready with no checks registered")
	}
	rd.Add("store", func(context.Context) error { return nil })
	if _, ok := rd.Check(context.Background()); !ok {
		t.Error("not ready with a passing check")
	}
	rd.SetStopping()
	rep, ok := rd.Check(context.Background())
	if ok || rep.Checks["shutdown"] == "" {
		t.Errorf("ready while stopping: %+v", rep)
	}
}

func TestRecoverReturnsJSON500(t *testing.T) {
	t.Parallel()
	var logBuf syncBuffer
	h := withRequestID(withRecover(newLogger(&logBuf, 0), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	srvRec := newRecorder()
	req, _ := http.NewRequest(http.MethodGet, "/x", nil)
	h.ServeHTTP(srvRec, req)
	if srvRec.code != 500 || !strings.Contains(srvRec.body.String(), "INTERNAL") {
		t.Errorf("got %d %s", srvRec.code, srvRec.body.String())
	}
	if !strings.Contains(logBuf.String(), "boom") || !strings.Contains(logBuf.String(), "request_id") {
		t.Errorf("panic not logged with request id: %s", logBuf.String())
	}
}

type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{h: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(c int)           { r.code = c }

// hashTree returns a digest of every file (path, mode, content) under dir.
func hashTree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		_, _ = io.WriteString(h, rel+"|"+info.Mode().String()+"|")
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, _ = h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// makeStore starts and stops a server once so that cfg.DataDir holds a store
// and a key file.
func makeStore(t *testing.T, cfg Config) {
	t.Helper()
	ts := startServe(t, cfg)
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestServeRefusesBadDataDirs(t *testing.T) {
	t.Parallel()
	t.Run("wrong key file", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig(t)
		makeStore(t, cfg)
		before := hashTree(t, cfg.DataDir)
		wrong := filepath.Join(t.TempDir(), "wrong.key")
		if err := os.WriteFile(wrong, []byte(strings.Repeat("ab", 32)), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg.KeyFile = wrong
		err := serve(context.Background(), cfg, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "encryption key does not match") {
			t.Fatalf("err = %v", err)
		}
		if after := hashTree(t, cfg.DataDir); after != before {
			t.Error("the data directory changed after a refused start")
		}
	})
	t.Run("malformed key env", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig(t)
		cfg.Key = "not-a-key"
		err := serve(context.Background(), cfg, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "SYNCHRONIZER_KEY") {
			t.Fatalf("err = %v", err)
		}
		if _, statErr := os.Stat(cfg.DataDir); statErr == nil {
			entries, _ := os.ReadDir(cfg.DataDir)
			if len(entries) > 0 {
				t.Errorf("refused start left files: %v", entries)
			}
		}
	})
	t.Run("not a badger store", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig(t)
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfg.DataDir, "notes.txt"), []byte("precious"), 0o600); err != nil {
			t.Fatal(err)
		}
		before := hashTree(t, cfg.DataDir)
		err := serve(context.Background(), cfg, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "not a Synchronizer store") {
			t.Fatalf("err = %v", err)
		}
		if after := hashTree(t, cfg.DataDir); after != before {
			t.Error("the data directory changed after a refused start")
		}
	})
	t.Run("locked by another server", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig(t)
		ts := startServe(t, cfg)
		err := serve(context.Background(), cfg, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "in use by another process") {
			t.Fatalf("err = %v", err)
		}
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"backup", "--data", cfg.DataDir}, nil, &out, &errOut, envMap(nil))
		if code != exitError || !strings.Contains(errOut.String(), "stop the server") {
			t.Errorf("backup of a running server: code %d, %s", code, errOut.String())
		}
		if err := ts.stop(t); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		t.Parallel()
		cfg := testConfig(t)
		ts := startServe(t, cfg)
		cfg2 := testConfig(t)
		cfg2.Listen = ts.st.addrs["http"]
		err := serve(context.Background(), cfg2, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "listen on "+cfg2.Listen) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.AdminEmail = "admin@example.com"
	cfg.AdminPassword = "correct horse battery"
	ts := startServe(t, cfg)
	if ts.stdout.String() != "" {
		t.Errorf("bootstrap admin still printed a setup URL: %q", ts.stdout.String())
	}
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
	backupFile := filepath.Join(t.TempDir(), "sync.bak")
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"backup", "--data", cfg.DataDir, "--output", backupFile}, nil, io.Discard, &errOut, envMap(nil)); code != exitOK {
		t.Fatalf("backup: %d %s", code, errOut.String())
	}
	// --output never overwrites.
	errOut.Reset()
	if code := run(context.Background(), []string{"backup", "--data", cfg.DataDir, "--output", backupFile}, nil, io.Discard, &errOut, envMap(nil)); code != exitError {
		t.Errorf("backup over an existing file: code %d", code)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	errOut.Reset()
	if code := run(context.Background(), []string{"restore", backupFile, "--data", restored}, nil, io.Discard, &errOut, envMap(nil)); code != exitOK {
		t.Fatalf("restore: %d %s", code, errOut.String())
	}
	// Restoring again into the now non-empty directory is refused and
	// changes nothing.
	before := hashTree(t, restored)
	errOut.Reset()
	if code := run(context.Background(), []string{"restore", backupFile, "--data", restored}, nil, io.Discard, &errOut, envMap(nil)); code != exitError ||
		!strings.Contains(errOut.String(), "not empty") {
		t.Errorf("restore into non-empty dir: code %d %s", code, errOut.String())
	}
	if hashTree(t, restored) != before {
		t.Error("refused restore changed the directory")
	}
	// The restored store has the admin: no setup URL is printed.
	cfg2 := testConfig(t)
	cfg2.DataDir = restored
	ts2 := startServe(t, cfg2)
	if ts2.stdout.String() != "" {
		t.Errorf("restored store asks for setup again: %q", ts2.stdout.String())
	}
	if err := ts2.stop(t); err != nil {
		t.Fatal(err)
	}
	// A damaged backup leaves the target as it was (missing).
	damaged := filepath.Join(t.TempDir(), "damaged.bak")
	if err := os.WriteFile(damaged, []byte("this is not a backup stream"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "t")
	if code := run(context.Background(), []string{"restore", damaged, "--data", target}, nil, io.Discard, io.Discard, envMap(nil)); code != exitError {
		t.Errorf("restore of a damaged file: code %d", code)
	}
	if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("damaged restore left %s behind (%v)", target, err)
	}
}

func TestBackupRefusesMissingStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var errOut bytes.Buffer
	code := run(context.Background(), []string{"backup", "--data", dir}, nil, io.Discard, &errOut, envMap(nil))
	if code != exitError || !strings.Contains(errOut.String(), "holds no Synchronizer store") {
		t.Errorf("code %d %s", code, errOut.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("backup wrote into %s: %v", dir, entries)
	}
}

func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	ts := startServe(t, cfg)
	var out, errOut bytes.Buffer
	env := envMap(map[string]string{"SYNCHRONIZER_LISTEN": ts.st.addrs["http"]})
	if code := run(context.Background(), []string{"healthcheck"}, nil, &out, &errOut, env); code != exitOK {
		t.Errorf("healthcheck of a running server: %d %s", code, errOut.String())
	}
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"healthcheck", "--timeout", "1s"}, nil, &out, &errOut, env); code != exitError {
		t.Errorf("healthcheck of a stopped server: %d", code)
	}
}

func TestSelfSignedTLS(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.SelfSigned = true
	ts := startServe(t, cfg)
	addr := ts.st.addrs["https"]
	if !strings.HasPrefix(ts.st.setupURL, "https://127.0.0.1:") {
		t.Errorf("setup URL %q is not https", ts.st.setupURL)
	}

	// TLS 1.1 and lower are refused.
	_, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}) //nolint:gosec // testing the refusal
	if err == nil {
		t.Error("a TLS 1.1 handshake succeeded")
	}
	// TLS 1.2 works; the certificate covers 127.0.0.1 and localhost.
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}) //nolint:gosec // self-signed
	if err != nil {
		t.Fatalf("TLS 1.2 handshake: %v", err)
	}
	leaf := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	for _, n := range []string{"127.0.0.1", "localhost", "::1"} {
		if err := leaf.VerifyHostname(n); err != nil {
			t.Errorf("certificate does not cover %s: %v", n, err)
		}
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed
	resp, _ := get(t, c, "https://"+addr+"/healthz", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("https healthz %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if err := ts.stop(t); err != nil {
		t.Fatal(err)
	}
	// The certificate is kept in the store: a restart serves the same one.
	ts2 := startServe(t, cfg)
	conn, err = tls.Dial("tcp", ts2.st.addrs["https"], &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // self-signed
	if err != nil {
		t.Fatal(err)
	}
	again := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	if !again.Equal(leaf) {
		t.Error("restart generated a new self-signed certificate instead of reusing the stored one")
	}
}
