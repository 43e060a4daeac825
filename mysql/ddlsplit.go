package mysql

import (
	"regexp"
	"strings"
)

// TableDDL is a CREATE TABLE statement split for a fast bulk load.
type TableDDL struct {
	Create      string // columns, primary key, checks, and any key the AUTO_INCREMENT column needs
	Indexes     string // "ADD KEY …, ADD UNIQUE KEY …" built after the load ("" when none)
	ForeignKeys string // "ADD CONSTRAINT … FOREIGN KEY …" added once every table has its indexes
}

// SplitDDL splits a SHOW CREATE TABLE statement. Loading into a table with
// only its primary key lets InnoDB take its bulk path, and building each
// index once afterwards is faster than maintaining it row by row. Foreign
// keys come last because one may reference a key that another table's (or
// this table's) index step adds.
func SplitDDL(ddl string, autoIncColumn string) TableDDL {
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
	return TableDDL{Create: fixCommas(keep), Indexes: strings.Join(indexes, ", "), ForeignKeys: strings.Join(fks, ", ")}
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
	return m != nil && strings.HasPrefix(def[m[1]:], QuoteIdent(col))
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

// AutoIncColumn returns the name of t's AUTO_INCREMENT column, or "".
func AutoIncColumn(t *Table) string {
	for _, c := range t.Columns {
		if strings.Contains(strings.ToLower(c.Extra), "auto_increment") {
			return c.Name
		}
	}
	return ""
}
