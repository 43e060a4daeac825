package restore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// Plan is what a restore will write, table by table in load order, and,
// once executed, what it wrote and what verification found. A plan is
// not safe for concurrent use.
type Plan struct {
	Day     weekback.Weekday    `json:"day"`
	Bundle  string              `json:"bundle,omitempty"` // the bundle file the rows came from
	Schema  string              `json:"target"`
	Tables  []*TablePlan        `json:"tables"`            // load order: parents first
	Create  *template.ApplyPlan `json:"create,omitempty"`  // missing tables to create first
	Objects []string            `json:"objects,omitempty"` // views and triggers of created tables: listed, not created
	Orphan  int64               `json:"orphan"`
	Orphans []Orphan            `json:"orphans,omitempty"` // the first MaxOrphans

	Executed bool   `json:"executed"`
	UndoPath string `json:"undo_file,omitempty"`

	opts   Options
	src    *Source
	byName map[string]*TablePlan
	tables map[string]*table // every table the plan described, parents outside it included
}

// TablePlan is one table of a plan.
type TablePlan struct {
	Table     string     `json:"table"`
	Group     int        `json:"group,omitempty"` // >0: a cycle of foreign keys loaded in one transaction
	Create    bool       `json:"create,omitempty"`
	Selected  int        `json:"selected"` // rows of the day selected
	Insert    int64      `json:"insert"`
	Same      int64      `json:"same"`
	Conflict  int64      `json:"conflict"`
	Conflicts []Conflict `json:"conflicts,omitempty"`
	Update    int64      `json:"update,omitempty"` // three-way: rows whose fields are set back
	// Stamped lists the columns production's BEFORE INSERT triggers set:
	// the restore writes the day's values back after its INSERT.
	Stamped  []string `json:"stamped,omitempty"`
	Triggers []string `json:"triggers,omitempty"`
	Blocked  string   `json:"blocked,omitempty"` // why the table cannot be written

	Inserted   int64      `json:"inserted,omitempty"`
	Updated    int64      `json:"updated,omitempty"`
	Verified   bool       `json:"verified,omitempty"`
	DayHash    string     `json:"day_hash,omitempty"` // content hash of the written rows, on the day and read back
	TargetHash string     `json:"target_hash,omitempty"`
	Mismatches []Mismatch `json:"mismatches,omitempty"`

	t       *table
	written []row  // rows inserted or set back, as the day has them (for Verify)
	rows    rowSet // the day's selected rows
	insert  []int  // positions in rows
	updates []fieldUpdate
}

// Conflict is a row present in the target with other values: never
// overwritten. Fields holds the differing fields (the first
// MaxConflictField).
type Conflict struct {
	Key    string          `json:"key"`
	Fields []ConflictField `json:"fields,omitempty"`
	Note   string          `json:"note,omitempty"`
}

// ConflictField is one field of a conflict, as reports show values (NULL,
// quoted text, 0x-hex). Damaged is set in three-way restores: the value
// on the day the damage was seen.
type ConflictField struct {
	Column  string `json:"column"`
	Day     string `json:"day"`
	Damaged string `json:"damaged,omitempty"`
	Target  string `json:"target"`
}

// Orphan is a row to insert whose parent row is neither in the target nor
// in the plan.
type Orphan struct {
	Table      string `json:"table"`
	Key        string `json:"key"`
	ForeignKey string `json:"foreign_key"`
	Parent     string `json:"parent"`
	Values     string `json:"values"`
}

// Mismatch is a written row that does not read back as the day's row.
type Mismatch struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// builder gathers the rows of a plan.
type builder struct {
	src    *Source
	target *sqlx.DB
	schema string
	opts   Options
	fks    map[string][]weekback.TemplateForeignKey // the slot's, by table
	tables map[string]*table
	sets   map[string]*rowSet
	order  []string // tables in the order first met
	// damagedRows holds, for --changed-in, the rows of the damaged day by
	// table and key.
	damagedRows map[string]map[string]row
	bundle      *bundleInput // set when the rows come from a bundle, not a generation
}

// damaged returns t's rows of the damaged day, by key.
func (b *builder) damaged(t *table) map[string]row {
	if b.damagedRows == nil {
		b.damagedRows = map[string]map[string]row{}
	}
	if b.damagedRows[t.name] == nil {
		b.damagedRows[t.name] = map[string]row{}
	}
	return b.damagedRows[t.name]
}

// Build selects the day's rows opts asks for, compares them with the
// target (a pool opened with mysql.RoleTarget on production) and plans
// the restore. It changes nothing. It returns an EINVALID *weekback.Error
// for a target that is a backup schema or names no database, a table the
// day does not have, or missing tables without CreateMissing, and wrapped
// errors when a server fails. Rows without a parent and conflicts are in
// the plan, not errors.
func Build(ctx context.Context, src *Source, target *sqlx.DB, opts Options) (*Plan, error) {
	opts = opts.withDefaults()
	if err := opts.check(src); err != nil {
		return nil, err
	}
	b := &builder{src: src, target: target, opts: opts, tables: map[string]*table{}, sets: map[string]*rowSet{}}
	var err error
	if b.schema, err = targetSchema(ctx, target, src.Prefix); err != nil {
		return nil, err
	}
	if b.fks, err = template.ForeignKeys(ctx, src.DB, src.Gen.Slot, nil); err != nil {
		return nil, fmt.Errorf("plan restore: %w", err)
	}
	if err := b.selectRows(ctx); err != nil {
		return nil, err
	}
	return b.plan(ctx)
}

// targetSchema returns the target's database, refusing none and the
// backup prefix's schemas.
func targetSchema(ctx context.Context, target sqlx.QueryerContext, prefix string) (string, error) {
	var schema sql.NullString
	if err := target.QueryRowxContext(ctx, mysql.Tag+"SELECT DATABASE()").Scan(&schema); err != nil {
		return "", fmt.Errorf("read the target database: %w", err)
	}
	switch {
	case schema.String == "":
		return "", weekback.Errorf(weekback.EINVALID,
			"--to names no database: end the DSN with production's schema, e.g. user:pass@tcp(prod:3306)/sales")
	case isBackupSchema(schema.String, prefix):
		return "", weekback.Errorf(weekback.EINVALID,
			"--to names database %s, one of the backup's own schemas (prefix %s): restore writes production, never a backup copy; point --to at production's schema",
			schema.String, prefix)
	}
	return schema.String, nil
}

// isBackupSchema reports whether schema is the meta schema or a slot
// (<prefix>_<day>_r<run>) of the backup prefix.
func isBackupSchema(schema, prefix string) bool {
	if prefix == "" {
		return false
	}
	if schema == mysql.MetaSchema(prefix) {
		return true
	}
	rest, ok := strings.CutPrefix(schema, prefix+"_")
	day, run, ok2 := strings.Cut(rest, "_r")
	_, err := weekback.ParseWeekday(day)
	return ok && ok2 && err == nil && run != "" && strings.Trim(run, "0123456789") == ""
}

// table returns the table name, loading it once.
func (b *builder) table(ctx context.Context, name string) (*table, error) {
	if t := b.tables[name]; t != nil {
		return t, nil
	}
	t, err := b.describe(ctx, name)
	if err != nil {
		return nil, err
	}
	t.referenced = map[int]string{}
	for _, child := range sortedKeys(b.fks) {
		for _, fk := range b.fks[child] {
			if fk.ReferencedTable == name && fk.ReferencedSchema == "" {
				for _, c := range colIndexes(t, fk.ReferencedColumns) {
					t.referenced[c] = child + "." + fk.Name + " (ON UPDATE " + fk.OnUpdate + ")"
				}
			}
		}
	}
	b.tables[name] = t
	b.sets[name] = &rowSet{}
	b.order = append(b.order, name)
	return t, nil
}

// describe loads the table name of the day (a generation's slot, or a
// bundle's template) with what the target says about it.
func (b *builder) describe(ctx context.Context, name string) (*table, error) {
	if b.bundle != nil {
		return b.bundle.table(ctx, b.target, b.schema, name, b.fks[name])
	}
	if b.src.Gen.Manifest.Table(name) == nil {
		return nil, weekback.Errorf(weekback.ENOTFOUND,
			"table %q is not in the %s backup: the day's page or `weekback generations --json` lists its tables", name, b.src.Gen.Day)
	}
	return loadTable(ctx, b.src, b.target, b.schema, name, b.fks[name])
}

// dayHas reports whether the day (or the bundle) has the table name.
func (b *builder) dayHas(name string) bool {
	if b.bundle != nil {
		return b.bundle.has(name)
	}
	return b.src.Gen.Manifest.Table(name) != nil
}

// day returns the weekday the rows are from.
func (b *builder) day() weekback.Weekday {
	if b.bundle != nil {
		return b.bundle.m.Day
	}
	return b.src.Gen.Day
}

// add adds rows to name's set and returns those that were new. A table
// without a key may hold the same row several times: the copies in one
// read are told apart by their number (a later read of the same rows adds
// nothing).
func (b *builder) add(name string, rows []row) []row {
	t, set := b.tables[name], b.sets[name]
	var added []row
	copies := map[string]int{}
	for _, r := range rows {
		key := t.keyText(r)
		if !t.keyed() {
			copies[key]++
			key += "#" + strconv.Itoa(copies[key])
		}
		if set.add(key, r) {
			added = append(added, r)
		}
	}
	return added
}
