package mysql

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Kind says how the records page shows a column's values.
type Kind string

// Display kinds (ColumnKind).
const (
	KindText     Kind = "text"     // UTF-8 text: CHAR, VARCHAR, TEXT, ENUM, SET, and types MariaDB prints as text (UUID, INET6)
	KindNumber   Kind = "number"   // integers, DECIMAL, FLOAT, DOUBLE, as the server prints them
	KindDatetime Kind = "datetime" // DATE, DATETIME, TIMESTAMP, TIME, YEAR, exactly as stored ("0000-00-00" stays)
	KindBinary   Kind = "binary"   // BINARY, VARBINARY, BLOBs: raw bytes (show size + hex)
	KindBit      Kind = "bit"      // BIT(n): raw big-endian bytes
	KindJSON     Kind = "json"     // JSON (MySQL's type, or MariaDB's LONGTEXT with a JSON_VALID check)
	KindGeometry Kind = "geometry" // spatial types: Records gives WKT (ST_AsText)
)

// ColumnKind returns the display kind of c from its data type. MariaDB's
// JSON columns are LONGTEXT to the catalog: RecordColumn.Kind, which the
// Catalog fills, knows them; ColumnKind says KindText.
func ColumnKind(c Column) Kind {
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "float", "double", "real":
		return KindNumber
	case "date", "datetime", "timestamp", "time", "year":
		return KindDatetime
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return KindBinary
	case "bit":
		return KindBit
	case "json":
		return KindJSON
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
		"geometrycollection", "geomcollection":
		return KindGeometry
	}
	return KindText
}

// RecordColumn is a column as Records needs it: the catalog's Column plus
// nullability, character set and sizes.
type RecordColumn struct {
	Column
	Kind      Kind
	Nullable  bool
	Charset   string // "" for non-text columns
	Collation string
	MaxChars  int64 // CHARACTER_MAXIMUM_LENGTH: characters (text) or bytes (binary), 0 for other types
	MaxBytes  int64 // CHARACTER_OCTET_LENGTH
	Precision int   // DECIMAL precision and scale
	Scale     int
	Key       bool // part of the table's row key (RecordTable.Key)
	Masked    bool // set in Page.Columns for the columns of RecordQuery.Masked: no value is ever read
}

// RecordTable is one table of a slot as Records sees it.
type RecordTable struct {
	Schema  string
	Name    string
	Columns []RecordColumn
	// Key names the columns that identify a row and order pages: the
	// primary key, else the smallest unique key whose columns are all NOT
	// NULL. Nil when the table has neither: its pages are ordered by a
	// digest of each row (see Records) and its rows have no record page.
	Key      []string
	KeyIndex string // "PRIMARY", the unique index's name, or ""
	// View is set for a view: it has no key, its pages are ordered by its
	// first columns (ViewOrderColumns) then the row digest, and it is
	// read-only like every table of a slot.
	View bool
}

// Column returns the column named name: the exact name, else the only
// column whose name matches it ignoring case (as MySQL does).
func (t *RecordTable) Column(name string) (*RecordColumn, bool) {
	var found *RecordColumn
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Name == name {
			return c, true
		}
		if strings.EqualFold(c.Name, name) {
			if found != nil {
				return nil, false
			}
			found = c
		}
	}
	return found, found != nil
}

// ColumnNames returns the names of t's columns, in order.
func (t *RecordTable) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// DefaultCatalogTables is how many tables a Catalog remembers before it
// starts over.
const DefaultCatalogTables = 4096

// Catalog remembers the tables of slots (columns, keys) and the server's
// flavour, so that a records page costs one query. Slots never change once
// built, so entries never go stale; ForgetSchema drops a retired slot's.
// Use one Catalog per backup server. It is safe for concurrent use.
type Catalog struct {
	MaxTables int // entries kept before the cache starts over; DefaultCatalogTables when 0

	mu     sync.Mutex
	tables map[string]*RecordTable
	flavor flavor
}

// NewCatalog returns an empty Catalog. The zero Catalog is ready to use
// too.
func NewCatalog() *Catalog {
	return &Catalog{MaxTables: DefaultCatalogTables, tables: map[string]*RecordTable{}}
}

type flavor int

const (
	flavorUnknown flavor = iota
	flavorMariaDB
	flavorMySQL
)

// serverFlavor returns MariaDB or MySQL, asking VERSION() once.
func (c *Catalog) serverFlavor(ctx context.Context, q sqlx.QueryerContext) (flavor, error) {
	c.mu.Lock()
	f := c.flavor
	c.mu.Unlock()
	if f != flavorUnknown {
		return f, nil
	}
	v, err := ServerVersion(ctx, q)
	if err != nil {
		return flavorUnknown, err
	}
	f = flavorMySQL
	if strings.Contains(strings.ToLower(v), "mariadb") {
		f = flavorMariaDB
	}
	c.mu.Lock()
	c.flavor = f
	c.mu.Unlock()
	return f, nil
}

// Table returns the base table schema.table with its columns and row key.
// It returns an ENOTFOUND *weekback.Error when there is no such table (or
// schema; views are not tables here: see Relation), and a wrapped error
// when the catalog cannot be read. The result is shared: do not modify it.
func (c *Catalog) Table(ctx context.Context, q sqlx.QueryerContext, schema, table string) (*RecordTable, error) {
	t, err := c.Relation(ctx, q, schema, table)
	if err == nil && t.View {
		return nil, noTable(table)
	}
	return t, err
}

// Relation returns the base table or view schema.table with its columns
// (a view has no key: RecordTable.View). Errors and sharing as Table.
func (c *Catalog) Relation(ctx context.Context, q sqlx.QueryerContext, schema, table string) (*RecordTable, error) {
	id := schema + "\x00" + table
	c.mu.Lock()
	t := c.tables[id]
	c.mu.Unlock()
	if t != nil {
		return t, nil
	}
	f, err := c.serverFlavor(ctx, q)
	if err != nil {
		return nil, err
	}
	// The table outlives the call: never keep the caller's strings (Fiber
	// reuses the memory of its request parameters).
	t, err = loadRecordTable(ctx, q, strings.Clone(schema), strings.Clone(table), f)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	limit := c.MaxTables
	if limit <= 0 {
		limit = DefaultCatalogTables
	}
	if c.tables == nil || len(c.tables) >= limit {
		c.tables = map[string]*RecordTable{}
	}
	c.tables[id] = t
	c.mu.Unlock()
	return t, nil
}

// ForgetSchema drops what c remembers of schema's tables.
func (c *Catalog) ForgetSchema(schema string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, t := range c.tables {
		if t.Schema == schema {
			delete(c.tables, id)
		}
	}
}

func loadRecordTable(ctx context.Context, q sqlx.QueryerContext, schema, table string, f flavor) (*RecordTable, error) {
	var found []struct {
		Name string `db:"TABLE_NAME"`
		Type string `db:"TABLE_TYPE"`
	}
	err := sqlx.SelectContext(ctx, q, &found, Tag+`SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')`, schema, table)
	if err != nil {
		return nil, fmt.Errorf("look up table %s.%s: %w", schema, table, err)
	}
	if len(found) != 1 || found[0].Name != table {
		return nil, noTable(table)
	}
	t := &RecordTable{Schema: schema, Name: table, View: found[0].Type == "VIEW"}
	if t.Columns, err = recordColumns(ctx, q, schema, table); err != nil {
		return nil, err
	}
	if f == flavorMariaDB {
		if err := markMariaDBJSON(ctx, q, t); err != nil {
			return nil, err
		}
	}
	if err := chooseKey(ctx, q, t); err != nil {
		return nil, err
	}
	return t, nil
}

func noTable(table string) error {
	return weekback.Errorf(weekback.ENOTFOUND, "there is no table %q in this backup: pick one from the list of tables", table).
		WithKey("table.unknown", "table", table)
}

func recordColumns(ctx context.Context, q sqlx.QueryerContext, schema, table string) ([]RecordColumn, error) {
	catalog, err := TableColumns(ctx, q, schema, table)
	if err != nil {
		return nil, err
	}
	cols := make([]RecordColumn, 0, len(catalog))
	for _, cc := range catalog {
		c := RecordColumn{Column: Column{Name: cc.Name, DataType: strings.ToLower(cc.DataType), ColumnType: cc.ColumnType,
			Extra: cc.Extra, Generated: cc.Generated()}, Nullable: cc.Nullable, Charset: cc.Charset, Collation: cc.Collation,
			MaxChars: cc.MaxChars, MaxBytes: cc.MaxBytes, Precision: cc.Precision, Scale: cc.Scale}
		c.Kind = ColumnKind(c.Column)
		if !validCharsetName(c.Charset) || !validCharsetName(c.Collation) {
			return nil, fmt.Errorf("column %s.%s.%s: unexpected character set %q or collation %q", schema, table, c.Name, c.Charset, c.Collation)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

var charsetName = regexp.MustCompile(`^[A-Za-z0-9_]*$`)

// validCharsetName reports whether s can be written into SQL text as a
// character set or collation name (they come from the catalog, and are
// checked all the same).
func validCharsetName(s string) bool { return charsetName.MatchString(s) }

// markMariaDBJSON gives KindJSON to MariaDB's JSON columns: LONGTEXT with
// the CHECK (json_valid(`col`)) the JSON type adds.
func markMariaDBJSON(ctx context.Context, q sqlx.QueryerContext, t *RecordTable) error {
	var clauses []string
	err := sqlx.SelectContext(ctx, q, &clauses, Tag+`SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
		WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`, t.Schema, t.Name)
	if err != nil {
		return fmt.Errorf("list checks of %s.%s: %w", t.Schema, t.Name, err)
	}
	for _, clause := range clauses {
		for i := range t.Columns {
			c := &t.Columns[i]
			if c.Kind == KindText && strings.EqualFold(clause, "json_valid("+QuoteIdent(c.Name)+")") {
				c.Kind = KindJSON
			}
		}
	}
	return nil
}

type indexPart struct {
	Index    string `db:"INDEX_NAME"`
	Column   string `db:"COLUMN_NAME"`
	SubPart  int64  `db:"SUB_PART"`
	Nullable string `db:"NULLABLE"`
}

// chooseKey sets t.Key: the primary key, else the unique key with the
// fewest columns (then by name) whose columns are NOT NULL and order
// exactly (see orderExact).
func chooseKey(ctx context.Context, q sqlx.QueryerContext, t *RecordTable) error {
	var parts []indexPart
	err := sqlx.SelectContext(ctx, q, &parts, Tag+`SELECT INDEX_NAME, COALESCE(COLUMN_NAME, '') AS COLUMN_NAME,
		COALESCE(SUB_PART, 0) AS SUB_PART, NULLABLE FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
		t.Schema, t.Name)
	if err != nil {
		return fmt.Errorf("list keys of %s.%s: %w", t.Schema, t.Name, err)
	}
	indexes := map[string][]string{}
	usable := map[string]bool{}
	var order []string
	for _, p := range parts {
		if _, seen := indexes[p.Index]; !seen {
			order = append(order, p.Index)
			usable[p.Index] = true
		}
		indexes[p.Index] = append(indexes[p.Index], p.Column)
		c, ok := t.Column(p.Column)
		if !ok || p.Column == "" || p.Nullable == "YES" || c.Nullable || !orderExact(c, p.SubPart) {
			usable[p.Index] = false
		}
	}
	for _, name := range order {
		if usable[name] && (t.Key == nil || name != "PRIMARY" && len(indexes[name]) < len(t.Key) && t.KeyIndex != "PRIMARY") {
			t.Key, t.KeyIndex = indexes[name], name
		}
	}
	for _, name := range t.Key {
		c, _ := t.Column(name)
		c.Key = true
	}
	return nil
}
