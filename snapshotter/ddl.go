package snapshotter

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/weekback/weekback/mysql"
)

// splitDDL splits a SHOW CREATE TABLE statement into the CREATE TABLE to
// run before the bulk load (columns, primary key, checks, and any key the
// AUTO_INCREMENT column needs) and the one ALTER TABLE clause list that
// adds the secondary indexes and foreign keys afterwards ("" when none).
// Loading into a table with only its primary key lets InnoDB take its bulk
// path; building each index once afterwards is faster than maintaining it
// row by row.
func splitDDL(ddl string, autoIncColumn string) (create, alter string) {
	lines := strings.Split(ddl, "\n")
	var keep, deferred []string
	for _, line := range lines {
		def := strings.TrimSpace(line)
		if isDeferrable(def) && !needsForAutoInc(def, autoIncColumn) {
			deferred = append(deferred, "ADD "+strings.TrimSuffix(def, ","))
			continue
		}
		keep = append(keep, line)
	}
	return fixCommas(keep), strings.Join(deferred, ", ")
}

var deferrablePrefixes = []string{"KEY ", "UNIQUE KEY ", "FULLTEXT KEY ", "SPATIAL KEY ", "INDEX ", "UNIQUE INDEX "}

var foreignKeyDef = regexp.MustCompile("^CONSTRAINT `(?:[^`]|``)*` FOREIGN KEY ")

func isDeferrable(def string) bool {
	for _, p := range deferrablePrefixes {
		if strings.HasPrefix(def, p) {
			return true
		}
	}
	return foreignKeyDef.MatchString(def)
}

// needsForAutoInc reports whether the key definition def starts with the
// AUTO_INCREMENT column: such a key must exist when the table is created.
func needsForAutoInc(def, col string) bool {
	if col == "" || strings.HasPrefix(def, "CONSTRAINT") {
		return false
	}
	i := strings.Index(def, "(")
	return i >= 0 && strings.HasPrefix(def[i+1:], mysql.QuoteIdent(col))
}

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
	head := "CREATE TABLE " + mysql.QuoteIdent(table) + " "
	if !strings.HasPrefix(ddl, head) {
		return "", fmt.Errorf("unexpected DDL for table %s: %.60q", table, ddl)
	}
	return "CREATE TABLE " + mysql.QuoteTable(schema, table) + " " + ddl[len(head):], nil
}
