package jobs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestDiscardDayLater: a job of a discarded day that completed after the
// first pass (its worker had not seen the cancel yet) is expired and its
// file removed by the later pass; other days' jobs are left alone.
func TestDiscardDayLater(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_disc_"))
	dir := t.TempDir()
	r := mustOpen(t, newRunner(t, store, dir))
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	waitJob(t, store, j.ID, 20*time.Second, func(j *weekback.Job) bool { return j.Status == weekback.JobSucceeded })
	if names := dirNames(t, dir); len(names) != 1 {
		t.Fatalf("the folder holds %v, want the job's file", names)
	}
	r.DiscardDayLater(store, weekback.Tuesday, 10*time.Millisecond) // another day: nothing to do
	r.DiscardDayLater(store, weekback.Monday, 200*time.Millisecond)
	got := waitJob(t, store, j.ID, 10*time.Second, func(j *weekback.Job) bool { return j.Status == weekback.JobExpired })
	if got.Status != weekback.JobExpired {
		t.Fatalf("job after the later pass: %s, want expired", got.Status)
	}
	mustEmptySoon(t, dir)
}

// failingOnce is a DayJobStore whose first pass fails as a busy meta
// schema would; later passes go to the real store.
type failingOnce struct {
	DayJobStore
	calls atomic.Int32
}

func (f *failingOnce) DiscardDayJobs(ctx context.Context, day weekback.Weekday) ([]*weekback.Job, error) {
	if f.calls.Add(1) == 1 {
		return nil, errors.New("Error 1205: Lock wait timeout exceeded")
	}
	return f.DayJobStore.DiscardDayJobs(ctx, day)
}

// TestDiscardDayLaterRetries: a later pass that fails is tried again, and
// the job of the discarded day is expired and its file removed.
func TestDiscardDayLaterRetries(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_discr_"))
	dir := t.TempDir()
	r := mustOpen(t, newRunner(t, store, dir))
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	waitJob(t, store, j.ID, 20*time.Second, func(j *weekback.Job) bool { return j.Status == weekback.JobSucceeded })
	flaky := &failingOnce{DayJobStore: store}
	r.DiscardDayLater(flaky, weekback.Monday, 100*time.Millisecond)
	got := waitJob(t, store, j.ID, 10*time.Second, func(j *weekback.Job) bool { return j.Status == weekback.JobExpired })
	if got.Status != weekback.JobExpired || flaky.calls.Load() < 2 {
		t.Fatalf("job after a failed and a retried pass: %s (%d passes), want expired after 2", got.Status, flaky.calls.Load())
	}
	mustEmptySoon(t, dir)
}
