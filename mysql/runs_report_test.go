package mysql_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// recordRun records a run of day that lasts d and ends with status, rows
// and bytes; a run with status running is left running with its progress.
func recordRun(t *testing.T, m *mysql.Meta, now *time.Time, day weekback.Weekday, d time.Duration, status string, rows int64) *weekback.SnapshotRun {
	t.Helper()
	ctx := context.Background()
	run := &weekback.SnapshotRun{Day: day, Host: "h", PID: 1, Tables: 4}
	if err := m.StartRun(ctx, run, func(id int64) string { return fmt.Sprintf("wb_%s_r%d", day, id) }); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(d)
	run.Rows, run.Bytes = rows, rows*100
	if err := m.UpdateRun(ctx, run, 2); err != nil {
		t.Fatal(err)
	}
	if status != weekback.RunRunning {
		run.Status = status
		if status == weekback.RunFailed {
			run.Error = "copy table orders: connection lost"
		}
		if err := m.FinishRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	*now = now.Add(time.Hour)
	return run
}

func TestRecentRunsAndHistory(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	mon1 := recordRun(t, m, &now, weekback.Monday, time.Minute, weekback.RunSucceeded, 1000)
	mon2 := recordRun(t, m, &now, weekback.Monday, 2*time.Minute, weekback.RunFailed, 500)
	mon3 := recordRun(t, m, &now, weekback.Monday, 3*time.Minute, weekback.RunSucceeded, 1200)
	if _, err := m.Switch(ctx, weekback.Monday, mon3.Slot, &weekback.Manifest{SnapshotAt: now}, time.Hour); err != nil {
		t.Fatal(err)
	}
	lock, err := m.LockSnapshot(ctx) // a snapshot runs now: its run shows live progress
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	tue := recordRun(t, m, &now, weekback.Tuesday, 5*time.Minute, weekback.RunRunning, 300)

	recent, err := m.RecentRuns(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 {
		t.Fatalf("days with runs = %d, want 2 (mon, tue)", len(recent))
	}
	for _, tc := range []struct {
		name       string
		got        *weekback.SnapshotRun
		id         int64
		status     string
		done       int
		verified   bool
		verifiedAt bool
		duration   time.Duration
		rows       int64
	}{
		{"mon newest", recent[weekback.Monday][0], mon3.ID, weekback.RunSucceeded, 4, true, true, 3 * time.Minute, 1200},
		{"mon failed", recent[weekback.Monday][1], mon2.ID, weekback.RunFailed, 2, false, false, 2 * time.Minute, 500},
		{"tue running", recent[weekback.Tuesday][0], tue.ID, weekback.RunRunning, 2, false, false, 5*time.Minute + time.Hour, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.got
			if r.ID != tc.id || r.Status != tc.status || r.TablesDone != tc.done || r.Tables != 4 || r.Verified != tc.verified ||
				r.VerifiedAt.IsZero() == tc.verifiedAt || r.Duration(now) != tc.duration || r.Rows != tc.rows || r.Bytes != tc.rows*100 {
				t.Fatalf("run = %+v (duration %v), want id %d %s, tables %d/4, verified %v (at: %v), %v, %d rows",
					r, r.Duration(now), tc.id, tc.status, tc.done, tc.verified, tc.verifiedAt, tc.duration, tc.rows)
			}
		})
	}
	if n := len(recent[weekback.Monday]); n != 2 {
		t.Errorf("monday has %d runs, want the last 2", n)
	}
	if got := recent[weekback.Monday][1].Error; got == "" {
		t.Errorf("failed run without its error")
	}

	history, err := m.RunHistory(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[0].ID != mon2.ID || history[1].ID != mon3.ID {
		t.Fatalf("history = %v, want runs %d and %d, oldest first (not the running one)", runIDs(history), mon2.ID, mon3.ID)
	}
	all, err := m.RunHistory(ctx, 10)
	if err != nil || len(all) != 3 || all[0].ID != mon1.ID {
		t.Fatalf("history of 10 = %v, %v; want the 3 ended runs from %d", runIDs(all), err, mon1.ID)
	}

	lock.Release() // the snapshot's process is gone: its run shows as interrupted
	recent, err = m.RecentRuns(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := recent[weekback.Tuesday][0]; got.Status != weekback.RunFailed || got.Error != mysql.InterruptedRun {
		t.Fatalf("abandoned run: status %s, error %q; want failed, interrupted", got.Status, got.Error)
	}
}

func runIDs(runs []*weekback.SnapshotRun) []int64 {
	var out []int64
	for _, r := range runs {
		out = append(out, r.ID)
	}
	return out
}
