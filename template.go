package weekback

import "time"

// TemplateFormat is the version of the template JSON written by this
// binary. Readers refuse any other version (docs/TEMPLATE_FORMAT.md).
const TemplateFormat = 1

// Template is a portable description of one table of a generation and,
// unless asked otherwise, of every table related to it by foreign keys in
// either direction (transitively): production's DDL, columns, indexes,
// foreign keys and triggers. `weekback template-apply` loads it back into
// a database to recreate the tables that were dropped there.
//
// Checksum is "sha256:<hex>" of the canonical JSON of the template without
// the checksum member; it guards against accidental edits, not against
// someone who means to change the file.
type Template struct {
	Format       int             `json:"format"`
	Day          Weekday         `json:"day"`
	SnapshotAt   time.Time       `json:"snapshot_at"`
	SourceSchema string          `json:"source_schema"`
	SourceServer string          `json:"source_server,omitempty"` // version string of production's server
	Table        string          `json:"table"`                   // the table asked for
	Tables       []TemplateTable `json:"tables"`                  // foreign-key order: referenced tables first
	Checksum     string          `json:"checksum,omitempty"`
}

// Lookup returns the template's table named name, or nil.
func (t *Template) Lookup(name string) *TemplateTable {
	for i := range t.Tables {
		if t.Tables[i].Name == name {
			return &t.Tables[i]
		}
	}
	return nil
}

// TemplateTable is one table of a template. DDL is production's SHOW
// CREATE TABLE statement, verbatim; the other members describe the same
// table as information_schema does, for comparing it with an existing
// table. Triggers are kept as text only.
type TemplateTable struct {
	Name        string               `json:"name"`
	Engine      string               `json:"engine,omitempty"`
	Collation   string               `json:"collation,omitempty"` // the table's default collation
	DDL         string               `json:"ddl"`
	Columns     []TemplateColumn     `json:"columns"`
	Indexes     []TemplateIndex      `json:"indexes"`
	ForeignKeys []TemplateForeignKey `json:"foreign_keys"`
	Triggers    []ObjectDDL          `json:"triggers"`
}

// Column returns the table's column named name, or nil.
func (t *TemplateTable) Column(name string) *TemplateColumn {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// References returns the tables t's foreign keys reference in its own
// schema, each once, in the order of its foreign keys (itself included
// when it references itself).
func (t *TemplateTable) References() []string {
	var out []string
	seen := map[string]bool{}
	for _, fk := range t.ForeignKeys {
		if fk.ReferencedSchema == "" && !seen[fk.ReferencedTable] {
			seen[fk.ReferencedTable] = true
			out = append(out, fk.ReferencedTable)
		}
	}
	return out
}

// TemplateColumn is one column as information_schema.COLUMNS describes it.
// Default is the SQL text of the default as the server reports it (a
// quoted literal 'new', a number 0.00, NULL, or an expression
// current_timestamp()), nil when the column has none.
type TemplateColumn struct {
	Name       string  `json:"name"`
	ColumnType string  `json:"column_type"` // "int(10) unsigned", "enum('a','b')" …
	Nullable   bool    `json:"nullable"`
	Default    *string `json:"default"`
	Extra      string  `json:"extra,omitempty"` // "auto_increment", "on update current_timestamp()", "STORED GENERATED" …
	Charset    string  `json:"charset,omitempty"`
	Collation  string  `json:"collation,omitempty"`
	Generated  string  `json:"generated,omitempty"` // the expression of a generated column
	Comment    string  `json:"comment,omitempty"`
}

// TemplateIndex is one index (the primary key is named PRIMARY).
type TemplateIndex struct {
	Name    string                `json:"name"`
	Unique  bool                  `json:"unique"`
	Columns []TemplateIndexColumn `json:"columns"`
	Type    string                `json:"type"` // BTREE, HASH, FULLTEXT, SPATIAL
}

// TemplateIndexColumn is one part of an index: a column, with its prefix
// length when only a prefix is indexed.
type TemplateIndexColumn struct {
	Name       string `json:"name"`
	Length     int    `json:"length,omitempty"`
	Descending bool   `json:"descending,omitempty"`
}

// TemplateForeignKey is one foreign key. ReferencedSchema is empty when
// the referenced table is in the same schema (the usual case).
type TemplateForeignKey struct {
	Name              string   `json:"name"`
	Columns           []string `json:"columns"`
	ReferencedSchema  string   `json:"referenced_schema,omitempty"`
	ReferencedTable   string   `json:"referenced_table"`
	ReferencedColumns []string `json:"referenced_columns"`
	OnUpdate          string   `json:"on_update"` // RESTRICT, CASCADE, SET NULL, NO ACTION, SET DEFAULT
	OnDelete          string   `json:"on_delete"`
}
