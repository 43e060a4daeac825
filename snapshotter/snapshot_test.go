package snapshotter_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestTypeZooByteIdentical copies every MySQL type with its edge values and
// checks, column by column, that the slot holds exactly the source's bytes,
// that the production trigger did not fire, and that the Go-side content
// hash equals the SQL one computed on the source.
func TestTypeZooByteIdentical(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := MustLoadScenario(t, db, "typezoo")
	s := MustOpenSnapshotter(t, db, src)
	s.Exclude = []string{"excluded_*"}
	res, err := s.Snapshot(ctx, weekback.Tuesday)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	slot := res.Manifest.Slot
	for _, table := range []string{"zoo", "no_pk", "codes", "refs"} {
		t.Run(table, func(t *testing.T) {
			assertSameRows(t, db, src, slot, table)
			assertHashMatchesSource(t, db, src, table, res.Manifest.Table(table))
		})
	}
	var triggers int
	db.QueryRow("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?", slot).Scan(&triggers)
	if triggers != 0 {
		t.Errorf("slot has %d triggers, want 0", triggers)
	}
	var rewritten int
	db.QueryRow("SELECT COUNT(*) FROM `" + slot + "`.zoo WHERE txt = 'rewritten by trigger'").Scan(&rewritten)
	if rewritten != 0 {
		t.Errorf("%d rows rewritten by the production trigger, want 0", rewritten)
	}
	var fks int
	db.QueryRow("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND UNIQUE_CONSTRAINT_NAME = 'code'", slot).Scan(&fks)
	if fks != 1 {
		t.Errorf("slot has %d foreign keys to codes.code, want 1", fks)
	}
	assertManifestObjects(t, res.Manifest)
	assertViews(t, db, slot, res.Manifest)
}

func assertSameRows(t *testing.T, db *sql.DB, src, slot, table string) {
	t.Helper()
	cols, err := mysql.Tables(context.Background(), sqlx.NewDb(db, "mysql"), src)
	if err != nil {
		t.Fatal(err)
	}
	var conds []string
	for _, tb := range cols {
		if tb.Name != table {
			continue
		}
		for _, c := range tb.Columns {
			q := mysql.QuoteIdent(c.Name)
			if c.DataType == "float" || c.DataType == "double" {
				conds = append(conds, fmt.Sprintf("a.%s <=> b.%s", q, q))
			} else {
				conds = append(conds, fmt.Sprintf("CAST(a.%s AS BINARY) <=> CAST(b.%s AS BINARY)", q, q))
			}
		}
	}
	var srcRows, slotRows, matched int
	db.QueryRow("SELECT COUNT(*) FROM " + mysql.QuoteTable(src, table)).Scan(&srcRows)
	db.QueryRow("SELECT COUNT(*) FROM " + mysql.QuoteTable(slot, table)).Scan(&slotRows)
	// Each source row must find an identical slot row (duplicates included).
	q := fmt.Sprintf("SELECT COUNT(*) FROM (SELECT DISTINCT a.* FROM %s a JOIN %s b ON %s) x",
		mysql.QuoteTable(src, table), mysql.QuoteTable(slot, table), strings.Join(conds, " AND "))
	if err := db.QueryRow(q).Scan(&matched); err != nil {
		t.Fatalf("compare: %v", err)
	}
	var distinct int
	db.QueryRow("SELECT COUNT(*) FROM (SELECT DISTINCT * FROM " + mysql.QuoteTable(src, table) + ") x").Scan(&distinct)
	if srcRows == 0 || slotRows != srcRows || matched != distinct {
		t.Fatalf("table %s: source %d rows (%d distinct), slot %d rows, %d distinct source rows matched byte for byte",
			table, srcRows, distinct, slotRows, matched)
	}
}

func assertHashMatchesSource(t *testing.T, db *sql.DB, src, table string, info *weekback.TableInfo) {
	t.Helper()
	if info == nil {
		t.Fatalf("table %s missing from the manifest", table)
	}
	tables, err := mysql.Tables(context.Background(), sqlx.NewDb(db, "mysql"), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name != table {
			continue
		}
		rows, hash := mustStreamHash(t, mysqltest.DSN(t, src), src, table, tb.Copied())
		if rows != info.Rows || hash != info.Hash {
			t.Fatalf("hash of the (unchanged) source table %s = %d/%s, manifest (computed in the snapshot) = %d/%s",
				table, rows, hash, info.Rows, info.Hash)
		}
	}
}

func assertManifestObjects(t *testing.T, m *weekback.Manifest) {
	t.Helper()
	if len(m.Triggers) != 1 || !strings.Contains(m.Triggers[0].DDL, "NEW.created_at = NOW()") {
		t.Errorf("manifest triggers = %+v, want zoo_stamp with its DDL", m.Triggers)
	}
	if len(m.Routines) != 1 || m.Routines[0].Name != "zoo_proc" || m.Routines[0].DDL == "" {
		t.Errorf("manifest routines = %+v, want zoo_proc with its DDL", m.Routines)
	}
	if m.Table("excluded_table") != nil {
		t.Errorf("excluded_table copied despite source.exclude")
	}
}

func assertViews(t *testing.T, db *sql.DB, slot string, m *weekback.Manifest) {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT n FROM " + mysql.QuoteTable(slot, "zoo_names_count")).Scan(&n); err != nil || n != 4 {
		t.Errorf("view on a view in the slot: n=%d err=%v, want 4", n, err)
	}
	var leaks int
	db.QueryRow("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND VIEW_DEFINITION LIKE ?",
		slot, "%`"+m.SourceSchema+"`%").Scan(&leaks)
	if leaks != 0 {
		t.Errorf("%d slot views still read the source schema", leaks)
	}
	for _, v := range m.Views {
		if (v.Name == "uses_excluded") != (v.Error != "") {
			t.Errorf("view %s error %q: only uses_excluded should fail", v.Name, v.Error)
		}
	}
}

// mustStreamHash hashes schema.table on a fresh connection to dsn.
func mustStreamHash(t *testing.T, dsn, schema, table string, cols []mysql.Column) (int64, string) {
	t.Helper()
	ctx := context.Background()
	db, err := mysql.Open(ctx, dsn, "test", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, hash, err := mysql.StreamHash(ctx, conn, schema, table, cols)
	if err != nil {
		t.Fatal(err)
	}
	return rows, hash
}
