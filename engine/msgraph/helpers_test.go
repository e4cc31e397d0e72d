package msgraph_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

// memSecrets is an in-memory engine.Secrets that records every write.
type memSecrets struct {
	mu     sync.Mutex
	m      map[string][]byte
	writes []string
}

func newSecrets() *memSecrets { return &memSecrets{m: map[string][]byte{}} }

func (s *memSecrets) Get(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[name]
	if !ok {
		return nil, engine.ErrNotFound
	}
	return append([]byte(nil), v...), nil
}

func (s *memSecrets) Put(_ context.Context, name string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = append([]byte(nil), v...)
	s.writes = append(s.writes, name+"="+string(v))
	return nil
}

func (s *memSecrets) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, name)
	return nil
}

const (
	clientID = "app-1"
	secret   = "s3cret"
	alice    = "u-alice"
)

// newFake starts a fake tenant with alice (a mailbox, aliases) and bob (no Exchange licence).
func newFake(t testing.TB, o msgraphtest.Options) *msgraphtest.Server {
	t.Helper()
	srv := msgraphtest.New(o)
	t.Cleanup(srv.Close)
	srv.AddClient(clientID, secret)
	srv.AddUser(msgraphtest.User{ID: alice, Mail: "alice@contoso.com", UPN: "alice@contoso.onmicrosoft.com", DisplayName: "Alice",
		ProxyAddresses: []string{"SMTP:alice@contoso.com", "smtp:a.liddell@contoso.com"}})
	srv.AddUser(msgraphtest.User{ID: "u-bob", Mail: "bob@contoso.com", UPN: "bob@contoso.com", DisplayName: "Bob", NoMailbox: true})
	srv.AddUser(msgraphtest.User{ID: "u-carol", Mail: "carol@contoso.com", UPN: "carol@contoso.com", DisplayName: "Carol"})
	return srv
}

func settings(srv *msgraphtest.Server, mod func(*msgraph.Settings)) msgraph.Settings {
	s := msgraph.Settings{TenantID: srv.Tenant, ClientID: clientID, ClientSecret: secret, Authority: srv.URL, GraphURL: srv.URL,
		RedirectURL: "https://sync.example.com/auth/msgraph", PageSize: 3}
	if mod != nil {
		mod(&s)
	}
	return s
}

func rawSettings(s msgraph.Settings) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func newConn(t testing.TB, srv *msgraphtest.Server, env engine.Env, mod func(*msgraph.Settings)) *msgraph.Connector {
	t.Helper()
	c, err := msgraph.NewConnector(settings(srv, mod), env)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openStore(t testing.TB, c *msgraph.Connector, kind engine.Kind, user string) *msgraph.Store {
	t.Helper()
	s, err := c.OpenStore(context.Background(), engine.Scope{Account: engine.Account{ID: user}, Kind: kind,
		Window: engine.Window{From: time.Now().AddDate(0, -1, 0), To: time.Now().AddDate(0, 6, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// listAll reads a listing to its end from cursor and returns the changes and the next cursor.
func listAll(t testing.TB, s engine.Store, cursor string) ([]engine.Change, string, error) {
	t.Helper()
	var all []engine.Change
	for range 1000 {
		p, err := s.Changes(context.Background(), cursor)
		if err != nil {
			return nil, "", err
		}
		all = append(all, p.Changes...)
		cursor = p.Next
		if !p.More {
			return all, cursor, nil
		}
	}
	t.Fatal("listing does not end")
	return nil, "", nil
}
