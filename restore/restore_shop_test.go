package restore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/restore"
)

// TestRestoreDeletedParentsWithChildren deletes two orders with their
// items (through ON DELETE CASCADE, or item by item where there is no ON
// DELETE action), and brings them back with one restore: --missing-in
// production --with-children. The dry run plans 2 orders and 3 items and
// changes nothing (row counts, CHECKSUM TABLE, the binary log's position
// when it is on); the execution leaves both tables equal to the day by
// content hash, created_at included although a BEFORE INSERT trigger
// stamps NOW().
func TestRestoreDeletedParentsWithChildren(t *testing.T) {
	for _, tc := range []struct{ name, script, deletes string }{
		{"cascade", "testdata/restore/shop_cascade.sql", "DELETE FROM $S.orders WHERE id IN (2, 3)"},
		{"no cascade", "testdata/restore/shop_nocascade.sql", "DELETE FROM $S.order_items WHERE order_id IN (2, 3); DELETE FROM $S.orders WHERE id IN (2, 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFixture(t, tc.script, weekback.Thursday)
			src, target := f.restoreSource(t), f.target(t)
			for _, stmt := range strings.Split(tc.deletes, "; ") {
				f.exec(t, strings.ReplaceAll(stmt, "$S", mysql.QuoteIdent(f.Source)))
			}
			opts := restore.Options{Table: "orders", MissingIn: restore.Production, WithChildren: true, UndoPath: undoPath(t, "orders")}
			before := state(t, f.DB, f.Source)
			p := mustPlan(t, src, target, opts)
			r := report(t, p)
			for _, want := range []string{"orders                           2         2", "order_items                      3         3", "triggers set created_at on INSERT"} {
				if !strings.Contains(r, want) {
					t.Errorf("dry run report lacks %q:\n%s", want, r)
				}
			}
			if after := state(t, f.DB, f.Source); after != before {
				t.Fatalf("the dry run changed the target:\n%s\nwas\n%s", after, before)
			}
			opts.Execute = true
			p = mustPlan(t, src, target, opts)
			if err := p.Execute(context.Background(), target); err != nil {
				t.Fatalf("Execute: %v\n%s", err, report(t, p))
			}
			assertLikeDay(t, f.Source, f.Gen)
		})
	}
}

// TestRestoreRefusesOrphans: items whose order is gone cannot be
// restored alone; the dry run names them and execution writes nothing.
func TestRestoreRefusesOrphans(t *testing.T) {
	f := mustFixture(t, "testdata/restore/shop_cascade.sql", weekback.Thursday)
	src, target := f.restoreSource(t), f.target(t)
	f.exec(t, "DELETE FROM "+mysql.QuoteTable(f.Source, "orders")+" WHERE id = 2")
	before := state(t, f.DB, f.Source)
	p := mustPlan(t, src, target, restore.Options{Table: "order_items", MissingIn: restore.Production, Execute: true, UndoPath: undoPath(t, "items")})
	if r := report(t, p); p.Orphan != 2 || !strings.Contains(r, "order_items 2,1: items_order = 2, not in orders") {
		t.Fatalf("orphans=%d, report:\n%s", p.Orphan, r)
	}
	err := p.Execute(context.Background(), target)
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "--with-related") {
		t.Fatalf("err=%v, want EINVALID naming --with-related", err)
	}
	if after := state(t, f.DB, f.Source); after != before {
		t.Fatalf("the refused restore changed the target:\n%s\nwas\n%s", after, before)
	}
}

// TestRestoreRefusesBackupSchemas: --to may not name the meta schema or a
// slot of the backup prefix; production's schema may share the prefix
// (the demo's is <prefix>_sales).
func TestRestoreRefusesBackupSchemas(t *testing.T) {
	f := mustFixture(t, "testdata/restore/shop_cascade.sql", weekback.Thursday)
	src := f.restoreSource(t)
	for _, schema := range []string{f.Gen.Slot, mysql.MetaSchema(f.Prefix)} {
		_, err := restore.Build(context.Background(), src, mustOpenTarget(t, schema), restore.Options{All: true})
		if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "never a backup copy") {
			t.Errorf("--to %s: err=%v, want EINVALID refusing a backup schema", schema, err)
		}
	}
	sales := mysqltest.MustCreateSchema(t, f.DB, f.Prefix+"_sales_")
	if _, err := restore.Build(context.Background(), src, mustOpenTarget(t, sales), restore.Options{All: true, CreateMissing: true}); err != nil {
		t.Errorf("--to %s (production sharing the prefix): %v", sales, err)
	}
}

// TestRestoreKeyCollation: keys match as the server matches them. The day
// has code 'abc'; production now spells it 'ABC' under a case-insensitive
// key: that is the same row with another value (a conflict), not a
// missing row whose insert would fail on the duplicate key.
func TestRestoreKeyCollation(t *testing.T) {
	script := filepath.Join(t.TempDir(), "codes.sql")
	if err := os.WriteFile(script, []byte("CREATE TABLE codes (code VARCHAR(10) NOT NULL PRIMARY KEY, label VARCHAR(10)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;\n"+
		"INSERT INTO codes VALUES ('abc', 'x'), ('def', 'y');\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := mustFixture(t, script, weekback.Thursday)
	f.exec(t, "UPDATE "+mysql.QuoteTable(f.Source, "codes")+" SET code = 'ABC' WHERE code = 'abc'",
		"DELETE FROM "+mysql.QuoteTable(f.Source, "codes")+" WHERE code = 'def'")
	target := f.target(t)
	p := mustPlan(t, f.restoreSource(t), target, restore.Options{Table: "codes", Execute: true, UndoPath: undoPath(t, "codes")})
	if tp := p.Tables[0]; tp.Insert != 1 || tp.Conflict != 1 {
		t.Fatalf("insert %d, conflict %d, want 1 and 1:\n%s", tp.Insert, tp.Conflict, report(t, p))
	}
	if err := p.Execute(context.Background(), target); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if r := report(t, p); !strings.Contains(r, `code: day "abc", now "ABC"`) {
		t.Errorf("report:\n%s", r)
	}
}

// TestRestoreBlockedByUpdateTrigger: orders has a BEFORE INSERT trigger
// that stamps created_at, so the restore writes the day's value back with
// an UPDATE; once production also has an UPDATE trigger on orders, that
// write-back would run it: the plan says so and the restore refuses before
// writing anything.
func TestRestoreBlockedByUpdateTrigger(t *testing.T) {
	f := mustFixture(t, "testdata/restore/shop_cascade.sql", weekback.Thursday)
	q := func(s string) string { return strings.ReplaceAll(s, "$S", mysql.QuoteIdent(f.Source)) }
	f.exec(t, q("DELETE FROM $S.orders WHERE id = 3"),
		q("CREATE TRIGGER $S.orders_touch BEFORE UPDATE ON $S.orders FOR EACH ROW SET NEW.note = CONCAT(COALESCE(OLD.note, ''), ' (edited)')"))
	target := f.target(t)
	before := state(t, f.DB, f.Source)
	p := mustPlan(t, f.restoreSource(t), target, restore.Options{Table: "orders", MissingIn: restore.Production, Execute: true, UndoPath: undoPath(t, "blocked")})
	if r := report(t, p); !strings.Contains(r, "BLOCKED: BEFORE INSERT triggers set created_at, and the UPDATE that writes the day's values back would run orders_touch BEFORE UPDATE") {
		t.Fatalf("report:\n%s", r)
	}
	if err := p.Execute(context.Background(), target); weekback.ErrorCode(err) != weekback.ECONFLICT {
		t.Fatalf("Execute: %v, want ECONFLICT", err)
	}
	if after := state(t, f.DB, f.Source); after != before {
		t.Errorf("the refused restore changed the target:\n%s\nwas\n%s", after, before)
	}
}
