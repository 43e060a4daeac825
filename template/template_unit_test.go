package template

import (
	"slices"
	"strings"
	"testing"

	"github.com/weekback/weekback"
)

// fkTable is a table named name with one foreign key to each of refs.
func fkTable(name string, refs ...string) *weekback.TemplateTable {
	t := &weekback.TemplateTable{Name: name}
	for _, r := range refs {
		t.ForeignKeys = append(t.ForeignKeys, weekback.TemplateForeignKey{Name: name + "_" + r, ReferencedTable: r})
	}
	return t
}

func TestTemplateOrderTables(t *testing.T) {
	cases := []struct {
		name     string
		tables   []*weekback.TemplateTable
		want     []string
		deferred map[string][]string
	}{
		{"chain", []*weekback.TemplateTable{fkTable("items", "orders"), fkTable("orders", "customers"), fkTable("customers")},
			[]string{"customers", "orders", "items"}, nil},
		{"self reference", []*weekback.TemplateTable{fkTable("emp", "emp"), fkTable("dept")}, []string{"dept", "emp"}, nil},
		{"reference outside the list", []*weekback.TemplateTable{fkTable("b", "zzz"), fkTable("a", "b")}, []string{"b", "a"}, nil},
		{"two-cycle", []*weekback.TemplateTable{fkTable("b", "a"), fkTable("a", "b")}, []string{"a", "b"},
			map[string][]string{"a": {"a_b"}}},
		{"three-cycle behind a dependent", []*weekback.TemplateTable{fkTable("a", "x"), fkTable("x", "y"), fkTable("y", "z"), fkTable("z", "x")},
			[]string{"x", "a", "z", "y"}, map[string][]string{"x": {"x_y"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := orderTables(c.tables)
			got := mapNames(o.Tables, func(t *weekback.TemplateTable) string { return t.Name })
			if !slices.Equal(got, c.want) {
				t.Fatalf("order=%q, want %q", got, c.want)
			}
			for table, fks := range o.Deferred {
				names := mapNames(fks, func(fk weekback.TemplateForeignKey) string { return fk.Name })
				if !slices.Equal(names, c.deferred[table]) {
					t.Errorf("deferred of %s=%q, want %q", table, names, c.deferred[table])
				}
			}
			if len(o.Deferred) != len(c.deferred) {
				t.Errorf("deferred=%v, want %v", o.Deferred, c.deferred)
			}
		})
	}
}

func TestTemplateWithoutForeignKeys(t *testing.T) {
	ddl := "CREATE TABLE `a` (\n  `id` int(11) NOT NULL,\n  `b_id` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n" +
		"  KEY `fk b` (`b_id`),\n  CONSTRAINT `fk b` FOREIGN KEY (`b_id`) REFERENCES `b` (`id`),\n" +
		"  CONSTRAINT `fk c` FOREIGN KEY (`b_id`) REFERENCES `c` (`id`) ON DELETE CASCADE\n) ENGINE=InnoDB"
	fk := func(name string) weekback.TemplateForeignKey { return weekback.TemplateForeignKey{Name: name} }
	got, err := withoutForeignKeys(ddl, []weekback.TemplateForeignKey{fk("fk c")})
	want := "CREATE TABLE `a` (\n  `id` int(11) NOT NULL,\n  `b_id` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n" +
		"  KEY `fk b` (`b_id`),\n  CONSTRAINT `fk b` FOREIGN KEY (`b_id`) REFERENCES `b` (`id`)\n) ENGINE=InnoDB"
	if err != nil || got != want {
		t.Fatalf("without the last key:\n%s\nerr=%v, want:\n%s", got, err, want)
	}
	got, _ = withoutForeignKeys(ddl, []weekback.TemplateForeignKey{fk("fk b"), fk("fk c")})
	if strings.Contains(got, "CONSTRAINT") || !strings.Contains(got, "KEY `fk b` (`b_id`)\n)") {
		t.Fatalf("without both keys:\n%s", got)
	}
	if _, err := withoutForeignKeys(ddl, []weekback.TemplateForeignKey{fk("nope")}); err == nil {
		t.Fatalf("an unknown foreign key is not an error")
	}
	alter, err := addForeignKey(&weekback.TemplateTable{Name: "a", DDL: ddl}, "fk c")
	if want := "ALTER TABLE `a` ADD CONSTRAINT `fk c` FOREIGN KEY (`b_id`) REFERENCES `c` (`id`) ON DELETE CASCADE"; err != nil || alter != want {
		t.Fatalf("alter=%q err=%v, want %q", alter, err, want)
	}
}

// TestTemplateSameValues: values that MySQL 8 and MariaDB write differently
// compare equal; real differences do not.
func TestTemplateSameValues(t *testing.T) {
	cases := []struct {
		name  string
		same  func(a, b string) bool
		a, b  string
		equal bool
	}{
		{"int display width", sameType, "int(10) unsigned", "int unsigned", true},
		{"decimal precision", sameType, "decimal(12,2)", "decimal(10,2)", false},
		{"varchar length", sameType, "varchar(20)", "varchar(30)", false},
		{"quoted literal", sameDefault, "'new'", "new", true},
		{"quote inside literal", sameDefault, "'it''s'", "it's", true},
		{"no default and NULL", sameDefault, "none", "NULL", true},
		{"NULL and the string 'NULL'", sameDefault, "NULL", "'NULL'", false},
		{"current_timestamp", sameDefault, "current_timestamp()", "CURRENT_TIMESTAMP", true},
		{"other literal", sameDefault, "'new'", "'paid'", false},
		{"DEFAULT_GENERATED", sameExtra, "on update current_timestamp()", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP", true},
		{"auto_increment lost", sameExtra, "auto_increment", "", false},
		{"utf8 alias", sameCharset, "utf8_general_ci", "utf8mb3_general_ci", true},
		{"other collation", sameCharset, "utf8mb4_general_ci", "utf8mb4_0900_ai_ci", false},
		{"expression quoting", sameExpression, "`qty` * `price`", "(qty*price)", false},
		{"expression spacing", sameExpression, "`qty` * `price`", "qty*price", true},
		{"NO ACTION is RESTRICT", sameRule, "NO ACTION", "RESTRICT", true},
		{"CASCADE", sameRule, "CASCADE", "RESTRICT", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.same(c.a, c.b); got != c.equal {
				t.Fatalf("same(%q, %q)=%v, want %v", c.a, c.b, got, c.equal)
			}
		})
	}
}

func TestTemplateDifferenceString(t *testing.T) {
	cases := []struct {
		d    Difference
		want string
	}{
		{Difference{Table: "orders", Object: DiffColumn, Name: "amount", What: "type", Template: "decimal(12,2)", Target: "decimal(10,2)"},
			"orders.amount: type decimal(12,2) in the template, decimal(10,2) in the target"},
		{Difference{Table: "orders", Object: DiffColumn, Name: "note", What: DiffMissing}, "orders.note: column in the template, missing in the target"},
		{Difference{Table: "orders", Object: DiffIndex, Name: "x", What: DiffExtra}, "orders: index x in the target, not in the template"},
		{Difference{Table: "orders", Object: DiffTable, What: "engine", Template: "InnoDB", Target: "MyISAM"},
			"orders: engine InnoDB in the template, MyISAM in the target"},
	}
	for _, c := range cases {
		if got := c.d.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
