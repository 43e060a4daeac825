package mysql_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestCatalogColumns reads a table with every kind of column (generated,
// invisible, binary, enum, unsigned zerofill, JSON, spatial, a composite
// primary key and a unique key) and checks what the one description of a
// column says of each, by schema and by table.
func TestCatalogColumns(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbcols_")
	mysqltest.MustExec(t, db, "CREATE TABLE `"+schema+"`.`kinds` ("+
		"a INT UNSIGNED ZEROFILL NOT NULL, b VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL DEFAULT 'new' COMMENT 'the b',"+
		"bin VARBINARY(16) NULL, e ENUM('x','y') NOT NULL, d DECIMAL(9,2) DEFAULT 0.00, j JSON, g POINT NOT NULL,"+
		"v INT AS (a + 1) VIRTUAL, s INT AS (a * 2) STORED, h INT INVISIBLE DEFAULT 7, n INT AUTO_INCREMENT UNIQUE,"+
		"PRIMARY KEY (a, b))",
		"CREATE TABLE `"+schema+"`.`other` (x INT)")
	q := sqlx.NewDb(db, "mysql")

	all, err := mysql.SchemaColumns(ctx, q, schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || len(all["other"]) != 1 || len(all["kinds"]) != 11 {
		t.Fatalf("tables=%d other=%d kinds=%d, want 2, 1, 11", len(all), len(all["other"]), len(all["kinds"]))
	}
	cols, err := mysql.TableColumns(ctx, q, schema, "kinds")
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 11 {
		t.Fatalf("columns=%d, want 11", len(cols))
	}
	by := map[string]mysql.CatalogColumn{}
	for i, c := range cols {
		if c.Ordinal != i+1 || c.Table != "kinds" || c.Name != all["kinds"][i].Name {
			t.Fatalf("column %d = %s.%s ordinal %d, want kinds.%s ordinal %d", i, c.Table, c.Name, c.Ordinal, all["kinds"][i].Name, i+1)
		}
		by[c.Name] = c
	}
	checkColumn(t, by["a"], "int", "int(10) unsigned zerofill", false, "", "PRI")
	checkColumn(t, by["b"], "varchar", "varchar(20)", false, "'new'", "PRI")
	checkColumn(t, by["bin"], "varbinary", "varbinary(16)", true, "NULL", "")
	checkColumn(t, by["e"], "enum", "enum('x','y')", false, "", "")
	checkColumn(t, by["d"], "decimal", "decimal(9,2)", true, "0.00", "")
	checkColumn(t, by["j"], "longtext", "longtext", true, "NULL", "")
	checkColumn(t, by["g"], "point", "point", false, "", "")
	checkColumn(t, by["n"], "int", "int(11)", false, "", "UNI")
	if b := by["b"]; b.Charset != "latin1" || b.Collation != "latin1_bin" || b.MaxChars != 20 || b.MaxBytes != 20 || b.Comment != "the b" {
		t.Fatalf("b = %+v, want latin1/latin1_bin, 20 chars, 20 bytes, comment", b)
	}
	if d := by["d"]; d.Precision != 9 || d.Scale != 2 || d.Charset != "" {
		t.Fatalf("d precision=%d scale=%d charset=%q, want 9, 2, none", d.Precision, d.Scale, d.Charset)
	}
	for _, name := range []string{"v", "s"} {
		if c := by[name]; !c.Generated() || c.Expression == "" || c.Invisible() {
			t.Fatalf("%s generated=%v expression=%q invisible=%v, want generated with its expression", name, c.Generated(), c.Expression, c.Invisible())
		}
	}
	if h := by["h"]; !h.Invisible() || h.Generated() || h.Default == nil || *h.Default != "7" {
		t.Fatalf("h = %+v, want invisible, not generated, default 7", h)
	}
	if a := by["a"]; a.Generated() || a.Invisible() || a.Expression != "" {
		t.Fatalf("a = %+v, want a plain column", a)
	}
	if none, err := mysql.TableColumns(ctx, q, schema, "missing"); err != nil || len(none) != 0 {
		t.Fatalf("missing table: %d columns, %v; want none", len(none), err)
	}
}

func checkColumn(t *testing.T, c mysql.CatalogColumn, dataType, columnType string, nullable bool, def, key string) {
	t.Helper()
	got := ""
	if c.Default != nil {
		got = *c.Default
	}
	if c.DataType != dataType || c.ColumnType != columnType || c.Nullable != nullable || got != def || c.Key != key {
		t.Fatalf("%s = %s %s nullable=%v default=%q key=%q, want %s %s nullable=%v default=%q key=%q",
			c.Name, c.DataType, c.ColumnType, c.Nullable, got, c.Key, dataType, columnType, nullable, def, key)
	}
}
