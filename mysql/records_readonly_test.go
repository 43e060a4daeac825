package mysql

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// ErrReadOnlyTransaction is the server's "Cannot execute statement in a
// READ ONLY transaction".
const errReadOnlyTransaction = 1792

// TestReadOnlyRefusesWrites proves that what readOnly runs is inside a READ
// ONLY transaction: a SELECT calling a function that writes is refused by
// the server, and (on MariaDB, where each statement carries its own
// access mode) a query without the read-only head is refused before it is
// sent.
func TestReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbro_")
	q := QuoteIdent(schema)
	mysqltest.MustExec(t, db, "CREATE TABLE "+q+".t (a INT)",
		"CREATE FUNCTION "+q+".w() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO "+q+".t VALUES (1); RETURN 1; END")
	pool, err := Open(ctx, mysqltest.DSN(t, schema), "backup.reader_dsn", RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pool.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	f, err := new(Catalog).serverFlavor(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	run := func(query string) error {
		return readOnly(ctx, conn, f, func(rc rawConn) error {
			return rc.query(ctx, query, nil, func(rows driver.Rows) error {
				return eachRow(rows, func([]driver.Value) error { return nil })
			})
		})
	}
	if err := run(selectHead(f, DefaultRecordTimeout) + q + ".w()"); !IsErrorNumber(err, errReadOnlyTransaction) {
		t.Errorf("a writing SELECT in readOnly: err=%v, want error %d", err, errReadOnlyTransaction)
	}
	if f == flavorMariaDB {
		if err := run(Tag + "SELECT " + q + ".w()"); err == nil {
			t.Error("a query without the read-only head ran in readOnly")
		}
	}
	assertNoRows(t, conn, q+".t")
}

func assertNoRows(t *testing.T, conn *sqlx.Conn, table string) {
	t.Helper()
	var n int
	if err := conn.QueryRowxContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("rows in %s = %d, want 0", table, n)
	}
}
