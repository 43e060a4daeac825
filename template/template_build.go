package template

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Build returns the template of table in gen: production's DDL of
// the table and, when related is set, of every table related to it by
// foreign keys in either direction (transitively), with their columns,
// indexes, foreign keys and triggers, in foreign-key order. The
// checksum is set by Write.
//
// backup reads the backup server's catalog (information_schema of the
// generation's slot, which holds the same tables with the same keys as
// production). Related tables are found there rather than by parsing the
// manifest's DDL: the server has parsed the DDL already, so quoted names,
// composite keys and keys on UNIQUE columns need no parser of ours.
//
// It returns an ENOTFOUND *weekback.Error when gen has no backup or table
// is not in it. It is safe for concurrent use if backup is.
func Build(ctx context.Context, backup sqlx.QueryerContext, gen *weekback.Generation, table string, related bool) (*weekback.Template, error) {
	if err := checkTemplateSource(gen, table); err != nil {
		return nil, err
	}
	m := gen.Manifest
	names := []string{table}
	if related {
		edges, err := foreignKeyEdges(ctx, backup, gen.Slot)
		if err != nil {
			return nil, fmt.Errorf("build template of %s: %w", table, err)
		}
		names = relatedTables(edges, table, func(n string) bool { return m.Table(n) != nil })
	}
	tables, err := templateTables(ctx, backup, gen, names)
	if err != nil {
		return nil, fmt.Errorf("build template of %s: %w", table, err)
	}
	return newTemplate(gen, table, tables), nil
}

// newTemplate returns the template of tables of gen, in foreign-key
// order; table "" names it after the first.
func newTemplate(gen *weekback.Generation, table string, tables []*weekback.TemplateTable) *weekback.Template {
	m := gen.Manifest
	t := &weekback.Template{Format: weekback.TemplateFormat, Day: gen.Day, SnapshotAt: m.SnapshotAt.UTC(),
		SourceSchema: m.SourceSchema, SourceServer: m.SourceServer, Table: table}
	for _, tt := range orderTables(tables).Tables {
		t.Tables = append(t.Tables, *tt)
	}
	if t.Table == "" && len(t.Tables) > 0 {
		t.Table = t.Tables[0].Name
	}
	return t
}

// checkTemplateSource says what to do when gen cannot give table.
func checkTemplateSource(gen *weekback.Generation, table string) error {
	if gen == nil || !gen.Ready() {
		return weekback.Errorf(weekback.ENOTFOUND,
			"this day has no backup to read: pick another day; `weekback generations` lists the days that have one")
	}
	if gen.Manifest.Table(table) == nil {
		return weekback.Errorf(weekback.ENOTFOUND,
			"table %q is not in the %s backup: the day's page (/%s/) or `weekback generations --json` lists its tables",
			table, gen.Day, gen.Day)
	}
	return nil
}

// relatedTables returns table and every table connected to it by foreign
// keys in either direction, transitively, among the tables known accepts;
// sorted by name.
func relatedTables(edges map[string][]string, table string, known func(string) bool) []string {
	links := map[string][]string{}
	for from, tos := range edges {
		for _, to := range tos {
			links[from] = append(links[from], to)
			links[to] = append(links[to], from)
		}
	}
	seen := map[string]bool{table: true}
	queue := []string{table}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range links[cur] {
			if !seen[next] && known(next) {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// templateTables describes names from gen's slot and adds production's
// DDL and triggers from the manifest.
func templateTables(ctx context.Context, backup sqlx.QueryerContext, gen *weekback.Generation, names []string) ([]*weekback.TemplateTable, error) {
	described, err := describeTables(ctx, backup, gen.Slot, names)
	if err != nil {
		return nil, err
	}
	out := make([]*weekback.TemplateTable, 0, len(names))
	for _, n := range names {
		t := described[n]
		if t == nil {
			return nil, fmt.Errorf("table %s is in the manifest but not in slot %s", n, gen.Slot)
		}
		t.DDL = gen.Manifest.Table(n).DDL
		for _, tr := range gen.Manifest.Triggers {
			if tr.Table == n {
				t.Triggers = append(t.Triggers, tr)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// BuildTables returns the template of the tables names of gen
// (which must all be in its manifest), in foreign-key order, named after
// the first: what `weekback restore --create-missing-tables` creates. It
// returns an ENOTFOUND *weekback.Error when gen has no backup or a table
// is not in it. It is safe for concurrent use if backup is.
func BuildTables(ctx context.Context, backup sqlx.QueryerContext, gen *weekback.Generation, names []string) (*weekback.Template, error) {
	for _, n := range names {
		if err := checkTemplateSource(gen, n); err != nil {
			return nil, err
		}
	}
	tables, err := templateTables(ctx, backup, gen, names)
	if err != nil {
		return nil, fmt.Errorf("build template: %w", err)
	}
	return newTemplate(gen, "", tables), nil
}
