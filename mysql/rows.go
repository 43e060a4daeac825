package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ScanRows streams every row of schema.table, columns cols read with
// SelectList, and calls fn with the row's values (nil for NULL). The
// values are only valid during the call: fn must copy what it keeps. The
// connection should be opened with RoleSource so values arrive as stored
// (raw bytes, UTC). Memory stays flat whatever the table's size.
func ScanRows(ctx context.Context, q sqlx.QueryerContext, schema, table string, cols []Column, fn func(values [][]byte) error) error {
	rows, err := q.QueryContext(ctx, Tag+"SELECT "+SelectList(cols)+" FROM "+QuoteTable(schema, table))
	if err != nil {
		return err
	}
	defer rows.Close()
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	vals := make([][]byte, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range raw {
			vals[i] = v
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// StreamHash computes the row count and content hash of schema.table by
// reading its rows back and hashing them in Go (RowHasher), the same way
// the snapshotter hashed them on the source. It costs the server a plain
// scan, a third of what the SQL form (TableHash) costs.
func StreamHash(ctx context.Context, q sqlx.QueryerContext, schema, table string, cols []Column) (rows int64, hash string, err error) {
	h := NewRowHasher(cols)
	err = ScanRows(ctx, q, schema, table, cols, func(values [][]byte) error {
		h.Add(values)
		return nil
	})
	if err != nil {
		return 0, "", fmt.Errorf("hash table %s.%s: %w", schema, table, err)
	}
	return h.Rows(), h.Hash(), nil
}
