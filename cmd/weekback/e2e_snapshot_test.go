package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weekback/weekback"
	wmysql "github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestSnapshotVerifyClean takes one snapshot and checks the summary, the
// generations listing and both forms of verify.
func TestSnapshotVerifyClean(t *testing.T) {
	f := newFixture(t, false)
	stdout, _ := mustRunWeekback(t, 0, f.cfg, "snapshot", "--day", "mon")
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "snapshot mon: ") {
		t.Fatalf("snapshot stdout = %q, want one line starting with %q", stdout, "snapshot mon: ")
	}
	for _, want := range []string{"2 tables", fmt.Sprintf("%d rows", sourceOrders+sourceItems), "verified"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("summary %q does not say %q", lines[0], want)
		}
	}

	gens := generations(t, f.cfg)
	mon := gens[weekback.Monday]
	if mon.Status != weekback.StatusReady || !mon.Ready() {
		t.Fatalf("mon: status %s, slot %q; want ready with a slot", mon.Status, mon.Slot)
	}
	m := mon.Manifest
	if m.Slot != mon.Slot || m.Day != weekback.Monday || m.SourceSchema != f.src {
		t.Errorf("manifest slot %q day %q source %q, want %q mon %q", m.Slot, m.Day, m.SourceSchema, mon.Slot, f.src)
	}
	if got, want := m.Rows, int64(sourceOrders+sourceItems); len(m.Tables) != 2 || got != want {
		t.Errorf("manifest: %d tables, %d rows; want 2, %d", len(m.Tables), got, want)
	}
	if mon.VerifiedAt.IsZero() {
		t.Errorf("mon verified_at is zero, want the switch time")
	}
	if !strings.HasSuffix(lines[0], mon.Slot) {
		t.Errorf("summary %q does not name the served slot %s", lines[0], mon.Slot)
	}
	for _, d := range weekback.Weekdays[1:] {
		if g := gens[d]; g.Status != weekback.StatusNever || g.Slot != "" {
			t.Errorf("%s: status %s, slot %q; want never, none", d, g.Status, g.Slot)
		}
	}
	assertSameCounts(t, f, mon.Slot)

	if stdout, _ := mustRunWeekback(t, 0, f.cfg, "verify", "--day", "mon"); stdout != "mon: ok\n" {
		t.Errorf("verify --day mon stdout = %q, want %q", stdout, "mon: ok\n")
	}
	if stdout, _ := mustRunWeekback(t, 0, f.cfg, "verify"); stdout != "mon: ok\n" {
		t.Errorf("verify stdout = %q, want %q (only mon was taken)", stdout, "mon: ok\n")
	}
}

// assertSameCounts compares each table's row count in slot and source.
func assertSameCounts(t *testing.T, f *fixture, slot string) {
	t.Helper()
	for _, table := range []string{"orders", "order_items"} {
		var src, dst int
		err := f.db.QueryRow("SELECT (SELECT COUNT(*) FROM "+wmysql.QuoteTable(f.src, table)+"), "+
			"(SELECT COUNT(*) FROM "+wmysql.QuoteTable(slot, table)+")").Scan(&src, &dst)
		if err != nil {
			t.Fatalf("count rows of %s: %v", table, err)
		}
		if src == 0 || dst != src {
			t.Errorf("%s: slot has %d rows, source %d", table, dst, src)
		}
	}
}

// TestVerifyDetectsDamage damages a fresh, verified slot in one way per
// case and checks that verify exits 3 naming the table.
func TestVerifyDetectsDamage(t *testing.T) {
	f := newFixture(t, false)
	for _, tt := range []struct {
		name   string
		damage string // %s is the slot
		table  string
		says   string
	}{
		{"changed value", "UPDATE `%s`.orders SET note = CONCAT('Z', SUBSTRING(note, 2)) WHERE id = 4242", "orders", "hash"},
		{"deleted row", "DELETE FROM `%s`.order_items WHERE id = 777", "order_items", fmt.Sprintf("%d rows", sourceItems-1)},
		{"dropped table", "DROP TABLE `%s`.order_items", "order_items", "missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			slot := mustSnapshot(t, f.cfg, weekback.Monday)
			mustRunWeekback(t, 0, f.cfg, "verify", "--day", "mon")
			mysqltest.MustExec(t, f.db, fmt.Sprintf(tt.damage, slot))
			code, stdout, stderr := runWeekback(t, f.cfg, "verify", "--day", "mon")
			if code != weekback.ExitMismatch {
				t.Fatalf("verify after damage: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, weekback.ExitMismatch, stdout, stderr)
			}
			if !strings.HasPrefix(stdout, "mon: MISMATCH") {
				t.Errorf("verify stdout = %q, want it to start with %q", stdout, "mon: MISMATCH")
			}
			for _, want := range []string{"table " + tt.table, tt.says} {
				if !strings.Contains(stdout, want) || !strings.Contains(stderr, want) {
					t.Errorf("verify output does not say %q\nstdout:\n%s\nstderr:\n%s", want, stdout, stderr)
				}
			}
		})
	}
}

// TestSingleModeWithoutReload snapshots through an account without RELOAD:
// the copy falls back to one connection and says why.
func TestSingleModeWithoutReload(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := mustLoadSource(t, db)
	user, pass := mustCreateUser(t, db, "SELECT, SHOW VIEW ON `"+src+"`.*")
	cfg := writeConfig(t, testConfig{
		SourceDSN: dsnWith(t, user, pass, "", src), BackupDSN: mysqltest.DSN(t, ""),
		Prefix: newPrefix(t, db), Parallelism: 2,
	})
	stdout, stderr := mustRunWeekback(t, 0, cfg, "snapshot", "--day", "mon")
	if !strings.Contains(stdout, "mode single") {
		t.Errorf("summary %q does not say mode single", stdout)
	}
	if !hasLine(stderr, "mode=single", "lacks RELOAD") {
		t.Errorf("stderr has no line saying mode=single because the account lacks RELOAD:\n%s", stderr)
	}
	mon := generations(t, cfg)[weekback.Monday]
	if !mon.Ready() || mon.Manifest.Mode != weekback.ModeSingle {
		t.Fatalf("mon: ready %v, manifest mode %q; want ready, %q", mon.Ready(), mon.Manifest.Mode, weekback.ModeSingle)
	}
	mustRunWeekback(t, 0, cfg, "verify", "--day", "mon")
}

// hasLine reports whether one line of s contains every one of words.
func hasLine(s string, words ...string) bool {
	for line := range strings.SplitSeq(s, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return true
		}
	}
	return false
}

// TestSnapshotUsageErrors checks that mistakes the user must fix exit 2
// with a message naming the fix, before anything is written on the backup
// server.
func TestSnapshotUsageErrors(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := mustLoadSource(t, db)
	empty := mysqltest.MustCreateSchema(t, db, "wbe_empty_")
	dead := mysqltest.DeadAddr(t)
	for _, tt := range []struct {
		name   string
		args   []string // default: snapshot --day mon
		config func(t *testing.T, c *testConfig)
		want   []string
	}{
		{name: "unknown day", args: []string{"snapshot", "--day", "funday"},
			want: []string{`"funday"`, "mon, tue, wed, thu, fri, sat, sun"}},
		{name: "backup unreachable", config: func(t *testing.T, c *testConfig) { c.BackupDSN = dsnWith(t, "", "", dead, "") },
			want: []string{dead, "backup.dsn"}},
		{name: "source unreachable", config: func(t *testing.T, c *testConfig) { c.SourceDSN = dsnWith(t, "", "", dead, src) },
			want: []string{dead, "source.dsn"}},
		{name: "empty source schema", config: func(t *testing.T, c *testConfig) { c.SourceDSN = mysqltest.DSN(t, empty) },
			want: []string{empty, "has no tables"}},
		{name: "source account without SELECT", config: func(t *testing.T, c *testConfig) {
			user, pass := mustCreateUser(t, db, "SHOW VIEW ON `"+src+"`.*")
			c.SourceDSN = dsnWith(t, user, pass, "", src)
		}, want: []string{"GRANT SELECT ON `" + src + "`.* TO", "source.dsn"}},
		{name: "source account with USAGE only", config: func(t *testing.T, c *testConfig) {
			user, pass := mustCreateUser(t, db, "USAGE ON *.*")
			c.SourceDSN = dsnWith(t, user, pass, "", src)
		}, want: []string{src, "source.dsn"}},
		{name: "unknown command", args: []string{"snapshots"}, want: []string{`unknown command "snapshots"`}},
		{name: "unknown config key", config: func(t *testing.T, c *testConfig) { c.Extra = "exports:\n  workerz: 2\n" },
			want: []string{"workerz", "unknown key"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig{SourceDSN: mysqltest.DSN(t, src), BackupDSN: mysqltest.DSN(t, ""), Prefix: newPrefix(t, db)}
			if tt.config != nil {
				tt.config(t, &c)
			}
			args := tt.args
			if args == nil {
				args = []string{"snapshot", "--day", "mon"}
			}
			code, stdout, stderr := runWeekback(t, writeConfig(t, c), args...)
			if code != weekback.ExitUsage {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, weekback.ExitUsage, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if left := prefixSchemas(t, db, c.Prefix); len(left) != 0 {
				t.Errorf("a usage error left schemas %v on the backup server, want none", left)
			}
		})
	}
}

// TestDaemonStopsOnSIGTERM starts `weekback snapshotter`, waits until it
// has scheduled its first run, and sends SIGTERM: it must log the next run
// in the configured zone and exit 0 promptly.
func TestDaemonStopsOnSIGTERM(t *testing.T) {
	f := newFixture(t, false)
	p := startWeekback(t, f.cfg, "snapshotter")
	waitFor(t, "the scheduler to start", p, func() bool { return strings.Contains(p.stderr.String(), "scheduler started") })
	if !hasLine(p.stderr.String(), "scheduler started", `cron="30 0 * * *"`, "timezone=UTC", "next_run=") {
		t.Errorf("no log line with the schedule:\n%s", p.stderr.String())
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0\nstderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "stopped") {
		t.Errorf("stderr does not say the daemon stopped:\n%s", p.stderr.String())
	}
}

// TestDemo runs `weekback demo` on a fresh prefix: seven verified
// generations that differ day by day as the simulated week says.
func TestDemo(t *testing.T) {
	db := mysqltest.MustOpen(t)
	prefix := newPrefix(t, db)
	cfg := filepath.Join(t.TempDir(), "demo.yaml")
	stdout, stderr := mustRunWeekback(t, 0, "", "demo", "--dsn", mysqltest.DSN(t, ""), "--prefix", prefix, "--write-config", cfg, "--no-serve")
	if !strings.Contains(stdout, "seven generations of "+prefix+"_sales") {
		t.Errorf("stdout does not report the demo week:\n%s\nstderr:\n%s", stdout, stderr)
	}
	gens := generations(t, cfg)
	rows := func(day weekback.Weekday, table string) int64 {
		g := gens[day]
		if g == nil || !g.Ready() || g.Manifest.Table(table) == nil {
			t.Fatalf("%s: generation %+v has no table %s", day, g, table)
		}
		return g.Manifest.Table(table).Rows
	}
	if rows(weekback.Thursday, "orders") >= rows(weekback.Wednesday, "orders") {
		t.Errorf("orders: thu %d, wed %d: Thursday's mass deletion does not show", rows(weekback.Thursday, "orders"), rows(weekback.Wednesday, "orders"))
	}
	if rows(weekback.Saturday, "users") != rows(weekback.Friday, "users")-1 {
		t.Errorf("users: sat %d, fri %d: the user who left on Saturday is still there", rows(weekback.Saturday, "users"), rows(weekback.Friday, "users"))
	}
	if rows(weekback.Sunday, "customers") <= rows(weekback.Monday, "customers") {
		t.Errorf("customers did not grow over the week: mon %d, sun %d", rows(weekback.Monday, "customers"), rows(weekback.Sunday, "customers"))
	}
	mustRunWeekback(t, 0, cfg, "verify")
}

// TestSnapshotDryRun prints the plan and writes nothing on the backup
// server (not even the meta schema).
func TestSnapshotDryRun(t *testing.T) {
	f := newFixture(t, false)
	stdout, _ := mustRunWeekback(t, 0, f.cfg, "snapshot", "--day", "tue", "--dry-run")
	for _, want := range []string{"dry run: would snapshot " + f.src + " into tue's generation", "table orders", "table order_items"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, stdout)
		}
	}
	if got := prefixSchemas(t, f.db, f.prefix); len(got) != 0 {
		t.Errorf("dry run created %v, want nothing", got)
	}
}

// TestServe snapshots Monday, starts `weekback serve` and reads the
// landing page over HTTP; SIGTERM stops it with exit 0.
func TestServe(t *testing.T) {
	f := newFixture(t, false)
	mustAddProductionUser(t, f, "someone", "someone-password") // serve checks the users table at start
	mustSnapshot(t, f.cfg, weekback.Monday)
	cfg := writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, f.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix,
		Extra: fmt.Sprintf("server:\n  listen: \"127.0.0.1:0\"\n  session_secret_file: %q\n", filepath.Join(t.TempDir(), "session.key"))})
	cfg = appendReaderDSN(t, cfg, mysqltest.DSN(t, ""))
	p := startWeekback(t, cfg, "serve")
	var addr string
	waitFor(t, "the server to listen", p, func() bool {
		for line := range strings.SplitSeq(p.stderr.String(), "\n") {
			if i := strings.Index(line, "msg=listening"); i >= 0 {
				if j := strings.Index(line, "addr="); j >= 0 {
					addr = strings.Fields(line[j+len("addr="):])[0]
					return true
				}
			}
		}
		return false
	})
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<a href="/mon/">Monday</a>`) {
		t.Fatalf("GET / = %d:\n%s", resp.StatusCode, body)
	}
	resp, err = http.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `name="csrf"`) {
		t.Fatalf("GET /login = %d:\n%s", resp.StatusCode, body)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM, want 0\n%s", code, p.stderr.String())
	}
}

// appendReaderDSN adds backup.reader_dsn to the config file at path.
func appendReaderDSN(t *testing.T, path, dsn string) string {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(body), "backup:\n", fmt.Sprintf("backup:\n  reader_dsn: %q\n", dsn), 1)
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDemoServes runs `weekback demo` as a newcomer would: it builds the
// week, then serves it and prints the URL and both demo logins.
func TestDemoServes(t *testing.T) {
	db := mysqltest.MustOpen(t)
	prefix := newPrefix(t, db)
	cfg := filepath.Join(t.TempDir(), "demo.yaml")
	p := startWeekback(t, "", "demo", "--dsn", mysqltest.DSN(t, ""), "--prefix", prefix, "--write-config", cfg, "--listen", "127.0.0.1:0")
	url := waitDemo(t, p)
	if out := p.stdout.String(); !strings.Contains(out, "log in as demo / weekback-demo") || !strings.Contains(out, "support / support-demo") {
		t.Errorf("stdout does not show the demo login:\n%s", p.stdout.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Count(string(body), `href="/sun/"`)+strings.Count(string(body), `href="/mon/"`) < 2 {
		t.Fatalf("GET %s = %d, want the seven ready days:\n%s", url, resp.StatusCode, body)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("demo exited %d after SIGTERM, want 0\n%s", code, p.stderr.String())
	}
}
