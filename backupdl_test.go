package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/kv"
)

var cheapPasswords = auth.PasswordParams{Time: 1, Memory: 1024, Threads: 1}

// opsServer is the appliance's HTTP side as serve builds it (auth middleware, GraphQL, GET /api/backup) on an
// on-disk, encrypted store, with an admin and a user account and a clock the test moves.
type opsServer struct {
	db   *kv.DB
	key  []byte
	auth *auth.Service
	ops  *opsAPI
	gov  *governor.Governor
	srv  *httptest.Server

	mu  sync.Mutex
	now time.Time
}

func (o *opsServer) clock() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.now
}

func (o *opsServer) advance(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.now = o.now.Add(d)
}

func newOpsServer(t *testing.T) *opsServer {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	db, err := kv.Open(kv.Options{Dir: filepath.Join(t.TempDir(), "data"), EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	o := &opsServer{db: db, key: key, now: time.Date(2026, 11, 21, 22, 15, 0, 0, time.UTC)}
	logger := slog.New(slog.DiscardHandler)
	o.auth, err = auth.New(db, auth.Options{Password: cheapPasswords, Now: o.clock})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := o.auth.Setup(context.Background(), o.auth.SetupToken(), "admin@example.com", "Admin", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	adminCtx := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: admin.ID, Email: admin.Email, Role: auth.RoleAdmin, Via: "session"})
	if _, err := o.auth.CreateAccount(adminCtx, "user@example.com", "User", "correct horse battery", auth.RoleUser); err != nil {
		t.Fatal(err)
	}
	tw, err := newTLSWatch(Config{Listen: "127.0.0.1:0"}, db.CertCache(), o.clock)
	if err != nil {
		t.Fatal(err)
	}
	o.ops = &opsAPI{tlsWatch: tw, backupDownloads: newBackupDownloads(db, o.auth, o.clock, logger), db: db}
	o.gov = governor.New(governor.Options{Now: o.clock})
	gql := graph.NewHandler(&graph.Resolver{Auth: o.auth, DB: db, Logger: logger, Ops: o.ops, Governor: o.gov}, graph.HandlerOptions{})
	app := newAppHandler(appDeps{logger: logger, metrics: newMetrics("test", "test"), readiness: &Readiness{},
		graphql: o.auth.Middleware(gql), backup: o.auth.Middleware(o.ops.backupDownloads), ui: http.NotFoundHandler()})
	o.srv = httptest.NewServer(app)
	t.Cleanup(o.srv.Close)
	return o
}

// session is a browser: a cookie jar signed in as email.
type session struct {
	o *opsServer
	c *http.Client
}

func (o *opsServer) signIn(t *testing.T, email string) *session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{o: o, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	if _, msg := s.gql(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { account { id } } }`,
		map[string]any{"e": email, "p": "correct horse battery"}); msg != "" {
		t.Fatalf("login %s: %s", email, msg)
	}
	return s
}

// gql posts one operation with the CSRF header a dashboard sends and returns data or the first error's code.
func (s *session) gql(t *testing.T, query string, vars map[string]any) (json.RawMessage, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.o.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if s.c.Jar != nil {
		u := req.URL
		for _, ck := range s.c.Jar.Cookies(u) {
			if ck.Name == auth.CSRFCookie {
				req.Header.Set(auth.CSRFHeader, ck.Value)
			}
		}
	}
	resp, err := s.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("graphql answer: %v", err)
	}
	if len(out.Errors) > 0 {
		code, _ := out.Errors[0].Extensions["code"].(string)
		return nil, code + ": " + out.Errors[0].Message
	}
	return out.Data, ""
}

func (s *session) backupLink(t *testing.T, encrypted bool) string {
	t.Helper()
	data, msg := s.gql(t, `mutation($e: Boolean) { createBackupLink(encrypted: $e) { url expiresAt } }`, map[string]any{"e": encrypted})
	if msg != "" {
		t.Fatalf("createBackupLink: %s", msg)
	}
	var out struct {
		Link struct {
			URL       string    `json:"url"`
			ExpiresAt time.Time `json:"expiresAt"`
		} `json:"createBackupLink"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Link.URL, pathBackup+"?token=") || !out.Link.ExpiresAt.Equal(s.o.clock().Add(backupLinkTTL)) {
		t.Fatalf("link %+v", out.Link)
	}
	return out.Link.URL
}

// download GETs path with the session and writes the body to a file; it returns the status, the file and the
// Content-Disposition header.
func (s *session) download(t *testing.T, path string) (int, string, string) {
	t.Helper()
	resp, err := s.c.Get(s.o.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	f := filepath.Join(t.TempDir(), "download.bak")
	out, err := os.Create(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		t.Fatal(err)
	}
	_ = out.Close()
	return resp.StatusCode, f, resp.Header.Get("Content-Disposition")
}

func TestBackupDownloadRestoresAndIsAdminOnlyAndOneTime(t *testing.T) {
	t.Parallel()
	o := newOpsServer(t)
	if err := o.db.Update(func(tx *kv.Tx) error { return tx.Set([]byte(kv.PrefixConfig+"marker"), []byte("the data")) }); err != nil {
		t.Fatal(err)
	}
	admin := o.signIn(t, "admin@example.com")
	link := admin.backupLink(t, false)

	code, file, disp := admin.download(t, link)
	if code != http.StatusOK {
		b, _ := os.ReadFile(file)
		t.Fatalf("download: %d %s", code, b)
	}
	if disp != `attachment; filename="synchronizer-2026-11-21T221500Z.bak"` {
		t.Errorf("Content-Disposition %q", disp)
	}
	// The file restores into an empty directory (with a new key, like `synchronizer restore`) and has the data.
	restored := filepath.Join(t.TempDir(), "restored")
	var errOut bytes.Buffer
	if c := run(context.Background(), []string{"restore", file, "--data", restored}, nil, io.Discard, &errOut, envMap(nil)); c != exitOK {
		t.Fatalf("restore of the download: %d %s", c, errOut.String())
	}
	rkey, err := os.ReadFile(filepath.Join(restored, kv.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := kv.LoadOrCreateKey("", restored, "")
	if err != nil || len(rkey) == 0 {
		t.Fatalf("restored key: %v", err)
	}
	rdb, err := kv.Open(kv.Options{Dir: restored, EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	err = rdb.View(func(tx *kv.Tx) error { got, err = tx.Get([]byte(kv.PrefixConfig + "marker")); return err })
	if err != nil || string(got) != "the data" {
		t.Errorf("restored marker = %q, %v", got, err)
	}
	rauth, err := auth.New(rdb, auth.Options{Password: cheapPasswords})
	if err != nil || rauth.NeedsSetup() {
		t.Errorf("the restored store lost the accounts (needs setup: %v, %v)", rauth != nil && rauth.NeedsSetup(), err)
	}
	_ = rdb.Close()

	// A reused link is refused.
	if code, file, _ := admin.download(t, link); code != http.StatusForbidden {
		b, _ := os.ReadFile(file)
		t.Errorf("reused link: %d %s", code, b)
	}
	// An expired link is refused.
	late := admin.backupLink(t, false)
	o.advance(backupLinkTTL)
	if code, _, _ := admin.download(t, late); code != http.StatusForbidden {
		t.Errorf("expired link: %d", code)
	}
	// The session alone (a cross-site GET carries the cookie) is not enough.
	if code, _, _ := admin.download(t, pathBackup); code != http.StatusForbidden {
		t.Errorf("session without a link: %d", code)
	}
	// Anonymous: 401, even with a valid link.
	fresh := admin.backupLink(t, false)
	anon := &session{o: o, c: &http.Client{Timeout: 10 * time.Second}}
	if code, _, _ := anon.download(t, fresh); code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", code)
	}
	// A USER may neither ask for a link nor use an admin's.
	user := o.signIn(t, "user@example.com")
	if _, msg := user.gql(t, `mutation { createBackupLink { url } }`, nil); !strings.HasPrefix(msg, "FORBIDDEN") {
		t.Errorf("createBackupLink as USER: %q", msg)
	}
	if code, _, _ := user.download(t, fresh); code != http.StatusForbidden {
		t.Errorf("USER with an admin's link: %d", code)
	}
	// Callers refused before the link is looked at do not spend it: its admin still can use it, once.
	if code, _, _ := admin.download(t, fresh); code != http.StatusOK {
		t.Errorf("link tried by anonymous and a USER, then used by its admin: %d", code)
	}

	// Every download and refusal is audited.
	log, _, err := o.auth.AuditLog(auth.WithViewer(context.Background(), &auth.Viewer{Role: auth.RoleAdmin, Email: "t"}), 100, "")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range log {
		counts[e.Action]++
	}
	if counts[actionBackupDownloaded] != 2 || counts[actionBackupLink] != 3 || counts[actionBackupFailed] != 4 {
		t.Errorf("audit counts %v", counts)
	}
}

func TestBackupDownloadEncrypted(t *testing.T) {
	t.Parallel()
	o := newOpsServer(t)
	admin := o.signIn(t, "admin@example.com")
	code, file, disp := admin.download(t, admin.backupLink(t, true))
	if code != http.StatusOK || !strings.HasSuffix(disp, `.encrypted.bak"`) {
		t.Fatalf("download: %d %q", code, disp)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("admin@example.com")) {
		t.Error("the encrypted backup shows an account's e-mail in clear")
	}
	// Restore needs the store's key; another key is refused.
	other := make([]byte, 32)
	if err := kv.Restore(bytes.NewReader(b), kv.Options{Dir: filepath.Join(t.TempDir(), "x"), EncryptionKey: other}); err == nil {
		t.Error("restore with another key succeeded")
	}
	dir := filepath.Join(t.TempDir(), "y")
	if err := kv.Restore(bytes.NewReader(b), kv.Options{Dir: dir, EncryptionKey: o.key}); err != nil {
		t.Fatalf("restore with the store's key: %v", err)
	}
}

// TestOpsFieldsOverGraphQL reads governorHistory, tlsStatus and reinvitations through the API as an admin, and
// checks that a USER is refused and bad arguments name the argument.
func TestOpsFieldsOverGraphQL(t *testing.T) {
	t.Parallel()
	o := newOpsServer(t)
	mailbox := engine.LimitScope{System: "msgraph", Kind: "mailbox", Key: "alice@example.com"}
	for i := range 3 {
		p, err := o.gov.Acquire(context.Background(), mailbox)
		if err != nil {
			t.Fatal(err)
		}
		status := 200
		if i == 2 { // the last one: a throttling answer holds the scope back, which this test's frozen clock never ends
			status = 429
		}
		p.Done(engine.Outcome{Status: status})
	}
	admin := o.signIn(t, "admin@example.com")
	data, msg := admin.gql(t, `query($s: String) { governorHistory(scope: $s, minutes: 1) { scope stepSeconds samples { at admitted throttled } } }`,
		map[string]any{"s": mailbox.String()})
	if msg != "" {
		t.Fatal(msg)
	}
	var h struct {
		H struct {
			Scope       string
			StepSeconds int
			Samples     []struct{ Admitted, Throttled int }
		} `json:"governorHistory"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	if h.H.Scope != mailbox.String() || h.H.StepSeconds != 10 || len(h.H.Samples) != 6 ||
		h.H.Samples[5].Admitted != 3 || h.H.Samples[5].Throttled != 1 {
		t.Errorf("governorHistory %+v", h.H)
	}
	for _, tc := range []struct{ query, want string }{
		{`{ governorHistory(minutes: 0) { scope } }`, "BAD_USER_INPUT"},
		{`{ governorHistory(minutes: 61) { scope } }`, "BAD_USER_INPUT"},
		{`{ governorHistory(scope: "msgraph/mailbox/nobody") { scope } }`, "NOT_FOUND"},
	} {
		if _, msg := admin.gql(t, tc.query, nil); !strings.HasPrefix(msg, tc.want) {
			t.Errorf("%s: %q, want %s", tc.query, msg, tc.want)
		}
	}
	data, msg = admin.gql(t, `{ tlsStatus { mode httpRedirect problems { severity } } reinvitations { userId } }`, nil)
	if msg != "" || string(data) != `{"tlsStatus":{"mode":"PLAIN","httpRedirect":false,"problems":[]},"reinvitations":[]}` {
		t.Errorf("tlsStatus/reinvitations: %s %s", data, msg)
	}
	user := o.signIn(t, "user@example.com")
	for _, q := range []string{`{ governorHistory { scope } }`, `{ tlsStatus { mode } }`, `{ reinvitations { userId } }`} {
		if _, msg := user.gql(t, q, nil); !strings.HasPrefix(msg, "FORBIDDEN") {
			t.Errorf("%s as USER: %q", q, msg)
		}
	}
}

// TestBackupDownloadWithAPIToken: a script with an admin's API token GETs the backup directly (no link: browsers
// never send the Authorization header by themselves).
func TestBackupDownloadWithAPIToken(t *testing.T) {
	t.Parallel()
	o := newOpsServer(t)
	admins, err := o.auth.Admins(auth.WithViewer(context.Background(), &auth.Viewer{Role: auth.RoleAdmin}))
	if err != nil || len(admins) != 1 {
		t.Fatalf("admins %v %v", admins, err)
	}
	actx := auth.WithViewer(context.Background(), &auth.Viewer{AccountID: admins[0].ID, Email: admins[0].Email, Role: auth.RoleAdmin, Via: "session"})
	_, secret, err := o.auth.CreateAPIToken(actx, "backup script", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query, suffix string
	}{{"", `Z.bak"`}, {"?encrypted=true", `Z.encrypted.bak"`}} {
		req, _ := http.NewRequest(http.MethodGet, o.srv.URL+pathBackup+tc.query, nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(b) < 100 || !strings.HasSuffix(resp.Header.Get("Content-Disposition"), tc.suffix) {
			t.Errorf("GET %s with an API token: %d, %d bytes, %q", pathBackup+tc.query, resp.StatusCode, len(b), resp.Header.Get("Content-Disposition"))
		}
	}
	req, _ := http.NewRequest(http.MethodGet, o.srv.URL+pathBackup, nil)
	req.Header.Set("Authorization", "Bearer syn_not-a-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong API token: %d", resp.StatusCode)
	}
}
