package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Table is one base table of a schema as the catalog describes it.
type Table struct {
	Name       string   `db:"TABLE_NAME"`
	Engine     string   `db:"ENGINE"`
	EstRows    int64    `db:"TABLE_ROWS"`
	DataLength int64    `db:"DATA_LENGTH"`
	Versioned  bool     `db:"VERSIONED"` // MariaDB WITH SYSTEM VERSIONING
	Columns    []Column `db:"-"`
}

// Column is one column of a table.
type Column struct {
	Name       string `db:"COLUMN_NAME"`
	DataType   string `db:"DATA_TYPE"`   // "int", "float", "geometry" …
	ColumnType string `db:"COLUMN_TYPE"` // "int(10) unsigned" …
	Extra      string `db:"EXTRA"`
	Generated  bool   `db:"-"`
	// Period is "ROW START" or "ROW END" for the explicit period columns
	// of a system-versioned table ("" otherwise); they count as Generated.
	Period string `db:"-"`
}

// Table types of information_schema.TABLES that Weekback copies.
const (
	TypeBaseTable = "BASE TABLE"
	TypeVersioned = "SYSTEM VERSIONED"
	TypeSequence  = "SEQUENCE"
	TypeView      = "VIEW"
)

// SchemaObject is one entry of information_schema.TABLES: a table, view or
// sequence and its TABLE_TYPE.
type SchemaObject struct {
	Name string `db:"TABLE_NAME"`
	Type string `db:"TABLE_TYPE"`
}

// SchemaObjects returns every table, view and sequence of schema with its
// type, by name.
func SchemaObjects(ctx context.Context, q sqlx.QueryerContext, schema string) ([]SchemaObject, error) {
	var out []SchemaObject
	err := sqlx.SelectContext(ctx, q, &out, Tag+`SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, schema)
	if err != nil {
		return nil, fmt.Errorf("list the objects of %s: %w", schema, err)
	}
	return out, nil
}

// PeriodColumns returns the row start and end columns of a
// system-versioned table: its explicit ones, else MariaDB's implicit
// ROW_START and ROW_END (TIMESTAMP(6), hidden from the catalog). It
// returns nil for other tables.
func (t *Table) PeriodColumns() []Column {
	if !t.Versioned {
		return nil
	}
	var start, end *Column
	for i, c := range t.Columns {
		switch c.Period {
		case "ROW START":
			start = &t.Columns[i]
		case "ROW END":
			end = &t.Columns[i]
		}
	}
	if start != nil && end != nil {
		return []Column{*start, *end}
	}
	implicit := Column{DataType: "timestamp", ColumnType: "timestamp(6)", Generated: true}
	s, e := implicit, implicit
	s.Name, s.Period, e.Name, e.Period = "ROW_START", "ROW START", "ROW_END", "ROW END"
	return []Column{s, e}
}

// HistoryColumns returns the columns that hold every version of a
// system-versioned table's rows: the copied columns, then the period's
// start and end (PeriodColumns).
func (t *Table) HistoryColumns() []Column {
	return append(t.Copied(), t.PeriodColumns()...)
}

// Copied returns the columns whose values are stored (not generated).
func (t *Table) Copied() []Column {
	var out []Column
	for _, c := range t.Columns {
		if !c.Generated {
			out = append(out, c)
		}
	}
	return out
}

// ColumnNames returns the names of cols.
func ColumnNames(cols []Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// Tables returns the base tables of schema, system-versioned ones
// included, with their columns, biggest (by data length) first.
func Tables(ctx context.Context, q sqlx.QueryerContext, schema string) ([]*Table, error) {
	var tables []*Table
	err := sqlx.SelectContext(ctx, q, &tables, Tag+`SELECT TABLE_NAME, COALESCE(ENGINE,'') AS ENGINE,
		COALESCE(TABLE_ROWS,0) AS TABLE_ROWS, COALESCE(DATA_LENGTH,0) AS DATA_LENGTH,
		TABLE_TYPE = 'SYSTEM VERSIONED' AS VERSIONED
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
		ORDER BY DATA_LENGTH DESC, TABLE_NAME`, schema)
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", schema, err)
	}
	cols, err := columns(ctx, q, schema)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		t.Columns = cols[t.Name]
	}
	return tables, nil
}

func columns(ctx context.Context, q sqlx.QueryerContext, schema string) (map[string][]Column, error) {
	all, err := SchemaColumns(ctx, q, schema)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Column, len(all))
	for table, cols := range all {
		for _, cc := range cols {
			out[table] = append(out[table], cc.column())
		}
	}
	return out, nil
}

// column is the copier's view of c.
func (c CatalogColumn) column() Column {
	col := Column{Name: c.Name, DataType: c.DataType, ColumnType: c.ColumnType, Extra: c.Extra, Generated: c.Generated()}
	if e := strings.ToUpper(c.Expression); col.Generated && (e == "ROW START" || e == "ROW END") {
		col.Period = e
	}
	return col
}

// ShowCreateTable returns the CREATE TABLE statement of schema.table.
func ShowCreateTable(ctx context.Context, q sqlx.QueryerContext, schema, table string) (string, error) {
	var name, ddl string
	row := q.QueryRowxContext(ctx, Tag+"SHOW CREATE TABLE "+QuoteTable(schema, table))
	if err := row.Scan(&name, &ddl); err != nil {
		return "", fmt.Errorf("show create table %s: %w", table, err)
	}
	return ddl, nil
}

// Views returns the names of the views of schema.
func Views(ctx context.Context, q sqlx.QueryerContext, schema string) ([]string, error) {
	var names []string
	err := sqlx.SelectContext(ctx, q, &names, Tag+`SELECT TABLE_NAME FROM information_schema.VIEWS
		WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, schema)
	if err != nil {
		return nil, fmt.Errorf("list views of %s: %w", schema, err)
	}
	return names, nil
}

// ShowCreateView returns the CREATE VIEW statement of schema.view.
func ShowCreateView(ctx context.Context, q sqlx.QueryerContext, schema, view string) (string, error) {
	var name, ddl, cs, coll string
	row := q.QueryRowxContext(ctx, Tag+"SHOW CREATE VIEW "+QuoteTable(schema, view))
	if err := row.Scan(&name, &ddl, &cs, &coll); err != nil {
		return "", fmt.Errorf("show create view %s: %w", view, err)
	}
	return ddl, nil
}

// SchemaCharset returns the default character set and collation of schema;
// found is false when the schema does not exist.
func SchemaCharset(ctx context.Context, q sqlx.QueryerContext, schema string) (charset, collation string, found bool, err error) {
	rows, err := q.QueryxContext(ctx, Tag+`SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME
		FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`, schema)
	if err != nil {
		return "", "", false, fmt.Errorf("read schema %s: %w", schema, err)
	}
	defer rows.Close()
	if rows.Next() {
		err = rows.Scan(&charset, &collation)
		found = err == nil
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read schema %s: %w", schema, err)
	}
	return charset, collation, found, nil
}
