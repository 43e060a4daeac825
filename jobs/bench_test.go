package jobs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// EnvBenchSource names the schema TestJobLargeExport snapshots (e.g. the
// benchmarks' wbbench_src, whose orders table has 2 million rows).
const EnvBenchSource = "WEEKBACK_JOB_BENCH_SOURCE"

// TestJobLargeExport times a whole-table export of orders as a job beside
// the same export written directly to a file (reimport, then spreadsheet
// in Shift_JIS). It runs only when $WEEKBACK_JOB_BENCH_SOURCE names a
// source schema: go test -run LargeExport -v ./jobs/.
func TestJobLargeExport(t *testing.T) {
	source := os.Getenv(EnvBenchSource)
	if source == "" {
		t.Skip("set " + EnvBenchSource + "=wbbench_src to time a 2-million-row export as a job")
	}
	prefix := mysqltest.UniqueName("wbj_bench_")
	mysqltest.DropPrefixOnCleanup(t, mysqltest.MustOpen(t), prefix)
	start := time.Now()
	gens := mustSnapshotTable(t, source, prefix, "orders")
	t.Logf("snapshot of %s.orders: %s", source, time.Since(start).Round(time.Millisecond))
	store := mustJobStore(t, mysqltest.UniqueName("wbj_benchjobs_"))
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	r.Generations, r.Lease, r.Heartbeat = gens, 30*time.Second, time.Second
	mustOpen(t, r)
	for _, p := range []weekback.JobParams{
		{Day: weekback.Monday, Table: "orders"},
		{Day: weekback.Monday, Table: "orders", Profile: "spreadsheet", Encoding: "shift_jis"},
	} {
		direct := timeDirect(t, r, gens, p, filepath.Join(dir, "direct.csv"))
		start := time.Now()
		j := mustSubmit(t, r, "bench", weekback.JobExport, p)
		done := mustSucceed(t, store, j.ID, 20*time.Minute)
		took := time.Since(start)
		t.Logf("%s/%s: job %d rows, %.1f MB, %d unencodable in %s (%.0f rows/s); direct export %s",
			done.Params.Profile, done.Params.Encoding, done.RowsDone, float64(done.Bytes)/1e6, done.Errors, took.Round(time.Millisecond),
			float64(done.RowsDone)/took.Seconds(), direct.Round(time.Millisecond))
		r.Remove(done)
	}
}

// mustSnapshotTable snapshots table of source into prefix's Monday and
// returns the generation store.
func mustSnapshotTable(t *testing.T, source, prefix, table string) *mysql.Meta {
	t.Helper()
	ctx := context.Background()
	s := snapshotter.New()
	s.SourceDSN, s.BackupDSN, s.Prefix, s.Include = mysqltest.DSN(t, source), mysqltest.DSN(t, ""), prefix, []string{table}
	s.GracePeriod = 100 * time.Millisecond
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Snapshot(ctx, weekback.Monday); err != nil {
		t.Fatal(err)
	}
	m, err := mysql.AttachMeta(ctx, mustPool(t, mysql.RoleMeta), prefix)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// timeDirect writes p's export straight to path, as `weekback export -o`
// does, and returns how long it took.
func timeDirect(t *testing.T, r *Runner, gens *mysql.Meta, p weekback.JobParams, path string) time.Duration {
	t.Helper()
	ctx := context.Background()
	gen, err := gens.Generation(ctx, p.Day)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	conn, err := r.Slots.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q, err := r.recordQuery(ctx, conn, gen, p)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := csvOptions(p)
	if err != nil {
		t.Fatal(err)
	}
	opts.Lossy = true
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	defer f.Close()
	if _, err := export.ExportCSV(ctx, conn, r.Catalog, q, f, opts, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}
