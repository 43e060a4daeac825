package restore_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
	"github.com/weekback/weekback/template/templatetest"
)

// restoreSource returns the restore source of f's generation.
func (f *fixture) restoreSource(tb testing.TB) *restore.Source {
	tb.Helper()
	return &restore.Source{DB: templatetest.MustOpen(tb, "", mysql.RoleExport), Gen: f.Gen, Prefix: f.Prefix}
}

// target opens production as restore does.
func (f *fixture) target(tb testing.TB) *sqlx.DB {
	tb.Helper()
	return templatetest.MustOpen(tb, f.Source, mysql.RoleTarget)
}

// mustPlan builds a plan, failing the test on an error.
func mustPlan(tb testing.TB, src *restore.Source, target *sqlx.DB, opts restore.Options) *restore.Plan {
	tb.Helper()
	p, err := restore.Build(context.Background(), src, target, opts)
	if err != nil {
		tb.Fatalf("Build: %v", err)
	}
	return p
}

// report returns the plan's report.
func report(tb testing.TB, p *restore.Plan) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := p.WriteReport(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

// undoPath is a fresh undo file path in the test's folder.
func undoPath(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), name+".undo.jsonl")
}

// exec runs statements on the test server, failing the test on an error.
func (f *fixture) exec(tb testing.TB, stmts ...string) {
	tb.Helper()
	for _, s := range stmts {
		if _, err := f.DB.Exec(s); err != nil {
			tb.Fatalf("exec %.200s: %v", s, err)
		}
	}
}

// filter parses an EXPR, failing the test on an error.
func filter(tb testing.TB, expr string) weekback.Filter {
	tb.Helper()
	fl, err := weekback.ParseFilter(expr)
	if err != nil {
		tb.Fatal(err)
	}
	return fl
}

// assertLikeDay checks that every table of gen (or the named ones) in
// schema has the day's row count and content hash, read the way the
// snapshotter hashed production.
func assertLikeDay(tb testing.TB, schema string, gen *weekback.Generation, names ...string) {
	tb.Helper()
	ctx := context.Background()
	db := templatetest.MustOpen(tb, schema, mysql.RoleSource)
	conn, err := db.Connx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	tables, err := mysql.Tables(ctx, db, schema)
	if err != nil {
		tb.Fatal(err)
	}
	byName := map[string]*mysql.Table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	for _, ti := range gen.Manifest.Tables {
		if len(names) > 0 && !slices.Contains(names, ti.Name) {
			continue
		}
		t := byName[ti.Name]
		if t == nil {
			tb.Errorf("table %s is missing in %s", ti.Name, schema)
			continue
		}
		rows, hash, err := mysql.StreamHash(ctx, conn, schema, ti.Name, t.Copied())
		if err != nil {
			tb.Fatal(err)
		}
		if rows != ti.Rows || hash != ti.Hash {
			tb.Errorf("table %s: %d rows, hash %s; the day has %d rows, hash %s", ti.Name, rows, hash, ti.Rows, ti.Hash)
		}
	}
}

// state is each table's row count and CHECKSUM TABLE, and the binary
// log's position when the server keeps one: what a dry run must leave
// as it is.
func state(tb testing.TB, db *sql.DB, schema string) string {
	tb.Helper()
	rows, err := db.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", schema)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	var b strings.Builder
	for _, n := range names {
		var count int64
		var name string
		var sum sql.NullInt64
		q := mysql.QuoteTable(schema, n)
		if err := db.QueryRow("SELECT COUNT(*) FROM " + q).Scan(&count); err != nil {
			tb.Fatal(err)
		}
		if err := db.QueryRow("CHECKSUM TABLE "+q).Scan(&name, &sum); err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %d rows, checksum %d\n", n, count, sum.Int64)
	}
	var logBin string
	if err := db.QueryRow("SELECT @@log_bin").Scan(&logBin); err == nil && logBin == "1" {
		var file string
		var pos int64
		var rest1, rest2 sql.NullString
		if err := db.QueryRow("SHOW MASTER STATUS").Scan(&file, &pos, &rest1, &rest2); err == nil {
			fmt.Fprintf(&b, "binlog %s:%d\n", file, pos)
		}
	}
	return b.String()
}

// mustOpenTarget opens schema as restore opens production.
func mustOpenTarget(tb testing.TB, schema string) *sqlx.DB {
	tb.Helper()
	return templatetest.MustOpen(tb, schema, mysql.RoleTarget)
}

// mustOpenRoleExport opens the backup server as exports read slots.
func mustOpenRoleExport(tb testing.TB) *sqlx.DB {
	tb.Helper()
	return templatetest.MustOpen(tb, "", mysql.RoleExport)
}
