package msgraphtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func token(t *testing.T, srv *msgraphtest.Server) string {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/"+srv.Tenant+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"app"}, "client_secret": {"s"}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return tr.AccessToken
}

func get(t *testing.T, srv *msgraphtest.Server, tok, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestBudgetRetryAfter: the request over the mailbox budget is answered 429 with the seconds until the oldest
// counted request leaves the window, is recorded as a violation, and is not counted itself.
func TestBudgetRetryAfter(t *testing.T) {
	clk := &stepClock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	srv := msgraphtest.New(msgraphtest.Options{Clock: clk, Budget: 3, Window: time.Minute})
	defer srv.Close()
	srv.AddClient("app", "s")
	srv.AddUser(msgraphtest.User{ID: "u1", Mail: "u1@contoso.com"})
	tok := token(t, srv)
	for i := range 3 {
		if r := get(t, srv, tok, "/v1.0/users/u1/events"); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i, r.StatusCode)
		}
		clk.add(10 * time.Second)
	}
	// Now 30 s after the first request: it leaves the window in 30 s.
	r := get(t, srv, tok, "/v1.0/users/u1/events")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "30" {
		t.Fatalf("over budget: %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if srv.Violations() != 1 || srv.Requests() != 3 {
		t.Fatalf("violations %d requests %d", srv.Violations(), srv.Requests())
	}
	clk.add(30 * time.Second)
	if r := get(t, srv, tok, "/v1.0/users/u1/events"); r.StatusCode != http.StatusOK {
		t.Fatalf("after the window moved: %d", r.StatusCode)
	}
	// Tokens expire after an hour of the fake's clock.
	clk.add(time.Hour)
	if r := get(t, srv, tok, "/v1.0/users/u1/events"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired token: %d", r.StatusCode)
	}
}

// TestDeltaPagingAndExpiry: a delta round pages with nextLink and ends with a deltaLink; a new item shows up in
// the next round; expired tokens answer 410.
func TestDeltaPagingAndExpiry(t *testing.T) {
	srv := msgraphtest.New(msgraphtest.Options{PageSize: 2})
	defer srv.Close()
	srv.AddClient("app", "s")
	srv.AddUser(msgraphtest.User{ID: "u1", Mail: "u1@contoso.com"})
	for range 5 {
		srv.Insert("u1", "contacts", map[string]any{"givenName": "x"})
	}
	tok := token(t, srv)
	read := func(u string) (n int, next, delta string, status int) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p struct {
			Value []json.RawMessage `json:"value"`
			Next  string            `json:"@odata.nextLink"`
			Delta string            `json:"@odata.deltaLink"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return len(p.Value), p.Next, p.Delta, resp.StatusCode
	}
	u, total, pages := srv.URL+"/v1.0/users/u1/contacts/delta", 0, 0
	var delta string
	for u != "" {
		n, next, d, st := read(u)
		if st != 200 {
			t.Fatalf("page: %d", st)
		}
		total, pages, u, delta = total+n, pages+1, next, d
	}
	if total != 5 || pages != 3 || !strings.Contains(delta, "$deltatoken=") {
		t.Fatalf("round: %d items in %d pages, deltaLink %q", total, pages, delta)
	}
	srv.Insert("u1", "contacts", map[string]any{"givenName": "new"})
	if n, _, d, st := read(delta); st != 200 || n != 1 || d == "" {
		t.Fatalf("incremental: %d %d %q", st, n, d)
	}
	srv.ExpireDeltaTokens()
	if _, _, _, st := read(delta); st != 410 {
		t.Fatalf("expired token: %d", st)
	}
}

// call sends one request with a JSON body and returns the status and decoded answer.
func call(t *testing.T, srv *msgraphtest.Server, tok, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestContactFoldersAndCategories exercises the contact folder and master category endpoints as Graph serves
// them: unique folder names (409), rename, delete with the folder's contacts, contactFolders/delta with
// tombstones; categories with unique names (409), colours from preset0..preset24, a name that cannot change.
func TestContactFoldersAndCategories(t *testing.T) {
	srv := msgraphtest.New(msgraphtest.Options{})
	defer srv.Close()
	srv.AddClient("app", "s")
	srv.AddUser(msgraphtest.User{ID: "u1", Mail: "a@x.com", UPN: "a@x.com"})
	tok := token(t, srv)
	base := "/v1.0/users/u1"
	st, f := call(t, srv, tok, "POST", base+"/contactFolders", map[string]any{"displayName": "Partners"})
	if st != 201 || f["id"] == "" {
		t.Fatalf("create folder: %d %v", st, f)
	}
	id := f["id"].(string)
	if st, _ := call(t, srv, tok, "POST", base+"/contactFolders", map[string]any{"displayName": "partners"}); st != 409 {
		t.Fatalf("a second folder of the same name: %d, want 409", st)
	}
	if st, _ := call(t, srv, tok, "POST", base+"/contactFolders/"+id+"/contacts", map[string]any{"givenName": "Ada"}); st != 201 {
		t.Fatalf("contact in folder: %d", st)
	}
	_, d := call(t, srv, tok, "GET", base+"/contactFolders/delta", nil)
	link, _ := d["@odata.deltaLink"].(string)
	if vals, _ := d["value"].([]any); len(vals) != 1 || link == "" {
		t.Fatalf("full folder delta: %v", d)
	}
	if st, r := call(t, srv, tok, "PATCH", base+"/contactFolders/"+id, map[string]any{"displayName": "Key partners"}); st != 200 || r["displayName"] != "Key partners" {
		t.Fatalf("rename: %d %v", st, r)
	}
	_, d = call(t, srv, tok, "GET", strings.TrimPrefix(link, srv.URL), nil)
	if vals, _ := d["value"].([]any); len(vals) != 1 || vals[0].(map[string]any)["displayName"] != "Key partners" {
		t.Fatalf("delta after the rename: %v", d)
	}
	link, _ = d["@odata.deltaLink"].(string)
	if st, _ := call(t, srv, tok, "DELETE", base+"/contactFolders/"+id, nil); st != 204 {
		t.Fatalf("delete folder: %d", st)
	}
	if n := len(srv.Objects("u1", "contactFolders/"+id+"/contacts")); n != 0 {
		t.Fatalf("%d contacts left in a deleted folder", n)
	}
	_, d = call(t, srv, tok, "GET", strings.TrimPrefix(link, srv.URL), nil)
	if vals, _ := d["value"].([]any); len(vals) != 1 || vals[0].(map[string]any)["@removed"] == nil {
		t.Fatalf("delta after the delete: %v", d)
	}
	if st, _ := call(t, srv, tok, "GET", base+"/contactFolders/"+id, nil); st != 404 {
		t.Fatalf("GET of a deleted folder: %d", st)
	}

	cats := base + "/outlook/masterCategories"
	st, c := call(t, srv, tok, "POST", cats, map[string]any{"displayName": "CRM: VIP", "color": "preset7"})
	if st != 201 || c["color"] != "preset7" {
		t.Fatalf("create category: %d %v", st, c)
	}
	cid := c["id"].(string)
	for _, tc := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"POST", cats, map[string]any{"displayName": "crm: vip"}, 409},
		{"POST", cats, map[string]any{"displayName": "Other", "color": "preset25"}, 400},
		{"POST", cats, map[string]any{"color": "preset1"}, 400},
		{"PATCH", cats + "/" + cid, map[string]any{"displayName": "CRM: VIPs"}, 400},
		{"PATCH", cats + "/" + cid, map[string]any{"color": "preset2"}, 200},
		{"GET", cats + "/nope", nil, 404},
	} {
		if st, body := call(t, srv, tok, tc.method, tc.path, tc.body); st != tc.want {
			t.Fatalf("%s %s %v: %d %v, want %d", tc.method, tc.path, tc.body, st, body, tc.want)
		}
	}
	if got := srv.Categories("u1"); len(got) != 1 || got[0].Color != "preset2" {
		t.Fatalf("categories %+v", got)
	}
	if st, _ := call(t, srv, tok, "DELETE", cats+"/"+cid, nil); st != 204 {
		t.Fatalf("delete category: %d", st)
	}
	if got := srv.Categories("u1"); len(got) != 0 {
		t.Fatalf("categories after the delete %+v", got)
	}
}
