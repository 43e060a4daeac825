package mysql_test

import (
	"context"
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

func TestLoginFailures(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	now := start
	m := MustOpenMeta(t, &now)
	for i, f := range []struct{ login, client string }{
		{"alice", "10.0.0.1"}, {"alice", "10.0.0.2"}, {"bob", "10.0.0.1"}, {"alice", "10.0.0.1"},
	} {
		now = start.Add(time.Duration(i) * time.Minute)
		if err := m.RecordLoginFailure(ctx, f.login, f.client); err != nil {
			t.Fatal(err)
		}
	}
	byLogin, byClient, err := m.LoginFailures(ctx, "alice", "10.0.0.1", start.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(byLogin) != 2 || len(byClient) != 2 {
		t.Fatalf("since +30s: %d failures for alice, %d for 10.0.0.1; want 2 and 2", len(byLogin), len(byClient))
	}
	if !byLogin[0].Equal(start.Add(time.Minute)) || !byLogin[1].Equal(start.Add(3*time.Minute)) {
		t.Errorf("alice's failures = %v, want +1m and +3m, oldest first", byLogin)
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
