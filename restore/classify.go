package restore

import (
	"context"
	"fmt"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// fieldUpdate is a three-way set-back: the row at pos gets the day's
// values of cols, where the target still holds the damaged day's.
type fieldUpdate struct {
	pos  int
	cols []int
	was  row // the damaged day's row
}

// plan classifies the selected rows against the target and orders the
// tables.
func (b *builder) plan(ctx context.Context) (*Plan, error) {
	p := &Plan{Day: b.day(), Schema: b.schema, opts: b.opts, src: b.src, byName: map[string]*TablePlan{}, tables: b.tables}
	var missing []string
	for _, name := range b.order {
		t := b.tables[name]
		tp := &TablePlan{Table: name, Selected: b.sets[name].len(), t: t, rows: *b.sets[name]}
		p.byName[name] = tp
		if !t.exists {
			tp.Create = true
			missing = append(missing, name)
			tp.insertAll()
			continue
		}
		if err := b.classify(ctx, tp); err != nil {
			return nil, err
		}
		tp.noteTriggers()
	}
	if err := b.planCreate(ctx, p, missing); err != nil {
		return nil, err
	}
	p.Tables = loadOrder(p.byName, b.order)
	if err := b.checkParents(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (tp *TablePlan) insertAll() {
	for i := range tp.rows.rows {
		tp.insert = append(tp.insert, i)
	}
	tp.Insert = int64(len(tp.insert))
}

// classify sorts tp's rows into inserts, identical rows, conflicts and
// (three-way) set-backs.
func (b *builder) classify(ctx context.Context, tp *TablePlan) error {
	t := tp.t
	if !t.keyed() {
		return b.classifyKeyless(ctx, tp)
	}
	found, err := lookup(ctx, b.target, b.schema, t, tp.rows.rows, "")
	if err != nil {
		return err
	}
	damaged := b.damagedRows[t.name]
	for i, r := range tp.rows.rows {
		cur, ok := found[t.keyText(r)]
		if ok {
			t.keepBlanked(r, cur)
		}
		switch was, changed := damaged[t.keyText(r)]; {
		case !ok:
			tp.insert = append(tp.insert, i)
			tp.Insert++
		case sameRow(r, cur):
			tp.Same++
		case changed:
			tp.threeWay(i, r, was, cur)
		default:
			tp.addConflict(Conflict{Key: t.keyShow(r), Fields: t.differing(r, nil, cur)})
		}
	}
	return nil
}

// classifyKeyless inserts every row of a table without a key into an
// empty target table; a table with rows cannot be matched and is blocked.
func (b *builder) classifyKeyless(ctx context.Context, tp *TablePlan) error {
	var any bool
	err := b.target.QueryRowxContext(ctx, mysql.Tag+"SELECT EXISTS (SELECT 1 FROM "+mysql.QuoteTable(b.schema, tp.Table)+")").Scan(&any)
	if err != nil {
		return fmt.Errorf("look at %s: %w", tp.Table, err)
	}
	if any && len(tp.rows.rows) > 0 {
		tp.Blocked = "the table has no primary key and no NOT NULL unique key and is not empty: its rows cannot be matched; empty it (or restore into an empty schema) to load the day's rows"
		return nil
	}
	tp.insertAll()
	return nil
}

// threeWay sets back the fields the damage changed where the target still
// holds the damaged value; a field edited since is a conflict with all
// three values.
func (tp *TablePlan) threeWay(pos int, day, was, cur row) {
	t := tp.t
	u := fieldUpdate{pos: pos, was: was}
	var edited []ConflictField
	for i := range t.cols {
		switch {
		case sameValue(day[i], was[i]) || sameValue(cur[i], day[i]):
		case sameValue(cur[i], was[i]) && t.referenced[i] != "":
			d := t.fieldDiff(i, day, was, cur)
			tp.addConflict(Conflict{Key: t.keyShow(day), Fields: []ConflictField{d},
				Note: "other tables reference " + t.cols[i].Name + " through " + t.referenced[i] + ": setting it back would change or orphan their rows; set it by hand"})
		case sameValue(cur[i], was[i]):
			u.cols = append(u.cols, i)
		default:
			edited = append(edited, t.fieldDiff(i, day, was, cur))
		}
	}
	if len(u.cols) > 0 {
		tp.updates = append(tp.updates, u)
		tp.Update++
	}
	if len(edited) > 0 {
		tp.addConflict(Conflict{Key: t.keyShow(day), Fields: edited})
	}
	if len(u.cols) == 0 && len(edited) == 0 {
		tp.Same++
	}
}

func sameValue(a, b []byte) bool { return (a == nil) == (b == nil) && string(a) == string(b) }

func (tp *TablePlan) addConflict(c Conflict) {
	tp.Conflict++
	if len(tp.Conflicts) < MaxConflicts {
		tp.Conflicts = append(tp.Conflicts, c)
	}
}

// differing returns the fields where day and cur differ (was: the damaged
// day's row, or nil).
func (t *table) differing(day, was, cur row) []ConflictField {
	var out []ConflictField
	for i := range t.cols {
		if !sameValue(day[i], cur[i]) && len(out) < MaxConflictField {
			out = append(out, t.fieldDiff(i, day, was, cur))
		}
	}
	return out
}

func (t *table) fieldDiff(i int, day, was, cur row) ConflictField {
	c := &t.cols[i]
	d := ConflictField{Column: c.Name, Day: fieldText(c, day[i]), Target: fieldText(c, cur[i])}
	if was != nil {
		d.Damaged = fieldText(c, was[i])
	}
	return d
}

// noteTriggers lists the target's triggers, the columns BEFORE INSERT
// triggers set (written back after the INSERT), and blocks the table when
// an UPDATE trigger would run on that write-back.
func (tp *TablePlan) noteTriggers() {
	t := tp.t
	for _, tr := range t.triggers {
		tp.Triggers = append(tp.Triggers, tr.String())
	}
	for _, i := range t.triggerSet() {
		tp.Stamped = append(tp.Stamped, t.cols[i].Name)
	}
	if ups := t.updateTriggers(); len(tp.Stamped) > 0 && len(ups) > 0 && tp.Insert > 0 {
		tp.Blocked = fmt.Sprintf("BEFORE INSERT triggers set %s, and the UPDATE that writes the day's values back would run %s: resolve by hand (drop or disable the UPDATE trigger for the restore) and run again",
			strings.Join(tp.Stamped, ", "), strings.Join(ups, ", "))
	}
}

// planCreate plans the creation of the tables the target lacks, from the
// day's production DDL, or refuses without CreateMissing.
func (b *builder) planCreate(ctx context.Context, p *Plan, missing []string) error {
	if len(missing) == 0 {
		return nil
	}
	if !b.opts.CreateMissing {
		return weekback.Errorf(weekback.EINVALID,
			"the target has no table %s: add --create-missing-tables to create them from the %s backup's DDL first (views and triggers are listed, not created)",
			strings.Join(missing, ", "), b.day())
	}
	if b.bundle != nil {
		return b.bundle.planCreate(ctx, b.target, p, missing)
	}
	tpl, err := template.BuildTables(ctx, b.src.DB, b.src.Gen, missing)
	if err != nil {
		return err
	}
	if p.Create, err = template.PlanApply(ctx, b.target, tpl); err != nil {
		return err
	}
	for _, v := range b.src.Gen.Manifest.Views {
		p.Objects = append(p.Objects, "view "+v.Name+": "+v.DDL)
	}
	for _, tr := range b.src.Gen.Manifest.Triggers {
		if _, ok := p.byName[tr.Table]; ok && p.byName[tr.Table].Create {
			p.Objects = append(p.Objects, "trigger "+tr.Name+" on "+tr.Table+": "+tr.DDL)
		}
	}
	return nil
}
