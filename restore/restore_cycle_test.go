package restore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/restore"
)

// TestRestoreCycleGroup deletes store 2 and its manager (staff 2, who
// works at store 2: a cycle of foreign keys) with everything that hangs
// on them, then restores the store with its children: store and staff
// are one group, loaded in one transaction with foreign key checks off
// for it, and every table ends up equal to the day, the dates the
// BEFORE INSERT triggers stamp included, except payment 2: deleting
// rental 2 set its rental_id NULL (ON DELETE SET NULL), and a restore
// never overwrites a row that differs: it is a conflict, shown.
func TestRestoreCycleGroup(t *testing.T) {
	f := mustFixture(t, sakilaScript, weekback.Thursday)
	src, target := f.restoreSource(t), f.target(t)
	q := deleteStore2(t, f)
	opts := restore.Options{Table: "store", Filters: []weekback.Filter{filter(t, "store_id=eq:2")}, MissingIn: restore.Production,
		WithChildren: true, Execute: true, UndoPath: undoPath(t, "store")}
	p := mustPlan(t, src, target, opts)
	r := report(t, p)
	if !strings.Contains(r, "cycle group 1: store, staff") && !strings.Contains(r, "cycle group 1: staff, store") {
		t.Fatalf("no cycle group in the plan:\n%s", r)
	}
	if err := p.Execute(context.Background(), target); err != nil {
		t.Fatalf("Execute: %v\n%s", err, report(t, p))
	}
	if r := report(t, p); !strings.Contains(r, "conflict 2: never overwritten\n      rental_id: day \"2\", now NULL") {
		t.Errorf("report lacks payment 2's conflict:\n%s", r)
	}
	f.exec(t, q("UPDATE $S.payment SET rental_id = 2, last_update = last_update WHERE payment_id = 2"))
	assertLikeDay(t, f.Source, f.Gen)
}

// TestRestoreAllIntoEmptySchema recreates the whole day in an empty
// database with one command: 16 tables created from the day's DDL (the
// store <-> staff cycle closed by ALTER TABLE), every row loaded (the
// cycle in one group), each table equal to the day by content hash; the
// views and triggers are listed with their DDL, not created.
func TestRestoreAllIntoEmptySchema(t *testing.T) {
	f := mustFixture(t, sakilaScript, weekback.Thursday)
	schema := mysqltest.MustCreateSchema(t, f.DB, "wbt_rall_")
	target := mustOpenTarget(t, schema)
	opts := restore.Options{All: true, CreateMissing: true, Execute: true, UndoPath: undoPath(t, "all")}
	p := mustPlan(t, f.restoreSource(t), target, opts)
	if err := p.Execute(context.Background(), target); err != nil {
		t.Fatalf("Execute: %v\n%s", err, report(t, p))
	}
	if len(f.Gen.Manifest.Tables) != 16 {
		t.Fatalf("the day has %d tables, want 16", len(f.Gen.Manifest.Tables))
	}
	assertLikeDay(t, schema, f.Gen)
	r := report(t, p)
	for _, want := range []string{"view customer_list:", "view sales_by_store:", "trigger rental_date on rental:", "NOT created"} {
		if !strings.Contains(r, want) {
			t.Errorf("report lacks %q:\n%s", want, r)
		}
	}
	var objects int
	if err := f.DB.QueryRow("SELECT (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?) + (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?)", schema, schema).Scan(&objects); err != nil || objects != 0 {
		t.Errorf("%d views and triggers created (%v), want none", objects, err)
	}
	// The undo deletes every row, the store <-> staff group with checks
	// off for it (nothing else references its rows by then).
	if _, err := restore.Undo(context.Background(), target, p.UndoPath, restore.UndoOptions{Execute: true, UndoPath: undoPath(t, "undo")}); err != nil {
		t.Fatalf("undo: %v", err)
	}
	for _, ti := range f.Gen.Manifest.Tables {
		var n int
		if err := f.DB.QueryRow("SELECT COUNT(*) FROM " + mysql.QuoteTable(schema, ti.Name)).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s holds %d rows after the undo (%v), want 0", ti.Name, n, err)
		}
	}
}

// TestRestoreCycleGroupOrphanRollsBack: staff 2's address is deleted
// between the plan and its execution. The cycle group is written with
// foreign key checks off, so the server would not notice: the check by
// query before the commit does, names the row, and rolls the whole group
// back.
func TestRestoreCycleGroupOrphanRollsBack(t *testing.T) {
	f := mustFixture(t, sakilaScript, weekback.Thursday)
	src, target := f.restoreSource(t), f.target(t)
	q := deleteStore2(t, f)
	p := mustPlan(t, src, target, restore.Options{Table: "store", Filters: []weekback.Filter{filter(t, "store_id=eq:2")},
		MissingIn: restore.Production, WithChildren: true, Execute: true, UndoPath: undoPath(t, "store")})
	f.exec(t, q("DELETE FROM $S.address WHERE address_id = 4"))
	before := state(t, f.DB, f.Source)
	err := p.Execute(context.Background(), target)
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "rolled back") ||
		!strings.Contains(err.Error(), "staff 2: fk_staff_address = 4 not in address") {
		t.Fatalf("err=%v, want the group rolled back naming staff 2", err)
	}
	if after := state(t, f.DB, f.Source); after != before {
		t.Errorf("the rolled-back group left rows:\n%s\nwas\n%s", after, before)
	}
}

// deleteStore2 deletes store 2 and its manager, staff 2 (a cycle of
// foreign keys), with every row that hangs on them; it returns the
// function that puts production's schema into a statement ($S).
func deleteStore2(t *testing.T, f *fixture) func(string) string {
	t.Helper()
	q := func(s string) string { return strings.ReplaceAll(s, "$S", mysql.QuoteIdent(f.Source)) }
	f.exec(t, q("DELETE FROM $S.payment WHERE staff_id = 2 OR customer_id = 3"), q("DELETE FROM $S.rental WHERE staff_id = 2 OR customer_id = 3"),
		q("DELETE FROM $S.rental WHERE inventory_id IN (2, 3)"), q("DELETE FROM $S.inventory WHERE store_id = 2"),
		q("DELETE FROM $S.customer WHERE store_id = 2"))
	conn, err := f.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"SET foreign_key_checks = 0", q("DELETE FROM $S.store WHERE store_id = 2"), q("DELETE FROM $S.staff WHERE staff_id = 2"), "SET foreign_key_checks = 1"} {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	return q
}
