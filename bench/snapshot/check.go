package main

import (
	"context"
	"fmt"
	"maps"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// countRows returns the exact row count of every table of the source in
// schema; tables missing there are reported as an error.
func (b *bench) countRows(ctx context.Context, schema string, tables []string) (map[string]int64, error) {
	n := make(map[string]int64, len(tables))
	for _, t := range tables {
		var c int64
		q := "SELECT /* wbbench */ COUNT(*) FROM " + benchutil.Quote(schema) + "." + benchutil.Quote(t)
		if err := b.DB.QueryRowContext(ctx, q).Scan(&c); err != nil {
			return nil, fmt.Errorf("count rows of %s.%s: %w", schema, t, err)
		}
		n[t] = c
	}
	return n, nil
}

// checker returns a check that the copy in schema has the source's tables
// with the source's row counts, counted once now.
func (b *bench) checker(ctx context.Context, schema string, tables []string) (func(context.Context) error, error) {
	want, err := b.countRows(ctx, srcSchema, tables)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		got, err := b.countRows(ctx, schema, tables)
		if err != nil {
			return err
		}
		if !maps.Equal(got, want) {
			return fmt.Errorf("check copy %s: row counts %v, want %v", schema, got, want)
		}
		return nil
	}, nil
}
