package server

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/weekback/weekback/i18n"
)

// weekBarsHTML writes a table's seven bars as the templates
//
//	{{define "weekbars"}}<span class="week-bars">{{range .Bars}}{{if .Current}}<span class="bar h{{.Height}} current{{if .Drop}} drop{{end}}" role="img" aria-current="page" title="{{.Label}}" aria-label="{{.Label}}">{{template "weekbar" .}}</span>{{else if .URL}}<a class="bar h{{.Height}}{{if .Drop}} drop{{end}}" href="{{.URL}}" title="{{.Label}}" aria-label="{{.Label}}">{{template "weekbar" .}}</a>{{else}}<span class="bar h0 {{if .Served}}absent{{else}}none{{end}}" role="img" title="{{.Label}}" aria-label="{{.Label}}">{{template "weekbar" .}}</span>{{end}}{{end}}</span>{{end}}
//	{{define "weekbar"}}<span class="col"><span class="fill"></span></span><span class="wd">{{.Short}}{{if .Drop}}<span class="mark"> ▼</span>{{end}}</span>{{with .Move}}{{if or .Deleted .Added .Changed}}<span class="moves"> <span>−{{num .Deleted}}</span> <span>+{{num .Added}}</span> <span>~{{num .Changed}}</span></span>{{end}}{{end}}{{if .Alert}}<span class="alert-badge">!</span>{{end}}{{end}}
//
// wrote them (web/week.html), byte for byte: about twenty template calls
// a bar made the chart a fifth of an HTML records page's CPU, and the day
// page draws one chart per table. TestWeekBarsHTMLAsTheTemplate keeps the
// two the same.
func weekBarsHTML(l *i18n.Localizer, bars []weekBar) template.HTML {
	var b strings.Builder
	b.WriteString(`<span class="week-bars">`)
	for _, bar := range bars {
		switch {
		case bar.Current:
			b.WriteString(`<span class="bar h`)
			b.WriteString(strconv.Itoa(bar.Height))
			b.WriteString(" current")
			writeIf(&b, bar.Drop, " drop")
			b.WriteString(`" role="img" aria-current="page"`)
			writeLabel(&b, bar.Label)
			writeBar(&b, l, bar)
			b.WriteString("</span>")
		case bar.URL != "":
			b.WriteString(`<a class="bar h`)
			b.WriteString(strconv.Itoa(bar.Height))
			writeIf(&b, bar.Drop, " drop")
			b.WriteString(`" href="`)
			writeURLAttr(&b, bar.URL)
			b.WriteString(`"`)
			writeLabel(&b, bar.Label)
			writeBar(&b, l, bar)
			b.WriteString("</a>")
		default:
			b.WriteString(`<span class="bar h0 `)
			if bar.Served {
				b.WriteString("absent")
			} else {
				b.WriteString("none")
			}
			b.WriteString(`" role="img"`)
			writeLabel(&b, bar.Label)
			writeBar(&b, l, bar)
			b.WriteString("</span>")
		}
	}
	b.WriteString("</span>")
	return template.HTML(b.String())
}

// writeLabel writes a bar's title and aria-label attributes and closes
// its start tag.
func writeLabel(b *strings.Builder, label string) {
	b.WriteString(` title="`)
	escapeHTML(b, label)
	b.WriteString(`" aria-label="`)
	escapeHTML(b, label)
	b.WriteString(`">`)
}

// writeBar writes what the "weekbar" template wrote inside a bar.
func writeBar(b *strings.Builder, l *i18n.Localizer, bar weekBar) {
	b.WriteString(`<span class="col"><span class="fill"></span></span><span class="wd">`)
	escapeHTML(b, bar.Short)
	writeIf(b, bar.Drop, `<span class="mark"> ▼</span>`)
	b.WriteString("</span>")
	if m := bar.Move; m != nil && (m.Deleted != 0 || m.Added != 0 || m.Changed != 0) {
		b.WriteString(`<span class="moves"> <span>−`)
		escapeHTML(b, l.Number(m.Deleted))
		b.WriteString(`</span> <span>+`)
		escapeHTML(b, l.Number(m.Added))
		b.WriteString(`</span> <span>~`)
		escapeHTML(b, l.Number(m.Changed))
		b.WriteString(`</span></span>`)
	}
	writeIf(b, bar.Alert, `<span class="alert-badge">!</span>`)
}

// weekAlertsHTML writes the links to the days of a table's alerts as the
// template
//
//	{{define "weekalerts"}}{{range .Bars}}{{if and .Alert .ChangesURL}}<a class="alert-link" href="{{.ChangesURL}}"><span class="alert-badge">!</span> {{.Short}}</a> {{end}}{{end}}{{end}}
//
// wrote them (web/week.html), byte for byte, for the day page's table of
// the week. TestWeekBarsHTMLAsTheTemplate keeps the two the same.
func weekAlertsHTML(bars []weekBar) template.HTML {
	var b strings.Builder
	for _, bar := range bars {
		if bar.Alert && bar.ChangesURL != "" {
			b.WriteString(`<a class="alert-link" href="`)
			writeURLAttr(&b, bar.ChangesURL)
			b.WriteString(`"><span class="alert-badge">!</span> `)
			escapeHTML(&b, bar.Short)
			b.WriteString("</a> ")
		}
	}
	return template.HTML(b.String())
}

// writeIf writes s when cond holds.
func writeIf(b *strings.Builder, cond bool, s string) {
	if cond {
		b.WriteString(s)
	}
}
