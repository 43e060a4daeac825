package mysql_test

import (
	"context"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// TestCountRecords counts the rows a filter matches, up to a limit, on a
// table and on a view.
func TestCountRecords(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.items (id INT PRIMARY KEY, grp VARCHAR(10) NOT NULL)",
		"INSERT INTO $S.items SELECT seq, CONCAT('g', seq % 3) FROM $S.seq_1_to_90",
		"CREATE VIEW $S.v AS SELECT grp, id FROM $S.items",
	)
	g1, _ := weekback.ParseFilterParam("grp", "eq:g1")
	for _, tt := range []struct {
		name    string
		table   string
		filters []weekback.Filter
		limit   int64
		want    int64
		more    bool
	}{
		{"all", "items", nil, 1000, 90, false},
		{"filtered", "items", []weekback.Filter{g1}, 1000, 30, false},
		{"over the limit", "items", []weekback.Filter{g1}, 29, 29, true},
		{"exactly the limit", "items", []weekback.Filter{g1}, 30, 30, false},
		{"view filtered", "v", []weekback.Filter{g1}, 1000, 30, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := mysql.RecordQuery{Schema: e.schema, Table: tt.table, Filters: tt.filters}
			n, more, err := e.cat.CountRecords(context.Background(), e.conn, q, tt.limit)
			if err != nil || n != tt.want || more != tt.more {
				t.Fatalf("CountRecords = %d, %v, %v; want %d, %v", n, more, err, tt.want, tt.more)
			}
		})
	}
}
