package export

import (
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

func TestBlankStored(t *testing.T) {
	for _, tt := range []struct {
		dataType, columnType string
		nullable             bool
		want                 string // "NULL" for nil
	}{
		{"varchar", "varchar(100)", true, "NULL"},
		{"varchar", "varchar(100)", false, ""},
		{"int", "int(11)", false, "0"},
		{"decimal", "decimal(10,2)", false, "0.00"},
		{"datetime", "datetime(6)", false, "0000-00-00 00:00:00.000000"},
		{"timestamp", "timestamp", false, "0000-00-00 00:00:00"},
		{"date", "date", false, "0000-00-00"},
		{"time", "time(3)", false, "00:00:00.000"},
		{"year", "year(4)", false, "0000"},
		{"bit", "bit(12)", false, "\x00\x00"},
	} {
		t.Run(tt.columnType, func(t *testing.T) {
			got := blankStored(mysql.Column{DataType: tt.dataType, ColumnType: tt.columnType}, slotColumn{nullable: tt.nullable})
			if s := string(got); got == nil && tt.want != "NULL" || got != nil && s != tt.want {
				t.Errorf("blankStored(%s) = %q, want %q", tt.columnType, got, tt.want)
			}
		})
	}
}

func TestLiterals(t *testing.T) {
	for _, tt := range []struct {
		dataType, charset, in, want string
		null                        bool
	}{
		{"varchar", "utf8mb4", "it's a \\ \"test\"\n\r\x1a\x00日本", `'it\'s a \\ \"test\"\n\r\Z\0日本'`, false},
		{"varchar", "latin1", "caf\xe9", "0x636166e9", false},
		{"blob", "", "", "''", false},
		{"varbinary", "", "\x00\xff", "0x00ff", false},
		{"double", "", "1.7976931348623157e308", "1.7976931348623157e308", false},
		{"datetime", "", "0000-00-00 00:00:00", "'0000-00-00 00:00:00'", false},
		{"int", "", "", "NULL", true},
	} {
		t.Run(tt.dataType+"/"+tt.want, func(t *testing.T) {
			var v []byte
			if !tt.null {
				v = []byte(tt.in)
			}
			got := string(literalFor(mysql.Column{DataType: tt.dataType}, slotColumn{charset: tt.charset})(nil, v))
			if got != tt.want {
				t.Errorf("literal of %q = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestLoadOrder: parents first, a self reference ignored, a cycle last by
// name.
func TestLoadOrder(t *testing.T) {
	refs := map[string][]string{"orders": {"customers"}, "items": {"orders", "products"}, "a": {"b"}, "b": {"a"}, "tree": {"tree"}}
	got := strings.Join(loadOrder([]string{"items", "orders", "a", "b", "tree", "customers", "products"}, refs), " ")
	if want := "customers orders products tree items a b"; got != want {
		t.Errorf("loadOrder = %s, want %s", got, want)
	}
}

// TestOrderViews: a view after the views it reads.
func TestOrderViews(t *testing.T) {
	views := []weekback.ViewInfo{{Name: "a_count", DDL: "CREATE VIEW `a_count` AS select count(0) from `b_names`"}, {Name: "b_names", DDL: "CREATE VIEW `b_names` AS select 1"}}
	if got := orderViews(views); got[0].Name != "b_names" {
		t.Errorf("orderViews = %v, want b_names first", got)
	}
}
