package restore_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

const sakilaScript = "testdata/sakila.sql"

// fixture is a production schema loaded from a script, snapshotted as
// one day's generation in a fresh backup prefix.
type fixture struct {
	db     *sql.DB  // the test server, as root
	backup *sqlx.DB // the backup server (RoleBackup)
	prefix string
	source string // the production schema
	gen    *weekback.Generation
}

// mustFixture loads script into a fresh production schema and snapshots
// it as day's generation.
func mustFixture(tb testing.TB, script string, day weekback.Weekday) *fixture {
	tb.Helper()
	f := &fixture{db: mysqltest.MustOpen(tb)}
	f.source = mysqltest.MustLoadScript(tb, f.db, "wbt_rsrc_", script)
	f.prefix = mysqltest.UniqueName("wbt_rst_")
	mysqltest.DropPrefixOnCleanup(tb, f.db, f.prefix)
	f.backup = mustOpenRole(tb, "", mysql.RoleBackup)
	f.snapshot(tb, day)
	return f
}

// snapshot copies production into day's generation and reads it back.
func (f *fixture) snapshot(tb testing.TB, day weekback.Weekday) *weekback.Generation {
	tb.Helper()
	ctx := context.Background()
	s := snapshotter.New()
	s.SourceDSN, s.BackupDSN, s.Prefix = mysqltest.DSN(tb, f.source), mysqltest.DSN(tb, ""), f.prefix
	s.GracePeriod = 100 * time.Millisecond
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := s.Open(ctx); err != nil {
		tb.Fatalf("open snapshotter: %v", err)
	}
	defer s.Close()
	if _, err := s.Snapshot(ctx, day); err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	meta, err := mysql.AttachMeta(ctx, f.backup, f.prefix)
	if err != nil {
		tb.Fatalf("attach meta: %v", err)
	}
	gen, err := meta.Generation(ctx, day)
	if err != nil || !gen.Ready() {
		tb.Fatalf("generation %s: %+v, %v", day, gen, err)
	}
	f.gen = gen
	return gen
}

// mustOpenRole opens a pool on schema for role, closed at the end.
func mustOpenRole(tb testing.TB, schema string, role mysql.Role) *sqlx.DB {
	tb.Helper()
	db, err := mysql.Open(context.Background(), mysqltest.DSN(tb, schema), "test", role)
	if err != nil {
		tb.Fatalf("open %s: %v", schema, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// showCreate returns SHOW CREATE TABLE of schema.table without its
// AUTO_INCREMENT counter.
func showCreate(tb testing.TB, db *sql.DB, schema, table string) string {
	tb.Helper()
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE "+mysql.QuoteTable(schema, table)).Scan(&name, &ddl); err != nil {
		tb.Fatalf("show create table %s.%s: %v", schema, table, err)
	}
	return autoIncrement.ReplaceAllString(ddl, "")
}
