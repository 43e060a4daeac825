package mysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// recordsEnv is a fresh schema, the root pool that fills it, and a
// connection the way the server reads slots.
type recordsEnv struct {
	db     *sql.DB
	schema string
	conn   *sqlx.Conn
	cat    *mysql.Catalog
}

func newRecordsEnv(t testing.TB, role mysql.Role) *recordsEnv {
	t.Helper()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbrec_")
	return &recordsEnv{db: db, schema: schema, conn: mustConn(t, schema, role), cat: mysql.NewCatalog()}
}

func mustConn(t testing.TB, schema string, role mysql.Role) *sqlx.Conn {
	t.Helper()
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, schema), "backup.reader_dsn", role)
	return mustPoolConn(t, pool, err)
}

// mustPoolConn returns a connection of pool (just opened, with err), and
// closes both when the test ends.
func mustPoolConn(t testing.TB, pool *sqlx.DB, err error) *sqlx.Conn {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	conn, err := pool.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (e *recordsEnv) exec(t testing.TB, stmts ...string) {
	t.Helper()
	for i, s := range stmts {
		stmts[i] = strings.ReplaceAll(s, "$S.", mysql.QuoteIdent(e.schema)+".")
	}
	mysqltest.MustExec(t, e.db, stmts...)
}

// page runs Records and fails the test on an error.
func (e *recordsEnv) page(t testing.TB, q mysql.RecordQuery) *mysql.Page {
	t.Helper()
	q.Schema = e.schema
	p, err := e.cat.Records(context.Background(), e.conn, q)
	if err != nil {
		t.Fatalf("Records(%s sort=%s filters=%v after=%q before=%q): %v", q.Table, q.Sort, q.Filters, q.After, q.Before, err)
	}
	return p
}

// keysOf returns the row keys of rows.
func keysOf(rows []mysql.Row) []string {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	return keys
}

// queryStrings runs query (with $S. standing for the schema) and returns
// its first column; NULL is "NULL".
func (e *recordsEnv) queryStrings(t testing.TB, query string, args ...any) []string {
	t.Helper()
	rows, err := e.db.Query(strings.ReplaceAll(query, "$S.", mysql.QuoteIdent(e.schema)+"."), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if !s.Valid {
			s.String = "NULL"
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// walk pages through q forward from the first page, then back from the
// last page with Prev, and checks that both see the same pages. It
// returns the pages.
func (e *recordsEnv) walk(t testing.TB, q mysql.RecordQuery) [][]mysql.Row {
	t.Helper()
	var pages [][]mysql.Row
	var cursors []string // Prev of each page
	for q.After = ""; ; {
		p := e.page(t, q)
		pages, cursors = append(pages, p.Rows), append(cursors, p.Prev)
		if len(pages) > 1 && p.Prev == "" {
			t.Fatalf("page %d has no Prev", len(pages))
		}
		if p.Next == "" {
			break
		}
		if len(pages) > 10000 {
			t.Fatal("more than 10000 pages: Next does not advance")
		}
		q.After = p.Next
	}
	if cursors[0] != "" {
		t.Fatalf("first page has Prev %q", cursors[0])
	}
	q.After = ""
	for i := len(pages) - 2; i >= 0; i-- {
		q.Before = cursors[i+1]
		p := e.page(t, q)
		if got, want := rowsText(p.Rows), rowsText(pages[i]); got != want {
			t.Fatalf("page %d read back with Before:\n%s\nwant (read forward):\n%s", i, got, want)
		}
		if (i == 0) != (p.Prev == "") {
			t.Fatalf("page %d read back: Prev %q", i, p.Prev)
		}
		if p.Next == "" {
			t.Fatalf("page %d read back has no Next", i)
		}
	}
	return pages
}

func rowsText(rows []mysql.Row) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Key + ":")
		for _, v := range r.Values {
			if v.Null {
				b.WriteString(" NULL")
			} else {
				fmt.Fprintf(&b, " %q", v.Bytes)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func concat(pages [][]mysql.Row) []mysql.Row {
	var all []mysql.Row
	for _, p := range pages {
		all = append(all, p...)
	}
	return all
}

func TestRecordsPaging(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.items (id INT PRIMARY KEY, grp INT NULL, name VARCHAR(20) NULL, note VARCHAR(10) NOT NULL DEFAULT '', KEY (grp))",
		"INSERT INTO $S.items SELECT seq, IF(seq % 10 = 3, NULL, seq % 37), IF(seq % 7 = 0, NULL, CONCAT(CHAR(65 + seq % 26), seq % 5)), '' FROM $S.seq_1_to_1000",
	)
	for _, tt := range []struct {
		sort, orderBy string
		size          int
	}{
		{"", "id", 50},
		{"-id", "id DESC", 50},
		{"grp", "grp, id", 37},
		{"-grp", "grp DESC, id DESC", 37},
		{"name", "name, id", 64},
		{"-name", "name DESC, id DESC", 64},
		{"note", "note, id", 500},
	} {
		t.Run("sort="+tt.sort, func(t *testing.T) {
			sort, err := weekback.ParseSort(tt.sort)
			if err != nil {
				t.Fatal(err)
			}
			pages := e.walk(t, mysql.RecordQuery{Table: "items", Sort: sort, PageSize: tt.size})
			want := e.queryStrings(t, "SELECT id FROM $S.items ORDER BY "+tt.orderBy)
			if got := keysOf(concat(pages)); !slices.Equal(got, want) {
				t.Fatalf("%d rows paged, %d in the table; first differences: %v", len(got), len(want), firstDiff(got, want))
			}
			for i, p := range pages[:len(pages)-1] {
				if len(p) != tt.size {
					t.Fatalf("page %d has %d rows, want %d", i, len(p), tt.size)
				}
			}
		})
	}
}

func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("at %d: got %q, want %q", i, g, w)
		}
	}
	return "none"
}

// TestRecordsPagingKeys pages through tables ordered by every kind of key
// and sort column: composite keys, a unique key instead of a primary key,
// collations, long values sorted by prefix, ENUM, FLOAT, BINARY, dates.
func TestRecordsPagingKeys(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleSource)
	e.exec(t,
		// composite key, the second part case-insensitive text with accents
		"CREATE TABLE $S.pairs (a INT NOT NULL, b VARCHAR(10) CHARACTER SET latin1 NOT NULL, v DOUBLE NULL, PRIMARY KEY (a, b))",
		"INSERT INTO $S.pairs SELECT seq % 13, CONCAT(ELT(1 + seq % 4, 'é', 'E', 'a', 'Z'), seq), IF(seq % 5 = 0, NULL, seq % 9 / 7) FROM $S.seq_1_to_400",
		// no primary key, a unique key of NOT NULL columns (and a nullable one, unusable)
		"CREATE TABLE $S.uniq (u BIGINT UNSIGNED NOT NULL, n INT NULL, f FLOAT NULL, d DATETIME(3) NULL, UNIQUE KEY nn (n), UNIQUE KEY uu (u))",
		"INSERT INTO $S.uniq SELECT 18446744073709551615 - seq * 1000000007, IF(seq % 3 = 0, NULL, seq), IF(seq % 4 = 0, NULL, seq % 11 / 10), IF(seq % 6 = 0, NULL, '2026-01-01' + INTERVAL seq % 50 HOUR) FROM $S.seq_1_to_300",
		// long values: VARCHAR sorted whole though equal for 600 characters (past the default max_sort_length), TEXT by prefix
		"CREATE TABLE $S.longs (id INT PRIMARY KEY, s VARCHAR(700) COLLATE utf8mb4_unicode_ci NULL, t TEXT NULL, e ENUM('z', 'a', 'm') NULL, bin VARBINARY(8) NULL)",
		"INSERT INTO $S.longs SELECT seq, IF(seq % 9 = 0, NULL, CONCAT(REPEAT('ß', 600), seq % 17)), CONCAT(REPEAT('x', 300), seq % 3), ELT(1 + seq % 4, 'z', 'a', 'm', NULL), IF(seq % 5 = 0, NULL, UNHEX(HEX(seq % 7))) FROM $S.seq_1_to_250",
	)
	for _, tt := range []struct {
		table, sort, orderBy string
		key                  string // how the reference query writes the row key
	}{
		{"pairs", "", "a, b", "CONCAT(a, ',', HEX(b))"},
		{"pairs", "-b", "b DESC, a DESC", "CONCAT(a, ',', HEX(b))"},
		{"pairs", "v", "v, a, b", "CONCAT(a, ',', HEX(b))"},
		{"pairs", "-v", "v DESC, a DESC, b DESC", "CONCAT(a, ',', HEX(b))"},
		{"uniq", "", "u", "u"},
		{"uniq", "n", "n, u", "u"},
		{"uniq", "-f", "f DESC, u DESC", "u"},
		{"uniq", "d", "d, u", "u"},
		{"longs", "s", "s, id", "id"},
		{"longs", "-s", "s DESC, id DESC", "id"},
		{"longs", "t", "LEFT(t, 255), id", "id"},
		{"longs", "-e", "e DESC, id DESC", "id"},
		{"longs", "bin", "bin, id", "id"},
	} {
		t.Run(tt.table+" sort="+tt.sort, func(t *testing.T) {
			sort, _ := weekback.ParseSort(tt.sort)
			pages := e.walk(t, mysql.RecordQuery{Table: tt.table, Sort: sort, PageSize: 23})
			var got []string
			for _, r := range concat(pages) {
				key, err := mysql.ParseRowKey(r.Key)
				if err != nil {
					t.Fatal(err)
				}
				if tt.table == "pairs" {
					key[1] = fmt.Sprintf("%X", latin1(t, key[1]))
				}
				got = append(got, strings.Join(key, ","))
			}
			// The reference sorts whole values too (the default max_sort_length would not).
			want := e.queryStrings(t, "SET STATEMENT max_sort_length=65536 FOR SELECT "+tt.key+" FROM $S."+tt.table+" ORDER BY "+tt.orderBy)
			if !slices.Equal(got, want) {
				t.Fatalf("%d rows paged, %d in the table; %s", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

// latin1 encodes s (UTF-8) in latin1.
func latin1(t testing.TB, s string) []byte {
	var b []byte
	for _, r := range s {
		if r > 255 {
			t.Fatalf("%q is not latin1", s)
		}
		b = append(b, byte(r))
	}
	return b
}

// TestRecordsPagingWithoutKey pages through tables without a unique key,
// full of identical rows (groups longer than a page): every row once, in
// the sort column's order, the same pages back and forth.
func TestRecordsPagingWithoutKey(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.heap (x INT NULL, s VARCHAR(10) NULL, b BLOB NULL, UNIQUE KEY (x))",
		"INSERT INTO $S.heap SELECT NULL, IF(seq % 3 = 0, NULL, CONCAT('s', seq % 4)), IF(seq % 5 = 0, NULL, '') FROM $S.seq_1_to_120",
		"INSERT INTO $S.heap SELECT NULL, 'same', 'same' FROM $S.seq_1_to_45",
		"INSERT INTO $S.heap SELECT seq, 'x', NULL FROM $S.seq_1_to_30",
	)
	all := e.queryStrings(t, "SELECT CONCAT_WS('|', IFNULL(x, 'NULL'), IFNULL(s, 'NULL'), IFNULL(HEX(b), 'NULL')) FROM $S.heap")
	slices.Sort(all)
	for _, tt := range []struct {
		sort string
		size int
	}{{"", 10}, {"", 7}, {"s", 10}, {"-s", 13}, {"x", 20}, {"-x", 4}, {"b", 50}} {
		t.Run(fmt.Sprintf("sort=%s size=%d", tt.sort, tt.size), func(t *testing.T) {
			sort, _ := weekback.ParseSort(tt.sort)
			p := e.page(t, mysql.RecordQuery{Table: "heap", PageSize: 1})
			if p.Key != nil || p.Rows[0].Key != "" {
				t.Fatalf("a table without a usable key has Key %v, row key %q", p.Key, p.Rows[0].Key)
			}
			pages := e.walk(t, mysql.RecordQuery{Table: "heap", Sort: sort, PageSize: tt.size})
			rows := concat(pages)
			var got []string
			for i, r := range rows {
				x, s, b := r.Values[0], r.Values[1], r.Values[2]
				got = append(got, strings.Join([]string{nullOr(x, x.String()), nullOr(s, s.String()), nullOr(b, fmt.Sprintf("%X", b.Bytes))}, "|"))
				if i > 0 && sort.Column != "" {
					prev := rows[i-1].Values[map[string]int{"x": 0, "s": 1, "b": 2}[sort.Column]]
					cur := r.Values[map[string]int{"x": 0, "s": 1, "b": 2}[sort.Column]]
					if c := compareNullFirst(prev, cur, sort.Column == "x"); sort.Desc && c < 0 || !sort.Desc && c > 0 {
						t.Fatalf("row %d (%s) is out of order after %q", i, got[i], got[i-1])
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, all) {
				t.Fatalf("%d rows paged, %d in the table: %s", len(got), len(all), firstDiff(got, all))
			}
		})
	}
}

func nullOr(v mysql.Value, s string) string {
	if v.Null {
		return "NULL"
	}
	return s
}

func compareNullFirst(a, b mysql.Value, numeric bool) int {
	switch {
	case a.Null && b.Null:
		return 0
	case a.Null:
		return -1
	case b.Null:
		return 1
	case numeric:
		var x, y int
		fmt.Sscan(a.String(), &x)
		fmt.Sscan(b.String(), &y)
		return x - y
	}
	return strings.Compare(strings.ToLower(a.String()), strings.ToLower(b.String()))
}

// TestCatalogConcurrent: one Catalog serves many connections at once.
func TestCatalogConcurrent(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.a (id INT PRIMARY KEY, v INT NULL)",
		"INSERT INTO $S.a SELECT seq, seq % 3 FROM $S.seq_1_to_100",
	)
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, e.schema), "backup.reader_dsn", mysql.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			conn, err := pool.Connx(context.Background())
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			q := mysql.RecordQuery{Schema: e.schema, Table: "a", Sort: weekback.Sort{Column: "v"}, PageSize: 10}
			for range 5 {
				p, err := e.cat.Records(context.Background(), conn, q)
				if err != nil {
					errs <- err
					return
				}
				q.After = p.Next
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
