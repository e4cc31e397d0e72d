//go:build !no_ui

package ui

import (
	"embed"
	"io/fs"
)

// distDir holds the built single-page app. It is produced by `npm ci && npm run build`
// in this folder and committed, so `go build` needs no Node toolchain.
//
//go:embed all:dist
var distDir embed.FS

// DistFS is the built single-page app rooted at dist/ (index.html, assets/…).
var DistFS fs.FS = mustSub(distDir, "dist")

// Included reports whether the dashboard was built into this binary.
const Included = true

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		// fs.Sub only fails for an invalid path; "dist" is a constant valid path.
		panic("ui: " + err.Error())
	}
	return sub
}
