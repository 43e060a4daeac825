package server

import (
	"context"
	"encoding/json"
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/mysql"
)

// changeRowView is one row of a table's changes page.
type changeRowView struct {
	URL, HistoryURL string // the record on the day that has this version; its history
	Count           int64  // identical copies (tables without a key)
	Cells           []changeCell
}

// changeCell is one value of a change row: for a changed column, Old and
// the new value (Cell).
type changeCell struct {
	Cell    cellView
	Changed bool
	Old     cellView
	Hidden  bool // a credential column that changed: nothing shown
}

// changeJSONRow is one row of a table's changes as JSON.
type changeJSONRow struct {
	Key     string          `json:"key,omitempty"`
	URL     string          `json:"url,omitempty"`
	Count   int64           `json:"count"`
	Values  jsonValues      `json:"values"`
	Changes []changeJSONCol `json:"changes,omitempty"`
}

// changeJSONCol is one changed column of a changed row as JSON.
type changeJSONCol struct {
	Column string     `json:"column"`
	Old    jsonValues `json:"old"`
	New    jsonValues `json:"new"`
	Masked bool       `json:"masked,omitempty"`
}

// kindTab is one kind of change of the table, with its count when known.
type kindTab struct {
	Kind    compare.Kind
	Label   string
	URL     string
	Count   int64
	Counted bool // Count is known
	Current bool
}

// recordDay returns the day whose copy holds the version of a row of
// kind (the newer copy for added rows, the older one otherwise); "" for
// production.
func recordDay(cp changePair, kind compare.Kind) weekback.Weekday {
	if kind == compare.Added {
		if cp.Production {
			return ""
		}
		return cp.To.Day
	}
	return cp.From.Day
}

// renderTableChanges answers a table's changes as HTML or JSON.
func (s *Server) renderTableChanges(c *fiber.Ctx, p *dayPage, cp changePair, table string, cq changeQuery, page *changeRowsPage) error {
	base := tableURL(p.Gen.Day, table) + "/changes"
	next := ""
	if page.Set.Next != "" {
		q := cq
		q.After = page.Set.Next
		next = base + q.encode(true)
	}
	cols := make([]mysql.RecordColumn, len(page.Set.Columns))
	for i, col := range page.Set.Columns {
		cols[i] = shownColumn(col)
	}
	day := recordDay(cp, cq.Kind)
	from, to := cp.labels()
	if wantsJSON(c) {
		rows, err := page.text.JSON("rows", func() (json.RawMessage, error) { return changeRowsJSON(cols, page.Rows, day, table) })
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"day": p.Gen.Day, "table": table, "from": from, "to": to, "kind": cq.Kind, "key": page.Set.Key,
			"columns": columnViewsOf(cols), "filters": filterParams(cq.Filters), "rows": rows, "next": next, "next_cursor": page.Set.Next})
	}
	l := s.localizer(c)
	keyed := page.Set.Key != nil
	rows := page.text.HTML(l.Lang(), func() template.HTML {
		views := make([]changeRowView, len(page.Rows))
		for i, r := range page.Rows {
			views[i] = changeRowOf(cols, r, day, table)
		}
		return changeRowsHTML(l, views, keyed)
	})
	first := ""
	if cq.After != "" {
		q := cq
		q.After = ""
		first = base + q.encode(false)
	}
	return c.Render("changes_table", fiber.Map{"Title": table + " · " + s.changesHeading(l, cp, p.Gen.Day), "Banner": p.Banner,
		"Heading": s.changesHeading(l, cp, p.Gen.Day), "Table": table, "Kind": string(cq.Kind), "Tabs": s.kindTabs(c.UserContext(), l, cp, p.Gen.Day, table, cq),
		"Columns": columnViewsOf(cols), "Rows": len(page.Rows) > 0, "RowsHTML": rows, "Next": next, "First": first, "Keyed": keyed,
		"ChangesURL": changesURL(p.Gen.Day, cq.Against), "Action": base, "Against": cq.Against, "KindValue": string(cq.Kind),
		"PageSize": cq.PageSize, "Filters": filterParams(cq.Filters), "FilterRows": filterRows(cols, cq.Filters), "Ops": weekback.FilterOps,
		"ClearURL": base + changeQuery{Against: cq.Against, Kind: cq.Kind}.encode(false), "Download": changeDownloadOf(cp, table, cq), "Notice": page.Notice})
}

func columnViewsOf(cols []mysql.RecordColumn) []columnView {
	out := make([]columnView, len(cols))
	for i, col := range cols {
		out[i] = columnView{Name: col.Name, Kind: col.Kind, Type: col.ColumnType, Key: col.Key, Masked: col.Masked}
	}
	return out
}

// values returns a row's values as page values.
func values(cols []mysql.RecordColumn, vals [][]byte) []mysql.Value {
	out := make([]mysql.Value, len(cols))
	for i, col := range cols {
		if i < len(vals) && !col.Masked {
			out[i] = changeValue(col, vals[i])
		}
	}
	return out
}

// rowURLs returns the record page of r's version on day, and its history.
func rowURLs(r *compare.RowChange, day weekback.Weekday, table string) (string, string) {
	if r.Key == nil || day == "" {
		return "", ""
	}
	key := mysql.FormatRowKey(r.Key)
	return tableURL(day, table) + "/rows/" + key, historyURL(day, table, key)
}

func changeRowOf(cols []mysql.RecordColumn, r *compare.RowChange, day weekback.Weekday, table string) changeRowView {
	shown := r.Values()
	if r.Kind == compare.Changed {
		shown = r.To
	}
	v := changeRowView{Count: r.Count}
	v.URL, v.HistoryURL = rowURLs(r, day, table)
	vals := values(cols, shown)
	for i, col := range cols {
		cell := changeCell{Cell: cellOf(col, vals[i])}
		for _, ch := range r.Changes {
			if ch.Index == i {
				cell.Changed, cell.Hidden = true, ch.Masked
				if !ch.Masked {
					cell.Old = cellOf(col, changeValue(col, ch.Old))
				}
			}
		}
		v.Cells = append(v.Cells, cell)
	}
	return v
}

// changeRowsJSON writes rows as the JSON answer's "rows", to be written
// once per kept page and spliced into every answer as a json.RawMessage
// (which encoding/json compacts and HTML-escapes as it does the rest).
func changeRowsJSON(cols []mysql.RecordColumn, rows []*compare.RowChange, day weekback.Weekday, table string) (json.RawMessage, error) {
	views := make([]changeJSONRow, len(rows))
	for i, r := range rows {
		views[i] = changeJSONOf(cols, r, day, table)
	}
	return json.Marshal(views)
}

// changeJSONOf is r as a row of the JSON answer, its links to day's copy
// of table.
func changeJSONOf(cols []mysql.RecordColumn, r *compare.RowChange, day weekback.Weekday, table string) changeJSONRow {
	jr := changeJSONRow{Count: r.Count, Values: jsonValues{cols: cols, vals: values(cols, r.Values())}}
	if r.Key != nil {
		jr.Key = mysql.FormatRowKey(r.Key)
	}
	jr.URL, _ = rowURLs(r, day, table)
	for _, ch := range r.Changes {
		one := cols[ch.Index : ch.Index+1]
		jc := changeJSONCol{Column: ch.Column, Masked: ch.Masked, Old: jsonValues{cols: one}, New: jsonValues{cols: one}}
		if !ch.Masked {
			jc.Old.vals, jc.New.vals = []mysql.Value{changeValue(one[0], ch.Old)}, []mysql.Value{changeValue(one[0], ch.New)}
		}
		jr.Changes = append(jr.Changes, jc)
	}
	return jr
}

// tabsWait is how long a table's changes page waits for the counts of
// its tabs (the comparison of every table of the pair, in the background).
const tabsWait = time.Second

// kindTabs returns the three kinds of change of table, with their counts
// when the pair's comparison is done within tabsWait.
func (s *Server) kindTabs(ctx context.Context, l *i18n.Localizer, cp changePair, day weekback.Weekday, table string, cq changeQuery) []kindTab {
	var tc *compare.TableChange
	if !cp.Production {
		if e := s.changes.entry(cp.From, cp.To); e.wait(ctx, tabsWait) && e.err == nil {
			if t, ok := e.byTable[table]; ok {
				tc = &t
			}
		}
	}
	var tabs []kindTab
	for _, k := range []compare.Kind{compare.Deleted, compare.Added, compare.Changed} {
		q := changeQuery{recordsQuery: recordsQuery{Filters: cq.Filters, PageSize: cq.PageSize}, Against: cq.Against, Kind: k}
		t := kindTab{Kind: k, Label: l.T("changes.col." + string(k)), URL: tableURL(day, table) + "/changes" + q.encode(false), Current: k == cq.Kind}
		if tc != nil {
			t.Count, t.Counted = map[compare.Kind]int64{compare.Deleted: tc.Deleted, compare.Added: tc.Added, compare.Changed: tc.Changed}[k], true
		}
		tabs = append(tabs, t)
	}
	return tabs
}

// changeDownload is the "Download these rows" form of a table's changes:
// the export of the day whose copy holds these versions, narrowed to
// them by missing_in or changed_in, with the page's filters.
type changeDownload struct {
	Action, JobAction string
	Hidden            []hiddenField
	// BundleAction prepares a restore bundle of these rows (deleted and
	// changed rows: the versions production lost).
	BundleAction string
}

// changeDownloadOf returns the download form, nil for rows only
// production holds (added there).
func changeDownloadOf(cp changePair, table string, cq changeQuery) *changeDownload {
	day := recordDay(cp, cq.Kind)
	if day == "" {
		return nil
	}
	from, to := cp.labels()
	param, other := "missing_in", to
	switch cq.Kind {
	case compare.Added:
		other = from
	case compare.Changed:
		param = "changed_in"
	}
	base := tableURL(day, table)
	d := &changeDownload{Action: base + "/export.csv", JobAction: base + "/exports", Hidden: []hiddenField{{param, other}}}
	if cq.Kind != compare.Added {
		d.BundleAction = base + "/bundles"
	}
	for _, f := range cq.Filters {
		d.Hidden = append(d.Hidden, hiddenField{weekback.FilterParamPrefix + f.Column, f.Param()})
	}
	return d
}
