package mysql_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestJobLargeParams: parameters longer than 64 KiB are stored whole and
// read back equal (the column holds them; nothing is cut).
func TestJobLargeParams(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	j := exportJob("alice", "orders")
	j.Params.Filters = mysqltest.InFilters("id", 12)
	mustEnqueue(t, m, j)
	got := mustClaim(t, m, "w1")
	if got == nil || got.ID != j.ID || got.Damaged || got.Params.Key(got.Kind) != j.Params.Key(j.Kind) {
		t.Fatalf("claimed %+v, want job %d with its %d filters whole", got, j.ID, len(j.Params.Filters))
	}
}

// TestMetaStrictMode: the meta connections refuse a value that does not
// fit rather than storing it cut.
func TestMetaStrictMode(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	var mode string
	if err := m.DB().GetContext(ctx, &mode, "SELECT @@SESSION.sql_mode"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"STRICT_ALL_TABLES", "NO_ZERO_DATE", "NO_ZERO_IN_DATE"} {
		if !strings.Contains(mode, want) {
			t.Errorf("meta sql_mode = %q, lacks %s", mode, want)
		}
	}
	mustEnqueue(t, m, exportJob("alice", "orders"))
	long := strings.Repeat("w", 300) // the worker column holds 255
	if j, err := m.Claim(ctx, long, testLease); err == nil {
		t.Fatalf("claim by a 300-character worker = %+v, want an error (strict mode), not a cut worker id", j)
	}
}

// TestTargetStrictMode: import and template-apply connections refuse
// values that do not fit, yet keep zero dates and zero ids loadable.
func TestTargetStrictMode(t *testing.T) {
	ctx := context.Background()
	schema := mysqltest.MustCreateSchema(t, mysqltest.MustOpen(t), "wbtarget_")
	db, err := mysql.Open(ctx, mysqltest.DSN(t, schema), "--to", mysql.RoleTarget)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "CREATE TABLE `"+schema+"`.t (id INT AUTO_INCREMENT PRIMARY KEY, "+
		"name VARCHAR(3) NOT NULL, at DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00') ENGINE=MyISAM")
	if _, err := db.ExecContext(ctx, "INSERT INTO t (id, name, at) VALUES (0, 'abc', '0000-00-00 00:00:00')"); err != nil {
		t.Fatalf("a zero id and a zero date, as production holds them: %v", err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO t (id, name) VALUES (2, 'abcd')"); err == nil {
		t.Fatal("a 4-character name in a VARCHAR(3) was stored (cut), want an error")
	}
	var n int
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM t WHERE id = 0"); err != nil || n != 1 {
		t.Fatalf("rows with id 0 = %d, %v; want 1", n, err)
	}
}

// TestJobDamagedParams: a job whose stored parameters do not parse is
// listed (Damaged), failed once by the first Claim, which goes on to the
// next job, and never claimed again.
func TestJobDamagedParams(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	bad := exportJob("mallory", "orders")
	mustEnqueue(t, m, bad)
	good := exportJob("alice", "orders")
	mustEnqueue(t, m, good)
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "UPDATE `"+m.Schema()+"`.jobs SET params = '{\"day\":\"tue\",\"filt' WHERE id = "+
		strconv.FormatInt(bad.ID, 10))
	list, err := m.Jobs(ctx, "", 10)
	if err != nil || len(list) != 2 || !list[1].Damaged || list[0].Damaged {
		t.Fatalf("Jobs = %v, %v; want both, the first damaged", list, err)
	}
	if c := mustClaim(t, m, "w1"); c == nil || c.ID != good.ID {
		t.Fatalf("claimed %+v, want alice's job %d (the damaged one is skipped)", c, good.ID)
	}
	if c := mustClaim(t, m, "w2"); c != nil { // a cluster may have picked the good one first
		t.Fatalf("claimed %+v, want nothing (the damaged job is failed, not retried)", c)
	}
	got := mustJob(t, m, bad.ID)
	if got.Status != weekback.JobFailed || got.Error != mysql.DamagedParams || got.FinishedAt.IsZero() {
		t.Fatalf("damaged job = %s %q, want failed with %q", got.Status, got.Error, mysql.DamagedParams)
	}
	if err := m.Delete(ctx, bad.ID); err != nil {
		t.Fatalf("delete the damaged job: %v", err)
	}
}

// TestJobOwnersExact: owners compare as bytes: "Zed" and "zed" are two
// users, for listing, the notification marks, replace-on-repeat and the
// per-user limit.
func TestJobOwnersExact(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	upper := finishJob(t, m, "Zed", "a", weekback.JobSucceeded)
	lower := finishJob(t, m, "zed", "a", weekback.JobSucceeded)
	for owner, want := range map[string]int64{"Zed": upper.ID, "zed": lower.ID} {
		list, err := m.Jobs(ctx, owner, 10)
		if err != nil || len(list) != 1 || list[0].ID != want {
			t.Errorf("Jobs(%q) = %v, %v; want only job %d", owner, jobIDs(list), err, want)
		}
	}
	if err := m.MarkSeen(ctx, "zed"); err != nil {
		t.Fatal(err)
	}
	if mustJob(t, m, upper.ID).Seen {
		t.Error("zed's visit marked Zed's job seen")
	}
	for range 3 {
		mustEnqueue(t, m, exportJob("Zed", "b"+strconv.Itoa(int(now.UnixNano()))))
		now = now.Add(time.Second)
	}
	if replaced := mustEnqueue(t, m, exportJob("zed", "a")); !slices.Equal(replaced, []int64{lower.ID}) {
		t.Errorf("zed's repeat replaced %v, want only zed's job %d (and no limit from Zed's 3 active jobs)", replaced, lower.ID)
	}
}

// TestJobReplaceFinished: a repeat replaces a finished, downloadable job
// as well: it ends replaced and is returned, so that its file is removed.
func TestJobReplaceFinished(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	failed := finishJob(t, m, "alice", "orders", weekback.JobFailed)
	done := finishJob(t, m, "alice", "orders", weekback.JobLossy)
	newer := exportJob("alice", "orders")
	if replaced := mustEnqueue(t, m, newer); !slices.Equal(replaced, []int64{done.ID}) {
		t.Fatalf("replaced %v, want the downloadable job %d only", replaced, done.ID)
	}
	if got := mustJob(t, m, done.ID); got.Status != weekback.JobReplaced || got.ReplacedBy != newer.ID {
		t.Fatalf("finished job = %s by %d, want replaced by %d", got.Status, got.ReplacedBy, newer.ID)
	}
	if got := mustJob(t, m, failed.ID); got.Status != weekback.JobFailed || got.ReplacedBy != 0 {
		t.Fatalf("failed job = %s by %d, want left failed", got.Status, got.ReplacedBy)
	}
}

// TestJobReplaceWhileFinishing: a running job replaced just before its
// worker finishes it ends replaced, not succeeded, whatever the worker
// reports; Finish says so.
func TestJobReplaceWhileFinishing(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	first := exportJob("alice", "orders")
	mustEnqueue(t, m, first)
	running := mustClaim(t, m, "w1")
	second := exportJob("alice", "orders")
	mustEnqueue(t, m, second)
	running.Status, running.File, running.Bytes = weekback.JobSucceeded, "orders.csv", 10
	if err := m.Finish(ctx, running); err != nil {
		t.Fatal(err)
	}
	if running.Status != weekback.JobReplaced {
		t.Errorf("Finish left j.Status = %s, want replaced", running.Status)
	}
	if got := mustJob(t, m, first.ID); got.Status != weekback.JobReplaced || got.ReplacedBy != second.ID {
		t.Fatalf("job = %s by %d, want replaced by %d", got.Status, got.ReplacedBy, second.ID)
	}
}

// TestJobEvict: the oldest downloads go first until the rest fit; the
// job to keep stays whatever its size; a limit of 0 is none.
func TestJobEvict(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	var ids []int64
	for i, size := range []int64{100, 200, 300, 400} {
		mustEnqueue(t, m, exportJob("alice", "t"+strconv.Itoa(i)))
		j := mustClaim(t, m, "w")
		j.Status, j.Bytes, j.ErrorBytes = weekback.JobSucceeded, size, 1
		if err := m.Finish(ctx, j); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
		now = now.Add(time.Second)
	}
	finishJob(t, m, "bob", "t", weekback.JobSucceeded)
	out, err := m.Evict(ctx, "alice", 3, 0, ids[3])
	if err != nil || !slices.Equal(jobIDs(out), ids[:1]) {
		t.Fatalf("Evict(3 files) = %v, %v; want the oldest, %d", jobIDs(out), err, ids[0])
	}
	out, err = m.Evict(ctx, "alice", 0, 500, ids[3])
	if err != nil || !slices.Equal(jobIDs(out), ids[1:3]) {
		t.Fatalf("Evict(500 bytes) = %v, %v; want %v (the newest, 401 bytes, is kept)", jobIDs(out), err, ids[1:3])
	}
	got := mustJob(t, m, ids[1])
	if got.Status != weekback.JobExpired || got.Error != mysql.QuotaEvicted {
		t.Errorf("evicted job = %s %q, want expired with %q", got.Status, got.Error, mysql.QuotaEvicted)
	}
	if kept, err := m.Kept(ctx, "alice"); err != nil || !slices.Equal(jobIDs(kept), ids[3:]) {
		t.Errorf("Kept = %v, %v; want %v", jobIDs(kept), err, ids[3:])
	}
	if kept, _ := m.Kept(ctx, "bob"); len(kept) != 1 {
		t.Errorf("bob keeps %d jobs, want 1 (alice's quota is hers)", len(kept))
	}
}

// TestJobMarkSeenIDs: marking chosen jobs seen leaves the others.
func TestJobMarkSeenIDs(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	a := finishJob(t, m, "alice", "a", weekback.JobSucceeded)
	b := finishJob(t, m, "alice", "b", weekback.JobSucceeded)
	if err := m.MarkSeen(ctx, "alice", b.ID); err != nil {
		t.Fatal(err)
	}
	if mustJob(t, m, a.ID).Seen || !mustJob(t, m, b.ID).Seen {
		t.Error("MarkSeen(b) did not mark exactly b")
	}
}

// TestAuditLongDetail: an export request's long detail is kept cut, not
// refused by the strict sql_mode (nor lost).
func TestAuditLongDetail(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	e := &weekback.AuditEntry{Login: "alice", Action: weekback.AuditExport, Outcome: weekback.OutcomeOK,
		Detail: strings.Repeat("filter=id=in:日本,", 8000)}
	if err := m.Audit(ctx, e); err != nil {
		t.Fatalf("audit of a %d-byte detail: %v", len(e.Detail), err)
	}
	got, err := m.AuditEntries(ctx, 0, 1)
	if err != nil || len(got) != 1 || got[0].Detail != e.Detail || len(e.Detail) > mysql.MaxAuditDetail || !strings.HasSuffix(e.Detail, "…") {
		t.Fatalf("stored detail of %d bytes (%v), want it cut at %d bytes with …", len(e.Detail), err, mysql.MaxAuditDetail)
	}
}
