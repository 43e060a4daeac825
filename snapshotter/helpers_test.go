package snapshotter_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// MustLoadScenario loads testdata/<name>/schema.sql into a fresh source
// schema (dropped when the test ends) and returns its name.
func MustLoadScenario(tb testing.TB, db *sql.DB, name string) string {
	tb.Helper()
	return mysqltest.MustLoadScript(tb, db, "wbt_src_", "testdata/"+name+"/schema.sql")
}

// MustExecScript runs a script on one connection of dsn
// (mysqltest.MustExecScript).
func MustExecScript(tb testing.TB, dsn, script string) {
	tb.Helper()
	mysqltest.MustExecScript(tb, dsn, script)
}

// MustOpenSnapshotter returns an open Snapshotter from schema into a fresh
// backup prefix (dropped when the test ends).
func MustOpenSnapshotter(tb testing.TB, db *sql.DB, schema string) *snapshotter.Snapshotter {
	tb.Helper()
	prefix := mysqltest.UniqueName("wbt_")
	mysqltest.DropPrefixOnCleanup(tb, db, prefix)
	s := snapshotter.New()
	s.SourceDSN = mysqltest.DSN(tb, schema)
	s.BackupDSN = mysqltest.DSN(tb, "")
	s.Prefix = prefix
	s.GracePeriod = 100 * time.Millisecond
	s.Logger = testLogger(tb)
	if err := s.Open(context.Background()); err != nil {
		tb.Fatalf("open snapshotter: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func testLogger(tb testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
