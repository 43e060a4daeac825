package dataset

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Version is the layout version of the generated data, recorded in the
// marker table; any change to the tables or their contents must bump it.
const Version = 1

// MarkerTable is the table in which Generate records the version and scale
// of a finished schema. It is written last, so a schema without it is
// incomplete.
const MarkerTable = "_dataset"

// fillParallelism is how many tables are filled at once.
const fillParallelism = 2

// Generate makes schema hold the sales dataset at the given scale (1 gives
// about five million rows and 850 MB; 0.01 a quick test-sized copy). When
// the marker table already records this Version and scale it returns at
// once; otherwise it creates the schema if needed, drops the dataset's
// tables and rebuilds them. logf receives progress and may be nil. It fails
// on a non-positive scale or any SQL error, and is safe for concurrent use
// only on different schemas.
func Generate(ctx context.Context, db *sql.DB, schema string, scale float64, logf func(string, ...any)) error {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return fmt.Errorf("generate dataset: scale %v must be a positive number", scale)
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ok, err := current(ctx, db, schema, scale)
	if err != nil {
		return fmt.Errorf("check dataset %s: %w", schema, err)
	}
	if ok {
		logf("dataset %s: reusing scale %g (version %d)", schema, scale, Version)
		return nil
	}
	start := time.Now()
	if err := build(ctx, db, schema, scale, logf); err != nil {
		return fmt.Errorf("generate dataset %s: %w", schema, err)
	}
	logf("dataset %s: scale %g generated in %s", schema, scale, time.Since(start).Round(time.Millisecond))
	return nil
}

// build creates the tables, fills them, refreshes statistics and writes the
// marker.
func build(ctx context.Context, db *sql.DB, schema string, scale float64, logf func(string, ...any)) error {
	if err := create(ctx, db, schema); err != nil {
		return err
	}
	n := RowCounts(scale)
	if err := fillAll(ctx, db, schema, n, logf); err != nil {
		return err
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = qualify(schema, t.name)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE TABLE "+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return mark(ctx, db, schema, scale, n)
}

// current reports whether schema's marker records this Version and scale
// and every table exists.
func current(ctx context.Context, db *sql.DB, schema string, scale float64) (bool, error) {
	names := append(Tables(), MarkerTable)
	args := []any{schema}
	for _, name := range names {
		args = append(args, name)
	}
	var have int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?`+strings.Repeat(", ?", len(names)-1)+`)`, args...).Scan(&have)
	if err != nil || have != len(names) {
		return false, err
	}
	var version int
	var got float64
	err = db.QueryRowContext(ctx, "SELECT version, scale FROM "+qualify(schema, MarkerTable)).Scan(&version, &got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && version == Version && got == scale, err
}

// create makes the schema and (re)creates the empty tables.
func create(ctx context.Context, db *sql.DB, schema string) error {
	conn, release, err := bulkSession(ctx, db)
	if err != nil {
		return err
	}
	defer release()
	stmts := []string{"CREATE DATABASE IF NOT EXISTS " + quote(schema) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"}
	drop := []string{qualify(schema, MarkerTable)}
	for _, t := range slices.Backward(tables) {
		drop = append(drop, qualify(schema, t.name))
	}
	stmts = append(stmts, "DROP TABLE IF EXISTS "+strings.Join(drop, ", "))
	for _, t := range tables {
		stmts = append(stmts, "CREATE TABLE "+qualify(schema, t.name)+" "+t.ddl)
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create tables: %w", err)
		}
	}
	return nil
}

// fillAll fills every table, biggest first, fillParallelism at a time.
func fillAll(ctx context.Context, db *sql.DB, schema string, n counts, logf func(string, ...any)) error {
	order := slices.Clone(tables)
	slices.SortStableFunc(order, func(a, b table) int { return cmp.Compare(n[b.name], n[a.name]) })
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(fillParallelism)
	for _, t := range order {
		g.Go(func() error { return fill(ctx, db, schema, t, n, logf) })
	}
	return g.Wait()
}

// fill inserts table t's rows with one INSERT … SELECT from seq_1_to_N.
func fill(ctx context.Context, db *sql.DB, schema string, t table, n counts, logf func(string, ...any)) error {
	conn, release, err := bulkSession(ctx, db)
	if err != nil {
		return err
	}
	defer release()
	f := t.fill(n)
	q := fmt.Sprintf("INSERT /* wbbench dataset */ INTO %s (%s) SELECT %s FROM %s", qualify(schema, t.name), f.cols,
		strings.Join(f.exprs, ",\n  "), qualify(schema, fmt.Sprintf("seq_1_to_%d", n[t.name])))
	start := time.Now()
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("fill %s: %w", t.name, err)
	}
	logf("dataset %s: %s: %d rows in %s", schema, t.name, n[t.name], time.Since(start).Round(time.Millisecond))
	return nil
}

// mark records the finished dataset in the marker table.
func mark(ctx context.Context, db *sql.DB, schema string, scale float64, n counts) error {
	var total int64
	for _, c := range n {
		total += c
	}
	m := qualify(schema, MarkerTable)
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+m+` (version INT NOT NULL, scale DOUBLE NOT NULL,
		total_rows BIGINT NOT NULL, generated_at DATETIME NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`); err != nil {
		return fmt.Errorf("create marker: %w", err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO "+m+" VALUES (?, ?, ?, UTC_TIMESTAMP())", Version, scale, total); err != nil {
		return fmt.Errorf("write marker: %w", err)
	}
	return nil
}

// bulkSession takes a connection with foreign key and unique checks off
// (which lets InnoDB bulk-load empty tables). release discards the
// connection rather than returning it to db's pool with those settings.
func bulkSession(ctx context.Context, db *sql.DB) (*sql.Conn, func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	release := func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0, unique_checks = 0"); err != nil {
		release()
		return nil, nil, fmt.Errorf("set session: %w", err)
	}
	return conn, release, nil
}

// quote quotes an identifier, doubling backticks.
func quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// qualify returns `schema`.`name`.
func qualify(schema, name string) string {
	return quote(schema) + "." + quote(name)
}
