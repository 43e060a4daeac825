package compare

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestTablesOverManyBatches: a table of many batches a side, counted and
// its changed keys listed with its batches filled again as the merge
// walks them, with values of every length (several chunks a batch, values
// longer than a chunk): every change is counted once, every key listed
// once, and the rows of a page of changes read the same as through
// batches that are never reused.
func TestTablesOverManyBatches(t *testing.T) {
	db := mysqltest.MustOpen(t)
	from := mysqltest.MustCreateSchema(t, db, "wbc_many_from_")
	to := mysqltest.MustCreateSchema(t, db, "wbc_many_to_")
	fixture := []string{
		`CREATE TABLE big (id INT NOT NULL PRIMARY KEY, v VARCHAR(200) NOT NULL, b MEDIUMBLOB NULL)`,
		`INSERT INTO big SELECT seq, REPEAT(CHAR(65 + seq % 26), 100 + seq % 50),
			IF(seq % 5000 = 1, REPEAT(CHAR(48 + seq % 10), 70000), NULL) FROM seq_1_to_20000`,
	}
	execIn(t, from, fixture)
	execIn(t, to, fixture)
	execIn(t, to, []string{
		`UPDATE big SET v = CONCAT(v, '!') WHERE id % 97 = 0`,             // 206 rows
		`UPDATE big SET b = CONCAT(LEFT(b, 69999), 'x') WHERE id = 10001`, // the last byte of a long value
		`DELETE FROM big WHERE id % 1000 = 0`,                             // 20 rows
		`INSERT INTO big SELECT seq, 'new', NULL FROM seq_20001_to_20050`,
	})
	pool, err := mysql.Open(context.Background(), mysqltest.DSN(t, ""), "test", mysql.RoleSource)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c := &Comparer{From: SchemaSide(pool, "from", from), To: SchemaSide(pool, "to", to)}
	got, err := c.Tables(context.Background(), []string{"big"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("tables: %+v, want big alone", got)
	}
	tc := got[0]
	s := fmt.Sprintf("rows %d→%d +%d -%d ~%d", tc.RowsFrom, tc.RowsTo, tc.Added, tc.Deleted, tc.Changed)
	if want := "rows 20000→20030 +50 -20 ~207"; s != want {
		t.Fatalf("big: %s, want %s", s, want)
	}
	var keys []string
	if err := c.Keys(context.Background(), RowQuery{Table: "big", Kind: Changed}, func(k []string) error {
		keys = append(keys, k[0])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for id := 1; id <= 20000; id++ {
		if id%97 == 0 || id == 10001 {
			want = append(want, strconv.Itoa(id))
		}
	}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Fatalf("keys of the changed rows:\n%v\nwant\n%v", keys, want)
	}
	rows, _ := rowsOf(t, c, RowQuery{Table: "big", Kind: Changed})
	if len(rows) != 207 {
		t.Fatalf("%d changed rows, want 207", len(rows))
	}
	for _, r := range rows {
		if len(r.Changes) != 1 {
			t.Fatalf("row %v: %d columns changed, want 1", r.Key, len(r.Changes))
		}
		ch := r.Changes[0]
		switch {
		case r.Key[0] == "10001":
			if ch.Column != "b" || len(ch.Old) != 70000 || ch.New[69999] != 'x' {
				t.Errorf("row 10001: %s changed, %d bytes, want b's last byte", ch.Column, len(ch.Old))
			}
		case ch.Column != "v" || string(ch.New) != string(ch.Old)+"!":
			t.Errorf("row %v: %s %q → %q, want v with a '!' added", r.Key, ch.Column, ch.Old, ch.New)
		}
	}
}
