//go:build no_ui

package ui

import (
	"io/fs"
	"testing/fstest"
)

// noUIPage is the whole "dashboard" of a binary built with the no_ui tag. It has no
// inline script or style, so it passes the server's Content-Security-Policy.
const noUIPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Synchronizer</title>
</head>
<body>
<main>
<h1>Synchronizer</h1>
<p>This binary was built without the dashboard (build tag <code>no_ui</code>).</p>
<p>The GraphQL API is available at <a href="/graphql">/graphql</a>.
To get the dashboard, build without <code>-tags no_ui</code>.</p>
</main>
</body>
</html>
`

// DistFS is, in a no_ui build, a one-file tree whose index.html says that the
// dashboard was left out of this build.
var DistFS fs.FS = fstest.MapFS{
	"index.html": &fstest.MapFile{Data: []byte(noUIPage), Mode: 0o444},
}

// Included reports whether the dashboard was built into this binary.
const Included = false
