package restore_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
)

// TestRestoreUndoExactWithCascade restores two deleted orders with their
// items; then production adds an item to a restored order. Undoing the
// restore deletes the items and orders it inserted, and the new item goes
// with its order through ON DELETE CASCADE: the dry run says so, the undo
// saves it in its own undo file first, and undoing the undo brings every
// row back, the new item included: each table is then exactly as before
// the undo.
func TestRestoreUndoExactWithCascade(t *testing.T) {
	f := mustFixture(t, "testdata/restore/shop_cascade.sql", weekback.Thursday)
	src, target := f.restoreSource(t), f.target(t)
	q := func(s string) string { return strings.ReplaceAll(s, "$S", mysql.QuoteIdent(f.Source)) }
	f.exec(t, q("DELETE FROM $S.orders WHERE id IN (2, 3)"))
	beforeRestore := state(t, f.DB, f.Source)
	opts := restore.Options{Table: "orders", MissingIn: restore.Production, WithChildren: true, Execute: true, UndoPath: undoPath(t, "restore")}
	p := mustPlan(t, src, target, opts)
	if err := p.Execute(context.Background(), target); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	f.exec(t, q("INSERT INTO $S.order_items VALUES (2, 3, 'SPOON', 4)"))
	beforeUndo := state(t, f.DB, f.Source)

	dry, err := restore.Undo(context.Background(), target, p.UndoPath, restore.UndoOptions{})
	if err != nil {
		t.Fatalf("undo dry run: %v", err)
	}
	if r := undoReport(t, dry); !strings.Contains(r, "order_items: 1 rows (items_order ON DELETE CASCADE)") {
		t.Errorf("the dry run does not name the cascaded item:\n%s", r)
	}
	if got := state(t, f.DB, f.Source); got != beforeUndo {
		t.Fatalf("the undo dry run changed the target:\n%s\nwas\n%s", got, beforeUndo)
	}

	undo, err := restore.Undo(context.Background(), target, p.UndoPath, restore.UndoOptions{Execute: true, UndoPath: undoPath(t, "undo")})
	if err != nil {
		t.Fatalf("undo: %v", err)
	}
	afterUndo := state(t, f.DB, f.Source)
	if wantItems := "order_items: 1 rows"; !strings.Contains(afterUndo, wantItems) || !strings.Contains(afterUndo, "orders: 1 rows") {
		t.Fatalf("after the undo:\n%s\nwant 1 order and 1 item (the restore's rows and the cascaded item gone)\nbefore the restore:\n%s", afterUndo, beforeRestore)
	}
	if afterUndo != beforeRestore {
		t.Errorf("after the undo:\n%s\nwant as before the restore:\n%s", afterUndo, beforeRestore)
	}
	if _, err := restore.Undo(context.Background(), target, undo.UndoPath, restore.UndoOptions{Execute: true, UndoPath: undoPath(t, "undo2")}); err != nil {
		t.Fatalf("undo of the undo: %v", err)
	}
	if got := state(t, f.DB, f.Source); got != beforeUndo {
		t.Errorf("after undoing the undo:\n%s\nwant as before the undo:\n%s", got, beforeUndo)
	}
}

func undoReport(tb testing.TB, r *restore.UndoReport) string {
	tb.Helper()
	var b strings.Builder
	if err := r.WriteReport(&b); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// cancelAfter is a progress writer that cancels a context after n lines.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(b []byte) (int, error) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return len(b), nil
}

// TestRestoreInterruptedRerun stops a restore of 3,000 rows after its
// third batch: the batches before stay committed (and in the undo file),
// the error says to run again, and the same restore run again converges:
// the rows already there are found identical, the rest are written, and
// the table equals the day.
func TestRestoreInterruptedRerun(t *testing.T) {
	f := mustFixture(t, "testdata/restore/shop_cascade.sql", weekback.Thursday)
	q := func(s string) string { return strings.ReplaceAll(s, "$S", mysql.QuoteIdent(f.Source)) }
	f.exec(t, q("INSERT INTO $S.order_items SELECT 1, seq + 10, CONCAT('SKU', seq), seq FROM $S.seq_1_to_3000"))
	f.Gen = f.Snapshot(t, weekback.Friday)
	f.exec(t, q("DELETE FROM $S.order_items WHERE line > 10"))
	src, target := f.restoreSource(t), f.target(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := restore.Options{Table: "order_items", MissingIn: restore.Production, Execute: true, BatchSize: 100,
		UndoPath: undoPath(t, "first"), Progress: &cancelAfter{n: 3, cancel: cancel}}
	p := mustPlan(t, src, target, opts)
	err := p.Execute(ctx, target)
	if weekback.ErrorCode(err) != weekback.EABORTED || !strings.Contains(err.Error(), "run the same restore again") {
		t.Fatalf("err=%v, want EABORTED saying to run again", err)
	}
	if p.Tables[0].Inserted < 300 || p.Tables[0].Inserted >= 3000 {
		t.Fatalf("inserted %d rows before the interruption, want 300 to 2999", p.Tables[0].Inserted)
	}
	opts.UndoPath, opts.Progress, opts.MissingIn = undoPath(t, "second"), io.Discard, ""
	again := mustPlan(t, src, target, opts)
	if tp := again.Tables[0]; tp.Same < p.Tables[0].Inserted || tp.Insert+tp.Same != int64(tp.Selected) {
		t.Fatalf("re-run plan: insert %d, same %d of %d; the first run inserted %d", tp.Insert, tp.Same, tp.Selected, p.Tables[0].Inserted)
	}
	if err := again.Execute(context.Background(), target); err != nil {
		t.Fatalf("re-run: %v", errors.Unwrap(err))
	}
	assertLikeDay(t, f.Source, f.Gen, "order_items")
}

// TestUndoRefusesImportUndoFile: an import's undo file given to
// restore --undo says how to reverse it instead.
func TestUndoRefusesImportUndoFile(t *testing.T) {
	f := mustFixture(t, "testdata/restore/shop_cascade.sql", weekback.Thursday)
	path := undoPath(t, "import")
	if err := os.WriteFile(path, []byte("\"_weekback_undo\",\"id\"\r\n\"delete\",\"1\"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := restore.Undo(context.Background(), f.target(t), path, restore.UndoOptions{})
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "weekback import --to") {
		t.Fatalf("err=%v, want EINVALID pointing at weekback import", err)
	}
}
