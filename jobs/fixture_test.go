package jobs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// bigRows is the row count of the fixture's table "big".
const bigRows = 50000

// shared is the generation every test reads: the type zoo plus "big"
// (bigRows rows, a heart U+2665 in every 10th, which Shift_JIS cannot
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
	tb := &mainTB{}
	code := func() int {
		defer tb.cleanup()
		if err := buildShared(tb); err != nil {
			log.Printf("jobs tests: build the fixture: %v", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// mainTB lets TestMain use mysqltest's helpers: failures end the run,
// cleanups run when cleanup is called.
type mainTB struct {
	testing.TB
	cleanups []func()
}

func (*mainTB) Helper()                        {}
func (*mainTB) Fatal(args ...any)              { log.Fatal(args...) }
func (*mainTB) Fatalf(format string, a ...any) { log.Fatalf(format, a...) }
func (tb *mainTB) Cleanup(f func())            { tb.cleanups = append(tb.cleanups, f) }

func (tb *mainTB) cleanup() {
	for i := len(tb.cleanups) - 1; i >= 0; i-- {
		tb.cleanups[i]()
	}
}

// bigTable creates and fills "big" with a recursive CTE, and "users".
const bigTable = `
SET SESSION max_recursive_iterations = 1000000;
CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, note VARCHAR(100) NULL, amount DECIMAL(12,2) NOT NULL,
  created DATETIME NOT NULL, KEY by_amount (amount));
INSERT INTO big WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 50000)
  SELECT n, CONCAT('name-', n), IF(n % 10 = 0, CONCAT('波♥', n), IF(n % 7 = 0, NULL, CONCAT('日本語 "note", ', n))),
  (n * 37 % 100000) / 100, '2026-01-01' + INTERVAL n MINUTE FROM seq;
CREATE TABLE users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL, password_hash VARCHAR(100) NOT NULL, api_token VARCHAR(40) NULL);
INSERT INTO users VALUES (1, 'alice', '$2a$10$secret', 'tok-1'), (2, 'bob', '$2a$10$hidden', NULL);
`

func buildShared(tb *mainTB) error {
	ctx := context.Background()
	db := mysqltest.MustOpen(tb)
	shared.source = mysqltest.MustCreateSchema(tb, db, "wbj_src_")
	shared.prefix = mysqltest.UniqueName("wbj_gen_")
	mysqltest.DropPrefixOnCleanup(tb, db, shared.prefix)
	script, err := os.ReadFile("../snapshotter/testdata/typezoo/schema.sql")
	if err != nil {
		return err
	}
	mysqltest.MustExecScript(tb, mysqltest.DSN(tb, shared.source), string(script)+bigTable)
	if err := snapshot(ctx, tb); err != nil {
		return err
	}
	backup := mustPool(tb, mysql.RoleMeta)
	if shared.gens, err = mysql.AttachMeta(ctx, backup, shared.prefix); err != nil {
		return err
	}
	if shared.gen, err = shared.gens.Generation(ctx, weekback.Monday); err != nil || !shared.gen.Ready() {
		return fmt.Errorf("generation: %+v, %v", shared.gen, err)
	}
	shared.catalog, shared.slots = mysql.NewCatalog(), mustPool(tb, mysql.RoleExport)
	return nil
}

// mustPool opens a pool on the test server for role, closed at the end.
func mustPool(tb testing.TB, role mysql.Role) *sqlx.DB {
	tb.Helper()
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(tb, ""), "test", role)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pool.Close() })
	return pool
}

func snapshot(ctx context.Context, tb testing.TB) error {
	s := snapshotter.New()
	s.SourceDSN, s.BackupDSN, s.Prefix = mysqltest.DSN(tb, shared.source), mysqltest.DSN(tb, ""), shared.prefix
	s.GracePeriod = 100 * time.Millisecond
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := s.Open(ctx); err != nil {
		return err
	}
	defer s.Close()
	_, err := s.Snapshot(ctx, weekback.Monday)
	return err
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
	pool := mustPool(tb, mysql.RoleMeta)
	open := mysql.AttachMeta
	if create {
		open = mysql.OpenMeta
	}
	m, err := open(context.Background(), pool, prefix)
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
func directExport(tb testing.TB, p weekback.JobParams, masked ...string) ([]byte, []export.Unencodable) {
	tb.Helper()
	ctx := context.Background()
	conn, err := shared.slots.Connx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	q := mysql.RecordQuery{Schema: shared.gen.Slot, Table: p.Table, Filters: p.Filters, Sort: p.Sort, Columns: p.Columns, Masked: masked}
	var opts export.CSVOptions
	if opts.Profile, err = export.ParseProfile(p.Profile); err != nil {
		tb.Fatal(err)
	}
	if opts.Encoding, err = export.ParseEncoding(p.Encoding); err != nil {
		tb.Fatal(err)
	}
	var list []export.Unencodable
	opts.Lossy, opts.OnUnencodable = true, func(u export.Unencodable) { list = append(list, u) }
	var buf bytes.Buffer
	if _, err := export.ExportCSV(ctx, conn, shared.catalog, q, &buf, opts, nil); err != nil {
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
