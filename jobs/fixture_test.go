package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/exporter"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// bigRows is the row count of the fixture's table "big".
const bigRows = 50000

// shared is the generation every test reads: the type zoo plus "big"
// (bigRows rows, a wave dash U+301C in every 10th, which Shift_JIS cannot
// hold) and a users table with a password column, snapshotted into
// Monday of a backup prefix of its own. TestMain builds it once and drops
// it.
var shared struct {
	source, prefix string
	gens           *mysql.Meta
	gen            *weekback.Generation
	slots          *sqlx.DB // RoleExport
	catalog        *mysql.Catalog
}

func TestMain(m *testing.M) {
	db, err := sql.Open("mysql", mysqltest.ServerDSN())
	if err != nil {
		log.Fatal(err)
	}
	code := func() int {
		defer dropShared(db)
		if err := buildShared(db); err != nil {
			log.Printf("jobs tests: build the fixture: %v", err)
			return 1
		}
		return m.Run()
	}()
	db.Close()
	os.Exit(code)
}

func dropShared(db *sql.DB) {
	if shared.slots != nil {
		shared.slots.Close()
	}
	for _, s := range []string{shared.source, shared.prefix + "_meta"} {
		if s != "" && s != "_meta" {
			db.Exec("DROP DATABASE IF EXISTS `" + s + "`")
		}
	}
	rows, err := db.Query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", shared.prefix+`\_%`)
	if err != nil || shared.prefix == "" {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		db.Exec("DROP DATABASE IF EXISTS `" + n + "`")
	}
}

// bigTable creates and fills "big" with a recursive CTE.
var bigTable = []string{
	"SET SESSION max_recursive_iterations = 1000000",
	`CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, note VARCHAR(100) NULL, amount DECIMAL(12,2) NOT NULL,
	  created DATETIME NOT NULL, KEY by_amount (amount))`,
	fmt.Sprintf(`INSERT INTO big WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %d)
	  SELECT n, CONCAT('name-', n), IF(n %% 10 = 0, CONCAT('波〜', n), IF(n %% 7 = 0, NULL, CONCAT('日本語 "note", ', n))),
	  (n * 37 %% 100000) / 100, '2026-01-01' + INTERVAL n MINUTE FROM seq`, bigRows),
	`CREATE TABLE users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL, password_hash VARCHAR(100) NOT NULL, api_token VARCHAR(40) NULL)`,
	`INSERT INTO users VALUES (1, 'alice', '$2a$10$secret', 'tok-1'), (2, 'bob', '$2a$10$hidden', NULL)`,
}

func buildShared(db *sql.DB) error {
	ctx := context.Background()
	shared.source = mysqltest.UniqueName("wbj_src_")
	shared.prefix = mysqltest.UniqueName("wbj_gen_")
	if _, err := db.Exec("CREATE DATABASE `" + shared.source + "` CHARACTER SET utf8mb4"); err != nil {
		return err
	}
	script, err := os.ReadFile("../snapshotter/testdata/typezoo/schema.sql")
	if err != nil {
		return err
	}
	if err := execScript(dsnOf(shared.source), string(script), bigTable); err != nil {
		return err
	}
	if err := snapshot(ctx); err != nil {
		return err
	}
	backup, err := mysql.Open(ctx, dsnOf(""), "test", mysql.RoleBackup)
	if err != nil {
		return err
	}
	if shared.gens, err = mysql.AttachMeta(ctx, backup, shared.prefix); err != nil {
		return err
	}
	if shared.gen, err = shared.gens.Generation(ctx, weekback.Monday); err != nil || !shared.gen.Ready() {
		return fmt.Errorf("generation: %+v, %v", shared.gen, err)
	}
	shared.catalog = mysql.NewCatalog()
	shared.slots, err = mysql.Open(ctx, dsnOf(""), "backup.reader_dsn", mysql.RoleExport)
	return err
}

func snapshot(ctx context.Context) error {
	s := snapshotter.New()
	s.SourceDSN, s.BackupDSN, s.Prefix = dsnOf(shared.source), dsnOf(""), shared.prefix
	s.GracePeriod = 100 * time.Millisecond
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := s.Open(ctx); err != nil {
		return err
	}
	defer s.Close()
	_, err := s.Snapshot(ctx, weekback.Monday)
	return err
}

// execScript runs a script of ";"-ended statements, then extra, on one
// connection of dsn.
func execScript(dsn, script string, extra []string) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	var stmts []string
	var cur strings.Builder
	for line := range strings.SplitSeq(script, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line + "\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			stmts = append(stmts, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	for _, s := range append(stmts, extra...) {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			return fmt.Errorf("exec %.200s: %w", s, err)
		}
	}
	return nil
}

// dsnOf is the test server's DSN with database schema.
func dsnOf(schema string) string {
	cfg, err := gomysql.ParseDSN(mysqltest.ServerDSN())
	if err != nil {
		panic(err)
	}
	cfg.DBName = schema
	return cfg.FormatDSN()
}

// mustJobStore returns a fresh meta schema (dropped at the end) to keep
// jobs in, as a store of its own pool: a test's jobs are never seen by
// another test's workers.
func mustJobStore(tb testing.TB, prefix string) *mysql.Meta {
	tb.Helper()
	db := mysqltest.MustOpen(tb)
	mysqltest.DropPrefixOnCleanup(tb, db, prefix)
	return mustAttachStore(tb, prefix, true)
}

// mustAttachStore opens prefix's meta schema on a pool of its own (a
// process of its own), creating it when create is set.
func mustAttachStore(tb testing.TB, prefix string, create bool) *mysql.Meta {
	tb.Helper()
	ctx := context.Background()
	pool, err := mysql.Open(ctx, mysqltest.DSN(tb, ""), "test", mysql.RoleBackup)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pool.Close() })
	open := mysql.AttachMeta
	if create {
		open = mysql.OpenMeta
	}
	m, err := open(ctx, pool, prefix)
	if err != nil {
		tb.Fatalf("meta schema %s: %v", prefix, err)
	}
	return m
}

// newRunner returns a Runner on store with short intervals, its own
// folder and a logger into the test's log; not opened.
func newRunner(tb testing.TB, store weekback.JobStore, dir string) *Runner {
	tb.Helper()
	r := New()
	r.Store, r.Generations, r.Slots, r.Catalog = store, shared.gens, shared.slots, shared.catalog
	r.Redaction = weekback.Redaction{PasswordTable: "users", PasswordColumn: "password_hash", Globs: []string{"*.api_token"}}
	r.Dir, r.Workers = dir, 2
	r.Lease, r.Heartbeat, r.Poll = 2*time.Second, 100*time.Millisecond, 50*time.Millisecond
	r.Logger = slog.New(slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return r
}

// mustOpen opens r and closes it when the test ends.
func mustOpen(tb testing.TB, r *Runner) *Runner {
	tb.Helper()
	if err := r.Open(); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// slowly makes every write to a result file wait d: an export of big
// then takes a moment (about 20 writes of 64 KiB).
func slowly(d time.Duration) func(io.Writer) io.Writer {
	return func(w io.Writer) io.Writer { return slowWriter{w, d} }
}

type slowWriter struct {
	w io.Writer
	d time.Duration
}

func (s slowWriter) Write(p []byte) (int, error) {
	time.Sleep(s.d)
	return s.w.Write(p)
}

// directExport is what the direct download (export.csv) writes for p
// with the columns masked, built here as the server builds it, and the
// characters it could not encode.
func directExport(tb testing.TB, p weekback.JobParams, masked ...string) ([]byte, []exporter.Unencodable) {
	tb.Helper()
	ctx := context.Background()
	conn, err := shared.slots.Connx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	q := mysql.RecordQuery{Schema: shared.gen.Slot, Table: p.Table, Filters: p.Filters, Sort: p.Sort, Columns: p.Columns, Masked: masked}
	var opts exporter.CSVOptions
	if opts.Profile, err = exporter.ParseProfile(p.Profile); err != nil {
		tb.Fatal(err)
	}
	if opts.Encoding, err = exporter.ParseEncoding(p.Encoding); err != nil {
		tb.Fatal(err)
	}
	var list []exporter.Unencodable
	opts.Lossy, opts.OnUnencodable = true, func(u exporter.Unencodable) { list = append(list, u) }
	var buf bytes.Buffer
	if _, err := exporter.ExportCSV(ctx, conn, shared.catalog, q, &buf, opts, nil); err != nil {
		tb.Fatalf("direct export: %v", err)
	}
	return buf.Bytes(), list
}

// countingStore counts Renew calls and keeps the rows each reported.
type countingStore struct {
	weekback.JobStore
	renews atomic.Int64
	rows   chan int64
}

func (s *countingStore) Renew(ctx context.Context, id int64, worker string, lease time.Duration, rowsDone int64) (bool, error) {
	s.renews.Add(1)
	select {
	case s.rows <- rowsDone:
	default:
	}
	return s.JobStore.Renew(ctx, id, worker, lease, rowsDone)
}
