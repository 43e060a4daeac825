package restore

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/weekback/weekback"
)

// itemsSchema is the table most import tests load into.
const itemsSchema = `
CREATE TABLE items (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(20) NOT NULL,
  price DECIMAL(8,2) NULL,
  note TEXT NULL,
  tag VARBINARY(8) NULL,
  total INT AS (id * 2) VIRTUAL
);
INSERT INTO items (id, name, price, note, tag) VALUES (1, 'apple', 1.50, 'red', x'01'), (2, 'pear', 2.00, NULL, NULL), (3, 'plum', 0.99, 'x', x'');
`

// itemsChanges has one row as in the table, one that differs and one new.
var itemsChanges = crlf(`
"id","name","price","note","tag"
"1","apple","1.50","red","0x01"
"2","pear","2.50",NULL,NULL
"4","kiwi","3.00","new","0xff"
`)

func TestImportDryRunChangesNothing(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	before := f.dump("items")
	tests := []struct {
		mode ImportMode
		want string
	}{
		{ImportInsert, "rows=3 insert=1 update=0 same=1 skip=0 delete=0 conflict=1 errors=0"},
		{ImportUpsert, "rows=3 insert=1 update=1 same=1 skip=0 delete=0 conflict=0 errors=0"},
		{ImportMissingOnly, "rows=3 insert=1 update=0 same=1 skip=1 delete=0 conflict=0 errors=0"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			path := f.file(itemsChanges)
			rep, err := f.run(path, "items", ImportOptions{Mode: tt.mode})
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			if got := counts(rep); got != tt.want {
				t.Errorf("counts:\n got %s\nwant %s", got, tt.want)
			}
			if rep.Executed || rep.UndoPath != "" {
				t.Errorf("executed=%v undo=%q, want a dry run without undo file", rep.Executed, rep.UndoPath)
			}
			if got := f.dump("items"); got != before {
				t.Errorf("table changed by a dry run:\n%s\nwant\n%s", got, before)
			}
			if undo, _ := filepath.Glob(path + ".undo-*"); len(undo) > 0 {
				t.Errorf("dry run wrote %v", undo)
			}
		})
	}
}

func TestImportConflictsRefuseInsert(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	before := f.dump("items")
	rep, err := f.runCSV(itemsChanges, "items", ImportOptions{})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	want := ImportConflict{Row: 2, Key: "2", Fields: []FieldDiff{{Column: "price", File: `"2.50"`, Target: `"2.00"`}}}
	if len(rep.Conflicts) != 1 || !reflect.DeepEqual(rep.Conflicts[0], want) {
		t.Errorf("conflicts=%+v, want %+v", rep.Conflicts, want)
	}
	var out strings.Builder
	if err := rep.WriteSummary(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"row 2: key 2", `price: file "2.50", target "2.00"`, "--mode upsert", "dry run"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("summary lacks %q:\n%s", s, out.String())
		}
	}
	rep, err = f.runCSV(itemsChanges, "items", ImportOptions{Execute: true})
	if weekback.ErrorCode(err) != weekback.ECONFLICT || !strings.Contains(err.Error(), "--mode upsert") {
		t.Fatalf("execute with conflicts: err=%v, want ECONFLICT naming --mode upsert", err)
	}
	if rep.Executed {
		t.Errorf("report says executed")
	}
	if got := f.dump("items"); got != before {
		t.Errorf("table changed:\n%s\nwant\n%s", got, before)
	}
}

func TestImportMissingOnlySkips(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	path := f.file(itemsChanges)
	rep := f.mustRun(path, "items", ImportOptions{Mode: ImportMissingOnly, Execute: true})
	if got, want := counts(rep), "rows=3 insert=1 update=0 same=1 skip=1 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("counts:\n got %s\nwant %s", got, want)
	}
	want := `"1"|"apple"|"1.50"|"red"|"\x01"|"2"
"2"|"pear"|"2.00"|NULL|NULL|"4"
"3"|"plum"|"0.99"|"x"|""|"6"
"4"|"kiwi"|"3.00"|"new"|"\xff"|"8"
`
	if got := f.dump("items"); got != want {
		t.Errorf("table:\n%s\nwant\n%s", got, want)
	}
	wantUndo := crlf(`
"_weekback_undo","id","name","price","note","tag"
"delete","4","kiwi","3.00","new","0xff"
`)
	if got := readFile(t, rep.UndoPath); got != wantUndo {
		t.Errorf("undo file:\n%s\nwant\n%s", got, wantUndo)
	}
}

func TestImportUpsertUndoRestores(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	before, beforeHash := f.dump("items"), f.hash("items")
	rep := f.mustRun(f.file(itemsChanges), "items", ImportOptions{Mode: ImportUpsert, Execute: true})
	if got, want := counts(rep), "rows=3 insert=1 update=1 same=1 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("counts:\n got %s\nwant %s", got, want)
	}
	wantUndo := crlf(`
"_weekback_undo","id","name","price","note","tag"
"restore","2","pear","2.00",NULL,NULL
"delete","4","kiwi","3.00","new","0xff"
`)
	// Restores come first in a batch only by plan order: compare as sets.
	if got := readFile(t, rep.UndoPath); !sameLines(got, wantUndo) {
		t.Errorf("undo file:\n%s\nwant\n%s", got, wantUndo)
	}
	if info, err := os.Stat(rep.UndoPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("undo file mode: %v %v, want 0600", info.Mode(), err)
	}
	after, afterHash := f.dump("items"), f.hash("items")
	undo := f.mustRun(rep.UndoPath, "items", ImportOptions{Execute: true})
	if got, want := counts(undo), "rows=2 insert=0 update=1 same=0 skip=0 delete=1 conflict=0 errors=0"; got != want {
		t.Errorf("undo counts:\n got %s\nwant %s", got, want)
	}
	if got := f.hash("items"); got != beforeHash {
		t.Errorf("after undo: hash %s, want %s (before the import)\n%s\nwant\n%s", got, beforeHash, f.dump("items"), before)
	}
	// The undo wrote its own undo file: importing it redoes the import.
	redo := f.mustRun(undo.UndoPath, "items", ImportOptions{Execute: true})
	if got := f.hash("items"); got != afterHash {
		t.Errorf("after undo of undo: %s, want %s\n%s\nwant\n%s", counts(redo), afterHash, f.dump("items"), after)
	}
}

// sameLines reports whether a and b hold the same lines, in any order
// after the first.
func sameLines(a, b string) bool {
	la, lb := strings.Split(a, "\r\n"), strings.Split(b, "\r\n")
	if len(la) != len(lb) || la[0] != lb[0] {
		return false
	}
	seen := map[string]int{}
	for _, l := range la[1:] {
		seen[l]++
	}
	for _, l := range lb[1:] {
		seen[l]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestImportUndoOfInsertDeletes(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	before := f.hash("items")
	rep := f.mustRun(f.file(crlf(`
"id","name"
"10","ten"
"11","eleven"
`)), "items", ImportOptions{Execute: true})
	if rep.Insert != 2 {
		t.Fatalf("insert=%d, want 2", rep.Insert)
	}
	undo := f.mustRun(rep.UndoPath, "items", ImportOptions{Execute: true})
	if undo.Delete != 2 {
		t.Errorf("delete=%d, want 2", undo.Delete)
	}
	if got := f.hash("items"); got != before {
		t.Errorf("after undo: %s\nwant the table before the import (%s):\n%s", got, before, f.dump("items"))
	}
	again := f.mustRun(rep.UndoPath, "items", ImportOptions{Execute: true})
	if got, want := counts(again), "rows=2 insert=0 update=0 same=2 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("undo run twice:\n got %s\nwant %s", got, want)
	}
}

func TestImportInterruptedRerunConverges(t *testing.T) {
	var b strings.Builder
	b.WriteString("\"id\",\"name\",\"price\"\r\n")
	for i := 1; i <= 11; i++ {
		b.WriteString(`"` + strconv.Itoa(i) + `","n` + strconv.Itoa(i) + `","` + strconv.Itoa(i) + `.25"` + "\r\n")
	}
	whole := newImportFixture(t, itemsSchema)
	whole.mustRun(whole.file(b.String()), "items", ImportOptions{Mode: ImportUpsert, Execute: true})
	want := whole.dump("items")

	f := newImportFixture(t, itemsSchema)
	before := f.hash("items")
	path := f.file(b.String())
	ctx, cancel := context.WithCancel(context.Background())
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	first, err := Import(ctx, f.db, in, ImportOptions{Table: "items", Mode: ImportUpsert, Execute: true, BatchSize: 4,
		UndoPath: path + ".undo1.csv", Logger: slog.New(slog.DiscardHandler), Progress: func(done int64) {
			if done >= 4 {
				cancel()
			}
		}})
	if weekback.ErrorCode(err) != weekback.EABORTED || first == nil || !first.Executed {
		t.Fatalf("interrupted import: err=%v report=%+v, want EABORTED after the first batch", err, first)
	}
	if got, want := counts(first), "rows=4 insert=1 update=3 same=0 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("interrupted run:\n got %s\nwant %s", got, want)
	}
	second := f.mustRun(path, "items", ImportOptions{Mode: ImportUpsert, Execute: true, UndoPath: path + ".undo2.csv"})
	if got, want := counts(second), "rows=11 insert=7 update=0 same=4 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("re-run:\n got %s\nwant %s", got, want)
	}
	if got := f.dump("items"); got != want {
		t.Errorf("after the re-run:\n%s\nwant (one uninterrupted run)\n%s", got, want)
	}
	// Undo in reverse order: the second run's rows, then the first's.
	f.mustRun(second.UndoPath, "items", ImportOptions{Execute: true})
	f.mustRun(first.UndoPath, "items", ImportOptions{Execute: true})
	if got := f.hash("items"); got != before {
		t.Errorf("after both undos: %s, want %s\n%s", got, before, f.dump("items"))
	}
}
