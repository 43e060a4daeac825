package restore

import (
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
)

// spreadsheetItems is the items table as the spreadsheet profile writes
// it: a BOM, values quoted only when needed, NULL as an empty cell, a
// guarded formula, and the text NULL bare.
const spreadsheetItems = "\xef\xbb\xbfid,name,price,note,tag\r\n" +
	"5,melon,,'=1+1,\r\n" +
	"6,NULL,2.00,\"a, b\",0x02\r\n" +
	"7,,1.00,,\r\n"

// TestImportRefusesSpreadsheetProfile: without --profile a spreadsheet
// export is refused before anything is written, naming the first cell a
// reimport file would have quoted and both ways out.
func TestImportRefusesSpreadsheetProfile(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	before := f.dump("items")
	for _, execute := range []bool{false, true} {
		_, err := f.runCSV(spreadsheetItems, "items", ImportOptions{Execute: execute})
		for _, want := range []string{"row 1, column id", "byte order mark", "spreadsheet-profile", "--profile reimport", "--profile spreadsheet", "nothing was written"} {
			if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), want) {
				t.Errorf("execute=%v: err=%v, want EINVALID with %q", execute, err, want)
			}
		}
	}
	if got := f.dump("items"); got != before {
		t.Errorf("items changed:\n%s\nwant\n%s", got, before)
	}
}

// TestImportSpreadsheetProfile reads the same file with --profile
// spreadsheet: empty cells are NULL in nullable columns and ” in NOT NULL
// ones, the guard is removed, the text NULL stays text, and the summary
// says so.
func TestImportSpreadsheetProfile(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	rep, err := f.runCSV(spreadsheetItems, "items", ImportOptions{Execute: true, Profile: export.ProfileSpreadsheet})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if rep.Insert != 3 || rep.EmptyNull != 4 || rep.EmptyText != 1 || rep.Unguarded != 1 {
		t.Fatalf("report %+v, want 3 inserted, 4 NULL cells, 1 empty text, 1 guard removed", rep)
	}
	got := f.dump("items")
	for _, want := range []string{`"5"|"melon"|NULL|"=1+1"|NULL`, `"6"|"NULL"|"2.00"|"a, b"|"\x02"`, `"7"|""|"1.00"|NULL|NULL`} {
		if !strings.Contains(got, want) {
			t.Errorf("items lack %s:\n%s", want, got)
		}
	}
	var out strings.Builder
	if err := rep.WriteSummary(&out); err != nil || !strings.Contains(out.String(), "4 empty cells of nullable columns read as NULL, 1 empty cells of NOT NULL columns as empty text") {
		t.Errorf("summary (%v):\n%s", err, out.String())
	}
}

// TestImportSelfReferenceParentLater: a row may reference a row of its own
// table that comes later in the file; a reference to a row in neither the
// file nor the table is reported.
func TestImportSelfReferenceParentLater(t *testing.T) {
	f := newImportFixture(t, `
CREATE TABLE people (id INT PRIMARY KEY, boss INT NULL, CONSTRAINT people_boss FOREIGN KEY (boss) REFERENCES people (id));
INSERT INTO people VALUES (1, NULL);
`)
	rep, err := f.runCSV(crlf(`
"id","boss"
"2","3"
"3","1"
"4","9"
`), "people", ImportOptions{})
	if weekback.ErrorCode(err) != weekback.EINVALID || rep.Orphan != 1 || rep.Orphans[0].Row != 3 {
		t.Fatalf("err=%v orphans=%+v, want only row 3 (boss 9)", err, rep.Orphans)
	}
}
