package mysql

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// CountRecords returns how many rows of q.Table match q.Filters, counting
// at most limit+1 of them (so a count costs at most what reading that many
// rows does): more is true when there are more than limit. q's Sort,
// PageSize, cursors and columns are not used. It runs like Records (a
// READ ONLY statement with q.Timeout) and returns its errors.
func (c *Catalog) CountRecords(ctx context.Context, conn *sqlx.Conn, q RecordQuery, limit int64) (n int64, more bool, err error) {
	q.Columns, q.After, q.Before, q.PageSize = nil, "", "", 0
	p, err := c.plan(ctx, conn, q)
	if err != nil {
		return 0, false, err
	}
	query := p.head + "COUNT(*) FROM (SELECT 1 FROM " + QuoteTable(p.t.Schema, p.t.Name) + " AS t" + p.whereSQL("") + " LIMIT ?) AS m"
	args := append(p.args[:len(p.args):len(p.args)], limit+1)
	err = withTimeout(ctx, p.q.Timeout, func(ctx context.Context) error {
		return readOnly(ctx, conn, p.flavor, func(rc rawConn) error {
			return rc.query(ctx, query, args, func(dr driver.Rows) error {
				return eachRow(dr, func(values []driver.Value) error {
					n, err = strconv.ParseInt(string(textOf(values[0])), 10, 64)
					return err
				})
			})
		})
	})
	if err != nil {
		return 0, false, fmt.Errorf("count records of %s: %w", q.Table, err)
	}
	if n > limit {
		return limit, true, nil
	}
	return n, false, nil
}
