package superoffice_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine/superoffice"
)

// TestErrorsQuoteRemoteTextBounded: a server the settings point at (baseUrl) cannot reflect its answers verbatim in
// bulk through errors (check results, run records, the portal's last error): the quoted Message is bounded.
func TestErrorsQuoteRemoteTextBounded(t *testing.T) {
	tn := newTenant(t)
	tn.secrets.m[superoffice.SecretPassword] = []byte("s3cret")
	big := strings.Repeat("internal-data ", 20_000)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"Message":"` + big + `"}`))
	}))
	defer api.Close()
	c := tn.connector(t, map[string]any{"mode": "onsite", "user": "crm-admin", "baseUrl": api.URL + "/api/"})
	_, err := c.Accounts(context.Background())
	if err == nil {
		t.Fatal("no error from a server answering 500")
	}
	if n := len(err.Error()); n > 1000 || !strings.Contains(err.Error(), "internal-data") {
		t.Errorf("the error quotes %d bytes of the answer, want a bounded excerpt: %.200s", n, err.Error())
	}
}
