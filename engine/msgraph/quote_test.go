package msgraph_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

// TestErrorsQuoteRemoteTextBounded: a server the settings point at (graphUrl) cannot reflect its answers verbatim
// in bulk through errors (check results, run records, the portal's last error): the quoted code and message are
// bounded.
func TestErrorsQuoteRemoteTextBounded(t *testing.T) {
	srv := newFake(t, msgraphtest.Options{})
	big := strings.Repeat("internal-data ", 20_000)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"code":"` + big + `","message":"` + big + `"}}`))
	}))
	defer api.Close()
	c := newConn(t, srv, engine.Env{Secrets: newSecrets()}, func(s *msgraph.Settings) { s.GraphURL = api.URL })
	_, err := openStore(t, c, engine.KindAppointment, alice).Changes(context.Background(), "")
	if err == nil {
		t.Fatal("no error from a server answering 400")
	}
	if n := len(err.Error()); n > 1000 || !strings.Contains(err.Error(), "internal-data") {
		t.Errorf("the error quotes %d bytes of the answer, want a bounded excerpt: %.200s", n, err.Error())
	}
}
