package template

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// ForeignKeys returns the foreign keys of names (every base table when
// names is nil) of schema, by table, in constraint-name order, as
// information_schema describes them. It is safe for concurrent use.
func ForeignKeys(ctx context.Context, q sqlx.QueryerContext, schema string, names []string) (map[string][]weekback.TemplateForeignKey, error) {
	if names == nil {
		err := sqlx.SelectContext(ctx, q, &names, mysql.Tag+`SELECT TABLE_NAME FROM information_schema.TABLES
			WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`, schema)
		if err != nil {
			return nil, fmt.Errorf("list tables of %s: %w", schema, err)
		}
	}
	out := map[string][]weekback.TemplateForeignKey{}
	if len(names) == 0 {
		return out, nil
	}
	tables := map[string]*weekback.TemplateTable{}
	for _, n := range names {
		tables[n] = &weekback.TemplateTable{Name: n}
	}
	if err := readForeignKeys(ctx, q, schema, names, tables); err != nil {
		return nil, err
	}
	for n, t := range tables {
		if len(t.ForeignKeys) > 0 {
			out[n] = t.ForeignKeys
		}
	}
	return out, nil
}
