package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// diffSourceSQL is production on Monday: every case the comparison must
// get right has a table.
var diffSourceSQL = []string{
	`CREATE TABLE orders (id INT UNSIGNED NOT NULL PRIMARY KEY, customer VARCHAR(40) NOT NULL,
		note VARCHAR(40) NULL, amount DOUBLE NULL, photo BLOB NULL) ENGINE=InnoDB`,
	`INSERT INTO orders SELECT seq, CONCAT('c', seq % 7), IF(seq % 3 = 0, NULL, CONCAT('n', seq)), seq / 3,
		IF(seq % 5 = 0, UNHEX(REPEAT('AB', seq % 50)), NULL) FROM seq_1_to_2000`,
	`CREATE TABLE items (order_id INT NOT NULL, line INT NOT NULL, sku VARCHAR(20) NOT NULL,
		PRIMARY KEY (order_id, line)) ENGINE=InnoDB`,
	`INSERT INTO items SELECT seq DIV 3, seq % 3, CONCAT('SKU', seq) FROM seq_0_to_599`,
	`CREATE TABLE tags (tag VARCHAR(20) NULL, weight INT NULL) ENGINE=InnoDB`,
	`INSERT INTO tags VALUES ('a', 1), ('a', 1), ('b', NULL), (NULL, 2)`,
	`CREATE TABLE users (id INT NOT NULL PRIMARY KEY, login_id VARCHAR(20) NOT NULL, password_hash VARCHAR(80) NOT NULL)`,
	`INSERT INTO users VALUES (1, 'ann', 'secret-1'), (2, 'bob', 'secret-2')`,
	`CREATE TABLE legacy (id INT PRIMARY KEY)`,
	`INSERT INTO legacy VALUES (1), (2)`,
	`CREATE TABLE bins (k VARBINARY(8) NOT NULL PRIMARY KEY, v INT NOT NULL)`,
	`INSERT INTO bins VALUES (0x00ff, 1), (0x0a, 2), ('', 3)`,
	`CREATE TABLE latin (k VARCHAR(10) CHARACTER SET latin1 NOT NULL PRIMARY KEY, v INT NOT NULL)`,
	`INSERT INTO latin VALUES ('café', 1), ('cafe2', 2), ('x,y', 3)`,
	`CREATE TABLE ledger_a (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)`,
	`CREATE TABLE ledger_b (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)`,
}

// diffChangeSQL is what happens before Tuesday's snapshot.
var diffChangeSQL = []string{
	`DELETE FROM orders WHERE id IN (10, 20, 1999)`,
	`INSERT INTO orders (id, customer) VALUES (2001, 'new'), (2002, 'new2')`,
	`UPDATE orders SET customer = 'changed' WHERE id = 100`,
	`UPDATE orders SET note = '' WHERE id = 3`,
	`UPDATE orders SET photo = UNHEX(CONCAT(REPEAT('AB', 24), 'AC')) WHERE id = 25`,
	`UPDATE items SET sku = 'SKU-X' WHERE order_id = 7 AND line = 1`,
	`INSERT INTO tags VALUES ('a', 1), ('c', 3)`,
	`UPDATE users SET password_hash = 'secret-3' WHERE id = 2`,
	`DROP TABLE legacy`,
	`CREATE TABLE coupons (code VARCHAR(10) PRIMARY KEY)`,
	`INSERT INTO coupons VALUES ('X1')`,
	`ALTER TABLE items ADD COLUMN qty INT NOT NULL DEFAULT 1`,
	`DELETE FROM bins WHERE k IN (0x00ff, '')`,
	`DELETE FROM latin WHERE k IN ('café', 'x,y')`,
}

// diffWant is `diff --from mon --to tue`, per table: rows_from rows_to
// added deleted changed status.
var diffWant = map[string]string{
	"bins":     "3 1 0 2 0 changed",
	"latin":    "3 1 0 2 0 changed",
	"coupons":  "0 1 1 0 0 only_in_to",
	"items":    "600 600 0 0 1 changed",
	"ledger_a": "0 0 0 0 0 same",
	"ledger_b": "0 0 0 0 0 same",
	"legacy":   "2 0 0 2 0 only_in_from",
	"orders":   "2000 1999 2 3 3 changed",
	"tags":     "4 6 2 0 0 changed",
	"users":    "2 2 0 0 1 changed",
}

type diffFixture struct {
	*fixture
	prodDSN string
}

// newDiffFixture builds production as on Monday, snapshots it, applies
// diffChangeSQL and snapshots Tuesday.
func newDiffFixture(t *testing.T) *diffFixture {
	t.Helper()
	db := mysqltest.MustOpen(t)
	f := &fixture{db: db, src: mysqltest.MustCreateSchema(t, db, "wbd_src_"), prefix: newPrefix(t, db)}
	execIn(t, f.src, diffSourceSQL)
	d := &diffFixture{fixture: f, prodDSN: mysqltest.DSN(t, f.src)}
	f.cfg = writeConfig(t, testConfig{SourceDSN: d.prodDSN, BackupDSN: mysqltest.DSN(t, ""), Prefix: f.prefix})
	mustSnapshot(t, f.cfg, weekback.Monday)
	execIn(t, f.src, diffChangeSQL)
	mustSnapshot(t, f.cfg, weekback.Tuesday)
	return d
}

// execIn runs stmts in schema.
func execIn(t *testing.T, schema string, stmts []string) {
	t.Helper()
	mysqltest.MustExecScript(t, mysqltest.DSN(t, schema), strings.Join(stmts, ";\n")+";")
}

type diffOutput struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Tables []struct {
		Table                   string
		RowsFrom                int64 `json:"rows_from"`
		RowsTo                  int64 `json:"rows_to"`
		Added, Deleted, Changed int64
		Status                  string
		ColumnsAdded            []string `json:"columns_added"`
		Keyless                 bool
	} `json:"tables"`
}

func (d *diffFixture) diff(t *testing.T, args ...string) (diffOutput, map[string]string) {
	t.Helper()
	stdout, _ := mustRunWeekback(t, 0, d.cfg, append([]string{"diff", "--json"}, args...)...)
	var out diffOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, stdout)
	}
	got := map[string]string{}
	for _, tc := range out.Tables {
		got[tc.Table] = fmt.Sprintf("%d %d %d %d %d %s", tc.RowsFrom, tc.RowsTo, tc.Added, tc.Deleted, tc.Changed, tc.Status)
	}
	return out, got
}

func TestDiffDays(t *testing.T) {
	d := newDiffFixture(t)
	out, got := d.diff(t, "--from", "mon", "--to", "tue")
	if out.From != "mon" || out.To != "tue" || !reflect.DeepEqual(got, diffWant) {
		t.Errorf("diff mon tue: from %q to %q\n got %v\nwant %v", out.From, out.To, got, diffWant)
	}
	for _, tc := range out.Tables {
		if tc.Table == "items" && !reflect.DeepEqual(tc.ColumnsAdded, []string{"qty"}) {
			t.Errorf("items: columns_added %v, want [qty]", tc.ColumnsAdded)
		}
		if tc.Table == "tags" && !tc.Keyless {
			t.Errorf("tags: keyless false, want true")
		}
	}
	_, one := d.diff(t, "--from", "mon", "--to", "tue", "--table", "orders")
	if len(one) != 1 || one["orders"] != diffWant["orders"] {
		t.Errorf("diff --table orders: %v", one)
	}
	text, stderr := mustRunWeekback(t, 0, d.cfg, "diff", "--from", "mon", "--to", "tue")
	if !strings.Contains(text, "only in mon") || !strings.Contains(text, "columns added: qty") {
		t.Errorf("diff text lacks the table notes:\n%s", text)
	}
	if !strings.Contains(stderr, "compare: 10/10 tables") {
		t.Errorf("diff's progress on stderr lacks the final count:\n%s", stderr)
	}
}

func TestDiffShowRows(t *testing.T) {
	d := newDiffFixture(t)
	cases := []struct {
		name string
		args []string
		want []string // lines, sorted
	}{
		{"deleted text", []string{"--table", "orders", "--show", "deleted"}, nil},
		{"changed csv", []string{"--table", "orders", "--show", "changed", "--csv"}, []string{
			`"100","customer","c2","changed"`,
			`"25","photo","0xababababababababababababababababababababababababab","0xababababababababababababababababababababababababac"`,
			`"3","note",NULL,""`,
			`"id","column","old","new"`,
		}},
		{"composite csv", []string{"--table", "items", "--show", "changed", "--csv"}, []string{
			`"7","1","sku","SKU22","SKU-X"`,
			`"order_id","line","column","old","new"`,
		}},
		{"masked", []string{"--table", "users", "--show", "changed"}, []string{"~ 2  password_hash: *** → ***"}},
		{"keyless added", []string{"--table", "tags", "--show", "added", "--csv"}, []string{`"a","1"`, `"c","3"`, `"tag","weight"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _ := mustRunWeekback(t, 0, d.cfg, append([]string{"diff", "--from", "mon", "--to", "tue"}, tc.args...)...)
			if tc.want == nil {
				return
			}
			lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(stdout, "\r\n", "\n")), "\n")
			sort.Strings(lines)
			sort.Strings(tc.want)
			if !reflect.DeepEqual(lines, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	stdout, _ := mustRunWeekback(t, 0, d.cfg, "diff", "--from", "mon", "--to", "tue", "--table", "orders", "--show", "deleted", "--json")
	var rows struct {
		Kind string
		Rows []struct {
			Key    []string
			Values map[string]*string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("--show deleted --json: %v\n%s", err, stdout)
	}
	var keys []string
	for _, r := range rows.Rows {
		keys = append(keys, strings.Join(r.Key, ","))
	}
	if rows.Kind != "deleted" || !reflect.DeepEqual(keys, []string{"10", "20", "1999"}) {
		t.Errorf("deleted rows: kind %s keys %v, want deleted [10 20 1999]", rows.Kind, keys)
	}
	if len(rows.Rows) > 0 && (rows.Rows[0].Values["note"] == nil || *rows.Rows[0].Values["note"] != "n10") {
		t.Errorf("deleted row 10's note: %v, want n10", rows.Rows[0].Values["note"])
	}
}

func TestDiffUsage(t *testing.T) {
	d := newDiffFixture(t)
	for _, args := range [][]string{
		{"diff", "--from", "mon"},
		{"diff", "--from", "mon", "--to", "yesterday"},
		{"diff", "--from", "mon", "--to", "tue", "--show", "changed"},
		{"diff", "--from", "mon", "--to", "tue", "--show", "moved", "--table", "orders"},
		{"diff", "--from", "mon", "--to", "tue", "--csv"},
		{"diff", "--from", "mon", "--to", "tue", "--table", "Orders"},
		{"export", "--day", "mon", "--table", "orders", "--missing-in", "tue", "--changed-in", "tue"},
		{"export", "--day", "mon", "--table", "orders", "--missing-in", "someday"},
	} {
		if code, _, stderr := runWeekback(t, d.cfg, args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, want 2 with a message\n%s", args, code, stderr)
		}
	}
}

// TestDiffProduction compares Monday with production inside one
// consistent snapshot while a writer commits one row to ledger_a and one
// to ledger_b in each transaction: both must show the same number added.
func TestDiffProduction(t *testing.T) {
	d := newDiffFixture(t)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var commits atomic.Int64
	wg.Go(func() {
		for !stop.Load() {
			tx, err := d.db.Begin()
			if err != nil {
				return
			}
			tx.Exec("INSERT INTO `" + d.src + "`.ledger_a (v) VALUES (1)")
			time.Sleep(time.Millisecond)
			tx.Exec("INSERT INTO `" + d.src + "`.ledger_b (v) VALUES (1)")
			if tx.Commit() == nil {
				commits.Add(1)
			}
		}
	})
	defer func() { stop.Store(true); wg.Wait() }()
	for commits.Load() < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	out, got := d.diff(t, "--from", "mon", "--to", "production")
	stop.Store(true)
	wg.Wait()
	if out.To != "production" {
		t.Errorf("to %q, want production", out.To)
	}
	a, b := got["ledger_a"], got["ledger_b"]
	if a != b || a == diffWant["ledger_a"] {
		t.Errorf("ledger_a %q and ledger_b %q differ (or nothing was written): not one snapshot", a, b)
	}
	for table, want := range diffWant {
		if !strings.HasPrefix(table, "ledger") && got[table] != want {
			t.Errorf("%s: %s, want %s", table, got[table], want)
		}
	}
}

// TestExportMissingAndChanged exports Monday's rows deleted and changed
// by Tuesday, checks they are exactly those, loads them back into
// production and finds nothing deleted or changed any more.
func TestExportMissingAndChanged(t *testing.T) {
	d := newDiffFixture(t)
	dir := t.TempDir()
	missing, changed := filepath.Join(dir, "missing.csv"), filepath.Join(dir, "changed.csv")
	mustRunWeekback(t, 0, d.cfg, "export", "--day", "mon", "--table", "orders", "--missing-in", "tue", "-o", missing)
	mustRunWeekback(t, 0, d.cfg, "export", "--day", "mon", "--table", "orders", "--changed-in", "production",
		"--columns", "customer,id,note", "--sort", "-id", "-o", changed)
	if got, want := csvIDs(t, missing, 0), []string{"10", "20", "1999"}; !reflect.DeepEqual(got, want) {
		t.Errorf("--missing-in tue: ids %v, want %v", got, want)
	}
	if got, want := csvIDs(t, changed, 1), []string{"100", "25", "3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("--changed-in production --sort -id: ids %v, want %v", got, want)
	}
	filtered := filepath.Join(dir, "filtered.csv")
	mustRunWeekback(t, 0, d.cfg, "export", "--day", "mon", "--table", "orders", "--missing-in", "tue",
		"--filter", "id=gt:15", "--profile", "spreadsheet", "--encoding", "utf-8-bom", "-o", filtered)
	if got := csvIDs(t, filtered, 0); !reflect.DeepEqual(got, []string{"20", "1999"}) {
		t.Errorf("--missing-in with --filter id=gt:15: %v, want [20 1999]", got)
	}
	for table, want := range map[string][]string{"bins": {"0x", "0x00ff"}, "latin": {"café", "x,y"}} {
		path := filepath.Join(dir, table+".csv")
		mustRunWeekback(t, 0, d.cfg, "export", "--day", "mon", "--table", table, "--missing-in", "tue", "-o", path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range want {
			if !strings.Contains(string(b), `"`+k+`"`) {
				t.Errorf("%s --missing-in tue lacks the row %s:\n%s", table, k, b)
			}
		}
		if n := strings.Count(string(b), "\r\n"); n != 3 {
			t.Errorf("%s --missing-in tue: %d lines, want a header and 2 rows:\n%s", table, n, b)
		}
	}
	full := filepath.Join(dir, "changed-full.csv")
	mustRunWeekback(t, 0, d.cfg, "export", "--day", "mon", "--table", "orders", "--changed-in", "tue", "-o", full)
	mustRunWeekback(t, 0, "", "import", "--to", d.prodDSN, "--table", "orders", "--execute", missing)
	mustRunWeekback(t, 0, "", "import", "--to", d.prodDSN, "--table", "orders", "--mode", "upsert", "--execute", full)
	_, got := d.diff(t, "--from", "mon", "--to", "production", "--table", "orders")
	if got["orders"] != "2000 2002 2 0 0 changed" {
		t.Errorf("after loading the exports back, mon → production orders: %s, want 2000 2002 2 0 0 changed", got["orders"])
	}
}

// csvIDs returns the values of column col of a CSV file's data rows.
func csvIDs(t *testing.T, path string, col int) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff")), "\r\n")
	var out []string
	for _, l := range lines[1:] {
		out = append(out, strings.Trim(strings.Split(l, ",")[col], `"`))
	}
	return out
}
