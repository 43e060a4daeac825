package server

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Lengths after which values are cut: short on the records page, long on
// a record's own page.
const (
	listValueLen   = 200
	recordValueLen = 64 << 10
)

// Query parameters of the records page. The filter form sends each
// column's operator and value apart (formOpPrefix, formValuePrefix);
// the page redirects such a request to the f.COL=op:value form.
const (
	formOpPrefix    = "fo."
	formValuePrefix = "fv."
)

// recordsQuery is what the address of a records page asks for.
type recordsQuery struct {
	Filters       []weekback.Filter
	Sort          weekback.Sort
	PageSize      int
	After, Before string
}

// parseRecordsQuery reads f.COL (repeatable), sort, page_size, after and
// before. form reports whether the filter form was sent (fo.COL/fv.COL),
// whose filters replace those of f.COL. Errors are EINVALID sentences.
func (s *Server) parseRecordsQuery(c *fiber.Ctx) (q recordsQuery, form bool, err error) {
	args := c.Context().QueryArgs()
	var errs []error
	args.VisitAll(func(k, v []byte) {
		key := string(k)
		if col, ok := strings.CutPrefix(key, weekback.FilterParamPrefix); ok {
			f, err := weekback.ParseFilterParam(col, string(v))
			errs = append(errs, err)
			q.Filters = append(q.Filters, f)
		}
		form = form || strings.HasPrefix(key, formOpPrefix)
	})
	if err := firstError(errs); err != nil {
		q.Filters = slices.DeleteFunc(q.Filters, func(f weekback.Filter) bool { return f.Column == "" })
		return q, false, err
	}
	if form {
		if q.Filters, err = formFilters(args.VisitAll); err != nil {
			return q, false, err
		}
	}
	if q.Sort, err = weekback.ParseSort(string(args.Peek("sort"))); err != nil {
		return q, false, err
	}
	if ps := string(args.Peek("page_size")); ps != "" {
		if q.PageSize, err = strconv.Atoi(ps); err != nil || q.PageSize < 1 {
			return q, false, s.errorf(c, weekback.EINVALID, "records.page_size", "value", ps, "max", mysql.MaxPageSize)
		}
		if q.PageSize > mysql.MaxPageSize {
			return q, false, s.errorf(c, weekback.EINVALID, "error.page_size", "max", mysql.MaxPageSize)
		}
	}
	q.After, q.Before = string(args.Peek("after")), string(args.Peek("before"))
	return q, form, nil
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// formFilters reads the filter form: fo.COL is the operator ("" for none)
// and fv.COL its value.
func formFilters(visit func(func(k, v []byte))) ([]weekback.Filter, error) {
	values := map[string]string{}
	var cols, ops []string
	visit(func(k, v []byte) {
		key := string(k)
		if col, ok := strings.CutPrefix(key, formValuePrefix); ok {
			values[col] = string(v)
		}
		if col, ok := strings.CutPrefix(key, formOpPrefix); ok && len(v) > 0 {
			cols, ops = append(cols, col), append(ops, string(v))
		}
	})
	var out []weekback.Filter
	for i, col := range cols {
		param := ops[i]
		if weekback.FilterOp(param).TakesValue() {
			param += ":" + values[col]
		}
		f, err := weekback.ParseFilterParam(col, param)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// encode returns the query string of q ("" when empty, else with "?"),
// with its cursors when withCursor.
func (q recordsQuery) encode(withCursor bool) string {
	v := url.Values{}
	for _, f := range q.Filters {
		v.Add(weekback.FilterParamPrefix+f.Column, f.Param())
	}
	if q.Sort.Column != "" {
		v.Set("sort", q.Sort.String())
	}
	if q.PageSize > 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	if withCursor && q.After != "" {
		v.Set("after", q.After)
	}
	if withCursor && q.Before != "" {
		v.Set("before", q.Before)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// tableParam returns the {table} of the address, unescaped and copied
// out of Fiber's buffer (the Catalog keeps it).
func tableParam(c *fiber.Ctx) (string, error) {
	t, err := url.PathUnescape(mysql.UnescapePathSegment(utils.CopyString(c.Params("table"))))
	if err != nil || t == "" {
		return "", fiber.ErrNotFound
	}
	return t, nil
}

// checkTable returns an ENOTFOUND error unless the manifest lists table,
// or a view of that name that was recreated in the slot.
func (s *Server) checkTable(c *fiber.Ctx, m *weekback.Manifest, table string) error {
	if m.Table(table) != nil {
		return nil
	}
	if v := m.View(table); v != nil {
		if v.Error == "" {
			return nil
		}
		return s.errorf(c, weekback.ENOTFOUND, "view.missing", "view", table)
	}
	return s.errorf(c, weekback.ENOTFOUND, "table.unknown", "table", table)
}

// withSlot runs fn with a connection of the slot pool. fn's queries are
// Catalog calls only: each runs in a read-only transaction of its own.
func (s *Server) withSlot(c *fiber.Ctx, fn func(conn *sqlx.Conn) error) error {
	if s.Slots == nil || s.Catalog == nil {
		return errors.New("server: Slots and Catalog are not set")
	}
	conn, err := s.Slots.Connx(c.UserContext())
	if err != nil {
		return s.errorf(c, weekback.EUNAVAILABLE, "slots.unavailable")
	}
	defer conn.Close()
	return fn(conn)
}

// masked returns the credential columns of table (weekback.Redaction of
// PasswordTable.PasswordColumn and the Redact globs).
func (s *Server) masked(ctx context.Context, conn *sqlx.Conn, slot, table string) ([]string, error) {
	t, err := s.Catalog.Relation(ctx, conn, slot, table)
	if err != nil {
		return nil, err
	}
	red := weekback.Redaction{PasswordTable: s.PasswordTable, PasswordColumn: s.PasswordColumn, Globs: s.Redact, NoDefaults: s.NoDefaultRedact}
	if t.View {
		return red.MaskedView(table, t.ColumnNames()), nil
	}
	return red.Masked(table, t.ColumnNames()), nil
}

// tableRecords shows one page of a table's records. A query the user can
// fix (a bad filter value, an unknown column, a stale cursor) keeps the
// page: 400 with the sentence in the filter form and the filters as typed
// (JSON clients get the error).
func (s *Server) tableRecords(c *fiber.Ctx) error {
	table, err := tableParam(c)
	if err != nil {
		return err
	}
	rq, form, bad := s.parseRecordsQuery(c)
	if bad != nil && wantsJSON(c) {
		return s.withBanner(c, table, recordsQuery{}, bad)
	}
	if form && bad == nil {
		return c.Redirect(tableURL(weekback.Weekday(c.Params("day")), table)+rq.encode(false), fiber.StatusSeeOther)
	}
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return tableURL(d, table) + rq.encode(false) })
	if err != nil {
		return err
	}
	if err := s.checkTable(c, p.Gen.Manifest, table); err != nil {
		return err
	}
	if bad == nil {
		bad = s.showRecords(c, p, table, rq)
		if weekback.ErrorCode(bad) != weekback.EINVALID || wantsJSON(c) {
			return bad
		}
	}
	return s.showBadQuery(c, p, table, rq, bad)
}

// showRecords renders the page rq asks for, with its count (without one
// when it cannot be counted, e.g. in time).
func (s *Server) showRecords(c *fiber.Ctx, p *dayPage, table string, rq recordsQuery) error {
	page, html, err := s.readRecords(c, p, table, rq)
	if err != nil {
		return err
	}
	var count string
	if !wantsJSON(c) {
		if count, err = s.countText(c, p, table, rq); err != nil { // the rows are shown all the same
			s.Logger.Warn("records page without its count", "table", table, "err", err)
			count = ""
		}
	}
	return s.renderRecords(c, p, rq, page, html, count, nil)
}

// showBadQuery renders the records page of a query that could not run
// (bad): 400, the table's columns in the filter form, no rows.
func (s *Server) showBadQuery(c *fiber.Ctx, p *dayPage, table string, rq recordsQuery, bad error) error {
	page, _, err := s.readRecords(c, p, table, recordsQuery{PageSize: 1})
	if err != nil {
		return err
	}
	page.Rows, page.Next, page.Prev = nil, "", ""
	c.Status(fiber.StatusBadRequest)
	return s.renderRecords(c, p, rq, page, nil, "", bad)
}

// MaxCountedRows is how many rows a filtered records page (or a view's)
// counts at most: beyond, it says "more than".
const MaxCountedRows = 10000

// countText says how many rows the records page's query has: the table's
// count from the manifest (exact: the copy was verified against it), or,
// filtered or for a view, the rows the filters match, counted up to
// MaxCountedRows.
func (s *Server) countText(c *fiber.Ctx, p *dayPage, table string, rq recordsQuery) (string, error) {
	l := s.localizer(c)
	if t := p.Gen.Manifest.Table(table); t != nil && len(rq.Filters) == 0 {
		return l.N("records.count", int(t.Rows), "count", l.Number(t.Rows)), nil
	}
	q := mysql.RecordQuery{Schema: p.Gen.Slot, Table: table, Filters: rq.Filters}
	rc, err := s.records.count(c.UserContext(), p.Gen, q, func(ctx context.Context) (rc recordCount, err error) {
		err = s.withMasked(c, &q, func(conn *sqlx.Conn) (err error) {
			rc.n, rc.more, err = s.Catalog.CountRecords(ctx, conn, q, MaxCountedRows)
			return err
		})
		return rc, err
	})
	key := "records.count"
	if len(rq.Filters) > 0 {
		key = "records.matching"
	}
	if rc.more {
		key += "_more"
	}
	return l.N(key, int(rc.n), "count", l.Number(rc.n)), err
}

// readRecords reads the page rq asks for of table on p's day, or finds it
// kept with its HTML.
func (s *Server) readRecords(c *fiber.Ctx, p *dayPage, table string, rq recordsQuery) (*mysql.Page, *pageText, error) {
	q := mysql.RecordQuery{Schema: p.Gen.Slot, Table: table, Filters: rq.Filters, Sort: rq.Sort, PageSize: rq.PageSize,
		After: rq.After, Before: rq.Before, MaxValueLen: listValueLen}
	return s.records.page(c.UserContext(), p.Gen, q, func(ctx context.Context) (page *mysql.Page, err error) {
		err = s.withMasked(c, &q, func(conn *sqlx.Conn) (err error) {
			page, err = s.Catalog.Records(ctx, conn, q)
			return err
		})
		return page, err
	})
}

// withMasked runs fn with a connection of the slot pool after setting
// q.Masked to the credential columns of q.Table.
func (s *Server) withMasked(c *fiber.Ctx, q *mysql.RecordQuery, fn func(conn *sqlx.Conn) error) error {
	return s.withSlot(c, func(conn *sqlx.Conn) error {
		var err error
		if q.Masked, err = s.masked(c.UserContext(), conn, q.Schema, q.Table); err != nil {
			return err
		}
		return fn(conn)
	})
}

// withBanner returns err after setting the day's banner, so that an error
// page of a day shows it too (when the day has a served copy).
func (s *Server) withBanner(c *fiber.Ctx, table string, rq recordsQuery, err error) error {
	s.loadDay(c, func(d weekback.Weekday) string { return tableURL(d, table) + rq.encode(false) })
	return err
}

// record shows one record, found by the key in the address.
func (s *Server) record(c *fiber.Ctx) error {
	table, err := tableParam(c)
	if err != nil {
		return err
	}
	rawKey := utils.CopyString(c.Params("key"))
	key, err := mysql.ParseRowKey(rawKey)
	if err != nil {
		return s.withBanner(c, table, recordsQuery{}, err)
	}
	canon := mysql.FormatRowKey(key)
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return tableURL(d, table) + "/rows/" + canon })
	if err != nil {
		return err
	}
	if err := s.checkTable(c, p.Gen.Manifest, table); err != nil {
		return err
	}
	q := mysql.RecordQuery{Schema: p.Gen.Slot, Table: table, MaxValueLen: recordValueLen}
	var page *mysql.Page
	err = s.withMasked(c, &q, func(conn *sqlx.Conn) (err error) {
		page, err = s.Catalog.Record(c.UserContext(), conn, q, key)
		return err
	})
	if err != nil {
		return s.recordElsewhere(c, p, table, key, err)
	}
	return s.renderRecord(c, p, table, key, page)
}
