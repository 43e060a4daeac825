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

// changeRowsHTML writes the changed rows table's rows as the template
//
//	{{range .Rows}}<tr>{{if $.Keyed}}<td>{{if .URL}}<a class="open" href="{{.URL}}">{{t "records.open"}}</a> <a class="history" href="{{.HistoryURL}}">{{t "changes.history"}}</a>{{end}}</td>{{else}}<td class="num">{{num .Count}}</td>{{end}}{{changecells .Cells}}</tr>
//	{{end}}
//
// wrote them (web/changes_table.html), byte for byte, with each row's
// cells as writeChangeCells writes them. TestChangeRowsHTMLAsTheTemplate
// keeps the two the same.
func changeRowsHTML(l *i18n.Localizer, rows []changeRowView, keyed bool) template.HTML {
	var b strings.Builder
	open, history := l.T("records.open"), l.T("changes.history")
	for i, r := range rows {
		if i == 1 { // the rows to come take about as much as the first
			b.Grow(b.Len() * len(rows))
		}
		b.WriteString("<tr>")
		if keyed {
			b.WriteString("<td>")
			if r.URL != "" {
				writeLink(&b, "open", r.URL, open)
				b.WriteString(" ")
				writeLink(&b, "history", r.HistoryURL, history)
			}
			b.WriteString("</td>")
		} else {
			b.WriteString(`<td class="num">`)
			escapeHTML(&b, l.Number(r.Count))
			b.WriteString("</td>")
		}
		writeChangeCells(&b, l, r.Cells)
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// writeChangeCells writes a change row's cells as the template
//
//	{{range .}}<td class="kind-{{.Cell.Kind}}{{if .Cell.Empty}} empty{{end}}{{if .Changed}} changed-cell{{end}}">{{if .Hidden}}<span class="masked">{{t "changes.hidden"}}</span>{{else if .Changed}}<span class="diff-old">{{template "cell" .Old}}</span> → <span class="diff-new">{{template "cell" .Cell}}</span>{{else}}{{template "cell" .Cell}}{{end}}</td>{{end}}
//
// wrote them (web/changes_table.html), byte for byte: as for cellsHTML,
// the template was most of the changed rows page's CPU.
// TestChangeCellsHTMLAsTheTemplate keeps the two the same.
func writeChangeCells(b *strings.Builder, l *i18n.Localizer, cells []changeCell) {
	for _, c := range cells {
		b.WriteString(`<td class="kind-`)
		escapeHTML(b, string(c.Cell.Kind))
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
			escapeHTML(b, l.T("changes.hidden"))
			b.WriteString("</span>")
		case c.Changed:
			b.WriteString(`<span class="diff-old">`)
			writeCell(b, l, c.Old)
			b.WriteString(`</span> → <span class="diff-new">`)
			writeCell(b, l, c.Cell)
			b.WriteString("</span>")
		default:
			writeCell(b, l, c.Cell)
		}
		b.WriteString("</td>")
	}
}

// writeOpOptions writes the options of a filter row's operator list, op
// selected, as the template
//
//	<option value="">{{t "records.no_op"}}</option>{{range $.Ops}}<option value="{{.}}"{{if eq (print .) $row.Op}} selected{{end}}>{{t (print "op." .)}}</option>{{end}}
//
// wrote them (web/formparts.html, with Ops weekback.FilterOps), byte for
// byte: four template calls per operator and column made the filter form
// the costliest part of an HTML records page. TestOpOptionsHTMLAsTheTemplate
// keeps the two the same.
func writeOpOptions(b *strings.Builder, l *i18n.Localizer, op string) {
	b.WriteString(`<option value="">`)
	escapeHTML(b, l.T("records.no_op"))
	b.WriteString("</option>")
	for _, o := range weekback.FilterOps {
		b.WriteString(`<option value="`)
		escapeHTML(b, string(o))
		b.WriteString(`"`)
		if string(o) == op {
			b.WriteString(" selected")
		}
		b.WriteString(">")
		escapeHTML(b, l.T("op."+string(o)))
		b.WriteString("</option>")
	}
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
	for i, r := range rows {
		if i == 1 { // the rows to come take about as much as the first
			b.Grow(b.Len() * len(rows))
		}
		b.WriteString("<tr>")
		if keyed {
			b.WriteString("<td>")
			if r.URL != "" {
				writeLink(&b, "open", r.URL, open)
			}
			b.WriteString("</td>")
		}
		writeCells(&b, l, r.Cells)
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// writeLink writes <a class="class" href="url">text</a>, url and text
// escaped as html/template escapes them there (class is a constant).
func writeLink(b *strings.Builder, class, url, text string) {
	b.WriteString(`<a class="`)
	b.WriteString(class)
	b.WriteString(`" href="`)
	writeURLAttr(b, url)
	b.WriteString(`">`)
	escapeHTML(b, text)
	b.WriteString("</a>")
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
	i := 0
	for i < len(s) && urlKept(s, i) {
		i++
	}
	if i == len(s) { // nothing to encode, as most links
		escapeHTML(b, s)
		return
	}
	var n strings.Builder
	written := 0
	for ; i < len(s); i++ {
		if urlKept(s, i) {
			continue
		}
		c := s[i]
		n.WriteString(s[written:i])
		n.WriteByte('%')
		n.WriteByte("0123456789abcdef"[c>>4])
		n.WriteByte("0123456789abcdef"[c&15])
		written = i + 1
	}
	n.WriteString(s[written:])
	escapeHTML(b, n.String())
}

// urlKept reports whether html/template's URL normalizer keeps s[i] as
// it is: an unreserved or reserved byte of RFC 3986, or the '%' of a valid
// escape.
func urlKept(s string, i int) bool {
	switch c := s[i]; {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
		strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0:
		return true
	case c == '%':
		return i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
