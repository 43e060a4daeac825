package restore

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
)

// TestImportForeignKeyCheckedFirst: a row whose parent is missing is
// found by the check pass, in the dry run and before an execution writes
// anything: no batch is written, no undo file is left, and the summary
// names the row, the constraint and the parent table.
func TestImportForeignKeyCheckedFirst(t *testing.T) {
	f := newImportFixture(t, `
CREATE TABLE parents (id INT PRIMARY KEY);
CREATE TABLE children (id INT PRIMARY KEY, parent INT NOT NULL, CONSTRAINT child_parent FOREIGN KEY (parent) REFERENCES parents (id));
INSERT INTO parents VALUES (1);
`)
	csv := crlf(`
"id","parent"
"1","1"
"2","1"
"3","7"
"4","1"
"5","1"
`)
	for _, execute := range []bool{false, true} {
		rep, err := f.runCSV(csv, "children", ImportOptions{Execute: execute, BatchSize: 2})
		for _, want := range []string{"row 3", "child_parent = 7", "table parents", "nothing was written"} {
			if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), want) {
				t.Errorf("execute=%v: err=%v, want EINVALID with %q", execute, err, want)
			}
		}
		if rep == nil || rep.Orphan != 1 || rep.Executed || rep.UndoPath != "" {
			t.Fatalf("execute=%v: report %+v, want one orphan, not executed, no undo file", execute, rep)
		}
		var out strings.Builder
		if err := rep.WriteSummary(&out); err != nil || !strings.Contains(out.String(), "row 3: child_parent = 7, not in parents") {
			t.Errorf("summary (%v):\n%s", err, out.String())
		}
	}
	if got := f.dump("children"); got != "" {
		t.Errorf("children written:\n%s", got)
	}
}

// TestImportUniqueKeyTable covers a table whose key is a NOT NULL unique
// key (rows are overwritten one UPDATE each), matched in the column's
// case-insensitive collation.
func TestImportUniqueKeyTable(t *testing.T) {
	f := newImportFixture(t, `
CREATE TABLE codes (code VARCHAR(10) CHARACTER SET latin1 NOT NULL, region BIGINT UNSIGNED NOT NULL, label VARCHAR(20), UNIQUE KEY code (code, region));
INSERT INTO codes VALUES ('Café', 18446744073709551615, 'max'), ('Café', 18446744073709551614, 'max-1');
`)
	before := f.hash("codes")
	csv := crlf(`
"code","region","label"
"CAFÉ","18446744073709551615","changed"
"café","18446744073709551614","max-1"
"tea","1","new"
`)
	rep := f.mustRun(f.file(csv), "codes", ImportOptions{Mode: ImportUpsert, Execute: true})
	// Both keys match (case and accents aside, as latin1_swedish_ci
	// compares); both rows differ in bytes, so both are overwritten.
	if got, want := counts(rep), "rows=3 insert=1 update=2 same=0 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("upsert:\n got %s\nwant %s", got, want)
	}
	want := "\"CAFÉ\"|\"18446744073709551615\"|\"changed\"\n\"café\"|\"18446744073709551614\"|\"max-1\"\n\"tea\"|\"1\"|\"new\"\n"
	if got := f.dump("codes"); !sameSet(got, want) {
		t.Errorf("codes:\n%s\nwant\n%s", got, want)
	}
	if again := f.mustRun(f.file(csv), "codes", ImportOptions{}); again.Same != 3 {
		t.Errorf("re-run: %s, want every row the same", counts(again))
	}
	f.mustRun(rep.UndoPath, "codes", ImportOptions{Execute: true})
	if got := f.hash("codes"); got != before {
		t.Errorf("after undo %s, want %s\n%s", got, before, f.dump("codes"))
	}
}

// sameSet compares lines in any order.
func sameSet(a, b string) bool {
	return sameLines("h\r\n"+strings.ReplaceAll(a, "\n", "\r\n"), "h\r\n"+strings.ReplaceAll(b, "\n", "\r\n"))
}

func TestImportUpsertUniqueClash(t *testing.T) {
	f := newImportFixture(t, "CREATE TABLE u (id INT PRIMARY KEY, email VARCHAR(20) NOT NULL, UNIQUE KEY email (email));\n"+
		"INSERT INTO u VALUES (1, 'a@x'), (2, 'b@x');\n")
	before := f.dump("u")
	_, err := f.runCSV(crlf(`
"id","email"
"1","b@x"
`), "u", ImportOptions{Mode: ImportUpsert, Execute: true})
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "Duplicate entry") {
		t.Errorf("err=%v, want EINVALID naming the duplicate", err)
	}
	if got := f.dump("u"); got != before {
		t.Errorf("table changed:\n%s\nwant\n%s", got, before)
	}
}

func TestImportKeylessTable(t *testing.T) {
	f := newImportFixture(t, "CREATE TABLE log (at DATETIME, msg VARCHAR(20));\n")
	csv := crlf(`
"at","msg"
"2026-01-02 03:04:05","a"
"2026-01-02 03:04:05","a"
`)
	rep := f.mustRun(f.file(csv), "log", ImportOptions{Execute: true})
	if rep.Insert != 2 || !rep.Keyless || rep.UndoPath != "" {
		t.Errorf("report %s keyless=%v undo=%q, want 2 inserts, keyless, no undo", counts(rep), rep.Keyless, rep.UndoPath)
	}
	var out strings.Builder
	rep.WriteSummary(&out)
	if !strings.Contains(out.String(), "no key") {
		t.Errorf("summary does not say the table has no key:\n%s", out.String())
	}
}

// TestImportServerWouldChange proves the last line of defence: a value
// no check knows (INET6) that the server would store changed fails the
// batch instead.
func TestImportServerWouldChange(t *testing.T) {
	f := newImportFixture(t, "CREATE TABLE hosts (id INT PRIMARY KEY, ip INET6);\n")
	_, err := f.runCSV(crlf(`
"id","ip"
"1","::1"
"2","nonsense"
`), "hosts", ImportOptions{Execute: true})
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "Incorrect inet6 value") {
		t.Errorf("err=%v, want EINVALID quoting the server's warning", err)
	}
	if got := f.dump("hosts"); got != "" {
		t.Errorf("rows written:\n%s", got)
	}
}

// onlyReader hides the file's Seek: Import must copy it to read it twice.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestImportUnseekableInput(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	in, err := os.Open(f.file(itemsChanges))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rep, err := Import(context.Background(), f.db, onlyReader{in}, ImportOptions{Table: "items", Mode: ImportUpsert, Execute: true,
		UndoPath: in.Name() + ".undo.csv", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := counts(rep), "rows=3 insert=1 update=1 same=1 skip=0 delete=0 conflict=0 errors=0"; got != want {
		t.Errorf("counts:\n got %s\nwant %s", got, want)
	}
}

func TestImportUndoPathRequired(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	_, err := Import(context.Background(), f.db, strings.NewReader(itemsChanges), ImportOptions{Table: "items", Execute: true})
	if weekback.ErrorCode(err) != weekback.EINVALID {
		t.Errorf("err=%v, want EINVALID", err)
	}
	path := f.file(itemsChanges)
	undo := path + ".undo.csv"
	if err := os.WriteFile(undo, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = f.run(path, "items", ImportOptions{Mode: ImportUpsert, Execute: true, UndoPath: undo})
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("err=%v, want EINVALID: the undo file exists", err)
	}
	if got := readFile(t, undo); got != "keep me" {
		t.Errorf("existing undo file overwritten: %q", got)
	}
}

func TestImportDefaultUndoPath(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	path := f.file(itemsChanges)
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	now := func() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.FixedZone("JST", 9*3600)) }
	rep, err := Import(context.Background(), f.db, in, ImportOptions{Table: "items", Mode: ImportUpsert, Execute: true, Now: now,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".undo-20260505T220809.csv"; rep.UndoPath != want {
		t.Errorf("undo path %q, want %q", rep.UndoPath, want)
	}
}

// TestImportLocksOnlyItsRows holds a lock on a row the file does not name:
// the import must not wait for it (its statements go through the key, not
// a scan of the small table).
func TestImportLocksOnlyItsRows(t *testing.T) {
	f := newImportFixture(t, itemsSchema)
	other, err := f.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.Exec("SELECT * FROM items WHERE id = 3 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	path := f.file(itemsChanges)
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rep, err := Import(ctx, f.db, in, ImportOptions{Table: "items", Mode: ImportUpsert, Execute: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("import while row 3 is locked: %v", err)
	}
	undo, err := os.Open(rep.UndoPath)
	if err != nil {
		t.Fatal(err)
	}
	defer undo.Close()
	if _, err := Import(ctx, f.db, undo, ImportOptions{Table: "items", Execute: true, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatalf("undo (deletes) while row 3 is locked: %v", err)
	}
}
