package template

import (
	"fmt"
	"slices"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// SHOW CREATE TABLE writes each definition on its own line, a foreign key
// as "  CONSTRAINT `name` FOREIGN KEY (…) REFERENCES …", and closes the
// definitions with a line starting ")". Only those lines are touched:
// everything else of production's DDL is run as it is.

// foreignKeyLine returns the index of the line of ddl's lines that defines
// the foreign key name, or -1.
func foreignKeyLine(lines []string, name string) int {
	head := "CONSTRAINT " + mysql.QuoteIdent(name) + " FOREIGN KEY "
	return slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), head) })
}

// withoutForeignKeys returns ddl without the definitions of fks.
func withoutForeignKeys(ddl string, fks []weekback.TemplateForeignKey) (string, error) {
	if len(fks) == 0 {
		return ddl, nil
	}
	lines := strings.Split(ddl, "\n")
	for _, fk := range fks {
		i := foreignKeyLine(lines, fk.Name)
		if i < 0 {
			return "", fmt.Errorf("foreign key %s is not in the DDL of its table", fk.Name)
		}
		lines = slices.Delete(lines, i, i+1)
	}
	if end := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, ")") }); end > 0 {
		lines[end-1] = strings.TrimSuffix(lines[end-1], ",")
	}
	return strings.Join(lines, "\n"), nil
}

// addForeignKey returns the ALTER TABLE statement that adds t's foreign
// key name, as t's DDL defines it.
func addForeignKey(t *weekback.TemplateTable, name string) (string, error) {
	lines := strings.Split(t.DDL, "\n")
	i := foreignKeyLine(lines, name)
	if i < 0 {
		return "", fmt.Errorf("foreign key %s is not in the DDL of table %s", name, t.Name)
	}
	def := strings.TrimSuffix(strings.TrimSpace(lines[i]), ",")
	return "ALTER TABLE " + mysql.QuoteIdent(t.Name) + " ADD " + def, nil
}
