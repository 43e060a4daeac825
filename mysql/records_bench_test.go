package mysql_test

import (
	"context"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// BenchmarkRecordsDeepPage reads pages of a 200,000-row table: the first
// one, one 150,000 rows deep (by cursor), the same sorted by an indexed
// nullable column, and a filtered one. Deep pages must cost about as much
// as the first.
func BenchmarkRecordsDeepPage(b *testing.B) {
	e := newRecordsEnv(b, mysql.RoleSource)
	e.exec(b,
		"CREATE TABLE $S.orders (id INT PRIMARY KEY, customer INT NULL, status VARCHAR(10) NOT NULL, total DECIMAL(10,2), note TEXT, KEY (customer), KEY (status))",
		"INSERT INTO $S.orders SELECT seq, IF(seq % 50 = 0, NULL, seq % 5000), ELT(1 + seq % 4, 'new', 'paid', 'sent', 'void'), seq / 100, REPEAT('n', seq % 200) FROM $S.seq_1_to_200000",
		"ANALYZE TABLE $S.orders",
	)
	deep := func(sort weekback.Sort, from string) string {
		f, _ := weekback.ParseFilter(from)
		return e.page(b, mysql.RecordQuery{Table: "orders", Sort: sort, Filters: []weekback.Filter{f}, PageSize: 1}).Next
	}
	byCustomer := weekback.Sort{Column: "customer"}
	paid, _ := weekback.ParseFilter("status=eq:paid")
	for _, bb := range []struct {
		name string
		q    mysql.RecordQuery
	}{
		{"first", mysql.RecordQuery{}},
		{"deep", mysql.RecordQuery{After: deep(weekback.Sort{}, "id=ge:150000")}},
		{"deep-back", mysql.RecordQuery{Before: deep(weekback.Sort{}, "id=ge:150000")}},
		{"sorted-first", mysql.RecordQuery{Sort: byCustomer}},
		{"sorted-deep", mysql.RecordQuery{Sort: byCustomer, After: deep(byCustomer, "customer=ge:3750")}},
		{"filtered-deep", mysql.RecordQuery{Filters: []weekback.Filter{paid}, After: deep(weekback.Sort{}, "id=ge:150000")}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			q := bb.q
			q.Schema, q.Table = e.schema, "orders"
			for b.Loop() {
				p, err := e.cat.Records(context.Background(), e.conn, q)
				if err != nil || len(p.Rows) != mysql.DefaultPageSize {
					b.Fatalf("%v, %d rows", err, len(p.Rows))
				}
			}
		})
	}
}
