package jobs

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestLargeParams: a dozen `in` filters of 1,000 ids (about 83 KB of
// parameters, more than a TEXT column) run to the end; parameters over
// MaxParamBytes are refused with ETOOLARGE and a sentence, and nothing is
// queued.
func TestLargeParams(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_large_"))
	r := mustOpen(t, newRunner(t, store, t.TempDir()))
	p := weekback.JobParams{Day: weekback.Monday, Table: "big", Filters: mysqltest.InFilters("id", 12)}
	done := mustSucceed(t, store, mustSubmit(t, r, "alice", weekback.JobExport, p).ID, 30*time.Second)
	if done.RowsDone != weekback.MaxInValues {
		t.Errorf("rows = %d, want %d", done.RowsDone, weekback.MaxInValues)
	}
	p.Filters = mysqltest.InFilters("id", 200) // about 1.4 MB
	_, _, err := r.Submit(context.Background(), "alice", weekback.JobExport, p)
	if weekback.ErrorCode(err) != weekback.ETOOLARGE || !strings.Contains(weekback.ErrorMessage(err), "1024 KiB") {
		t.Fatalf("Submit of 200 filters = %v (%s), want ETOOLARGE naming the limit", err, weekback.ErrorCode(err))
	}
	if list, _ := store.Jobs(context.Background(), "", 10); len(list) != 1 {
		t.Errorf("%d jobs, want 1 (the refused one is not queued)", len(list))
	}
}

// TestDamagedJobDoesNotBlock: a job whose parameters were damaged in the
// meta schema is failed once with a sentence; the other users' jobs
// behind it run.
func TestDamagedJobDoesNotBlock(t *testing.T) {
	prefix := mysqltest.UniqueName("wbj_dmg_")
	store := mustJobStore(t, prefix)
	r := newRunner(t, store, t.TempDir()) // opened once the row is damaged
	bad := mustSubmit(t, r, "mallory", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	good := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo", Profile: "spreadsheet"})
	mysqltest.MustExec(t, mysqltest.MustOpen(t), "UPDATE `"+store.Schema()+"`.jobs SET params = LEFT(params, 20) WHERE id = "+
		strconv.FormatInt(bad.ID, 10))
	mustOpen(t, r)
	mustSucceed(t, store, good.ID, 30*time.Second)
	failed := mustEnd(t, store, bad.ID, time.Second, weekback.JobFailed)
	if failed.Error != mysql.DamagedParams || !failed.Damaged {
		t.Fatalf("damaged job: %q (damaged %v), want %q", failed.Error, failed.Damaged, mysql.DamagedParams)
	}
}

// TestReplaceRace: the same export asked twice a few milliseconds apart,
// whatever the timing: the first ends replaced (never succeeded), its
// file is gone, the second is the one download.
func TestReplaceRace(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_race_"))
	dir := t.TempDir()
	r := mustOpen(t, newRunner(t, store, dir))
	p := weekback.JobParams{Day: weekback.Monday, Table: "zoo", Profile: "spreadsheet"}
	for _, gap := range []time.Duration{0, 2 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond, 80 * time.Millisecond} {
		t.Run(gap.String(), func(t *testing.T) {
			var wg sync.WaitGroup
			ids := make([]int64, 2)
			for i := range 2 {
				wg.Go(func() {
					time.Sleep(time.Duration(i) * gap)
					ids[i] = mustSubmit(t, r, "alice", weekback.JobExport, p).ID
				})
			}
			wg.Wait()
			older, newer := min(ids[0], ids[1]), max(ids[0], ids[1])
			mustSucceed(t, store, newer, 30*time.Second)
			old := waitJob(t, store, older, 30*time.Second, final)
			if old.Status != weekback.JobReplaced || old.ReplacedBy != newer {
				t.Fatalf("older job %d = %s by %d, want replaced by %d", older, old.Status, old.ReplacedBy, newer)
			}
			mustBeRemoved(t, r.resultPath(old))
		})
	}
}

// TestQuota: completing jobs expire their owner's oldest downloads (files
// removed) beyond QuotaFiles; an owner whose kept exports are over
// QuotaBytes is refused with an *OverQuotaError naming what to delete.
func TestQuota(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_quota_"))
	r := newRunner(t, store, t.TempDir())
	r.QuotaFiles, r.QuotaBytes = 2, 0
	mustOpen(t, r)
	var done []*weekback.Job
	for _, table := range []string{"zoo", "users", "big"} {
		j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: table})
		done = append(done, mustSucceed(t, store, j.ID, 30*time.Second))
	}
	mustSubmit(t, r, "bob", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	first := waitJob(t, store, done[0].ID, 5*time.Second, func(j *weekback.Job) bool { return j.Status == weekback.JobExpired })
	if first.Error != mysql.QuotaEvicted {
		t.Errorf("evicted job error = %q", first.Error)
	}
	mustBeRemoved(t, r.resultPath(first))
	for _, j := range done[1:] {
		if _, err := r.Result(mustJob(t, store, j.ID)); err != nil {
			t.Errorf("job %d within the quota: %v", j.ID, err)
		}
	}
	r.QuotaBytes = done[2].Bytes - 1 // the newest alone is over
	_, _, err := r.Submit(context.Background(), "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	var q *OverQuotaError
	if !errors.As(err, &q) || weekback.ErrorCode(err) != weekback.ECONFLICT || len(q.Delete) != 2 || q.Delete[0].ID != done[1].ID {
		t.Fatalf("Submit over quota = %v (%s), want an OverQuotaError naming jobs %d and %d", err, weekback.ErrorCode(err), done[1].ID, done[2].ID)
	}
	if _, _, err := r.Submit(context.Background(), "bob", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "users"}); err != nil {
		t.Errorf("bob, within his quota: %v", err)
	}
	again, replaced, err := r.Submit(context.Background(), "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "big"})
	if err != nil || len(replaced) != 1 || replaced[0] != done[2].ID {
		t.Fatalf("the over-quota export asked again = %v, replaced %v; want it to replace job %d (its room counts as free)", err, replaced, done[2].ID)
	}
	mustSucceed(t, store, again.ID, 30*time.Second)
}

func mustJob(tb testing.TB, store weekback.JobStore, id int64) *weekback.Job {
	tb.Helper()
	j, err := store.Job(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

// mustBeRemoved fails unless path is gone within a second (the worker
// removes a job's files just after it records the job's end).
func mustBeRemoved(tb testing.TB, path string) {
	tb.Helper()
	for end := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			return
		}
		if time.Now().After(end) {
			tb.Fatalf("%s: %v, want it removed", path, err)
		}
	}
}
