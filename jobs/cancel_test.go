package jobs

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// cancelHeartbeat is the heartbeat of the cancel tests: half the default
// second, so that "canceled within 2 s" (one default heartbeat to notice,
// then the stop) keeps a margin on a machine loaded by parallel tests
// under -race; with the default second it measured 0.03–1.1 s.
const cancelHeartbeat = DefaultHeartbeat / 2

// cancelWithin cancels job id and returns how long it took to end, failing
// unless it ended canceled within 2 s.
func cancelWithin(t *testing.T, store weekback.JobStore, id int64) time.Duration {
	t.Helper()
	start := time.Now()
	if err := store.Cancel(context.Background(), id); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	j := waitJob(t, store, id, 5*time.Second, final)
	took := time.Since(start)
	if j.Status != weekback.JobCanceled || took > 2*time.Second {
		t.Fatalf("after cancel: %s in %s, want canceled within 2s", j.Status, took)
	}
	return took
}

// mustHaveNoFiles fails when dir holds anything.
func mustHaveNoFiles(t *testing.T, dir string) {
	t.Helper()
	if names := dirNames(t, dir); len(names) > 0 {
		t.Fatalf("left in the folder: %v", names)
	}
}

// mustEmptySoon fails unless dir is empty within 5 s: the files of a job
// are removed just after its row says it ended.
func mustEmptySoon(t *testing.T, dir string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); len(dirNames(t, dir)) > 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	mustHaveNoFiles(t, dir)
}

// TestCancelStreaming: a job canceled while rows stream ends canceled
// within 2 s (one Heartbeat of the default second) and its partial file
// is removed.
func TestCancelStreaming(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_cancel_"))
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	r.Heartbeat, r.Lease, r.wrap = cancelHeartbeat, 5*time.Second, slowly(100*time.Millisecond)
	mustOpen(t, r)
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "big"})
	waitJob(t, store, j.ID, 10*time.Second, func(j *weekback.Job) bool { return j.RowsDone > 0 })
	if names := dirNames(t, dir); len(names) != 1 || !strings.HasPrefix(names[0], "."+strconv.FormatInt(j.ID, 10)+".tmp-") {
		t.Fatalf("while running, the folder holds %v, want one temporary file", names)
	}
	t.Logf("canceled in %s", cancelWithin(t, store, j.ID).Round(time.Millisecond))
	mustHaveNoFiles(t, dir)
}

// TestCancelBeforeFirstRow: a job whose query waits (the table is locked)
// and has not returned a row yet is canceled within 2 s too: canceling
// the context stops the query, and the server's statement is killed.
func TestCancelBeforeFirstRow(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_lock_"))
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	r.Heartbeat, r.Lease = cancelHeartbeat, 5*time.Second
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "big", Sort: weekback.Sort{Column: "name"}})
	unlock := lockTable(t, shared.gen.Slot, "big")
	defer unlock()
	mustOpen(t, r)
	waitJob(t, store, j.ID, 10*time.Second, running)
	waitQuery(t, shared.gen.Slot, true)
	t.Logf("canceled in %s", cancelWithin(t, store, j.ID).Round(time.Millisecond))
	mustHaveNoFiles(t, dir)
	waitQuery(t, shared.gen.Slot, false)
}

// lockTable write-locks schema.table on a connection of its own until
// the returned function is called.
func lockTable(t *testing.T, schema, table string) (unlock func()) {
	t.Helper()
	conn, err := mysqltest.MustOpen(t).Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "LOCK TABLES "+mysql.QuoteTable(schema, table)+" WRITE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		conn.ExecContext(context.Background(), "UNLOCK TABLES")
		conn.Close()
	}
}

// waitQuery waits until a statement reading schema runs on the server
// (want) or none does (!want).
func waitQuery(t *testing.T, schema string, want bool) {
	t.Helper()
	db := mysqltest.MustOpen(t)
	deadline := time.Now().Add(3 * time.Second)
	for {
		var n int
		err := db.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND COMMAND <> 'Sleep'",
			"%SELECT%"+schema+"%").Scan(&n)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if (n > 0) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("statements reading %s: %d, want running=%v", schema, n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
