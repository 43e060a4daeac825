package mysql_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
)

// TestDiscardStore switches a day in, discards it and switches it again:
// the discard clears the pointer (status discarded, who and why kept),
// lists the slot as retired, ends the day's jobs (queued → canceled,
// completed → expired, running → cancel asked; other days' untouched),
// and the next switch clears the discard.
func TestDiscardStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	man := &weekback.Manifest{Day: weekback.Tuesday, Slot: "s_tue_r1", SnapshotAt: now.Add(-time.Hour), Rows: 42}
	if _, err := m.Switch(ctx, weekback.Tuesday, "s_tue_r1", man, time.Minute); err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, m, exportJob("a", "d"))
	mustEnqueue(t, m, exportJob("a", "r"))
	done, running := mustClaim(t, m, "w1"), mustClaim(t, m, "w1") // in any order (a cluster picks at random)
	done.Status = weekback.JobSucceeded
	if err := m.Finish(ctx, done); err != nil {
		t.Fatal(err)
	}
	queued, other := exportJob("a", "q"), exportJob("b", "o")
	other.Params.Day = weekback.Monday
	mustEnqueue(t, m, queued)
	mustEnqueue(t, m, other)

	d, err := m.Discard(ctx, weekback.Tuesday, "boss", "erasure")
	if err != nil || d.Slot != "s_tue_r1" || d.Rows != 42 || !d.SnapshotAt.Equal(man.SnapshotAt) {
		t.Fatalf("discard = %+v, %v", d, err)
	}
	g, err := m.Generation(ctx, weekback.Tuesday)
	if err != nil || g.Status != weekback.StatusDiscarded || g.Slot != "" || g.Discarded == nil || g.Discarded.Reason != "erasure" {
		t.Fatalf("tuesday after the discard: %+v (%v)", g, err)
	}
	if retired, _ := m.RetiredSlots(ctx); retired["s_tue_r1"].IsZero() {
		t.Fatalf("retired slots = %v, want s_tue_r1", retired)
	}
	_, err = m.Discard(ctx, weekback.Tuesday, "boss", "again")
	wantCode(t, "a second discard", err, weekback.ENOTFOUND)

	ended, err := m.DiscardDayJobs(ctx, weekback.Tuesday)
	if err != nil || len(ended) != 2 {
		t.Fatalf("jobs ended = %d (%v), want the queued and the completed one", len(ended), err)
	}
	for j, want := range map[*weekback.Job]weekback.JobStatus{queued: weekback.JobCanceled, done: weekback.JobExpired,
		running: weekback.JobRunning, other: weekback.JobQueued} {
		if got := mustJob(t, m, j.ID); got.Status != want || got.CancelRequested != (j == running) {
			t.Errorf("job %s: %s (cancel %v), want %s", j.Params.Table, got.Status, got.CancelRequested, want)
		}
	}
	if _, err := m.Switch(ctx, weekback.Tuesday, "s_tue_r2", man, time.Minute); err != nil {
		t.Fatal(err)
	}
	if g, _ := m.Generation(ctx, weekback.Tuesday); g.Status != weekback.StatusReady || g.Discarded != nil {
		t.Fatalf("after the next switch: %s, discarded %+v", g.Status, g.Discarded)
	}
}

// TestSnapshotRequestsQueueOnce asks for a snapshot from several
// goroutines at once: one request is pending; claimed, a new one may wait
// behind it, once.
func TestSnapshotRequestsQueueOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	queued := 0
	for range 8 {
		wg.Go(func() {
			_, q, err := m.RequestSnapshot(ctx, weekback.Tuesday, "boss")
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if q {
				queued++
			}
		})
	}
	wg.Wait()
	if queued != 1 {
		t.Fatalf("8 concurrent requests queued %d, want 1", queued)
	}
	r, err := m.ClaimRequest(ctx)
	if err != nil || r == nil || r.Status != weekback.RequestRunning {
		t.Fatalf("claim = %+v, %v", r, err)
	}
	if again, _ := m.ClaimRequest(ctx); again != nil {
		t.Fatalf("a second claim took %+v", again)
	}
	for i := range 2 {
		if _, q, err := m.RequestSnapshot(ctx, weekback.Tuesday, "boss"); err != nil || q != (i == 0) {
			t.Fatalf("request #%d while one runs: queued %v (%v), want %v", i+1, q, err, i == 0)
		}
	}
	if err := m.FinishRequest(ctx, r.ID, 7, ""); err != nil {
		t.Fatal(err)
	}
	reqs, err := m.SnapshotRequests(ctx, 10)
	if err != nil || len(reqs) != 2 || reqs[1].Status != weekback.RequestDone || reqs[1].RunID != 7 || reqs[0].Status != weekback.RequestPending {
		t.Fatalf("requests = %+v (%v)", reqs, err)
	}
}
