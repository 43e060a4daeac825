// Package templates holds the server's HTML views and static assets,
// embedded in the binary so the server does not depend on its working
// directory.
package templates

import "embed"

// FS holds the views (*.html) and the static assets (static/…).
//
//go:embed *.html static
var FS embed.FS
