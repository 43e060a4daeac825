package restore

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"

	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// exportReimport writes table as the export does with the reimport
// profile: its stored columns read by ScanRecords over a RoleExport
// connection, written by export.CSVWriter.
func exportReimport(t *testing.T, f *importFixture, table string) []byte {
	t.Helper()
	ctx := context.Background()
	conn, err := mustOpenRole(t, f.schema, mysql.RoleExport).Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cat := new(mysql.Catalog)
	rt, err := cat.Table(ctx, conn, f.schema, table)
	if err != nil {
		t.Fatal(err)
	}
	q := mysql.RecordQuery{Schema: f.schema, Table: table}
	for _, c := range rt.Columns {
		if !c.Generated {
			q.Columns = append(q.Columns, c.Name)
		}
	}
	cols, err := cat.RecordColumns(ctx, conn, q)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	cw, err := export.NewCSVWriter(&buf, cols, export.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	if err := cat.ScanRecords(ctx, conn, q, cw.WriteRow); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportZooRoundTrip exports every type's edge values and imports
// them into an empty copy of the table: the copy must hash the same, byte
// for byte, and a second import must find every row the same.
func TestImportZooRoundTrip(t *testing.T) {
	script, err := os.ReadFile("../snapshotter/testdata/typezoo/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	f := newImportFixture(t, string(script))
	f.exec("CREATE TABLE zoo_copy LIKE zoo") // without the trigger
	csv := exportReimport(t, f, "zoo")
	path := f.file(string(csv))
	rep := f.mustRun(path, "zoo_copy", ImportOptions{Execute: true})
	if got, want := counts(rep), "rows=4 insert=4 update=0 same=0 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("import:\n got %s\nwant %s", got, want)
	}
	if got, want := f.hash("zoo_copy"), f.hash("zoo"); got != want {
		t.Errorf("zoo_copy hash %s, want %s (zoo)\n%s\nwant\n%s", got, want, f.dump("zoo_copy"), f.dump("zoo"))
	}
	if got, want := rep.Triggers, []string(nil); !slices.Equal(got, want) {
		t.Errorf("zoo_copy triggers %q, want none", got)
	}
	for _, table := range []string{"zoo_copy", "zoo"} {
		again, err := f.run(path, table, ImportOptions{Mode: ImportUpsert})
		if err != nil {
			t.Fatalf("dry run into %s: %v", table, err)
		}
		if got, want := counts(again), "rows=4 insert=0 update=0 same=4 skip=0 delete=0 conflict=0 errors=0"; got != want {
			t.Errorf("dry run into %s:\n got %s\nwant %s", table, got, want)
		}
		if table == "zoo" && !slices.Equal(again.Triggers, []string{"zoo_stamp BEFORE INSERT"}) {
			t.Errorf("zoo triggers %q, want zoo_stamp BEFORE INSERT", again.Triggers)
		}
	}
	if back := exportReimport(t, f, "zoo_copy"); !bytes.Equal(back, csv) {
		t.Errorf("export of the copy differs:\n%s\nwant\n%s", back, csv)
	}
}

// TestImportZooUndo overwrites every zoo row with another's values and
// undoes it: the table must hash as before.
func TestImportZooUndo(t *testing.T) {
	script, err := os.ReadFile("../snapshotter/testdata/typezoo/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	f := newImportFixture(t, string(script))
	f.exec("DROP TRIGGER zoo_stamp", "CREATE TABLE zoo_other LIKE zoo",
		"INSERT INTO zoo_other (id, s_big, txt) SELECT id, -id, CONCAT('other ', id) FROM zoo",
		"INSERT INTO zoo_other (id, txt) VALUES (99, 'new')")
	before := f.hash("zoo")
	rep := f.mustRun(f.file(string(exportReimport(t, f, "zoo_other"))), "zoo", ImportOptions{Mode: ImportUpsert, Execute: true})
	if got, want := counts(rep), "rows=5 insert=1 update=4 same=0 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("upsert:\n got %s\nwant %s", got, want)
	}
	f.mustRun(rep.UndoPath, "zoo", ImportOptions{Execute: true})
	if got := f.hash("zoo"); got != before {
		t.Errorf("after undo: %s, want %s\n%s", got, before, f.dump("zoo"))
	}
}
