package restore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// importFixture is a fresh schema on the test server, a RoleTarget pool on
// it (as `weekback import` opens production) and a folder for files.
type importFixture struct {
	t      *testing.T
	schema string
	db     *sqlx.DB
	dir    string
	runs   int
}

// newImportFixture creates the schema and runs script in it.
func newImportFixture(t *testing.T, script string) *importFixture {
	t.Helper()
	admin := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, admin, "wbimp_")
	if script != "" {
		mysqltest.MustExecScript(t, mysqltest.DSN(t, schema), script)
	}
	return &importFixture{t: t, schema: schema, db: mustOpenRole(t, schema, mysql.RoleTarget), dir: t.TempDir()}
}

func mustOpenRole(t *testing.T, schema string, role mysql.Role) *sqlx.DB {
	t.Helper()
	db, err := mysql.Open(context.Background(), mysqltest.DSN(t, schema), "--to", role)
	if err != nil {
		t.Fatalf("open %s: %v", schema, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// exec runs statements on the target.
func (f *importFixture) exec(stmts ...string) {
	f.t.Helper()
	for _, s := range stmts {
		if _, err := f.db.Exec(s); err != nil {
			f.t.Fatalf("exec %.200s: %v", s, err)
		}
	}
}

// file writes content to a new file in the fixture's folder.
func (f *importFixture) file(content string) string {
	f.t.Helper()
	f.runs++
	path := filepath.Join(f.dir, fmt.Sprintf("in%d.csv", f.runs))
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// run imports the file at path into table with opts (Table, UndoPath and
// a fixed clock filled in).
func (f *importFixture) run(path, table string, opts ImportOptions) (*ImportReport, error) {
	f.t.Helper()
	in, err := os.Open(path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer in.Close()
	opts.Table = table
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.UndoPath == "" {
		opts.UndoPath = UndoPathFor(path, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	}
	return Import(context.Background(), f.db, in, opts)
}

// runCSV writes content to a file and imports it.
func (f *importFixture) runCSV(content, table string, opts ImportOptions) (*ImportReport, error) {
	f.t.Helper()
	return f.run(f.file(content), table, opts)
}

// mustRun is run failing the test on an error.
func (f *importFixture) mustRun(path, table string, opts ImportOptions) *ImportReport {
	f.t.Helper()
	rep, err := f.run(path, table, opts)
	if err != nil {
		f.t.Fatalf("import %s: %v", filepath.Base(path), err)
	}
	return rep
}

// dump returns the rows of table, ordered by the first column, one line
// each: values as the server prints them, bytes quoted, NULL as NULL.
func (f *importFixture) dump(table string) string {
	f.t.Helper()
	rows, err := f.db.Query("SELECT * FROM " + mysql.QuoteIdent(table) + " ORDER BY 1")
	if err != nil {
		f.t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			f.t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteString("|")
			}
			if v == nil {
				b.WriteString("NULL")
			} else {
				fmt.Fprintf(&b, "%q", v)
			}
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return b.String()
}

// hash returns "rows:hash" of table as the snapshotter hashes tables:
// every stored column byte for byte.
func (f *importFixture) hash(table string) string {
	f.t.Helper()
	ctx := context.Background()
	src := mustOpenRole(f.t, f.schema, mysql.RoleSource)
	conn, err := src.Connx(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close()
	rt, err := new(mysql.Catalog).Table(ctx, conn, f.schema, table)
	if err != nil {
		f.t.Fatal(err)
	}
	var cols []mysql.Column
	for _, c := range rt.Columns {
		if !c.Generated {
			cols = append(cols, c.Column)
		}
	}
	n, h, err := mysql.StreamHash(ctx, conn, f.schema, table, cols)
	if err != nil {
		f.t.Fatal(err)
	}
	return fmt.Sprintf("%d:%s", n, h)
}

// readFile returns a file's content.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// counts formats a report's counts for got/want comparisons.
func counts(r *ImportReport) string {
	if r == nil {
		return "<nil report>"
	}
	return fmt.Sprintf("rows=%d insert=%d update=%d same=%d skip=%d delete=%d conflict=%d errors=%d",
		r.Rows, r.Insert, r.Update, r.Same, r.Skip, r.Delete, r.Conflict, r.ErrorCount)
}

// crlf turns a readable multi-line CSV (LF) into the reimport's CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n")
}
