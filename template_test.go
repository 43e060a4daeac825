package weekback_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/weekback/weekback"
)

func TestTemplateLookupAndReferences(t *testing.T) {
	tpl := &weekback.Template{Tables: []weekback.TemplateTable{
		{Name: "customers", Columns: []weekback.TemplateColumn{{Name: "id"}}, ForeignKeys: []weekback.TemplateForeignKey{
			{Name: "referrer", ReferencedTable: "customers"},
		}},
		{Name: "orders", ForeignKeys: []weekback.TemplateForeignKey{
			{Name: "a", ReferencedTable: "customers"},
			{Name: "b", ReferencedTable: "customers"},
			{Name: "c", ReferencedSchema: "other", ReferencedTable: "rates"},
			{Name: "d", ReferencedTable: "products"},
		}},
	}}
	if tpl.Lookup("orders") != &tpl.Tables[1] || tpl.Lookup("nope") != nil {
		t.Fatalf("Lookup finds the wrong table")
	}
	if c := tpl.Tables[0].Column("id"); c == nil || tpl.Tables[0].Column("x") != nil {
		t.Fatalf("Column finds the wrong column")
	}
	if got, want := tpl.Tables[1].References(), []string{"customers", "products"}; !slices.Equal(got, want) {
		t.Fatalf("references=%q, want %q (each once, same schema only)", got, want)
	}
	if got := tpl.Tables[0].References(); !slices.Equal(got, []string{"customers"}) {
		t.Fatalf("self reference: references=%q, want [customers]", got)
	}
}

// TestTemplateJSONNames pins the snake_case member names of the format
// (docs/TEMPLATE_FORMAT.md) and that a column without default says null.
func TestTemplateJSONNames(t *testing.T) {
	def := "'new'"
	tpl := weekback.Template{Format: weekback.TemplateFormat, Day: weekback.Monday, Table: "t", Tables: []weekback.TemplateTable{{
		Name: "t", DDL: "CREATE TABLE `t` (…)",
		Columns:     []weekback.TemplateColumn{{Name: "a", ColumnType: "int(11)"}, {Name: "s", Default: &def}},
		Indexes:     []weekback.TemplateIndex{{Name: "PRIMARY", Unique: true, Columns: []weekback.TemplateIndexColumn{{Name: "a", Length: 3}}}},
		ForeignKeys: []weekback.TemplateForeignKey{{Name: "f", ReferencedTable: "u", OnDelete: "CASCADE"}},
	}}}
	b, err := json.Marshal(tpl)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"format":1`, `"day":"mon"`, `"snapshot_at":`, `"source_schema":`, `"tables":[`,
		`"column_type":"int(11)"`, `"default":null`, `"default":"'new'"`, `"foreign_keys":[`, `"referenced_table":"u"`,
		`"on_delete":"CASCADE"`, `"length":3`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), `"checksum"`) {
		t.Errorf("an empty checksum is written: %s", b)
	}
}
