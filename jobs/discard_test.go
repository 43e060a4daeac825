package jobs

import (
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
