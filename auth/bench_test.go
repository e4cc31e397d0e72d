package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/kv"
)

// BenchmarkPasswordDefault measures one argon2id verification with the
// production parameters: the cost of a login.
func BenchmarkPasswordDefault(b *testing.B) {
	h, err := auth.HashPassword(pw, auth.DefaultPasswordParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := auth.VerifyPassword(pw, h); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkMiddlewareSession measures resolving a session cookie into a
// viewer, the hot path of every signed-in request.
func BenchmarkMiddlewareSession(b *testing.B) {
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s, err := auth.New(db, auth.Options{Password: cheap})
	if err != nil {
		b.Fatal(err)
	}
	a, err := s.Setup(context.Background(), s.SetupToken(), "admin@example.com", "Ada", pw)
	if err != nil {
		b.Fatal(err)
	}
	sess, err := s.StartSession(context.Background(), a.ID)
	if err != nil {
		b.Fatal(err)
	}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth.ViewerFrom(r.Context()) == nil {
			b.Error("no viewer")
		}
	}))
	b.RunParallel(func(p *testing.PB) {
		for p.Next() {
			req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
			req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: sess.ID})
			h.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}
