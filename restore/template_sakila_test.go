package restore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
	"github.com/weekback/weekback/restore"
	"github.com/weekback/weekback/template"
	"github.com/weekback/weekback/template/templatetest"
)

// TestTemplateApplySakila recreates the 15 related tables of a
// Sakila-shaped schema in an empty database: store and staff reference
// each other, so one of them is created without its foreign key, which is
// added by ALTER TABLE once the other exists; every table ends up with
// production's DDL, in an order where each table follows its parents.
func TestTemplateApplySakila(t *testing.T) {
	f := mustFixture(t, sakilaScript, weekback.Thursday)
	ctx := context.Background()
	tpl := f.MustBuild(t, "rental", true)
	if len(tpl.Tables) != 15 {
		t.Fatalf("template has %d tables, want the 15 related ones", len(tpl.Tables))
	}
	schema := mysqltest.MustCreateSchema(t, f.DB, "wbt_rtgt_")
	target := templatetest.MustOpen(t, schema, mysql.RoleTarget)
	p, err := template.PlanApply(ctx, target, tpl)
	if err != nil {
		t.Fatalf("PlanApply: %v", err)
	}
	assertParentsFirst(t, tpl, p)
	if err := restore.ApplyTemplate(ctx, target, p); err != nil {
		t.Fatalf("ApplyTemplate: %v", err)
	}
	for _, tt := range tpl.Tables {
		if got, want := templatetest.ShowCreate(t, f.DB, schema, tt.Name), templatetest.ShowCreate(t, f.DB, f.Source, tt.Name); got != want {
			t.Errorf("table %s in the target:\n%s\nwant production's:\n%s", tt.Name, got, want)
		}
	}
}

// assertParentsFirst checks that each planned table comes after the
// tables it references, except through the foreign keys it defers.
func assertParentsFirst(t *testing.T, tpl *weekback.Template, p *template.ApplyPlan) {
	t.Helper()
	created := map[string]bool{}
	deferredAny := false
	for _, pt := range p.Create {
		for _, fk := range tpl.Lookup(pt.Name).ForeignKeys {
			if fk.ReferencedTable != pt.Name && !created[fk.ReferencedTable] && !slices.Contains(pt.Deferred, fk.Name) {
				t.Errorf("%s is created before %s, which it references through %s", pt.Name, fk.ReferencedTable, fk.Name)
			}
		}
		deferredAny = deferredAny || len(pt.Deferred) > 0
		created[pt.Name] = true
	}
	if !deferredAny {
		t.Errorf("no foreign key deferred: the store <-> staff cycle was not seen")
	}
}
