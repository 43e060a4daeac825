package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/template/html/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/web"
)

// cellsTemplate is what the records table wrote before cellsHTML.
const cellsTemplate = `{{range .}}<td class="kind-{{.Kind}}{{if .Empty}} empty{{end}}{{if .Long}} long{{end}}">{{template "cell" .}}</td>{{end}}`

func TestCellsHTMLAsTheTemplate(t *testing.T) {
	tricky := "a<b>&\"c\" 'd' + e\x00 — 日本語 ü"
	col := func(kind mysql.Kind, masked bool) mysql.RecordColumn {
		return mysql.RecordColumn{Kind: kind, Masked: masked}
	}
	cells := []cellView{
		cellOf(col(mysql.KindText, false), mysql.Value{Bytes: []byte(tricky)}),
		cellOf(col(mysql.KindText, false), mysql.Value{Bytes: []byte(strings.Repeat("long+<", 10)), Truncated: true}),
		cellOf(col(mysql.KindText, false), mysql.Value{Bytes: []byte{}}),
		cellOf(col(mysql.KindText, false), mysql.Value{Null: true}),
		cellOf(col(mysql.KindText, true), mysql.Value{Bytes: []byte("secret")}),
		cellOf(col(mysql.KindBinary, false), mysql.Value{Bytes: []byte{0, 1, 2, 0xff}, Size: 4}),
		cellOf(col(mysql.KindBinary, false), mysql.Value{Bytes: []byte(strings.Repeat("x", 40)), Size: 40000, Truncated: true}),
		cellOf(col(mysql.KindBinary, false), mysql.Value{Bytes: []byte{7}, Size: 1}),
		cellOf(col(mysql.KindJSON, false), mysql.Value{Bytes: []byte(`{"a":"<b> & 'c' + d","n":[1,2]}`)}),
		cellOf(col(mysql.KindJSON, false), mysql.Value{Bytes: []byte(`{"a":`), Truncated: true}),
		{Kind: mysql.Kind(`odd"kind<`), Text: tricky},
	}
	for _, tag := range i18n.MustLoad().Languages() {
		l := i18n.MustLoad().Localizer(tag)
		want := executeAsThePage(t, l, cellsTemplate, cells)
		if got := string(cellsHTML(l, cells)); got != want {
			t.Fatalf("%s: cellsHTML differs from the template:\n got %q\nwant %q", l.Lang(), got, want)
		}
	}
}

// changeCellsTemplate is what the changed rows table wrote before
// writeChangeCells.
const changeCellsTemplate = `{{range .}}<td class="kind-{{.Cell.Kind}}{{if .Cell.Empty}} empty{{end}}{{if .Changed}} changed-cell{{end}}">{{if .Hidden}}<span class="masked">{{t "changes.hidden"}}</span>{{else if .Changed}}<span class="diff-old">{{template "cell" .Old}}</span> → <span class="diff-new">{{template "cell" .Cell}}</span>{{else}}{{template "cell" .Cell}}{{end}}</td>{{end}}`

// TestChangeCellsHTMLAsTheTemplate renders change cells of every sort
// (unchanged, changed with tricky old and new values, hidden, NULL to a
// value, binary, JSON, cut) in every language with the template and with
// writeChangeCells, and compares the bytes.
func TestChangeCellsHTMLAsTheTemplate(t *testing.T) {
	tricky := "a<b>&\"c\" 'd' + e\x00 — 日本語 ü"
	col := func(kind mysql.Kind) mysql.RecordColumn { return mysql.RecordColumn{Kind: kind} }
	text := func(s string) cellView { return cellOf(col(mysql.KindText), mysql.Value{Bytes: []byte(s)}) }
	cells := []changeCell{
		{Cell: text(tricky)},
		{Cell: text("new <value>"), Changed: true, Old: text(tricky)},
		{Cell: text(""), Changed: true, Old: cellOf(col(mysql.KindText), mysql.Value{Null: true})},
		{Cell: text("secret"), Changed: true, Hidden: true},
		{Cell: cellOf(col(mysql.KindBinary), mysql.Value{Bytes: []byte{0, 1, 0xff}, Size: 3}), Changed: true,
			Old: cellOf(col(mysql.KindBinary), mysql.Value{Bytes: []byte(strings.Repeat("x", 40)), Size: 40000, Truncated: true})},
		{Cell: cellOf(col(mysql.KindJSON), mysql.Value{Bytes: []byte(`{"a":"<b> & 'c' + d"}`)})},
		{Cell: cellOf(col(mysql.KindText), mysql.Value{Bytes: []byte(strings.Repeat("long+<", 10)), Truncated: true})},
		{Cell: cellView{Kind: mysql.Kind(`odd"kind<`), Text: tricky}, Changed: true, Old: cellView{Kind: mysql.KindText, Empty: true}},
	}
	for _, tag := range i18n.MustLoad().Languages() {
		l := i18n.MustLoad().Localizer(tag)
		want := executeAsThePage(t, l, changeCellsTemplate, cells)
		var b strings.Builder
		writeChangeCells(&b, l, cells)
		if got := b.String(); got != want {
			t.Fatalf("%s: writeChangeCells differs from the template:\n got %q\nwant %q", l.Lang(), got, want)
		}
	}
}

// changeRowsTemplate is what the changed rows table wrote before
// changeRowsHTML, its cells by changeCellsTemplate.
const changeRowsTemplate = `{{define "old_changecells"}}` + changeCellsTemplate + `{{end}}` +
	`{{range .Rows}}<tr>{{if $.Keyed}}<td>{{if .URL}}<a class="open" href="{{.URL}}">{{t "records.open"}}</a> <a class="history" href="{{.HistoryURL}}">{{t "changes.history"}}</a>{{end}}</td>{{else}}<td class="num">{{num .Count}}</td>{{end}}{{template "old_changecells" .Cells}}</tr>
{{end}}`

// TestChangeRowsHTMLAsTheTemplate renders change rows, keyed (with links
// that need escaping, normalizing or refusing, and without a link) and
// keyless (counts of identical copies), in every language, with the
// template and with changeRowsHTML, and compares the bytes.
func TestChangeRowsHTMLAsTheTemplate(t *testing.T) {
	cell := func(s string) changeCell {
		return changeCell{Cell: cellOf(mysql.RecordColumn{Kind: mysql.KindText}, mysql.Value{Bytes: []byte(s)})}
	}
	changed := cell("new <v>")
	changed.Changed, changed.Old = true, cellOf(mysql.RecordColumn{Kind: mysql.KindText}, mysql.Value{Null: true})
	urls := []string{"/wed/tables/items/rows/7", "/thu/tables/t%2Fx/rows/a b?c=d&e=f+g#h", "/r/%zz%4g%41%", "/r/日本語'\"<>\x00",
		"javascript:alert(1)", "https://x/y", ""}
	var rows []changeRowView
	for i, u := range urls {
		rows = append(rows, changeRowView{URL: u, HistoryURL: urls[(i+1)%len(urls)] + "/history", Count: int64(i * 123457),
			Cells: []changeCell{cell("a<b> + c"), changed}})
	}
	for _, tag := range i18n.MustLoad().Languages() {
		l := i18n.MustLoad().Localizer(tag)
		for _, keyed := range []bool{true, false} {
			want := executeAsThePage(t, l, "<table><tbody>"+changeRowsTemplate+"</tbody></table>", map[string]any{"Rows": rows, "Keyed": keyed})
			if got := "<table><tbody>" + string(changeRowsHTML(l, rows, keyed)) + "</tbody></table>"; got != want {
				t.Fatalf("%s, keyed %v: changeRowsHTML differs from the template: %s", l.Lang(), keyed, firstDiff(got, want))
			}
		}
	}
}

// opOptionsTemplate is what the filter form wrote before writeOpOptions.
const opOptionsTemplate = `{{$row := .Row}}<option value="">{{t "records.no_op"}}</option>{{range $.Ops}}<option value="{{.}}"{{if eq (print .) $row.Op}} selected{{end}}>{{t (print "op." .)}}</option>{{end}}`

// TestOpOptionsHTMLAsTheTemplate renders the operator options with each
// operator selected, none and an unknown one, in every language, with the
// template and with writeOpOptions, and compares the bytes.
func TestOpOptionsHTMLAsTheTemplate(t *testing.T) {
	ops := []string{"", "nope\"<"}
	for _, o := range weekback.FilterOps {
		ops = append(ops, string(o))
	}
	for _, tag := range i18n.MustLoad().Languages() {
		l := i18n.MustLoad().Localizer(tag)
		for _, op := range ops {
			want := executeAsThePage(t, l, opOptionsTemplate, map[string]any{"Ops": weekback.FilterOps, "Row": filterRow{Op: op}})
			var b strings.Builder
			writeOpOptions(&b, l, op)
			if got := b.String(); got != want {
				t.Fatalf("%s, op %q: writeOpOptions differs from the template:\n got %q\nwant %q", l.Lang(), op, got, want)
			}
		}
	}
}

// rowsTemplate is what the records table wrote before rowsHTML.
const rowsTemplate = `{{range .Rows}}<tr>{{if $.Keyed}}<td>{{if .URL}}<a class="open" href="{{.URL}}">{{t "records.open"}}</a>{{end}}</td>{{end}}{{cells .Cells}}</tr>
{{end}}`

// TestRowsHTMLAsTheTemplate renders records rows, keyed and not, with
// links that need escaping, normalizing or refusing, in every language,
// with the template and with rowsHTML, and compares the bytes.
func TestRowsHTMLAsTheTemplate(t *testing.T) {
	cell := cellOf(mysql.RecordColumn{Kind: mysql.KindText}, mysql.Value{Bytes: []byte("a<b> + c")})
	urls := []string{"/mon/tables/orders/rows/AXsi", "/mon/tables/t%2Fx/rows/a b?c=d&e=f+g#h", "/r/%zz%4g%41%", "/r/日本語'\"<>\x00",
		"javascript:alert(1)", "JavaScript:x", "mailto:a@b", "https://x/y", "data:text/html,x", "a/b:c", "/r/%4", "/r/%41", ""}
	var rows []rowView
	for _, u := range urls {
		rows = append(rows, rowView{URL: u, Cells: []cellView{cell, cell}})
	}
	for _, tag := range i18n.MustLoad().Languages() {
		l := i18n.MustLoad().Localizer(tag)
		for _, keyed := range []bool{true, false} {
			want := executeAsThePage(t, l, "<table><tbody>"+rowsTemplate+"</tbody></table>", map[string]any{"Rows": rows, "Keyed": keyed})
			if got := "<table><tbody>" + string(rowsHTML(l, rows, keyed)) + "</tbody></table>"; got != want {
				t.Fatalf("%s, keyed %v: rowsHTML differs from the template:\n got %q\nwant %q", l.Lang(), keyed, got, want)
			}
		}
	}
}

// executeAsThePage runs src, a template of the page's engine in l's
// language (its partials and functions), with data.
func executeAsThePage(t *testing.T, l *i18n.Localizer, src string, data any) string {
	t.Helper()
	e := html.NewFileSystem(http.FS(web.FS), ".html")
	e.AddFuncMap(templateFuncs(l))
	if err := e.Load(); err != nil {
		t.Fatal(err)
	}
	tmpl, err := e.Templates.New("as_the_page").Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := tmpl.Execute(&out, data); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
