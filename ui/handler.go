// Package ui serves Synchronizer's dashboard: a single-page app built from this
// folder's npm project into dist/ and embedded in the binary (see embed.go; build
// with the no_ui tag to leave it out, see embed_no_ui.go).
//
// Handler serves the app the way single-page apps need:
//
//   - files that exist in dist are served with their content type;
//   - content-hashed files under /assets/ are cached for a year ("immutable");
//   - a missing file under /assets/ is a 404, never index.html, so a stale page
//     fails loudly instead of executing HTML as a script;
//   - any other path that looks like a page (no file extension, or the browser
//     accepts text/html) gets index.html with Cache-Control: no-cache, so the
//     client-side router can show it and a new release is picked up at once.
//
// Security headers (CSP and friends) are added by the server for every response;
// this package does not set them.
package ui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Cache-Control values used by the handler.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheNoCache   = "no-cache"
)

// contentTypes overrides the platform MIME table for the file types a Vite build
// produces, so the answer does not depend on /etc/mime.types of the host.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".webp":        "image/webp",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".txt":         "text/plain; charset=utf-8",
}

// compressible lists the content types worth gzipping once at start-up.
var compressible = map[string]bool{
	"text/html; charset=utf-8":       true,
	"text/javascript; charset=utf-8": true,
	"text/css; charset=utf-8":        true,
	"application/json":               true,
	"application/manifest+json":      true,
	"image/svg+xml":                  true,
	"text/plain; charset=utf-8":      true,
}

// file is one file of the app, read into memory when the handler is built.
type file struct {
	name        string
	data        []byte
	gz          []byte // gzip-compressed data, nil when not worth it
	contentType string
	etag        string
}

// spaHandler serves an in-memory copy of a built single-page app.
type spaHandler struct {
	files map[string]*file // keyed by slash path without a leading slash
	index *file
}

var _ http.Handler = (*spaHandler)(nil)

// Handler returns the http.Handler that serves the embedded dashboard (or, in a
// no_ui build, the page saying that it was left out). Mount it on "/" after every
// other route (/graphql, /healthz, …). If the embedded build is broken (no
// index.html, which the package tests rule out) every request gets a 500 naming
// the problem instead of a panic.
func Handler() http.Handler {
	h, err := NewHandler(DistFS)
	if err != nil {
		msg := "the dashboard built into this binary is unusable: " + err.Error()
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, msg, http.StatusInternalServerError)
		})
	}
	return h
}

// NewHandler returns a handler serving the single-page app in fsys, which must
// hold index.html at its root and may hold hashed assets under assets/. All files
// are read into memory (and compressible ones gzipped) once, here; fsys is not
// used afterwards.
func NewHandler(fsys fs.FS) (http.Handler, error) {
	h := &spaHandler{files: make(map[string]*file)}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if d.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		f := &file{name: name, data: data, contentType: contentTypeOf(name, data)}
		sum := sha256.Sum256(data)
		f.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
		if compressible[f.contentType] && len(data) >= 512 {
			gz, err := gzipBytes(data)
			if err != nil {
				return fmt.Errorf("compress %s: %w", name, err)
			}
			if len(gz) < len(data)*9/10 {
				f.gz = gz
			}
		}
		h.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	h.index = h.files["index.html"]
	if h.index == nil {
		return nil, fmt.Errorf("ui: index.html is missing from the app build (run `npm run build` in ui/)")
	}
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *spaHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method "+r.Method+" is not allowed here: the dashboard only answers GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")

	if name == "assets" || strings.HasPrefix(name, "assets/") {
		f := h.files[name]
		if f == nil {
			// Never answer a missing script or stylesheet with index.html.
			http.Error(w, "asset not found: /"+name+" (reload the page to get the current version)", http.StatusNotFound)
			return
		}
		h.serve(w, r, f, cacheImmutable)
		return
	}
	if f := h.files[name]; f != nil && f != h.index {
		h.serve(w, r, f, cacheNoCache)
		return
	}
	if name == "" || name == "index.html" || path.Ext(name) == "" || acceptsHTML(r) {
		h.serve(w, r, h.index, cacheNoCache)
		return
	}
	http.Error(w, "file not found: /"+name, http.StatusNotFound)
}

// serve writes f, gzipped when the client accepts it, honouring conditional and
// range requests through http.ServeContent.
func (h *spaHandler) serve(w http.ResponseWriter, r *http.Request, f *file, cacheControl string) {
	hdr := w.Header()
	hdr.Set("Content-Type", f.contentType)
	hdr.Set("Cache-Control", cacheControl)
	data := f.data
	etag := f.etag
	if f.gz != nil {
		hdr.Add("Vary", "Accept-Encoding")
		if r.Header.Get("Range") == "" && acceptsGzip(r) {
			hdr.Set("Content-Encoding", "gzip")
			data = f.gz
			etag = strings.TrimSuffix(etag, `"`) + `-gz"`
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(data))
}

// contentTypeOf picks the Content-Type for a file by extension, then by content.
func contentTypeOf(name string, data []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return http.DetectContentType(data)
}

// acceptsHTML reports whether the request's Accept header names text/html, as a
// browser navigating to a page does.
func acceptsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/html") {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the client accepts a gzip content coding (not
// explicitly refused with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// gzipBytes compresses data at the best compression level.
func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
