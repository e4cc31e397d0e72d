package graph_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/graph"
)

func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	cases := []struct {
		name, contentType, accept, body string
		status                          int
		code, mention                   string
	}{
		{"malformed JSON", "application/json", "", `{"query": `, 400, "BAD_REQUEST", "not valid JSON"},
		{"JSON array", "application/json", "", `["query"]`, 400, "BAD_REQUEST", "JSON object"},
		{"empty body", "application/json", "", ``, 400, "BAD_REQUEST", "empty"},
		{"query not a string", "application/json", "", `{"query": 1}`, 400, "BAD_REQUEST", "query"},
		{"missing query", "application/json", "", `{"variables": {}}`, 400, "BAD_REQUEST", "query"},
		{"variables not an object", "application/json", "", `{"query": "{ version { version } }", "variables": "x"}`, 400, "BAD_REQUEST", "variables"},
		{"wrong content type", "text/plain", "", `{"query": "{ version { version } }"}`, 415, "BAD_REQUEST", "Content-Type"},
		{"missing content type", "", "", `{"query": "{ version { version } }"}`, 415, "BAD_REQUEST", "Content-Type"},
		{"form content type", "application/x-www-form-urlencoded", "", `query=x`, 415, "BAD_REQUEST", "application/json"},
		{"utf-16 charset", "application/json; charset=utf-16", "", `{"query": "{ version { version } }"}`, 415, "BAD_REQUEST", "charset"},
		{"parse failure (json)", "application/json", "application/json", `{"query": "{ version { "}`, 200, "GRAPHQL_PARSE_FAILED", ""},
		{"parse failure (graphql-response)", "application/json", "application/graphql-response+json", `{"query": "{ version { "}`, 400, "GRAPHQL_PARSE_FAILED", ""},
		{"validation failure", "application/json", "application/graphql-response+json", `{"query": "{ nope }"}`, 400, "GRAPHQL_VALIDATION_FAILED", "nope"},
		{"variable coercion", "application/json", "application/json", `{"query": "query($n: Int) { auditLog(first: $n) { edges { cursor } } }", "variables": {"n": "x"}}`, 200, "GRAPHQL_VALIDATION_FAILED", ""},
	}
	for _, tc := range cases {
		r := c.raw(tc.contentType, tc.accept, tc.body)
		if r.Status != tc.status || r.code() != tc.code || !strings.Contains(r.message(), tc.mention) {
			t.Errorf("%s: got %d %s, want %d %s mentioning %q", tc.name, r.Status, r.Raw, tc.status, tc.code, tc.mention)
		}
		if strings.Contains(r.Raw, `"data"`) {
			t.Errorf("%s: a request error must have no data entry: %s", tc.name, r.Raw)
		}
	}
}

func TestContentNegotiation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	for accept, want := range map[string]string{
		"":                                  "application/json",
		"*/*":                               "application/json",
		"application/json":                  "application/json",
		"application/graphql-response+json": "application/graphql-response+json",
		"application/graphql-response+json, application/json;q=0.9": "application/graphql-response+json",
	} {
		r := c.raw("application/json", accept, `{"query": "{ version { version } }"}`).must(t)
		if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, want) || !strings.Contains(got, "utf-8") {
			t.Errorf("Accept %q → Content-Type %q, want %s; charset=utf-8", accept, got, want)
		}
	}
}

func TestMethods(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?query="+urlEscape(`mutation { logout }`), nil)
	if r := c.do(req); r.Status != http.StatusMethodNotAllowed || !strings.Contains(r.message(), "POST") {
		t.Fatalf("GET mutation: %d %s", r.Status, r.Raw)
	}
	req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?query="+urlEscape(`{ systemStatus { state } }`), nil)
	c.do(req).must(t)
	req, _ = http.NewRequest(http.MethodPut, e.srv.URL+"/graphql", strings.NewReader(`{}`))
	if r := c.do(req); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") == "" {
		t.Fatalf("PUT: %d %s", r.Status, r.Raw)
	}
	req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/graphql", nil)
	if r := c.do(req); r.Status != http.StatusBadRequest || !strings.Contains(r.message(), "query") {
		t.Fatalf("GET without query: %d %s", r.Status, r.Raw)
	}
	if r := c.query(`subscription { auditEvents { id } }`, nil); r.Status != http.StatusBadRequest || !strings.Contains(r.message(), "websocket") {
		t.Fatalf("subscription over POST: %d %s", r.Status, r.Raw)
	}
}

func TestOversizedBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := `{"query": "{ version { version } }", "variables": {"x": "` + strings.Repeat("a", 100<<10) + `"}}`
	r := e.client().raw("application/json", "", big)
	if r.Status != http.StatusRequestEntityTooLarge || r.code() != "BAD_REQUEST" || !strings.Contains(r.message(), "larger than the limit") {
		t.Fatalf("oversized body: %d %s", r.Status, r.Raw)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *auth.Options, h *graph.HandlerOptions) { h.DepthLimit = 3; h.ComplexityLimit = 20 })
	admin := e.setupAdmin()
	r := admin.query(`{ auditLog { edges { node { id } } } }`, nil)
	if r.code() != "QUERY_TOO_COMPLEX" || !strings.Contains(r.message(), "4 levels deep") {
		t.Fatalf("depth 4 over limit 3: %s", r.Raw)
	}
	// Fragments count too.
	r = admin.query(`{ auditLog { ...E } } fragment E on AuditEventConnection { edges { node { id } } }`, nil)
	if r.code() != "QUERY_TOO_COMPLEX" {
		t.Fatalf("depth through a fragment: %s", r.Raw)
	}
	// Under application/graphql-response+json a refused operation is a 400.
	body := `{"query": "{ auditLog { edges { node { id } } } }"}`
	if r := admin.raw("application/json", "application/graphql-response+json", body); r.Status != http.StatusBadRequest || r.code() != "QUERY_TOO_COMPLEX" {
		t.Fatalf("depth limit with graphql-response+json: %d %s", r.Status, r.Raw)
	}
	admin.query(`{ auditLog { edges { cursor } } }`, nil).must(t)
	r = admin.query(`{ a: version { version } b: version { version } c: version { version } d: version { version } e: version { version } f: version { version } g: version { version } h: version { version } i: version { version } j: version { version } k: version { version } }`, nil)
	if r.code() != "QUERY_TOO_COMPLEX" || !strings.Contains(r.message(), "complexity") {
		t.Fatalf("complexity over limit: %s", r.Raw)
	}
}

func TestDefaultLimitsAllowIntrospection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.setupAdmin()
	r := admin.query(introspectionQuery, nil).must(t)
	if !strings.Contains(r.Raw, `"hasRole"`) {
		t.Fatal("introspection lacks the hasRole directive")
	}
	r = e.client().query(`{ __schema { types { name } } }`, nil)
	if r.code() != "UNAUTHENTICATED" || !strings.Contains(r.message(), "introspection") {
		t.Fatalf("anonymous introspection: %s", r.Raw)
	}
	r = e.client().query(`{ __type(name: "Account") { name } }`, nil)
	if r.code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous __type: %s", r.Raw)
	}
	e.client().query(`{ __typename }`, nil).must(t)
}

func TestPanicIsRecovered(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	// A resolver without its Auth service panics on a nil pointer.
	h := graph.NewHandler(&graph.Resolver{Logger: newLogger(&logs)}, graph.HandlerOptions{})
	rec := httptestRecorder()
	req, _ := http.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ systemStatus { state } }"}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if !strings.Contains(body, `"code":"INTERNAL"`) || strings.Contains(body, "nil pointer") {
		t.Fatalf("panic response = %s, want a safe INTERNAL error", body)
	}
	if !strings.Contains(logs.String(), "panic") {
		t.Fatalf("panic not logged: %s", logs.String())
	}
}

const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
