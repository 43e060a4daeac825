package restore

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// table is one table of a restore as the day's slot describes it, with
// what the target says about it.
type table struct {
	name string
	rt   *mysql.RecordTable   // in the slot
	cols []mysql.RecordColumn // stored (not generated) columns, in the slot's order
	key  []int                // index in cols of each key column
	fks  []weekback.TemplateForeignKey

	// referenced names, per column other tables' foreign keys reference,
	// one such key: setting that column back would reach those tables.
	referenced map[int]string

	// blanked holds the columns a bundle wrote blank (credentials): never
	// compared with production, never written over its values.
	blanked []int

	exists   bool      // the target has the table
	triggers []trigger // the target's triggers on it
	onUpdate []int     // cols the target stamps ON UPDATE (set back with the trigger columns)
}

// trigger is one trigger of the target: for BEFORE INSERT, the columns it
// assigns (NEW.col = …).
type trigger struct {
	Name   string   `json:"name"`
	Timing string   `json:"timing"` // BEFORE, AFTER
	Event  string   `json:"event"`  // INSERT, UPDATE, DELETE
	Sets   []string `json:"sets,omitempty"`
}

func (tr trigger) String() string {
	s := tr.Name + " " + tr.Timing + " " + tr.Event
	if len(tr.Sets) > 0 {
		s += " (sets " + strings.Join(tr.Sets, ", ") + ")"
	}
	return s
}

// col returns the index in t.cols of the column named name, or -1.
func (t *table) col(name string) int {
	return slices.IndexFunc(t.cols, func(c mysql.RecordColumn) bool { return c.Name == name })
}

func (t *table) keyed() bool { return len(t.key) > 0 }

// loadTable describes name from the slot and, when the target has it,
// checks that its stored columns are the same and reads its triggers.
func loadTable(ctx context.Context, s *Source, target sqlx.QueryerContext, schema, name string, fks []weekback.TemplateForeignKey) (*table, error) {
	rt, err := new(mysql.Catalog).Table(ctx, s.DB, s.Gen.Slot, name)
	if err != nil {
		return nil, fmt.Errorf("describe %s in the day's copy: %w", name, err)
	}
	t := newTable(rt, fks)
	trt, err := new(mysql.Catalog).Table(ctx, target, schema, name)
	switch {
	case weekback.ErrorCode(err) == weekback.ENOTFOUND:
		return t, nil
	case err != nil:
		return nil, fmt.Errorf("describe %s in the target: %w", name, err)
	}
	return t, t.attachTarget(ctx, target, schema, trt)
}

// attachTarget notes that the target has t (described as trt): its stored
// columns must be the day's; its triggers are read.
func (t *table) attachTarget(ctx context.Context, target sqlx.QueryerContext, schema string, trt *mysql.RecordTable) error {
	t.exists = true
	if err := t.sameColumns(trt); err != nil {
		return err
	}
	var err error
	t.triggers, err = readTriggers(ctx, target, schema, t.name)
	return err
}

// newTable returns the table rt describes, with its stored columns and
// key.
func newTable(rt *mysql.RecordTable, fks []weekback.TemplateForeignKey) *table {
	t := &table{name: rt.Name, rt: rt, fks: fks}
	for _, c := range rt.Columns {
		if !c.Generated {
			t.cols = append(t.cols, c)
		}
	}
	for _, k := range rt.Key {
		t.key = append(t.key, t.col(k))
	}
	return t
}

// targetTable describes name as the target has it, with its triggers.
func targetTable(ctx context.Context, q sqlx.QueryerContext, schema, name string, fks []weekback.TemplateForeignKey) (*table, error) {
	rt, err := new(mysql.Catalog).Table(ctx, q, schema, name)
	if weekback.ErrorCode(err) == weekback.ENOTFOUND {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "the target has no table %s (the undo file names it): recreate it first", name)
	}
	if err != nil {
		return nil, fmt.Errorf("describe %s in the target: %w", name, err)
	}
	t := newTable(rt, fks)
	t.exists = true
	if err := t.sameColumns(rt); err != nil {
		return nil, err
	}
	if t.triggers, err = readTriggers(ctx, q, schema, name); err != nil {
		return nil, err
	}
	return t, nil
}

// sameColumns refuses a target table whose stored columns differ from the
// day's: rows could not be compared or written as they were.
func (t *table) sameColumns(trt *mysql.RecordTable) error {
	var got []string
	for _, c := range trt.Columns {
		if !c.Generated {
			got = append(got, c.Name+" "+c.ColumnType)
			if strings.Contains(strings.ToLower(c.Extra), "on update") {
				t.onUpdate = append(t.onUpdate, t.col(c.Name))
			}
		}
	}
	want := make([]string, len(t.cols))
	for i, c := range t.cols {
		want[i] = c.Name + " " + c.ColumnType
	}
	if !slices.Equal(got, want) || slices.Contains(t.onUpdate, -1) {
		return weekback.Errorf(weekback.EINVALID,
			"table %s has other columns in the target (%s) than on the day (%s): restore cannot write its rows as they were; `weekback template-apply` with the day's template lists the differences",
			t.name, strings.Join(got, ", "), strings.Join(want, ", "))
	}
	return nil
}

// assigned finds "NEW.col =" (or ":=") in a trigger's body.
var assigned = regexp.MustCompile("(?i)\\bNEW\\s*\\.\\s*(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)\\s*:?=")

// readTriggers returns the target's triggers on table.
func readTriggers(ctx context.Context, q sqlx.QueryerContext, schema, name string) ([]trigger, error) {
	rows, err := q.QueryxContext(ctx, mysql.Tag+`SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
		FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME`, schema, name)
	if err != nil {
		return nil, fmt.Errorf("list triggers of %s: %w", name, err)
	}
	defer rows.Close()
	var out []trigger
	for rows.Next() {
		var tr trigger
		var body string
		if err := rows.Scan(&tr.Name, &tr.Timing, &tr.Event, &body); err != nil {
			return nil, fmt.Errorf("list triggers of %s: %w", name, err)
		}
		if tr.Timing == "BEFORE" && tr.Event == "INSERT" {
			tr.Sets = assignedColumns(body)
		}
		out = append(out, tr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list triggers of %s: %w", name, err)
	}
	return out, nil
}

// assignedColumns returns the columns a trigger body assigns, each once.
func assignedColumns(body string) []string {
	var out []string
	for _, m := range assigned.FindAllStringSubmatch(body, -1) {
		name := m[1]
		if strings.HasPrefix(name, "`") {
			name = strings.ReplaceAll(name[1:len(name)-1], "``", "`")
		}
		if !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, name) }) {
			out = append(out, name)
		}
	}
	return out
}

// triggerSet returns the columns BEFORE INSERT triggers assign.
func (t *table) triggerSet() []int {
	var out []int
	for _, tr := range t.triggers {
		for _, name := range tr.Sets {
			if i := slices.IndexFunc(t.cols, func(c mysql.RecordColumn) bool { return strings.EqualFold(c.Name, name) }); i >= 0 && !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

// stampedColumns returns the columns a restore must set back after its
// INSERT: those BEFORE INSERT triggers assign and, when there are any,
// the ON UPDATE columns the setting-back UPDATE would stamp.
func (t *table) stampedColumns() []int {
	out := t.triggerSet()
	if len(out) == 0 {
		return nil
	}
	for _, i := range t.onUpdate {
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// afterInsert returns the target's AFTER INSERT triggers on t: they may
// write other tables.
func (t *table) afterInsert() []string {
	var out []string
	for _, tr := range t.triggers {
		if tr.Timing == "AFTER" && tr.Event == "INSERT" {
			out = append(out, tr.Name)
		}
	}
	return out
}

// updateTriggers returns the target's UPDATE triggers on t: they would run
// on the UPDATE that sets stamped columns back.
func (t *table) updateTriggers() []string {
	var out []string
	for _, tr := range t.triggers {
		if tr.Event == "UPDATE" {
			out = append(out, tr.String())
		}
	}
	return out
}

// readExprs returns the SELECT list that reads t's stored columns.
func (t *table) readExprs() string {
	out := make([]string, len(t.cols))
	for i := range t.cols {
		out[i] = readExpr(&t.cols[i])
	}
	return strings.Join(out, ", ")
}
