package snapshotter_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// MustLoadScenario creates a fresh source schema and runs
// testdata/<name>/schema.sql in it. It returns the schema's name.
func MustLoadScenario(tb testing.TB, db *sql.DB, name string) string {
	tb.Helper()
	schema := mysqltest.MustCreateSchema(tb, db, "wbt_src_")
	body, err := os.ReadFile("testdata/" + name + "/schema.sql")
	if err != nil {
		tb.Fatal(err)
	}
	MustExecScript(tb, mysqltest.DSN(tb, schema), string(body))
	return schema
}

// MustExecScript runs a script of statements ended by ";" at line end on
// one connection of dsn.
func MustExecScript(tb testing.TB, dsn, script string) {
	tb.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	var cur strings.Builder
	for _, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			if _, err := conn.ExecContext(context.Background(), stmt); err != nil {
				tb.Fatalf("exec %.300s: %v", stmt, err)
			}
			cur.Reset()
		}
	}
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
