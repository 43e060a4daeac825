package restore

import (
	"flag"
	"github.com/weekback/weekback/export"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag may be registered by another test file of this binary
// too; it is looked up, not owned.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func importUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestImportSummaryGolden(t *testing.T) {
	reports := []struct {
		name string
		rep  ImportReport
	}{
		{"dry run with conflicts", ImportReport{Table: "orders", Mode: ImportInsert, Rows: 1200, Insert: 700, Same: 495, Conflict: 5,
			Conflicts: []ImportConflict{{Row: 12, Key: "5", Fields: []FieldDiff{{Column: "status", File: `"paid"`, Target: `"new"`},
				{Column: "note", File: "NULL", Target: `"NULL"`}}}, {Row: 40, Key: "77"}}}},
		{"dry run with missing parents", ImportReport{Table: "order_items", Mode: ImportInsert, Rows: 3, Insert: 3, Orphan: 2,
			Orphans: []ImportOrphan{{Row: 1, ForeignKey: "items_order", Parent: "orders", Values: "7"}}}},
		{"spreadsheet profile", ImportReport{Table: "orders", Mode: ImportInsert, Profile: export.ProfileSpreadsheet, Rows: 4, Insert: 4,
			EmptyNull: 3, EmptyText: 1, Unguarded: 2}},
		{"failed before any commit", ImportReport{Table: "orders", Mode: ImportInsert, Rows: 4, Executed: true}},
		{"dry run with value errors", ImportReport{Table: "orders", Mode: ImportUpsert, Rows: 3, Insert: 1, ErrorCount: 2,
			Errors: []ValueError{{Row: 2, Column: "price", Value: `"abc"`, Message: `"abc" is not a decimal number (digits, a point, digits)`},
				{Row: 3, Message: "the row has 3 fields, the header 4"}}}},
		{"upsert written", ImportReport{Table: "orders", Mode: ImportUpsert, Rows: 1200, Insert: 700, Update: 5, Same: 495,
			UndoPath: "/tmp/orders.csv.undo-20260304T050607.csv", Executed: true}},
		{"missing-only, nothing to do", ImportReport{Table: "orders", Mode: ImportMissingOnly, Rows: 10, Same: 8, Skip: 2, Executed: true}},
		{"undo dry run", ImportReport{Table: "orders", Mode: ImportInsert, UndoFile: true, Rows: 705, Update: 5, Delete: 700}},
		{"keyless written", ImportReport{Table: "log", Mode: ImportInsert, Keyless: true, Rows: 2, Insert: 2, Executed: true}},
		{"table with triggers", ImportReport{Table: "zoo", Mode: ImportMissingOnly, Rows: 4, Insert: 4,
			Triggers: []string{"zoo_stamp BEFORE INSERT"}}},
	}
	var b strings.Builder
	for _, r := range reports {
		b.WriteString("== " + r.name + " ==\n")
		if err := r.rep.WriteSummary(&b); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join("testdata", "import", "summary.golden")
	if importUpdateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run ImportSummaryGolden -update)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("summaries:\n%s\nwant (%s)\n%s", got, path, want)
	}
}
