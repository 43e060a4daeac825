package restore_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
)

// againstFixture loads a table of notes keyed by a case-insensitive
// PAD SPACE code and snapshots it as Thursday.
func againstFixture(t *testing.T) *fixture {
	t.Helper()
	script := filepath.Join(t.TempDir(), "notes.sql")
	if err := os.WriteFile(script, []byte(`CREATE TABLE notes (code VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY, body VARCHAR(20));
INSERT INTO notes VALUES ('abc', 'one'), ('def', 'two'), ('ghi', 'three');
CREATE TABLE kept (id INT PRIMARY KEY);
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return mustFixture(t, script, weekback.Thursday)
}

// TestRestoreMissingInDayDroppedTable: Thursday has notes, Friday's
// backup does not (the table was dropped, then created again in
// production with one row). Every Thursday row is missing on Friday: the
// restore selects all three and inserts the two production lacks. (Key
// lookups in Friday's copy failed here: the table is not there.)
func TestRestoreMissingInDayDroppedTable(t *testing.T) {
	f := againstFixture(t)
	thursday := f.Gen
	notes := mysql.QuoteTable(f.Source, "notes")
	f.exec(t, "DROP TABLE "+notes)
	friday := f.Snapshot(t, weekback.Friday)
	f.exec(t, "CREATE TABLE "+notes+" (code VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY, body VARCHAR(20))",
		"INSERT INTO "+notes+" VALUES ('abc', 'one')")
	src := f.restoreSource(t)
	src.Gen, src.Against = thursday, friday
	p := mustPlan(t, src, f.target(t), restore.Options{Table: "notes", MissingIn: "fri"})
	if tp := p.Tables[0]; tp.Selected != 3 || tp.Insert != 2 || tp.Same != 1 {
		t.Fatalf("notes: selected %d insert %d same %d, want 3, 2, 1\n%s", tp.Selected, tp.Insert, tp.Same, report(t, p))
	}
	p = mustPlan(t, src, f.target(t), restore.Options{Table: "notes", ChangedIn: true})
	if tp := p.Tables[0]; tp.Selected != 0 {
		t.Fatalf("notes --changed-in a day without the table: selected %d, want 0\n%s", tp.Selected, report(t, p))
	}
}

// TestRestoreAgainstCollationKeys: a case-insensitive PAD SPACE key
// whose value changed only by letter case ('abc' → 'ABC') or a trailing
// space ('def' → 'def ') is the same row with another value: not missing
// on Friday nor in production, changed on Friday.
func TestRestoreAgainstCollationKeys(t *testing.T) {
	f := againstFixture(t)
	thursday := f.Gen
	notes := mysql.QuoteTable(f.Source, "notes")
	f.exec(t, "UPDATE "+notes+" SET code = 'ABC' WHERE code = 'abc'", "UPDATE "+notes+" SET code = 'def ' WHERE code = 'def'")
	src := f.restoreSource(t)
	src.Gen, src.Against = thursday, f.Snapshot(t, weekback.Friday)
	for _, c := range []struct {
		name string
		opts restore.Options
		want int
	}{
		{"missing in fri", restore.Options{Table: "notes", MissingIn: "fri"}, 0},
		{"missing in production", restore.Options{Table: "notes", MissingIn: restore.Production}, 0},
		{"changed in fri", restore.Options{Table: "notes", ChangedIn: true}, 2},
	} {
		p := mustPlan(t, src, f.target(t), c.opts)
		if got := p.Tables[0].Selected; got != c.want {
			t.Errorf("%s: selected %d, want %d\n%s", c.name, got, c.want, report(t, p))
		}
	}
}
