package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsMsg is a graphql-transport-ws message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dialWS opens a graphql-transport-ws connection carrying c's cookies and
// the extra header, and sends connection_init with payload.
func (c *client) dialWS(ctx context.Context, t *testing.T, header http.Header, payload map[string]any) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	u, _ := url.Parse(c.e.srv.URL + "/graphql")
	h := http.Header{}
	for k, v := range header {
		h[k] = v
	}
	var cookies []string
	for _, ck := range c.http.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(u.String(), "http"), &websocket.DialOptions{
		HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		return nil, res, err
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	p, _ := json.Marshal(payload)
	if err := writeWS(ctx, conn, wsMsg{Type: "connection_init", Payload: p}); err != nil {
		return nil, res, err
	}
	return conn, res, nil
}

func writeWS(ctx context.Context, conn *websocket.Conn, m wsMsg) error {
	b, _ := json.Marshal(m)
	return conn.Write(ctx, websocket.MessageText, b)
}

func readWS(ctx context.Context, conn *websocket.Conn) (wsMsg, error) {
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return wsMsg{}, err
		}
		var m wsMsg
		if err := json.Unmarshal(b, &m); err != nil {
			return wsMsg{}, err
		}
		if m.Type == "ping" || m.Type == "pong" || m.Type == "ka" {
			continue
		}
		return m, nil
	}
}

// subscribe acknowledges the connection and subscribes to auditEvents.
func subscribe(ctx context.Context, t *testing.T, conn *websocket.Conn) {
	t.Helper()
	m, err := readWS(ctx, conn)
	if err != nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init answered %+v %v, want connection_ack", m, err)
	}
	p, _ := json.Marshal(map[string]any{"query": `subscription { auditEvents { action actor target } }`})
	if err := writeWS(ctx, conn, wsMsg{ID: "1", Type: "subscribe", Payload: p}); err != nil {
		t.Fatal(err)
	}
}

// awaitEvent triggers audit events with trigger until one arrives (the
// subscription registers asynchronously) and returns the first message. One
// goroutine reads for the whole wait: a websocket read whose context ends
// closes the connection, so reads must not time out between triggers.
func awaitEvent(t *testing.T, conn *websocket.Conn, trigger func()) wsMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type result struct {
		m   wsMsg
		err error
	}
	got := make(chan result, 1)
	go func() {
		m, err := readWS(ctx, conn)
		got <- result{m, err}
	}()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	trigger()
	for {
		select {
		case r := <-got:
			if r.err != nil {
				t.Fatalf("no audit event arrived over the websocket: %v", r.err)
			}
			return r.m
		case <-tick.C:
			trigger()
		}
	}
}

func TestSubscriptionWithCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := admin.dialWS(ctx, t, http.Header{"Origin": {e.srv.URL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	subscribe(ctx, t, conn)
	m := awaitEvent(t, conn, func() { admin.query(`mutation { createApiToken(name: "ws") { secret } }`, nil).must(t) })
	if m.Type != "next" || m.ID != "1" || !strings.Contains(string(m.Payload), `"action":"token.created"`) || !strings.Contains(string(m.Payload), "admin@example.com") {
		t.Fatalf("got %s %s, want next with token.created", m.Type, m.Payload)
	}
}

func TestSubscriptionWithBearerInit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	secret := field(admin.query(`mutation { createApiToken(name: "ws") { secret } }`, nil).must(t).Data, "createApiToken", "secret").(string)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := e.client().dialWS(ctx, t, nil, map[string]any{"authorization": "Bearer " + secret})
	if err != nil {
		t.Fatal(err)
	}
	subscribe(ctx, t, conn)
	m := awaitEvent(t, conn, func() { admin.query(`mutation { inviteAdmin(email: "z@example.com", name: "Z") { link } }`, nil) })
	if m.Type != "next" || !strings.Contains(string(m.Payload), `"action":"admin.invited"`) {
		t.Fatalf("got %s %s, want next with admin.invited", m.Type, m.Payload)
	}
}

func TestSubscriptionRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// Anonymous: the subscription is refused with UNAUTHENTICATED.
	conn, _, err := e.client().dialWS(ctx, t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	subscribe(ctx, t, conn)
	m, err := readWS(ctx, conn)
	if err != nil || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Fatalf("anonymous subscription: %s %s %v, want UNAUTHENTICATED", m.Type, m.Payload, err)
	}

	// A user account is refused with FORBIDDEN.
	user := e.userClient(e.adminViewer())
	conn, _, err = user.dialWS(ctx, t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	subscribe(ctx, t, conn)
	if m, err := readWS(ctx, conn); err != nil || !strings.Contains(string(m.Payload), "FORBIDDEN") {
		t.Fatalf("user subscription: %s %s %v, want FORBIDDEN", m.Type, m.Payload, err)
	}

	// A bad token in connection_init closes the connection.
	conn, _, err = e.client().dialWS(ctx, t, nil, map[string]any{"Authorization": "Bearer syn_nope"})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := readWS(ctx, conn); err == nil && m.Type == "connection_ack" {
		t.Fatal("a bad token was acknowledged")
	}

	// Cross-origin upgrades are refused (cross-site websocket hijacking).
	_, res, err := admin.dialWS(ctx, t, http.Header{"Origin": {"http://evil.example"}}, nil)
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: %v %v, want 403", res, err)
	}
}
