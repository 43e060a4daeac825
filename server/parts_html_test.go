package server

import (
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/mysql"
)

// The templates of the four lists before parts_html.go wrote them.
const (
	langLinksTemplate = `{{range .Langs}}<a class="lang" data-lang="{{.Lang}}" hreflang="{{.Lang}}" lang="{{.Lang}}" href="{{.URL}}"{{if .Current}} aria-current="true"{{end}}>{{.Name}}</a> {{end}}`
	daySwitchTemplate = `{{range .Days}}{{if .Current}}<span class="day current" aria-current="page">{{.Label}}</span>{{else if .URL}}<a class="day" href="{{.URL}}">{{.Label}}</a>{{else}}<span class="day off">{{.Label}}</span>{{end}} {{end}}`
	colHeadsTemplate  = `{{range .Columns}}<th class="kind-{{.Kind}}" title="{{.Type}}">{{if .SortURL}}<a href="{{.SortURL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}{{if .Sorted}} <span class="sorted">{{.Sorted}}</span>{{end}}</th>{{end}}`
	// filterRowsTemplate has the operator options' own template
	// (opOptionsTemplate) where it called them.
	filterRowsTemplate = `{{range .FilterRows}}{{$row := .}}<tr><th><label for="fo-{{.Index}}">{{.Column}}</label></th>
<td><select id="fo-{{.Index}}" name="fo.{{.Column}}"><option value="">{{t "records.no_op"}}</option>{{range $.Ops}}<option value="{{.}}"{{if eq (print .) $row.Op}} selected{{end}}>{{t (print "op." .)}}</option>{{end}}</select></td>
<td><input type="text" name="fv.{{.Column}}" value="{{.Value}}" aria-label="{{.Column}}"></td></tr>
{{end}}`
)

// TestPartsHTMLAsTheTemplates renders each list, with names, labels and
// links that need escaping, normalizing or refusing, in every language,
// with its former template and with its Go function, and compares the
// bytes. Each list sits in its element (nav, thead, form table), so that
// the template escapes it in the context the page gives it.
func TestPartsHTMLAsTheTemplates(t *testing.T) {
	tricky := "a<b>&\"c\" 'd' + e\x00 — 日本語 ü"
	urls := []string{"/lang/ja?next=%2Fmon%2Ftables%2Forders", "/mon/tables/t%2Fx?sort=-a&page_size=50", "/r/%zz%4g%41%",
		"/r/日本語'\"<>\x00", "javascript:alert(1)", "JavaScript:x", "https://x/y", "data:text/html,x", "a/b:c", ""}
	var langs []langLink
	var days []switchLink
	var cols []columnView
	var rows []filterRow
	for i, u := range urls {
		langs = append(langs, langLink{Lang: []string{"ja", tricky}[i%2], Name: tricky + u, URL: u, Current: i%3 == 0})
		days = append(days, switchLink{Label: tricky + u, URL: u, Current: i%4 == 1})
		cols = append(cols, columnView{Name: tricky + u, Kind: []mysql.Kind{mysql.KindText, `odd"kind<`}[i%2], Type: "enum('a','<b>')",
			SortURL: u, Sorted: []string{"", "▲", "▼"}[i%3]})
		rows = append(rows, filterRow{Index: i * 7, Column: tricky + u, Op: string(weekback.FilterOps[i%len(weekback.FilterOps)]), Value: u + tricky})
	}
	rows = append(rows, filterRow{Column: "status", Op: "nope\"<"}, filterRow{Index: 3, Column: "x"})
	data := map[string]any{"Langs": langs, "Days": days, "Columns": cols, "FilterRows": rows, "Ops": weekback.FilterOps}
	for _, tag := range i18n.MustLoad().Languages() {
		l := i18n.MustLoad().Localizer(tag)
		for _, c := range []struct {
			name, template string
			got            string
		}{
			{"langLinksHTML", "<nav>" + langLinksTemplate + "</nav>", "<nav>" + string(langLinksHTML(langs)) + "</nav>"},
			{"daySwitchHTML", "<nav>" + daySwitchTemplate + "</nav>", "<nav>" + string(daySwitchHTML(days)) + "</nav>"},
			{"columnHeadsHTML", "<table><thead><tr>" + colHeadsTemplate + "</tr></thead></table>",
				"<table><thead><tr>" + string(columnHeadsHTML(cols)) + "</tr></thead></table>"},
			{"filterRowsHTML", "<form><table><tbody>" + filterRowsTemplate + "</tbody></table></form>",
				"<form><table><tbody>" + string(filterRowsHTML(l, rows)) + "</tbody></table></form>"},
		} {
			if want := executeAsThePage(t, l, c.template, data); c.got != want {
				t.Fatalf("%s: %s differs from its template: %s", l.Lang(), c.name, firstDiff(c.got, want))
			}
		}
	}
}
