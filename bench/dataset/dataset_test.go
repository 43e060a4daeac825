package dataset_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"testing"

	"github.com/weekback/weekback/bench/dataset"
	"github.com/weekback/weekback/mysql/mysqltest"
)

func TestRowCounts(t *testing.T) {
	tests := []struct {
		name  string
		scale float64
		want  map[string]int64
	}{
		{"scale 1", 1, map[string]int64{"users": 200, "customers": 200_000, "products": 20_000,
			"orders": 2_000_000, "order_items": 2_800_000}},
		{"scale 0.01", 0.01, map[string]int64{"users": 5, "customers": 2_000, "products": 200,
			"orders": 20_000, "order_items": 28_000}},
		{"tiny scale keeps minimums", 1e-9, map[string]int64{"users": 5, "customers": 10, "products": 10,
			"orders": 10, "order_items": 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dataset.RowCounts(tt.scale); !maps.Equal(got, tt.want) {
				t.Fatalf("RowCounts(%g) = %v, want %v", tt.scale, got, tt.want)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbds_")
	mustGenerate(t, db, schema, 0.01)
	checkCounts(t, db, schema, dataset.RowCounts(0.01))
	for _, q := range []string{
		"SELECT COUNT(*) FROM %[1]s.orders o LEFT JOIN %[1]s.customers c ON c.id = o.customer_id WHERE c.id IS NULL",
		"SELECT COUNT(*) FROM %[1]s.order_items i LEFT JOIN %[1]s.orders o ON o.id = i.order_id WHERE o.id IS NULL",
		"SELECT COUNT(*) FROM %[1]s.order_items i LEFT JOIN %[1]s.products p ON p.id = i.product_id WHERE p.id IS NULL",
		"SELECT COUNT(*) FROM %[1]s.products WHERE LENGTH(image) < 3072",
		"SELECT COUNT(*) = 0 FROM %[1]s.customers WHERE name COLLATE utf8mb4_bin LIKE '%%　%%'",
		"SELECT COUNT(*) = 0 FROM %[1]s.customers WHERE name COLLATE utf8mb4_bin LIKE '%%ü%%'",
		"SELECT COUNT(*) FROM %[1]s.users WHERE password_hash NOT REGEXP '^[$]2b[$]10[$][./A-Za-z0-9]{53}$'",
	} {
		if n := queryInt(t, db, fmt.Sprintf(q, "`"+schema+"`")); n != 0 {
			t.Errorf("%s = %d, want 0", q, n)
		}
	}
	var fks int64
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS
		WHERE CONSTRAINT_SCHEMA = ?`, schema).Scan(&fks)
	if err != nil || fks != 3 {
		t.Errorf("foreign keys = %d (%v), want 3", fks, err)
	}
}

func TestGenerateReusesOnlyTheSameScale(t *testing.T) {
	db := mysqltest.MustOpen(t)
	schema := mysqltest.MustCreateSchema(t, db, "wbds_")
	mustGenerate(t, db, schema, 0.001)
	want := dataset.RowCounts(0.001)
	mysqltest.MustExec(t, db, "INSERT INTO `"+schema+"`.users (login_id, password_hash, display_name, email, created_at) "+
		"VALUES ('extra', 'x', 'Extra', 'extra@example.com', NOW())")
	mustGenerate(t, db, schema, 0.001)
	want["users"]++
	checkCounts(t, db, schema, want)

	mustGenerate(t, db, schema, 0.002)
	checkCounts(t, db, schema, dataset.RowCounts(0.002))
}

func TestGenerateIsDeterministic(t *testing.T) {
	db := mysqltest.MustOpen(t)
	a := mysqltest.MustCreateSchema(t, db, "wbds_")
	b := mysqltest.MustCreateSchema(t, db, "wbds_")
	mustGenerate(t, db, a, 0.002)
	mustGenerate(t, db, b, 0.002)
	for _, table := range dataset.Tables() {
		sumA := queryInt(t, db, "CHECKSUM TABLE `"+a+"`.`"+table+"`")
		sumB := queryInt(t, db, "CHECKSUM TABLE `"+b+"`.`"+table+"`")
		if sumA != sumB {
			t.Errorf("%s: checksum %d in one schema, %d in the other", table, sumA, sumB)
		}
	}
}

func TestGenerateRejectsBadScale(t *testing.T) {
	for _, scale := range []float64{0, -1} {
		if err := dataset.Generate(context.Background(), nil, "x", scale, nil); err == nil {
			t.Errorf("Generate(scale %g) = nil, want an error", scale)
		}
	}
}

func mustGenerate(t *testing.T, db *sql.DB, schema string, scale float64) {
	t.Helper()
	if err := dataset.Generate(context.Background(), db, schema, scale, t.Logf); err != nil {
		t.Fatalf("Generate(%s, %g): %v", schema, scale, err)
	}
}

func checkCounts(t *testing.T, db *sql.DB, schema string, want map[string]int64) {
	t.Helper()
	for _, table := range dataset.Tables() {
		if got := queryInt(t, db, "SELECT COUNT(*) FROM `"+schema+"`.`"+table+"`"); got != want[table] {
			t.Errorf("%s rows = %d, want %d", table, got, want[table])
		}
	}
}

// queryInt returns the last column of the query's single row as an integer.
func queryInt(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	var n sql.NullInt64
	for i := range vals {
		vals[i] = new(any)
	}
	vals[len(vals)-1] = &n
	if !rows.Next() {
		t.Fatalf("%s: no row (%v)", q, rows.Err())
	}
	if err := rows.Scan(vals...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}
