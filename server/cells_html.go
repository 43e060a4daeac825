package server

import (
	"html/template"
	"strings"

	"github.com/weekback/weekback"
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
	writeCells(&b, l, cells)
	return template.HTML(b.String())
}

// writeCells writes what cellsHTML returns.
func writeCells(b *strings.Builder, l *i18n.Localizer, cells []cellView) {
	for _, c := range cells {
		b.WriteString(`<td class="kind-`)
		escapeHTML(b, string(c.Kind))
		if c.Empty {
			b.WriteString(" empty")
		}
		if c.Long {
			b.WriteString(" long")
		}
		b.WriteString(`">`)
		writeCell(b, l, c)
		b.WriteString("</td>")
	}
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

// changeCellsHTML writes a change row's cells as the template
//
//	{{range .}}<td class="kind-{{.Cell.Kind}}{{if .Cell.Empty}} empty{{end}}{{if .Changed}} changed-cell{{end}}">{{if .Hidden}}<span class="masked">{{t "changes.hidden"}}</span>{{else if .Changed}}<span class="diff-old">{{template "cell" .Old}}</span> → <span class="diff-new">{{template "cell" .Cell}}</span>{{else}}{{template "cell" .Cell}}{{end}}</td>{{end}}
//
// writes them (web/changes_table.html), byte for byte: as for cellsHTML,
// the template was most of the changed rows page's CPU.
// TestChangeCellsHTMLAsTheTemplate keeps the two the same.
func changeCellsHTML(l *i18n.Localizer, cells []changeCell) template.HTML {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(`<td class="kind-`)
		escapeHTML(&b, string(c.Cell.Kind))
		if c.Cell.Empty {
			b.WriteString(" empty")
		}
		if c.Changed {
			b.WriteString(" changed-cell")
		}
		b.WriteString(`">`)
		switch {
		case c.Hidden:
			b.WriteString(`<span class="masked">`)
			escapeHTML(&b, l.T("changes.hidden"))
			b.WriteString("</span>")
		case c.Changed:
			b.WriteString(`<span class="diff-old">`)
			writeCell(&b, l, c.Old)
			b.WriteString(`</span> → <span class="diff-new">`)
			writeCell(&b, l, c.Cell)
			b.WriteString("</span>")
		default:
			writeCell(&b, l, c.Cell)
		}
		b.WriteString("</td>")
	}
	return template.HTML(b.String())
}

// opOptionsHTML writes the options of a filter row's operator list, op
// selected, as the template
//
//	<option value="">{{t "records.no_op"}}</option>{{range $.Ops}}<option value="{{.}}"{{if eq (print .) $row.Op}} selected{{end}}>{{t (print "op." .)}}</option>{{end}}
//
// wrote them (web/formparts.html, with Ops weekback.FilterOps), byte for
// byte: four template calls per operator and column made the filter form
// the costliest part of an HTML records page. TestOpOptionsHTMLAsTheTemplate
// keeps the two the same.
func opOptionsHTML(l *i18n.Localizer, op string) template.HTML {
	var b strings.Builder
	b.WriteString(`<option value="">`)
	escapeHTML(&b, l.T("records.no_op"))
	b.WriteString("</option>")
	for _, o := range weekback.FilterOps {
		b.WriteString(`<option value="`)
		escapeHTML(&b, string(o))
		b.WriteString(`"`)
		if string(o) == op {
			b.WriteString(" selected")
		}
		b.WriteString(">")
		escapeHTML(&b, l.T("op."+string(o)))
		b.WriteString("</option>")
	}
	return template.HTML(b.String())
}

// rowsHTML writes the records table's rows as the template
//
//	{{range .Rows}}<tr>{{if $.Keyed}}<td>{{if .URL}}<a class="open" href="{{.URL}}">{{t "records.open"}}</a>{{end}}</td>{{end}}{{cells .Cells}}</tr>
//	{{end}}
//
// wrote them (web/table.html), byte for byte: html/template runs every
// action through its escapers by reflection, three calls for a link alone,
// for each of the page's rows. TestRowsHTMLAsTheTemplate keeps the two the
// same.
func rowsHTML(l *i18n.Localizer, rows []rowView, keyed bool) template.HTML {
	var b strings.Builder
	open := l.T("records.open")
	for _, r := range rows {
		b.WriteString("<tr>")
		if keyed {
			b.WriteString("<td>")
			if r.URL != "" {
				b.WriteString(`<a class="open" href="`)
				writeURLAttr(&b, r.URL)
				b.WriteString(`">`)
				escapeHTML(&b, open)
				b.WriteString("</a>")
			}
			b.WriteString("</td>")
		}
		writeCells(&b, l, r.Cells)
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// writeURLAttr writes s as html/template writes a URL in a quoted
// attribute: refused ("#ZgotmplZ") unless its scheme is http, https or
// mailto or it has none, normalized (bytes outside RFC 3986's unreserved
// and reserved sets percent-encoded, valid escapes kept), then escaped.
func writeURLAttr(b *strings.Builder, s string) {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") &&
		!strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
		s = "#ZgotmplZ"
	}
	var n strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		n.WriteString(s[written:i])
		n.WriteByte('%')
		n.WriteByte("0123456789abcdef"[c>>4])
		n.WriteByte("0123456789abcdef"[c&15])
		written = i + 1
	}
	n.WriteString(s[written:])
	escapeHTML(b, n.String())
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
