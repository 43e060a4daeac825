package server

import (
	"io"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/mysql"
)

// BenchmarkRecordsPageHTML renders the HTML records page of the server
// benchmark's shape (bench/server: orders, six columns, 50 rows, a week
// chart of seven copies, a logged-in admin) in Japanese, templates only:
// no query, no HTTP. It shows what a template change costs or saves
// without the noise of a loaded machine.
func BenchmarkRecordsPageHTML(b *testing.B) {
	v := newLocalizedViews(i18n.Default())
	if err := v.Load(); err != nil {
		b.Fatal(err)
	}
	binding, rows := benchRecordsBinding(b)
	l := binding["L"].(*i18n.Localizer)
	b.ReportAllocs()
	for b.Loop() {
		binding["RowsHTML"] = rowsHTML(l, rows, true) // a page not kept yet
		if err := v.Render(io.Discard, "table", binding, pageLayout); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRecordsBinding is what the records page handler and the middleware
// before it bind for the first page of the bench's orders table, and the
// rows its RowsHTML holds.
func benchRecordsBinding(b *testing.B) (fiber.Map, []rowView) {
	cat := i18n.Default()
	l := cat.Localizer(language.Japanese)
	s := &Server{Messages: cat, Location: time.UTC}
	gens := make([]*weekback.Generation, 7)
	at := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	for i, d := range weekback.Weekdays {
		rows := int64(2_000_000 - 1000*i)
		gens[i] = &weekback.Generation{Day: d, Slot: "s_" + string(d), Status: weekback.StatusReady,
			Manifest: &weekback.Manifest{Day: d, SnapshotAt: at.AddDate(0, 0, i-7), Tables: []weekback.TableInfo{{Name: "orders", Rows: rows}}}}
	}
	mon := weekback.Monday
	page := &mysql.Page{Table: "orders"}
	for _, c := range []struct {
		name string
		kind mysql.Kind
		typ  string
	}{{"id", mysql.KindNumber, "bigint(20) unsigned"}, {"customer_id", mysql.KindNumber, "int(10) unsigned"},
		{"status", mysql.KindText, "enum('pending','paid','shipped')"}, {"ordered_at", mysql.KindDatetime, "datetime"},
		{"total", mysql.KindNumber, "decimal(12,2)"}, {"note", mysql.KindText, "varchar(255)"}} {
		page.Columns = append(page.Columns, mysql.RecordColumn{Column: mysql.Column{Name: c.name, ColumnType: c.typ}, Kind: c.kind, Key: c.name == "id"})
	}
	rows := make([]rowView, 50)
	for i := range rows {
		r := mysql.Row{Values: []mysql.Value{{Bytes: []byte("1234567")}, {Bytes: []byte("4242")}, {Bytes: []byte("paid")},
			{Bytes: []byte("2026-12-06 12:34:56")}, {Bytes: []byte("12345.67")}, {Bytes: []byte("配達〜午前中 <急ぎ>")}}}
		rows[i] = rowView{URL: "/mon/tables/orders/rows/AXsiMTIzNDU2NyJd", Cells: cellsOf(page.Columns, r)}
	}
	week := weekOf(l, gens, "orders", mon)
	base := tableURL(mon, "orders")
	me := &principal{Login: "support", Admin: true, CSRF: "csrf-token-0123456789abcdef"}
	return fiber.Map{"L": l, "Lang": l.Lang(), "Langs": s.langLinks(l, "/mon/tables/orders"), "Me": me, "RunsOn": true,
		"Title": "orders · 月曜日", "Banner": s.newBanner(l, gens[0], gens, func(d weekback.Weekday) string { return tableURL(d, "orders") }),
		"Table": "orders", "DayURL": "/mon/", "Columns": s.columnViews(page, recordsQuery{}, base), "Keyed": true,
		"Rows": true, "RowsHTML": rowsHTML(l, rows, true),
		"Next": base + "?after=AXsicyI6MjU1NDk4Njc2MSwidiI6WyIxMDAwMDAiXSwiayI6MX0", "Action": base, "ClearURL": base,
		"FilterRows": filterRows(page.Columns, nil), "Ops": weekback.FilterOps, "Week": week, "WeekLegend": weekLegend(l),
		"Export": s.anonymizable(exportFormOf(mon, "orders", recordsQuery{})), "ViewOrder": viewOrder(page.Columns)}, rows
}
