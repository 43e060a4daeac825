package snapshotter_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestBigTablesKeepDefinitionAndStatistics copies tables big enough to be
// loaded with InnoDB's automatic statistics paused: each slot table must
// end with production's definition (its own STATS_AUTO_RECALC, or none)
// and with statistics that count its rows, which only the ANALYZE after
// the load gives them.
func TestBigTablesKeepDefinitionAndStatistics(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbt_src_")
	const rows = 60000 // above the pause's threshold
	tables := map[string]string{
		"big_default": "",
		"big_on":      " STATS_AUTO_RECALC=1",
		"big_off":     " STATS_AUTO_RECALC=0",
		"big_parts":   " PARTITION BY HASH (id) PARTITIONS 3",
		"small":       "",
		"big_nokey":   "",
	}
	for name, opts := range tables {
		n := rows
		if name == "small" {
			n = 100
		}
		key := ", KEY (v)"
		if name == "big_nokey" {
			key = ""
		}
		mysqltest.MustExec(t, db,
			"CREATE TABLE "+mysql.QuoteTable(src, name)+" (id INT PRIMARY KEY, v VARCHAR(20)"+key+") ENGINE=InnoDB"+opts,
			"INSERT INTO "+mysql.QuoteTable(src, name)+" SELECT seq, CONCAT('v', seq % 97) FROM "+mysql.QuoteIdent(src)+".seq_1_to_"+strconv.Itoa(n),
			"ANALYZE TABLE "+mysql.QuoteTable(src, name))
	}
	s := MustOpenSnapshotter(t, db, src)
	res, err := s.Snapshot(ctx, weekback.Wednesday)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	slot := res.Manifest.Slot
	for name := range tables {
		if got, want := showCreate(t, db, slot, name), showCreate(t, db, src, name); got != want {
			t.Errorf("%s: slot definition\n%s\nwant production's\n%s", name, got, want)
		}
		// The persistent statistics: what a restarted server plans with.
		var est int64
		err := db.QueryRow(`SELECT COALESCE(SUM(n_rows), 0) FROM mysql.innodb_table_stats
			WHERE database_name = ? AND (table_name = ? OR table_name LIKE CONCAT(?, '#P#%'))`, slot, name, name).Scan(&est)
		if err != nil {
			t.Fatal(err)
		}
		if name != "small" && (est < rows/2 || est > rows*2) {
			t.Errorf("%s: the slot's persistent statistics count %d rows, want about %d", name, est, rows)
		}
	}
}

func showCreate(t *testing.T, db *sql.DB, schema, table string) string {
	t.Helper()
	var name, ddl string
	if err := db.QueryRow("SHOW CREATE TABLE "+mysql.QuoteTable(schema, table)).Scan(&name, &ddl); err != nil {
		t.Fatal(err)
	}
	return ddl
}
