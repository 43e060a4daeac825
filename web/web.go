package web

import "embed"

// FS holds the views (*.html) and the static assets (static/…).
//
//go:embed *.html static
var FS embed.FS
