package mysql

import (
	"context"
	"fmt"
	"strings"
)

// PutRowDigests stores part number part of the row digests of slot's
// table (DigestWriter's flush).
func (m *Meta) PutRowDigests(ctx context.Context, slot, table string, part int, data []byte) error {
	_, err := m.exec(ctx, Tag+"INSERT INTO "+m.table("row_digests")+" (slot, table_name, part, data) VALUES (?, ?, ?, ?)",
		slot, table, part, data)
	if err != nil {
		return fmt.Errorf("store the row digests of %s.%s: %w", slot, table, err)
	}
	return nil
}

// RowDigests calls fn with each part of the row digests of slot's table,
// in order (fn owns data); none when there are none, or when the account
// may not read them (a reader without the grant of README: comparisons
// then read the rows). It is safe for concurrent use.
func (m *Meta) RowDigests(ctx context.Context, slot, table string, fn func(data []byte) error) error {
	rows, err := m.db.QueryContext(ctx, Tag+"SELECT data FROM "+m.table("row_digests")+
		" WHERE slot = ? AND table_name = ? ORDER BY part", slot, table)
	if IsErrorNumber(err, ErrTableAccess) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the row digests of %s.%s: %w", slot, table, err)
	}
	defer rows.Close()
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("read the row digests of %s.%s: %w", slot, table, err)
		}
		if err := fn(data); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the row digests of %s.%s: %w", slot, table, err)
	}
	return nil
}

// DeleteRowDigests deletes the row digests of slot: of the named tables,
// or of all its tables when none is named.
func (m *Meta) DeleteRowDigests(ctx context.Context, slot string, tables ...string) error {
	query := Tag + "DELETE FROM " + m.table("row_digests") + " WHERE slot = ?"
	args := []any{slot}
	if len(tables) > 0 {
		query += " AND table_name IN (?" + strings.Repeat(", ?", len(tables)-1) + ")"
		for _, t := range tables {
			args = append(args, t)
		}
	}
	if _, err := m.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("delete the row digests of %s: %w", slot, err)
	}
	return nil
}

// PurgeRowDigests deletes the row digests of every slot not in keep (the
// slot schemas that still exist) and returns how many parts it deleted.
func (m *Meta) PurgeRowDigests(ctx context.Context, keep []string) (int64, error) {
	query := Tag + "DELETE FROM " + m.table("row_digests")
	args := make([]any, len(keep))
	if len(keep) > 0 {
		query += " WHERE slot NOT IN (?" + strings.Repeat(", ?", len(keep)-1) + ")"
		for i, s := range keep {
			args[i] = s
		}
	}
	res, err := m.exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("purge row digests: %w", err)
	}
	n, _ := res.RowsAffected() // always known to the driver
	return n, nil
}
