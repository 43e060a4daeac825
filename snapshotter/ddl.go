package snapshotter

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/weekback/weekback/mysql"
)

// tableDDL is a production CREATE TABLE split for a fast bulk load.
type tableDDL struct {
	Create      string // columns, primary key, checks, and any key the AUTO_INCREMENT column needs
	Indexes     string // "ADD KEY …, ADD UNIQUE KEY …" built after the load ("" when none)
	ForeignKeys string // "ADD CONSTRAINT … FOREIGN KEY …" added once every table has its indexes
}

// splitDDL splits a SHOW CREATE TABLE statement. Loading into a table with
// only its primary key lets InnoDB take its bulk path, and building each
// index once afterwards is faster than maintaining it row by row. Foreign
// keys come last because one may reference a key that another table's (or
// this table's) index step adds.
func splitDDL(ddl string, autoIncColumn string) tableDDL {
	var keep, indexes, fks []string
	for _, line := range strings.Split(ddl, "\n") {
		def := strings.TrimSpace(line)
		switch {
		case foreignKeyDef.MatchString(def):
			fks = append(fks, "ADD "+strings.TrimSuffix(def, ","))
		case isIndex(def) && !needsForAutoInc(def, autoIncColumn):
			indexes = append(indexes, "ADD "+strings.TrimSuffix(def, ","))
		default:
			keep = append(keep, line)
		}
	}
	return tableDDL{Create: fixCommas(keep), Indexes: strings.Join(indexes, ", "), ForeignKeys: strings.Join(fks, ", ")}
}

var indexPrefixes = []string{"KEY ", "UNIQUE KEY ", "FULLTEXT KEY ", "SPATIAL KEY ", "INDEX ", "UNIQUE INDEX "}

var foreignKeyDef = regexp.MustCompile("^CONSTRAINT `(?:[^`]|``)*` FOREIGN KEY ")

func isIndex(def string) bool {
	for _, p := range indexPrefixes {
		if strings.HasPrefix(def, p) {
			return true
		}
	}
	return false
}

// needsForAutoInc reports whether the key definition def starts with the
// AUTO_INCREMENT column: such a key must exist when the table is created.
func needsForAutoInc(def, col string) bool {
	if col == "" || strings.HasPrefix(def, "CONSTRAINT") {
		return false
	}
	m := keyColumns.FindStringIndex(def)
	return m != nil && strings.HasPrefix(def[m[1]:], mysql.QuoteIdent(col))
}

// keyColumns matches a key definition up to the "(" that opens its column
// list, past a key name that may itself hold "(".
var keyColumns = regexp.MustCompile("^[A-Z ]*(?:KEY|INDEX) (?:`(?:[^`]|``)*` )?\\(")

// fixCommas drops the comma of the last definition that is followed by the
// closing ") ENGINE=…" line.
func fixCommas(lines []string) string {
	for i := range lines {
		if strings.HasPrefix(lines[i], ")") && i > 0 {
			lines[i-1] = strings.TrimSuffix(lines[i-1], ",")
		}
	}
	return strings.Join(lines, "\n")
}

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
