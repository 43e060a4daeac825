package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// finishLog records the successful Finish calls of every replica.
type finishLog struct {
	mu        sync.Mutex
	succeeded map[int64][]string // job id → workers that recorded it succeeded
}

// store wraps s so that its successful Finish calls are recorded.
func (l *finishLog) store(s weekback.JobStore) weekback.JobStore { return &finishRecorder{s, l} }

type finishRecorder struct {
	weekback.JobStore
	log *finishLog
}

func (f *finishRecorder) Finish(ctx context.Context, j *weekback.Job) error {
	err := f.JobStore.Finish(ctx, j)
	if err == nil && j.Status == weekback.JobSucceeded {
		f.log.mu.Lock()
		f.log.succeeded[j.ID] = append(f.log.succeeded[j.ID], j.Worker)
		f.log.mu.Unlock()
	}
	return err
}

// TestTwoReplicas: two Runners (each with its own pool, as two processes)
// share one meta schema and one folder; of 20 jobs each succeeds exactly
// once and every file is complete and correct.
func TestTwoReplicas(t *testing.T) {
	prefix := mysqltest.UniqueName("wbj_two_")
	mustJobStore(t, prefix)
	dir := t.TempDir()
	log := &finishLog{succeeded: map[int64][]string{}}
	var runners []*Runner
	for range 2 {
		r := newRunner(t, log.store(mustAttachStore(t, prefix, false)), dir)
		r.MaxActive, r.wrap = 20, slowly(2*time.Millisecond)
		runners = append(runners, r)
	}
	var jobs []*weekback.Job
	var params []weekback.JobParams
	for i := range 20 {
		f, _ := weekback.ParseFilter(fmt.Sprintf("id=le:%d", 50000-i*1000))
		p := weekback.JobParams{Day: weekback.Monday, Table: "big", Filters: []weekback.Filter{f}}
		jobs = append(jobs, mustSubmit(t, runners[i%2], "alice", weekback.JobExport, p))
		params = append(params, p)
	}
	for _, r := range runners {
		mustOpen(t, r)
	}
	workers := map[string]int{}
	for i, j := range jobs {
		done := mustSucceed(t, runners[0].Store, j.ID, 60*time.Second)
		workers[done.Worker]++
		path, err := runners[i%2].Result(done)
		if err != nil {
			t.Fatalf("Result of job %d: %v", j.ID, err)
		}
		if want, _ := directExport(t, params[i]); !bytes.Equal(mustRead(t, path), want) {
			t.Errorf("job %d: file differs from the direct export", j.ID)
		}
	}
	for _, j := range jobs {
		if got := log.succeeded[j.ID]; len(got) != 1 {
			t.Errorf("job %d recorded succeeded %d times (%v), want once", j.ID, len(got), got)
		}
	}
	if len(workers) != 2 {
		t.Errorf("jobs by worker: %v, want both replicas to work", workers)
	}
	t.Logf("jobs by worker: %v", workers)
}

// TestCloseReleases: a Runner closed mid-job puts the job back in the
// queue (never left running) and removes its partial file; another Runner
// then runs it to the end.
func TestCloseReleases(t *testing.T) {
	prefix := mysqltest.UniqueName("wbj_close_")
	store := mustJobStore(t, prefix)
	dir := t.TempDir()
	a := newRunner(t, store, dir)
	a.wrap = slowly(100 * time.Millisecond)
	mustOpen(t, a)
	p := weekback.JobParams{Day: weekback.Monday, Table: "big"}
	j := mustSubmit(t, a, "alice", weekback.JobExport, p)
	waitJob(t, store, j.ID, 10*time.Second, func(j *weekback.Job) bool { return j.RowsDone > 0 })
	start := time.Now()
	a.Close()
	back, err := store.Job(context.Background(), j.ID)
	if err != nil || back.Status != weekback.JobQueued || back.Worker != "" {
		t.Fatalf("after Close (%s): %+v, %v; want queued, no worker", time.Since(start), back, err)
	}
	mustHaveNoFiles(t, dir)
	b := mustOpen(t, newRunner(t, mustAttachStore(t, prefix, false), dir))
	done := mustSucceed(t, store, j.ID, 30*time.Second)
	if done.Worker != b.Worker {
		t.Errorf("finished by %s, want %s", done.Worker, b.Worker)
	}
	path, _ := b.Result(done)
	if want, _ := directExport(t, p); !bytes.Equal(mustRead(t, path), want) {
		t.Errorf("file differs from the direct export")
	}
}

// TestLeaseTakeover: a job claimed by a worker that died (it never
// renews) is taken over once its lease ran out and succeeds; the dead
// worker's temporary file is swept.
func TestLeaseTakeover(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_lease_"))
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "zoo"})
	const lease = 1500 * time.Millisecond
	const dead = "deadhost:1:dead"
	claimed, err := store.Claim(context.Background(), dead, lease)
	if err != nil || claimed == nil || claimed.ID != j.ID {
		t.Fatalf("Claim: %+v, %v", claimed, err)
	}
	stale := filepath.Join(dir, fmt.Sprintf(".%d.tmp-%s-123", j.ID, workerToken(dead)))
	if err := os.WriteFile(stale, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	mustOpen(t, r)
	done := mustSucceed(t, store, j.ID, 10*time.Second)
	if took := time.Since(start); took < lease-200*time.Millisecond || done.Worker != r.Worker {
		t.Fatalf("taken over after %s by %s, want after the lease (%s) by %s", took, done.Worker, lease, r.Worker)
	}
	if err := r.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the dead worker's temporary file is still there: %v", err)
	}
}

// flakyStore fails every Claim and Renew while down is set.
type flakyStore struct {
	weekback.JobStore
	down atomic.Bool
}

func (s *flakyStore) Renew(ctx context.Context, id int64, worker string, lease time.Duration, rowsDone int64) (bool, error) {
	if s.down.Load() {
		return false, errors.New("backup server unreachable")
	}
	return s.JobStore.Renew(ctx, id, worker, lease, rowsDone)
}

func (s *flakyStore) Claim(ctx context.Context, worker string, lease time.Duration) (*weekback.Job, error) {
	if s.down.Load() {
		return nil, errors.New("backup server unreachable")
	}
	return s.JobStore.Claim(ctx, worker, lease)
}

// TestRenewFailing: a worker that cannot renew its lease for a whole
// lease stops the job (another replica may have it by then) and removes
// its file without recording an end; once the lease ran out the job is
// claimed again and succeeds.
func TestRenewFailing(t *testing.T) {
	store := &flakyStore{JobStore: mustJobStore(t, mysqltest.UniqueName("wbj_flaky_"))}
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	r.Lease, r.Workers, r.wrap = time.Second, 1, slowly(50*time.Millisecond)
	mustOpen(t, r)
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "big"})
	waitJob(t, store, j.ID, 10*time.Second, func(j *weekback.Job) bool { return j.RowsDone > 0 })
	store.down.Store(true)
	deadline := time.Now().Add(3 * time.Second)
	for len(dirNames(t, dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	mustHaveNoFiles(t, dir)
	if now, _ := store.Job(context.Background(), j.ID); now.Status != weekback.JobRunning {
		t.Fatalf("after the lease was lost: %s, want running (left for a takeover)", now.Status)
	}
	store.down.Store(false)
	mustSucceed(t, store, j.ID, 30*time.Second)
}

// TestDeletedWhileRunning: a job deleted while it runs stops (its worker
// loses the lease) and leaves no file.
func TestDeletedWhileRunning(t *testing.T) {
	store := mustJobStore(t, mysqltest.UniqueName("wbj_del_"))
	dir := t.TempDir()
	r := newRunner(t, store, dir)
	r.wrap = slowly(50 * time.Millisecond)
	mustOpen(t, r)
	j := mustSubmit(t, r, "alice", weekback.JobExport, weekback.JobParams{Day: weekback.Monday, Table: "big"})
	waitJob(t, store, j.ID, 10*time.Second, func(j *weekback.Job) bool { return j.RowsDone > 0 })
	if err := store.Delete(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(dirNames(t, dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	mustHaveNoFiles(t, dir)
}
