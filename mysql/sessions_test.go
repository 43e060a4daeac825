package mysql_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// MustOpenMeta creates the meta schema of a fresh prefix with a clock the
// test controls.
func MustOpenMeta(t *testing.T, now *time.Time) *mysql.Meta {
	t.Helper()
	ctx := context.Background()
	prefix := mysqltest.UniqueName("wbunit_")
	mysqltest.DropPrefixOnCleanup(t, mysqltest.MustOpen(t), prefix)
	db, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "test", mysql.RoleMeta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := mysql.OpenMeta(ctx, db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	m.Now = func() time.Time { return *now }
	return m
}

func TestRevokedSessions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	if err := m.Revoke(ctx, "jti-1", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for jti, want := range map[string]bool{"jti-1": true, "jti-2": false} {
		if got, err := m.Revoked(ctx, jti); err != nil || got != want {
			t.Fatalf("Revoked(%s) = %v, %v; want %v", jti, got, err, want)
		}
	}
	now = now.Add(2 * time.Hour) // jti-1 has expired: the next revocation purges it
	if err := m.Revoke(ctx, "jti-3", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Revoked(ctx, "jti-1"); got {
		t.Errorf("expired revocation jti-1 still stored")
	}
}

// TestReserveLoginConcurrent: 40 concurrent attempts of one login from one
// client against a limit of 10 (as auth.ThrottlePolicy decides: refuse at
// 10 counted) let exactly 10 through, and a release gives one back.
func TestReserveLoginConcurrent(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	decide := func(c *weekback.LoginCounters) time.Duration {
		if c.Pair.Attempts >= 10 {
			return time.Minute
		}
		for _, n := range []*weekback.LoginCounter{&c.Pair, &c.Login, &c.Client} {
			n.Attempts++
			n.WindowStart, n.Last = now, now
		}
		return 0
	}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			retry, err := m.ReserveLogin(ctx, "alice", "10.0.0.1", decide)
			if err != nil {
				t.Error(err)
			}
			if retry == 0 {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if allowed.Load() != 10 {
		t.Fatalf("%d of 40 concurrent attempts allowed, want 10", allowed.Load())
	}
	if err := m.ReleaseLogin(ctx, "alice", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	var got weekback.LoginCounters
	if _, err := m.ReserveLogin(ctx, "alice", "10.0.0.1", func(c *weekback.LoginCounters) time.Duration { got = *c; return time.Second }); err != nil {
		t.Fatal(err)
	}
	if got.Pair.Attempts != 9 || got.Login.Attempts != 9 || got.Client.Attempts != 9 || !got.Pair.WindowStart.Equal(now) {
		t.Fatalf("counters after a release = %+v, want 9 each, window from %v", got, now)
	}
	if _, err := m.ReserveLogin(ctx, "bob", "10.0.0.1", func(c *weekback.LoginCounters) time.Duration { got = *c; return time.Second }); err != nil {
		t.Fatal(err)
	}
	if got.Pair.Attempts != 0 || got.Login.Attempts != 0 || got.Client.Attempts != 9 || !got.Pair.WindowStart.IsZero() {
		t.Fatalf("bob from the same client = %+v, want only the client's 9", got)
	}
}

// TestAuditAggregated: entries with the same Key are one line whose count
// grows; entries without a key are lines of their own.
func TestAuditAggregated(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	for i := range 5 {
		e := &weekback.AuditEntry{Login: "alice", Client: "10.0.0.1", Action: weekback.AuditLogin, Outcome: weekback.OutcomeFailed, Detail: "throttled", Key: "k1"}
		if i == 4 {
			e.Key = "k2"
		}
		if err := m.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Audit(ctx, &weekback.AuditEntry{Login: "bob", Action: weekback.AuditLogin, Outcome: weekback.OutcomeOK}); err != nil {
		t.Fatal(err)
	}
	entries, err := m.AuditEntries(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var counts []int64
	for _, e := range entries {
		counts = append(counts, e.Count)
	}
	if !slices.Equal(counts, []int64{1, 1, 4}) {
		t.Fatalf("counts newest first = %v, want [1 1 4]", counts)
	}
}

func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := MustOpenMeta(t, &now)
	for i, e := range []weekback.AuditEntry{
		{Login: "alice", Client: "10.0.0.1", Action: weekback.AuditLogin, Outcome: weekback.OutcomeOK},
		{Login: "alice", Client: "10.0.0.1", Action: weekback.AuditExport, Outcome: weekback.OutcomeOK, Day: weekback.Tuesday,
			Table: "orders", Detail: "customer_id=eq:7", Rows: 300},
		{Login: "mallory", Client: "10.0.0.9", Action: weekback.AuditLogin, Outcome: weekback.OutcomeFailed},
	} {
		now = now.Add(time.Duration(i) * time.Second)
		if err := m.Audit(ctx, &e); err != nil || e.ID == 0 {
			t.Fatalf("audit %d: id %d, %v", i, e.ID, err)
		}
	}
	got, err := m.AuditEntries(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Login != "mallory" || got[1].Table != "orders" || got[1].Rows != 300 || got[1].Day != weekback.Tuesday {
		t.Fatalf("newest two entries = %+v", got)
	}
	older, err := m.AuditEntries(ctx, got[1].ID, 10)
	if err != nil || len(older) != 1 || older[0].Action != weekback.AuditLogin || older[0].Login != "alice" {
		t.Fatalf("entries before %d = %+v, %v; want alice's login", got[1].ID, older, err)
	}
}

func TestAttachMeta(t *testing.T) {
	ctx := context.Background()
	db, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "test", mysql.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	prefix := mysqltest.UniqueName("wbunit_")
	mysqltest.DropPrefixOnCleanup(t, mysqltest.MustOpen(t), prefix)
	if _, err := mysql.AttachMeta(ctx, db, prefix); weekback.ErrorCode(err) != weekback.EINVALID {
		t.Fatalf("attach to a missing meta schema: %v, want EINVALID saying to run a snapshot", err)
	}
	if _, err := mysql.OpenMeta(ctx, db, prefix); err != nil {
		t.Fatal(err)
	}
	if _, err := mysql.AttachMeta(ctx, db, prefix); err != nil {
		t.Fatalf("attach after OpenMeta: %v", err)
	}
}
