package ui_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/synchronizer/synchronizer/ui"
)

const (
	testIndex = `<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>`
	testJS    = `console.log("hello");`
)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"index.html":             {Data: []byte(testIndex)},
		"favicon.svg":            {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"assets/index-abc123.js": {Data: []byte(testJS)},
		"assets/index-def456.css": {
			Data: []byte(strings.Repeat("body{margin:0}\n", 100)),
		},
		"assets/logo-aaa111.woff2": {Data: []byte{0x77, 0x4f, 0x46, 0x32, 0, 1}},
	}
}

func newTestHandler(t *testing.T) http.Handler {
	t.Helper()
	h, err := ui.NewHandler(testFS())
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h
}

func do(h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerRoutes(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t)
	html := map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
	tests := []struct {
		name        string
		method      string
		target      string
		header      map[string]string
		wantStatus  int
		wantBody    string // substring; empty means not checked
		wantType    string
		wantCache   string
		wantNoIndex bool
	}{
		{name: "root", method: "GET", target: "/", wantStatus: 200, wantBody: `<div id="app">`, wantType: "text/html; charset=utf-8", wantCache: "no-cache"},
		{name: "index.html", method: "GET", target: "/index.html", wantStatus: 200, wantBody: `<div id="app">`, wantType: "text/html; charset=utf-8", wantCache: "no-cache"},
		{name: "client route", method: "GET", target: "/setup?token=XYZ", wantStatus: 200, wantBody: `<div id="app">`, wantType: "text/html; charset=utf-8", wantCache: "no-cache"},
		{name: "nested client route", method: "GET", target: "/admins/tokens", wantStatus: 200, wantBody: `<div id="app">`, wantCache: "no-cache"},
		{name: "route with dot, browser navigation", method: "GET", target: "/users/jane.doe", header: html, wantStatus: 200, wantBody: `<div id="app">`, wantCache: "no-cache"},
		{name: "missing file with extension", method: "GET", target: "/robots.txt", wantStatus: 404, wantNoIndex: true},
		{name: "hashed asset", method: "GET", target: "/assets/index-abc123.js", wantStatus: 200, wantBody: testJS, wantType: "text/javascript; charset=utf-8", wantCache: "public, max-age=31536000, immutable"},
		{name: "hashed css", method: "GET", target: "/assets/index-def456.css", wantStatus: 200, wantBody: "body{margin:0}", wantType: "text/css; charset=utf-8", wantCache: "public, max-age=31536000, immutable"},
		{name: "font", method: "GET", target: "/assets/logo-aaa111.woff2", wantStatus: 200, wantType: "font/woff2", wantCache: "public, max-age=31536000, immutable"},
		{name: "missing asset is 404", method: "GET", target: "/assets/index-old999.js", wantStatus: 404, wantNoIndex: true},
		{name: "missing asset is 404 even for html", method: "GET", target: "/assets/nope", header: html, wantStatus: 404, wantNoIndex: true},
		{name: "assets dir", method: "GET", target: "/assets/", wantStatus: 404, wantNoIndex: true},
		{name: "root file", method: "GET", target: "/favicon.svg", wantStatus: 200, wantType: "image/svg+xml", wantCache: "no-cache"},
		{name: "traversal stays inside", method: "GET", target: "/assets/../../../etc/passwd.txt", wantStatus: 404, wantNoIndex: true},
		{name: "HEAD", method: "HEAD", target: "/", wantStatus: 200, wantType: "text/html; charset=utf-8", wantCache: "no-cache"},
		{name: "POST refused", method: "POST", target: "/", wantStatus: 405, wantBody: "only answers GET and HEAD", wantNoIndex: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := do(h, tc.method, tc.target, tc.header)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", rec.Code, tc.wantStatus, rec.Body.String())
			}
			body := rec.Body.String()
			if tc.wantBody != "" && !strings.Contains(body, tc.wantBody) {
				t.Errorf("body = %q, want it to contain %q", body, tc.wantBody)
			}
			if tc.wantNoIndex && strings.Contains(body, `<div id="app">`) {
				t.Errorf("got index.html, want no fallback: %q", body)
			}
			if tc.wantType != "" {
				if got := rec.Header().Get("Content-Type"); got != tc.wantType {
					t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
				}
			}
			if tc.wantCache != "" {
				if got := rec.Header().Get("Cache-Control"); got != tc.wantCache {
					t.Errorf("Cache-Control = %q, want %q", got, tc.wantCache)
				}
			}
			if tc.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD returned a body of %d bytes", rec.Body.Len())
			}
			if tc.wantStatus == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q, want %q", rec.Header().Get("Allow"), "GET, HEAD")
			}
		})
	}
}

func TestHandlerGzipAndETag(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t)
	const css = "/assets/index-def456.css"

	plain := do(h, "GET", css, nil)
	if plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("gzip sent to a client that did not ask for it")
	}
	if !strings.Contains(plain.Header().Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary = %q, want Accept-Encoding", plain.Header().Get("Vary"))
	}

	gz := do(h, "GET", css, map[string]string{"Accept-Encoding": "br, gzip"})
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", gz.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatalf("gzip.NewReader: %v", err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("read gzip body: %v", err)
	}
	if !bytes.Equal(got, plain.Body.Bytes()) {
		t.Errorf("decompressed body differs from the plain body")
	}
	if gz.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Errorf("gzip and identity responses share the ETag %s", gz.Header().Get("ETag"))
	}

	refused := do(h, "GET", css, map[string]string{"Accept-Encoding": "gzip;q=0"})
	if refused.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip sent although the client refused it with q=0")
	}

	etag := plain.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	notModified := do(h, "GET", css, map[string]string{"If-None-Match": etag})
	if notModified.Code != http.StatusNotModified {
		t.Errorf("conditional GET status = %d, want 304", notModified.Code)
	}

	small := do(h, "GET", "/assets/index-abc123.js", map[string]string{"Accept-Encoding": "gzip"})
	if small.Header().Get("Content-Encoding") != "" || small.Body.String() != testJS {
		t.Errorf("tiny file should be sent as is, got encoding %q body %q", small.Header().Get("Content-Encoding"), small.Body.String())
	}
}

func TestNewHandlerNeedsIndex(t *testing.T) {
	t.Parallel()
	_, err := ui.NewHandler(fstest.MapFS{"assets/a.js": {Data: []byte("x")}})
	if err == nil || !strings.Contains(err.Error(), "index.html") {
		t.Fatalf("err = %v, want one naming index.html", err)
	}
}

// TestEmbeddedDist checks the real embedded build: index.html is served, every
// script and stylesheet it references exists under /assets/ with a content hash
// in its name, and index.html carries no inline script or style (the CSP forbids them).
func TestEmbeddedDist(t *testing.T) {
	t.Parallel()
	h := ui.Handler()
	rec := do(h, "GET", "/", nil)
	if rec.Code != 200 {
		t.Fatalf("GET / = %d", rec.Code)
	}
	index := rec.Body.String()
	if !ui.Included {
		if !strings.Contains(index, "no_ui") {
			t.Fatalf("no_ui page does not explain itself: %q", index)
		}
		return
	}
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(index, -1)
	if len(refs) == 0 {
		t.Fatalf("index.html references no /assets/ file:\n%s", index)
	}
	hashed := regexp.MustCompile(`^/assets/[A-Za-z0-9_.-]+-[A-Za-z0-9_-]{6,}\.[a-z0-9]+$`)
	for _, m := range refs {
		if !hashed.MatchString(m[1]) {
			t.Errorf("asset %s has no content hash in its name", m[1])
		}
		a := do(h, "GET", m[1], nil)
		if a.Code != 200 {
			t.Errorf("GET %s = %d", m[1], a.Code)
		}
		if a.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s Cache-Control = %q", m[1], a.Header().Get("Cache-Control"))
		}
	}
	if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(index) {
		t.Errorf("index.html has an inline script")
	}
	if strings.Contains(index, "<style") || strings.Contains(index, " style=") {
		t.Errorf("index.html has an inline style")
	}
	if _, err := fs.Stat(ui.DistFS, "index.html"); err != nil {
		t.Errorf("DistFS: %v", err)
	}
}

func BenchmarkHandlerIndex(b *testing.B) {
	h := ui.Handler()
	req := httptest.NewRequest(http.MethodGet, "/profiles", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkNewHandler measures the start-up cost of reading and gzipping the
// embedded build (paid once when the server starts).
func BenchmarkNewHandler(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ui.NewHandler(ui.DistFS); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandlerAsset(b *testing.B) {
	h := ui.Handler()
	rec := do(h, "GET", "/", nil)
	m := regexp.MustCompile(`src="(/assets/[^"]+\.js)"`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		b.Skip("no script in index.html (no_ui build)")
	}
	req := httptest.NewRequest(http.MethodGet, m[1], nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
