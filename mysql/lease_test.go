package mysql

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// openLeaseMeta opens the meta schema of a fresh prefix.
func openLeaseMeta(t *testing.T) (*Meta, *sqlx.DB) {
	t.Helper()
	ctx := context.Background()
	prefix := mysqltest.UniqueName("wbunit_")
	mysqltest.DropPrefixOnCleanup(t, mysqltest.MustOpen(t), prefix)
	db, err := Open(ctx, mysqltest.DSN(t, ""), "backup.dsn", RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := OpenMeta(ctx, db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return m, db
}

// TestSnapshotLockExclusive: of two snapshots started at once exactly one
// gets the lock; the other's error names the running run.
func TestSnapshotLockExclusive(t *testing.T) {
	ctx := context.Background()
	m, _ := openLeaseMeta(t)
	run := &weekback.SnapshotRun{Day: weekback.Friday, Host: "node1", PID: 4242}
	if err := m.StartRun(ctx, run, func(id int64) string { return "wb_fri_r1" }); err != nil {
		t.Fatal(err)
	}
	locks := make([]*Lock, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range locks {
		wg.Go(func() { locks[i], errs[i] = m.LockSnapshot(ctx) })
	}
	wg.Wait()
	var got *Lock
	var refused error
	for i := range locks {
		if locks[i] != nil {
			if got != nil {
				t.Fatal("both snapshots took the lock")
			}
			got = locks[i]
		} else {
			refused = errs[i]
		}
	}
	if got == nil {
		t.Fatalf("no snapshot took the lock: %v / %v", errs[0], errs[1])
	}
	defer got.Release()
	var we *weekback.Error
	if !errors.As(refused, &we) || we.Code != weekback.ECONFLICT {
		t.Fatalf("second snapshot: %v, want ECONFLICT", refused)
	}
	for _, want := range []string{"another snapshot is running", "run 1 of fri on node1 pid 4242"} {
		if !strings.Contains(refused.Error(), want) {
			t.Errorf("second snapshot's error %q does not say %q", refused, want)
		}
	}
	if err := got.Release(); err != nil {
		t.Fatal(err)
	}
	if free, err := m.SnapshotLockFree(ctx); err != nil || !free {
		t.Fatalf("after Release: free %v (%v), want free", free, err)
	}
}

// TestLeaseRenewedAndTakenOver: a holder's heartbeat keeps its lease past
// its length; a holder that stops renewing (a killed process) loses it
// once it expires, and not before.
func TestLeaseRenewedAndTakenOver(t *testing.T) {
	ctx := context.Background()
	m, db := openLeaseMeta(t)
	const ttl = 900 * time.Millisecond
	a, err := takeLease(ctx, db, m.schema, "x", ttl)
	if err != nil || a == nil {
		t.Fatalf("take: %v, %v", a, err)
	}
	time.Sleep(2 * ttl) // renewed twice meanwhile
	if b, err := takeLease(ctx, db, m.schema, "x", ttl); err != nil || b != nil {
		t.Fatalf("take while renewed: %v, %v; want refused", b, err)
	}
	a.stopRenewing()
	if held, holder, err := leaseHeld(ctx, db, m.schema, "x"); err != nil || !held || !strings.Contains(holder, "pid ") {
		t.Fatalf("right after the holder stopped: held %v by %q (%v), want held", held, holder, err)
	}
	start := time.Now()
	b, err := waitLease(ctx, db, m.schema, "x", ttl, 3*ttl)
	if err != nil || b == nil {
		t.Fatalf("take over: %v, %v", b, err)
	}
	defer b.Release()
	if waited := time.Since(start); waited > ttl+500*time.Millisecond {
		t.Errorf("took over after %s, want within about %s", waited, ttl)
	}
	if c, err := takeLease(ctx, db, m.schema, "x", ttl); err != nil || c != nil {
		t.Fatalf("take while the new holder holds it: %v, %v; want refused", c, err)
	}
}

// TestLeaseLost: a holder whose lease was taken over learns it at its next
// renewal: Lost closes, the guarded context ends, Release says so.
func TestLeaseLost(t *testing.T) {
	ctx := context.Background()
	m, db := openLeaseMeta(t)
	const ttl = 600 * time.Millisecond
	a, err := takeLease(ctx, db, m.schema, "x", ttl)
	if err != nil || a == nil {
		t.Fatalf("take: %v, %v", a, err)
	}
	if _, err := db.Exec("UPDATE " + QuoteTable(m.schema, "leases") + " SET token = 'other' WHERE name = 'x'"); err != nil {
		t.Fatal(err)
	}
	work, cancel := a.Context(ctx)
	defer cancel()
	select { // a renewal finds the row gone
	case <-a.Lost():
	case <-time.After(2 * ttl):
		t.Fatal("Lost not closed after the takeover")
	}
	<-work.Done()
	if cause := context.Cause(work); !errors.Is(cause, errLeaseLost) {
		t.Errorf("the guarded work's context ended with %v, want the lease lost", cause)
	}
	if err := a.Release(); !errors.Is(err, errLeaseLost) {
		t.Fatalf("Release after the takeover: %v, want lost", err)
	}
}

// TestSwitchFenced: a run whose snapshot lease was taken over (it stopped
// renewing, as a stalled process would) cannot switch; the new holder can.
func TestSwitchFenced(t *testing.T) {
	m, _ := openLeaseMeta(t)
	checkSwitchFenced(t, m, m)
}

// checkSwitchFenced takes the snapshot lease through a, lets it lapse,
// takes it over through b (the same meta schema, maybe on another node)
// and checks that only b's holder switches.
func checkSwitchFenced(t *testing.T, a, b *Meta) {
	t.Helper()
	ctx := context.Background()
	const ttl = 600 * time.Millisecond
	stale, err := takeLease(ctx, a.db, a.schema, SnapshotLeaseName, ttl)
	if err != nil || stale == nil {
		t.Fatalf("take: %v, %v", stale, err)
	}
	stale.stopRenewing()
	taker, err := waitLease(ctx, b.db, b.schema, SnapshotLeaseName, ttl, 10*ttl)
	if err != nil || taker == nil {
		t.Fatalf("take over: %v, %v", taker, err)
	}
	defer taker.Release()
	man := &weekback.Manifest{Day: weekback.Friday, Slot: "fence_fri_r1", SnapshotAt: time.Now().UTC()}
	if _, err := a.SwitchFenced(ctx, stale, weekback.Friday, man.Slot, man, time.Minute); !errors.Is(err, errLeaseLost) {
		t.Fatalf("switch by the run whose lease was taken over: %v, want the lease lost", err)
	}
	if g, err := a.Generation(ctx, weekback.Friday); err != nil || g.Slot != "" {
		t.Fatalf("friday after the refused switch: slot %q (%v), want none", g.Slot, err)
	}
	man.Slot = "fence_fri_r2"
	if _, err := b.SwitchFenced(ctx, taker, weekback.Friday, man.Slot, man, time.Minute); err != nil {
		t.Fatalf("switch by the holder: %v", err)
	}
	if g, err := b.Generation(ctx, weekback.Friday); err != nil || g.Slot != man.Slot {
		t.Fatalf("friday after the holder's switch: slot %q (%v), want %s", g.Slot, err, man.Slot)
	}
}
