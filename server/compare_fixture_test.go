package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// MustOpenCompareServer returns the day fixture with three copies that
// differ, taken in this order: Tuesday (its own slot), Wednesday (the day
// fixture's) and Thursday (its own slot); Monday's copy, the newest, lists
// none of their tables. Between them:
//   - Tuesday → Wednesday: items 5 renamed, items 121 deleted, items 1's
//     binary data changed in one byte;
//   - Wednesday → Thursday: items 7 and 8 deleted, items 9's note NULL → empty,
//     items 122 added, customers 1's secret_token changed (a credential:
//     never shown), pairs gained a column w, legacy dropped, fresh added.
func MustOpenCompareServer(t *testing.T) *dayFixture {
	t.Helper()
	f := MustOpenDayServer(t)
	addCompareCopies(t, f)
	return f
}

// addCompareCopies gives the day fixture f the copies of
// MustOpenCompareServer.
func addCompareCopies(t *testing.T, f *dayFixture) {
	t.Helper()
	root := mysqltest.MustOpen(t)
	prefix := f.meta.Prefix()
	tue, thu := prefix+"_tue_r1", prefix+"_thu_r2"
	q := func(s string) string {
		return strings.NewReplacer("$W.", "`"+f.slot+"`.", "$TUE", "`"+tue+"`", "$THU", "`"+thu+"`", "$T.", "`"+tue+"`.", "$H.", "`"+thu+"`.").Replace(s)
	}
	var stmts []string
	for _, slot := range []string{"$TUE", "$THU"} {
		stmts = append(stmts, q("CREATE DATABASE "+slot))
		for _, table := range []string{"users", "items", "pairs", "customers"} {
			stmts = append(stmts, q("CREATE TABLE "+slot+"."+table+" LIKE $W."+table), q("INSERT INTO "+slot+"."+table+" SELECT * FROM $W."+table))
		}
	}
	stmts = append(stmts,
		q("CREATE TABLE $T.legacy (id INT PRIMARY KEY)"), q("INSERT INTO $T.legacy VALUES (1)"),
		q("CREATE TABLE $W.legacy LIKE $T.legacy"), q("INSERT INTO $W.legacy VALUES (1)"),
		q("UPDATE $T.items SET name = 'item005-old' WHERE id = 5"),
		q("INSERT INTO $T.items (id, name) VALUES (121, 'item121')"),
		q("UPDATE $T.items SET data = UNHEX('00FF10AC') WHERE id = 1"),
		q("DELETE FROM $H.items WHERE id IN (7, 8)"),
		q("UPDATE $H.items SET note = '' WHERE id = 9"),
		q("INSERT INTO $H.items (id, name) VALUES (122, 'item122')"),
		q("UPDATE $H.customers SET secret_token = 'tok-SECRET-999' WHERE id = 1"),
		q("ALTER TABLE $H.pairs ADD COLUMN w INT NULL"),
		q("CREATE TABLE $H.fresh (id INT PRIMARY KEY)"), q("INSERT INTO $H.fresh VALUES (1), (2)"),
	)
	mysqltest.MustExec(t, root, stmts...)
	f.secrets = append(f.secrets, "tok-SECRET")
	admin, err := mysql.OpenMeta(context.Background(), f.db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	base := []weekback.TableInfo{{Name: "customers", Rows: 2}, {Name: "pairs", Rows: 3}, {Name: "users", Rows: 5}}
	for _, d := range []struct {
		day    weekback.Weekday
		slot   string
		date   int
		tables []weekback.TableInfo
	}{
		{weekback.Tuesday, tue, 3, append(base, weekback.TableInfo{Name: "items", Rows: 121}, weekback.TableInfo{Name: "legacy", Rows: 1})},
		{weekback.Wednesday, f.slot, 4, append(base, weekback.TableInfo{Name: "items", Rows: 120}, weekback.TableInfo{Name: "legacy", Rows: 1})},
		{weekback.Thursday, thu, 5, append(base, weekback.TableInfo{Name: "items", Rows: 119}, weekback.TableInfo{Name: "fresh", Rows: 2})},
	} {
		m := &weekback.Manifest{Day: d.day, Slot: d.slot, SnapshotAt: time.Date(2026, 3, d.date, 0, 30, 0, 0, time.UTC), Tables: d.tables}
		for _, ti := range d.tables {
			m.Rows += ti.Rows
		}
		if _, err := admin.Switch(context.Background(), d.day, d.slot, m, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
}
