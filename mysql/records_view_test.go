package mysql_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// TestRecordsOfView pages through a view (duplicate rows included): every
// row once, in the order of its first columns, the same pages back and
// forth; sorted by another column too. Table still refuses views, and a
// view's rows have no record page.
func TestRecordsOfView(t *testing.T) {
	ctx := context.Background()
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.items (id INT PRIMARY KEY, grp VARCHAR(10) NULL, n INT NOT NULL)",
		"INSERT INTO $S.items SELECT seq, IF(seq % 7 = 0, NULL, CONCAT('g', seq % 3)), seq % 4 FROM $S.seq_1_to_90",
		"CREATE VIEW $S.totals AS SELECT grp, n, COUNT(*) AS c FROM $S.items GROUP BY grp, n UNION ALL SELECT grp, n, 1 FROM $S.items WHERE id <= 20",
	)
	all := e.queryStrings(t, "SELECT CONCAT_WS('|', IFNULL(grp, 'NULL'), n, c) FROM $S.totals")
	slices.Sort(all)
	for _, tt := range []struct {
		sort string
		size int
	}{{"", 5}, {"", 1}, {"c", 7}, {"-grp", 4}} {
		t.Run(fmt.Sprintf("sort=%s size=%d", tt.sort, tt.size), func(t *testing.T) {
			sort, _ := weekback.ParseSort(tt.sort)
			rows := concat(e.walk(t, mysql.RecordQuery{Table: "totals", Sort: sort, PageSize: tt.size}))
			var got []string
			for i, r := range rows {
				got = append(got, viewRowText(r))
				if r.Key != "" {
					t.Fatalf("row %d of a view has the key %q", i, r.Key)
				}
				if i > 0 && tt.sort == "" && firstColumnsAfter(rows[i-1], r) {
					t.Fatalf("row %d (%s) is out of the first columns' order after %s", i, got[i], got[i-1])
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, all) {
				t.Fatalf("%d rows paged, %d in the view: %s", len(got), len(all), firstDiff(got, all))
			}
		})
	}
	if _, err := e.cat.Table(ctx, e.conn, e.schema, "totals"); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Errorf("Table(view) = %v, want ENOTFOUND (import and templates work on tables only)", err)
	}
	q := mysql.RecordQuery{Schema: e.schema, Table: "totals"}
	if _, err := e.cat.Record(ctx, e.conn, q, []string{"g1"}); weekback.ErrorCode(err) != weekback.ENOTFOUND {
		t.Errorf("Record(view) = %v, want ENOTFOUND", err)
	}
}

// TestScanRecordsOfView streams a view in the order of its first columns.
func TestScanRecordsOfView(t *testing.T) {
	e := newRecordsEnv(t, mysql.RoleBackup)
	e.exec(t,
		"CREATE TABLE $S.items (id INT PRIMARY KEY, grp VARCHAR(10) NOT NULL, n INT NOT NULL)",
		"INSERT INTO $S.items SELECT seq, CONCAT('g', seq % 3), seq % 4 FROM $S.seq_1_to_30",
		"CREATE VIEW $S.v AS SELECT grp, n, id FROM $S.items",
	)
	want := e.queryStrings(t, "SELECT CONCAT_WS('|', grp, n, id) FROM $S.v ORDER BY grp, n")
	var got []string
	err := e.cat.ScanRecords(context.Background(), e.conn, mysql.RecordQuery{Schema: e.schema, Table: "v"}, func(values [][]byte) error {
		got = append(got, string(values[0])+"|"+string(values[1])+"|"+string(values[2]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gotKeys, wantKeys := firstTwo(got), firstTwo(want)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("streamed (grp|n):\n%v\nwant in that order:\n%v", gotKeys, wantKeys)
	}
}

func firstTwo(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		f := strings.SplitN(r, "|", 3)
		out[i] = f[0] + "|" + f[1]
	}
	return out
}

func viewRowText(r mysql.Row) string {
	parts := make([]string, len(r.Values))
	for i, v := range r.Values {
		parts[i] = nullOr(v, v.String())
	}
	return strings.Join(parts, "|")
}

// firstColumnsAfter reports whether a comes after b in the order of the
// view's first two columns (grp text, NULL first; n a number).
func firstColumnsAfter(a, b mysql.Row) bool {
	if c := compareNullFirst(a.Values[0], b.Values[0], false); c != 0 {
		return c > 0
	}
	return compareNullFirst(a.Values[1], b.Values[1], true) > 0
}
