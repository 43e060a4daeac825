package restore_test

import (
	"bytes"
	"context"
	"path/filepath"
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
	return templatetest.MustOpen(tb, f.Source, mysql.RoleRestore)
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
