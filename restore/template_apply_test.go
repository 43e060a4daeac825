package restore_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/restore"
	"github.com/weekback/weekback/template"
	"github.com/weekback/weekback/template/templatetest"
)

const (
	shopScript   = "../template/testdata/template/shop.sql" // shared with the template tests
	cycleScript  = "testdata/template/cycle.sql"
	typeZooSQL   = "../snapshotter/testdata/typezoo/schema.sql"
	dryRunGolden = "testdata/template/shop_dry_run.golden.txt"
)

// applyTarget is an empty target database and a RoleTarget pool on it.
type applyTarget struct {
	schema string
	db     *sqlx.DB
}

func mustApplyTarget(tb testing.TB, f *templatetest.Fixture) applyTarget {
	tb.Helper()
	schema := mysqltest.MustCreateSchema(tb, f.DB, "wbt_ttgt_")
	return applyTarget{schema: schema, db: templatetest.MustOpen(tb, schema, mysql.RoleTarget)}
}

// mustPlan plans applying tpl, going through the file format first.
func (a applyTarget) mustPlan(tb testing.TB, tpl *weekback.Template) *template.ApplyPlan {
	tb.Helper()
	var buf bytes.Buffer
	if err := template.Write(&buf, tpl); err != nil {
		tb.Fatal(err)
	}
	read, err := template.Read(&buf)
	if err != nil {
		tb.Fatalf("read the written template: %v", err)
	}
	p, err := template.PlanApply(context.Background(), a.db, read)
	if err != nil {
		tb.Fatalf("PlanApply: %v", err)
	}
	return p
}

// report returns p's report with the target's name replaced by "target".
func (a applyTarget) report(tb testing.TB, p *template.ApplyPlan) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := p.WriteReport(&buf); err != nil {
		tb.Fatal(err)
	}
	return strings.ReplaceAll(buf.String(), a.schema, "target")
}

// assertLikeProduction checks that each table in the target has
// production's DDL (AUTO_INCREMENT counters aside).
func assertLikeProduction(t *testing.T, f *templatetest.Fixture, a applyTarget, tables ...string) {
	t.Helper()
	for _, table := range tables {
		got, want := templatetest.ShowCreate(t, f.DB, a.schema, table), templatetest.ShowCreate(t, f.DB, f.Source, table)
		if got != want {
			t.Errorf("table %s in the target:\n%s\nwant production's:\n%s", table, got, want)
		}
	}
}

func plannedNames(p *template.ApplyPlan) []string {
	out := make([]string, len(p.Create))
	for i, pt := range p.Create {
		out[i] = pt.Name
	}
	return out
}

// TestTemplateApplyShop applies the shop's template to an empty database:
// a dry run changes nothing and prints the DDL; executing creates every
// table in foreign-key order, each exactly as in production; applying
// again finds every table identical and does nothing.
func TestTemplateApplyShop(t *testing.T) {
	f := templatetest.MustGeneration(t, shopScript, weekback.Thursday)
	tpl := f.MustBuild(t, "order_items", true)
	a := mustApplyTarget(t, f)
	ctx := context.Background()
	p := a.mustPlan(t, tpl)
	t.Run("dry run", func(t *testing.T) {
		if got := plannedNames(p); !slices.Equal(got, templatetest.ShopRelated) {
			t.Fatalf("create=%q, want %q", got, templatetest.ShopRelated)
		}
		assertGoldenReport(t, a.report(t, p))
		if n := templatetest.CountTables(t, f.DB, a.schema); n != 0 {
			t.Fatalf("the dry run left %d tables in the target", n)
		}
	})
	t.Run("execute", func(t *testing.T) {
		if err := restore.ApplyTemplate(ctx, a.db, p); err != nil {
			t.Fatalf("ApplyTemplate: %v", err)
		}
		if !slices.Equal(p.Created, templatetest.ShopRelated) {
			t.Fatalf("created=%q, want %q", p.Created, templatetest.ShopRelated)
		}
		assertLikeProduction(t, f, a, templatetest.ShopRelated...)
		if r := a.report(t, p); !strings.Contains(r, "-- created 5 tables") || strings.Contains(r, "NOT RUN") {
			t.Fatalf("report after execute:\n%s", r)
		}
	})
	t.Run("again", func(t *testing.T) {
		again := a.mustPlan(t, tpl)
		if len(again.Create) != 0 || len(again.Differ) != 0 || !slices.Equal(again.Identical, templatetest.ShopRelated) {
			t.Fatalf("create=%q differ=%+v identical=%q, want all identical", plannedNames(again), again.Differ, again.Identical)
		}
		if err := restore.ApplyTemplate(ctx, a.db, again); err != nil {
			t.Fatal(err)
		}
		if r := a.report(t, again); !strings.Contains(r, "no table to create") {
			t.Fatalf("report:\n%s", r)
		}
	})
}

func assertGoldenReport(t *testing.T, report string) {
	t.Helper()
	if templatetest.UpdateGolden() {
		if err := os.WriteFile(dryRunGolden, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(dryRunGolden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if report != string(want) {
		t.Fatalf("dry-run report differs from %s (run with -update after checking):\n%s", dryRunGolden, report)
	}
}

// TestTemplateApplyDiffering: tables that exist already are compared, not
// touched: an identical one is skipped, a different one is reported
// column by column (and index by index) and left as it was.
func TestTemplateApplyDiffering(t *testing.T) {
	f := templatetest.MustGeneration(t, shopScript, weekback.Friday)
	tpl := f.MustBuild(t, "orders", true)
	a := mustApplyTarget(t, f)
	mysqltest.MustExec(t, f.DB, "USE "+mysql.QuoteIdent(a.schema), tpl.Lookup("products").DDL,
		`CREATE TABLE orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id INT UNSIGNED NOT NULL,
		amount DECIMAL(10,2) NULL, status ENUM('new','paid','shipped') NOT NULL DEFAULT 'paid', legacy INT,
		KEY by_customer (customer_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='table comments are not compared' AUTO_INCREMENT=500`)
	before := templatetest.ShowCreate(t, f.DB, a.schema, "orders")
	p := a.mustPlan(t, tpl)
	if want := []string{"customers", "order notes`x", "order_items"}; !slices.Equal(plannedNames(p), want) {
		t.Fatalf("create=%q, want %q", plannedNames(p), want)
	}
	if !slices.Equal(p.Identical, []string{"products"}) || len(p.Differ) != 1 || p.Differ[0].Table != "orders" {
		t.Fatalf("identical=%q differ=%+v, want products identical and orders different", p.Identical, p.Differ)
	}
	var got []string
	for _, d := range p.Differ[0].Differences {
		got = append(got, d.String())
	}
	want := []string{
		"orders.amount: type decimal(12,2) in the template, decimal(10,2) in the target",
		"orders.amount: nullability NOT NULL in the template, NULL in the target",
		"orders.status: default 'new' in the template, 'paid' in the target",
		"orders.note: column in the template, missing in the target",
		"orders.legacy: column in the target, not in the template",
		"orders: index by_customer: columns (customer_id, status) in the template, (customer_id) in the target",
		"orders: foreign key orders_customer in the template, missing in the target",
	}
	assertSameSet(t, got, want)
	if err := restore.ApplyTemplate(context.Background(), a.db, p); err != nil {
		t.Fatalf("ApplyTemplate: %v", err)
	}
	if after := templatetest.ShowCreate(t, f.DB, a.schema, "orders"); after != before {
		t.Fatalf("the differing table was changed:\n%s\nwas:\n%s", after, before)
	}
	assertLikeProduction(t, f, a, "customers", "order notes`x", "order_items", "products")
	if r := a.report(t, p); !strings.Contains(r, "--     "+want[0]) || !strings.Contains(r, "identical in target, skipped: products") {
		t.Fatalf("report:\n%s", r)
	}
}

func assertSameSet(t *testing.T, got, want []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing difference %q", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("unexpected difference %q", g)
		}
	}
}

// TestTemplateApplyStops: a statement the target refuses stops the run; the
// error names the table and the tables created before it, which stay.
func TestTemplateApplyStops(t *testing.T) {
	f := templatetest.MustGeneration(t, shopScript, weekback.Saturday)
	tpl := f.MustBuild(t, "orders", true)
	orders := tpl.Lookup("orders")
	orders.DDL = strings.Replace(orders.DDL, "COLLATE=utf8mb4_general_ci", "COLLATE=no_such_collation", 1)
	a := mustApplyTarget(t, f)
	p := a.mustPlan(t, tpl)
	err := restore.ApplyTemplate(context.Background(), a.db, p)
	if weekback.ErrorCode(err) != weekback.EABORTED || !strings.Contains(err.Error(), "creating table orders") ||
		!strings.Contains(err.Error(), "left in place): customers;") {
		t.Fatalf("err=%v, want EABORTED naming orders and customers", err)
	}
	if n := templatetest.CountTables(t, f.DB, a.schema); n != 1 || !slices.Equal(p.Created, []string{"customers"}) {
		t.Fatalf("%d tables in the target, created=%q, want customers only", n, p.Created)
	}
	r := a.report(t, p)
	if !strings.Contains(r, "STOPPED at orders: created 1 of 5 tables") || strings.Count(r, "-- NOT RUN:") != 4 {
		t.Fatalf("report:\n%s", r)
	}
}

// TestTemplateApplyMissingReference: a table whose referenced table is
// neither in the template nor in the target is refused before anything
// runs, with a sentence that says what to do.
func TestTemplateApplyMissingReference(t *testing.T) {
	f := templatetest.MustGeneration(t, shopScript, weekback.Tuesday)
	a := mustApplyTarget(t, f)
	tpl := f.MustBuild(t, "order_items", false)
	_, err := template.PlanApply(context.Background(), a.db, tpl)
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "references table orders") ||
		!strings.Contains(err.Error(), "without --no-related") {
		t.Fatalf("err=%v, want EINVALID about orders", err)
	}
	if n := templatetest.CountTables(t, f.DB, a.schema); n != 0 {
		t.Fatalf("%d tables created", n)
	}
}

// TestTemplateApplyCycle: a ↔ b reference each other (c references a):
// a is created without its foreign key, which is added once b exists.
func TestTemplateApplyCycle(t *testing.T) {
	f := templatetest.MustGeneration(t, cycleScript, weekback.Sunday)
	tpl := f.MustBuild(t, "c", true)
	if got := templatetest.TableNames(tpl); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("template tables=%q, want a, b, c", got)
	}
	a := mustApplyTarget(t, f)
	p := a.mustPlan(t, tpl)
	if len(p.Create) != 3 || !slices.Equal(p.Create[0].Deferred, []string{"a_b"}) || len(p.Create[1].Statements) != 2 ||
		!strings.HasPrefix(p.Create[1].Statements[1], "ALTER TABLE `a` ADD CONSTRAINT `a_b` FOREIGN KEY") {
		t.Fatalf("plan=%+v", p.Create)
	}
	if strings.Contains(p.Create[0].Statements[0], "CONSTRAINT `a_b`") {
		t.Fatalf("a is created with the foreign key that closes the cycle:\n%s", p.Create[0].Statements[0])
	}
	r := a.report(t, p)
	if !strings.Contains(r, "-- table a (without the foreign keys that close a cycle: a_b; added by ALTER TABLE below)") {
		t.Fatalf("report:\n%s", r)
	}
	if err := restore.ApplyTemplate(context.Background(), a.db, p); err != nil {
		t.Fatalf("ApplyTemplate: %v", err)
	}
	assertLikeProduction(t, f, a, "a", "b", "c")
}

// TestTemplateApplyTypeZoo round-trips the tables of every MySQL type.
func TestTemplateApplyTypeZoo(t *testing.T) {
	f := templatetest.MustGeneration(t, typeZooSQL, weekback.Monday)
	a := mustApplyTarget(t, f)
	for _, table := range []string{"zoo", "refs", "no_pk"} {
		p := a.mustPlan(t, f.MustBuild(t, table, true))
		if err := restore.ApplyTemplate(context.Background(), a.db, p); err != nil {
			t.Fatalf("apply %s: %v", table, err)
		}
		if table == "zoo" && !strings.Contains(a.report(t, p), "zoo_stamp (on zoo)") {
			t.Errorf("the report does not list the trigger zoo_stamp:\n%s", a.report(t, p))
		}
	}
	assertLikeProduction(t, f, a, "zoo", "codes", "refs", "no_pk")
	again := a.mustPlan(t, f.MustBuild(t, "zoo", true))
	if !slices.Equal(again.Identical, []string{"zoo"}) {
		t.Fatalf("zoo applied again: identical=%q differ=%+v", again.Identical, again.Differ)
	}
}
