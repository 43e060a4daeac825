package main

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// inServerMethod builds C, the in-server limit: per table CREATE TABLE …
// LIKE and INSERT … SELECT * into a freshly created scratch schema, biggest
// table first, over o.parallelism connections. Nothing leaves the server,
// so the copy costs no client memory and no network.
func (b *bench) inServerMethod(tables []string) *method {
	return &method{
		key:     "C",
		name:    "in-server INSERT … SELECT",
		prepare: func(ctx context.Context) error { return b.recreate(ctx, insSchema, true) },
		run: func(ctx context.Context) (sample, error) {
			start := time.Now()
			err := b.copyInServer(ctx, tables)
			return sample{wall: time.Since(start)}, err
		},
	}
}

// sourceTables lists the source's base tables, biggest first.
func (b *bench) sourceTables(ctx context.Context) ([]string, error) {
	rows, err := b.DB.QueryContext(ctx, `SELECT TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'
		ORDER BY DATA_LENGTH + INDEX_LENGTH DESC, TABLE_NAME`, srcSchema)
	if err != nil {
		return nil, fmt.Errorf("list source tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list source tables: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list source tables: %w", err)
	}
	return names, nil
}

// copyInServer copies tables, o.parallelism at a time.
func (b *bench) copyInServer(ctx context.Context, tables []string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(b.o.parallelism)
	for _, t := range tables {
		g.Go(func() error { return b.copyTable(ctx, t) })
	}
	return g.Wait()
}

// copyTable copies one table on its own connection with foreign key and
// unique checks off (the bulk-load path into an empty table) and READ
// COMMITTED, so that the SELECT takes no row locks. The connection is then
// discarded, not returned to the pool with those settings.
func (b *bench) copyTable(ctx context.Context, table string) error {
	conn, err := b.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("copy table %s: %w", table, err)
	}
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
	}()
	src, dst := benchutil.Quote(srcSchema)+"."+benchutil.Quote(table), benchutil.Quote(insSchema)+"."+benchutil.Quote(table)
	for _, q := range []string{
		"SET SESSION foreign_key_checks = 0, unique_checks = 0",
		"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
		"CREATE TABLE " + dst + " LIKE " + src,
		"INSERT /* wbbench */ INTO " + dst + " SELECT * FROM " + src,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("copy table %s: %w", table, err)
		}
	}
	return nil
}
