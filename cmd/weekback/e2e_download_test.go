package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/template"
)

// downloadExtra is what the download fixture adds to the type zoo: a
// foreign-key cycle (and a self reference), a system-versioned table with
// history, a sequence, a Shift_JIS column, a users table with its
// credential column, and customers with personal data to anonymize.
var downloadExtra = []string{
	"CREATE TABLE cyc_a (id INT PRIMARY KEY, b_id INT, parent INT, KEY (b_id), KEY (parent), " +
		"CONSTRAINT a_self FOREIGN KEY (parent) REFERENCES cyc_a (id))",
	"CREATE TABLE cyc_b (id INT PRIMARY KEY, a_id INT NOT NULL, KEY (a_id), CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES cyc_a (id))",
	"ALTER TABLE cyc_a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES cyc_b (id)",
	"SET FOREIGN_KEY_CHECKS=0",
	"INSERT INTO cyc_a VALUES (1, 10, NULL), (2, 20, 1)",
	"INSERT INTO cyc_b VALUES (10, 2), (20, 1)",
	"SET FOREIGN_KEY_CHECKS=1",
	"CREATE TABLE hist (id INT PRIMARY KEY, v VARCHAR(10)) WITH SYSTEM VERSIONING",
	"INSERT INTO hist VALUES (1, 'one'), (2, 'two')",
	"UPDATE hist SET v = 'uno' WHERE id = 1",
	"CREATE SEQUENCE seq START WITH 100",
	"CREATE TABLE sj (id INT PRIMARY KEY, t VARCHAR(20) CHARACTER SET cp932)",
	"INSERT INTO sj VALUES (1, '表示ソ'), (2, '～－')",
	"CREATE TABLE users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL UNIQUE, password_hash VARCHAR(100) NOT NULL, " +
		"can_manage_settings TINYINT NOT NULL, role VARCHAR(20) NOT NULL, pin_hash CHAR(8) NULL)",
	"CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE, name VARCHAR(50), kana VARCHAR(50), " +
		"phone VARCHAR(20), born DATE, note VARCHAR(20))",
}

// customerRows are the customers the anonymization test looks for.
var customerRows = [][]string{
	{"hanako.yamada@example.com", "山田花子", "ヤマダハナコ", "03-1234-5678", "1980-04-01"},
	{"taro.suzuki@example.co.jp", "鈴木太郎", "スズキタロウ", "090-8765-4321", "1975-12-31"},
	{"john.smith@example.org", "John Smith", "じょんすみす", "+1 (555) 010-9999", "1990-01-15"},
}

// downloadFixture is the type zoo and downloadExtra snapshotted into
// Monday.
type downloadFixture struct {
	db   *sql.DB
	src  string
	cfg  string
	gen  *weekback.Generation
	dir  string
	addr string // where serve listens
	hash string // the users' password hash (a credential: never in a download)
}

func newDownloadFixture(t *testing.T) *downloadFixture {
	t.Helper()
	f := &downloadFixture{db: mysqltest.MustOpen(t), dir: t.TempDir(), addr: freeAddr(t)}
	hash, err := bcrypt.GenerateFromPassword([]byte(zooPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	f.hash = string(hash)
	f.src = mysqltest.MustLoadScript(t, f.db, "wbe_dl_", "../../snapshotter/testdata/typezoo/schema.sql")
	conn, err := f.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustConnExec(t, conn, "USE `"+f.src+"`")
	for _, s := range downloadExtra {
		mustConnExec(t, conn, s)
	}
	mustConnExec(t, conn, "INSERT INTO users VALUES (1, 'support', '"+f.hash+"', 1, 'staff', 'SECRETPN'), "+
		"(2, 'boss', '"+f.hash+"', 1, 'superadmin', NULL)")
	for i, r := range customerRows {
		mustConnExec(t, conn, fmt.Sprintf("INSERT INTO customers VALUES (%d, '%s', '%s', '%s', '%s', '%s', 'keep')", i+1, r[0], r[1], r[2], r[3], r[4]))
	}
	prefix := newPrefix(t, f.db)
	f.cfg = writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, f.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\n", f.addr, "http://"+f.addr, filepath.Join(f.dir, "session.key")) +
			fmt.Sprintf("auth:\n  table: users\n  password_column: password_hash\nexports:\n  dir: %q\n  redact: [\"users.pin_*\"]\n"+
				"  anonymize: [\"customers.email\", \"customers.*name\", \"customers.kana\", \"*.phone\"]\n  anonymize_secret_file: %q\n",
				filepath.Join(f.dir, "exports"), filepath.Join(f.dir, "anonymize.key"))})
	f.cfg = appendReaderDSN(t, f.cfg, mysqltest.DSN(t, ""))
	mustSnapshot(t, f.cfg, weekback.Monday)
	f.gen = generations(t, f.cfg)[weekback.Monday]
	return f
}

func mustConnExec(t *testing.T, conn *sql.Conn, stmt string) {
	t.Helper()
	if _, err := conn.ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// mustLoadScript runs client (mariadb or mysql) with the script at path
// into schema and returns how long it took.
func mustLoadScript(t *testing.T, client, schema, path string) time.Duration {
	t.Helper()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var r io.Reader = in
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(in); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(client, "-h127.0.0.1", "-P3306", "-uroot", schema)
	cmd.Stdin = r
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s < %s: %v\n%s", client, schema, path, err, stderr.String())
	}
	return time.Since(start)
}

// mustHashLoaded returns the row count and content hash of schema.table
// over the manifest's columns (with its history for a versioned table
// copied with it), as the snapshotter's verification computes them.
func mustHashLoaded(t *testing.T, schema string, info weekback.TableInfo) (int64, string) {
	t.Helper()
	ctx := context.Background()
	db, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "test", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := mysql.Tables(ctx, db, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name != info.Name {
			continue
		}
		cols := tb.Copied()
		if info.History {
			cols = tb.HistoryColumns()
		}
		var ordered []mysql.Column
		for _, n := range info.Columns {
			for _, c := range cols {
				if c.Name == n {
					ordered = append(ordered, c)
				}
			}
		}
		conn, err := db.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		n, h, err := mysql.StreamHashSource(ctx, conn, mysql.RowSource{Schema: schema, Table: info.Name, History: info.History}, ordered)
		if err != nil {
			t.Fatal(err)
		}
		return n, h
	}
	t.Fatalf("%s has no table %s after the load", schema, info.Name)
	return 0, ""
}

// TestDownloadSQLLoadsIdentical downloads a day holding every type of the
// type zoo, views, a foreign-key cycle, a versioned table with history, a
// sequence and a cp932 column, loads the script with the mariadb client
// (gzip) and the mysql client (plain) into empty schemas, and checks every
// table's content hash against the manifest; the credential columns are
// blank (NOT NULL: ”, nullable: NULL) and named in the header.
func TestDownloadSQLLoadsIdentical(t *testing.T) {
	f := newDownloadFixture(t)
	for _, tc := range []struct{ client, file string }{{"mariadb", "mon.sql.gz"}, {"mysql", "mon.sql"}} {
		t.Run(tc.client, func(t *testing.T) {
			path := filepath.Join(f.dir, tc.file)
			mustRunWeekback(t, 0, f.cfg, "download", "--day", "mon", "--format", "sql", "-o", path)
			target := mysqltest.MustCreateSchema(t, f.db, "wbe_dlt_")
			mustLoadScript(t, tc.client, target, path)
			for _, info := range f.gen.Manifest.Tables {
				if info.Name == "users" {
					continue
				}
				n, h := mustHashLoaded(t, target, info)
				if n != info.Rows && !info.History || n != info.Versions && info.History || h != info.Hash {
					t.Errorf("%s after the load: %d rows, hash %s; want %d rows (%d versions), hash %s", info.Name, n, h, info.Rows, info.Versions, info.Hash)
				}
			}
			var pw string
			var pin sql.NullString
			if err := f.db.QueryRow("SELECT password_hash, pin_hash FROM `"+target+"`.users WHERE id = 1").Scan(&pw, &pin); err != nil || pw != "" || pin.Valid {
				t.Errorf("users credentials after the load: %q %v (%v), want '' and NULL", pw, pin, err)
			}
			var views, next int
			f.db.QueryRow("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?", target).Scan(&views)
			f.db.QueryRow("SELECT NEXTVAL(`" + target + "`.seq)").Scan(&next)
			if views != 3 || next != 100 {
				t.Errorf("views=%d next sequence value=%d, want 3 and 100", views, next)
			}
			for _, q := range []string{"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?",
				"SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"} {
				var got, want int
				f.db.QueryRow(q, target).Scan(&got)
				f.db.QueryRow(q, f.gen.Slot).Scan(&want)
				if got != want || want == 0 {
					t.Errorf("%s: %d in the loaded schema, %d in the slot", q, got, want)
				}
			}
			script := readMaybeGzip(t, path)
			for _, want := range []string{"written blank: users.password_hash, users.pin_hash", "-- CREATE DEFINER", "DISABLE KEYS"} {
				if !strings.Contains(script, want) {
					t.Errorf("the script lacks %q", want)
				}
			}
			if strings.Contains(script, "SECRET") || strings.Contains(script, f.hash) {
				t.Errorf("the script holds a credential value")
			}
		})
	}
}

func readMaybeGzip(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return string(b)
}

// TestDownloadBundleReadBack downloads a day as a CSV bundle and reads it
// back with export.OpenBundle: every table in load order (parents
// first), its CSV's rows as counted, its template, the blanked columns.
func TestDownloadBundleReadBack(t *testing.T) {
	f := newDownloadFixture(t)
	path := filepath.Join(f.dir, "mon.zip")
	mustRunWeekback(t, 0, f.cfg, "download", "--day", "mon", "--format", "csv", "-o", path)
	if _, stderr := mustRunWeekback(t, 2, f.cfg, "download", "--day", "mon", "--format", "xml"); !strings.Contains(stderr, "use sql or csv") {
		t.Errorf("--format xml: %s", stderr)
	}
	b, err := export.OpenBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m := b.Manifest
	if len(m.Tables) != len(f.gen.Manifest.Tables) || strings.Join(m.Blanked, ",") != "users.password_hash,users.pin_hash" {
		t.Fatalf("bundle: %d tables, blanked %v; want %d tables, users.password_hash,users.pin_hash", len(m.Tables), m.Blanked, len(f.gen.Manifest.Tables))
	}
	if before(m.LoadOrder, "refs", "codes") {
		t.Errorf("load order %v puts refs before its parent codes", m.LoadOrder)
	}
	for _, bt := range m.Tables {
		r, err := b.OpenCSV(bt.Name)
		if err != nil {
			t.Fatal(err)
		}
		cr := export.NewCSVReader(r)
		if _, err := cr.Read(); err != nil { // the header
			t.Fatalf("%s: %v", bt.Name, err)
		}
		var rows int64
		for {
			row, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", bt.Name, err)
			}
			if bt.Name == "users" && (string(row[2].Value) != "" || row[2].Null || !row[5].Null) {
				t.Errorf("users row %v: credential columns not blank", row)
			}
			rows++
		}
		r.Close()
		if want := f.gen.Manifest.Table(bt.Name).Rows; rows != bt.Rows || rows != want {
			t.Errorf("%s: %d rows read, manifest says %d, generation %d", bt.Name, rows, bt.Rows, want)
		}
		if tpl, err := b.Template(bt.Name); (err != nil || tpl == nil) && bt.NoTemplate == "" {
			t.Errorf("template of %s: %v", bt.Name, err)
		}
	}
}

func before(order []string, a, b string) bool {
	for _, n := range order {
		switch n {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}

// TestDownloadBundleLoadsBack loads the type zoo's tables out of a CSV
// bundle into an empty schema with the bundle's own files, in its load
// order — template-apply, then import — and checks each table's content
// hash against the manifest's: what `restore --bundle` will do.
func TestDownloadBundleLoadsBack(t *testing.T) {
	f := newDownloadFixture(t)
	path := filepath.Join(f.dir, "mon.zip")
	mustRunWeekback(t, 0, f.cfg, "download", "--day", "mon", "--format", "csv", "-o", path)
	b, err := export.OpenBundle(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	target := mysqltest.MustCreateSchema(t, f.db, "wbe_dlb_")
	to := mysqltest.DSN(t, target)
	for _, name := range b.Manifest.LoadOrder {
		if !slices.Contains(zooTables, name) {
			continue
		}
		tpl, csv := filepath.Join(f.dir, name+".template.json"), filepath.Join(f.dir, name+".csv")
		mustExtract(t, b, name, tpl, csv)
		mustRunWeekback(t, 0, "", "template-apply", "--to", to, "--execute", tpl)
		mustRunWeekback(t, 0, "", "import", "--to", to, "--table", name, "--execute", csv)
	}
	for _, name := range zooTables {
		info := f.gen.Manifest.Table(name)
		if n, h := mustHashLoaded(t, target, *info); n != info.Rows || h != info.Hash {
			t.Errorf("%s loaded from the bundle: %d rows, hash %s; want %d, %s", name, n, h, info.Rows, info.Hash)
		}
	}
}

// mustExtract writes table's template and CSV out of b.
func mustExtract(t *testing.T, b *export.Bundle, table, tplPath, csvPath string) {
	t.Helper()
	tpl, err := b.Template(table)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(tplPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := template.Write(out, tpl); err != nil {
		t.Fatal(err)
	}
	out.Close()
	r, err := b.OpenCSV(table)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csvPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
