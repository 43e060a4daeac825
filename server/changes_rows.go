package server

// The rows of one kind of change of one table: deleted (the older copy's
// rows whose key the newer one lacks), added, or changed (old → new per
// changed column), a page at a time in key order, with the records
// page's filters (on the version the kind shows) and a download form
// for exactly these rows.

import (
	"context"
	"net/url"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/mysql"
)

// changeQuery is what the address of a table's changes asks for.
type changeQuery struct {
	recordsQuery
	Against string
	Kind    compare.Kind
}

// encode returns the query string of q (with its cursor when withCursor).
func (q changeQuery) encode(withCursor bool) string {
	s := q.recordsQuery.encode(withCursor)
	extra := "against=" + url.QueryEscape(q.Against) + "&kind=" + string(q.Kind)
	if s == "" {
		return "?" + extra
	}
	return s + "&" + extra
}

// changeRowsPage is one page of a table's change rows.
type changeRowsPage struct {
	Set    *compare.RowSet
	Rows   []*compare.RowChange
	Notice string // why the page has no rows when it could not look for them

	// text holds the rows as the HTML page shows them, by language, and
	// as JSON: a kept page's rows are the same for every request (the day
	// and table of their links are in its key).
	text pageText
}

// tableChanges answers GET /{day}/tables/{table}/changes?against=DAY&kind=….
func (s *Server) tableChanges(c *fiber.Ctx) error {
	table, err := tableParam(c)
	if err != nil {
		return err
	}
	cq, form, err := s.parseChangeQuery(c)
	if err != nil {
		return s.withBanner(c, table, recordsQuery{}, err)
	}
	if form {
		return c.Redirect(tableURL(weekback.Weekday(c.Params("day")), table)+"/changes"+cq.encode(false), fiber.StatusSeeOther)
	}
	p, err := s.loadDay(c, func(d weekback.Weekday) string {
		return tableURL(d, table) + "/changes?kind=" + string(cq.Kind)
	})
	if err != nil {
		return err
	}
	cp, ok, err := s.resolvePair(c, p, cq.Against)
	if err != nil {
		return err
	}
	if !ok {
		return s.errorf(c, weekback.ENOTFOUND, "changes.no_earlier")
	}
	cq.Against = cp.Against
	page, err := s.changeRows(c.UserContext(), cp, table, cq)
	if err != nil && c.UserContext().Err() != nil {
		// Too slow for a page: the page says so and keeps its download form.
		err = s.errorf(c, weekback.EINVALID, "changes.too_slow", "table", table, "kind", string(cq.Kind))
		if wantsJSON(c) {
			return err
		}
		page = &changeRowsPage{Set: &compare.RowSet{Table: table}, Notice: err.Error()}
	} else if err != nil {
		return err
	}
	return s.renderTableChanges(c, p, cp, table, cq, page)
}

// parseChangeQuery reads kind (default deleted), against and the records
// page's parameters; sorting and paging backwards are refused: changes
// come in key order.
func (s *Server) parseChangeQuery(c *fiber.Ctx) (cq changeQuery, form bool, err error) {
	cq.recordsQuery, form, err = s.parseRecordsQuery(c)
	if err != nil {
		return cq, false, err
	}
	cq.Against = utils.CopyString(c.Query("against"))
	cq.Kind = compare.Deleted
	if k := c.Query("kind"); k != "" {
		if cq.Kind, err = compare.ParseKind(k); err != nil {
			return cq, false, s.errorf(c, weekback.EINVALID, "changes.kind_invalid", "value", utils.CopyString(k))
		}
	}
	if cq.Sort.Column != "" || cq.Before != "" {
		return cq, false, s.errorf(c, weekback.EINVALID, "changes.key_order")
	}
	return cq, form, nil
}

// changeRows returns one page of table's rows of cq.Kind between the
// pair's sides; pages of two generations come from the change cache's
// pages when they are there.
func (s *Server) changeRows(ctx context.Context, cp changePair, table string, cq changeQuery) (*changeRowsPage, error) {
	if s.noneOfKind(cp, table, cq.Kind) {
		return &changeRowsPage{Set: &compare.RowSet{Table: table}}, nil // no need to read the tables through
	}
	limit := cq.PageSize
	if limit == 0 {
		limit = mysql.DefaultPageSize
	}
	read := func(ctx context.Context) (*changeRowsPage, error) { return s.readChangeRows(ctx, cp, table, cq, limit) }
	if cp.Production {
		return read(ctx)
	}
	key := rowsKeyOf(cp, table, cq, limit)
	return s.changes.rows.get(ctx, key, func(ctx context.Context) (*changeRowsPage, error) {
		page, err := read(ctx)
		if page != nil {
			page.text.grew = func(n int64) { s.changes.rows.grow(key, page, n) }
		}
		return page, err
	})
}

// readChangeRows reads one page of table's rows of cq.Kind between the
// pair's sides, at most limit.
func (s *Server) readChangeRows(ctx context.Context, cp changePair, table string, cq changeQuery, limit int) (*changeRowsPage, error) {
	cmp, done, err := s.pairComparer(ctx, cp)
	if err != nil {
		return nil, err
	}
	defer done()
	page := &changeRowsPage{}
	page.Set, err = cmp.Rows(ctx, compare.RowQuery{Table: table, Kind: cq.Kind, Filters: cq.Filters, After: cq.After, Limit: limit},
		func(r *compare.RowChange) error {
			page.Rows = append(page.Rows, r)
			return nil
		})
	return page, err
}

// pairComparer returns a Comparer of cp's sides and what to call when
// done with it (production's snapshot ends then).
func (s *Server) pairComparer(ctx context.Context, cp changePair) (*compare.Comparer, func(), error) {
	from := s.sideOf(cp.From)
	if !cp.Production {
		return &compare.Comparer{From: from, To: s.sideOf(cp.To), Redaction: s.redaction()}, func() {}, nil
	}
	prod, err := compare.OpenProduction(ctx, s.Production, s.ProductionSchema)
	if err != nil {
		return nil, nil, err
	}
	return &compare.Comparer{From: from, To: prod, Redaction: s.redaction()}, func() { prod.Close() }, nil
}

// changeValue returns b, a value of col as the comparison reads it, as a
// page shows it: text cut after listValueLen characters.
func changeValue(col mysql.RecordColumn, b []byte) mysql.Value {
	if b == nil {
		return mysql.Value{Null: true}
	}
	v := mysql.Value{Bytes: b, Size: int64(len(b))}
	if col.Kind != mysql.KindText && col.Kind != mysql.KindJSON {
		return v
	}
	at, n := 0, 0
	for at < len(b) && n < listValueLen {
		_, size := utf8.DecodeRune(b[at:])
		at, n = at+size, n+1
	}
	if at < len(b) {
		v.Bytes, v.Truncated = b[:at], true
	}
	return v
}

// shownColumn returns col as a page shows the comparison's values:
// geometry arrives as stored (WKB), so it is shown as bytes.
func shownColumn(col mysql.RecordColumn) mysql.RecordColumn {
	if col.Kind == mysql.KindGeometry {
		col.Kind = mysql.KindBinary
	}
	return col
}

// noneOfKind reports whether the pair's comparison, when done, found no
// row of kind in table: a page of them would read both tables through to
// find nothing.
func (s *Server) noneOfKind(cp changePair, table string, kind compare.Kind) bool {
	if cp.Production {
		return false
	}
	e := s.changes.entry(cp.From, cp.To)
	if !e.ready() || e.err != nil {
		return false
	}
	tc, ok := e.byTable[table]
	return ok && map[compare.Kind]int64{compare.Added: tc.Added, compare.Deleted: tc.Deleted, compare.Changed: tc.Changed}[kind] == 0
}
