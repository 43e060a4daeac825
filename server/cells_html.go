package server

import (
	"html/template"
	"strings"

	"github.com/weekback/weekback/i18n"
)

// cellsHTML writes a records row's cells as the template
//
//	{{range .}}<td class="kind-{{.Kind}}{{if .Empty}} empty{{end}}{{if .Long}} long{{end}}">{{template "cell" .}}</td>{{end}}
//
// writes them (web/partials.html), byte for byte, in l's language: the
// template cost four times the rest of the page (reflection on every
// field, an escaper call for every value). TestCellsHTMLAsTheTemplate
// keeps the two the same.
func cellsHTML(l *i18n.Localizer, cells []cellView) template.HTML {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(`<td class="kind-`)
		escapeHTML(&b, string(c.Kind))
		if c.Empty {
			b.WriteString(" empty")
		}
		if c.Long {
			b.WriteString(" long")
		}
		b.WriteString(`">`)
		writeCell(&b, l, c)
		b.WriteString("</td>")
	}
	return template.HTML(b.String())
}

// writeCell writes what the "cell" template writes for c.
func writeCell(b *strings.Builder, l *i18n.Localizer, c cellView) {
	switch {
	case c.Masked:
		b.WriteString(`<span class="masked" title="`)
		escapeHTML(b, l.T("value.masked"))
		b.WriteString(`">`)
		escapeHTML(b, c.Text)
		b.WriteString("</span>")
	case c.Null:
		b.WriteString(`<span class="null">`)
		escapeHTML(b, l.T("value.null"))
		b.WriteString("</span>")
	case c.Binary:
		b.WriteString(`<span class="size">`)
		escapeHTML(b, l.N("value.bytes", toInt(c.Size)))
		b.WriteString(`</span> <code class="hex">`)
		escapeHTML(b, c.Hex)
		b.WriteString("</code>")
	case c.Pre:
		b.WriteString(`<pre class="json">`)
		escapeHTML(b, c.Text)
		b.WriteString("</pre>")
	default:
		escapeHTML(b, c.Text)
	}
	if c.Truncated {
		b.WriteString(`<span class="cut" title="`)
		escapeHTML(b, l.T("value.cut"))
		b.WriteString(`">…</span>`)
	}
}

// htmlEscapes is html/template's table for text and quoted attribute
// values (its htmlReplacementTable): the same bytes as its escapers.
var htmlEscapes = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// escapeHTML writes s escaped as html/template escapes a string in text
// or in a quoted attribute.
func escapeHTML(b *strings.Builder, s string) {
	from := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if int(c) >= len(htmlEscapes) || htmlEscapes[c] == "" {
			continue
		}
		b.WriteString(s[from:i])
		b.WriteString(htmlEscapes[c])
		from = i + 1
	}
	b.WriteString(s[from:])
}
