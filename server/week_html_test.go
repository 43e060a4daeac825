package server

import (
	"fmt"
	"testing"

	"github.com/weekback/weekback/i18n"
)

// weekTemplates are the templates the week chart was written with before
// weekBarsHTML and weekAlertsHTML (web/week.html), renamed "old_…".
const weekTemplates = `{{define "old_weekbars"}}<span class="week-bars">{{range .Bars}}{{if .Current}}<span class="bar h{{.Height}} current{{if .Drop}} drop{{end}}" role="img" aria-current="page" title="{{.Label}}" aria-label="{{.Label}}">{{template "old_weekbar" .}}</span>{{else if .URL}}<a class="bar h{{.Height}}{{if .Drop}} drop{{end}}" href="{{.URL}}" title="{{.Label}}" aria-label="{{.Label}}">{{template "old_weekbar" .}}</a>{{else}}<span class="bar h0 {{if .Served}}absent{{else}}none{{end}}" role="img" title="{{.Label}}" aria-label="{{.Label}}">{{template "old_weekbar" .}}</span>{{end}}{{end}}</span>{{end}}` +
	`{{define "old_weekbar"}}<span class="col"><span class="fill"></span></span><span class="wd">{{.Short}}{{if .Drop}}<span class="mark"> ▼</span>{{end}}</span>{{with .Move}}{{if or .Deleted .Added .Changed}}<span class="moves"> <span>−{{num .Deleted}}</span> <span>+{{num .Added}}</span> <span>~{{num .Changed}}</span></span>{{end}}{{end}}{{if .Alert}}<span class="alert-badge">!</span>{{end}}{{end}}` +
	`{{define "old_weekalerts"}}{{range .Bars}}{{if and .Alert .ChangesURL}}<a class="alert-link" href="{{.ChangesURL}}"><span class="alert-badge">!</span> {{.Short}}</a> {{end}}{{end}}{{end}}`

// TestWeekBarsHTMLAsTheTemplate renders bars of every sort (the page's
// day with and without a drop, linked days, days without the table or
// without a copy, moves of none, some and huge counts, alerts with and
// without a link, labels, names and links that need escaping,
// normalizing or refusing) in every language with the templates and with
// weekBarsHTML and weekAlertsHTML, and compares the bytes.
func TestWeekBarsHTMLAsTheTemplate(t *testing.T) {
	tricky := "a<b>&\"c\" 'd' + e\x00 — 日本語 ü"
	urls := []string{"/mon/tables/orders", "/tue/tables/t%2Fx?against=mon&kind=deleted", "/r/%zz%4g%41%", "/r/日本語'\"<>\x00",
		"javascript:alert(1)", "JavaScript:x", "https://x/y", "data:text/html,x", "a/b:c"}
	moves := []*weekMove{nil, {}, {Added: 1}, {Deleted: 1234567, Changed: 89}, {Added: 9_007_199_254_740_993, Deleted: -5}}
	var bars []weekBar
	for i, u := range urls {
		for j, m := range moves {
			bars = append(bars, weekBar{Short: []string{"Mon", tricky, "水"}[j%3], Label: tricky + u,
				Height: (i + j) % (barSteps + 1), URL: u, Served: true, Has: true, Drop: j%2 == 0, Move: m,
				Alert: (i+j)%3 == 0, ChangesURL: urls[(i+j)%len(urls)]})
		}
	}
	bars = append(bars,
		weekBar{Short: "Sun", Label: "current", Height: 20, Current: true, URL: "/sun/tables/x", Served: true, Has: true},
		weekBar{Short: "Sat", Label: "current drop", Height: 3, Current: true, Drop: true, Alert: true, Move: &weekMove{Deleted: 40}},
		weekBar{Short: "Fri", Label: "no table", Served: true, Alert: true},
		weekBar{Short: "Thu", Label: "no copy <x>", Drop: true},
	)
	for _, tag := range i18n.MustLoad().Languages() {
		l := i18n.MustLoad().Localizer(tag)
		for _, part := range [][]weekBar{bars, bars[:1], nil} {
			data := map[string]any{"Bars": part}
			want := executeAsThePage(t, l, weekTemplates+`{{template "old_weekbars" .}}|{{template "old_weekalerts" .}}`, data)
			if got := string(weekBarsHTML(l, part)) + "|" + string(weekAlertsHTML(part)); got != want {
				t.Fatalf("%s, %d bars: weekBarsHTML|weekAlertsHTML differ from the templates: %s", l.Lang(), len(part), firstDiff(got, want))
			}
		}
	}
}

// firstDiff shows where got and want part, with some bytes around.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n got …%q\nwant …%q", i, got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
}
