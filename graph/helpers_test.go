package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph"
	"github.com/synchronizer/synchronizer/kv"
)

// testPassword is long enough for the 12-character rule.
const testPassword = "correct horse battery"

// cheap argon2id parameters keep the tests fast; production uses the defaults.
var cheap = auth.PasswordParams{Time: 1, Memory: 1024, Threads: 1}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     testing.TB
	srv   *httptest.Server
	auth  *auth.Service
	db    *kv.DB
	clock *clock
	logs  *bytes.Buffer
}

type envOpt func(*auth.Options, *graph.HandlerOptions)

// newEnv starts the GraphQL handler behind the auth middleware and a body
// limit on a loopback httptest server, like the appliance mounts it.
func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	return newEnvWith(t, nil, opts...)
}

// newEnvWith is newEnv with a hook that completes the resolver (the sync
// tests add the engine, the scheduler and the governor) over the same store.
func newEnvWith(t testing.TB, wire func(*graph.Resolver), opts ...envOpt) *env {
	t.Helper()
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	logs := &bytes.Buffer{}
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logMu, logs}, nil))
	c := &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	ao := auth.Options{Logger: log, Now: c.Now, Password: cheap}
	ho := graph.HandlerOptions{}
	for _, o := range opts {
		o(&ao, &ho)
	}
	svc, err := auth.New(db, ao)
	if err != nil {
		t.Fatal(err)
	}
	res := &graph.Resolver{Auth: svc, DB: db, Logger: log, Version: "1.2.3", Commit: "abc123"}
	if wire != nil {
		wire(res)
	}
	h := graph.NewHandler(res, ho)
	mux := http.NewServeMux()
	mux.Handle("/graphql", svc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		h.ServeHTTP(w, r)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, auth: svc, db: db, clock: c, logs: logs}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// client is a GraphQL client with a cookie jar; it sends the CSRF token
// after signing in, like the SPA does.
type client struct {
	e      *env
	http   *http.Client
	csrf   string
	bearer string
	noCSRF bool
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// gqlResponse is a decoded GraphQL response.
type gqlResponse struct {
	Status int
	Header http.Header
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	}
	Raw string
}

// code returns the first error's extensions.code, or "".
func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r *gqlResponse) message() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Message
}

func (c *client) do(req *http.Request) *gqlResponse {
	c.e.t.Helper()
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.csrf != "" && !c.noCSRF {
		req.Header.Set(auth.CSRFHeader, c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := &gqlResponse{Status: res.StatusCode, Header: res.Header, Raw: string(b)}
	if err := json.Unmarshal(b, out); err != nil {
		c.e.t.Fatalf("response is not JSON (status %d): %q", res.StatusCode, b)
	}
	return out
}

// query POSTs a GraphQL operation.
func (c *client) query(q string, vars map[string]any) *gqlResponse {
	c.e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// raw POSTs body with the given content type.
func (c *client) raw(contentType, accept, body string) *gqlResponse {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+"/graphql", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req)
}

// must fails the test when r has errors.
func (r *gqlResponse) must(t testing.TB) *gqlResponse {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("unexpected errors (status %d): %s", r.Status, r.Raw)
	}
	return r
}

func field(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

const setupMutation = `mutation($in: SetupInput!) { setup(input: $in) { csrfToken account { id email role } } }`

// setupAdmin runs setup and returns a signed-in admin client.
func (e *env) setupAdmin() *client {
	e.t.Helper()
	c := e.client()
	r := c.query(setupMutation, map[string]any{"in": map[string]any{
		"token": e.auth.SetupToken(), "email": "admin@example.com", "name": "Ada Admin", "password": testPassword}}).must(e.t)
	c.csrf = field(r.Data, "setup", "csrfToken").(string)
	return c
}

// login signs a new client in.
func (e *env) login(email, password string) *client {
	e.t.Helper()
	c := e.client()
	r := c.query(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { csrfToken } }`,
		map[string]any{"e": email, "p": password}).must(e.t)
	c.csrf = field(r.Data, "login", "csrfToken").(string)
	return c
}

// userClient creates a USER-role account (through the service, as an admin)
// and returns a signed-in client for it.
func (e *env) userClient(admin *auth.Viewer) *client {
	e.t.Helper()
	ctx := auth.WithViewer(context.Background(), admin)
	if _, err := e.auth.CreateAccount(ctx, "user@example.com", "Uma User", testPassword, auth.RoleUser); err != nil {
		e.t.Fatal(err)
	}
	return e.login("user@example.com", testPassword)
}

// adminViewer returns a Viewer for the first admin.
func (e *env) adminViewer() *auth.Viewer {
	ctx := auth.WithViewer(context.Background(), &auth.Viewer{Role: auth.RoleAdmin})
	as, err := e.auth.Admins(ctx)
	if err != nil || len(as) == 0 {
		e.t.Fatalf("no admin: %v", err)
	}
	return &auth.Viewer{AccountID: as[0].ID, Email: as[0].Email, Role: auth.RoleAdmin}
}

func urlEscape(s string) string { return url.QueryEscape(s) }

func newLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func httptestRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
