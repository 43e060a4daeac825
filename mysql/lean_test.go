package mysql

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// leanZoo is a table of every column type with its edge values, for
// comparing the lean reader's bytes with the driver's.
var leanZoo = []string{
	`CREATE TABLE $T (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, u_big BIGINT UNSIGNED NULL, s_big BIGINT NULL, tiny TINYINT NULL,
	  med MEDIUMINT UNSIGNED NULL, dec65 DECIMAL(65,30) NULL, f FLOAT NULL, f72 FLOAT(7,2) NULL, d DOUBLE NULL,
	  b64 BIT(64) NULL, b3 BIT(3) NULL, dt6 DATETIME(6) NULL, dz DATETIME NULL, d0 DATE NULL, ts TIMESTAMP(6) NULL DEFAULT NULL,
	  tm TIME(6) NULL, yr YEAR NULL, bin8 BINARY(8) NULL, vbin VARBINARY(64) NULL, bl LONGBLOB NULL,
	  e ENUM('a,b', 'c', 'x''y') NULL, st SET('p', 'q', 'r') NULL, j JSON NULL, g GEOMETRY NULL,
	  l1 VARCHAR(32) CHARACTER SET latin1 NULL, sj VARCHAR(32) CHARACTER SET cp932 NULL, txt TEXT NULL, ch CHAR(5) NULL,
	  vcol INT AS (tiny * 2) VIRTUAL, zf INT(5) ZEROFILL NULL
	) DEFAULT CHARSET=utf8mb4`,
	`INSERT INTO $T (u_big, s_big, tiny, med, dec65, f, f72, d, b64, b3, dt6, dz, d0, ts, tm, yr, bin8, vbin, bl, e, st, j, g, l1, sj, txt, ch, zf) VALUES
	 (18446744073709551615, -9223372036854775808, -128, 16777215, '99999999999999999999999999999999999.999999999999999999999999999999',
	  3.40282e38, 12345.67, 1.7976931348623157e308, b'1111111111111111111111111111111111111111111111111111111111111111', b'111',
	  '9999-12-31 23:59:59.999999', '0000-00-00 00:00:00', '0000-00-00', '2038-01-19 03:14:07.999999', '-838:59:59.000000', 2155,
	  x'000D0A22275C0900', x'00', x'00FF5C4E0D0A090022275CFF', 'a,b', 'p,r', '{"emoji": "😀🍣", "n": 1.5e300}',
	  ST_GeomFromText('POINT(139.6917 35.6895)'), 'café naïve', '～ー―', 'line1\nline2\r\n\t"q" \\N', 'a', 42),
	 (0, 9223372036854775807, 127, 0, '-0.000000000000000000000000000001', -1.17549e-38, -0.01, 4.9e-324, b'0', b'0',
	  '1000-01-01 00:00:00.000001', '2020-02-29 12:00:00', '1000-01-01', '1970-01-01 00:00:01.000000', '-00:00:00.000001', 0,
	  x'FFFFFFFFFFFFFFFF', x'', x'', 'x''y', '', '[]', NULL, '', '', '', '', 0),
	 (1, -1, 0, 1, '0', 0.333333343267, 1.5, 0.30000000000000004, b'1010', b'101',
	  '2024-02-29 23:59:59.500000', NULL, '2024-02-29', NULL, '838:59:59.999999', 1901, NULL, NULL, REPEAT(x'00FF', 200000),
	  'c', 'q', 'null', NULL, NULL, NULL, '日本語〜—♥𠮷😀', NULL, 4294967295),
	 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
}

// leanEnv is a schema holding the zoo and a pool of role on it.
type leanEnv struct {
	schema string
	pool   *sqlx.DB
	cols   []Column
}

func newLeanEnv(t *testing.T, role Role) *leanEnv {
	t.Helper()
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wblean_")
	for _, s := range leanZoo {
		mysqltest.MustExec(t, db, strings.ReplaceAll(s, "$T", QuoteTable(schema, "zoo")))
	}
	pool, err := Open(ctx, mysqltest.DSN(t, schema), "backup.reader_dsn", role)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	tables, err := Tables(ctx, pool, schema)
	if err != nil || len(tables) != 1 {
		t.Fatalf("tables = %v, %v, want the zoo", tables, err)
	}
	return &leanEnv{schema: schema, pool: pool, cols: tables[0].Columns}
}

// conn returns a connection of the pool, closed when the test ends.
func (e *leanEnv) conn(t *testing.T) *sqlx.Conn {
	t.Helper()
	c, err := e.pool.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// collectRows collects the rows scan reads, copied.
func collectRows(t *testing.T, scan func(fn func([][]byte) error) error) [][][]byte {
	t.Helper()
	var out [][][]byte
	err := scan(func(values [][]byte) error {
		row := make([][]byte, len(values))
		for i, v := range values {
			if v != nil {
				row[i] = append([]byte{}, v...)
			}
		}
		out = append(out, row)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// driverOnly runs fn with rc on the driver's own connection (no lean
// reader).
func driverOnly(conn *sqlx.Conn, stmtReadOnly bool, fn func(rc rawConn) error) error {
	return conn.Raw(func(dc any) error {
		lc, ok := dc.(*leanConn)
		if !ok {
			return errors.New("the pool's connection is not a leanConn")
		}
		return fn(rawConn{dc: lc.driverConn, stmtReadOnly: stmtReadOnly})
	})
}

// assertSameRows fails unless lean and driver hold the same rows, byte
// for byte, NULL for NULL.
func assertSameRows(t *testing.T, cols []string, lean, drv [][][]byte) {
	t.Helper()
	if len(lean) != len(drv) || len(lean) != 4 {
		t.Fatalf("lean read %d rows, driver %d, want 4", len(lean), len(drv))
	}
	for r := range lean {
		for i := range lean[r] {
			l, d := lean[r][i], drv[r][i]
			if (l == nil) != (d == nil) || !bytes.Equal(l, d) {
				t.Errorf("row %d column %s: lean %q (nil %v), driver %q (nil %v)", r+1, cols[i], l, l == nil, d, d == nil)
			}
		}
	}
}

// castList is the SELECT list of cols as SelectExpr made it before
// integers were read without a CAST.
func castList(cols []Column) string {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = SelectExpr(c)
		switch c.DataType {
		case "tinyint", "smallint", "mediumint", "int", "bigint":
			exprs[i] = "CAST(" + QuoteIdent(c.Name) + " AS CHAR)"
		}
	}
	return strings.Join(exprs, ", ")
}

// TestLeanMatchesDriverSource reads the zoo with ScanSource (RoleSource:
// values as stored) through the lean reader, and through the driver's
// rows with every integer cast to text (as SelectExpr did before), and
// compares every value.
func TestLeanMatchesDriverSource(t *testing.T) {
	ctx := context.Background()
	e := newLeanEnv(t, RoleSource)
	conn := e.conn(t)
	src := RowSource{Schema: e.schema, Table: "zoo"}
	lean := collectRows(t, func(fn func([][]byte) error) error { return ScanSource(ctx, conn, src, e.cols, fn) })
	drv := collectRows(t, func(fn func([][]byte) error) error {
		return driverOnly(conn, false, func(rc rawConn) error {
			return rc.scan(ctx, Tag+"SELECT "+castList(e.cols)+src.from(), nil, len(e.cols), fn)
		})
	})
	names := make([]string, len(e.cols))
	for i, c := range e.cols {
		names[i] = c.Name
	}
	assertSameRows(t, names, lean, drv)
	if got := len(lean[2][19]); got != 400000 {
		t.Fatalf("blob of row 3 has %d bytes, want 400000", got)
	}
}

// TestLeanMatchesDriverExport reads the zoo with ScanRecords (RoleExport:
// text as UTF-8) through the lean reader and through the driver's rows.
func TestLeanMatchesDriverExport(t *testing.T) {
	ctx := context.Background()
	e := newLeanEnv(t, RoleExport)
	conn := e.conn(t)
	cat := NewCatalog()
	q := RecordQuery{Schema: e.schema, Table: "zoo"}
	cols, err := cat.RecordColumns(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	lean := collectRows(t, func(fn func([][]byte) error) error { return cat.ScanRecords(ctx, conn, q, fn) })
	p, err := cat.plan(ctx, conn, RecordQuery{Schema: e.schema, Table: "zoo", Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	p.head = selectHead(p.flavor, 0)
	p.exportList(false)
	query := p.selectSQL("", false, false)
	drv := collectRows(t, func(fn func([][]byte) error) error {
		return driverOnly(conn, p.flavor == flavorMariaDB, func(rc rawConn) error { return rc.scan(ctx, query, nil, len(cols), fn) })
	})
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	assertSameRows(t, names, lean, drv)
	if got, want := string(lean[2][26]), "日本語〜—♥𠮷😀"; got != want {
		t.Fatalf("txt of row 3 = %q, want %q", got, want)
	}
	// A filter's argument makes a prepared statement: the driver's binary
	// rows, with dates cast to text, give the same values.
	q.Filters = []weekback.Filter{{Column: "id", Op: weekback.OpGe, Value: "1"}}
	bin := collectRows(t, func(fn func([][]byte) error) error { return cat.ScanRecords(ctx, conn, q, fn) })
	assertSameRows(t, names, lean, bin)
}

// leanScan runs query on conn through the lean reader, which must be
// there.
func leanScan(ctx context.Context, conn *sqlx.Conn, query string, n int, fn func([][]byte) error) error {
	return conn.Raw(func(dc any) error {
		lc, ok := dc.(*leanConn)
		if !ok {
			return errors.New("the pool's connection is not a leanConn")
		}
		return lc.scan(ctx, query, n, fn)
	})
}

// TestLeanInTransaction proves the lean reader reads inside the
// connection's transaction (as the snapshot's consistent snapshot needs),
// and that the driver goes on using the connection after it.
func TestLeanInTransaction(t *testing.T) {
	ctx := context.Background()
	e := newLeanEnv(t, RoleSource)
	conn := e.conn(t)
	if _, err := conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		t.Fatal(err)
	}
	other := e.conn(t)
	if _, err := other.ExecContext(ctx, "INSERT INTO zoo (id) VALUES (100)"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n := 0
		err := leanScan(ctx, conn, "SELECT id FROM zoo", 1, func([][]byte) error { n++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 4 {
		t.Fatalf("lean read %d rows inside the snapshot, want 4 (the insert after it is not seen)", n)
	}
	var n int
	if err := conn.QueryRowxContext(ctx, "SELECT COUNT(*) FROM zoo").Scan(&n); err != nil || n != 4 {
		t.Fatalf("driver after lean: %d rows, %v; want 4 in the same snapshot", n, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 5 {
		t.Fatalf("lean read %d rows after COMMIT, want 5", n)
	}
}

// TestLeanErrors checks the lean reader's failures: a server error in the
// middle of the rows and the row function's error leave the connection
// usable; a statement timeout is the server's error number; a cancelled
// context ends the read and the connection is discarded, not reused.
func TestLeanErrors(t *testing.T) {
	ctx := context.Background()
	e := newLeanEnv(t, RoleSource)
	conn := e.conn(t)
	const nums = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000) "
	rows := 0
	err := leanScan(ctx, conn, nums+"SELECT n, (SELECT 1 FROM s t WHERE t.n <= 2 AND (t.n = 1 OR s.n > 600)) FROM s", 2,
		func([][]byte) error { rows++; return nil })
	if !IsErrorNumber(err, 1242) || rows < 600 { // ER_SUBQUERY_NO_1_ROW
		t.Fatalf("mid-stream error = %v after %d rows, want error 1242", err, rows)
	}
	stop := errors.New("stop")
	err = leanScan(ctx, conn, nums+"SELECT n FROM s", 1, func([][]byte) error { return stop })
	if err != stop {
		t.Fatalf("row function error = %v, want %v", err, stop)
	}
	err = leanScan(ctx, conn, "SET STATEMENT max_statement_time=0.01 FOR SELECT SLEEP(2)", 1, func([][]byte) error { return nil })
	if !IsErrorNumber(err, ErrStatementTimeout) {
		t.Fatalf("timeout = %v, want error %d", err, ErrStatementTimeout)
	}
	var one int
	if err := conn.QueryRowxContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("driver after the errors: %d, %v; want 1", one, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	err = leanScan(cctx, conn, nums+"SELECT n, REPEAT('x', 1000) FROM s", 2, func([][]byte) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read = %v, want context.Canceled", err)
	}
	if err := conn.QueryRowxContext(ctx, "SELECT 1").Scan(&one); err == nil {
		t.Fatal("the cancelled connection answered again, want it discarded")
	}
	var id int
	if err := e.pool.QueryRowxContext(ctx, "SELECT id FROM zoo ORDER BY id LIMIT 1").Scan(&id); err != nil || id != 1 {
		t.Fatalf("pool after a cancelled read: %d, %v; want 1", id, err)
	}
}
