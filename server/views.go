package server

import (
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/gofiber/template/html/v2"

	"github.com/weekback/weekback/web"
)

// The layout every page is rendered in, the action in it that stands for
// the page, and the prefix of each page's wrapped template.
const (
	pageLayout  = "layout"
	layoutEmbed = "{{embed}}"
	wrappedPage = "layout:"
)

// wrapPages adds to e, for every page (a file of web.FS but the layout),
// the template "layout:PAGE": the layout with {{template "PAGE" .}} in
// place of {{embed}}. Executing it writes what the engine's Render with
// the layout writes, without the lock that Render holds for the whole
// execution while it binds embed to the page (one HTML page at a time
// per language). It must run after e.Load and before any execution.
func wrapPages(e *html.Engine) error {
	src, err := fs.ReadFile(web.FS, pageLayout+".html")
	if err != nil {
		return fmt.Errorf("read the layout: %w", err)
	}
	layout := string(src)
	if strings.Count(layout, layoutEmbed) != 1 {
		return fmt.Errorf("the layout must hold %s exactly once", layoutEmbed)
	}
	for _, t := range e.Templates.Templates() {
		name := t.Name()
		if name == pageLayout || strings.HasPrefix(name, wrappedPage) {
			continue
		}
		if _, err := fs.Stat(web.FS, name+".html"); err != nil {
			continue // a {{define}} of a partials file
		}
		text := strings.Replace(layout, layoutEmbed, fmt.Sprintf("{{template %q .}}", name), 1)
		if _, err := e.Templates.New(wrappedPage + name).Parse(text); err != nil {
			return fmt.Errorf("wrap page %s in the layout: %w", name, err)
		}
	}
	return nil
}

// renderPage executes name wrapped in layout when wrapPages made that
// template (the layout is the page layout); it reports false when not,
// for the engine's Render to do it. It is safe for concurrent use once the
// templates are escaped.
func renderPage(e *html.Engine, out io.Writer, name string, binding any, layout []string) (bool, error) {
	if len(layout) != 1 || layout[0] != pageLayout {
		return false, nil
	}
	t := e.Templates.Lookup(wrappedPage + name)
	if t == nil {
		return false, nil
	}
	return true, t.Execute(out, binding)
}
