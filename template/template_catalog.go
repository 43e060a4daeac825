package template

import (
	"context"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Both the template (from a slot) and the comparison with an existing
// table (in the target) come from information_schema, read the same way:
// the server has already parsed the DDL, so quoted names, composite keys,
// prefix lengths and keys on UNIQUE columns need no parser of ours, and
// the two sides are described in the same terms.

// tableKinds returns the TABLE_TYPE ("BASE TABLE", "VIEW" …) of each of
// names that exists in schema.
func tableKinds(ctx context.Context, q sqlx.QueryerContext, schema string, names []string) (map[string]string, error) {
	out := map[string]string{}
	if len(names) == 0 {
		return out, nil
	}
	err := eachRow(ctx, q, "list tables", schema, `SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)`, []any{schema, names}, func(rows *sqlx.Rows) error {
		var name, kind string
		err := rows.Scan(&name, &kind)
		out[name] = kind
		return err
	})
	return out, err
}

// describeTables returns names (base tables of schema) as template tables
// without DDL or triggers; names that do not exist are left out.
func describeTables(ctx context.Context, q sqlx.QueryerContext, schema string, names []string) (map[string]*weekback.TemplateTable, error) {
	out := map[string]*weekback.TemplateTable{}
	if len(names) == 0 {
		return out, nil
	}
	steps := []func(context.Context, sqlx.QueryerContext, string, []string, map[string]*weekback.TemplateTable) error{
		readTableOptions, readColumns, readIndexes, readForeignKeys,
	}
	for _, step := range steps {
		if err := step(ctx, q, schema, names, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readTableOptions(ctx context.Context, q sqlx.QueryerContext, schema string, names []string, out map[string]*weekback.TemplateTable) error {
	return eachRow(ctx, q, "read tables", schema, `SELECT TABLE_NAME, COALESCE(ENGINE,''), COALESCE(TABLE_COLLATION,'')
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME IN (?)`, []any{schema, names}, func(rows *sqlx.Rows) error {
		t := &weekback.TemplateTable{Columns: []weekback.TemplateColumn{}, Indexes: []weekback.TemplateIndex{},
			ForeignKeys: []weekback.TemplateForeignKey{}, Triggers: []weekback.ObjectDDL{}}
		err := rows.Scan(&t.Name, &t.Engine, &t.Collation)
		out[t.Name] = t
		return err
	})
}

func readColumns(ctx context.Context, q sqlx.QueryerContext, schema string, names []string, out map[string]*weekback.TemplateTable) error {
	all, err := mysql.SchemaColumns(ctx, q, schema)
	if err != nil {
		return err
	}
	for table, cols := range all {
		t := out[table]
		if t == nil {
			continue
		}
		for _, c := range cols {
			t.Columns = append(t.Columns, weekback.TemplateColumn{Name: c.Name, ColumnType: c.ColumnType, Nullable: c.Nullable,
				Default: c.Default, Extra: c.Extra, Charset: c.Charset, Collation: c.Collation, Generated: c.Expression, Comment: c.Comment})
		}
	}
	return nil
}

func readIndexes(ctx context.Context, q sqlx.QueryerContext, schema string, names []string, out map[string]*weekback.TemplateTable) error {
	err := eachRow(ctx, q, "read indexes", schema, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE = 0, COALESCE(COLUMN_NAME,''),
		COALESCE(SUB_PART,0), COALESCE(COLLATION,'') = 'D', INDEX_TYPE
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)
		ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, []any{schema, names}, func(rows *sqlx.Rows) error {
		var table string
		var ix weekback.TemplateIndex
		var col weekback.TemplateIndexColumn
		if err := rows.Scan(&table, &ix.Name, &ix.Unique, &col.Name, &col.Length, &col.Descending, &ix.Type); err != nil {
			return err
		}
		if t := out[table]; t != nil {
			t.Indexes = appendIndexPart(t.Indexes, ix, col)
		}
		return nil
	})
	for _, t := range out {
		sortIndexes(t.Indexes)
	}
	return err
}

// appendIndexPart adds col to the last index when it is ix, else starts ix.
func appendIndexPart(list []weekback.TemplateIndex, ix weekback.TemplateIndex, col weekback.TemplateIndexColumn) []weekback.TemplateIndex {
	if n := len(list); n > 0 && list[n-1].Name == ix.Name {
		list[n-1].Columns = append(list[n-1].Columns, col)
		return list
	}
	ix.Columns = []weekback.TemplateIndexColumn{col}
	return append(list, ix)
}

// sortIndexes puts PRIMARY first, then the others by name.
func sortIndexes(list []weekback.TemplateIndex) {
	sort.SliceStable(list, func(i, j int) bool {
		if (list[i].Name == "PRIMARY") != (list[j].Name == "PRIMARY") {
			return list[i].Name == "PRIMARY"
		}
		return list[i].Name < list[j].Name
	})
}

func readForeignKeys(ctx context.Context, q sqlx.QueryerContext, schema string, names []string, out map[string]*weekback.TemplateTable) error {
	return eachRow(ctx, q, "read foreign keys", schema, `SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
		k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
		FROM information_schema.KEY_COLUMN_USAGE k
		JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
		AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
		WHERE k.TABLE_SCHEMA = ? AND k.TABLE_NAME IN (?) AND k.REFERENCED_TABLE_NAME IS NOT NULL
		ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`, []any{schema, names}, func(rows *sqlx.Rows) error {
		var table, col, refSchema, refCol string
		var fk weekback.TemplateForeignKey
		if err := rows.Scan(&table, &fk.Name, &col, &refSchema, &fk.ReferencedTable, &refCol, &fk.OnUpdate, &fk.OnDelete); err != nil {
			return err
		}
		if refSchema != schema {
			fk.ReferencedSchema = refSchema
		}
		if t := out[table]; t != nil {
			t.ForeignKeys = appendForeignKeyPart(t.ForeignKeys, fk, col, refCol)
		}
		return nil
	})
}

// appendForeignKeyPart adds a column pair to the last foreign key when it
// is fk, else starts fk.
func appendForeignKeyPart(list []weekback.TemplateForeignKey, fk weekback.TemplateForeignKey, col, refCol string) []weekback.TemplateForeignKey {
	n := len(list)
	if n == 0 || list[n-1].Name != fk.Name {
		list = append(list, fk)
		n++
	}
	list[n-1].Columns = append(list[n-1].Columns, col)
	list[n-1].ReferencedColumns = append(list[n-1].ReferencedColumns, refCol)
	return list
}

// foreignKeyEdges returns, for every base table of schema, the tables of
// schema it references.
func foreignKeyEdges(ctx context.Context, q sqlx.QueryerContext, schema string) (map[string][]string, error) {
	out := map[string][]string{}
	err := eachRow(ctx, q, "read foreign keys", schema, `SELECT DISTINCT TABLE_NAME, REFERENCED_TABLE_NAME
		FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL`,
		[]any{schema, schema}, func(rows *sqlx.Rows) error {
			var from, to string
			err := rows.Scan(&from, &to)
			out[from] = append(out[from], to)
			return err
		})
	return out, err
}

// eachRow runs query with args, a slice among them expanded to one
// placeholder per element for "IN (?)" (names are values, never SQL
// text), and calls scan for each row. Errors read "<what> of <schema>: …".
func eachRow(ctx context.Context, q sqlx.QueryerContext, what, schema, query string, args []any, scan func(*sqlx.Rows) error) error {
	expanded, args, err := sqlx.In(query, args...)
	if err != nil {
		return fmt.Errorf("%s of %s: %w", what, schema, err)
	}
	rows, err := q.QueryxContext(ctx, mysql.Tag+expanded, args...)
	if err != nil {
		return fmt.Errorf("%s of %s: %w", what, schema, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("%s of %s: %w", what, schema, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s of %s: %w", what, schema, err)
	}
	return nil
}
