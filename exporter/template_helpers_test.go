package exporter_test

import (
	"context"
	"database/sql"
	"flag"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/exporter"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// The -update flag may be registered by another test file of this
// binary too; it is looked up, not owned.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func templateUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// templateFixture is a real generation of a scenario's schema.
type templateFixture struct {
	db     *sql.DB  // the test server, as root
	backup *sqlx.DB // the backup server's catalog (RoleBackup)
	source string   // the production schema
	gen    *weekback.Generation
}

// mustTemplateGeneration loads script (a path) into a fresh production
// schema and snapshots it into a fresh backup prefix as day's generation.
func mustTemplateGeneration(tb testing.TB, script string, day weekback.Weekday) *templateFixture {
	tb.Helper()
	ctx := context.Background()
	f := &templateFixture{db: mysqltest.MustOpen(tb)}
	f.source = mysqltest.MustLoadScript(tb, f.db, "wbt_tsrc_", script)
	prefix := mysqltest.UniqueName("wbt_tpl_")
	mysqltest.DropPrefixOnCleanup(tb, f.db, prefix)
	s := snapshotter.New()
	s.SourceDSN, s.BackupDSN, s.Prefix = mysqltest.DSN(tb, f.source), mysqltest.DSN(tb, ""), prefix
	s.GracePeriod = 100 * time.Millisecond
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := s.Open(ctx); err != nil {
		tb.Fatalf("open snapshotter: %v", err)
	}
	defer s.Close()
	if _, err := s.Snapshot(ctx, day); err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	f.backup = mustTemplateOpen(tb, "", mysql.RoleBackup)
	meta, err := mysql.AttachMeta(ctx, f.backup, prefix)
	if err != nil {
		tb.Fatalf("attach meta: %v", err)
	}
	if f.gen, err = meta.Generation(ctx, day); err != nil || !f.gen.Ready() {
		tb.Fatalf("generation %s: %+v, %v", day, f.gen, err)
	}
	return f
}

// mustTemplateOpen opens a pool on schema for role, closed at the end.
func mustTemplateOpen(tb testing.TB, schema string, role mysql.Role) *sqlx.DB {
	tb.Helper()
	db, err := mysql.Open(context.Background(), mysqltest.DSN(tb, schema), "test", role)
	if err != nil {
		tb.Fatalf("open %s: %v", schema, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustBuildTemplate builds the template of table from f's generation.
func (f *templateFixture) mustBuildTemplate(tb testing.TB, table string, related bool) *weekback.Template {
	tb.Helper()
	tpl, err := exporter.BuildTemplate(context.Background(), f.backup, f.gen, table, related)
	if err != nil {
		tb.Fatalf("BuildTemplate: %v", err)
	}
	return tpl
}

var templateAutoIncrement = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

// templateShowCreate returns SHOW CREATE TABLE of schema.table without its
// AUTO_INCREMENT counter.
func templateShowCreate(tb testing.TB, db *sql.DB, schema, table string) string {
	tb.Helper()
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE "+mysql.QuoteTable(schema, table)).Scan(&name, &ddl); err != nil {
		tb.Fatalf("show create table %s.%s: %v", schema, table, err)
	}
	return templateAutoIncrement.ReplaceAllString(ddl, "")
}

// templateTableNames returns the names of a template's tables, in order.
func templateTableNames(t *weekback.Template) []string {
	out := make([]string, len(t.Tables))
	for i, tt := range t.Tables {
		out[i] = tt.Name
	}
	return out
}

// templateCountTables returns how many base tables schema has.
func templateCountTables(tb testing.TB, db *sql.DB, schema string) int {
	tb.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", schema).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
