package mysql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Limits and defaults of RecordQuery.
const (
	DefaultPageSize      = 50
	MaxPageSize          = 500
	DefaultRecordTimeout = 10 * time.Second
	DefaultMaxValueLen   = 1024
)

// RecordQuery asks for one page of a table of a slot (Records), one row of
// it (Record), or all its matching rows (ScanRecords).
type RecordQuery struct {
	Schema string // the slot
	Table  string
	// Filters, combined with AND. Columns are looked up in the catalog;
	// values are typed by the column (numbers compare as numbers, 0x-hex
	// as bytes on binary columns) and always sent as placeholders.
	Filters []weekback.Filter
	// AnyOf keeps the rows that match at least one of its filters (and
	// every filter of Filters): a search across columns. Same rules as
	// Filters.
	AnyOf []weekback.Filter
	Sort  weekback.Sort // zero: the key's order
	// PageSize is the number of rows of a page: DefaultPageSize when 0, at
	// most MaxPageSize.
	PageSize int
	// After and Before are cursors from Page.Next and Page.Prev; at most
	// one may be set.
	After, Before string
	// Columns lists the columns to show, in order; all when empty.
	Columns []string
	// Masked lists credential columns: they are listed in Page.Columns
	// with Masked set but never read, cannot be filtered or sorted by, and
	// ScanRecords leaves them out.
	Masked []string
	// Timeout limits each statement on the server (max_statement_time on
	// MariaDB, MAX_EXECUTION_TIME on MySQL): DefaultRecordTimeout when 0,
	// none when negative. ScanRecords has none when 0.
	Timeout time.Duration
	// MaxValueLen cuts long text and binary values on a page after so
	// many characters (bytes): DefaultMaxValueLen when 0, never when
	// negative. ScanRecords never cuts.
	MaxValueLen int
}

func (q RecordQuery) normalize() (RecordQuery, error) {
	switch {
	case q.PageSize == 0:
		q.PageSize = DefaultPageSize
	case q.PageSize < 0 || q.PageSize > MaxPageSize:
		return q, weekback.Errorf(weekback.EINVALID, "page_size %d is out of range: use 1 to %d rows", q.PageSize, MaxPageSize).
			WithKey("error.page_size_range", "value", q.PageSize, "max", MaxPageSize)
	}
	if q.After != "" && q.Before != "" {
		return q, weekback.Errorf(weekback.EINVALID, "a page is either after or before a position, not both: drop one of after and before").
			WithKey("error.cursor.both")
	}
	if q.Timeout == 0 {
		q.Timeout = DefaultRecordTimeout
	}
	if q.MaxValueLen == 0 {
		q.MaxValueLen = DefaultMaxValueLen
	}
	return q, nil
}

// Value is one value of a page, copied out of the driver's buffer. NULL
// is Null (never an empty Bytes); Bytes holds, by the column's Kind:
//   - KindText, KindJSON: the text as UTF-8 (converted from the column's
//     character set by the server);
//   - KindNumber, KindDatetime: the server's own text ("-12.500000",
//     "0000-00-00 00:00:00", FLOAT with its usual 6 significant digits);
//   - KindBinary, KindBit: the raw bytes;
//   - KindGeometry: WKT (ST_AsText), without the SRID.
//
// Text, JSON and binary values longer than RecordQuery.MaxValueLen are
// cut (Truncated). For these kinds Size is the whole stored value's length
// in bytes, in the column's character set (LENGTH()), cut or not; for
// other kinds it is len(Bytes).
type Value struct {
	Null      bool
	Bytes     []byte
	Size      int64
	Truncated bool
}

// String returns the bytes as a string ("" for NULL).
func (v Value) String() string { return string(v.Bytes) }

// Row is one row of a page.
type Row struct {
	// Key is the {key} of the row's record page (FormatRowKey of the key
	// columns' values), "" when the table has no key.
	Key    string
	Values []Value // one per Page.Columns; zero for masked columns
}

// Page is one page of records.
type Page struct {
	Table   string
	Columns []RecordColumn
	Key     []string // the key columns (RecordTable.Key); nil when rows have no key
	View    bool     // the rows are a view's (RecordTable.View)
	Rows    []Row
	// Next and Prev are the cursors of the following and the previous
	// page (RecordQuery.After, RecordQuery.Before), "" when there is none.
	Next, Prev string
}

// Records returns one page of q.Table in slot q.Schema, ordered by
// q.Sort then by the table's key, with keyset pagination (no OFFSET): when
// an index serves the order, a page 100,000 rows deep costs what the first
// one does.
//
// Records runs on conn in a READ ONLY transaction of its own (conn must not
// be inside one), with q.Timeout as the server-side limit of each
// statement. It returns a *weekback.Error for what the user can fix:
// ENOTFOUND for an unknown table; EINVALID for an unknown, duplicate or
// masked column, a bad filter value, a page size over MaxPageSize, a
// cursor that is not valid for this table and order ("this link is no
// longer valid; go back to the first page"), and a query stopped by the
// time limit. Other errors are wrapped and belong in logs. c is safe for
// concurrent use; conn is not.
//
// The order is (sort column, key columns): the primary key, or a unique key
// of NOT NULL columns. A cursor holds the order values of the row next to
// it, and the next page is the rows strictly after them in that order:
// NULLs, which MySQL sorts first ascending and last descending, are
// compared with IS NULL terms accordingly. A table without such a key is
// ordered by (sort column, digest of the whole row); identical rows share a
// digest, and the cursor then counts how many of them lie before it, so
// every row is still shown exactly once (the digest costs a sort of the
// matching rows on each page). Long text and binary values are ordered by
// their first 255 characters (bytes), ties then by key.
func (c *Catalog) Records(ctx context.Context, conn *sqlx.Conn, q RecordQuery) (*Page, error) {
	p, err := c.plan(ctx, conn, q)
	if err != nil {
		return nil, err
	}
	p.displayList()
	after, err := p.cursor(p.q.After)
	if err != nil {
		return nil, err
	}
	before, err := p.cursor(p.q.Before)
	if err != nil {
		return nil, err
	}
	page := p.newPage()
	err = withTimeout(ctx, p.q.Timeout, func(ctx context.Context) error {
		return readOnly(ctx, conn, p.flavor, func(rc rawConn) error {
			if before != nil {
				return p.pageBefore(ctx, rc, *before, page)
			}
			return p.pageAfter(ctx, rc, after, page)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read records of %s: %w", q.Table, err)
	}
	return page, nil
}

func (c *Catalog) plan(ctx context.Context, conn *sqlx.Conn, q RecordQuery) (*plan, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	t, err := c.Relation(ctx, conn, q.Schema, q.Table)
	if err != nil {
		return nil, err
	}
	f, err := c.serverFlavor(ctx, conn)
	if err != nil {
		return nil, err
	}
	return newPlan(t, q, f, func(col *RecordColumn, v string) (bool, error) {
		if !mayNotFit(col, v) {
			return true, nil
		}
		var back []byte
		err := conn.QueryRowxContext(ctx, Tag+"SELECT CONVERT(CONVERT(? USING "+col.Charset+") USING utf8mb4)", v).Scan(&back)
		if err != nil {
			return false, fmt.Errorf("convert a filter value to %s: %w", col.Charset, err)
		}
		return string(back) == v, nil
	})
}

func (p *plan) newPage() *Page {
	page := &Page{Table: p.t.Name, Columns: p.out, View: p.t.View, Rows: []Row{}}
	if p.keyed {
		page.Key = p.t.Key
	}
	return page
}

// Record returns the row of q.Table whose key columns (Page.Key) hold key,
// as a one-row page; q's Filters, Sort, PageSize, After and Before are
// not used. It returns an ENOTFOUND *weekback.Error when no row has that
// key, when key has the wrong number of values or values its columns
// cannot hold, and when the table has no key; other errors as Records.
func (c *Catalog) Record(ctx context.Context, conn *sqlx.Conn, q RecordQuery, key []string) (*Page, error) {
	q.Filters, q.Sort, q.PageSize, q.After, q.Before = nil, weekback.Sort{}, 0, "", ""
	p, err := c.plan(ctx, conn, q)
	if err != nil {
		return nil, err
	}
	keyText := strings.Join(key, ", ")
	notFound := weekback.Errorf(weekback.ENOTFOUND, "no record of %s has the key %s: open records from the table", p.t.Name, keyText).
		WithKey("error.record.no_key_match", "table", p.t.Name, "key", keyText)
	if !p.keyed {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "table %s has no primary key, so its records have no page of their own: filter the table instead", p.t.Name).
			WithKey("error.record.keyless", "table", p.t.Name)
	}
	if len(key) != len(p.t.Key) {
		return nil, notFound
	}
	var conds []string
	var args []any
	for i, name := range p.t.Key {
		col, _ := p.t.Column(name)
		pm, ok := keyParam(col, key[i])
		if !ok {
			return nil, notFound
		}
		conds, args = append(conds, colRef(col)+" = "+pm.sql), append(args, pm.args...)
	}
	p.displayList()
	page := p.newPage()
	err = withTimeout(ctx, p.q.Timeout, func(ctx context.Context) error {
		return readOnly(ctx, conn, p.flavor, func(rc rawConn) error {
			rows, err := p.fetch(ctx, rc, strings.Join(conds, " AND "), args, false, 0, 1)
			for _, r := range rows {
				page.Rows = append(page.Rows, r.row)
			}
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read record of %s: %w", q.Table, err)
	}
	if len(page.Rows) == 0 {
		return nil, notFound
	}
	return page, nil
}

// RecordColumns returns the columns ScanRecords streams for q, in order:
// q.Columns (or all) without the masked ones. Errors as Records.
func (c *Catalog) RecordColumns(ctx context.Context, conn *sqlx.Conn, q RecordQuery) ([]RecordColumn, error) {
	q.Timeout = 0
	p, err := c.plan(ctx, conn, q)
	if err != nil {
		return nil, err
	}
	return p.exportList(false), nil
}

// ScanRecords streams every row of q.Table matching q.Filters, in the
// order of Records when the table has a key (in q.Sort's order only, ties
// unordered, when it has none), and calls fn with the values of the
// columns RecordColumns lists: nil for NULL, otherwise exactly as
// SelectExpr reads them (ScanRows' lossless form: raw bytes, numbers and
// dates as the server's text, GEOMETRY as stored), valid only during the
// call. PageSize, After, Before and MaxValueLen are not used; q.Timeout
// limits the statement only when set. conn should be opened with
// RoleSource so text arrives in its own character set; it must not be
// inside a transaction (ScanRecords runs in a READ ONLY one). Memory stays
// flat. Errors as Records, and fn's error wrapped.
func (c *Catalog) ScanRecords(ctx context.Context, conn *sqlx.Conn, q RecordQuery, fn func(values [][]byte) error) error {
	timeout := q.Timeout
	q.Timeout, q.After, q.Before, q.PageSize = -1, "", "", 0
	p, err := c.plan(ctx, conn, q)
	if err != nil {
		return err
	}
	p.head = selectHead(p.flavor, max(timeout, 0))
	cols := p.exportList(len(p.args) == 0 && leanConnOf(conn))
	if !p.keyed {
		p.order = p.order[:len(p.order)-1] // the digest: order by the sort column only
	}
	query := p.selectSQL("", false, false)
	err = withTimeout(ctx, timeout, func(ctx context.Context) error {
		return readOnly(ctx, conn, p.flavor, func(rc rawConn) error {
			return rc.scan(ctx, query, p.args, len(cols), fn)
		})
	})
	if err != nil {
		return fmt.Errorf("read records of %s: %w", q.Table, err)
	}
	return nil
}

// Records is Catalog.Records without a cache: it reads the catalog on
// every call.
func Records(ctx context.Context, conn *sqlx.Conn, q RecordQuery) (*Page, error) {
	return new(Catalog).Records(ctx, conn, q)
}

// Record is Catalog.Record without a cache.
func Record(ctx context.Context, conn *sqlx.Conn, q RecordQuery, key []string) (*Page, error) {
	return new(Catalog).Record(ctx, conn, q, key)
}
