package restore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/template"
)

// UndoOptions says how Undo runs.
type UndoOptions struct {
	Execute   bool
	UndoPath  string           // the undo file of the undo itself; required with Execute
	BatchSize int              // rows per statement group: DefaultBatch when 0
	Now       func() time.Time // time.Now when nil
	Logger    *slog.Logger     // slog.Default() when nil
	Progress  io.Writer        // a line per step when set
}

// UndoReport says what Undo found and did, per table in the order the
// undo works (children first). It is not safe for concurrent
// modification.
type UndoReport struct {
	File     string        `json:"file"`
	Kind     string        `json:"kind"` // what the file undoes: restore, undo
	Schema   string        `json:"target"`
	Tables   []*UndoTable  `json:"tables"`
	Cascades []UndoCascade `json:"cascades,omitempty"`
	Executed bool          `json:"executed"`
	UndoPath string        `json:"undo_file,omitempty"`
	byName   map[string]*UndoTable
}

// UndoTable counts one table's rows: deleted (rows the restore inserted),
// put back (inserted again), overwritten (set back to their earlier
// content), already as the file says, and deleted rows that were changed
// in the target since the restore wrote them (their current content goes
// to the new undo file).
type UndoTable struct {
	Table        string `json:"table"`
	Delete       int64  `json:"delete"`
	Put          int64  `json:"put"`
	Overwrite    int64  `json:"overwrite"`
	Same         int64  `json:"same"`
	ChangedSince int64  `json:"changed_since"`
}

// UndoCascade is what a foreign key's ON DELETE action does to rows of
// another table when the undo deletes rows: they are saved to the new
// undo file first.
type UndoCascade struct {
	Table      string `json:"table"`
	ForeignKey string `json:"foreign_key"`
	Action     string `json:"action"` // CASCADE, SET NULL
	Rows       int64  `json:"rows"`
}

// undoer runs one Undo.
type undoer struct {
	target *sqlx.DB
	schema string
	opts   UndoOptions
	uf     *undoContent
	fks    map[string][]weekback.TemplateForeignKey // the target's, by table
	tables map[string]*table
	rep    *UndoReport
	out    *undoWriter
	fkOff  bool
}

// undoStep is consecutive rows of the file with the same table, operation
// and group, in the order the undo applies them.
type undoStep struct {
	t     *table
	op    string
	group int
	rows  []row
}

// Undo reverses the restore (or undo) whose undo file is path in target
// (a pool opened with mysql.RoleTarget on production): the file's rows
// last first, "delete" rows removed, "put" rows written back as they
// were. Without opts.Execute it only reports, reading the target. With
// it, everything runs in one transaction; before a row is deleted, the
// rows ON DELETE CASCADE / SET NULL will touch are read and saved to the
// new undo file with it, so undoing the undo brings them back too; rows
// of a foreign-key cycle are handled with foreign key checks off for
// them, their references checked by query. It returns the report and an
// EINVALID *weekback.Error for a file that is not an undo file or names
// another database, ENOTFOUND for a table the target lacks, and wrapped
// errors otherwise; nothing is written when it fails.
func Undo(ctx context.Context, target *sqlx.DB, path string, opts UndoOptions) (*UndoReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatch
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	uf, err := readUndoFile(path)
	if err != nil {
		return nil, err
	}
	ud := &undoer{target: target, opts: opts, uf: uf, tables: map[string]*table{},
		rep: &UndoReport{File: path, Kind: uf.head.Kind, byName: map[string]*UndoTable{}}}
	if err := ud.open(ctx); err != nil {
		return nil, err
	}
	steps, err := ud.steps(ctx)
	if err != nil {
		return nil, err
	}
	if !opts.Execute {
		return ud.rep, ud.dryRun(ctx, steps)
	}
	return ud.rep, ud.execute(ctx, steps)
}

// open checks the target and reads its foreign keys.
func (ud *undoer) open(ctx context.Context) error {
	var err error
	if ud.schema, err = targetSchema(ctx, ud.target, ""); err != nil {
		return err
	}
	if ud.uf.head.Schema != ud.schema {
		return weekback.Errorf(weekback.EINVALID,
			"the undo file was written for database %s, and --to names %s: point --to at %s", ud.uf.head.Schema, ud.schema, ud.uf.head.Schema)
	}
	ud.rep.Schema = ud.schema
	if ud.fks, err = template.ForeignKeys(ctx, ud.target, ud.schema, nil); err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	return nil
}

// table returns the target's table name, loading it once and checking
// it against the file's columns when the file defines it.
func (ud *undoer) table(ctx context.Context, name string) (*table, error) {
	if t := ud.tables[name]; t != nil {
		return t, nil
	}
	t, err := targetTable(ctx, ud.target, ud.schema, name, ud.fks[name])
	if err != nil {
		return nil, err
	}
	if def, ok := ud.uf.tables[name]; ok {
		names := make([]string, len(t.cols))
		for i, c := range t.cols {
			names[i] = c.Name
		}
		if !slices.Equal(names, def.Columns) {
			return nil, weekback.Errorf(weekback.EINVALID,
				"table %s has other columns in the target (%s) than when the undo file was written (%s): it cannot be undone row for row",
				name, strings.Join(names, ", "), strings.Join(def.Columns, ", "))
		}
	}
	ud.tables[name] = t
	return t, nil
}

// steps groups the file's rows, last first.
func (ud *undoer) steps(ctx context.Context) ([]undoStep, error) {
	var out []undoStep
	for i := len(ud.uf.rows) - 1; i >= 0; i-- {
		l := ud.uf.rows[i]
		t, err := ud.table(ctx, l.T)
		if err != nil {
			return nil, err
		}
		r := make(row, len(l.V))
		for j, v := range l.V {
			r[j] = []byte(v)
		}
		if n := len(out); n > 0 && out[n-1].t == t && out[n-1].op == l.Op && out[n-1].group == l.Group && len(out[n-1].rows) < ud.opts.BatchSize {
			out[n-1].rows = append(out[n-1].rows, r)
			continue
		}
		out = append(out, undoStep{t: t, op: l.Op, group: l.Group, rows: []row{r}})
	}
	return out, nil
}

// tableReport returns the report's line of name.
func (ud *undoer) tableReport(name string) *UndoTable {
	if ut := ud.rep.byName[name]; ut != nil {
		return ut
	}
	ut := &UndoTable{Table: name}
	ud.rep.byName[name] = ut
	ud.rep.Tables = append(ud.rep.Tables, ut)
	return ut
}

// addCascade counts rows an ON DELETE action touches.
func (ud *undoer) addCascade(table string, fk weekback.TemplateForeignKey, n int) {
	for i := range ud.rep.Cascades {
		if c := &ud.rep.Cascades[i]; c.Table == table && c.ForeignKey == fk.Name {
			c.Rows += int64(n)
			return
		}
	}
	ud.rep.Cascades = append(ud.rep.Cascades, UndoCascade{Table: table, ForeignKey: fk.Name, Action: fk.OnDelete, Rows: int64(n)})
}

// dryRun classifies every step against the target as it is now, and
// counts the rows the deletes would cascade to (rows the file itself
// deletes aside).
func (ud *undoer) dryRun(ctx context.Context, steps []undoStep) error {
	deleting := map[string]map[string]bool{}
	for _, st := range steps {
		if st.op == opDelete {
			for _, r := range st.rows {
				if deleting[st.t.name] == nil {
					deleting[st.t.name] = map[string]bool{}
				}
				deleting[st.t.name][st.t.keyText(r)] = true
			}
		}
	}
	for _, st := range steps {
		cur, err := lookup(ctx, ud.target, ud.schema, st.t, st.rows, "")
		if err != nil {
			return err
		}
		present := ud.classify(st, cur)
		if st.op != opDelete || len(present) == 0 {
			continue
		}
		sets, err := ud.cascade(ctx, ud.target, st.t, present, "")
		if err != nil {
			return err
		}
		for _, cs := range sets {
			n := 0
			for _, r := range cs.rows {
				if !deleting[cs.t.name][cs.t.keyText(r)] {
					n++
				}
			}
			if n > 0 {
				ud.addCascade(cs.t.name, cs.fk, n)
			}
		}
	}
	return nil
}

// classify counts a step's rows against cur (the target's rows by key)
// and returns the target's rows a delete step would remove.
func (ud *undoer) classify(st undoStep, cur map[string]row) []row {
	ut := ud.tableReport(st.t.name)
	var present []row
	for _, r := range st.rows {
		c, ok := cur[st.t.keyText(r)]
		switch {
		case st.op == opDelete && ok:
			ut.Delete++
			if !sameRow(c, r) {
				ut.ChangedSince++
			}
			present = append(present, c)
		case st.op == opDelete:
			ut.Same++
		case !ok:
			ut.Put++
		case sameRow(c, r):
			ut.Same++
		default:
			ut.Overwrite++
		}
	}
	return present
}

// cascadeSet is rows of a table an ON DELETE action of fk touches.
type cascadeSet struct {
	t    *table
	fk   weekback.TemplateForeignKey
	rows []row
}

// cascade returns, breadth first, the rows of other tables that deleting
// rows of t touches through ON DELETE CASCADE (followed further) and SET
// NULL.
func (ud *undoer) cascade(ctx context.Context, q sqlx.QueryerContext, t *table, rows []row, suffix string) ([]cascadeSet, error) {
	type work struct {
		t    *table
		rows []row
	}
	var out []cascadeSet
	queue := []work{{t, rows}}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, child := range sortedKeys(ud.fks) {
			for _, fk := range ud.fks[child] {
				if fk.ReferencedTable != cur.t.name || fk.ReferencedSchema != "" || fk.OnDelete != "CASCADE" && fk.OnDelete != "SET NULL" {
					continue
				}
				ct, err := ud.table(ctx, child)
				if err != nil {
					return nil, err
				}
				tuples := distinctTuples(cur.rows, colIndexes(cur.t, fk.ReferencedColumns))
				got, err := selectIn(ctx, q, ud.schema, ct, colIndexes(ct, fk.Columns), tuples, suffix)
				if err != nil {
					return nil, err
				}
				if len(got) == 0 {
					continue
				}
				out = append(out, cascadeSet{ct, fk, got})
				if fk.OnDelete == "CASCADE" {
					queue = append(queue, work{ct, got})
				}
			}
		}
	}
	return out, nil
}
