package main

// Helpers of the end-to-end tests that read the state a run leaves on the
// test server (runs, slots, locks) and set up accounts and addresses.

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/weekback/weekback"
	wmysql "github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// metaRun is a snapshot_runs row.
type metaRun struct {
	ID     int64
	Slot   string
	Status string
	Error  string
}

// runs returns prefix's snapshot runs, oldest first; none when the meta
// schema does not exist yet.
func runs(t *testing.T, db *sql.DB, prefix string) []metaRun {
	t.Helper()
	rows, err := db.Query("SELECT id, slot, status, COALESCE(error, '') FROM " +
		wmysql.QuoteTable(wmysql.MetaSchema(prefix), "snapshot_runs") + " ORDER BY id")
	if wmysql.IsErrorNumber(err, wmysql.ErrNoSuchTable) || wmysql.IsErrorNumber(err, wmysql.ErrBadDB) {
		return nil
	}
	if err != nil {
		t.Fatalf("read snapshot runs: %v", err)
	}
	defer rows.Close()
	var out []metaRun
	for rows.Next() {
		var r metaRun
		if err := rows.Scan(&r.ID, &r.Slot, &r.Status, &r.Error); err != nil {
			t.Fatalf("read snapshot runs: %v", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read snapshot runs: %v", err)
	}
	return out
}

// mustRun returns prefix's run id; it fails the test when there is none.
func mustRun(t *testing.T, db *sql.DB, prefix string, id int64) metaRun {
	t.Helper()
	for _, r := range runs(t, db, prefix) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("run %d of %s not recorded", id, prefix)
	return metaRun{}
}

// waitCopying waits until p's run is visibly copying: recorded as running,
// its slot holds tables, and a LOAD DATA into the slot is in progress on
// the backup server. It returns the run.
func waitCopying(t *testing.T, db *sql.DB, prefix string, p *weekbackProc) metaRun {
	t.Helper()
	var run metaRun
	waitFor(t, "the run to be copying", p, func() bool {
		rs := runs(t, db, prefix)
		if len(rs) == 0 || rs[len(rs)-1].Status != weekback.RunRunning || rs[len(rs)-1].Slot == "" {
			return false
		}
		run = rs[len(rs)-1]
		return tableCount(t, db, run.Slot) > 0 && loadsInto(t, db, run.Slot) > 0
	})
	return run
}

// waitFor polls cond until it holds; it fails the test after pollTimeout
// or, when p is not nil, as soon as p exits.
func waitFor(t *testing.T, what string, p *weekbackProc, cond func() bool) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(pollTimeout)
	defer func() { t.Logf("waited %s for %s", time.Since(start).Round(time.Millisecond), what) }()
	for !cond() {
		if p != nil && p.exited() {
			t.Fatalf("waiting for %s: weekback exited %d\nstdout:\n%s\nstderr:\n%s", what, p.code, p.stdout.String(), p.stderr.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", pollTimeout, what)
		}
		time.Sleep(pollEvery)
	}
}

// tableCount returns how many tables schema holds (0 when it is missing).
func tableCount(t *testing.T, db *sql.DB, schema string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", schema).Scan(&n); err != nil {
		t.Fatalf("count tables of %s: %v", schema, err)
	}
	return n
}

// loadsInto returns how many LOAD DATA statements into slot are running.
func loadsInto(t *testing.T, db *sql.DB, slot string) int {
	t.Helper()
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE LOCATE('LOAD DATA', INFO) > 0 AND LOCATE(?, INFO) > 0",
		wmysql.QuoteIdent(slot)).Scan(&n)
	if err != nil {
		t.Fatalf("read processlist: %v", err)
	}
	return n
}

// schemaExists reports whether the backup server has schema name.
func schemaExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil {
		t.Fatalf("look up schema %s: %v", name, err)
	}
	return n > 0
}

// prefixSchemas returns the schemas of prefix (slots and meta).
func prefixSchemas(t *testing.T, db *sql.DB, prefix string) []string {
	t.Helper()
	var names []string
	rows, err := db.Query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", wmysql.LikeEscape(prefix+"_")+"%")
	if err != nil {
		t.Fatalf("list schemas of %s: %v", prefix, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// waitLockFree waits until nobody holds prefix's snapshot lease (a killed
// process's lease expires wmysql.SnapshotLease after its last renewal).
func waitLockFree(t *testing.T, db *sql.DB, prefix string) {
	t.Helper()
	start := time.Now()
	for {
		var held int
		err := db.QueryRow("SELECT COUNT(*) FROM "+wmysql.QuoteTable(wmysql.MetaSchema(prefix), "leases")+
			" WHERE name = ? AND expires_at >= NOW(6)", wmysql.SnapshotLeaseName).Scan(&held)
		if err != nil {
			t.Fatalf("read the snapshot lease: %v", err)
		}
		if held == 0 {
			t.Logf("waited %s for the snapshot lease to expire", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > wmysql.SnapshotLease+pollTimeout {
			t.Fatalf("the snapshot lease is still held after %s", time.Since(start))
		}
		time.Sleep(pollEvery)
	}
}

// dsnWith returns the test server's DSN for schema with another account or
// address ("" keeps the test server's).
func dsnWith(t *testing.T, user, pass, addr, schema string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(mysqltest.DSN(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		cfg.User, cfg.Passwd = user, pass
	}
	if addr != "" {
		cfg.Net, cfg.Addr = "tcp", addr
	}
	return cfg.FormatDSN()
}

// mustCreateUser creates an account 'name'@'%' with the given grants
// (each a GRANT statement's privileges and object, such as "SELECT ON
// `s`.*") and drops it when the test ends. It returns name and password.
func mustCreateUser(t *testing.T, db *sql.DB, grants ...string) (user, pass string) {
	t.Helper()
	user, pass = mysqltest.UniqueName("wbe_u_"), mysqltest.UniqueName("pw")
	account := fmt.Sprintf("'%s'@'%%'", user)
	mysqltest.MustExec(t, db, "CREATE USER "+account+" IDENTIFIED BY '"+pass+"'")
	t.Cleanup(func() { db.Exec("DROP USER IF EXISTS " + account) })
	for _, g := range grants {
		mysqltest.MustExec(t, db, "GRANT "+g+" TO "+account)
	}
	return user, pass
}
