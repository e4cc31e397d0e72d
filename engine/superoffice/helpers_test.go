package superoffice_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/superoffice"
	"github.com/synchronizer/synchronizer/engine/superoffice/superofficetest"
)

// memSecrets is an in-memory engine.Secrets.
type memSecrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memSecrets) Get(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[name]
	if !ok {
		return nil, engine.ErrNotFound
	}
	return v, nil
}

func (s *memSecrets) Put(_ context.Context, name string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = v
	return nil
}

func (s *memSecrets) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, name)
	return nil
}

// exchange is one recorded HTTP exchange with the fake's REST API.
type exchange struct {
	Method, Path string
	Status       int
	Req, Resp    []byte
}

// recorder is a RoundTripper that records request and response bodies.
type recorder struct {
	mu   sync.Mutex
	next http.RoundTripper
	log  []exchange
	// beforeWrite, when set, runs before each PUT or DELETE is sent (a user editing meanwhile).
	beforeWrite func(*http.Request)
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	bw := r.beforeWrite
	r.mu.Unlock()
	if bw != nil && (req.Method == http.MethodPut || req.Method == http.MethodDelete) {
		bw(req)
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	r.mu.Lock()
	r.log = append(r.log, exchange{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Req: body, Resp: rb})
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.log...)
}

// tenant is a started fake with the secrets and settings of a connector for it.
type tenant struct {
	fake     *superofficetest.Server
	secrets  *memSecrets
	settings map[string]any
	rec      *recorder
	http     *http.Client
}

const (
	alice = 101
	bob   = 102
)

func newTenant(t testing.TB) *tenant {
	t.Helper()
	pemKey, pub := superofficetest.PartnerKeyPEM()
	oslo, _ := time.LoadLocation("Europe/Oslo")
	f := superofficetest.New(superofficetest.Options{PartnerKey: pub, Zone: oslo})
	base := f.Start()
	t.Cleanup(f.Close)
	f.AddAssociate(alice, "Alice", "alice@example.com")
	f.AddAssociate(bob, "Bob", "bob@example.com")
	rec := &recorder{next: http.DefaultTransport}
	track(rec)
	return &tenant{fake: f, rec: rec, http: &http.Client{Transport: rec, Timeout: 30 * time.Second},
		secrets: &memSecrets{m: map[string][]byte{
			superoffice.SecretPartnerKey:   []byte(pemKey),
			superoffice.SecretClientSecret: []byte(superofficetest.ClientSecret),
			superoffice.SecretSystemToken:  []byte(superofficetest.SystemToken),
		}},
		settings: map[string]any{"mode": "online", "baseUrl": base + "/api/", "loginUrl": base + "/login",
			"contextIdentifier": superofficetest.ContextIdentifier, "clientId": superofficetest.ClientID,
			"timeZone": "Europe/Oslo"}}
}

func (tn *tenant) raw(t testing.TB, extra map[string]any) json.RawMessage {
	t.Helper()
	m := map[string]any{}
	for k, v := range tn.settings {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (tn *tenant) env() engine.Env {
	return engine.Env{HTTP: tn.http, Secrets: tn.secrets, Governor: engine.NoLimits{}}
}

func (tn *tenant) connector(t testing.TB, extra map[string]any) *superoffice.Connector {
	t.Helper()
	c, err := superoffice.NewConnector(tn.raw(t, extra), tn.env())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (tn *tenant) open(t testing.TB, c *superoffice.Connector, kind engine.Kind, assoc string) engine.Store {
	t.Helper()
	s, err := c.Open(context.Background(), engine.Scope{Account: engine.Account{ID: assoc}, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
