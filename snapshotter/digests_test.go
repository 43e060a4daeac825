package snapshotter_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/snapshotter"
)

// digestSchema has the keys row digests are written for (unsigned, signed
// and composite integers, a unique key instead of a primary one, values
// beyond 2^63, a table named with '/') and those they are not (a text
// key, a keyless table, rows an Aria table hands back out of key order,
// a table with fewer rows than DigestMinRows).
var digestSchema = []string{
	`CREATE TABLE orders (id INT UNSIGNED NOT NULL PRIMARY KEY, customer VARCHAR(40) NOT NULL,
		note VARCHAR(80) NULL, amount DOUBLE NULL) ENGINE=InnoDB`,
	`INSERT INTO orders SELECT seq, CONCAT('c', seq % 7), IF(seq % 3 = 0, NULL, CONCAT('納期 1〜3日 #', seq)), seq / 3
		FROM seq_1_to_5000`,
	`CREATE TABLE items (order_id INT NOT NULL, line SMALLINT NOT NULL, sku VARCHAR(20) NOT NULL,
		PRIMARY KEY (order_id, line)) ENGINE=InnoDB`,
	`INSERT INTO items SELECT CAST(seq AS SIGNED) DIV 3 - 200, seq % 3, CONCAT('SKU', seq) FROM seq_0_to_1499`,
	"CREATE TABLE `sales/2026` (code BIGINT UNSIGNED NOT NULL, n INT NOT NULL, UNIQUE KEY (code)) ENGINE=InnoDB",
	"INSERT INTO `sales/2026` VALUES (1, 1), (9223372036854775807, 2), (9223372036854775808, 3), (18446744073709551615, 4)",
	`CREATE TABLE names (code VARCHAR(10) NOT NULL PRIMARY KEY, label VARCHAR(20) NOT NULL) ENGINE=InnoDB`,
	`INSERT INTO names VALUES ('abc', 'x'), ('def', 'y')`,
	`CREATE TABLE tags (tag VARCHAR(20) NULL, weight INT NULL) ENGINE=InnoDB`,
	`INSERT INTO tags VALUES ('a', 1), ('a', 1), ('b', NULL)`,
	`CREATE TABLE heap (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=Aria`,
	`INSERT INTO heap VALUES (3, 3), (1, 1), (2, 2)`,
	`CREATE TABLE few (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`, // under DigestMinRows
	`INSERT INTO few VALUES (1, 1), (2, 2), (3, 3)`,
}

// digestChanges is what happens between the two days.
var digestChanges = []string{
	`DELETE FROM orders WHERE id IN (10, 20, 4999)`,
	`INSERT INTO orders (id, customer) VALUES (5001, 'new'), (6000, 'new2')`,
	`UPDATE orders SET note = REPLACE(note, '〜', '～') WHERE id % 100 = 37`, // WAVE DASH to FULLWIDTH TILDE
	`UPDATE orders SET amount = amount + 1e-12 WHERE id = 30`,              // the last bits of a DOUBLE
	`UPDATE orders SET note = '' WHERE id = 3`,                             // NULL to ''
	`UPDATE items SET sku = 'SKU-X' WHERE order_id = -150 AND line = 1`,
	`DELETE FROM items WHERE order_id = -199`,
	`INSERT INTO items VALUES (-1000, 0, 'first'), (2000, 9, 'last')`,
	"UPDATE `sales/2026` SET n = 30 WHERE code = 9223372036854775808",
	"DELETE FROM `sales/2026` WHERE code = 1",
	"INSERT INTO `sales/2026` VALUES (0, 0)",
	`UPDATE names SET label = 'z' WHERE code = 'abc'`,
	`INSERT INTO tags VALUES ('c', 3)`,
	`UPDATE heap SET v = 20 WHERE id = 2`,
	`UPDATE few SET v = 20 WHERE id = 2`,
}

// TestCompareByRowDigests snapshots two days and checks that comparing
// them by the row digests the snapshots stored counts exactly what
// reading the rows counts, table by table, for every table that has
// digests, and that the others have none.
func TestCompareByRowDigests(t *testing.T) {
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbt_src_")
	execIn(t, db, src, digestSchema)
	s := MustOpenSnapshotter(t, db, src)
	s.DigestMinRows = 4
	mon := mustSnapshot(t, s, weekback.Monday)
	execIn(t, db, src, digestChanges)
	tue := mustSnapshot(t, s, weekback.Tuesday)

	withDigests := []string{"items", "orders", "sales/2026"}
	for _, m := range []*weekback.Manifest{mon, tue} {
		for _, ti := range m.Tables {
			want := slices.Contains(withDigests, ti.Name)
			if (ti.Digests != nil) != want {
				t.Errorf("%s: table %s has digests %+v, want %v", m.Day, ti.Name, ti.Digests, want)
			}
		}
	}
	if d := mon.Table("items").Digests; d == nil || !reflect.DeepEqual(d.Key, []string{"order_id", "line"}) || d.Unsigned[0] || d.Unsigned[1] {
		t.Errorf("items' digests %+v, want keyed by signed order_id, line", d)
	}

	meta, pool := openCompare(t, db, s.Prefix)
	byRows := tablesOf(t, comparer(t, meta, pool, false))
	byDigests := tablesOf(t, comparer(t, meta, pool, true))
	for i, want := range byRows {
		got := byDigests[i]
		if got.ByDigests != slices.Contains(withDigests, got.Table) {
			t.Errorf("table %s compared by digests: %v", got.Table, got.ByDigests)
		}
		got.ByDigests = false
		if !reflect.DeepEqual(got, want) {
			t.Errorf("table %s:\nby digests %+v\nby rows    %+v", want.Table, got, want)
		}
	}
	for _, table := range withDigests {
		for _, kind := range []compare.Kind{compare.Added, compare.Deleted, compare.Changed} {
			q := compare.RowQuery{Table: table, Kind: kind}
			c := comparer(t, meta, pool, true)
			reads := &countingDigests{DigestSource: meta}
			c.From.Digests, c.To.Digests = reads, reads
			want, got := keysOf(t, comparer(t, meta, pool, false), q), keysOf(t, c, q)
			if !reflect.DeepEqual(got, want) || len(want) == 0 || reads.n.Load() == 0 {
				t.Errorf("%s keys of %s: by digests (%d lists read) %v, by rows %v", kind, table, reads.n.Load(), got, want)
			}
		}
	}
	for _, table := range withDigests {
		for _, kind := range []compare.Kind{compare.Added, compare.Deleted, compare.Changed} {
			c := comparer(t, meta, pool, true)
			reads := &countingDigests{DigestSource: meta}
			c.From.Digests, c.To.Digests = reads, reads
			want, got := pagesOf(t, comparer(t, meta, pool, false), table, kind), pagesOf(t, c, table, kind)
			if !reflect.DeepEqual(got, want) || reads.n.Load() == 0 {
				t.Errorf("pages of %s %s: by digests (%d lists read)\n%v\nby rows\n%v", kind, table, reads.n.Load(), got, want)
			}
		}
	}
	if o := byRows[indexOf(byRows, "orders")]; o.Added != 2 || o.Deleted != 3 || o.Changed != 36 {
		t.Errorf("orders: %+v, want +2 -3 ~36 (the fixture's changes)", o)
	}
}

// TestDamagedRowDigestsReadRows checks that a list that does not add up to
// its manifest is not trusted: the table is compared by its rows.
func TestDamagedRowDigestsReadRows(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbt_src_")
	execIn(t, db, src, digestSchema[:2])
	s := MustOpenSnapshotter(t, db, src)
	s.DigestMinRows = 4
	mustSnapshot(t, s, weekback.Monday)
	execIn(t, db, src, digestChanges[:1])
	tue := mustSnapshot(t, s, weekback.Tuesday)
	meta, pool := openCompare(t, db, s.Prefix)
	want := tablesOf(t, comparer(t, meta, pool, false))[0]
	// One digest changed: the same parts and rows, another sum.
	mysqltest.MustExec(t, db, "UPDATE `"+mysql.MetaSchema(s.Prefix)+"`.row_digests SET data = CONCAT(LEFT(data, LENGTH(data) - 1), 'x')"+
		" WHERE slot = '"+tue.Slot+"' AND part = 0")
	got := tablesOf(t, comparer(t, meta, pool, true))[0]
	if got.ByDigests || !reflect.DeepEqual(got, want) {
		t.Errorf("damaged digests: %+v, want the rows' %+v", got, want)
	}
	// The slot's digests go with it.
	if _, err := s.Snapshot(ctx, weekback.Tuesday); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM `"+mysql.MetaSchema(s.Prefix)+"`.row_digests WHERE slot = ?", tue.Slot).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d parts of the replaced slot's digests left (%v), want 0", n, err)
	}
}

func execIn(t *testing.T, db *sql.DB, schema string, stmts []string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec("USE `" + schema + "`"); err != nil {
			t.Fatal(err)
		}
		mysqltest.MustExec(t, db, s)
	}
}

func mustSnapshot(t *testing.T, s *snapshotter.Snapshotter, day weekback.Weekday) *weekback.Manifest {
	t.Helper()
	res, err := s.Snapshot(context.Background(), day)
	if err != nil {
		t.Fatalf("snapshot %s: %v", day, err)
	}
	return res.Manifest
}

func openCompare(t *testing.T, db *sql.DB, prefix string) (*mysql.Meta, *sqlx.DB) {
	t.Helper()
	ctx := context.Background()
	pool, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "backup.dsn", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	mdb, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "backup.dsn", mysql.RoleMeta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mdb.Close() })
	meta, err := mysql.AttachMeta(ctx, mdb, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return meta, pool
}

func comparer(t *testing.T, meta *mysql.Meta, pool *sqlx.DB, digests bool) *compare.Comparer {
	t.Helper()
	c := &compare.Comparer{}
	for i, day := range []weekback.Weekday{weekback.Monday, weekback.Tuesday} {
		g, err := meta.Generation(context.Background(), day)
		if err != nil {
			t.Fatal(err)
		}
		side := compare.GenerationSide(pool, g)
		if digests {
			side.Digests = meta
		}
		if i == 0 {
			c.From = side
		} else {
			c.To = side
		}
	}
	return c
}

func tablesOf(t *testing.T, c *compare.Comparer) []compare.TableChange {
	t.Helper()
	out, err := c.Tables(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keysOf(t *testing.T, c *compare.Comparer, q compare.RowQuery) [][]string {
	t.Helper()
	var out [][]string
	err := c.Keys(context.Background(), q, func(key []string) error {
		out = append(out, key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pagesOf pages through the change rows of kind in table, 7 rows a page,
// and describes every row and cursor.
func pagesOf(t *testing.T, c *compare.Comparer, table string, kind compare.Kind) []string {
	t.Helper()
	var out []string
	q := compare.RowQuery{Table: table, Kind: kind, Limit: 7}
	for {
		set, err := c.Rows(context.Background(), q, func(r *compare.RowChange) error {
			out = append(out, fmt.Sprintf("%v %q %q %+v", r.Key, r.From, r.To, r.Changes))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, "next "+set.Next)
		if set.Next == "" {
			return out
		}
		q.After = set.Next
	}
}

// countingDigests counts the lists read through it.
type countingDigests struct {
	compare.DigestSource
	n atomic.Int64
}

func (c *countingDigests) RowDigests(ctx context.Context, slot, table string, fn func([]byte) error) error {
	c.n.Add(1)
	return c.DigestSource.RowDigests(ctx, slot, table, fn)
}

func indexOf(tcs []compare.TableChange, name string) int {
	for i, tc := range tcs {
		if tc.Table == name {
			return i
		}
	}
	return -1
}
