package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestRestoreCLI brings every table of the type zoo back into an empty
// database with one command (`restore --all --create-missing-tables`),
// byte for byte as the day has them; the dry run before writes nothing;
// `restore --undo` empties the tables again; both writes are in the audit
// log with the OS user, the reason, the target without its password, the
// rows per table and the undo file.
func TestRestoreCLI(t *testing.T) {
	f := newZooFixture(t)
	target := mysqltest.MustCreateSchema(t, f.db, "wbe_rst_")
	targetDSN := mysqltest.DSN(t, target)
	out, _ := mustRunWeekback(t, 0, f.cfg, "restore", "--from", "mon", "--to", targetDSN, "--all", "--create-missing-tables")
	if !strings.Contains(out, "dry run, nothing was written") || countTables(t, f, target) != 0 {
		t.Fatalf("dry run:\n%s", out)
	}
	undo := filepath.Join(f.dir, "zoo.undo.jsonl")
	out, _ = mustRunWeekback(t, 0, f.cfg, "restore", "--from", "mon", "--to", targetDSN, "--all", "--create-missing-tables",
		"--execute", "--undo-file", undo, "--reason", "rebuild after the drop")
	if !strings.Contains(out, "verified: the") {
		t.Errorf("restore report:\n%s", out)
	}
	f.checkSameAsManifest(t, target)
	mustRunWeekback(t, 0, f.cfg, "restore", "--undo", undo, "--to", targetDSN, "--execute", "--reason", "test the undo")
	for _, table := range zooTables {
		if n, _ := mustHashTable(t, target, table); n != 0 {
			t.Errorf("%s holds %d rows after the undo, want 0", table, n)
		}
	}
	checkWriteAudit(t, f, "restore", "rebuild after the drop", target, undo, true)
	checkWriteAudit(t, f, "undo", "test the undo", target, "", true)
}

func countTables(t *testing.T, f *zooFixture, schema string) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkWriteAudit finds the newest audit row of action and checks what it
// records (rows: whether it wrote rows, not only tables).
func checkWriteAudit(t *testing.T, f *zooFixture, action, reason, target, undo string, wroteRows bool) {
	t.Helper()
	var login, client, outcome, detail string
	var rows int64
	err := f.db.QueryRow("SELECT login, client, outcome, detail, `rows` FROM "+mysql.QuoteTable(mysql.MetaSchema(f.prefix), "audit_log")+
		" WHERE action = ? ORDER BY id DESC LIMIT 1", action).Scan(&login, &client, &outcome, &detail, &rows)
	if err != nil {
		t.Fatalf("audit row of %s: %v", action, err)
	}
	var d struct {
		Reason   string           `json:"reason"`
		Target   string           `json:"target"`
		Tables   map[string]int64 `json:"tables"`
		UndoFile string           `json:"undo_file"`
	}
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		t.Fatalf("audit detail %q: %v", detail, err)
	}
	if login != operator() || client != "cli" || outcome != "ok" || wroteRows != (rows > 0) || d.Reason != reason ||
		!strings.HasSuffix(d.Target, "/"+target) || len(d.Tables) == 0 || undo != "" && d.UndoFile != undo {
		t.Errorf("audit row of %s: login %q client %q outcome %q rows %d detail %s", action, login, client, outcome, rows, detail)
	}
	if strings.Contains(detail, "password") || strings.Contains(d.Target, ":") && strings.Contains(strings.Split(d.Target, "@")[0], ":") {
		t.Errorf("audit detail holds a password: %s", detail)
	}
}

// TestWriteAuditImportTemplateApply: template-apply and import with
// --execute are recorded in the audit log like restore.
func TestWriteAuditImportTemplateApply(t *testing.T) {
	f := newZooFixture(t)
	target := mysqltest.MustCreateSchema(t, f.db, "wbe_aud_")
	targetDSN := mysqltest.DSN(t, target)
	tpl, csv := filepath.Join(f.dir, "codes.template.json"), filepath.Join(f.dir, "codes.csv")
	mustRunWeekback(t, 0, f.cfg, "template", "--day", "mon", "--table", "codes", "--no-related", "-o", tpl)
	mustRunWeekback(t, 0, f.cfg, "template-apply", "--to", targetDSN, "--execute", "--reason", "recreate codes", tpl)
	mustRunWeekback(t, 0, f.cfg, "export", "--day", "mon", "--table", "codes", "-o", csv)
	mustRunWeekback(t, 0, f.cfg, "import", "--to", targetDSN, "--table", "codes", "--execute", "--reason", "reload codes", csv)
	checkWriteAudit(t, f, "template_apply", "recreate codes", target, "", false)
	checkWriteAudit(t, f, "import", "reload codes", target, "", true)
}

// TestRestoreUsageErrors: contradicting or missing flags exit 2 with a
// sentence that says what to do, before anything is opened.
func TestRestoreUsageErrors(t *testing.T) {
	to := "--to=u:p@tcp(127.0.0.1:1)/sales"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"restore", "--from", "thu", "--table", "orders"}, "needs --to DSN"},
		{[]string{"restore", to, "--table", "orders"}, "needs --from DAY"},
		{[]string{"restore", to, "--from", "thu"}, "exactly one of --table T and --all"},
		{[]string{"restore", to, "--from", "thu", "--table", "orders", "--all"}, "exactly one of --table T and --all"},
		{[]string{"restore", to, "--from", "thu", "--all", "--with-children"}, "drop --filter"},
		{[]string{"restore", to, "--from", "thu", "--table", "orders", "--missing-in", "production", "--changed-in", "fri"}, "one of --missing-in and --changed-in"},
		{[]string{"restore", to, "--from", "thu", "--table", "orders", "--changed-in", "production"}, "--changed-in takes a day"},
		{[]string{"restore", to, "--undo", "x.jsonl", "--table", "orders"}, "takes only --to"},
		{[]string{"restore", to, "--bundle", "b.zip", "--from", "thu"}, "takes the rows of the bundle"},
	} {
		code, _, stderr := runMain(t, nil, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 with %q", tc.args, code, stderr, tc.want)
		}
	}
}
