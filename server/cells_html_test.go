package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/template/html/v2"

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
		e := html.NewFileSystem(http.FS(web.FS), ".html")
		e.AddFuncMap(templateFuncs(l))
		if err := e.Load(); err != nil {
			t.Fatal(err)
		}
		tmpl, err := e.Templates.New("cells_test").Parse(cellsTemplate)
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		if err := tmpl.Execute(&want, cells); err != nil {
			t.Fatal(err)
		}
		if got := string(cellsHTML(l, cells)); got != want.String() {
			t.Fatalf("%s: cellsHTML differs from the template:\n got %q\nwant %q", l.Lang(), got, want.String())
		}
	}
}
