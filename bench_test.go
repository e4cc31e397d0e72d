package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkMiddlewareChain measures what the global chain (recover, request
// id, access log at the default info level, security headers, body limit,
// per-route metrics) adds to a GraphQL-sized POST, with a handler that only
// drains the body.
func BenchmarkMiddlewareChain(b *testing.B) {
	for _, level := range []string{"info", "warn"} {
		b.Run("log="+level, func(b *testing.B) {
			lvl, _ := parseLevel(level)
			rd := &Readiness{}
			rd.Add("store", func(context.Context) error { return nil })
			gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				_, _ = w.Write([]byte(`{"data":{"me":null}}`))
			})
			h := newAppHandler(appDeps{
				logger: newLogger(io.Discard, lvl), metrics: newMetrics("b", "b"), readiness: rd,
				graphql: withBodyLimit(graphqlBodyLimit, gql), ui: http.NotFoundHandler(),
			})
			body := `{"query":"query Me { me { id email name role } }"}`
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
	b.Run("bare handler", func(b *testing.B) {
		gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = w.Write([]byte(`{"data":{"me":null}}`))
		})
		body := `{"query":"query Me { me { id email name role } }"}`
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
			rec := httptest.NewRecorder()
			gql.ServeHTTP(rec, req)
		}
	})
}
