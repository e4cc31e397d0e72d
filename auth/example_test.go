package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/kv"
)

// Example shows the lifecycle: first-run setup, a session, and the
// middleware resolving the session cookie into the request's viewer.
func Example() {
	db, err := kv.Open(kv.Options{InMemory: true})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	svc, err := auth.New(db, auth.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("needs setup:", svc.NeedsSetup())

	// The server prints http://HOST/setup?token=<svc.SetupToken()>; the
	// setup form (or SYNCHRONIZER_ADMIN_* via Bootstrap) creates the admin.
	admin, err := svc.Setup(context.Background(), svc.SetupToken(), "ada@example.com", "Ada", "a long enough password")
	if err != nil {
		panic(err)
	}
	sess, err := svc.StartSession(context.Background(), admin.ID)
	if err != nil {
		panic(err)
	}

	h := svc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := auth.ViewerFrom(r.Context())
		fmt.Println("viewer:", v.Email, v.Role, "via", v.Via)
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: sess.ID})
	req.Header.Set(auth.CSRFHeader, sess.CSRF) // cookie-authenticated POSTs need it
	h.ServeHTTP(httptest.NewRecorder(), req)
	fmt.Println("needs setup:", svc.NeedsSetup())
	// Output:
	// needs setup: true
	// viewer: ada@example.com admin via session
	// needs setup: false
}
