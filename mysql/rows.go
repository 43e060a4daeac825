package mysql

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// ScanRows streams every row of schema.table on conn, columns cols read
// with SelectList, and calls fn with the row's values (nil for NULL). The
// values are only valid during the call: fn must copy what it keeps. conn
// should be opened with RoleSource so values arrive as stored (raw bytes,
// UTC). Memory stays flat whatever the table's size.
//
// Rows are read by the lean reader (lean.go) on the driver's socket when
// conn is a leanConn (RoleSource pools opened by Open, without TLS or
// compression), else from the driver directly, bypassing database/sql's
// per-value conversions; integers, which the driver parses, are written
// back in their decimal form, so the values are the same either way.
func ScanRows(ctx context.Context, conn *sqlx.Conn, schema, table string, cols []Column, fn func(values [][]byte) error) error {
	return ScanSource(ctx, conn, RowSource{Schema: schema, Table: table}, cols, fn)
}

// RowSource is the rows ScanSource reads: those of Schema.Table and, with
// History, every version of a system-versioned table's rows (FOR
// SYSTEM_TIME ALL), not only the current ones.
type RowSource struct {
	Schema, Table string
	History       bool
}

// from returns the FROM clause that reads src.
func (src RowSource) from() string {
	from := " FROM " + QuoteTable(src.Schema, src.Table)
	if src.History {
		from += " FOR SYSTEM_TIME ALL"
	}
	return from
}

// ScanSource is ScanRows for a RowSource.
func ScanSource(ctx context.Context, conn *sqlx.Conn, src RowSource, cols []Column, fn func(values [][]byte) error) error {
	query := Tag + "SELECT " + SelectList(cols) + src.from()
	return conn.Raw(func(dc any) error { return rawConn{dc: dc}.scan(ctx, query, nil, len(cols), fn) })
}

// scan runs query with args on rc and calls fn with the values of each
// of its rows, which have n columns: nil for NULL, otherwise the value's
// text (or bytes) as the server sent it, valid only during the call. A
// query without arguments on a leanConn is read by the lean reader;
// others through the driver's rows (scanDriverRows), with the same
// values.
func (rc rawConn) scan(ctx context.Context, query string, args []any, n int, fn func(values [][]byte) error) error {
	if rc.stmtReadOnly && !strings.HasPrefix(query, mariaDBReadOnlyHead) {
		return errors.New("a query outside a read-only transaction was refused")
	}
	if lc, ok := rc.dc.(*leanConn); ok && len(args) == 0 {
		return lc.scan(ctx, query, n, fn)
	}
	return rc.query(ctx, query, args, func(rows driver.Rows) error { return scanDriverRows(rows, n, fn) })
}

func scanDriverRows(rows driver.Rows, n int, fn func(values [][]byte) error) error {
	dest := make([]driver.Value, n)
	vals := make([][]byte, n)
	var nums []byte
	for {
		if err := rows.Next(dest); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		nums = nums[:0]
		for i, v := range dest {
			switch x := v.(type) {
			case nil:
				vals[i] = nil
			case []byte:
				vals[i] = x
			case int64:
				start := len(nums)
				nums = strconv.AppendInt(nums, x, 10)
				vals[i] = nums[start:len(nums):len(nums)]
			case uint64:
				start := len(nums)
				nums = strconv.AppendUint(nums, x, 10)
				vals[i] = nums[start:len(nums):len(nums)]
			default:
				return fmt.Errorf("unexpected %T value in column %d", v, i)
			}
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
}

// StreamHash computes the row count and content hash of schema.table by
// reading its rows back and hashing them (RowHasher), the same way the
// snapshotter hashed them on the source. conn must be opened with
// RoleSource.
func StreamHash(ctx context.Context, conn *sqlx.Conn, schema, table string, cols []Column) (rows int64, hash string, err error) {
	return StreamHashSource(ctx, conn, RowSource{Schema: schema, Table: table}, cols)
}

// StreamHashSource is StreamHash for a RowSource: with History, the count
// and the hash cover every row version of a system-versioned table.
func StreamHashSource(ctx context.Context, conn *sqlx.Conn, src RowSource, cols []Column) (rows int64, hash string, err error) {
	return StreamDigests(ctx, conn, src, cols, nil)
}

// StreamDigests is StreamHashSource that also hands each row and its
// digest to each (when not nil), for a DigestWriter.
func StreamDigests(ctx context.Context, conn *sqlx.Conn, src RowSource, cols []Column, each func(values [][]byte, digest uint64)) (rows int64, hash string, err error) {
	h := NewRowHasher()
	err = ScanSource(ctx, conn, src, cols, func(values [][]byte) error {
		d := h.Add(values)
		if each != nil {
			each(values, d)
		}
		return nil
	})
	if err != nil {
		return 0, "", fmt.Errorf("hash table %s.%s: %w", src.Schema, src.Table, err)
	}
	return h.Rows(), h.Hash(), nil
}

// CountRows returns the number of (current) rows of schema.table.
func CountRows(ctx context.Context, q sqlx.QueryerContext, schema, table string) (int64, error) {
	var n int64
	if err := sqlx.GetContext(ctx, q, &n, Tag+"SELECT COUNT(*) FROM "+QuoteTable(schema, table)); err != nil {
		return 0, fmt.Errorf("count the rows of %s.%s: %w", schema, table, err)
	}
	return n, nil
}
