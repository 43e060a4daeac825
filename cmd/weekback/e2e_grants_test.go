package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// readmeGrantBlocks returns the first two ```sql blocks of README.md's
// "MySQL privileges" section: the accounts, then (after the first
// snapshot) the reader's grants on the meta schema.
func readmeGrantBlocks(t *testing.T) []string {
	t.Helper()
	body, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(body), "\n## MySQL privileges\n")
	if !ok {
		t.Fatal(`README.md has no "## MySQL privileges" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	if len(blocks) < 2 || !strings.Contains(blocks[0], "'weekback_admin'") || !strings.Contains(blocks[1], "`weekback_meta`.") {
		t.Fatalf("README's MySQL privileges section has %d sql blocks, want first the accounts, then the reader's grants on the meta schema", len(blocks))
	}
	return blocks[:2]
}

// grantNames are what the README's statements name, as this test has
// them: each account's unique name, the password, the source schema and
// the backup prefix.
type grantNames struct {
	accounts       map[string]string // README name (weekback_src …) → this test's
	password       string
	source, prefix string
}

// statements returns block's SQL statements (comments dropped) with the
// README's names replaced by the test's.
func (n grantNames) statements(t *testing.T, block string) []string {
	t.Helper()
	var lines []string
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, "--")
		lines = append(lines, line)
	}
	text := strings.Join(lines, "\n")
	for readme, ours := range n.accounts {
		text = strings.ReplaceAll(text, "'"+readme+"'", "'"+ours+"'")
	}
	text = strings.NewReplacer("'change-me'", "'"+n.password+"'", "`sales`", "`"+n.source+"`",
		"`weekback\\_", "`"+strings.ReplaceAll(n.prefix, "_", "\\_")+"\\_", "`weekback_meta`", "`"+n.prefix+"_meta`").Replace(text)
	if strings.Contains(text, "weekback") {
		t.Fatalf("a README name was not replaced:\n%s", text)
	}
	var out []string
	for _, stmt := range strings.Split(text, ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}

// mustRun runs the statements of block as root.
func (n grantNames) mustRun(t *testing.T, db *sql.DB, block string) {
	t.Helper()
	for _, stmt := range n.statements(t, block) {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("README statement %q: %v", stmt, err)
		}
	}
}

// mustLoadGrantsSource creates a small source schema: orders and a users
// table whose one user, support, is an admin.
func mustLoadGrantsSource(t *testing.T, db *sql.DB) string {
	t.Helper()
	s := mysqltest.MustCreateSchema(t, db, "wbe_gr_")
	q := "`" + s + "`."
	hash, err := bcrypt.GenerateFromPassword([]byte(zooPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	mysqltest.MustExec(t, db,
		"CREATE TABLE "+q+"orders (id INT UNSIGNED NOT NULL PRIMARY KEY, customer VARCHAR(64) NOT NULL)",
		"INSERT INTO "+q+"orders SELECT seq, CONCAT('customer-', seq) FROM "+q+"seq_1_to_200",
		"CREATE TABLE "+q+"users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL UNIQUE, password_hash VARCHAR(100) NOT NULL, "+
			"can_manage_settings TINYINT NOT NULL, role VARCHAR(20) NOT NULL)",
		"INSERT INTO "+q+"users VALUES (1, 'support', '"+string(hash)+"', 1, 'superadmin')")
	return s
}

// TestReadmeGrants creates the accounts exactly as README's "MySQL
// privileges" says (its SQL blocks, with this test's names), takes a
// snapshot with the source and admin accounts, exports a CSV and a
// template with the reader account, then serves with it (and the
// production login account, auth.source production):
// login, a throttled login, browsing, the changes between two days (kept
// in the meta schema), a CSV export, the audit log and the runs page, a background job and its download, "snapshot now", discarding
// a day, and a logout all work.
func TestReadmeGrants(t *testing.T) {
	db := mysqltest.MustOpen(t)
	blocks := readmeGrantBlocks(t)
	n := grantNames{accounts: map[string]string{}, password: mysqltest.UniqueName("pw"),
		source: mustLoadGrantsSource(t, db), prefix: newPrefix(t, db)}
	for _, a := range []string{"weekback_src", "weekback_admin", "weekback_reader", "weekback_login"} {
		n.accounts[a] = mysqltest.UniqueName("wbe_u_")
		account := fmt.Sprintf("'%s'@'%%'", n.accounts[a])
		t.Cleanup(func() { db.Exec("DROP USER IF EXISTS " + account) })
	}
	n.mustRun(t, db, blocks[0])
	dsn := func(account, schema string) string {
		return dsnWith(t, n.accounts[account], n.password, "", schema)
	}
	snapCfg := writeConfig(t, testConfig{SourceDSN: dsn("weekback_src", n.source), BackupDSN: dsn("weekback_admin", ""), Prefix: n.prefix})
	mustRunWeekback(t, 0, snapCfg, "snapshot", "--day", "mon")
	mysqltest.MustExec(t, db, "DELETE FROM `"+n.source+"`.orders WHERE id > 190")
	mustRunWeekback(t, 0, snapCfg, "snapshot", "--day", "tue")
	n.mustRun(t, db, blocks[1])

	addr := freeAddr(t)
	serveCfg := writeConfig(t, testConfig{SourceDSN: dsn("weekback_login", n.source), BackupDSN: dsn("weekback_reader", ""), Prefix: n.prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: \"http://%s\"\n  session_secret_file: %q\nauth:\n  source: production\n",
			addr, addr, t.TempDir()+"/session.key")})
	appendReaderDSN(t, serveCfg, dsn("weekback_reader", ""))
	if out, _ := mustRunWeekback(t, 0, serveCfg, "export", "--day", "mon", "--table", "orders"); strings.Count(out, "\n") != 201 {
		t.Fatalf("export with the reader account: %d lines, want 201", strings.Count(out, "\n"))
	}
	mustRunWeekback(t, 0, serveCfg, "template", "--day", "mon", "--table", "orders")
	p := startWeekback(t, serveCfg, "serve")
	base := "http://" + waitListening(t, p)
	checkServeWithReaderGrants(t, base)
	var stored int
	if err := db.QueryRow("SELECT COUNT(*) FROM `" + n.prefix + "_meta`.change_sets").Scan(&stored); err != nil || stored != 1 {
		t.Errorf("change sets stored by the changes page = %d (%v), want 1", stored, err)
	}
	if strings.Contains(p.stderr.String(), "denied") {
		t.Errorf("serve logged a denied command:\n%s", p.stderr.String())
	}
}

// checkServeWithReaderGrants uses every part of serve that reads or
// writes the meta schema.
func checkServeWithReaderGrants(t *testing.T, base string) {
	t.Helper()
	c := login(t, base, "support", zooPassword)
	if status := postLogin(t, newJarClient(), base, "support", "wrong"); status != http.StatusUnauthorized {
		t.Fatalf("wrong password = %d, want 401", status)
	}
	for _, path := range []string{"/", "/mon/", "/mon/tables/orders", "/mon/tables/orders/rows/7", "/audit", "/runs", "/jobs"} {
		mustGet(t, c, base+path, 200)
	}
	if _, body := mustGet(t, c, base+"/tue/changes?against=mon", 200); !strings.Contains(body, `kind=deleted">10</a>`) {
		t.Fatalf("the changes page does not show the 10 orders deleted:\n%s", body)
	}
	if _, body := mustGet(t, c, base+"/mon/tables/orders/export.csv", 200); strings.Count(body, "\n") != 201 {
		t.Fatalf("export.csv has %d lines, want 201", strings.Count(body, "\n"))
	}
	csrf := mustCSRF(t, c, base)
	id := submitJob(t, c, base, csrf, "id=le:50")
	if j := waitJobsFinal(t, c, base, 1, 30*time.Second)[id]; j == nil || j.Status != weekback.JobSucceeded {
		t.Fatalf("job %d = %+v, want succeeded", id, j)
	}
	if body := mustGetBytes(t, c, fmt.Sprintf("%s/jobs/%d/download", base, id)); strings.Count(string(body), "\n") != 51 {
		t.Fatalf("job download has %d lines, want 51", strings.Count(string(body), "\n"))
	}
	// The admin buttons of /runs: "snapshot now" and discarding Monday.
	if status, b := postForm(t, c, base, "/runs/snapshot", url.Values{"csrf": {csrf}}.Encode(), false); status != http.StatusSeeOther {
		t.Fatalf("POST /runs/snapshot = %d, want 303: %s", status, b)
	}
	if status, b := postForm(t, c, base, "/mon/discard", url.Values{"csrf": {csrf}, "reason": {"grants test"}}.Encode(), false); status != http.StatusSeeOther {
		t.Fatalf("POST /mon/discard = %d, want 303: %s", status, b)
	}
	mustGet(t, c, base+"/mon/tables/orders", http.StatusGone)
	if status, _ := postForm(t, c, base, "/logout", url.Values{"csrf": {csrf}}.Encode(), false); status != http.StatusSeeOther {
		t.Fatalf("POST /logout = %d, want 303", status)
	}
}
