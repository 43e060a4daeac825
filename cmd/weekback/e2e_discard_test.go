package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// mustLoadAdminSource creates a small source schema: orders (2,000 rows)
// and users with an admin ("boss", role superadmin) and a staff member
// ("support"), both allowed to log in with zooPassword.
func mustLoadAdminSource(t *testing.T, db *sql.DB) string {
	t.Helper()
	s := mysqltest.MustCreateSchema(t, db, "wbe_adm_")
	q := "`" + s + "`."
	hash, err := bcrypt.GenerateFromPassword([]byte(zooPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, db,
		"CREATE TABLE "+q+"orders (id INT UNSIGNED NOT NULL PRIMARY KEY, customer VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL)",
		"INSERT INTO "+q+"orders SELECT seq, CONCAT('顧客-', seq % 97), seq * 1.25 FROM "+q+"seq_1_to_2000",
		"CREATE TABLE "+q+"users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL UNIQUE, password_hash VARCHAR(100) NOT NULL, "+
			"can_manage_settings TINYINT NOT NULL, role VARCHAR(20) NOT NULL)",
		"INSERT INTO "+q+"users VALUES (1, 'boss', '"+string(hash)+"', 1, 'superadmin'), (2, 'support', '"+string(hash)+"', 1, 'staff')")
	return s
}

// adminWorld is a source, a prefix, a config with a reader DSN and an
// exports folder, and a served copy of today (UTC).
type adminWorld struct {
	db          *sql.DB
	src, prefix string
	cfg         string
	exports     string
	today       weekback.Weekday
}

func newAdminWorld(t *testing.T, extra string) *adminWorld {
	t.Helper()
	w := &adminWorld{db: mysqltest.MustOpen(t), exports: filepath.Join(t.TempDir(), "exports"), today: weekback.DayOf(time.Now(), time.UTC)}
	w.src = mustLoadAdminSource(t, w.db)
	w.prefix = newPrefix(t, w.db)
	addr := freeAddr(t)
	w.cfg = writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, w.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: w.prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: \"http://%s\"\n  session_secret_file: %q\nexports:\n  dir: %q\n"+
			"%s", addr, addr, filepath.Join(t.TempDir(), "session.key"), w.exports, extra)})
	w.cfg = appendReaderDSN(t, w.cfg, mysqltest.DSN(t, ""))
	body, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	body = []byte(strings.Replace(string(body), "  timezone: \"UTC\"\n", "  timezone: \"UTC\"\n  cron: \"0 0 1 1 *\"\n", 1))
	if err := os.WriteFile(w.cfg, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// auditRows returns "login|action|day|detail" of the audit entries of action.
func auditRows(t *testing.T, db *sql.DB, prefix, action string) []string {
	t.Helper()
	rows, err := db.Query("SELECT CONCAT_WS('|', login, action, day, COALESCE(detail, '')) FROM `"+prefix+"_meta`.audit_log WHERE action = ? ORDER BY id", action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestDiscardAndSnapshotNowFromRuns discards today's copy from the /runs
// confirmation form: its pages answer 410 at once, its job's file is
// removed, the audit log says who and why, and the snapshotter daemon
// drops the slot (the server's account cannot). Then "Take a snapshot
// now", pressed twice, queues one request, which the daemon runs like a
// scheduled run: the day is served again from a new slot.
func TestDiscardAndSnapshotNowFromRuns(t *testing.T) {
	w := newAdminWorld(t, "")
	day := string(w.today)
	slot := mustSnapshot(t, w.cfg, w.today)
	srv := startWeekback(t, w.cfg, "serve")
	base := "http://" + waitListening(t, srv)
	boss, staff := login(t, base, "boss", zooPassword), login(t, base, "support", zooPassword)
	csrf := mustCSRF(t, boss, base)
	mustGet(t, boss, base+"/"+day+"/tables/orders", 200)
	job := postJob(t, boss, base, "/"+day+"/tables/orders/exports", url.Values{"csrf": {csrf}})
	if j := waitJobsFinal(t, boss, base, 1, 30*time.Second)[job]; j.Status != weekback.JobSucceeded {
		t.Fatalf("export job: %s (%s)", j.Status, j.Error)
	}
	jobFile := filepath.Join(w.exports, fmt.Sprintf("%d.csv", job))
	if _, err := os.Stat(jobFile); err != nil {
		t.Fatalf("the job's file before the discard: %v", err)
	}

	_, page := mustGet(t, boss, base+"/runs", 200)
	if !strings.Contains(page, `href="/`+day+`/discard"`) || !strings.Contains(page, `action="/runs/snapshot"`) {
		t.Fatalf("/runs has no discard link or snapshot-now button:\n%.3000s", page)
	}
	_, confirm := mustGet(t, boss, base+"/"+day+"/discard", 200)
	if !strings.Contains(confirm, "2,002 rows") || !strings.Contains(confirm, `name="reason"`) {
		t.Fatalf("confirmation page does not name the rows or ask why:\n%.3000s", confirm)
	}
	mustGet(t, staff, base+"/"+day+"/discard", 404)
	if status, _ := postForm(t, staff, base, "/"+day+"/discard", url.Values{"csrf": {mustCSRF(t, staff, base)}}.Encode(), false); status != 404 {
		t.Fatalf("POST discard by a non-admin = %d, want 404", status)
	}
	if status, _ := postForm(t, boss, base, "/"+day+"/discard", "reason=x", false); status != 403 {
		t.Fatalf("POST discard without the CSRF token = %d, want 403", status)
	}
	if status, b := postForm(t, boss, base, "/"+day+"/discard", url.Values{"csrf": {csrf}, "reason": {"erasure request #42"}}.Encode(), false); status != 303 {
		t.Fatalf("POST discard = %d, want 303: %s", status, b)
	}

	_, gone := mustGet(t, boss, base+"/"+day+"/tables/orders", 410)
	if !strings.Contains(gone, "was discarded") {
		t.Errorf("410 page says no sentence about the discard:\n%.2000s", gone)
	}
	if g := generations(t, w.cfg)[w.today]; g.Status != weekback.StatusDiscarded || g.Discarded == nil || g.Discarded.By != "boss" {
		t.Fatalf("generations after the discard: status %s, discarded %+v; want discarded by boss", g.Status, g.Discarded)
	}
	if a := auditRows(t, w.db, w.prefix, weekback.AuditDiscard); len(a) != 1 || !strings.HasPrefix(a[0], "boss|discard|"+day+"|reason: erasure request #42") {
		t.Fatalf("audit of the discard = %q", a)
	}
	if _, auditPage := mustGet(t, boss, base+"/audit?action=discard", 200); !strings.Contains(auditPage, "day discarded") ||
		!strings.Contains(auditPage, "erasure request #42") {
		t.Errorf("/audit?action=discard does not show the discard and its reason:\n%.3000s", auditPage)
	}
	if _, err := os.Stat(jobFile); !os.IsNotExist(err) {
		t.Errorf("the discarded day's job file is still there (%v)", err)
	}
	if !schemaExists(t, w.db, slot) {
		t.Fatalf("slot %s is gone before any admin process ran: the reader account should not have dropped it", slot)
	}

	for range 2 {
		if status, _ := postForm(t, boss, base, "/runs/snapshot", url.Values{"csrf": {csrf}}.Encode(), false); status != 303 {
			t.Fatalf("POST /runs/snapshot = %d, want 303", status)
		}
	}
	var pending int
	mustScan(t, w.db, &pending, "SELECT COUNT(*) FROM `"+w.prefix+"_meta`.snapshot_requests")
	if pending != 1 {
		t.Fatalf("two presses queued %d requests, want 1", pending)
	}
	if a := auditRows(t, w.db, w.prefix, weekback.AuditSnapshotRequest); len(a) != 2 {
		t.Errorf("audit of the snapshot requests = %q, want 2 entries", a)
	}

	daemon := startWeekback(t, w.cfg, "snapshotter")
	waitFor(t, "the daemon to drop the discarded slot and run the request", daemon, func() bool {
		var status string
		w.db.QueryRow("SELECT status FROM `" + w.prefix + "_meta`.snapshot_requests").Scan(&status)
		return !schemaExists(t, w.db, slot) && status == weekback.RequestDone
	})
	g := generations(t, w.cfg)[w.today]
	if g.Status != weekback.StatusReady || g.Slot == slot || g.Discarded != nil {
		t.Fatalf("after the requested snapshot: status %s, slot %s (discarded %s), want ready from a new slot", g.Status, g.Slot, slot)
	}
	mustGet(t, boss, base+"/"+day+"/tables/orders", 200)
	daemon.cmd.Process.Signal(syscall.SIGTERM)
	if code := daemon.wait(t, 30*time.Second); code != 0 {
		t.Errorf("snapshotter exited %d after SIGTERM\n%s", code, daemon.stderr.String())
	}
}

func mustScan(t *testing.T, db *sql.DB, dst any, q string, args ...any) {
	t.Helper()
	if err := db.QueryRow(q, args...).Scan(dst); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestDiscardCommand asks first (exit 2, naming what would go), then
// discards with --yes: the slot is dropped at once by the admin account,
// the day is discarded with the operator and reason in the audit log, and
// the next snapshot fills it again.
func TestDiscardCommand(t *testing.T) {
	w := newAdminWorld(t, "")
	slot := mustSnapshot(t, w.cfg, weekback.Tuesday)
	out, errOut := mustRunWeekback(t, 2, w.cfg, "discard", "--day", "tue")
	if !strings.Contains(out, "would discard tue") || !strings.Contains(out, "2002 rows") || !strings.Contains(errOut, "--yes") {
		t.Fatalf("discard without --yes:\nstdout %s\nstderr %s", out, errOut)
	}
	if !schemaExists(t, w.db, slot) {
		t.Fatal("discard without --yes dropped the slot")
	}
	mustRunWeekback(t, 2, w.cfg, "discard", "--day", "tue", "--all-days", "--yes")
	out, _ = mustRunWeekback(t, 0, w.cfg, "discard", "--day", "tue", "--reason", "customer left", "--yes")
	if !strings.Contains(out, "dropped slot "+slot) || schemaExists(t, w.db, slot) {
		t.Fatalf("discard --yes left slot %s (exists %v):\n%s", slot, schemaExists(t, w.db, slot), out)
	}
	var gens []map[string]any
	stdout, _ := mustRunWeekback(t, 0, w.cfg, "generations", "--json")
	if err := json.Unmarshal([]byte(stdout), &gens); err != nil || gens[1]["status"] != "discarded" {
		t.Fatalf("generations --json: tue status %v (%v), want \"discarded\"", gens[1]["status"], err)
	}
	if a := auditRows(t, w.db, w.prefix, weekback.AuditDiscard); len(a) != 1 || !strings.Contains(a[0], "|discard|tue|reason: customer left") {
		t.Fatalf("audit of the CLI discard = %q", a)
	}
	mustRunWeekback(t, 2, w.cfg, "discard", "--day", "tue", "--yes") // nothing left to discard
	if again := mustSnapshot(t, w.cfg, weekback.Tuesday); again == slot {
		t.Fatalf("the next snapshot reused slot %s", slot)
	}
}
