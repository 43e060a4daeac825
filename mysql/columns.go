package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// CatalogColumn is one column as information_schema.COLUMNS describes it:
// the one description of a column every package reads (SchemaColumns,
// TableColumns) and derives its own view from.
type CatalogColumn struct {
	Table      string
	Name       string
	Ordinal    int    // ORDINAL_POSITION, from 1
	DataType   string // DATA_TYPE as the server spells it: "int", "varchar", "geometry" …
	ColumnType string // "int(10) unsigned", "enum('a','b')" …
	Extra      string // "auto_increment", "STORED GENERATED", "INVISIBLE" …
	Nullable   bool
	// Default is the SQL text of the default as the server reports it (a
	// quoted literal 'new', a number 0.00, NULL, or an expression
	// current_timestamp()), nil when the column has none.
	Default    *string
	Charset    string // "" for non-text columns
	Collation  string
	MaxChars   int64  // CHARACTER_MAXIMUM_LENGTH, 0 for non-string types
	MaxBytes   int64  // CHARACTER_OCTET_LENGTH
	Precision  int    // NUMERIC_PRECISION, 0 for non-numeric types
	Scale      int    // NUMERIC_SCALE
	Expression string // GENERATION_EXPRESSION: a generated column's expression, "ROW START"/"ROW END" for period columns
	Comment    string
	Key        string // COLUMN_KEY: "PRI", "UNI", "MUL" or ""
}

// Generated reports whether the server computes c's values (a virtual,
// stored or persistent generated column, or an explicit system-versioning
// period column): such a column is never written.
func (c CatalogColumn) Generated() bool {
	extra := strings.ToUpper(c.Extra)
	return strings.Contains(extra, "GENERATED") || strings.Contains(extra, "VIRTUAL") || strings.Contains(extra, "PERSISTENT")
}

// Invisible reports whether c is left out of SELECT * (MariaDB's INVISIBLE).
func (c CatalogColumn) Invisible() bool {
	return strings.Contains(strings.ToUpper(c.Extra), "INVISIBLE")
}

// SchemaColumns returns the columns of every table and view of schema, by
// table name, each table's in ordinal order, read in one query. It returns
// an empty map for a schema without tables and a wrapped error when the
// catalog cannot be read. It is safe for concurrent use when q is.
func SchemaColumns(ctx context.Context, q sqlx.QueryerContext, schema string) (map[string][]CatalogColumn, error) {
	cols, err := catalogColumns(ctx, q, schema, "")
	if err != nil {
		return nil, err
	}
	out := map[string][]CatalogColumn{}
	for _, c := range cols {
		out[c.Table] = append(out[c.Table], c)
	}
	return out, nil
}

// TableColumns returns the columns of schema.table in ordinal order (none
// when there is no such table), read in one query. It returns a wrapped
// error when the catalog cannot be read. It is safe for concurrent use
// when q is.
func TableColumns(ctx context.Context, q sqlx.QueryerContext, schema, table string) ([]CatalogColumn, error) {
	if table == "" {
		return nil, nil
	}
	return catalogColumns(ctx, q, schema, table)
}

// catalogColumns runs the one query of information_schema.COLUMNS: the
// columns of schema.table, or of all of schema when table is "".
func catalogColumns(ctx context.Context, q sqlx.QueryerContext, schema, table string) ([]CatalogColumn, error) {
	what, where, args := schema, "", []any{schema}
	if table != "" {
		what, where, args = schema+"."+table, " AND TABLE_NAME = ?", append(args, table)
	}
	rows, err := q.QueryxContext(ctx, Tag+`SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE,
		EXTRA, IS_NULLABLE = 'YES', COLUMN_DEFAULT, COALESCE(CHARACTER_SET_NAME, ''), COALESCE(COLLATION_NAME, ''),
		COALESCE(CHARACTER_MAXIMUM_LENGTH, 0), COALESCE(CHARACTER_OCTET_LENGTH, 0), COALESCE(NUMERIC_PRECISION, 0),
		COALESCE(NUMERIC_SCALE, 0), COALESCE(GENERATION_EXPRESSION, ''), COLUMN_COMMENT, COLUMN_KEY
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?`+where+` ORDER BY TABLE_NAME, ORDINAL_POSITION`,
		args...)
	if err != nil {
		return nil, fmt.Errorf("list columns of %s: %w", what, err)
	}
	defer rows.Close()
	var out []CatalogColumn
	for rows.Next() {
		var c CatalogColumn
		var def sql.NullString
		if err := rows.Scan(&c.Table, &c.Name, &c.Ordinal, &c.DataType, &c.ColumnType, &c.Extra, &c.Nullable, &def,
			&c.Charset, &c.Collation, &c.MaxChars, &c.MaxBytes, &c.Precision, &c.Scale, &c.Expression, &c.Comment, &c.Key); err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", what, err)
		}
		if def.Valid {
			c.Default = &def.String
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", what, err)
	}
	return out, nil
}
