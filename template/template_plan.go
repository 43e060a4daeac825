package template

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
// neither in the template nor a table of the target with a key on the
// referenced columns. It is safe for concurrent
// use; the plan it returns is not.
func PlanApply(ctx context.Context, target *sqlx.DB, t *weekback.Template) (*ApplyPlan, error) {
	schema, err := targetSchema(ctx, target)
	if err != nil {
		return nil, err
	}
	kinds, err := tableKinds(ctx, target, schema, append(templateNames(t), referencedNames(t)...))
	if err != nil {
		return nil, fmt.Errorf("plan template apply: %w", err)
	}
	described, err := describeTables(ctx, target, schema, baseTables(kinds))
	if err != nil {
		return nil, fmt.Errorf("plan template apply: %w", err)
	}
	p := &ApplyPlan{Schema: schema, Create: []PlannedTable{}, Identical: []string{}, Differ: []TableDiff{}}
	missing := p.compareExisting(t, kinds, described)
	if err := checkReferences(missing, kinds, described, schema); err != nil {
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

// referencedNames returns the tables of the template's schema its tables'
// foreign keys reference.
func referencedNames(t *weekback.Template) []string {
	var out []string
	for i := range t.Tables {
		out = append(out, t.Tables[i].References()...)
	}
	return out
}

// baseTables returns the names kinds gives as base tables.
func baseTables(kinds map[string]string) []string {
	var out []string
	for name, kind := range kinds {
		if kind == "BASE TABLE" {
			out = append(out, name)
		}
	}
	return out
}

// compareExisting sorts t's tables into identical and different ones
// (described: the target's base tables) and returns the missing ones.
func (p *ApplyPlan) compareExisting(t *weekback.Template, kinds map[string]string, described map[string]*weekback.TemplateTable) []*weekback.TemplateTable {
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
	return missing
}

// checkReferences makes sure every foreign key of a table to create
// references a table that will exist: created from the template, or a
// base table of the target (described) with the referenced columns as
// the leading columns of an index, as the server requires.
func checkReferences(missing []*weekback.TemplateTable, kinds map[string]string, described map[string]*weekback.TemplateTable, schema string) error {
	creating := map[string]bool{}
	for _, t := range missing {
		creating[t.Name] = true
	}
	for _, t := range missing {
		for _, fk := range t.ForeignKeys {
			if fk.ReferencedSchema != "" || creating[fk.ReferencedTable] {
				continue
			}
			if err := checkReferenced(t.Name, fk, kinds, described[fk.ReferencedTable], schema); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkReferenced checks the target's table ref that fk of table name
// references.
func checkReferenced(name string, fk weekback.TemplateForeignKey, kinds map[string]string, ref *weekback.TemplateTable, schema string) error {
	to := fk.ReferencedTable
	switch {
	case kinds[to] == "":
		return weekback.Errorf(weekback.EINVALID,
			"table %s references table %s, which is neither in the template nor in database %s: create %s first, or export the template again with its related tables (without --no-related)",
			name, to, schema, to)
	case ref == nil:
		return weekback.Errorf(weekback.EINVALID,
			"table %s references %s, which is a %s in database %s, not a table: replace it with the table, or export the template again with its related tables",
			name, to, kinds[to], schema)
	case !leadingIndex(ref, fk.ReferencedColumns):
		return weekback.Errorf(weekback.EINVALID,
			"table %s references %s %s, but table %s in database %s has no key (index) starting with those columns: add one, or export the template again with its related tables",
			name, to, list(fk.ReferencedColumns), to, schema)
	}
	return nil
}

// leadingIndex reports whether an index of t starts with cols, in order.
func leadingIndex(t *weekback.TemplateTable, cols []string) bool {
	for _, ix := range t.Indexes {
		if len(ix.Columns) < len(cols) {
			continue
		}
		ok := true
		for i, c := range cols {
			ok = ok && strings.EqualFold(ix.Columns[i].Name, c)
		}
		if ok {
			return true
		}
	}
	return false
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
