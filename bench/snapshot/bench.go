package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/weekback/weekback/bench/dataset"
)

// The schemas the benchmark uses: the source, the scratch copies of B and
// C, and weekback's backup prefix (its slots and meta schema start with it).
const (
	srcSchema    = "wbbench_src"
	dumpSchema   = "wbbench_dump"
	insSchema    = "wbbench_ins"
	backupPrefix = "wbbench"
)

// cleanupTimeout bounds the final drops, which run even after an interrupt.
const cleanupTimeout = 10 * time.Minute

// bench is what the methods share: the options, the server and a
// temporary directory for the config and client option files.
type bench struct {
	o   options
	cfg *mysql.Config // the server, without a database
	db  *sql.DB
	dir string
}

// method is one way of copying the source schema.
type method struct {
	key      string // A, B or C
	name     string
	optional bool // a failure skips the method instead of ending the benchmark
	prepare  func(ctx context.Context) error
	run      func(ctx context.Context) (sample, error)
	check    func(ctx context.Context) error // after a run, untimed
	skipped  string                          // why the method no longer runs
	samples  []sample
}

// sample is one measured run: its wall time and the peak RSS (KiB) of each
// child process; procs is nil for server-side work.
type sample struct {
	wall  time.Duration
	procs []procRSS
}

// procRSS is one child process's peak resident set size.
type procRSS struct {
	name string
	kib  int64
}

// run generates the source, measures the methods, prints the report and
// drops what the runs left.
func run(ctx context.Context, o options) error {
	b, err := newBench(ctx, o)
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.dropScratch(ctx); err != nil {
		return err
	}
	if err := dataset.Generate(ctx, b.db, srcSchema, o.scale, logf); err != nil {
		return err
	}
	methods, err := b.methods(ctx)
	if err == nil {
		err = b.measure(ctx, methods)
	}
	if err == nil {
		err = b.report(ctx, os.Stdout, methods)
	}
	return errors.Join(err, b.cleanup())
}

// newBench parses the DSN, connects and makes the temporary directory.
func newBench(ctx context.Context, o options) (*bench, error) {
	cfg, err := mysql.ParseDSN(o.dsn)
	if err != nil {
		return nil, fmt.Errorf("parse WEEKBACK_TEST_DSN: %w", err)
	}
	cfg.DBName = ""
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	b := &bench{o: o, cfg: cfg, db: sql.OpenDB(conn)}
	b.db.SetMaxOpenConns(o.parallelism + 2)
	if err := b.db.PingContext(ctx); err != nil {
		b.close()
		return nil, fmt.Errorf("connect to %s: %w", cfg.Addr, err)
	}
	if b.dir, err = os.MkdirTemp("", "wbbench-"); err != nil {
		b.close()
		return nil, fmt.Errorf("make temp dir: %w", err)
	}
	return b, nil
}

// close releases the connections and removes the temporary directory.
func (b *bench) close() {
	_ = b.db.Close()
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// methods builds A, B and C; B's and C's copies are checked against the
// source's row counts after every run.
func (b *bench) methods(ctx context.Context) ([]*method, error) {
	a, err := b.weekbackMethod()
	if err != nil {
		return nil, err
	}
	bm, err := b.dumpMethod()
	if err != nil {
		return nil, err
	}
	tables, err := b.sourceTables(ctx)
	if err != nil {
		return nil, err
	}
	c := b.inServerMethod(tables)
	if bm.check, err = b.checker(ctx, dumpSchema, tables); err != nil {
		return nil, err
	}
	if c.check, err = b.checker(ctx, insSchema, tables); err != nil {
		return nil, err
	}
	return []*method{a, bm, c}, nil
}

// measure runs every method o.runs times, interleaved.
func (b *bench) measure(ctx context.Context, methods []*method) error {
	for i := 1; i <= b.o.runs; i++ {
		for _, m := range methods {
			if err := b.measureOnce(ctx, m, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureOnce prepares and times one run of m; an optional method's failure
// marks it skipped.
func (b *bench) measureOnce(ctx context.Context, m *method, i int) error {
	if m.skipped != "" {
		return nil
	}
	if m.prepare != nil {
		if err := m.prepare(ctx); err != nil {
			return fmt.Errorf("prepare %s: %w", m.name, err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, b.o.timeout)
	s, err := m.run(rctx)
	cancel()
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("%s interrupted: %w", m.name, ctx.Err())
	case err != nil && m.optional:
		m.skipped = err.Error()
		logf("%s %s: SKIPPED: %v", m.key, m.name, err)
		return nil
	case err != nil:
		return fmt.Errorf("%s (run %d): %w", m.name, i, err)
	}
	if m.check != nil {
		if err := m.check(ctx); err != nil {
			return fmt.Errorf("%s (run %d): %w", m.name, i, err)
		}
	}
	m.samples = append(m.samples, s)
	logf("run %d/%d %s %s: %s, peak RSS %s", i, b.o.runs, m.key, m.name, s.wall.Round(time.Millisecond), rssText(s.procs))
	return nil
}

// dropScratch drops every schema starting with backupPrefix_ except the
// source: the scratch copies, weekback's slots and its meta schema.
func (b *bench) dropScratch(ctx context.Context) error {
	names, err := b.scratchSchemas(ctx)
	if err != nil {
		return err
	}
	for _, name := range names {
		logf("dropping schema %s", name)
		if err := b.recreate(ctx, name, false); err != nil {
			return err
		}
	}
	return nil
}

// scratchSchemas lists the schemas dropScratch drops.
func (b *bench) scratchSchemas(ctx context.Context) ([]string, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE ? AND SCHEMA_NAME <> ? ORDER BY SCHEMA_NAME`,
		strings.ReplaceAll(backupPrefix, "_", `\_`)+`\_%`, srcSchema)
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list schemas: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	return names, nil
}

// recreate drops schema name and, when create is set, makes it anew, empty.
func (b *bench) recreate(ctx context.Context, name string, create bool) error {
	if _, err := b.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quote(name)); err != nil {
		return fmt.Errorf("drop schema %s: %w", name, err)
	}
	if !create {
		return nil
	}
	if _, err := b.db.ExecContext(ctx, "CREATE DATABASE "+quote(name)+" CHARACTER SET utf8mb4"); err != nil {
		return fmt.Errorf("create schema %s: %w", name, err)
	}
	return nil
}

// cleanup drops the scratch schemas, even after an interrupt, unless -keep.
func (b *bench) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if b.o.keep {
		names, err := b.scratchSchemas(ctx)
		logf("-keep: kept %s", strings.Join(names, ", "))
		return err
	}
	return b.dropScratch(ctx)
}

// logf prints progress on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// quote quotes an identifier, doubling backticks.
func quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
