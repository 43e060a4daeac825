// Package templatetest makes real generations of small schemas for the
// tests of package template and of the packages that apply templates.
package templatetest

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
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
	"github.com/weekback/weekback/template"
)

// The -update flag may be registered by a test file of the importing test
// binary too; whoever comes first registers it, the others look it up.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// UpdateGolden reports whether the test binary runs with -update: golden
// files in testdata are then rewritten from the current output.
func UpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// ShopRelated is the related set of the shop scenario
// (template/testdata/template/shop.sql), in the order its template lists
// it (referenced tables first, by name among equals).
var ShopRelated = []string{"customers", "orders", "order notes`x", "products", "order_items"}

// Fixture is a real generation of a scenario's schema.
type Fixture struct {
	DB     *sql.DB  // the test server, as root
	Backup *sqlx.DB // the backup server's catalog (RoleBackup)
	Source string   // the production schema
	Prefix string   // the backup prefix
	Gen    *weekback.Generation
}

// MustGeneration loads script (a path) into a fresh production
// schema and snapshots it into a fresh backup prefix as day's generation.
func MustGeneration(tb testing.TB, script string, day weekback.Weekday) *Fixture {
	tb.Helper()
	f := &Fixture{DB: mysqltest.MustOpen(tb)}
	f.Source = mysqltest.MustLoadScript(tb, f.DB, "wbt_tsrc_", script)
	f.Prefix = mysqltest.UniqueName("wbt_tpl_")
	mysqltest.DropPrefixOnCleanup(tb, f.DB, f.Prefix)
	f.Backup = MustOpen(tb, "", mysql.RoleBackup)
	f.Gen = f.Snapshot(tb, day)
	return f
}

// Snapshot copies production as it is now into day's generation of f's
// prefix and returns that generation (f.Gen is left alone).
func (f *Fixture) Snapshot(tb testing.TB, day weekback.Weekday) *weekback.Generation {
	tb.Helper()
	ctx := context.Background()
	s := snapshotter.New()
	s.SourceDSN, s.BackupDSN, s.Prefix = mysqltest.DSN(tb, f.Source), mysqltest.DSN(tb, ""), f.Prefix
	s.GracePeriod = 100 * time.Millisecond
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := s.Open(ctx); err != nil {
		tb.Fatalf("open snapshotter: %v", err)
	}
	defer s.Close()
	if _, err := s.Snapshot(ctx, day); err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	meta, err := mysql.AttachMeta(ctx, f.Backup, f.Prefix)
	if err != nil {
		tb.Fatalf("attach meta: %v", err)
	}
	gen, err := meta.Generation(ctx, day)
	if err != nil || !gen.Ready() {
		tb.Fatalf("generation %s: %+v, %v", day, gen, err)
	}
	return gen
}

// MustOpen opens a pool on schema for role, closed at the end.
func MustOpen(tb testing.TB, schema string, role mysql.Role) *sqlx.DB {
	tb.Helper()
	db, err := mysql.Open(context.Background(), mysqltest.DSN(tb, schema), "test", role)
	if err != nil {
		tb.Fatalf("open %s: %v", schema, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustBuild builds the template of table from f's generation.
func (f *Fixture) MustBuild(tb testing.TB, table string, related bool) *weekback.Template {
	tb.Helper()
	tpl, err := template.Build(context.Background(), f.Backup, f.Gen, table, related)
	if err != nil {
		tb.Fatalf("Build: %v", err)
	}
	return tpl
}

var autoIncrement = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

// ShowCreate returns SHOW CREATE TABLE of schema.table without its
// AUTO_INCREMENT counter.
func ShowCreate(tb testing.TB, db *sql.DB, schema, table string) string {
	tb.Helper()
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE "+mysql.QuoteTable(schema, table)).Scan(&name, &ddl); err != nil {
		tb.Fatalf("show create table %s.%s: %v", schema, table, err)
	}
	return autoIncrement.ReplaceAllString(ddl, "")
}

// TableNames returns the names of a template's tables, in order.
func TableNames(t *weekback.Template) []string {
	out := make([]string, len(t.Tables))
	for i, tt := range t.Tables {
		out[i] = tt.Name
	}
	return out
}

// CountTables returns how many base tables schema has.
func CountTables(tb testing.TB, db *sql.DB, schema string) int {
	tb.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", schema).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
