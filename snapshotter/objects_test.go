package snapshotter_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestEveryObjectCopiedOrNamed snapshots a schema holding every kind of
// object: each one is copied (system-versioned tables with their history,
// sequences with their next value, a table named with "/") or named in the
// manifest and the log with the reason, and the shapes already known to
// copy identically still do.
func TestEveryObjectCopiedOrNamed(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := MustLoadScenario(t, db, "objects")
	s := MustOpenSnapshotter(t, db, src)
	var log bytes.Buffer
	s.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s.Include, s.Exclude = []string{"*"}, []string{"tmp_*"}
	res, err := s.Snapshot(ctx, weekback.Tuesday)
	if err != nil {
		t.Fatalf("snapshot: %v\n%s", err, log.String())
	}
	m, slot := res.Manifest, res.Manifest.Slot
	assertNothingSilentlyLeftOut(t, db, src, m)
	t.Run("history", func(t *testing.T) {
		for table, versions := range map[string]int64{"audit_v": 5, "prices_v": 3, "parted_v": 4} {
			info := m.Table(table)
			if info == nil || !info.History || info.Versions != versions || info.Rows != 2 {
				t.Fatalf("manifest entry of %s = %+v, want History, its %d row versions and 2 current rows", table, info, versions)
			}
			if got, want := historyRows(t, db, slot, table), historyRows(t, db, src, table); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: slot row versions\n%q\nwant the source's\n%q", table, got, want)
			}
		}
	})
	t.Run("transaction-precise versioning", func(t *testing.T) {
		info := m.Table("trx_v")
		if info == nil || info.History || !strings.Contains(skippedReason(m, "trx_v", true), "transaction ids") {
			t.Fatalf("trx_v: %+v, skipped %q; want current rows only, named as copied in part", info, skippedReason(m, "trx_v", true))
		}
		assertSameCopiedRows(t, db, src, slot, "trx_v")
	})
	t.Run("excluded", func(t *testing.T) {
		for _, name := range []string{"tmp_scratch", "tmp_view"} {
			if r := skippedReason(m, name, false); !strings.Contains(r, `source.exclude glob "tmp_*"`) {
				t.Errorf("%s: skipped reason %q, want the exclude glob named", name, r)
			}
			if !strings.Contains(log.String(), "object="+name) {
				t.Errorf("%s not named in the run's log:\n%s", name, log.String())
			}
		}
	})
	t.Run("shapes", func(t *testing.T) {
		for _, table := range []string{"orders/2024", "parted", "shapes", "legacy_myisam", "legacy_aria", "tree", "顧客 ✓", "big_blob"} {
			assertSameRows(t, db, src, slot, table)
			assertHashMatchesSource(t, db, src, table, m.Table(table))
		}
		var engine string
		db.QueryRow("SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'legacy_aria'", slot).Scan(&engine)
		if engine != "Aria" {
			t.Errorf("legacy_aria's engine in the slot = %q, want Aria", engine)
		}
	})
	if !strings.Contains(log.String(), "no binlog position recorded") || !strings.Contains(log.String(), "binary logging is off") {
		t.Errorf("the log does not warn that no binlog position was recorded (binary logging is off on the test server):\n%s", log.String())
	}
	assertRunListsSkipped(t, s, m)
	assertVerifyCoversHistory(t, db, s, slot)
	assertSequence(t, db, src, slot, m) // last: NEXTVAL moves the slot's copy on
}

// assertNothingSilentlyLeftOut checks that each table, view and sequence
// of the source schema is in the manifest or in its skipped list.
func assertNothingSilentlyLeftOut(t *testing.T, db *sql.DB, src string, m *weekback.Manifest) {
	t.Helper()
	objects, err := mysql.SchemaObjects(context.Background(), sqlx.NewDb(db, "mysql"), src)
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]bool{}
	for _, tb := range m.Tables {
		held[tb.Name] = true
	}
	for _, v := range m.Views {
		held[v.Name] = v.Error == ""
	}
	for _, sq := range m.Sequences {
		held[sq.Name] = true
	}
	for _, o := range m.Skipped {
		if !o.Partial {
			held[o.Name] = true
		}
	}
	for _, o := range objects {
		if !held[o.Name] {
			t.Errorf("%s %q is neither in the manifest nor named as skipped", o.Type, o.Name)
		}
	}
}

func skippedReason(m *weekback.Manifest, name string, partial bool) string {
	for _, o := range m.Skipped {
		if o.Name == name && o.Partial == partial {
			return o.Reason
		}
	}
	return ""
}

// historyRows returns every row version of a system-versioned table, its
// period columns included, each as text, sorted.
func historyRows(t *testing.T, db *sql.DB, schema, table string) []string {
	t.Helper()
	tb := mustTable(t, db, schema, table)
	return textRows(t, db, "SELECT "+mysql.SelectList(tb.HistoryColumns())+" FROM "+mysql.QuoteTable(schema, table)+" FOR SYSTEM_TIME ALL")
}

// assertSameCopiedRows compares the current rows of table's copied
// (non-generated) columns in src and slot.
func assertSameCopiedRows(t *testing.T, db *sql.DB, src, slot, table string) {
	t.Helper()
	cols := mysql.SelectList(mustTable(t, db, src, table).Copied())
	got := textRows(t, db, "SELECT "+cols+" FROM "+mysql.QuoteTable(slot, table))
	if want := textRows(t, db, "SELECT "+cols+" FROM "+mysql.QuoteTable(src, table)); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: slot rows %q, want %q", table, got, want)
	}
}

func mustTable(t *testing.T, db *sql.DB, schema, table string) *mysql.Table {
	t.Helper()
	tables, err := mysql.Tables(context.Background(), sqlx.NewDb(db, "mysql"), schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name == table {
			return tb
		}
	}
	t.Fatalf("no table %s in %s", table, schema)
	return nil
}

// textRows runs query and returns its rows, each as text, sorted.
func textRows(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := sqlx.NewDb(db, "mysql").QueryxContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, fmt.Sprintf("%q", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(list)
	return list
}

// assertSequence checks that the sequence was copied with its definition
// and restarted at the source's next value.
func assertSequence(t *testing.T, db *sql.DB, src, slot string, m *weekback.Manifest) {
	t.Helper()
	var srcNext int64
	db.QueryRow("SELECT next_not_cached_value FROM " + mysql.QuoteTable(src, "invoice_no")).Scan(&srcNext)
	if len(m.Sequences) != 1 || m.Sequences[0].Name != "invoice_no" || m.Sequences[0].Next != srcNext || srcNext != 1050 {
		t.Fatalf("manifest sequences = %+v, want invoice_no with next value %d (1050: two values handed out, a cache of 5)", m.Sequences, srcNext)
	}
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE SEQUENCE "+mysql.QuoteTable(slot, "invoice_no")).Scan(&name, &ddl); err != nil || ddl != m.Sequences[0].DDL {
		t.Errorf("slot sequence DDL %q (%v), want the source's %q", ddl, err, m.Sequences[0].DDL)
	}
	var next int64
	if err := db.QueryRow("SELECT NEXTVAL(" + mysql.QuoteTable(slot, "invoice_no") + ")").Scan(&next); err != nil || next != srcNext {
		t.Errorf("NEXTVAL of the slot's copy = %d (%v), want %d", next, err, srcNext)
	}
}

// assertRunListsSkipped checks that the runs report (what /runs shows)
// lists the run's skipped objects.
func assertRunListsSkipped(t *testing.T, s interface {
	OpenMeta(context.Context) (*mysql.Meta, error)
}, m *weekback.Manifest) {
	t.Helper()
	meta, err := s.OpenMeta(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	recent, err := meta.RecentRuns(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	runs := recent[weekback.Tuesday]
	if len(runs) != 1 || !reflect.DeepEqual(runs[0].Skipped, m.Skipped) {
		t.Fatalf("runs report of Tuesday = %+v, want one run listing %+v", runs, m.Skipped)
	}
}

// assertVerifyCoversHistory forges a history row in the slot (its current
// rows unchanged): verification must see it.
func assertVerifyCoversHistory(t *testing.T, db *sql.DB, s interface {
	Verify(context.Context, weekback.Weekday) error
}, slot string) {
	t.Helper()
	if err := s.Verify(context.Background(), weekback.Tuesday); err != nil {
		t.Fatalf("verify the untouched copy: %v", err)
	}
	mysqltest.MustExec(t, db, "SET STATEMENT system_versioning_insert_history=1 FOR INSERT INTO "+mysql.QuoteTable(slot, "audit_v")+
		" (id, note, ROW_START, ROW_END) VALUES (9, 'forged', '2020-01-01 00:00:00', '2020-01-02 00:00:00')")
	err := s.Verify(context.Background(), weekback.Tuesday)
	if weekback.ErrorCode(err) != weekback.EMISMATCH || !strings.Contains(err.Error(), "audit_v has 6 row versions, manifest says 5") {
		t.Fatalf("verify after a history row was forged: %v, want a mismatch on audit_v's 6 row versions", err)
	}
}
