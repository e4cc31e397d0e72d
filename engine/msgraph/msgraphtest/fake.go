// Package msgraphtest is a fake of the Microsoft Graph endpoints the msgraph connector uses, faithful in the
// parts that matter for synchronisation: the same paths and JSON payloads, OData paging (@odata.nextLink,
// @odata.deltaLink), delta semantics with @removed entries and expiring delta tokens (410 syncStateNotFound),
// etags with If-Match and 412, transactionId and single-value extended properties, $batch (≤ 20 requests), change
// notification subscriptions (validation handshake against the notification URL, notifications with clientState
// on every change), an OAuth 2.0 token endpoint (client credentials, authorization code with PKCE, refresh with
// rotation, revocation), and the real per-mailbox limits (4 concurrent requests, 10,000 requests per 10 minutes)
// answered with 429 and Retry-After, counted as violations so tests can assert there were none.
//
// Time comes from a Clock: a ScaledClock runs faster than real time, so the 10-minute window passes in seconds.
package msgraphtest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // G505: the x5t header is defined as the certificate's SHA-1 thumbprint.
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/internal/clock"
)

// Real Graph limits for Outlook resources (per app and mailbox).
const (
	MaxConcurrent = 4
	Budget        = 10000
	BudgetWindow  = 10 * time.Minute
	MaxBatch      = 20
)

// Clock is the fake's time source.
type Clock interface{ Now() time.Time }

// ScaledClock runs Scale times faster than the real clock from Start. It also implements AfterFunc so the
// governor can share it (its timers fire after d/Scale of real time).
type ScaledClock struct {
	Start time.Time
	Scale float64
	real0 time.Time
}

// NewScaledClock returns a clock starting at start that runs scale times faster than real time.
func NewScaledClock(start time.Time, scale float64) *ScaledClock {
	if scale <= 0 {
		scale = 1
	}
	return &ScaledClock{Start: start, Scale: scale, real0: time.Now()}
}

// Now returns the scaled time.
func (c *ScaledClock) Now() time.Time {
	return c.Start.Add(time.Duration(float64(time.Since(c.real0)) * c.Scale))
}

// AfterFunc calls f after d of scaled time.
func (c *ScaledClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	return time.AfterFunc(time.Duration(float64(d)/c.Scale), f)
}

// Real returns the real duration that d of scaled time takes.
func (c *ScaledClock) Real(d time.Duration) time.Duration { return time.Duration(float64(d) / c.Scale) }

// User is a directory user of the fake tenant.
type User struct {
	ID             string
	Mail           string
	UPN            string
	DisplayName    string
	ProxyAddresses []string
	NoMailbox      bool // a user on a plan without Exchange Online
}

type object struct {
	id   string
	data map[string]any
	seq  int64
	gone bool // deleted: kept as a tombstone for delta
	// exc holds a series master's exceptions by occurrence id: the modified occurrence, or nil when cancelled.
	exc map[string]map[string]any
}

type collection struct {
	objs  map[string]*object
	order []string
	byTx  map[string]string // transactionId → id
}

type mailbox struct {
	inFlight int
	calls    []time.Time // admitted requests within the window
}

type subscription struct {
	ID, Resource, NotificationURL, ClientState, ChangeType string
	Expiration                                             time.Time
	user, coll                                             string
}

// Server is the fake. Create it with New, stop it with Close.
type Server struct {
	URL    string
	Tenant string
	clock  Clock
	log    *slog.Logger
	srv    *httptest.Server
	hc     *http.Client

	mu          sync.Mutex
	users       []User
	colls       map[string]*collection // user + "|" + collection path
	seq         int64
	nextID      int
	minSeq      int64 // delta tokens below this are expired
	mailboxes   map[string]*mailbox
	violations  int
	requests    int
	maxInFlight int
	pageSize    int
	clients     map[string]string // client id -> secret
	certs       map[string]*x509.Certificate
	codes       map[string]codeGrant
	refresh     map[string]string // refresh token -> user
	access      map[string]tokenInfo
	revoked     map[string]bool // users whose grants are revoked
	subs        map[string]*subscription
	latency     time.Duration
	budget      int
	window      time.Duration
	denied      []string              // mailbox path prefixes answered 403 (a permission not granted)
	categories  map[string][]Category // user → master category list
}

type codeGrant struct{ user, challenge, redirect string }

type tokenInfo struct {
	user    string // empty for app-only
	expires time.Time
}

// Options configure the fake.
type Options struct {
	Clock    Clock // nil: real time
	Logger   *slog.Logger
	PageSize int // delta page size (default 50)
	// Latency is added to every request (simulated service time).
	Latency time.Duration
	// Budget and Window override the per-mailbox request budget (default Budget per BudgetWindow), so tests can
	// reach it with few requests.
	Budget int
	Window time.Duration
}

// New starts the fake on 127.0.0.1.
func New(o Options) *Server {
	s := &Server{Tenant: "contoso-tenant", clock: o.Clock, log: o.Logger, colls: map[string]*collection{}, mailboxes: map[string]*mailbox{},
		clients: map[string]string{}, certs: map[string]*x509.Certificate{}, codes: map[string]codeGrant{}, refresh: map[string]string{}, access: map[string]tokenInfo{},
		revoked: map[string]bool{}, subs: map[string]*subscription{}, pageSize: o.PageSize, latency: o.Latency,
		budget: o.Budget, window: o.Window}
	if s.budget <= 0 {
		s.budget = Budget
	}
	if s.window <= 0 {
		s.window = BudgetWindow
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.pageSize <= 0 {
		s.pageSize = 50
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("msgraphtest: listen: %v", err))
	}
	s.srv.Listener = l
	s.srv.Start()
	s.URL = s.srv.URL
	s.hc = &http.Client{Timeout: 10 * time.Second}
	return s
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// AddClient registers an application (client id and secret).
func (s *Server) AddClient(id, secret string) { s.mu.Lock(); s.clients[id] = secret; s.mu.Unlock() }

// AddCertClient registers an application that authenticates with a certificate (client assertions).
func (s *Server) AddCertClient(id string, cert *x509.Certificate) {
	s.mu.Lock()
	s.certs[id] = cert
	s.mu.Unlock()
}

// Deny answers 403 ErrorAccessDenied to every mailbox request whose path (after /users/{id}/) starts with prefix,
// as Graph does when the app lacks the permission ("events", "contactFolders", "todo").
func (s *Server) Deny(prefix string) { s.mu.Lock(); s.denied = append(s.denied, prefix); s.mu.Unlock() }

// AddUser adds a directory user.
func (s *Server) AddUser(u User) { s.mu.Lock(); s.users = append(s.users, u); s.mu.Unlock() }

// Violations is the number of requests answered 429 because a limit was exceeded.
func (s *Server) Violations() int { s.mu.Lock(); defer s.mu.Unlock(); return s.violations }

// Requests is the number of requests counted against mailbox budgets (each $batch part counts).
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// MaxInFlight is the highest number of concurrent requests seen for one mailbox.
func (s *Server) MaxInFlight() int { s.mu.Lock(); defer s.mu.Unlock(); return s.maxInFlight }

// ExpireDeltaTokens makes every delta token issued so far invalid (410 syncStateNotFound).
func (s *Server) ExpireDeltaTokens() { s.mu.Lock(); s.minSeq = s.seq + 1; s.mu.Unlock() }

// RevokeUser revokes every delegated grant of the user (refresh tokens and access tokens), as an admin revoking
// sessions or Conditional Access sign-in frequency would.
func (s *Server) RevokeUser(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[user] = true
	for t, u := range s.refresh {
		if u == user {
			delete(s.refresh, t)
		}
	}
	for t, ti := range s.access {
		if ti.user == user {
			delete(s.access, t)
		}
	}
}

// ExpireAccessTokens makes every access token issued so far expire (refresh tokens stay valid).
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// Issue creates an authorization code for user, as if they had signed in and consented; challenge is the PKCE
// S256 code challenge the client sent in the authorize request.
func (s *Server) Issue(user, challenge, redirect string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	code := fmt.Sprintf("code-%d", s.nextID)
	s.codes[code] = codeGrant{user: user, challenge: challenge, redirect: redirect}
	delete(s.revoked, user)
	return code
}

// Objects returns the live objects of a user's collection ("events", "contacts", "todo/lists/<id>/tasks",
// "contactFolders/<id>/contacts"), as JSON objects.
func (s *Server) Objects(user, coll string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[user+"|"+coll]
	if c == nil {
		return nil
	}
	var out []map[string]any
	for _, id := range c.order {
		if o := c.objs[id]; !o.gone {
			out = append(out, clone(o.data))
		}
	}
	return out
}

// Edit changes an object as another client would (a new changeKey and etag).
func (s *Server) Edit(user, coll, id string, f func(map[string]any)) error {
	s.mu.Lock()
	c := s.colls[user+"|"+coll]
	if c == nil || c.objs[id] == nil || c.objs[id].gone {
		s.mu.Unlock()
		return fmt.Errorf("no object %s in %s/%s", id, user, coll)
	}
	o := c.objs[id]
	f(o.data)
	s.touch(o)
	s.mu.Unlock()
	s.notify(user, coll, id, "updated")
	return nil
}

// Insert adds an object as another client would and returns its id.
func (s *Server) Insert(user, coll string, data map[string]any) string {
	s.mu.Lock()
	o := s.insert(user, coll, data)
	s.mu.Unlock()
	s.notify(user, coll, o.id, "created")
	return o.id
}

// Remove deletes an object as another client would.
func (s *Server) Remove(user, coll, id string) error {
	s.mu.Lock()
	c := s.colls[user+"|"+coll]
	if c == nil || c.objs[id] == nil || c.objs[id].gone {
		s.mu.Unlock()
		return fmt.Errorf("no object %s", id)
	}
	s.remove(c.objs[id])
	s.mu.Unlock()
	s.notify(user, coll, id, "deleted")
	return nil
}

// Subscriptions returns the active subscriptions' ids.
func (s *Server) Subscriptions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.subs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// SendLifecycle posts a lifecycle notification (reauthorizationRequired, missed, subscriptionRemoved) for sub.
func (s *Server) SendLifecycle(subID, event string) error {
	s.mu.Lock()
	sub := s.subs[subID]
	s.mu.Unlock()
	if sub == nil {
		return fmt.Errorf("no subscription %s", subID)
	}
	body, _ := json.Marshal(map[string]any{"value": []any{map[string]any{"subscriptionId": sub.ID, "clientState": sub.ClientState,
		"lifecycleEvent": event, "subscriptionExpirationDateTime": sub.Expiration.UTC().Format(time.RFC3339), "tenantId": s.Tenant}}})
	return s.post(sub.NotificationURL, body)
}

func (s *Server) post(target string, body []byte) error {
	resp, err := s.hc.Post(target, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notification answered %d", resp.StatusCode)
	}
	return nil
}

func (s *Server) notify(user, coll, id, change string) {
	s.mu.Lock()
	var targets []*subscription
	now := s.clock.Now()
	for _, sub := range s.subs {
		if sub.user == user && (sub.coll == coll || strings.HasSuffix(coll, "/"+sub.coll) || (sub.coll == "events" && coll == "events")) &&
			now.Before(sub.Expiration) && strings.Contains(sub.ChangeType, change) {
			cp := *sub
			targets = append(targets, &cp)
		}
	}
	s.mu.Unlock()
	for _, sub := range targets {
		body, _ := json.Marshal(map[string]any{"value": []any{map[string]any{"subscriptionId": sub.ID, "clientState": sub.ClientState,
			"changeType": change, "resource": "Users/" + user + "/" + coll + "/" + id, "tenantId": s.Tenant,
			"subscriptionExpirationDateTime": sub.Expiration.UTC().Format(time.RFC3339),
			"resourceData":                   map[string]any{"@odata.type": "#Microsoft.Graph.Event", "id": id}}}})
		go func() {
			if err := s.post(sub.NotificationURL, body); err != nil {
				s.log.Debug("msgraphtest: notification failed", "err", err)
			}
		}()
	}
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func (s *Server) coll(user, path string) *collection {
	k := user + "|" + path
	c := s.colls[k]
	if c == nil {
		c = &collection{objs: map[string]*object{}, byTx: map[string]string{}}
		s.colls[k] = c
	}
	return c
}

func (s *Server) touch(o *object) {
	s.seq++
	o.seq = s.seq
	ck := fmt.Sprintf("ck%d", s.seq)
	o.data["changeKey"] = ck
	o.data["@odata.etag"] = `W/"` + ck + `"`
	o.data["lastModifiedDateTime"] = s.clock.Now().UTC().Format(time.RFC3339Nano)
	if _, ok := o.data["start"].(map[string]any); ok {
		if _, event := o.data["iCalUId"]; event {
			o.data["type"] = "singleInstance"
			if _, ok := o.data["recurrence"].(map[string]any); ok {
				o.data["type"] = "seriesMaster"
			}
		}
	}
	for f, orig := range map[string]string{"start": "originalStartTimeZone", "end": "originalEndTimeZone"} {
		if dt, ok := o.data[f].(map[string]any); ok {
			o.data[orig] = dt["timeZone"]
		}
	}
}

func (s *Server) insert(user, path string, data map[string]any) *object {
	c := s.coll(user, path)
	s.nextID++
	id := fmt.Sprintf("AAMk%06d", s.nextID)
	data["id"] = id
	o := &object{id: id, data: data}
	if strings.HasSuffix(path, "events") {
		if _, ok := data["iCalUId"]; !ok {
			data["iCalUId"] = fmt.Sprintf("040000008200E00074C5B7101A82E008%08d", s.nextID)
		}
		data["createdDateTime"] = s.clock.Now().UTC().Format(time.RFC3339Nano)
	}
	s.touch(o)
	c.objs[id] = o
	c.order = append(c.order, id)
	return o
}

func (s *Server) remove(o *object) {
	o.gone = true
	s.seq++
	o.seq = s.seq
}

// ---- HTTP ----

type apiError struct {
	status int
	code   string
	msg    string
	header map[string]string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, e *apiError) {
	for k, v := range e.header {
		w.Header().Set(k, v)
	}
	writeJSON(w, e.status, map[string]any{"error": map[string]any{"code": e.code, "message": e.msg}})
}

var userPath = regexp.MustCompile(`^/v1\.0/users/([^/]+)(/.*)?$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
		s.token(w, r)
		return
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	ti, ok := s.access[tok]
	s.mu.Unlock()
	if !ok || !s.clock.Now().Before(ti.expires) {
		writeErr(w, &apiError{status: 401, code: "InvalidAuthenticationToken", msg: "Access token has expired or is not yet valid."})
		return
	}
	if r.URL.Path == "/v1.0/$batch" {
		s.batch(w, r, ti)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	status, hdr, out := s.handle(ti, r.Method, r.URL.RequestURI(), r.Header, body)
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if out == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}

// admit charges one request to user's mailbox; it returns an error when a limit is exceeded.
func (s *Server) admit(user string, parts int) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mailboxes[user]
	if m == nil {
		m = &mailbox{}
		s.mailboxes[user] = m
	}
	now := s.clock.Now()
	cut := now.Add(-s.window)
	i := 0
	for i < len(m.calls) && !m.calls[i].After(cut) {
		i++
	}
	m.calls = m.calls[i:]
	if m.inFlight >= MaxConcurrent {
		s.violations++
		return &apiError{status: 429, code: "ApplicationThrottled", msg: "Application is over its MailboxConcurrency limit.", header: map[string]string{"Retry-After": "1"}}
	}
	if len(m.calls)+parts > s.budget {
		s.violations++
		wait := m.calls[min(len(m.calls)-1, len(m.calls)+parts-s.budget-1)].Add(s.window).Sub(now)
		secs := int((wait + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return &apiError{status: 429, code: "ApplicationThrottled", msg: "Application is over its MailboxLimit.", header: map[string]string{"Retry-After": strconv.Itoa(secs)}}
	}
	for range parts {
		m.calls = append(m.calls, now)
	}
	s.requests += parts
	m.inFlight++
	if m.inFlight > s.maxInFlight {
		s.maxInFlight = m.inFlight
	}
	return nil
}

func (s *Server) release(user string) {
	s.mu.Lock()
	s.mailboxes[user].inFlight--
	s.mu.Unlock()
}

func (s *Server) userOf(key string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if strings.EqualFold(u.ID, key) || strings.EqualFold(u.UPN, key) || strings.EqualFold(u.Mail, key) {
			return u, true
		}
	}
	return User{}, false
}

// handle serves one request (plain or a $batch part) and returns status, headers and a JSON body (nil: none).
func (s *Server) handle(ti tokenInfo, method, uri string, h http.Header, body []byte) (int, map[string]string, any) {
	u, err := url.Parse(uri)
	if err != nil {
		return 400, nil, errBody("BadRequest", "bad URL")
	}
	p := u.Path
	if !strings.HasPrefix(p, "/v1.0/") {
		p = "/v1.0" + p
	}
	if p == "/v1.0/users" && method == "GET" {
		return s.listUsers(u)
	}
	if p == "/v1.0/subscriptions" && method == "POST" {
		return s.createSub(ti, body)
	}
	if strings.HasPrefix(p, "/v1.0/subscriptions/") {
		return s.subOp(method, strings.TrimPrefix(p, "/v1.0/subscriptions/"), body)
	}
	if p == "/v1.0/me" || strings.HasPrefix(p, "/v1.0/me/") {
		if ti.user == "" {
			return 400, nil, errBody("BadRequest", "/me request is only valid with delegated authentication flow.")
		}
		p = "/v1.0/users/" + ti.user + strings.TrimPrefix(p, "/v1.0/me")
	}
	m := userPath.FindStringSubmatch(p)
	if m == nil {
		return 400, nil, errBody("BadRequest", "Resource not found for the segment '"+p+"'.")
	}
	usr, ok := s.userOf(m[1])
	if !ok {
		return 404, nil, errBody("ResourceNotFound", "User not found")
	}
	if ti.user != "" && ti.user != usr.ID {
		return 403, nil, errBody("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
	}
	rest := m[2]
	if rest == "" {
		return 200, nil, userJSON(usr)
	}
	if usr.NoMailbox {
		return 404, nil, errBody("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
	}
	parts := 1
	if e := s.admit(usr.ID, parts); e != nil {
		return e.status, e.header, errBody(e.code, e.msg)
	}
	defer s.release(usr.ID)
	if s.latency > 0 {
		time.Sleep(s.latency) // service time, while the request holds its concurrency slot
	}
	return s.mailboxOp(usr.ID, method, strings.TrimPrefix(rest, "/"), u.Query(), h, body)
}

func errBody(code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg}}
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "mail": u.Mail, "userPrincipalName": u.UPN, "displayName": u.DisplayName, "proxyAddresses": u.ProxyAddresses}
}

func (s *Server) listUsers(u *url.URL) (int, map[string]string, any) {
	s.mu.Lock()
	users := append([]User(nil), s.users...)
	s.mu.Unlock()
	skip, _ := strconv.Atoi(u.Query().Get("$skiptoken"))
	top := 2
	var vals []any
	for i := skip; i < len(users) && i < skip+top; i++ {
		vals = append(vals, userJSON(users[i]))
	}
	out := map[string]any{"value": vals}
	if skip+top < len(users) {
		out["@odata.nextLink"] = s.URL + "/v1.0/users?$skiptoken=" + strconv.Itoa(skip+top)
	}
	return 200, nil, out
}

// mailboxOp serves paths under /users/{id}/.
func (s *Server) mailboxOp(user, method, rest string, q url.Values, h http.Header, body []byte) (int, map[string]string, any) {
	s.mu.Lock()
	for _, d := range s.denied {
		if strings.HasPrefix(rest, d) {
			s.mu.Unlock()
			return 403, nil, errBody("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		}
	}
	s.mu.Unlock()
	segs := strings.Split(rest, "/")
	switch {
	case rest == "mailboxSettings" && method == "GET":
		return 200, nil, map[string]any{"timeZone": "W. Europe Standard Time"}
	case rest == "calendarView/delta" && method == "GET":
		return s.delta(user, "events", q, true)
	case rest == "calendar/events" || rest == "calendar/events/delta" || strings.HasPrefix(rest, "calendar/events/"):
		return s.mailboxOp(user, method, strings.TrimPrefix(rest, "calendar/"), q, h, body)
	case rest == "todo/lists" && method == "GET":
		return s.lists(user, "todo/lists")
	case rest == "todo/lists" && method == "POST":
		return s.create(user, "todo/lists", body)
	case rest == "contactFolders" && method == "GET":
		return s.lists(user, "contactFolders")
	case rest == "contactFolders" && method == "POST":
		return s.createFolder(user, body)
	case rest == "contactFolders/delta" && method == "GET":
		return s.delta(user, "contactFolders", q, false)
	case len(segs) == 2 && segs[0] == "contactFolders":
		return s.folder(user, segs[1], method, body)
	case rest == "outlook/masterCategories" || strings.HasPrefix(rest, "outlook/masterCategories/"):
		return s.category(user, method, strings.TrimPrefix(strings.TrimPrefix(rest, "outlook/masterCategories"), "/"), body)
	}
	// Collections: events, contacts, contactFolders/{id}/contacts, todo/lists/{id}/tasks
	var coll string
	var tail []string
	switch {
	case segs[0] == "events" || segs[0] == "contacts":
		coll, tail = segs[0], segs[1:]
	case len(segs) >= 3 && segs[0] == "contactFolders" && segs[2] == "contacts":
		coll, tail = strings.Join(segs[:3], "/"), segs[3:]
	case len(segs) >= 4 && segs[0] == "todo" && segs[1] == "lists" && segs[3] == "tasks":
		coll, tail = strings.Join(segs[:4], "/"), segs[4:]
	default:
		return 400, nil, errBody("BadRequest", "Unsupported segment "+rest)
	}
	switch {
	case len(tail) == 0 && method == "POST":
		return s.create(user, coll, body)
	case len(tail) == 0 && method == "GET":
		return s.list(user, coll, q)
	case len(tail) == 1 && tail[0] == "delta" && method == "GET":
		return s.delta(user, coll, q, false)
	case len(tail) == 1:
		return s.item(user, coll, tail[0], method, h, body)
	case len(tail) == 2 && tail[1] == "instances" && method == "GET":
		return s.instances(user, coll, tail[0], q)
	}
	return 400, nil, errBody("BadRequest", "Unsupported segment "+rest)
}

func (s *Server) lists(user, path string) (int, map[string]string, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.coll(user, path)
	vals := []any{}
	for _, id := range c.order {
		if o := c.objs[id]; !o.gone {
			vals = append(vals, clone(o.data))
		}
	}
	return 200, nil, map[string]any{"value": vals}
}

var markerFilter = regexp.MustCompile(`singleValueExtendedProperties/Any\(ep: ep/id eq '([^']*)' and ep/value eq '([^']*)'\)`)

// list serves GET of a collection; it supports only the extended-property $filter the connector uses.
func (s *Server) list(user, coll string, q url.Values) (int, map[string]string, any) {
	f := q.Get("$filter")
	m := markerFilter.FindStringSubmatch(f)
	if f != "" && m == nil {
		return 400, nil, errBody("BadRequest", "Unsupported $filter")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.coll(user, coll)
	vals := []any{}
	for _, id := range c.order {
		o := c.objs[id]
		if o.gone {
			continue
		}
		if m != nil && !hasProp(o.data, m[1], m[2]) {
			continue
		}
		vals = append(vals, clone(o.data))
	}
	return 200, nil, map[string]any{"value": vals}
}

// mergeProps merges extended properties by id, as Graph does on PATCH.
func mergeProps(old, upd any) any {
	ol, _ := old.([]any)
	nl, _ := upd.([]any)
	out := append([]any(nil), ol...)
	for _, n := range nl {
		nm, _ := n.(map[string]any)
		replaced := false
		for i, o := range out {
			if om, _ := o.(map[string]any); om != nil && strings.EqualFold(fmt.Sprint(om["id"]), fmt.Sprint(nm["id"])) {
				out[i], replaced = n, true
			}
		}
		if !replaced {
			out = append(out, n)
		}
	}
	return out
}

func hasProp(d map[string]any, id, value string) bool {
	props, _ := d["singleValueExtendedProperties"].([]any)
	for _, p := range props {
		pm, _ := p.(map[string]any)
		if strings.EqualFold(fmt.Sprint(pm["id"]), id) && fmt.Sprint(pm["value"]) == value {
			return true
		}
	}
	return false
}

func (s *Server) create(user, coll string, body []byte) (int, map[string]string, any) {
	var data map[string]any
	if err := json.Unmarshal(body, &data); err != nil || data == nil {
		return 400, nil, errBody("RequestBodyRead", "Cannot read the request body: not a JSON object")
	}
	if e := validate(coll, data); e != "" {
		return 400, nil, errBody("ErrorInvalidRequest", e)
	}
	s.mu.Lock()
	tx, _ := data["transactionId"].(string)
	c := s.coll(user, coll)
	if tx != "" {
		if o := c.objs[c.byTx[tx]]; o != nil && !o.gone {
			out := clone(o.data)
			s.mu.Unlock()
			return 201, nil, out
		}
	}
	o := s.insert(user, coll, data)
	if tx != "" {
		c.byTx[tx] = o.id
	}
	out := clone(o.data)
	s.mu.Unlock()
	s.notify(user, coll, o.id, "created")
	return 201, nil, out
}

// validate checks the fields Graph requires or parses strictly.
func validate(coll string, d map[string]any) string {
	if !strings.HasSuffix(coll, "events") {
		return ""
	}
	for _, f := range []string{"start", "end"} {
		if _, ok := d[f]; !ok {
			continue
		}
		dt, _ := d[f].(map[string]any)
		if _, err := time.Parse("2006-01-02T15:04:05", strings.SplitN(fmt.Sprint(dt["dateTime"]), ".", 2)[0]); err != nil {
			return "Invalid " + f + ".dateTime"
		}
		if tz, _ := dt["timeZone"].(string); tz == "" {
			return "Missing " + f + ".timeZone"
		}
	}
	return ""
}

func etagOK(h http.Header, o *object) bool {
	im := h.Get("If-Match")
	return im == "" || im == "*" || im == o.data["@odata.etag"]
}

func (s *Server) item(user, coll, id, method string, h http.Header, body []byte) (int, map[string]string, any) {
	s.mu.Lock()
	c := s.coll(user, coll)
	o := c.objs[id]
	if o == nil {
		if m, orig, ok := s.instanceOf(c, id); ok {
			return s.instanceOp(user, coll, m, id, orig, method, h, body) // unlocks
		}
	}
	if o == nil || o.gone {
		s.mu.Unlock()
		return 404, nil, errBody("ErrorItemNotFound", "The specified object was not found in the store.")
	}
	switch method {
	case "GET":
		out := clone(o.data)
		s.mu.Unlock()
		return 200, nil, out
	case "PATCH":
		if !etagOK(h, o) {
			s.mu.Unlock()
			return 412, nil, errBody("ErrorIrresolvableConflict", "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.")
		}
		var patch map[string]any
		if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
			s.mu.Unlock()
			return 400, nil, errBody("RequestBodyRead", "Cannot read the request body")
		}
		if e := validate(coll, patch); e != "" {
			s.mu.Unlock()
			return 400, nil, errBody("ErrorInvalidRequest", e)
		}
		for _, k := range []string{"recurrence", "start", "end", "isAllDay"} {
			if _, ok := patch[k]; ok && o.exc != nil {
				o.exc = nil // Graph drops a series' exceptions when its pattern or times change
				break
			}
		}
		for k, v := range patch {
			if k == "id" || k == "changeKey" || k == "@odata.etag" {
				continue
			}
			if v == nil {
				delete(o.data, k)
				continue
			}
			if k == "singleValueExtendedProperties" {
				o.data[k] = mergeProps(o.data[k], v)
				continue
			}
			o.data[k] = v
		}
		s.touch(o)
		out := clone(o.data)
		s.mu.Unlock()
		s.notify(user, coll, id, "updated")
		return 200, nil, out
	case "DELETE":
		if !etagOK(h, o) {
			s.mu.Unlock()
			return 412, nil, errBody("ErrorIrresolvableConflict", "The change key does not match.")
		}
		s.remove(o)
		s.mu.Unlock()
		s.notify(user, coll, id, "deleted")
		return 204, nil, nil
	}
	s.mu.Unlock()
	return 405, nil, errBody("MethodNotAllowed", method)
}

// ---- delta ----

type deltaState struct {
	Seq  int64  `json:"s"`           // changes after this sequence
	Skip string `json:"k,omitempty"` // continuation: last id served at MaxSeq
	Max  int64  `json:"m"`           // snapshot upper bound of this round
	From string `json:"f,omitempty"` // calendarView window
	To   string `json:"t,omitempty"`
	Full bool   `json:"full,omitempty"`
}

func encodeState(st deltaState) string {
	b, _ := json.Marshal(st)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeState(s string) (deltaState, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var st deltaState
	if err != nil || json.Unmarshal(b, &st) != nil {
		return st, false
	}
	return st, true
}

func parseGraphTime(s string) (time.Time, error) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.0000000", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// delta serves /delta (and calendarView/delta): a full round with no token, changes since the token otherwise.
func (s *Server) delta(user, coll string, q url.Values, view bool) (int, map[string]string, any) {
	var st deltaState
	tok := q.Get("$deltatoken")
	if tok == "" {
		tok = q.Get("$skiptoken")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok != "" {
		var ok bool
		st, ok = decodeState(tok)
		if !ok {
			return 400, nil, errBody("BadRequest", "Invalid delta token")
		}
		if st.Seq < s.minSeq && !st.Full {
			return 410, nil, errBody("SyncStateNotFound", "The sync state generation is no longer valid. A full resync is needed.")
		}
		if q.Get("$deltatoken") != "" {
			st.Max = s.seq
			st.Skip = ""
		}
	} else {
		st = deltaState{Seq: 0, Max: s.seq, Full: true}
		if view {
			st.From, st.To = q.Get("startDateTime"), q.Get("endDateTime")
			if st.From == "" || st.To == "" {
				return 400, nil, errBody("ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
			}
		}
	}
	var from, to time.Time
	if st.From != "" {
		var e1, e2 error
		from, e1 = parseGraphTime(st.From)
		to, e2 = parseGraphTime(st.To)
		if e1 != nil || e2 != nil {
			return 400, nil, errBody("ErrorInvalidParameter", "bad startDateTime/endDateTime")
		}
	}
	c := s.coll(user, coll)
	// Objects changed in (Seq, Max], ordered by (seq, id), served after Skip.
	var objs []*object
	for _, id := range c.order {
		o := c.objs[id]
		if o.seq > st.Seq && o.seq <= st.Max {
			if st.Full && o.gone {
				continue
			}
			objs = append(objs, o)
		}
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].seq < objs[j].seq })
	start := 0
	if st.Skip != "" {
		for i, o := range objs {
			if o.id == st.Skip {
				start = i + 1
			}
		}
	}
	vals := []any{}
	i := start
	for ; i < len(objs) && len(vals) < s.pageSize; i++ {
		o := objs[i]
		_, series := o.data["recurrence"].(map[string]any)
		if view && series {
			// calendarView returns a series as its occurrences, never the master.
			occ := expand(o, from, to)
			for _, oc := range occ {
				if o.gone {
					vals = append(vals, map[string]any{"id": oc["id"], "@removed": map[string]any{"reason": "deleted"}})
				} else {
					vals = append(vals, oc)
				}
			}
			continue
		}
		if o.gone {
			vals = append(vals, map[string]any{"id": o.id, "@removed": map[string]any{"reason": "deleted"}})
			continue
		}
		if view && !inView(o.data, from, to) {
			if !st.Full {
				vals = append(vals, map[string]any{"id": o.id, "@removed": map[string]any{"reason": "changed"}})
			}
			continue
		}
		d := clone(o.data)
		// Delta queries expand neither extended properties nor linked resources.
		delete(d, "singleValueExtendedProperties")
		delete(d, "linkedResources")
		vals = append(vals, d)
	}
	base := s.URL + "/v1.0/users/" + user + "/" + coll + "/delta"
	if view {
		base = s.URL + "/v1.0/users/" + user + "/calendarView/delta"
	}
	out := map[string]any{"value": vals}
	if i < len(objs) {
		nx := st
		nx.Skip = objs[i-1].id
		out["@odata.nextLink"] = base + "?$skiptoken=" + encodeState(nx)
	} else {
		nx := deltaState{Seq: st.Max, Max: st.Max, From: st.From, To: st.To}
		out["@odata.deltaLink"] = base + "?$deltatoken=" + encodeState(nx)
	}
	return 200, nil, out
}

// inView reports whether a single event overlaps [from, to).
func inView(d map[string]any, from, to time.Time) bool {
	st, e1 := eventTime(d, "start")
	en, e2 := eventTime(d, "end")
	if e1 != nil || e2 != nil {
		return true
	}
	return st.Before(to) && en.After(from)
}

var rruleFreq = map[string]string{"daily": "DAILY", "weekly": "WEEKLY", "absoluteMonthly": "MONTHLY", "relativeMonthly": "MONTHLY",
	"absoluteYearly": "YEARLY", "relativeYearly": "YEARLY"}
var rruleIndex = map[string]string{"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "-1"}

// expand returns a series' instances in [from, to) by original start: occurrences, exceptions in their place,
// cancelled ones left out.
func expand(o *object, from, to time.Time) []map[string]any {
	var out []map[string]any
	for _, x := range occurrences(o.data, from, to) {
		id := fmt.Sprint(x["id"])
		if e, ok := o.exc[id]; ok {
			if e != nil {
				out = append(out, clone(e))
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// instanceOf finds the series master and original start of an occurrence id (<master id>_<original start>).
func (s *Server) instanceOf(c *collection, id string) (*object, time.Time, bool) {
	i := strings.LastIndexByte(id, '_')
	if i < 0 {
		return nil, time.Time{}, false
	}
	m := c.objs[id[:i]]
	orig, err := time.Parse("20060102T150405Z", id[i+1:])
	if m == nil || m.gone || err != nil {
		return nil, time.Time{}, false
	}
	if _, ok := m.data["recurrence"].(map[string]any); !ok {
		return nil, time.Time{}, false
	}
	for _, x := range occurrences(m.data, orig, orig.Add(time.Second)) {
		if x["id"] == id {
			return m, orig, true
		}
	}
	return nil, time.Time{}, false
}

// instanceOp serves GET, PATCH (makes an exception) and DELETE (cancels) of one occurrence. It is called with
// s.mu held and unlocks it.
func (s *Server) instanceOp(user, coll string, m *object, id string, orig time.Time, method string, h http.Header, body []byte) (int, map[string]string, any) {
	var cur map[string]any
	if e, ok := m.exc[id]; ok {
		if e == nil {
			s.mu.Unlock()
			return 404, nil, errBody("ErrorItemNotFound", "The occurrence was cancelled.")
		}
		cur = e
	} else {
		cur = occurrences(m.data, orig, orig.Add(time.Second))[0]
	}
	if m.exc == nil {
		m.exc = map[string]map[string]any{}
	}
	switch method {
	case "GET":
		out := clone(cur)
		s.mu.Unlock()
		return 200, nil, out
	case "DELETE":
		m.exc[id] = nil
		s.touch(m)
		s.mu.Unlock()
		s.notify(user, coll, m.id, "updated")
		return 204, nil, nil
	case "PATCH":
		var patch map[string]any
		if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
			s.mu.Unlock()
			return 400, nil, errBody("RequestBodyRead", "Cannot read the request body")
		}
		if e := validate(coll, patch); e != "" {
			s.mu.Unlock()
			return 400, nil, errBody("ErrorInvalidRequest", e)
		}
		x := clone(cur)
		for k, v := range patch {
			if k == "id" || k == "recurrence" || k == "seriesMasterId" || k == "type" || k == "originalStart" {
				continue
			}
			x[k] = v
		}
		x["type"] = "exception"
		s.seq++
		x["changeKey"] = fmt.Sprintf("ck%d", s.seq)
		x["@odata.etag"] = `W/"` + fmt.Sprint(x["changeKey"]) + `"`
		m.exc[id] = x
		s.touch(m)
		out := clone(x)
		s.mu.Unlock()
		s.notify(user, coll, m.id, "updated")
		return 200, nil, out
	}
	s.mu.Unlock()
	return 405, nil, errBody("MethodNotAllowed", method)
}

// instances serves GET /events/{id}/instances?startDateTime&endDateTime.
func (s *Server) instances(user, coll, id string, q url.Values) (int, map[string]string, any) {
	from, e1 := parseGraphTime(q.Get("startDateTime"))
	to, e2 := parseGraphTime(q.Get("endDateTime"))
	if e1 != nil || e2 != nil {
		return 400, nil, errBody("ErrorInvalidParameter", "This request requires startDateTime and endDateTime.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.coll(user, coll).objs[id]
	if o == nil || o.gone {
		return 404, nil, errBody("ErrorItemNotFound", "The specified object was not found in the store.")
	}
	vals := []any{}
	for _, x := range expand(o, from, to) {
		vals = append(vals, x)
	}
	return 200, nil, map[string]any{"value": vals}
}

// occurrences expands a series master into its occurrence objects within [from, to), as calendarView does:
// type occurrence, seriesMasterId, start and end in UTC, no recurrence. A pattern it cannot read expands to
// nothing.
func occurrences(d map[string]any, from, to time.Time) []map[string]any {
	rec, _ := d["recurrence"].(map[string]any)
	pat, _ := rec["pattern"].(map[string]any)
	rng, _ := rec["range"].(map[string]any)
	st, e1 := eventTime(d, "start")
	en, e2 := eventTime(d, "end")
	typ, _ := pat["type"].(string)
	freq := rruleFreq[typ]
	if e1 != nil || e2 != nil || freq == "" {
		return nil
	}
	parts := []string{"FREQ=" + freq}
	if n, ok := pat["interval"].(float64); ok && n > 1 {
		parts = append(parts, fmt.Sprintf("INTERVAL=%d", int(n)))
	}
	var days []string
	idx := rruleIndex[fmt.Sprint(pat["index"])]
	if !strings.HasPrefix(typ, "relative") {
		idx = ""
	}
	if ds, ok := pat["daysOfWeek"].([]any); ok {
		for _, x := range ds {
			ds := strings.ToUpper(fmt.Sprint(x))
			if len(ds) >= 2 {
				days = append(days, idx+ds[:2])
			}
		}
	}
	switch typ {
	case "weekly", "relativeMonthly", "relativeYearly":
		if len(days) > 0 {
			parts = append(parts, "BYDAY="+strings.Join(days, ","))
		}
	}
	if strings.HasSuffix(typ, "Yearly") {
		parts = append(parts, fmt.Sprintf("BYMONTH=%v", pat["month"]))
	}
	if strings.HasPrefix(typ, "absolute") {
		parts = append(parts, fmt.Sprintf("BYMONTHDAY=%v", pat["dayOfMonth"]))
	}
	if typ == "weekly" {
		if w := strings.ToUpper(fmt.Sprint(pat["firstDayOfWeek"])); len(w) >= 2 {
			parts = append(parts, "WKST="+w[:2])
		}
	}
	start, _ := d["start"].(map[string]any)
	loc, err := loadZone(fmt.Sprint(start["timeZone"]))
	if err != nil {
		loc = time.UTC
	}
	allDay, _ := d["isAllDay"].(bool)
	switch rng["type"] {
	case "numbered":
		parts = append(parts, fmt.Sprintf("COUNT=%v", rng["numberOfOccurrences"]))
	case "endDate":
		ed, err := time.ParseInLocation("2006-01-02", fmt.Sprint(rng["endDate"]), loc)
		if err != nil {
			return nil
		}
		parts = append(parts, "UNTIL="+ed.Add(24*time.Hour-time.Second).UTC().Format("20060102T150405Z"))
	}
	rule, err := engine.ParseRRule(strings.Join(parts, ";"))
	if err != nil {
		return nil
	}
	a := &engine.Appointment{Start: st.UTC(), End: en.UTC(), AllDay: allDay, Recurrence: &rule}
	if loc != time.UTC {
		a.TimeZone = loc.String()
	}
	if allDay {
		a.Start = time.Date(st.Year(), st.Month(), st.Day(), 0, 0, 0, 0, time.UTC)
		a.End = time.Date(en.Year(), en.Month(), en.Day(), 0, 0, 0, 0, time.UTC)
	}
	var out []map[string]any
	for _, oc := range engine.Occurrences(a, from, to) {
		x := clone(d)
		delete(x, "recurrence")
		delete(x, "singleValueExtendedProperties")
		x["id"] = fmt.Sprint(d["id"], "_", oc.OriginalStart.UTC().Format("20060102T150405Z"))
		x["type"], x["seriesMasterId"] = "occurrence", d["id"]
		x["originalStart"] = oc.OriginalStart.UTC().Format(time.RFC3339)
		x["start"] = map[string]any{"dateTime": oc.Start.UTC().Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}
		x["end"] = map[string]any{"dateTime": oc.End.UTC().Format("2006-01-02T15:04:05.0000000"), "timeZone": "UTC"}
		out = append(out, x)
	}
	return out
}

func eventTime(d map[string]any, f string) (time.Time, error) {
	dt, _ := d[f].(map[string]any)
	t, err := parseGraphTime(fmt.Sprint(dt["dateTime"]))
	if err != nil {
		return t, err
	}
	tz, _ := dt["timeZone"].(string)
	if loc, err := loadZone(tz); err == nil {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	}
	return t, nil
}

// ---- $batch ----

type batchReq struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func (s *Server) batch(w http.ResponseWriter, r *http.Request, ti tokenInfo) {
	var in struct {
		Requests []batchReq `json:"requests"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&in); err != nil {
		writeErr(w, &apiError{status: 400, code: "BadRequest", msg: "Invalid batch payload"})
		return
	}
	if len(in.Requests) == 0 || len(in.Requests) > MaxBatch {
		writeErr(w, &apiError{status: 400, code: "BadRequest", msg: "The number of requests in a batch must be 1 to 20."})
		return
	}
	// Each part counts against its mailbox; the batch holds one concurrency slot per mailbox while it runs.
	perUser := map[string]int{}
	for _, q := range in.Requests {
		if m := userPath.FindStringSubmatch("/v1.0" + strings.SplitN(q.URL, "?", 2)[0]); m != nil {
			if u, ok := s.userOf(m[1]); ok && !u.NoMailbox && m[2] != "" {
				perUser[u.ID]++
			}
		}
	}
	throttled := map[string]*apiError{}
	for u, n := range perUser {
		if e := s.admit(u, n); e != nil {
			throttled[u] = e
		} else {
			defer s.release(u)
		}
	}
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	var resps []any
	for _, q := range in.Requests {
		var status int
		var hdr map[string]string
		var out any
		if m := userPath.FindStringSubmatch("/v1.0" + strings.SplitN(q.URL, "?", 2)[0]); m != nil {
			if u, ok := s.userOf(m[1]); ok && throttled[u.ID] != nil {
				e := throttled[u.ID]
				status, hdr, out = e.status, e.header, errBody(e.code, e.msg)
			}
		}
		if status == 0 {
			h := http.Header{}
			for k, v := range q.Headers {
				h.Set(k, v)
			}
			status, hdr, out = s.handleUnmetered(ti, q.Method, q.URL, h, q.Body)
		}
		resp := map[string]any{"id": q.ID, "status": status, "headers": hdr}
		if out != nil {
			resp["body"] = out
		}
		resps = append(resps, resp)
	}
	writeJSON(w, 200, map[string]any{"responses": resps})
}

// handleUnmetered serves a batch part (already charged).
func (s *Server) handleUnmetered(ti tokenInfo, method, uri string, h http.Header, body []byte) (int, map[string]string, any) {
	p := "/v1.0" + strings.SplitN(uri, "?", 2)[0]
	m := userPath.FindStringSubmatch(p)
	if m == nil || m[2] == "" {
		return s.handle(ti, method, uri, h, body)
	}
	usr, ok := s.userOf(m[1])
	if !ok {
		return 404, nil, errBody("ResourceNotFound", "User not found")
	}
	if usr.NoMailbox {
		return 404, nil, errBody("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
	}
	u, _ := url.Parse(uri)
	return s.mailboxOp(usr.ID, method, strings.TrimPrefix(m[2], "/"), u.Query(), h, body)
}

// ---- subscriptions ----

func (s *Server) createSub(ti tokenInfo, body []byte) (int, map[string]string, any) {
	var in struct {
		ChangeType         string    `json:"changeType"`
		NotificationURL    string    `json:"notificationUrl"`
		LifecycleURL       string    `json:"lifecycleNotificationUrl"`
		Resource           string    `json:"resource"`
		ExpirationDateTime time.Time `json:"expirationDateTime"`
		ClientState        string    `json:"clientState"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 400, nil, errBody("BadRequest", "Invalid subscription: "+err.Error())
	}
	now := s.clock.Now()
	if in.ExpirationDateTime.Before(now) || in.ExpirationDateTime.After(now.Add(10080*time.Minute)) {
		return 400, nil, errBody("ExtensionError", "Subscription expiration can only be 10070 minutes in the future.")
	}
	if len(in.ClientState) > 128 {
		return 400, nil, errBody("BadRequest", "clientState is longer than 128 characters")
	}
	res := strings.TrimPrefix(strings.TrimPrefix(in.Resource, "/"), "me/")
	parts := strings.SplitN(res, "/", 3)
	if len(parts) < 3 || !strings.EqualFold(parts[0], "users") {
		return 400, nil, errBody("InvalidRequest", "Unsupported resource "+in.Resource)
	}
	usr, ok := s.userOf(parts[1])
	if !ok {
		return 404, nil, errBody("ResourceNotFound", "User not found")
	}
	// Validation handshake: POST notificationUrl?validationToken=... must echo the token as text/plain in 10 s.
	vt := fmt.Sprintf("Validation: Testing client application reachability for subscription Request-Id: %d", now.UnixNano())
	resp, err := s.hc.Post(in.NotificationURL+sep(in.NotificationURL)+"validationToken="+url.QueryEscape(vt), "text/plain", nil)
	if err != nil {
		return 400, nil, errBody("InvalidRequest", "Subscription validation request failed: "+err.Error())
	}
	got, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(got) != vt || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		return 400, nil, errBody("InvalidRequest", fmt.Sprintf("Subscription validation request failed. Response must exactly match validationToken query parameter (status %d).", resp.StatusCode))
	}
	s.mu.Lock()
	s.nextID++
	sub := &subscription{ID: fmt.Sprintf("sub-%d", s.nextID), Resource: in.Resource, NotificationURL: in.NotificationURL, ClientState: in.ClientState,
		ChangeType: in.ChangeType, Expiration: in.ExpirationDateTime, user: usr.ID, coll: strings.ToLower(parts[2])}
	if sub.coll == "calendarview" {
		sub.coll = "events"
	}
	s.subs[sub.ID] = sub
	s.mu.Unlock()
	return 201, nil, subJSON(sub)
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

func subJSON(sub *subscription) map[string]any {
	return map[string]any{"id": sub.ID, "resource": sub.Resource, "changeType": sub.ChangeType, "notificationUrl": sub.NotificationURL,
		"expirationDateTime": sub.Expiration.UTC().Format(time.RFC3339), "clientState": nil}
}

func (s *Server) subOp(method, id string, body []byte) (int, map[string]string, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.subs[id]
	if sub == nil {
		return 404, nil, errBody("ResourceNotFound", "The object was not found.")
	}
	switch method {
	case "PATCH":
		var in struct {
			ExpirationDateTime time.Time `json:"expirationDateTime"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.ExpirationDateTime.Before(s.clock.Now()) {
			return 400, nil, errBody("BadRequest", "expirationDateTime")
		}
		sub.Expiration = in.ExpirationDateTime
		return 200, nil, subJSON(sub)
	case "DELETE":
		delete(s.subs, id)
		return 204, nil, nil
	case "GET":
		return 200, nil, subJSON(sub)
	}
	return 405, nil, errBody("MethodNotAllowed", method)
}

// ---- OAuth ----

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, map[string]any{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	oauthErr := func(code, desc string) {
		writeJSON(w, 400, map[string]any{"error": code, "error_description": desc})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := f.Get("client_id")
	secret, ok := s.clients[id]
	cert := s.certs[id]
	switch {
	case !ok && cert == nil:
		oauthErr("unauthorized_client", "AADSTS700016: Application with identifier '"+id+"' was not found in the directory.")
		return
	case f.Get("client_assertion") != "":
		if cert == nil || f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			oauthErr("invalid_client", "AADSTS700027: Client assertion contains an invalid signature.")
			return
		}
		if msg := verifyAssertion(f.Get("client_assertion"), cert, id, "http://"+r.Host+r.URL.Path, s.clock.Now()); msg != "" {
			oauthErr("invalid_client", msg)
			return
		}
	case !ok || f.Get("client_secret") != secret:
		oauthErr("invalid_client", "AADSTS7000215: Invalid client secret provided.")
		return
	}
	now := s.clock.Now()
	issue := func(user string, withRefresh bool) {
		s.nextID++
		at := fmt.Sprintf("at-%d", s.nextID)
		s.access[at] = tokenInfo{user: user, expires: now.Add(time.Hour)}
		out := map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": at}
		if withRefresh {
			rt := fmt.Sprintf("rt-%d", s.nextID)
			s.refresh[rt] = user
			out["refresh_token"] = rt
		}
		writeJSON(w, 200, out)
	}
	switch f.Get("grant_type") {
	case "client_credentials":
		issue("", false)
	case "authorization_code":
		g, ok := s.codes[f.Get("code")]
		if !ok {
			oauthErr("invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.")
			return
		}
		delete(s.codes, f.Get("code"))
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			oauthErr("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.")
			return
		}
		if g.redirect != f.Get("redirect_uri") {
			oauthErr("invalid_grant", "AADSTS50011: The redirect URI does not match.")
			return
		}
		issue(g.user, true)
	case "refresh_token":
		user, ok := s.refresh[f.Get("refresh_token")]
		if !ok {
			oauthErr("invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.")
			return
		}
		delete(s.refresh, f.Get("refresh_token")) // rotation: the old refresh token is spent
		issue(user, true)
	default:
		oauthErr("unsupported_grant_type", "AADSTS70003: unsupported grant type")
	}
}

// verifyAssertion checks a client assertion JWT: RS256 signed by cert's key, x5t its thumbprint, issued by and
// for the client, for this token endpoint, valid now. It returns an AADSTS message, or "" when valid.
func verifyAssertion(jwt string, cert *x509.Certificate, clientID, aud string, now time.Time) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "AADSTS50027: JWT token is invalid or malformed."
	}
	enc := base64.RawURLEncoding
	var hdr struct{ Alg, X5t string }
	var cl struct {
		Aud, Iss, Sub string
		Nbf, Exp      int64
	}
	hb, e1 := enc.DecodeString(parts[0])
	cb, e2 := enc.DecodeString(parts[1])
	sig, e3 := enc.DecodeString(parts[2])
	if e1 != nil || e2 != nil || e3 != nil || json.Unmarshal(hb, &hdr) != nil || json.Unmarshal(cb, &cl) != nil {
		return "AADSTS50027: JWT token is invalid or malformed."
	}
	thumb := sha1.Sum(cert.Raw) //nolint:gosec // G401: a thumbprint naming the certificate, not a signature.
	if hdr.Alg != "RS256" || hdr.X5t != enc.EncodeToString(thumb[:]) {
		return "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ok || rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return "AADSTS700027: Client assertion contains an invalid signature."
	}
	if cl.Iss != clientID || cl.Sub != clientID || cl.Aud != aud {
		return "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter or the audience is wrong."
	}
	if now.Unix() < cl.Nbf || now.Unix() >= cl.Exp {
		return "AADSTS700024: Client assertion is not within its valid time range."
	}
	return ""
}

// loadZone resolves an IANA or Windows zone name as Graph does.
func loadZone(name string) (*time.Location, error) {
	if iana, ok := engine.IANAFromWindows(name, ""); ok {
		name = iana
	}
	return engine.LoadZone(name)
}

// ---- contact folders ----

// folderNamed returns the live contact folder of user named name (case-insensitive), other than except.
func (s *Server) folderNamed(user, name, except string) *object {
	c := s.coll(user, "contactFolders")
	for _, id := range c.order {
		o := c.objs[id]
		if !o.gone && id != except && strings.EqualFold(fmt.Sprint(o.data["displayName"]), name) {
			return o
		}
	}
	return nil
}

// createFolder serves POST contactFolders: a displayName is required and unique among the user's folders, as in
// Exchange (409 ErrorFolderExists).
func (s *Server) createFolder(user string, body []byte) (int, map[string]string, any) {
	var data map[string]any
	if err := json.Unmarshal(body, &data); err != nil || data == nil {
		return 400, nil, errBody("RequestBodyRead", "Cannot read the request body: not a JSON object")
	}
	name, _ := data["displayName"].(string)
	if strings.TrimSpace(name) == "" {
		return 400, nil, errBody("ErrorInvalidRequest", "The folder name is missing.")
	}
	s.mu.Lock()
	if s.folderNamed(user, name, "") != nil {
		s.mu.Unlock()
		return 409, nil, errBody("ErrorFolderExists", "A folder with the specified name already exists.")
	}
	data["parentFolderId"] = "contacts-root"
	o := s.insert(user, "contactFolders", data)
	out := clone(o.data)
	s.mu.Unlock()
	return 201, nil, out
}

// folder serves GET, PATCH (rename) and DELETE of contactFolders/{id}. Deleting a folder deletes the contacts
// in it.
func (s *Server) folder(user, id, method string, body []byte) (int, map[string]string, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.coll(user, "contactFolders")
	o := c.objs[id]
	if o == nil || o.gone {
		return 404, nil, errBody("ErrorItemNotFound", "The specified object was not found in the store.")
	}
	switch method {
	case "GET":
		return 200, nil, clone(o.data)
	case "PATCH":
		var patch map[string]any
		if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
			return 400, nil, errBody("RequestBodyRead", "Cannot read the request body")
		}
		if v, ok := patch["displayName"]; ok {
			name, _ := v.(string)
			if strings.TrimSpace(name) == "" {
				return 400, nil, errBody("ErrorInvalidRequest", "The folder name is missing.")
			}
			if s.folderNamed(user, name, id) != nil {
				return 409, nil, errBody("ErrorFolderExists", "A folder with the specified name already exists.")
			}
			o.data["displayName"] = name
		}
		if v, ok := patch["singleValueExtendedProperties"]; ok {
			o.data["singleValueExtendedProperties"] = mergeProps(o.data["singleValueExtendedProperties"], v)
		}
		s.touch(o)
		return 200, nil, clone(o.data)
	case "DELETE":
		s.remove(o)
		cc := s.coll(user, "contactFolders/"+id+"/contacts")
		for _, cid := range cc.order {
			if co := cc.objs[cid]; !co.gone {
				s.remove(co)
			}
		}
		return 204, nil, nil
	}
	return 405, nil, errBody("MethodNotAllowed", method)
}

// Folders returns the live contact folders of user by display name (id → name).
func (s *Server) Folders(user string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	c := s.coll(user, "contactFolders")
	for _, id := range c.order {
		if o := c.objs[id]; !o.gone {
			out[id] = fmt.Sprint(o.data["displayName"])
		}
	}
	return out
}

// ---- master categories ----

// categoryColor reports whether c is a colour Graph accepts for an outlookCategory.
func categoryColor(c string) bool {
	if c == "none" || c == "None" {
		return true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(c, "preset"))
	return strings.HasPrefix(c, "preset") && err == nil && n >= 0 && n <= 24
}

// Category is one entry of a user's master category list.
type Category struct {
	ID, DisplayName, Color string
}

func (c Category) json() map[string]any {
	return map[string]any{"id": c.ID, "displayName": c.DisplayName, "color": c.Color}
}

// category serves outlook/masterCategories: list, create (displayName unique, 409 otherwise), get, PATCH (the
// colour only: a category's name cannot be changed once created) and delete.
func (s *Server) category(user, method, id string, body []byte) (int, map[string]string, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.categories == nil {
		s.categories = map[string][]Category{}
	}
	cats := s.categories[user]
	find := func() int {
		for i, c := range cats {
			if c.ID == id {
				return i
			}
		}
		return -1
	}
	var in struct {
		DisplayName *string `json:"displayName"`
		Color       *string `json:"color"`
	}
	if method == "POST" || method == "PATCH" {
		if err := json.Unmarshal(body, &in); err != nil {
			return 400, nil, errBody("RequestBodyRead", "Cannot read the request body")
		}
		if in.Color != nil && !categoryColor(*in.Color) {
			return 400, nil, errBody("ErrorInvalidRequest", "Invalid color "+*in.Color)
		}
	}
	switch {
	case id == "" && method == "GET":
		vals := []any{}
		for _, c := range cats {
			vals = append(vals, c.json())
		}
		return 200, nil, map[string]any{"value": vals}
	case id == "" && method == "POST":
		if in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "" {
			return 400, nil, errBody("ErrorInvalidRequest", "displayName is required")
		}
		for _, c := range cats {
			if strings.EqualFold(c.DisplayName, *in.DisplayName) {
				return 409, nil, errBody("ErrorDuplicateCategory", "A category with the same name already exists.")
			}
		}
		s.nextID++
		c := Category{ID: fmt.Sprintf("%08d-cafe-4bad-8000-000000000000", s.nextID), DisplayName: *in.DisplayName, Color: "none"}
		if in.Color != nil {
			c.Color = *in.Color
		}
		s.categories[user] = append(cats, c)
		return 201, nil, c.json()
	case id != "" && strings.Contains(id, "/"):
		return 400, nil, errBody("BadRequest", "Unsupported segment "+id)
	}
	i := find()
	if i < 0 {
		return 404, nil, errBody("ErrorItemNotFound", "The specified object was not found in the store.")
	}
	switch method {
	case "GET":
		return 200, nil, cats[i].json()
	case "PATCH":
		if in.DisplayName != nil && *in.DisplayName != cats[i].DisplayName {
			return 400, nil, errBody("ErrorInvalidRequest", "The displayName of a category cannot be changed.")
		}
		if in.Color != nil {
			cats[i].Color = *in.Color
		}
		return 200, nil, cats[i].json()
	case "DELETE":
		s.categories[user] = append(cats[:i:i], cats[i+1:]...)
		return 204, nil, nil
	}
	return 405, nil, errBody("MethodNotAllowed", method)
}

// Categories returns user's master category list.
func (s *Server) Categories(user string) []Category {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Category(nil), s.categories[user]...)
}

// AddCategory adds a category to user's master list, as the user would in Outlook.
func (s *Server) AddCategory(user, name, color string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.categories == nil {
		s.categories = map[string][]Category{}
	}
	s.nextID++
	id := fmt.Sprintf("%08d-cafe-4bad-8000-000000000000", s.nextID)
	s.categories[user] = append(s.categories[user], Category{ID: id, DisplayName: name, Color: color})
	return id
}
