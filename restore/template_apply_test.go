package restore_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/exporter"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

var autoIncrement = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

// TestTemplateApplySakila recreates the 15 related tables of a
// Sakila-shaped schema in an empty database: store and staff reference
// each other, so one of them is created without its foreign key, which is
// added by ALTER TABLE once the other exists; every table ends up with
// production's DDL, in an order where each table follows its parents.
func TestTemplateApplySakila(t *testing.T) {
	f := mustFixture(t, sakilaScript, weekback.Thursday)
	ctx := context.Background()
	tpl, err := exporter.BuildTemplate(ctx, f.backup, f.gen, "rental", true)
	if err != nil {
		t.Fatalf("BuildTemplate: %v", err)
	}
	if len(tpl.Tables) != 15 {
		t.Fatalf("template has %d tables, want the 15 related ones", len(tpl.Tables))
	}
	schema := mysqltest.MustCreateSchema(t, f.db, "wbt_rtgt_")
	target := mustOpenRole(t, schema, mysql.RoleTarget)
	p, err := exporter.PlanApply(ctx, target, tpl)
	if err != nil {
		t.Fatalf("PlanApply: %v", err)
	}
	assertParentsFirst(t, tpl, p)
	if err := p.Execute(ctx, target); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	for _, tt := range tpl.Tables {
		if got, want := showCreate(t, f.db, schema, tt.Name), showCreate(t, f.db, f.source, tt.Name); got != want {
			t.Errorf("table %s in the target:\n%s\nwant production's:\n%s", tt.Name, got, want)
		}
	}
}

// assertParentsFirst checks that each planned table comes after the
// tables it references, except through the foreign keys it defers.
func assertParentsFirst(t *testing.T, tpl *weekback.Template, p *exporter.ApplyPlan) {
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
