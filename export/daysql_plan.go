package export

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// dayPlan is what a day's script holds, read from the manifest and the
// slot's catalog before any row is written.
type dayPlan struct {
	gen        *weekback.Generation
	tables     []*dayTable // foreign-key order
	history    bool        // a table is copied with its row versions
	blanked    []string
	anonymized []string
}

// dayTable is one table of the plan.
type dayTable struct {
	info weekback.TableInfo
	// ddl is the slot's CREATE TABLE split: the table is created with its
	// primary key only, its other indexes built once its rows are in, its
	// foreign keys added at the end of the script.
	ddl    mysql.TableDDL
	cols   []mysql.Column
	values []valueWriter // one per column
	// replace holds, per column, what its values become (a credential
	// column's blank, a pseudonym), or nil to write them as read.
	replace []func(row [][]byte, v []byte) []byte
	src     mysql.RowSource
	blanked []string
}

// slotColumn is what the script needs to know of a column beyond
// mysql.Column: whether it allows NULL and its character set.
type slotColumn struct {
	nullable bool
	charset  string
}

func planDay(ctx context.Context, conn *sqlx.Conn, gen *weekback.Generation, opts DaySQLOptions) (*dayPlan, error) {
	slot := gen.Slot
	present, err := mysql.Tables(ctx, conn, slot)
	if err != nil {
		return nil, err
	}
	byName := map[string]*mysql.Table{}
	for _, t := range present {
		byName[t.Name] = t
	}
	extra, err := slotColumns(ctx, conn, slot)
	if err != nil {
		return nil, err
	}
	p := &dayPlan{gen: gen}
	for _, info := range gen.Manifest.Tables {
		t, ok := byName[info.Name]
		if !ok {
			return nil, weekback.Errorf(weekback.EMISMATCH, "table %s of %s's manifest is missing from slot %s: run `weekback verify --day %s`",
				info.Name, gen.Day, slot, gen.Day)
		}
		dt, err := p.planTable(ctx, conn, t, info, extra[info.Name], opts)
		if err != nil {
			return nil, err
		}
		p.tables = append(p.tables, dt)
	}
	refs, err := foreignKeys(ctx, conn, slot)
	if err != nil {
		return nil, err
	}
	p.tables = orderTables(p.tables, refs)
	return p, nil
}

func (p *dayPlan) planTable(ctx context.Context, conn *sqlx.Conn, t *mysql.Table, info weekback.TableInfo,
	extra map[string]slotColumn, opts DaySQLOptions) (*dayTable, error) {
	cols := t.Copied()
	if info.History {
		cols = t.HistoryColumns()
		p.history = true
	}
	cols = columnsNamed(cols, info.Columns)
	if cols == nil {
		return nil, weekback.Errorf(weekback.EMISMATCH, "the columns of %s in slot %s differ from its manifest: run `weekback verify --day %s`",
			info.Name, p.gen.Slot, p.gen.Day)
	}
	ddl, err := mysql.ShowCreateTable(ctx, conn, p.gen.Slot, info.Name)
	if err != nil {
		return nil, err
	}
	dt := &dayTable{info: info, ddl: mysql.SplitDDL(ddl, mysql.AutoIncColumn(t)), cols: cols, src: mysql.RowSource{Schema: p.gen.Slot, Table: info.Name, History: info.History}}
	masked := opts.Redaction.Masked(info.Name, info.Columns)
	for _, c := range cols {
		sc := extra[c.Name]
		var replace func([][]byte, []byte) []byte
		value := literalFor(c, sc)
		switch {
		case containsFold(masked, c.Name):
			blank := blankStored(c, sc)
			replace = func([][]byte, []byte) []byte { return blank }
			dt.blanked = append(dt.blanked, c.Name)
			p.blanked = append(p.blanked, info.Name+"."+c.Name)
		case opts.Anonymizer.Covers(info.Name, c.Name) && MethodFor(c) != MethodKeep:
			replace = opts.Anonymizer.ColumnFunc(info.Name, c)
			p.anonymized = append(p.anonymized, info.Name+"."+c.Name)
			if MethodFor(c) == MethodText || MethodFor(c) == MethodEmail || MethodFor(c) == MethodPhone {
				value = nullOr(appendSQLString) // pseudonyms are UTF-8 text, converted by the server
			}
		}
		dt.values = append(dt.values, value)
		dt.replace = append(dt.replace, replace)
	}
	return dt, nil
}

// columnsNamed returns the columns of have named in want, in want's
// order, or nil when one is missing.
func columnsNamed(have []mysql.Column, want []string) []mysql.Column {
	out := make([]mysql.Column, 0, len(want))
	for _, n := range want {
		i := indexFold(have, n)
		if i < 0 {
			return nil
		}
		out = append(out, have[i])
	}
	return out
}

func indexFold(cols []mysql.Column, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

func containsFold(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// slotColumns reads the nullability and character set of every column of
// schema, by table and column.
func slotColumns(ctx context.Context, conn *sqlx.Conn, schema string) (map[string]map[string]slotColumn, error) {
	all, err := mysql.SchemaColumns(ctx, conn, schema)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]slotColumn, len(all))
	for table, cols := range all {
		out[table] = make(map[string]slotColumn, len(cols))
		for _, c := range cols {
			out[table][c.Name] = slotColumn{nullable: c.Nullable, charset: c.Charset}
		}
	}
	return out, nil
}

// foreignKeys returns, for each table of schema, the tables its foreign
// keys reference.
func foreignKeys(ctx context.Context, conn *sqlx.Conn, schema string) (map[string][]string, error) {
	rows, err := conn.QueryxContext(ctx, mysql.Tag+`SELECT TABLE_NAME, REFERENCED_TABLE_NAME
		FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND UNIQUE_CONSTRAINT_SCHEMA = ?`, schema, schema)
	if err != nil {
		return nil, fmt.Errorf("list the foreign keys of %s: %w", schema, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, fmt.Errorf("read the foreign keys of %s: %w", schema, err)
		}
		out[child] = append(out[child], parent)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the foreign keys of %s: %w", schema, err)
	}
	return out, nil
}

// orderTables returns tables in loadOrder.
func orderTables(tables []*dayTable, refs map[string][]string) []*dayTable {
	byName := map[string]*dayTable{}
	names := make([]string, len(tables))
	for i, t := range tables {
		byName[t.info.Name], names[i] = t, t.info.Name
	}
	out := make([]*dayTable, len(tables))
	for i, n := range loadOrder(names, refs) {
		out[i] = byName[n]
	}
	return out
}

// loadOrder returns names parents first (a table after every table its
// foreign keys reference), by name among equals; the tables of a cycle
// come last, by name (scripts and restores load them with foreign key
// checks off, so a cycle loads all the same).
func loadOrder(names []string, refs map[string][]string) []string {
	names = append([]string(nil), names...)
	sort.Strings(names)
	done := map[string]bool{}
	var out []string
	for progress := true; progress; {
		progress = false
		for _, n := range names {
			if !done[n] && parentsDone(n, refs[n], done) {
				done[n], progress = true, true
				out = append(out, n)
			}
		}
	}
	for _, n := range names {
		if !done[n] {
			out = append(out, n)
		}
	}
	return out
}

func parentsDone(name string, parents []string, done map[string]bool) bool {
	for _, p := range parents {
		if p != name && !done[p] {
			return false
		}
	}
	return true
}

// orderViews returns the views, each after the views its definition
// names; views of a cycle (which no server accepts) keep their order.
func orderViews(views []weekback.ViewInfo) []weekback.ViewInfo {
	done := map[string]bool{}
	var out []weekback.ViewInfo
	for progress := true; progress; {
		progress = false
		for _, v := range views {
			if !done[v.Name] && viewDepsDone(v, views, done) {
				done[v.Name], progress = true, true
				out = append(out, v)
			}
		}
	}
	for _, v := range views {
		if !done[v.Name] {
			out = append(out, v)
		}
	}
	return out
}

func viewDepsDone(v weekback.ViewInfo, views []weekback.ViewInfo, done map[string]bool) bool {
	for _, o := range views {
		if o.Name != v.Name && !done[o.Name] && strings.Contains(v.DDL, mysql.QuoteIdent(o.Name)) {
			return false
		}
	}
	return true
}

// definer matches DEFINER=user@host or DEFINER=role in a CREATE VIEW.
var definer = regexp.MustCompile("DEFINER=(`(?:[^`]|``)*`|[^ ]+)(?:@(`(?:[^`]|``)*`|[^ ]+))? ")

// stripDefiner leaves the definer out of a CREATE VIEW: the account that
// loads the script becomes it, as no production account exists there.
func stripDefiner(ddl string) string { return definer.ReplaceAllString(ddl, "") }

// unqualify removes the source schema's qualifier from ddl, so that the
// object is created in the schema the script is loaded into.
func (p *dayPlan) unqualify(ddl string) string {
	return strings.ReplaceAll(ddl, mysql.QuoteIdent(p.gen.Manifest.SourceSchema)+".", "")
}
