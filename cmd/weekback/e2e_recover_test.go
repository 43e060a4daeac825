package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestRecoverDemo is the support-staff story on the demo week: the orders
// a script deleted on Thursday are exported from Wednesday's generation
// and imported back into production; then a dropped table is recreated
// from Sunday's template and refilled from Sunday's records.
func TestRecoverDemo(t *testing.T) {
	db := mysqltest.MustOpen(t)
	prefix := newPrefix(t, db)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "demo.yaml")
	mustRunWeekback(t, 0, "", "demo", "--dsn", mysqltest.DSN(t, ""), "--prefix", prefix, "--write-config", cfg, "--no-serve")
	prod := prefix + "_sales"
	prodDSN := mysqltest.DSN(t, prod)
	gens := generations(t, cfg)
	wed := gens[weekback.Wednesday].Slot

	const lost = "FROM `%s`.orders WHERE customer_id <= 60"
	before := count(t, db, "SELECT COUNT(*) FROM `"+prod+"`.orders WHERE customer_id <= 60")
	want := count(t, db, "SELECT COUNT(*) "+strings.ReplaceAll(lost, "%s", wed))
	orders := filepath.Join(dir, "orders.csv")
	mustRunWeekback(t, 0, cfg, "export", "--day", "wed", "--table", "orders", "--filter", "customer_id=le:60", "-o", orders)
	dry, _ := mustRunWeekback(t, 0, "", "import", "--to", prodDSN, "--table", "orders", orders)
	if got := count(t, db, "SELECT COUNT(*) FROM `"+prod+"`.orders WHERE customer_id <= 60"); got != before {
		t.Fatalf("the dry run changed production: %d orders, was %d\n%s", got, before, dry)
	}
	mustRunWeekback(t, 0, "", "import", "--to", prodDSN, "--table", "orders", "--execute", orders)

	var ids string
	if err := db.QueryRow("SELECT GROUP_CONCAT(id) " + strings.ReplaceAll(lost, "%s", wed)).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	items := filepath.Join(dir, "items.csv")
	mustRunWeekback(t, 0, cfg, "export", "--day", "wed", "--table", "order_items", "--filter", "order_id=in:"+ids, "-o", items)
	mustRunWeekback(t, 0, "", "import", "--to", prodDSN, "--table", "order_items", "--execute", items)

	missing := count(t, db, "SELECT COUNT(*) FROM `"+wed+"`.orders w LEFT JOIN `"+prod+"`.orders p ON p.id = w.id "+
		"AND p.customer_id <=> w.customer_id AND p.status <=> w.status AND p.ordered_at <=> w.ordered_at "+
		"AND p.total <=> w.total AND p.note <=> w.note WHERE w.customer_id <= 60 AND p.id IS NULL")
	if want == 0 || missing != 0 {
		t.Errorf("after the import %d of Wednesday's %d lost orders are still missing or different", missing, want)
	}
	missingItems := count(t, db, "SELECT COUNT(*) FROM `"+wed+"`.order_items w JOIN `"+wed+"`.orders o ON o.id = w.order_id "+
		"LEFT JOIN `"+prod+"`.order_items p ON p.id = w.id AND p.order_id = w.order_id AND p.product_id = w.product_id "+
		"AND p.qty = w.qty AND p.unit_price = w.unit_price WHERE o.customer_id <= 60 AND p.id IS NULL")
	if missingItems != 0 {
		t.Errorf("%d order items of the lost orders are still missing", missingItems)
	}

	mysqltest.MustExec(t, db, "DROP TABLE `"+prod+"`.order_items")
	tpl := filepath.Join(dir, "order_items.template.json")
	mustRunWeekback(t, 0, cfg, "template", "--day", "sun", "--table", "order_items", "-o", tpl)
	report, _ := mustRunWeekback(t, 0, "", "template-apply", "--to", prodDSN, "--execute", tpl)
	sunItems := filepath.Join(dir, "sun-items.csv")
	mustRunWeekback(t, 0, cfg, "export", "--day", "sun", "--table", "order_items", "-o", sunItems)
	mustRunWeekback(t, 0, "", "import", "--to", prodDSN, "--table", "order_items", "--execute", sunItems)
	m := gens[weekback.Sunday].Manifest.Table("order_items")
	if n, h := mustHashTable(t, prod, "order_items"); n != m.Rows || h != m.Hash {
		t.Errorf("recreated order_items: %d rows, hash %s; Sunday's: %d rows, hash %s\ntemplate-apply said:\n%s", n, h, m.Rows, m.Hash, report)
	}
}

// count runs a SELECT COUNT(*) query.
func count(t *testing.T, db *sql.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
