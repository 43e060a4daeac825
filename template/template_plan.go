package template

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// ApplyPlan is what applying a template to a target database does: the
// tables to create, in foreign-key order, and the tables that exist
// already (identical, or different and left alone). restore.ApplyTemplate
// runs it and fills the execution state. A plan is not safe for concurrent
// use.
type ApplyPlan struct {
	Schema    string         `json:"schema"` // the target database
	Create    []PlannedTable `json:"create"`
	Identical []string       `json:"identical"`
	Differ    []TableDiff    `json:"differ"`

	Executed bool     `json:"executed"`
	Ran      int      `json:"ran"`     // statements ApplyTemplate ran, counted across Create in order
	Created  []string `json:"created"` // tables ApplyTemplate created, in order
	Failed   string   `json:"failed,omitempty"`
}

// PlannedTable is one table to create. Statements[0] is its CREATE TABLE,
// production's DDL without the foreign keys listed in Deferred (they close
// a cycle of foreign keys); any further statements are ALTER TABLE … ADD
// CONSTRAINT for deferred foreign keys of earlier tables that reference
// this one, run once it exists.
type PlannedTable struct {
	Name       string               `json:"name"`
	Statements []string             `json:"statements"`
	Deferred   []string             `json:"deferred,omitempty"` // its foreign keys added later by ALTER TABLE
	Triggers   []weekback.ObjectDDL `json:"triggers,omitempty"` // not created: listed in the report
}

// PlanApply compares t with the database target is connected to (the
// DSN's schema) and plans the creation of the missing tables. It changes
// nothing. It returns an EINVALID *weekback.Error when the connection
// names no database or a table to create references a table that is
// neither in the target nor in the template. It is safe for concurrent
// use; the plan it returns is not.
func PlanApply(ctx context.Context, target *sqlx.DB, t *weekback.Template) (*ApplyPlan, error) {
	schema, err := targetSchema(ctx, target)
	if err != nil {
		return nil, err
	}
	kinds, err := tableKinds(ctx, target, schema, templateNames(t))
	if err != nil {
		return nil, fmt.Errorf("plan template apply: %w", err)
	}
	p := &ApplyPlan{Schema: schema, Create: []PlannedTable{}, Identical: []string{}, Differ: []TableDiff{}}
	missing, err := p.compareExisting(ctx, target, t, kinds)
	if err != nil {
		return nil, fmt.Errorf("plan template apply: %w", err)
	}
	if err := checkReferences(missing, kinds, schema); err != nil {
		return nil, err
	}
	if p.Create, err = planCreates(missing); err != nil {
		return nil, fmt.Errorf("plan template apply: %w", err)
	}
	return p, nil
}

// targetSchema returns the connection's default database.
func targetSchema(ctx context.Context, q sqlx.QueryerContext) (string, error) {
	var schema sql.NullString
	if err := q.QueryRowxContext(ctx, mysql.Tag+"SELECT DATABASE()").Scan(&schema); err != nil {
		return "", fmt.Errorf("read the target database: %w", err)
	}
	if schema.String == "" {
		return "", weekback.Errorf(weekback.EINVALID,
			"the target DSN names no database: end it with the schema to create the tables in, e.g. user:pass@tcp(host:3306)/sales")
	}
	return schema.String, nil
}

func templateNames(t *weekback.Template) []string {
	return mapNames(t.Tables, func(tt weekback.TemplateTable) string { return tt.Name })
}

// compareExisting sorts t's tables into identical and different ones and
// returns the missing ones.
func (p *ApplyPlan) compareExisting(ctx context.Context, q sqlx.QueryerContext, t *weekback.Template, kinds map[string]string) ([]*weekback.TemplateTable, error) {
	var existing []string
	for name, kind := range kinds {
		if kind == "BASE TABLE" {
			existing = append(existing, name)
		}
	}
	described, err := describeTables(ctx, q, p.Schema, existing)
	if err != nil {
		return nil, err
	}
	var missing []*weekback.TemplateTable
	for i := range t.Tables {
		tt := &t.Tables[i]
		var diffs []Difference
		switch kind := kinds[tt.Name]; {
		case kind == "":
			missing = append(missing, tt)
			continue
		case described[tt.Name] == nil:
			diffs = []Difference{{Table: tt.Name, Object: DiffTable, What: "type", Template: "BASE TABLE", Target: kind}}
		default:
			diffs = compareTable(tt, described[tt.Name])
		}
		if len(diffs) == 0 {
			p.Identical = append(p.Identical, tt.Name)
		} else {
			p.Differ = append(p.Differ, TableDiff{Table: tt.Name, Differences: diffs})
		}
	}
	return missing, nil
}

// checkReferences makes sure every table to create references only tables
// that will exist: created from the template or already in the target.
func checkReferences(missing []*weekback.TemplateTable, kinds map[string]string, schema string) error {
	creating := map[string]bool{}
	for _, t := range missing {
		creating[t.Name] = true
	}
	for _, t := range missing {
		for _, ref := range t.References() {
			if !creating[ref] && kinds[ref] == "" {
				return weekback.Errorf(weekback.EINVALID,
					"table %s references table %s, which is neither in the template nor in database %s: create %s first, or export the template again with its related tables (without --no-related)",
					t.Name, ref, schema, ref)
			}
		}
	}
	return nil
}

// planCreates orders the missing tables and writes their statements.
func planCreates(missing []*weekback.TemplateTable) ([]PlannedTable, error) {
	order := orderTables(missing)
	var pending []deferredKey
	created := map[string]bool{}
	out := make([]PlannedTable, 0, len(order.Tables))
	for _, t := range order.Tables {
		deferred := order.Deferred[t.Name]
		create, err := withoutForeignKeys(t.DDL, deferred)
		if err != nil {
			return nil, err
		}
		pt := PlannedTable{Name: t.Name, Statements: []string{create}, Triggers: t.Triggers}
		for _, fk := range deferred {
			pt.Deferred = append(pt.Deferred, fk.Name)
			pending = append(pending, deferredKey{t, fk})
		}
		created[t.Name] = true
		var alters []string
		if alters, pending, err = readyKeys(pending, created); err != nil {
			return nil, err
		}
		pt.Statements = append(pt.Statements, alters...)
		out = append(out, pt)
	}
	return out, nil
}

// deferredKey is a foreign key of owner left out of its CREATE TABLE.
type deferredKey struct {
	owner *weekback.TemplateTable
	fk    weekback.TemplateForeignKey
}

// readyKeys returns the ALTER TABLE statements of the pending keys whose
// referenced table is created, and the keys still waiting.
func readyKeys(pending []deferredKey, created map[string]bool) (alters []string, waiting []deferredKey, err error) {
	for _, k := range pending {
		if !created[k.fk.ReferencedTable] {
			waiting = append(waiting, k)
			continue
		}
		alter, err := addForeignKey(k.owner, k.fk.Name)
		if err != nil {
			return nil, nil, err
		}
		alters = append(alters, alter)
	}
	return alters, waiting, nil
}
