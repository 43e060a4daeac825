package server

import (
	"context"
	"errors"
	"net/url"
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

// checkTable returns an ENOTFOUND error unless the manifest lists table.
func (s *Server) checkTable(c *fiber.Ctx, m *weekback.Manifest, table string) error {
	if m.Table(table) != nil {
		return nil
	}
	for _, v := range m.Views {
		if v.Name == table {
			return s.errorf(c, weekback.ENOTFOUND, "view.not_browsable", "view", table)
		}
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
	t, err := s.Catalog.Table(ctx, conn, slot, table)
	if err != nil {
		return nil, err
	}
	red := weekback.Redaction{PasswordTable: s.PasswordTable, PasswordColumn: s.PasswordColumn, Globs: s.Redact, NoDefaults: s.NoDefaultRedact}
	return red.Masked(table, t.ColumnNames()), nil
}

// tableRecords shows one page of a table's records.
func (s *Server) tableRecords(c *fiber.Ctx) error {
	table, err := tableParam(c)
	if err != nil {
		return err
	}
	rq, form, err := s.parseRecordsQuery(c)
	if err != nil {
		return s.withBanner(c, table, recordsQuery{}, err)
	}
	if form {
		return c.Redirect(tableURL(weekback.Weekday(c.Params("day")), table)+rq.encode(false), fiber.StatusSeeOther)
	}
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return tableURL(d, table) + rq.encode(false) })
	if err != nil {
		return err
	}
	if err := s.checkTable(c, p.Gen.Manifest, table); err != nil {
		return err
	}
	q := mysql.RecordQuery{Schema: p.Gen.Slot, Table: table, Filters: rq.Filters, Sort: rq.Sort, PageSize: rq.PageSize,
		After: rq.After, Before: rq.Before, MaxValueLen: listValueLen}
	var page *mysql.Page
	err = s.withSlot(c, func(conn *sqlx.Conn) error {
		if q.Masked, err = s.masked(c.UserContext(), conn, p.Gen.Slot, table); err != nil {
			return err
		}
		page, err = s.Catalog.Records(c.UserContext(), conn, q)
		return err
	})
	if err != nil {
		return err
	}
	return s.renderRecords(c, p, rq, page)
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
	err = s.withSlot(c, func(conn *sqlx.Conn) error {
		if q.Masked, err = s.masked(c.UserContext(), conn, p.Gen.Slot, table); err != nil {
			return err
		}
		page, err = s.Catalog.Record(c.UserContext(), conn, q, key)
		return err
	})
	if err != nil {
		return err
	}
	return s.renderRecord(c, p, table, key, page)
}
