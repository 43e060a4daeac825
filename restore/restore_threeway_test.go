package restore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
)

// TestRestoreChangedInThreeWay: on Thursday order 1 is paid with note
// "first"; by Friday a bad job set it to cancelled with note "oops"; since
// then someone fixed the note by hand. Restoring Thursday's changed rows
// (--changed-in fri) sets status back (production still holds Friday's
// value) and leaves the note alone, reporting it as a conflict with all
// three values; the undo file puts the row back as it was.
func TestRestoreChangedInThreeWay(t *testing.T) {
	f := mustFixture(t, "testdata/restore/shop_cascade.sql", weekback.Thursday)
	q := func(s string) string { return strings.ReplaceAll(s, "$S", mysql.QuoteIdent(f.Source)) }
	thursday := f.Gen
	f.exec(t, q("UPDATE $S.orders SET status = 'cancelled', note = 'oops' WHERE id = 1"))
	friday := f.Snapshot(t, weekback.Friday)
	f.exec(t, q("UPDATE $S.orders SET note = 'fixed by hand' WHERE id = 1"))
	target := f.target(t)
	src := f.restoreSource(t)
	src.Gen, src.Against = thursday, friday
	opts := restore.Options{Table: "orders", ChangedIn: true, Execute: true, UndoPath: undoPath(t, "threeway")}
	p := mustPlan(t, src, target, opts)
	r := report(t, p)
	if tp := p.Tables[0]; tp.Update != 1 || tp.Conflict != 1 ||
		!strings.Contains(r, `note: day "first", damaged "oops", now "fixed by hand" (edited since)`) {
		t.Fatalf("plan: update %d, conflict %d\n%s", tp.Update, tp.Conflict, r)
	}
	before := state(t, f.DB, f.Source)
	if err := p.Execute(context.Background(), target); err != nil {
		t.Fatalf("Execute: %v\n%s", err, report(t, p))
	}
	var status, note string
	if err := f.DB.QueryRow(q("SELECT status, note FROM $S.orders WHERE id = 1")).Scan(&status, &note); err != nil || status != "paid" || note != "fixed by hand" {
		t.Fatalf("order 1: status %q note %q (%v), want paid (set back) and the note edited since (kept)", status, note, err)
	}
	if _, err := restore.Undo(context.Background(), target, p.UndoPath, restore.UndoOptions{Execute: true, UndoPath: undoPath(t, "undo")}); err != nil {
		t.Fatalf("undo: %v", err)
	}
	if got := state(t, f.DB, f.Source); got != before {
		t.Errorf("after the undo:\n%s\nwant\n%s", got, before)
	}
}

// TestRestoreChangedInReferencedColumn: a damaged value that another
// table's foreign key references (a UNIQUE code, ON UPDATE CASCADE) is
// not set back: that would change the other table's rows. It is a
// conflict saying so; the card's other field is set back.
func TestRestoreChangedInReferencedColumn(t *testing.T) {
	script := filepath.Join(t.TempDir(), "cards.sql")
	if err := os.WriteFile(script, []byte(`CREATE TABLE cards (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE, label VARCHAR(20));
CREATE TABLE uses (id INT PRIMARY KEY, code VARCHAR(10), CONSTRAINT uses_card FOREIGN KEY (code) REFERENCES cards (code) ON UPDATE CASCADE);
INSERT INTO cards VALUES (1, 'A', 'first');
INSERT INTO uses VALUES (10, 'A');
`), 0o600); err != nil {
		t.Fatal(err)
	}
	f := mustFixture(t, script, weekback.Thursday)
	thursday := f.Gen
	f.exec(t, "UPDATE "+mysql.QuoteTable(f.Source, "cards")+" SET code = 'B', label = 'broken' WHERE id = 1")
	src := f.restoreSource(t)
	src.Gen, src.Against = thursday, f.Snapshot(t, weekback.Friday)
	p := mustPlan(t, src, f.target(t), restore.Options{Table: "cards", ChangedIn: true})
	r := report(t, p)
	if tp := p.Tables[0]; tp.Update != 1 || tp.Conflict != 1 || !strings.Contains(r, "through uses.uses_card (ON UPDATE CASCADE)") {
		t.Fatalf("cards: update %d, conflict %d\n%s", tp.Update, tp.Conflict, r)
	}
}
