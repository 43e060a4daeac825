package snapshotter_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// mustOpenGaleraSnapshotter returns an open Snapshotter from schema (on
// the single test server) into a fresh prefix on the Galera cluster whose
// nodes are dsns (backup.dsn lists them all, node 1 first).
func mustOpenGaleraSnapshotter(tb testing.TB, dsns []string, schema string) (*snapshotter.Snapshotter, *sql.DB) {
	tb.Helper()
	node1 := mysqltest.OpenNode(tb, dsns[0])
	prefix := mysqltest.UniqueName("wbg_")
	mysqltest.DropPrefixOnCleanup(tb, node1, prefix)
	s := snapshotter.New()
	s.SourceDSN = mysqltest.DSN(tb, schema)
	s.BackupDSN = strings.Join(dsns, "\n")
	s.Prefix, s.GracePeriod, s.Logger = prefix, 100*time.Millisecond, testLogger(tb)
	if err := s.Open(context.Background()); err != nil {
		tb.Fatalf("open snapshotter: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, node1
}

// setGlobalOnCleanup sets the global variable name to value on every node
// and restores each node's value when the test ends.
func setGlobalOnCleanup(tb testing.TB, dsns []string, name, value string) {
	tb.Helper()
	for _, dsn := range dsns {
		db := mysqltest.OpenNode(tb, dsn)
		var old string
		if err := db.QueryRow("SELECT @@GLOBAL." + name).Scan(&old); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			if _, err := db.Exec("SET GLOBAL " + name + " = " + sqlValue(old)); err != nil {
				tb.Errorf("restore %s on %s: %v", name, mysql.Addr(dsn), err)
			}
		})
		mysqltest.MustExec(tb, db, "SET GLOBAL "+name+" = "+sqlValue(value))
	}
}

// sqlValue returns v as a SQL literal: bare when a whole number, else
// quoted.
func sqlValue(v string) string {
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// TestGaleraBigTable: a 2-million-row table, one write set of 2 M rows
// in one transaction, which wsrep_max_ws_rows = 50000 refuses (shown with
// an INSERT … SELECT of 60,000 rows), is copied in transactions of at most
// 10,000 rows (GaleraChunkRows), and every node holds all of it.
func TestGaleraBigTable(t *testing.T) {
	if testing.Short() {
		t.Skip("copies 2 M rows into the cluster (a few minutes)")
	}
	const rows = 2_000_000
	dsns := mysqltest.GaleraDSNs(t)
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbg_src_")
	mysqltest.MustExec(t, db,
		"CREATE TABLE `"+src+"`.big (id INT UNSIGNED PRIMARY KEY, n INT NOT NULL, tag VARCHAR(16) NOT NULL, KEY n (n))",
		fmt.Sprintf("INSERT INTO `%s`.big SELECT seq, seq %% 1000, CONCAT('t', seq %% 97) FROM `%s`.seq_1_to_%d", src, src, rows))
	setGlobalOnCleanup(t, dsns, "wsrep_max_ws_rows", "50000")

	s, node1 := mustOpenGaleraSnapshotter(t, dsns, src)
	probe := mysqltest.UniqueName("wbg_probe_")
	mysqltest.MustExec(t, node1, "CREATE DATABASE "+probe, "CREATE TABLE "+probe+".t (id INT PRIMARY KEY)")
	t.Cleanup(func() { node1.Exec("DROP DATABASE IF EXISTS " + probe) })
	if _, err := node1.Exec("INSERT INTO " + probe + ".t SELECT seq FROM " + probe + ".seq_1_to_60000"); err == nil {
		t.Fatal("a 60,000-row write set passed under wsrep_max_ws_rows = 50000: the limit is not in effect, the test proves nothing")
	}

	res, err := s.Snapshot(ctx, weekback.Monday)
	if err != nil {
		t.Fatalf("snapshot of a %d-row table under wsrep_max_ws_rows = 50000: %v", rows, err)
	}
	if got := res.Manifest.Table("big").Rows; got != rows {
		t.Fatalf("manifest rows = %d, want %d", got, rows)
	}
	for _, dsn := range dsns {
		var n int64
		q := "SET STATEMENT wsrep_sync_wait=1 FOR SELECT COUNT(*) FROM `" + res.Manifest.Slot + "`.big"
		if err := mysqltest.OpenNode(t, dsn).QueryRow(q).Scan(&n); err != nil || n != rows {
			t.Errorf("node %s holds %d rows of big (%v), want %d", mysql.Addr(dsn), n, err, rows)
		}
	}
}

// TestGaleraPreflight: with wsrep_mode REQUIRED_PRIMARY_KEY a table
// without a primary key, and a MyISAM table (never replicated), stop the
// snapshot before anything is written, each named with its fix.
func TestGaleraPreflight(t *testing.T) {
	dsns := mysqltest.GaleraDSNs(t)
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbg_src_")
	mysqltest.MustExec(t, db,
		"CREATE TABLE `"+src+"`.keyed (id INT PRIMARY KEY)",
		"CREATE TABLE `"+src+"`.loose (v INT)",
		"CREATE TABLE `"+src+"`.old_style (id INT PRIMARY KEY) ENGINE=MyISAM",
		"INSERT INTO `"+src+"`.loose VALUES (1), (1)")
	setGlobalOnCleanup(t, dsns, "wsrep_mode", "REQUIRED_PRIMARY_KEY")
	s, node1 := mustOpenGaleraSnapshotter(t, dsns, src)
	_, err := s.Snapshot(context.Background(), weekback.Monday)
	if weekback.ErrorCode(err) != weekback.EINVALID {
		t.Fatalf("snapshot = %v, want EINVALID", err)
	}
	msg := weekback.ErrorMessage(err)
	for _, want := range []string{"`loose` has no primary key", "REQUIRED_PRIMARY_KEY", "`old_style` uses the MyISAM engine", "source.exclude"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "`keyed`") {
		t.Errorf("error names the table with a primary key:\n%s", msg)
	}
	var schemas int
	node1.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", s.Prefix+`\_%`).Scan(&schemas)
	if schemas != 0 {
		t.Errorf("%d schemas of the prefix exist after the refused pre-flight, want 0", schemas)
	}
}

// TestGaleraRunFailsOnLostNode: a run whose node leaves the primary
// component in the middle of the copy (gmcast.isolate) fails within
// GaleraStall and a minute, and the served generation is untouched on the
// nodes that stayed primary; the node rejoins afterwards.
func TestGaleraRunFailsOnLostNode(t *testing.T) {
	dsns := mysqltest.GaleraDSNs(t)
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbg_src_")
	mysqltest.MustExec(t, db, "CREATE TABLE `"+src+"`.small (id INT PRIMARY KEY)", "INSERT INTO `"+src+"`.small VALUES (1), (2)")
	s, node1 := mustOpenGaleraSnapshotter(t, dsns[:1], src) // node 1 only: no failover
	first, err := s.Snapshot(ctx, weekback.Monday)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, db, "CREATE TABLE `"+src+"`.big (id INT UNSIGNED PRIMARY KEY, tag VARCHAR(40) NOT NULL)",
		"INSERT INTO `"+src+"`.big SELECT seq, MD5(seq) FROM `"+src+"`.seq_1_to_1000000")
	done := make(chan error, 1)
	go func() { _, err := s.Snapshot(ctx, weekback.Monday); done <- err }()
	time.Sleep(3 * time.Second) // into the copy of big
	t.Cleanup(func() { rejoin(t, node1) })
	mysqltest.MustExec(t, node1, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")
	select {
	case err = <-done:
	case <-time.After(snapshotter.GaleraStall + time.Minute):
		t.Fatalf("the run did not end %s after its node left the primary component", snapshotter.GaleraStall+time.Minute)
	}
	if msg := strings.ToLower(fmt.Sprint(err)); err == nil || !strings.Contains(msg, "wsrep") && !strings.Contains(msg, "primary component") {
		t.Fatalf("the run = %v, want it failed for its node outside the primary component", err)
	}
	t.Logf("the run failed: %v", err)
	var slot string
	q := "SELECT slot FROM `" + s.Prefix + "_meta`.generations WHERE day = 'mon'"
	if err := mysqltest.OpenNode(t, dsns[1]).QueryRow(q).Scan(&slot); err != nil || slot != first.Manifest.Slot {
		t.Errorf("Monday on node 2 serves %q (%v), want the first run's %q", slot, err, first.Manifest.Slot)
	}
}

// rejoin puts node back in the cluster and waits until it is synced.
func rejoin(t *testing.T, node *sql.DB) {
	if _, err := node.Exec("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'"); err != nil {
		t.Errorf("rejoin: %v", err)
		return
	}
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(time.Second) {
		var state string
		err := node.QueryRow("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'").Scan(&state)
		if err == nil && state == "Synced" {
			return
		}
	}
	t.Errorf("the isolated node is not Synced 2 minutes after it rejoined")
}
