package mysql_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

const testLease = 30 * time.Second

// exportJob returns a new export job of owner for table on Tuesday.
func exportJob(owner, table string) *weekback.Job {
	return &weekback.Job{Owner: owner, Kind: weekback.JobExport, RowsTotal: 100, Params: weekback.JobParams{
		Day: weekback.Tuesday, Table: table, Profile: "spreadsheet", Encoding: "shift_jis",
		Filters: []weekback.Filter{{Column: "status", Op: weekback.OpEq, Value: "paid"}},
		Sort:    weekback.Sort{Column: "id", Desc: true},
	}}
}

// mustEnqueue enqueues j with a limit of 3 and returns the jobs it replaced.
func mustEnqueue(t *testing.T, m *mysql.Meta, j *weekback.Job) []int64 {
	t.Helper()
	replaced, err := m.Enqueue(context.Background(), j, 3)
	if err != nil {
		t.Fatalf("enqueue %s/%s: %v", j.Owner, j.Params.Table, err)
	}
	return replaced
}

func mustClaim(t *testing.T, m *mysql.Meta, worker string) *weekback.Job {
	t.Helper()
	j, err := m.Claim(context.Background(), worker, testLease)
	if err != nil {
		t.Fatalf("claim by %s: %v", worker, err)
	}
	return j
}

func mustJob(t *testing.T, m *mysql.Meta, id int64) *weekback.Job {
	t.Helper()
	j, err := m.Job(context.Background(), id)
	if err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return j
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := weekback.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func TestJobLifecycle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)
	m := MustOpenMeta(t, &now)
	j := exportJob("alice", "orders")
	if replaced := mustEnqueue(t, m, j); len(replaced) != 0 {
		t.Fatalf("replaced = %v, want none", replaced)
	}
	if j.ID == 0 || j.Status != weekback.JobQueued || !j.CreatedAt.Equal(now.Truncate(time.Microsecond)) {
		t.Fatalf("enqueued: id=%d status=%s created=%v", j.ID, j.Status, j.CreatedAt)
	}
	got := mustJob(t, m, j.ID)
	if got.Params.Key(got.Kind) != j.Params.Key(j.Kind) || got.RowsTotal != 100 || got.Owner != "alice" {
		t.Fatalf("stored job = %+v, want the enqueued parameters", got)
	}
	now = now.Add(time.Second)
	c := mustClaim(t, m, "w1")
	if c == nil || c.ID != j.ID || c.Status != weekback.JobRunning || c.Worker != "w1" ||
		!c.LeaseUntil.Equal(now.Truncate(time.Microsecond).Add(testLease)) || !c.StartedAt.Equal(now.Truncate(time.Microsecond)) {
		t.Fatalf("claimed %+v, want job %d running for w1", c, j.ID)
	}
	if again := mustClaim(t, m, "w2"); again != nil {
		t.Fatalf("second claim got job %d, want none", again.ID)
	}
	for _, rows := range []int64{40, 40} { // the same values twice: still renewed
		if cancel, err := m.Renew(ctx, c.ID, "w1", testLease, rows); err != nil || cancel {
			t.Fatalf("renew = %v, %v; want false, nil", cancel, err)
		}
	}
	if got := mustJob(t, m, c.ID); got.RowsDone != 40 || got.Percent() != 40 {
		t.Fatalf("after renew rows_done=%d percent=%d, want 40 and 40", got.RowsDone, got.Percent())
	}
	now = now.Add(time.Minute)
	c.Status, c.RowsDone, c.Errors, c.File, c.Bytes = weekback.JobSucceeded, 100, 2, "orders-tue.csv", 12345
	if err := m.Finish(ctx, c); err != nil {
		t.Fatal(err)
	}
	got = mustJob(t, m, c.ID)
	if got.Status != weekback.JobSucceeded || got.RowsDone != 100 || got.Errors != 2 || got.File != "orders-tue.csv" ||
		got.Bytes != 12345 || !got.FinishedAt.Equal(now.Truncate(time.Microsecond)) || !got.LeaseUntil.IsZero() || got.Seen {
		t.Fatalf("finished job = %+v", got)
	}
	_, err := m.Renew(ctx, c.ID, "w1", testLease, 100)
	wantCode(t, "renew after finish", err, weekback.ECONFLICT)
	wantCode(t, "finish twice", m.Finish(ctx, c), weekback.ECONFLICT)
}

func TestJobConcurrentClaims(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	const jobs, claimers = 20, 4
	for i := range jobs {
		mustEnqueue(t, m, exportJob("user"+string(rune('a'+i)), "orders"))
	}
	var mu sync.Mutex
	claims := map[int64][]string{}
	var wg sync.WaitGroup
	for w := range claimers {
		replica := attachMeta(t, m) // a pool of its own, like another server process
		worker := "w" + string(rune('0'+w))
		wg.Go(func() {
			for {
				j, err := replica.Claim(ctx, worker, testLease)
				if err != nil {
					t.Errorf("claim by %s: %v", worker, err)
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				claims[j.ID] = append(claims[j.ID], worker)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claims) != jobs {
		t.Fatalf("%d jobs claimed, want %d", len(claims), jobs)
	}
	for id, by := range claims {
		if len(by) != 1 {
			t.Errorf("job %d claimed by %v, want once", id, by)
		}
	}
}

// attachMeta opens m's meta schema again on a connection pool of its own.
func attachMeta(t *testing.T, m *mysql.Meta) *mysql.Meta {
	t.Helper()
	db, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "test", mysql.RoleMeta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	other, err := mysql.AttachMeta(context.Background(), db, m.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	other.Now = m.Now
	return other
}

func TestJobLeaseTakeover(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	j := exportJob("alice", "orders")
	mustEnqueue(t, m, j)
	old := mustClaim(t, m, "dead")
	if _, err := m.Renew(ctx, old.ID, "dead", testLease, 70); err != nil {
		t.Fatal(err)
	}
	now = now.Add(testLease - time.Second)
	if c := mustClaim(t, m, "alive"); c != nil {
		t.Fatalf("lease still held, yet job %d was claimed", c.ID)
	}
	now = now.Add(2 * time.Second)
	c := mustClaim(t, m, "alive")
	if c == nil || c.ID != j.ID || c.Worker != "alive" || c.RowsDone != 0 || !c.StartedAt.Equal(now) {
		t.Fatalf("takeover = %+v, want job %d for alive, from zero, started now", c, j.ID)
	}
	if got := mustJob(t, m, j.ID); got.RowsDone != 0 || got.Worker != "alive" {
		t.Fatalf("stored after takeover: rows_done=%d worker=%s", got.RowsDone, got.Worker)
	}
	_, err := m.Renew(ctx, old.ID, "dead", testLease, 80)
	wantCode(t, "old worker's renew", err, weekback.ECONFLICT)
	old.Status = weekback.JobSucceeded
	wantCode(t, "old worker's finish", m.Finish(ctx, old), weekback.ECONFLICT)
	wantCode(t, "old worker's release", m.Release(ctx, old.ID, "dead"), weekback.ECONFLICT)
	c.Status = weekback.JobSucceeded
	if err := m.Finish(ctx, c); err != nil {
		t.Fatalf("new worker's finish: %v", err)
	}
}

func TestJobReplaceOnRepeat(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	running := exportJob("alice", "orders")
	mustEnqueue(t, m, running)
	mustClaim(t, m, "w1")
	queued := exportJob("alice", "orders")
	if replaced := mustEnqueue(t, m, queued); !slices.Equal(replaced, []int64{running.ID}) {
		t.Fatalf("second enqueue replaced %v, want [%d]", replaced, running.ID)
	}
	third := exportJob("alice", "orders")
	if replaced := mustEnqueue(t, m, third); !slices.Equal(replaced, []int64{queued.ID}) {
		t.Fatalf("third enqueue replaced %v, want [%d] (the running one was replaced already)", replaced, queued.ID)
	}
	other := exportJob("bob", "orders") // same parameters, another owner
	if replaced := mustEnqueue(t, m, other); len(replaced) != 0 {
		t.Fatalf("bob's enqueue replaced %v, want none", replaced)
	}
	for _, tc := range []struct {
		name       string
		id         int64
		status     weekback.JobStatus
		replacedBy int64
		cancel     bool
	}{
		{"running", running.ID, weekback.JobRunning, queued.ID, true},
		{"queued", queued.ID, weekback.JobReplaced, third.ID, false},
		{"newest", third.ID, weekback.JobQueued, 0, false},
		{"bob", other.ID, weekback.JobQueued, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustJob(t, m, tc.id)
			if got.Status != tc.status || got.ReplacedBy != tc.replacedBy || got.CancelRequested != tc.cancel {
				t.Fatalf("status=%s replaced_by=%d cancel_requested=%v, want %s, %d, %v",
					got.Status, got.ReplacedBy, got.CancelRequested, tc.status, tc.replacedBy, tc.cancel)
			}
		})
	}
	if cancel, err := m.Renew(ctx, running.ID, "w1", testLease, 10); err != nil || !cancel {
		t.Fatalf("renew of the replaced running job = %v, %v; want cancel", cancel, err)
	}
}

func TestJobLimit(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	for _, table := range []string{"a", "b", "c"} {
		mustEnqueue(t, m, exportJob("alice", table))
	}
	mustClaim(t, m, "w1") // running ones count too
	fourth := exportJob("alice", "d")
	_, err := m.Enqueue(ctx, fourth, 3)
	wantCode(t, "fourth job", err, weekback.ECONFLICT)
	if fourth.ID != 0 {
		t.Errorf("refused job got id %d", fourth.ID)
	}
	if jobs, _ := m.Jobs(ctx, "alice", 10); len(jobs) != 3 {
		t.Fatalf("alice has %d jobs after a refusal, want 3", len(jobs))
	}
	if replaced := mustEnqueue(t, m, exportJob("alice", "b")); len(replaced) != 1 {
		t.Fatalf("repeating b at the limit replaced %v, want one job", replaced)
	}
	mustEnqueue(t, m, exportJob("bob", "a"))
	first, err := m.Jobs(ctx, "alice", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Cancel(ctx, first[len(first)-1].ID); err != nil { // a, running: cancel requested
		t.Fatal(err)
	}
	if _, err := m.Enqueue(ctx, exportJob("alice", "d"), 3); err != nil {
		t.Fatalf("after a cancel request: %v, want room for one more", err)
	}
}

func TestJobCancel(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	all := map[int64]*weekback.Job{}
	for _, name := range []string{"a", "b", "c"} {
		j := exportJob("alice", name)
		mustEnqueue(t, m, j)
		all[j.ID] = j
	}
	running, done := mustClaim(t, m, "w1"), mustClaim(t, m, "w2") // in any order (a cluster picks at random)
	delete(all, running.ID)
	delete(all, done.ID)
	var queued *weekback.Job
	for _, j := range all {
		queued = j
	}
	done.Status, done.Error = weekback.JobFailed, "the table no longer exists"
	if err := m.Finish(ctx, done); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		id     int64
		status weekback.JobStatus
		cancel bool
		ended  bool
	}{
		{"queued", queued.ID, weekback.JobCanceled, false, true},
		{"running", running.ID, weekback.JobRunning, true, false},
		{"final", done.ID, weekback.JobFailed, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := m.Cancel(ctx, tc.id); err != nil {
				t.Fatal(err)
			}
			got := mustJob(t, m, tc.id)
			if got.Status != tc.status || got.CancelRequested != tc.cancel || got.FinishedAt.IsZero() == tc.ended {
				t.Fatalf("status=%s cancel_requested=%v finished_at=%v, want %s, %v, ended %v",
					got.Status, got.CancelRequested, got.FinishedAt, tc.status, tc.cancel, tc.ended)
			}
		})
	}
	wantCode(t, "cancel of a missing job", m.Cancel(ctx, 999999), weekback.ENOTFOUND)
	if got := mustJob(t, m, done.ID); got.Error != "the table no longer exists" {
		t.Errorf("error = %q, want the worker's sentence", got.Error)
	}
}

func TestJobRelease(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	mustEnqueue(t, m, exportJob("alice", "a"))
	mustEnqueue(t, m, exportJob("alice", "b"))
	kept, canceled := mustClaim(t, m, "w1"), mustClaim(t, m, "w2") // in any order (a cluster picks at random)
	for w, j := range map[string]*weekback.Job{"w1": kept, "w2": canceled} {
		if _, err := m.Renew(ctx, j.ID, w, testLease, 50); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Cancel(ctx, canceled.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "release by another worker", m.Release(ctx, kept.ID, "w2"), weekback.ECONFLICT)
	for _, tc := range []struct {
		id     int64
		worker string
		status weekback.JobStatus
	}{{kept.ID, "w1", weekback.JobQueued}, {canceled.ID, "w2", weekback.JobCanceled}} {
		if err := m.Release(ctx, tc.id, tc.worker); err != nil {
			t.Fatal(err)
		}
		got := mustJob(t, m, tc.id)
		if got.Status != tc.status || got.Worker != "" || !got.LeaseUntil.IsZero() || got.RowsDone != 0 || !got.StartedAt.IsZero() {
			t.Fatalf("released job %d = %+v, want %s without worker, lease or progress", tc.id, got, tc.status)
		}
	}
	if c := mustClaim(t, m, "w3"); c == nil || c.ID != kept.ID {
		t.Fatalf("claim after release = %+v, want job %d", c, kept.ID)
	}
}

func TestJobTakeoverOfCanceled(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	dead, next := exportJob("alice", "a"), exportJob("alice", "b")
	mustEnqueue(t, m, dead)
	mustClaim(t, m, "dead")
	if err := m.Cancel(context.Background(), dead.ID); err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, m, next)
	now = now.Add(2 * testLease)
	if c := mustClaim(t, m, "alive"); c == nil || c.ID != next.ID {
		t.Fatalf("claim = %+v, want job %d (the canceled one ends instead)", c, next.ID)
	}
	if got := mustJob(t, m, dead.ID); got.Status != weekback.JobCanceled || !got.FinishedAt.Equal(now) {
		t.Fatalf("job whose worker died after a cancel request: status=%s finished_at=%v, want canceled now", got.Status, got.FinishedAt)
	}
}

func TestJobDelete(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	j := exportJob("alice", "a")
	mustEnqueue(t, m, j)
	if err := m.Delete(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	_, err := m.Job(ctx, j.ID)
	wantCode(t, "job after delete", err, weekback.ENOTFOUND)
	wantCode(t, "delete twice", m.Delete(ctx, j.ID), weekback.ENOTFOUND)
}

// finishJob enqueues a job of owner, runs it to status and returns it.
func finishJob(t *testing.T, m *mysql.Meta, owner, table string, status weekback.JobStatus) *weekback.Job {
	t.Helper()
	mustEnqueue(t, m, exportJob(owner, table))
	j := mustClaim(t, m, "w")
	j.Status = status
	if err := m.Finish(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJobsListAndSeen(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	a1 := finishJob(t, m, "alice", "a", weekback.JobSucceeded)
	b1 := finishJob(t, m, "bob", "a", weekback.JobFailed)
	a2 := exportJob("alice", "b")
	mustEnqueue(t, m, a2)
	for _, tc := range []struct {
		owner string
		limit int
		want  []int64
	}{
		{"alice", 10, []int64{a2.ID, a1.ID}},
		{"bob", 10, []int64{b1.ID}},
		{"", 10, []int64{a2.ID, b1.ID, a1.ID}},
		{"", 2, []int64{a2.ID, b1.ID}},
		{"carol", 10, nil},
	} {
		jobs, err := m.Jobs(ctx, tc.owner, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, j := range jobs {
			got = append(got, j.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Jobs(%q, %d) = %v, want %v", tc.owner, tc.limit, got, tc.want)
		}
	}
	if err := m.MarkSeen(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]bool{a1.ID: true, a2.ID: false, b1.ID: false} {
		if got := mustJob(t, m, id); got.Seen != want {
			t.Errorf("job %d (%s, %s) seen=%v, want %v", id, got.Owner, got.Status, got.Seen, want)
		}
	}
}

func TestJobExpireAndPurge(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	now := start
	m := MustOpenMeta(t, &now)
	old := finishJob(t, m, "alice", "a", weekback.JobSucceeded)
	oldFailed := finishJob(t, m, "alice", "b", weekback.JobFailed)
	oldRunning := exportJob("alice", "c")
	mustEnqueue(t, m, oldRunning)
	mustClaim(t, m, "w")
	now = start.Add(10 * 24 * time.Hour)
	if _, err := m.Renew(ctx, oldRunning.ID, "w", testLease, 1); err != nil { // or the next claim takes it over
		t.Fatal(err)
	}
	recent := finishJob(t, m, "bob", "a", weekback.JobSucceeded)
	now = start.Add(15 * 24 * time.Hour)

	expired, err := m.Expire(ctx, now.Add(-20*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := jobIDs(expired); !slices.Equal(got, []int64{old.ID, recent.ID}) || expired[0].Status != weekback.JobExpired {
		t.Fatalf("expired %v, want [%d %d] as expired", got, old.ID, recent.ID)
	}
	if got := mustJob(t, m, old.ID); got.Status != weekback.JobExpired || got.Percent() != 100 {
		t.Fatalf("stored status %s, percent %d; want expired, 100", got.Status, got.Percent())
	}
	if again, err := m.Expire(ctx, now); err != nil || len(again) != 0 {
		t.Fatalf("second Expire = %v, %v; want none", jobIDs(again), err)
	}

	purged, err := m.Purge(ctx, now.Add(-14*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := jobIDs(purged); !slices.Equal(got, []int64{old.ID, oldFailed.ID}) {
		t.Fatalf("purged %v, want [%d %d] (not the running one, not the recent one)", got, old.ID, oldFailed.ID)
	}
	left, err := m.Jobs(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := jobIDs(left); !slices.Equal(got, []int64{recent.ID, oldRunning.ID}) {
		t.Fatalf("jobs left %v, want [%d %d]", got, recent.ID, oldRunning.ID)
	}
}

func jobIDs(jobs []*weekback.Job) []int64 {
	var out []int64
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

func TestJobLimitConcurrent(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	const tries, limit = 8, 3
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		replica := attachMeta(t, m)
		wg.Go(func() { _, errs[i] = replica.Enqueue(ctx, exportJob("alice", "t"+string(rune('a'+i))), limit) })
	}
	wg.Wait()
	accepted := 0
	for i, err := range errs {
		switch weekback.ErrorCode(err) {
		case "":
			accepted++
		case weekback.ECONFLICT:
		default:
			t.Errorf("enqueue %d: %v", i, err)
		}
	}
	if accepted != limit {
		t.Fatalf("%d of %d concurrent enqueues accepted, want the limit %d", accepted, tries, limit)
	}
}

// TestJobsOfOwnerPreparedOnce reads one owner's jobs (what every HTML page
// of a user with jobs on does) many times on a one-connection pool: the
// statement is prepared once, not once per read.
func TestJobsOfOwnerPreparedOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	mustEnqueue(t, m, exportJob("alice", "orders"))
	db, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "test", mysql.RoleMeta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	reader, err := mysql.AttachMeta(ctx, db, m.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	prepares := func() (n int64) {
		var name string
		if err := db.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Com_stmt_prepare'").Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := prepares()
	for range 20 {
		jobs, err := reader.Jobs(ctx, "alice", 5)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("Jobs(alice) = %d jobs, %v; want 1", len(jobs), err)
		}
	}
	if n := prepares() - before; n > 1 {
		t.Errorf("20 reads of one owner's jobs prepared %d statements, want at most 1", n)
	}
}
