package server

import (
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// rowView is one row of the records table.
type rowView struct {
	URL   string
	Cells []cellView
}

// filterRow is one column's row of the filter form.
type filterRow struct {
	Index  int
	Column string
	Op     string
	Value  string
}

// renderRecords answers a records page as HTML or JSON. count says how
// many rows the query has (countText). bad, when set, is why the query
// could not run: the page shows it in the filter form.
func (s *Server) renderRecords(c *fiber.Ctx, p *dayPage, rq recordsQuery, page *mysql.Page, text *pageText, count string, bad error) error {
	base := tableURL(p.Gen.Day, page.Table)
	rowBase := base + "/rows/"
	link := func(after, before string) string {
		q := rq
		q.After, q.Before = after, before
		return base + q.encode(true)
	}
	var next, prev string
	if page.Next != "" {
		next = link(page.Next, "")
	}
	if page.Prev != "" {
		prev = link("", page.Prev)
	}
	if wantsJSON(c) {
		cols, week := s.columnViews(page, rq, ""), weekOf(nil, p.Gens, page.Table, p.Gen.Day)
		s.addMoves(nil, []*weekChart{week}, s.weekMoves(c.UserContext(), p.Gens, 0))
		rows := make([]jsonRow, len(page.Rows))
		for i, r := range page.Rows {
			rows[i] = jsonRowOf(page.Columns, r, keyURL(rowBase, r.Key))
		}
		return sendJSONRows(c, fiber.Map{"day": p.Gen.Day, "table": page.Table, "banner": p.Banner, "columns": cols, "key": page.Key,
			"filters": filterParams(rq.Filters), "sort": rq.Sort.String(), "week": week,
			"next": next, "prev": prev, "next_cursor": page.Next, "prev_cursor": page.Prev,
			"export": exportFormOf(p.Gen.Day, page.Table, rq), "view": page.View}, rows)
	}
	l := s.localizer(c)
	cols, week := s.columnViews(page, rq, base), weekOf(l, p.Gens, page.Table, p.Gen.Day)
	s.addMoves(l, []*weekChart{week}, s.weekMoves(c.UserContext(), p.Gens, 0))
	rows := text.HTML(l.Lang()+" "+string(p.Gen.Day), func() template.HTML {
		views := make([]rowView, len(page.Rows))
		for i, r := range page.Rows {
			views[i] = rowView{URL: keyURL(rowBase, r.Key), Cells: cellsOf(page.Columns, r)}
		}
		return rowsHTML(l, views, page.Key != nil)
	})
	first := ""
	if rq.After != "" || rq.Before != "" {
		first = link("", "")
	}
	day := l.Weekday(p.Gen.Day.Time())
	return c.Render("table", fiber.Map{"Title": page.Table + " · " + day, "Banner": p.Banner, "Table": page.Table,
		"DayURL": "/" + string(p.Gen.Day) + "/", "Columns": cols, "Rows": len(page.Rows) > 0, "RowsHTML": rows, "Keyed": page.Key != nil,
		"Next": next, "Prev": prev, "First": first, "Action": base, "ClearURL": base + recordsQuery{Sort: rq.Sort, PageSize: rq.PageSize}.encode(false),
		"Filters": filterParams(rq.Filters), "FilterRows": filterRows(page.Columns, rq.Filters),
		"Ops": weekback.FilterOps, "Sort": rq.Sort.String(), "PageSize": rq.PageSize,
		"Week": week, "WeekLegend": weekLegend(l), "Export": s.anonymizable(exportFormOf(p.Gen.Day, page.Table, rq)),
		"View": page.View, "ViewOrder": viewOrder(page.Columns), "QueryError": s.queryError(c, bad), "Count": count})
}

// queryError returns the sentence of bad in the request's language, ""
// without an error.
func (s *Server) queryError(c *fiber.Ctx, bad error) string {
	if bad == nil {
		return ""
	}
	_, msg, _ := s.errorMessage(c, s.localizer(c), bad)
	return msg
}

// viewOrder names the columns a view's pages are ordered by (after the
// sort column): its first unmasked ones, as mysql orders them.
func viewOrder(cols []mysql.RecordColumn) string {
	var names []string
	for _, c := range cols {
		if !c.Masked && len(names) < mysql.ViewOrderColumns {
			names = append(names, c.Name)
		}
	}
	return strings.Join(names, ", ")
}

func keyURL(rowBase, key string) string {
	if key == "" {
		return ""
	}
	return rowBase + key
}

func cellsOf(cols []mysql.RecordColumn, r mysql.Row) []cellView {
	cells := make([]cellView, len(cols))
	for i, col := range cols {
		var v mysql.Value
		if i < len(r.Values) {
			v = r.Values[i]
		}
		cells[i] = cellOf(col, v)
	}
	return cells
}

// columnViews returns the columns of page with links sorting by each
// (ascending, or descending when already ascending) under base; without
// base (JSON), no links.
func (s *Server) columnViews(page *mysql.Page, rq recordsQuery, base string) []columnView {
	out := make([]columnView, len(page.Columns))
	for i, col := range page.Columns {
		cv := columnView{Name: col.Name, Kind: col.Kind, Type: col.ColumnType, Key: col.Key, Masked: col.Masked}
		if !col.Masked && base != "" {
			q := recordsQuery{Filters: rq.Filters, PageSize: rq.PageSize, Sort: weekback.Sort{Column: col.Name}}
			if strings.EqualFold(rq.Sort.Column, col.Name) {
				cv.Sorted = "▲"
				if rq.Sort.Desc {
					cv.Sorted = "▼"
				}
				q.Sort.Desc = !rq.Sort.Desc
			}
			cv.SortURL = base + q.encode(false)
		}
		out[i] = cv
	}
	return out
}

// filterParams returns the filters as "COL=op:value" (JSON, the page's
// list of active filters).
func filterParams(fs []weekback.Filter) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// filterRows returns the filter form's rows: every column that can be
// filtered, with its first active filter.
func filterRows(cols []mysql.RecordColumn, fs []weekback.Filter) []filterRow {
	var out []filterRow
	for i, col := range cols {
		if col.Masked {
			continue
		}
		r := filterRow{Index: i, Column: col.Name}
		for _, f := range fs {
			if strings.EqualFold(f.Column, col.Name) {
				r.Op, r.Value = string(f.Op), strings.TrimPrefix(f.Param(), string(f.Op)+":")
				if !f.Op.TakesValue() {
					r.Value = ""
				}
				break
			}
		}
		out = append(out, r)
	}
	return out
}

// fieldView is one column of a record page.
type fieldView struct {
	Name string
	Type string
	Key  bool
	Cell cellView
}

// renderRecord answers a record page as HTML or JSON.
func (s *Server) renderRecord(c *fiber.Ctx, p *dayPage, table string, key []string, page *mysql.Page) error {
	r := page.Rows[0]
	base := tableURL(p.Gen.Day, page.Table)
	if wantsJSON(c) {
		jr := jsonRowOf(page.Columns, r, keyURL(base+"/rows/", r.Key))
		return c.JSON(fiber.Map{"day": p.Gen.Day, "table": page.Table, "banner": p.Banner, "columns": s.columnViews(page, recordsQuery{}, ""),
			"key": jr.Key, "url": jr.URL, "values": jr.Values, "truncated": jr.Truncated})
	}
	cells := cellsOf(page.Columns, r)
	fields := make([]fieldView, len(cells))
	for i, col := range page.Columns {
		fields[i] = fieldView{Name: col.Name, Type: col.ColumnType, Key: col.Key, Cell: cells[i]}
	}
	keyText := strings.Join(key, ", ")
	day := s.localizer(c).Weekday(p.Gen.Day.Time())
	return c.Render("record", fiber.Map{"Title": table + " " + keyText + " · " + day, "Banner": p.Banner,
		"Table": page.Table, "TableURL": base, "Key": keyText, "Fields": fields,
		"HistoryURL": historyURL(p.Gen.Day, page.Table, mysql.FormatRowKey(key))})
}
