package server

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/weekback/weekback/i18n"
)

// The lists every HTML page of a day repeats (the language links, the day
// switcher, the records table's column heads, the filter form's rows),
// written in Go as their templates wrote them, byte for byte: each action
// of a template runs its escapers by reflection, and these four loops were
// half of an HTML records page's rendering (BenchmarkRecordsPageHTML).
// TestPartsHTMLAsTheTemplates keeps each the same as its template.

// langLinksHTML writes the header's language links as
//
//	{{range .Langs}}<a class="lang" data-lang="{{.Lang}}" hreflang="{{.Lang}}" lang="{{.Lang}}" href="{{.URL}}"{{if .Current}} aria-current="true"{{end}}>{{.Name}}</a> {{end}}
//
// (web/layout.html).
func langLinksHTML(links []langLink) template.HTML {
	var b strings.Builder
	for _, k := range links {
		for _, attr := range []string{`<a class="lang" data-lang="`, `" hreflang="`, `" lang="`} {
			b.WriteString(attr)
			escapeHTML(&b, k.Lang)
		}
		b.WriteString(`" href="`)
		writeURLAttr(&b, k.URL)
		b.WriteString(`"`)
		writeIf(&b, k.Current, ` aria-current="true"`)
		b.WriteString(">")
		escapeHTML(&b, k.Name)
		b.WriteString("</a> ")
	}
	return template.HTML(b.String())
}

// daySwitchHTML writes the banner's day switcher as
//
//	{{range .Days}}{{if .Current}}<span class="day current" aria-current="page">{{.Label}}</span>{{else if .URL}}<a class="day" href="{{.URL}}">{{.Label}}</a>{{else}}<span class="day off">{{.Label}}</span>{{end}} {{end}}
//
// (web/partials.html).
func daySwitchHTML(days []switchLink) template.HTML {
	var b strings.Builder
	for _, d := range days {
		switch {
		case d.Current:
			b.WriteString(`<span class="day current" aria-current="page">`)
			escapeHTML(&b, d.Label)
			b.WriteString("</span>")
		case d.URL != "":
			b.WriteString(`<a class="day" href="`)
			writeURLAttr(&b, d.URL)
			b.WriteString(`">`)
			escapeHTML(&b, d.Label)
			b.WriteString("</a>")
		default:
			b.WriteString(`<span class="day off">`)
			escapeHTML(&b, d.Label)
			b.WriteString("</span>")
		}
		b.WriteString(" ")
	}
	return template.HTML(b.String())
}

// columnHeadsHTML writes the records table's column heads as
//
//	{{range .Columns}}<th class="kind-{{.Kind}}" title="{{.Type}}">{{if .SortURL}}<a href="{{.SortURL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}{{if .Sorted}} <span class="sorted">{{.Sorted}}</span>{{end}}</th>{{end}}
//
// (web/table.html).
func columnHeadsHTML(cols []columnView) template.HTML {
	var b strings.Builder
	for _, c := range cols {
		b.WriteString(`<th class="kind-`)
		escapeHTML(&b, string(c.Kind))
		b.WriteString(`" title="`)
		escapeHTML(&b, c.Type)
		b.WriteString(`">`)
		if c.SortURL != "" {
			b.WriteString(`<a href="`)
			writeURLAttr(&b, c.SortURL)
			b.WriteString(`">`)
			escapeHTML(&b, c.Name)
			b.WriteString("</a>")
		} else {
			escapeHTML(&b, c.Name)
		}
		if c.Sorted != "" {
			b.WriteString(` <span class="sorted">`)
			escapeHTML(&b, c.Sorted)
			b.WriteString("</span>")
		}
		b.WriteString("</th>")
	}
	return template.HTML(b.String())
}

// filterRowsHTML writes the filter form's rows as
//
//	{{range .FilterRows}}<tr><th><label for="fo-{{.Index}}">{{.Column}}</label></th>
//	<td><select id="fo-{{.Index}}" name="fo.{{.Column}}">{{opoptions .Op}}</select></td>
//	<td><input type="text" name="fv.{{.Column}}" value="{{.Value}}" aria-label="{{.Column}}"></td></tr>
//	{{end}}
//
// (web/formparts.html), in l's language.
func filterRowsHTML(l *i18n.Localizer, rows []filterRow) template.HTML {
	var b strings.Builder
	for _, r := range rows {
		index := strconv.Itoa(r.Index)
		b.WriteString(`<tr><th><label for="fo-`)
		b.WriteString(index)
		b.WriteString(`">`)
		escapeHTML(&b, r.Column)
		b.WriteString("</label></th>\n<td><select id=\"fo-")
		b.WriteString(index)
		b.WriteString(`" name="fo.`)
		escapeHTML(&b, r.Column)
		b.WriteString(`">`)
		writeOpOptions(&b, l, r.Op)
		b.WriteString("</select></td>\n<td><input type=\"text\" name=\"fv.")
		escapeHTML(&b, r.Column)
		b.WriteString(`" value="`)
		escapeHTML(&b, r.Value)
		b.WriteString(`" aria-label="`)
		escapeHTML(&b, r.Column)
		b.WriteString("\"></td></tr>\n")
	}
	return template.HTML(b.String())
}
