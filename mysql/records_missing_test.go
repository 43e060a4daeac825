package mysql_test

import (
	"context"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestRecordMissingKeyWithLongColumns looks up a key that matches no row of
// a table with BLOB, JSON, GEOMETRY and TEXT columns: ENOTFOUND, not a
// server error.
func TestRecordMissingKeyWithLongColumns(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbunit_")
	mysqltest.MustExec(t, db,
		"CREATE TABLE `"+schema+"`.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, data BLOB NULL, doc JSON NULL, geo GEOMETRY NULL, long_text TEXT NULL)",
		"INSERT INTO `"+schema+"`.items VALUES (1, 'one', 0x00FF, '{\"a\":1}', ST_GeomFromText('POINT(1 2)'), 'long')")
	src, err := mysql.Open(ctx, mysqltest.DSN(t, schema), "test", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	conn, err := src.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cat := mysql.NewCatalog()
	q := mysql.RecordQuery{Schema: schema, Table: "items"}
	for range 2 { // earlier pages must not change what later lookups see
		if _, err := cat.Records(ctx, conn, mysql.RecordQuery{Schema: schema, Table: "items", PageSize: 5}); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := cat.Record(ctx, conn, q, []string{"1"}); err != nil || len(p.Rows) != 1 {
		t.Fatalf("record 1: %v", err)
	}
	if _, err := cat.Record(ctx, conn, q, []string{"999"}); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Fatalf("record 999: %v (code %q), want ENOTFOUND", err, weekback.ErrorCode(err))
	}
}
