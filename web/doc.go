// Package web holds the server's HTML views (*.html, Go html/template
// syntax rendered by Fiber's html engine) and static assets (static/…),
// embedded in the binary so the server does not depend on its working
// directory. The package name is "web", not "templates": in Weekback a
// template is a table's schema template (package template).
package web
