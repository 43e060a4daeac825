package main

import (
	"archive/zip"
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// shopSchema is a small production: orders whose items go with them (ON
// DELETE CASCADE) and users with a credential column.
var shopSchema = []string{
	"CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
	"CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL, note VARCHAR(40), " +
		"CONSTRAINT o_c FOREIGN KEY (customer_id) REFERENCES customers (id))",
	"CREATE TABLE order_items (id INT PRIMARY KEY, order_id INT NOT NULL, sku VARBINARY(8) NOT NULL, qty INT NOT NULL, " +
		"CONSTRAINT i_o FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE)",
	"CREATE TABLE users (id INT PRIMARY KEY, login_id VARCHAR(40) NOT NULL UNIQUE, password_hash VARCHAR(100) NOT NULL, " +
		"can_manage_settings TINYINT NOT NULL, role VARCHAR(20) NOT NULL)",
	"INSERT INTO customers VALUES (1, 'Hanako'), (2, 'Taro'), (3, 'Jiro')",
	"INSERT INTO orders VALUES (10, 1, 12.50, 'gift'), (11, 2, 3.00, NULL), (12, 3, 99.99, 'rush'), (13, 3, 1.00, '')",
	"INSERT INTO order_items VALUES (100, 10, 0x00ff, 1), (101, 10, 0x41, 2), (102, 11, 0x42, 3), (103, 12, 0x43, 4), (104, 13, 0x44, 5)",
	"INSERT INTO users VALUES (1, 'support', '%HASH%', 1, 'staff')",
}

// shopFixture is shopSchema snapshotted into Monday.
type shopFixture struct {
	db   *sql.DB
	src  string
	cfg  string
	dir  string
	gen  *weekback.Generation
	addr string
}

func newShopFixture(t *testing.T) *shopFixture {
	t.Helper()
	f := &shopFixture{db: mysqltest.MustOpen(t), dir: t.TempDir(), addr: freeAddr(t)}
	f.src = mysqltest.MustCreateSchema(t, f.db, "wbe_shop_")
	hash, err := bcrypt.GenerateFromPassword([]byte(zooPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shopSchema {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "TABLE ", "TABLE `"+f.src+"`."), "INTO ", "INTO `"+f.src+"`.")
		mysqltest.MustExec(t, f.db, strings.ReplaceAll(s, "%HASH%", string(hash)))
	}
	prefix := newPrefix(t, f.db)
	f.cfg = writeConfig(t, testConfig{SourceDSN: mysqltest.DSN(t, f.src), BackupDSN: mysqltest.DSN(t, ""), Prefix: prefix,
		Extra: fmt.Sprintf("server:\n  listen: %q\n  base_url: %q\n  session_secret_file: %q\n", f.addr, "http://"+f.addr, filepath.Join(f.dir, "session.key")) +
			fmt.Sprintf("auth:\n  table: users\n  login_column: login_id\n  password_column: password_hash\nexports:\n  dir: %q\n", filepath.Join(f.dir, "exports"))})
	f.cfg = appendReaderDSN(t, f.cfg, mysqltest.DSN(t, ""))
	mustSnapshot(t, f.cfg, weekback.Monday)
	f.gen = generations(t, f.cfg)[weekback.Monday]
	return f
}

// deleteOrders deletes orders 12 and 13 in production (their items go by
// the cascade), as Thursday's script did.
func (f *shopFixture) deleteOrders(t *testing.T) {
	t.Helper()
	mysqltest.MustExec(t, f.db, "DELETE FROM `"+f.src+"`.orders WHERE id IN (12, 13)")
}

// checkTable compares a table of schema with Monday's by content hash.
func (f *shopFixture) checkTable(t *testing.T, schema, table string) {
	t.Helper()
	m := f.gen.Manifest.Table(table)
	if n, h := mustHashTable(t, schema, table); n != m.Rows || h != m.Hash {
		t.Errorf("%s.%s: %d rows, hash %s; Monday's: %d rows, hash %s", schema, table, n, h, m.Rows, m.Hash)
	}
}

// TestRestoreBundleDay: the whole-day bundle of `weekback download
// --format csv` brings deleted orders and their items back into
// production (dry run first: nothing written), equal by content hash to
// the day, leaves the identical rows and the users alone (their blank
// password column is never compared nor written), never overwrites a
// customer edited since (a conflict), and `restore --undo` takes the
// orders out again.
func TestRestoreBundleDay(t *testing.T) {
	f := newShopFixture(t)
	path := filepath.Join(f.dir, "mon.zip")
	mustRunWeekback(t, 0, f.cfg, "download", "--day", "mon", "--format", "csv", "-o", path)
	f.deleteOrders(t)
	mysqltest.MustExec(t, f.db, "UPDATE `"+f.src+"`.customers SET name = 'Hanako Y.' WHERE id = 1")
	to := mysqltest.DSN(t, f.src)
	out, _ := mustRunWeekback(t, 0, f.cfg, "restore", "--bundle", path, "--to", to)
	if !strings.Contains(out, "dry run, nothing was written") || count(t, f.db, "SELECT COUNT(*) FROM `"+f.src+"`.orders") != 2 {
		t.Fatalf("dry run:\n%s", out)
	}
	undo := filepath.Join(f.dir, "bundle.undo.jsonl")
	out, _ = mustRunWeekback(t, 0, f.cfg, "restore", "--bundle", path, "--to", to, "--execute", "--undo-file", undo, "--reason", "bundle test")
	if !strings.Contains(out, "restore from bundle mon.zip (mon)") || !strings.Contains(out, "verified: the 2 rows written") ||
		!strings.Contains(out, "conflict 1: never overwritten") || !strings.Contains(out, `name: day "Hanako", now "Hanako Y."`) {
		t.Errorf("restore report:\n%s", out)
	}
	for _, table := range []string{"orders", "order_items", "users"} {
		f.checkTable(t, f.src, table)
	}
	if n := count(t, f.db, "SELECT COUNT(*) FROM `"+f.src+"`.customers WHERE name = 'Hanako Y.'"); n != 1 {
		t.Errorf("the customer edited since was overwritten")
	}
	mustRunWeekback(t, 0, f.cfg, "restore", "--undo", undo, "--to", to, "--execute")
	if n := count(t, f.db, "SELECT COUNT(*) FROM `"+f.src+"`.order_items"); n != 3 {
		t.Errorf("after the undo %d order items, want 3", n)
	}
}

// TestRestoreBundleMissingTables: into an empty schema, the bundle's
// templates create the tables with --create-missing-tables (refused
// without it); rows with a blank credential column are blocked unless
// --allow-blank-credentials, and then load with the blank value.
func TestRestoreBundleMissingTables(t *testing.T) {
	f := newShopFixture(t)
	path := filepath.Join(f.dir, "mon.zip")
	mustRunWeekback(t, 0, f.cfg, "download", "--day", "mon", "--format", "csv", "-o", path)
	target := mysqltest.MustCreateSchema(t, f.db, "wbe_rbt_")
	to := mysqltest.DSN(t, target)
	_, stderr := mustRunWeekback(t, 2, f.cfg, "restore", "--bundle", path, "--to", to)
	if !strings.Contains(stderr, "--create-missing-tables") {
		t.Errorf("without --create-missing-tables: %s", stderr)
	}
	undo := filepath.Join(f.dir, "create.undo.jsonl")
	out, stderr := mustRunWeekback(t, 1, f.cfg, "restore", "--bundle", path, "--to", to, "--create-missing-tables", "--execute", "--undo-file", undo)
	if !strings.Contains(out+stderr, "password_hash blank") || countSchemaTables(t, f.db, target) != 0 {
		t.Fatalf("blank credentials not blocked (%d tables created):\n%s\n%s", countSchemaTables(t, f.db, target), out, stderr)
	}
	mustRunWeekback(t, 0, f.cfg, "restore", "--bundle", path, "--to", to, "--create-missing-tables", "--allow-blank-credentials", "--execute", "--undo-file", undo)
	for _, table := range []string{"customers", "orders", "order_items"} {
		f.checkTable(t, target, table)
	}
	if n := count(t, f.db, "SELECT COUNT(*) FROM `"+target+"`.users WHERE password_hash = ''"); n != 1 {
		t.Errorf("users with a blank password: %d, want 1", n)
	}
}

func countSchemaTables(t *testing.T, db *sql.DB, schema string) int64 {
	t.Helper()
	return count(t, db, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"+schema+"'")
}

// TestRestoreBundleDamaged: a truncated bundle, one whose CSV was edited,
// and one with anonymized columns are refused with a sentence that says
// so, before anything is written.
func TestRestoreBundleDamaged(t *testing.T) {
	f := newShopFixture(t)
	path := filepath.Join(f.dir, "mon.zip")
	mustRunWeekback(t, 0, f.cfg, "download", "--day", "mon", "--format", "csv", "-o", path)
	f.deleteOrders(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(f.dir, "truncated.zip")
	writeFile(t, truncated, data[:len(data)/2])
	edited := filepath.Join(f.dir, "edited.zip")
	writeFile(t, edited, rewriteZip(t, data, func(name string, b []byte) []byte {
		if name == "tables/orders.csv" {
			return bytes.Replace(b, []byte(`"99.99"`), []byte(`"9.99"`), 1)
		}
		return b
	}))
	anon := filepath.Join(f.dir, "anon.zip")
	writeFile(t, anon, rewriteZip(t, data, func(name string, b []byte) []byte {
		if name == "manifest.json" {
			return bytes.Replace(b, []byte(`"anonymized": []`), []byte(`"anonymized": ["customers.name"]`), 1)
		}
		return b
	}))
	to := mysqltest.DSN(t, f.src)
	for _, tc := range []struct{ file, want string }{
		{truncated, "is not a bundle"},
		{edited, "content hash"},
		{anon, "anonymized columns (customers.name)"},
	} {
		_, stderr := mustRunWeekback(t, 2, f.cfg, "restore", "--bundle", tc.file, "--to", to, "--execute", "--undo-file", tc.file+".undo")
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: stderr %q, want %q", filepath.Base(tc.file), stderr, tc.want)
		}
	}
	if n := count(t, f.db, "SELECT COUNT(*) FROM `"+f.src+"`.orders"); n != 2 {
		t.Errorf("a refused bundle wrote: %d orders, want 2", n)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// rewriteZip returns the zip data with each entry passed through edit.
func rewriteZip(t *testing.T, data []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(edit(zf.Name, b)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
