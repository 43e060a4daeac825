package mysql_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

const assortedColumns = `id INT NULL, v VARCHAR(100) NULL, b VARBINARY(64) NULL, bl BLOB NULL, d DOUBLE NULL,
	f FLOAT NULL, y YEAR NULL, dt DATETIME(6) NULL, de DECIMAL(20,6) NULL, e ENUM('a','b') NULL, bt BIT(8) NULL, j JSON NULL`

// assortedRows are edge values of each type, NULLs, empty strings, binary
// and a duplicate row; many more rows come from a sequence.
var assortedRows = []string{
	`(1, 'héllo ✓', 0x00FF, 'blob', 1e308, 0.1, 2026, '2026-11-23 23:30:00.123456', -12.5, 'a', b'1010', '{"a": 1}')`,
	`(1, 'héllo ✓', 0x00FF, 'blob', 1e308, 0.1, 2026, '2026-11-23 23:30:00.123456', -12.5, 'a', b'1010', '{"a": 1}')`,
	`(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
	`(0, '', '', '', 0, 0, 0, '1000-01-01 00:00:00', 0, 'b', b'0', '""')`,
	`(2, 'a\tb\nc\\N', 0x5C4E, 'NULL', -2.2250738585072014e-308, -1.5e-38, 1901, '9999-12-31 23:59:59.999999', 99999999999999.999999, 'b', b'11111111', 'null')`,
	`(3, '-', 0x2D, '1:-', 1.0000000000000002, 3.4028234e38, 2155, NULL, -0.000001, NULL, NULL, '[1, 2]')`,
}

// TestStreamHash computes the content hash of tables: it must be
// independent of row order but see any change of content.
func TestStreamHash(t *testing.T) {
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbunit_")
	src := mustOpenSource(t, schema)
	q := func(table string) string { return mysql.QuoteTable(schema, table) }
	mysqltest.MustExec(t, db,
		"CREATE TABLE "+q("assorted")+" ("+assortedColumns+") ENGINE=InnoDB",
		"INSERT INTO "+q("assorted")+" VALUES "+joinRows(assortedRows),
		"INSERT INTO "+q("assorted")+" (id, v, b, bl, d, f, y, de) SELECT seq, CONCAT('row ', seq), UNHEX(MD5(seq)), "+
			"REPEAT('x', seq % 300), seq / 7, seq / 3, 1901 + seq % 255, seq / 1000 FROM "+q("seq_1_to_3000"),
	)
	for _, table := range []string{"reversed", "changed", "distinct"} {
		mysqltest.MustExec(t, db, "CREATE TABLE "+q(table)+" LIKE "+q("assorted"))
	}
	mysqltest.MustExec(t, db,
		"INSERT INTO "+q("reversed")+" SELECT * FROM "+q("assorted")+" ORDER BY id DESC, v DESC",
		"INSERT INTO "+q("changed")+" SELECT * FROM "+q("assorted"),
		"UPDATE "+q("changed")+" SET b = 0x00FE WHERE id = 2000",
		"INSERT INTO "+q("distinct")+" SELECT DISTINCT * FROM "+q("assorted"),
	)
	rows, hash := mustHashBoth(t, src, schema, "assorted")
	if rows != int64(len(assortedRows))+3000 {
		t.Fatalf("assorted: %d rows hashed, want %d", rows, len(assortedRows)+3000)
	}
	for _, tt := range []struct {
		table string
		same  bool
	}{
		{"reversed", true},
		{"changed", false},
		{"distinct", false},
	} {
		t.Run(tt.table, func(t *testing.T) {
			r, h := mustHashBoth(t, src, schema, tt.table)
			if same := r == rows && h == hash; same != tt.same {
				t.Fatalf("%s: %d rows, hash %s; assorted: %d rows, hash %s; want equal=%v", tt.table, r, h, rows, hash, tt.same)
			}
		})
	}
}

// TestHashTellsApart checks pairs of one-row tables whose content differs
// in ways a careless row encoding would miss.
func TestHashTellsApart(t *testing.T) {
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbunit_")
	src := mustOpenSource(t, schema)
	for _, tt := range []struct {
		name, a, b string // the VALUES of the two tables (p, q)
	}{
		{"swapped columns", "('x', 'y')", "('y', 'x')"},
		{"NULL vs empty string", "(NULL, 'y')", "('', 'y')"},
		{"NULL vs the string -", "(NULL, 'y')", "('-', 'y')"},
		{"value boundary", "('ab', 'c')", "('a', 'bc')"},
		{"length prefix in the value", "('1:a', '')", "('', '1:a')"},
		{"one row vs the same row twice", "('x', 'y')", "('x', 'y'), ('x', 'y')"},
		{"two NULLs vs two empty strings", "(NULL, NULL)", "('', '')"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ta, tb := mysqltest.UniqueName("a_"), mysqltest.UniqueName("b_")
			for table, values := range map[string]string{ta: tt.a, tb: tt.b} {
				mysqltest.MustExec(t, db,
					"CREATE TABLE "+mysql.QuoteTable(schema, table)+" (p VARBINARY(10) NULL, q VARCHAR(10) NULL)",
					"INSERT INTO "+mysql.QuoteTable(schema, table)+" VALUES "+values)
			}
			ra, ha := mustHashBoth(t, src, schema, ta)
			rb, hb := mustHashBoth(t, src, schema, tb)
			if ha == hb {
				t.Fatalf("%s (%d rows) and %s (%d rows) hash alike: %s", tt.a, ra, tt.b, rb, ha)
			}
		})
	}
}

func TestHashEmptyTable(t *testing.T) {
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbunit_")
	src := mustOpenSource(t, schema)
	mysqltest.MustExec(t, db, "CREATE TABLE "+mysql.QuoteTable(schema, "empty")+" (a INT)")
	if rows, hash := mustHashBoth(t, src, schema, "empty"); rows != 0 || hash != "0" {
		t.Fatalf("empty table: %d rows, hash %s, want 0 rows, hash 0", rows, hash)
	}
}

// TestHashLargeRow streams and hashes a row of two 8 MiB blobs (larger,
// once encoded, than MariaDB's default max_allowed_packet).
func TestHashLargeRow(t *testing.T) {
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbunit_")
	src := mustOpenSource(t, schema)
	const size = 8 << 20
	mysqltest.MustExec(t, db, "CREATE TABLE "+mysql.QuoteTable(schema, "big")+" (a LONGBLOB, b LONGBLOB)")
	if _, err := db.Exec("INSERT INTO "+mysql.QuoteTable(schema, "big")+" VALUES (REPEAT('x', ?), REPEAT('y', ?))", size, size); err != nil {
		t.Fatal(err)
	}
	if rows, hash := mustHashBoth(t, src, schema, "big"); rows != 1 || hash == "0" {
		t.Fatalf("big row: %d rows, hash %s; want 1 row and a non-zero hash", rows, hash)
	}
}

// mustHashBoth returns the row count and content hash of schema.table as
// StreamHash computes it, failing the test when its row count disagrees
// with the server's COUNT(*).
func mustHashBoth(t *testing.T, src *sqlx.DB, schema, table string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	cols := mustColumns(t, src, schema, table)
	conn, err := src.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n, hash, err := mysql.StreamHash(ctx, conn, schema, table, cols)
	if err != nil {
		t.Fatal(err)
	}
	var count int64
	if err := src.QueryRow("SELECT COUNT(*) FROM " + mysql.QuoteTable(schema, table)).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if n != count {
		t.Fatalf("%s: StreamHash saw %d rows, COUNT(*) = %d", table, n, count)
	}
	return n, hash
}

func mustColumns(t *testing.T, db *sqlx.DB, schema, table string) []mysql.Column {
	t.Helper()
	tables, err := mysql.Tables(context.Background(), db, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name == table {
			return tb.Copied()
		}
	}
	t.Fatalf("no table %s in %s", table, schema)
	return nil
}

// mustOpenSource opens schema as the snapshotter reads production
// (RoleSource: results as raw bytes, UTC).
func mustOpenSource(t *testing.T, schema string) *sqlx.DB {
	t.Helper()
	db, err := mysql.Open(context.Background(), mysqltest.DSN(t, schema), "source.dsn", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func joinRows(rows []string) string {
	s := ""
	for i, r := range rows {
		if i > 0 {
			s += ", "
		}
		s += r
	}
	return s
}
