package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := percentile(d, p); got != want {
			t.Errorf("percentile(%v) = %v, want %v", p, got, want)
		}
	}
}

func TestRunLoadCountsErrors(t *testing.T) {
	t.Parallel()
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("missing bearer token")
		}
		n++
		if n%2 == 0 {
			_, _ = w.Write([]byte(`{"errors":[{"message":"no"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"me":null}}`))
	}))
	defer srv.Close()
	res, err := runLoad(context.Background(), options{url: srv.URL, clients: 1, duration: time.Second, maxReqs: 10, query: "me", token: "tok", timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 5 || res.Errors != 5 || !strings.Contains(res.FirstErr, "GraphQL errors") {
		t.Errorf("requests %d errors %d first %q", res.Requests, res.Errors, res.FirstErr)
	}
}
