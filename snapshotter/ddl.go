package snapshotter

import (
	"fmt"
	"strings"

	"github.com/weekback/weekback/mysql"
)

// tableDDL is a production CREATE TABLE split for a fast bulk load
// (mysql.SplitDDL).
type tableDDL = mysql.TableDDL

// splitDDL splits a SHOW CREATE TABLE statement (mysql.SplitDDL).
func splitDDL(ddl string, autoIncColumn string) tableDDL { return mysql.SplitDDL(ddl, autoIncColumn) }

// qualifyCreate rewrites "CREATE TABLE `t` (" to create the table in schema.
func qualifyCreate(ddl, schema, table string) (string, error) {
	return qualifyCreateAs("TABLE", ddl, schema, table)
}

// qualifyCreateAs rewrites "CREATE <kind> `name` " to create the object in
// schema (kind TABLE or SEQUENCE, as SHOW CREATE prints them).
func qualifyCreateAs(kind, ddl, schema, name string) (string, error) {
	head := "CREATE " + kind + " " + mysql.QuoteIdent(name) + " "
	if !strings.HasPrefix(ddl, head) {
		return "", fmt.Errorf("unexpected DDL for %s %s: %.60q", strings.ToLower(kind), name, ddl)
	}
	return "CREATE " + kind + " " + mysql.QuoteTable(schema, name) + " " + ddl[len(head):], nil
}
