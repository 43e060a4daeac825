package compare

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// fixtureSQL builds the same tables in a schema; the "to" schema then
// gets changeSQL.
var fixtureSQL = []string{
	`CREATE TABLE orders (id INT UNSIGNED NOT NULL PRIMARY KEY, customer VARCHAR(40) NOT NULL,
		note VARCHAR(40) NULL, amount DOUBLE NULL, photo BLOB NULL) ENGINE=InnoDB`,
	`INSERT INTO orders SELECT seq, CONCAT('c', seq % 7), IF(seq % 3 = 0, NULL, CONCAT('n', seq)), seq / 3,
		IF(seq % 5 = 0, UNHEX(REPEAT('AB', seq)), NULL) FROM seq_1_to_3000`,
	`CREATE TABLE items (order_id INT NOT NULL, line INT NOT NULL, sku VARCHAR(20) NOT NULL,
		PRIMARY KEY (order_id, line)) ENGINE=InnoDB`,
	`INSERT INTO items SELECT seq DIV 3, seq % 3, CONCAT('SKU', seq) FROM seq_0_to_899`,
	`CREATE TABLE tags (tag VARCHAR(20) NULL, weight INT NULL) ENGINE=InnoDB`,
	`INSERT INTO tags VALUES ('a', 1), ('a', 1), ('b', NULL), (NULL, 2), ('c', 3)`,
	`CREATE TABLE names (code VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, label VARCHAR(20) NOT NULL)`,
	`INSERT INTO names VALUES ('abc', 'x'), ('DEF', 'y '), ('ghi', 'z'), ('k1', '1'), ('k1\t', '2'), ('k1!', '3'), ('k0', '4')`,
	`CREATE TABLE users (id INT NOT NULL PRIMARY KEY, login VARCHAR(20) NOT NULL, password_hash VARCHAR(80) NOT NULL)`,
	`INSERT INTO users VALUES (1, 'ann', 'secret-1'), (2, 'bob', 'secret-2')`,
	`CREATE TABLE dropped (id INT PRIMARY KEY)`,
	`INSERT INTO dropped VALUES (1), (2)`,
	`CREATE TABLE states (s ENUM('b','a','c','it''s') NOT NULL PRIMARY KEY, n INT NOT NULL)`,
	`INSERT INTO states VALUES ('b', 1), ('a', 2), ('c', 3), ('it''s', 4)`,
	`CREATE TABLE times (id INT NOT NULL PRIMARY KEY, z INT(5) ZEROFILL NULL, d DATE NULL, dt DATETIME(6) NULL,
		ts TIMESTAMP NULL, b BIGINT UNSIGNED NULL, n INT NOT NULL)`,
	`INSERT INTO times VALUES (1, 42, '0000-00-00', '2026-01-02 03:04:05.000006', '2026-05-06 07:08:09', 18446744073709551615, 1),
		(2, 7, '2026-12-31', '0000-00-00 00:00:00', NULL, 0, 2), (3, NULL, NULL, NULL, NULL, NULL, 3)`,
	`CREATE TABLE prices (p DECIMAL(6,2) NOT NULL PRIMARY KEY, v INT NOT NULL)`,
	`INSERT INTO prices VALUES (-1.50, 1), (-10.00, 2), (0.00, 3), (2.25, 4), (10.00, 5), (100.10, 6)`,
}

var changeSQL = []string{
	`DELETE FROM orders WHERE id IN (10, 20, 2999)`,
	`INSERT INTO orders (id, customer) VALUES (3001, 'new'), (3002, 'new2')`,
	`UPDATE orders SET customer = 'changed' WHERE id = 100`,
	`UPDATE orders SET note = '' WHERE id = 3`,                                      // NULL -> ''
	`UPDATE orders SET note = NULL WHERE id = 4`,                                    // 'n4' -> NULL
	`UPDATE orders SET photo = UNHEX(CONCAT(REPEAT('AB', 24), 'AC')) WHERE id = 25`, // one byte
	`UPDATE orders SET amount = amount + 1e-12 WHERE id = 30`,                       // the last bits of a DOUBLE
	`UPDATE items SET sku = 'SKU-X' WHERE order_id = 7 AND line = 1`,
	`DELETE FROM items WHERE order_id = 8 AND line = 2`,
	`DELETE FROM tags WHERE tag = 'a' LIMIT 1`,
	`INSERT INTO tags VALUES ('c', 3), (NULL, NULL)`,
	`UPDATE names SET code = 'ABC' WHERE code = 'abc'`, // same key under the collation, other bytes
	`UPDATE names SET label = 'y' WHERE code = 'DEF'`,  // trailing space dropped
	`UPDATE names SET code = 'k1 ' WHERE code = 'k1'`,  // PAD SPACE: the same key; 'k1\t' sorts before it
	`UPDATE users SET password_hash = 'secret-3' WHERE id = 2`,
	`DROP TABLE dropped`,
	`CREATE TABLE added (id INT PRIMARY KEY)`,
	`INSERT INTO added VALUES (1)`,
	`ALTER TABLE items ADD COLUMN qty INT NOT NULL DEFAULT 1`,
	`UPDATE states SET n = n + 10 WHERE s IN ('b', 'c', 'it''s')`,
	`UPDATE prices SET v = v + 10 WHERE p IN (-10.00, 0.00, 10.00, 100.10)`,
	`DELETE FROM prices WHERE p = 2.25`,
	`UPDATE times SET n = 20 WHERE id = 2`,
}

type world struct {
	db       *sql.DB
	from, to string
	pool     *sqlx.DB
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{db: mysqltest.MustOpen(t)}
	w.from = mysqltest.MustCreateSchema(t, w.db, "wbc_from_")
	w.to = mysqltest.MustCreateSchema(t, w.db, "wbc_to_")
	for _, s := range []string{w.from, w.to} {
		execIn(t, s, fixtureSQL)
	}
	execIn(t, w.to, changeSQL)
	var err error
	w.pool, err = mysql.Open(context.Background(), mysqltest.DSN(t, ""), "test", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.pool.Close() })
	return w
}

// execIn runs stmts in schema.
func execIn(t *testing.T, schema string, stmts []string) {
	t.Helper()
	mysqltest.MustExecScript(t, mysqltest.DSN(t, schema), strings.Join(stmts, ";\n")+";")
}

func (w *world) comparer() *Comparer {
	return &Comparer{From: SchemaSide(w.pool, "from", w.from), To: SchemaSide(w.pool, "to", w.to),
		Redaction: weekback.Redaction{PasswordTable: "users", PasswordColumn: "password_hash"}}
}

func TestTables(t *testing.T) {
	w := newWorld(t)
	got, err := w.comparer().Tables(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"added":   "rows 0→1 +1 -0 ~0 only_in_to",
		"dropped": "rows 2→0 +0 -2 ~0 only_in_from",
		"items":   "rows 900→899 +0 -1 ~1 changed",
		"names":   "rows 7→7 +0 -0 ~3 changed",
		"orders":  "rows 3000→2999 +2 -3 ~5 changed",
		"prices":  "rows 6→5 +0 -1 ~4 changed",
		"states":  "rows 4→4 +0 -0 ~3 changed",
		"tags":    "rows 5→6 +2 -1 ~0 changed",
		"times":   "rows 3→3 +0 -0 ~1 changed",
		"users":   "rows 2→2 +0 -0 ~1 changed",
	}
	if len(got) != len(want) {
		t.Fatalf("tables=%d, want %d: %+v", len(got), len(want), got)
	}
	for _, tc := range got {
		s := fmt.Sprintf("rows %d→%d +%d -%d ~%d %s", tc.RowsFrom, tc.RowsTo, tc.Added, tc.Deleted, tc.Changed, tc.Status)
		if s != want[tc.Table] {
			t.Errorf("%s: %s, want %s", tc.Table, s, want[tc.Table])
		}
	}
	lines := got[2]
	if !reflect.DeepEqual(lines.ColumnsAdded, []string{"qty"}) || lines.Keyless {
		t.Errorf("lines: columns added %v keyless %v, want [qty] false", lines.ColumnsAdded, lines.Keyless)
	}
	if !got[7].Keyless {
		t.Errorf("tags: keyless false, want true")
	}
}

func rowsOf(t *testing.T, c *Comparer, q RowQuery) ([]*RowChange, *RowSet) {
	t.Helper()
	var out []*RowChange
	set, err := c.Rows(context.Background(), q, func(r *RowChange) error { out = append(out, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out, set
}

func describe(set *RowSet, rows []*RowChange) []string {
	var out []string
	for _, r := range rows {
		s := strings.Join(r.Key, ",")
		if r.Key == nil {
			s = fmt.Sprintf("%q x%d", r.Values(), r.Count)
		}
		for _, ch := range r.Changes {
			if ch.Masked {
				s += " " + ch.Column + ":masked"
				continue
			}
			s += fmt.Sprintf(" %s:%s->%s", ch.Column, show(ch.Old), show(ch.New))
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func show(v []byte) string {
	if v == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q", v)
}

func TestRows(t *testing.T) {
	w := newWorld(t)
	c := w.comparer()
	cases := []struct {
		table string
		kind  Kind
		want  []string
	}{
		{"orders", Deleted, []string{"10", "20", "2999"}},
		{"orders", Added, []string{"3001", "3002"}},
		{"orders", Changed, []string{
			`100 customer:"c2"->"changed"`,
			`25 photo:"` + strings.Repeat(`\xab`, 25) + `"->"` + strings.Repeat(`\xab`, 24) + `\xac"`,
			`3 note:NULL->""`,
			`30 amount:"10"->"10.000000000001"`,
			`4 note:"n4"->NULL`,
		}},
		{"items", Changed, []string{`7,1 sku:"SKU22"->"SKU-X"`}},
		{"items", Deleted, []string{"8,2"}},
		{"names", Changed, []string{`DEF label:"y "->"y"`, `abc code:"abc"->"ABC"`, `k1 code:"k1"->"k1 "`}},
		{"users", Changed, []string{"2 password_hash:masked"}},
		{"tags", Added, []string{`["" ""] x1`, `["c" "3"] x1`}},
		{"tags", Deleted, []string{`["a" "1"] x1`}},
		{"dropped", Deleted, []string{"1", "2"}},
		{"added", Added, []string{"1"}},
		{"prices", Changed, []string{"-10.00 v:\"2\"->\"12\"", "0.00 v:\"3\"->\"13\"", "10.00 v:\"5\"->\"15\"", "100.10 v:\"6\"->\"16\""}},
		{"prices", Deleted, []string{"2.25"}},
		{"times", Changed, []string{`2 n:"2"->"20"`}},
	}
	for _, tc := range cases {
		t.Run(tc.table+"/"+string(tc.kind), func(t *testing.T) {
			rows, set := rowsOf(t, c, RowQuery{Table: tc.table, Kind: tc.kind})
			got := describe(set, rows)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rows=%q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestRowsPaging(t *testing.T) {
	w := newWorld(t)
	c := w.comparer()
	cases := []struct {
		table string
		kind  Kind
		limit int
	}{
		{"orders", Changed, 2},
		{"orders", Deleted, 1},
		{"items", Changed, 1},
		{"names", Changed, 1},
		{"tags", Added, 1},
		{"states", Changed, 1},
		{"prices", Changed, 1},
	}
	for _, tc := range cases {
		t.Run(tc.table+"/"+string(tc.kind), func(t *testing.T) {
			all, _ := rowsOf(t, c, RowQuery{Table: tc.table, Kind: tc.kind})
			var paged []*RowChange
			after := ""
			for page := 0; page < 10; page++ {
				rows, set := rowsOf(t, c, RowQuery{Table: tc.table, Kind: tc.kind, After: after, Limit: tc.limit})
				if len(rows) > tc.limit {
					t.Fatalf("page %d: %d rows, limit %d", page, len(rows), tc.limit)
				}
				paged = append(paged, rows...)
				if after = set.Next; after == "" {
					break
				}
			}
			if got, want := describe(nil, paged), describe(nil, all); !reflect.DeepEqual(got, want) {
				t.Errorf("paged rows %q\nwant %q", got, want)
			}
		})
	}
}

func TestRowsFilter(t *testing.T) {
	w := newWorld(t)
	c := w.comparer()
	f, err := weekback.ParseFilter("customer=eq:c3")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := rowsOf(t, c, RowQuery{Table: "orders", Kind: Deleted, Filters: []weekback.Filter{f}})
	if got := describe(nil, rows); !reflect.DeepEqual(got, []string{"10", "2999"}) {
		t.Errorf("deleted with customer=c3: %q, want [10 2999]", got)
	}
	f, _ = weekback.ParseFilter("customer=eq:changed") // To's version: From's is c2
	rows, _ = rowsOf(t, c, RowQuery{Table: "orders", Kind: Changed, Filters: []weekback.Filter{f}})
	if len(rows) != 0 {
		t.Errorf("changed filtered on To's value: %d rows, want 0 (filters apply to From's version)", len(rows))
	}
	// with a filter From is read with arguments (the binary protocol), To
	// without: integers, ZEROFILL and dates must still read alike
	f, _ = weekback.ParseFilter("id=ge:1")
	rows, _ = rowsOf(t, c, RowQuery{Table: "times", Kind: Changed, Filters: []weekback.Filter{f}})
	if got := describe(nil, rows); !reflect.DeepEqual(got, []string{`2 n:"2"->"20"`}) {
		t.Errorf("times changed, filtered: %q, want only row 2's n", got)
	}
	rows, _ = rowsOf(t, c, RowQuery{Table: "times", Kind: Changed, After: "1"})
	if got := describe(nil, rows); !reflect.DeepEqual(got, []string{`2 n:"2"->"20"`}) {
		t.Errorf("times changed after 1: %q, want only row 2's n", got)
	}
	masked, _ := weekback.ParseFilter("password_hash=eq:x")
	if _, err := c.Rows(context.Background(), RowQuery{Table: "users", Kind: Changed, Filters: []weekback.Filter{masked}},
		func(*RowChange) error { return nil }); weekback.ErrorCode(err) != weekback.EINVALID {
		t.Errorf("filter on a credential column: %v, want EINVALID", err)
	}
	var keys []string
	err = c.Keys(context.Background(), RowQuery{Table: "items", Kind: Changed}, func(k []string) error {
		keys = append(keys, strings.Join(k, "/"))
		return nil
	})
	if err != nil || !reflect.DeepEqual(keys, []string{"7/1"}) {
		t.Errorf("Keys(items, changed) = %v, %v; want [7/1]", keys, err)
	}
	if err := c.Keys(context.Background(), RowQuery{Table: "tags", Kind: Added}, func([]string) error { return nil }); weekback.ErrorCode(err) != weekback.EINVALID {
		t.Errorf("Keys of a keyless table: %v, want EINVALID", err)
	}
}

// TestProductionSnapshot reads a schema as production: rows committed
// after OpenProduction are not seen.
func TestProductionSnapshot(t *testing.T) {
	w := newWorld(t)
	prod, err := OpenProduction(context.Background(), w.pool, w.to)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	mysqltest.MustExec(t, w.db, "INSERT INTO `"+w.to+"`.orders (id, customer) VALUES (5000, 'late')")
	c := &Comparer{From: SchemaSide(w.pool, "from", w.from), To: prod}
	tc, err := c.Table(context.Background(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if tc.Added != 2 || tc.RowsTo != 2999 {
		t.Errorf("production orders: added %d rows_to %d, want 2 and 2999 (the later insert unseen)", tc.Added, tc.RowsTo)
	}
	prod.Select = func(table string) bool { return table != "added" && table != "tags" }
	c.From.Select = func(table string) bool { return table != "tags" }
	all, err := c.Tables(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range all {
		if tc.Table == "added" || tc.Table == "tags" {
			t.Errorf("table %s is reported although Select leaves it out", tc.Table)
		}
	}
}

// TestParseKindKeepsNoRequestBytes: a kind parsed from a query value that
// shares its bytes with a buffer the server reuses stays the kind once
// that buffer is overwritten. Before, ParseKind returned its argument:
// the change rows cache then kept a "deleted" page under a key that read
// "changed" after the buffer was reused, and served it for "changed".
func TestParseKindKeepsNoRequestBytes(t *testing.T) {
	for _, want := range []Kind{Added, Deleted, Changed} {
		buf := []byte(want)
		got, err := ParseKind(unsafe.String(&buf[0], len(buf)))
		copy(buf, "xxxxxxx")
		if err != nil || got != want {
			t.Fatalf("ParseKind(%q) = %q, %v after the buffer was reused", want, got, err)
		}
	}
}
