package restore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// execute applies the steps in one transaction and commits once the new
// undo file is on disk; when anything fails, nothing is written and the
// new undo file is removed.
func (ud *undoer) execute(ctx context.Context, steps []undoStep) error {
	if ud.opts.UndoPath == "" {
		return weekback.Errorf(weekback.EINVALID, "an undo that writes needs its own undo file: set --undo-file")
	}
	out, err := createUndoFile(ud.opts.UndoPath, undoLine{Kind: "undo", Schema: ud.schema, Day: ud.uf.head.Day, At: ptr(ud.opts.Now().UTC())})
	if err != nil {
		return err
	}
	ud.out = out
	err = ud.inOneTx(ctx, steps)
	if cerr := out.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(err, os.Remove(out.path))
	}
	ud.rep.Executed, ud.rep.UndoPath = true, out.path
	return nil
}

func (ud *undoer) inOneTx(ctx context.Context, steps []undoStep) error {
	conn, err := ud.target.Connx(ctx)
	if err != nil {
		return fmt.Errorf("connect to the target: %w", err)
	}
	defer conn.Close()
	defer conn.ExecContext(context.WithoutCancel(ctx), mysql.Tag+"SET foreign_key_checks = 1") //nolint:errcheck // best effort before the connection closes
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin a transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	g := &groupState{}
	for i, st := range steps {
		if err := ud.setChecks(ctx, tx, st.group > 0, g); err != nil {
			return err
		}
		if err := ud.applyStep(ctx, tx, st, g); err != nil {
			return err
		}
		if ud.opts.Progress != nil {
			fmt.Fprintf(ud.opts.Progress, "undo: step %d of %d (%s, %d rows)\n", i+1, len(steps), st.t.name, len(st.rows))
		}
	}
	if err := ud.setChecks(ctx, tx, false, g); err != nil {
		return err
	}
	if err := ud.out.sync(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// applyStep locks the step's rows and deletes or writes them back.
func (ud *undoer) applyStep(ctx context.Context, tx *sqlx.Tx, st undoStep, g *groupState) error {
	cur, err := lookup(ctx, tx, ud.schema, st.t, st.rows, " FOR UPDATE")
	if err != nil {
		return err
	}
	present := ud.classify(st, cur)
	if st.op == opDelete {
		if ud.fkOff {
			g.deleted = append(g.deleted, cascadeSet{t: st.t, rows: present})
		}
		return ud.deleteRows(ctx, tx, st, present)
	}
	ins, err := ud.putRows(ctx, tx, st, cur)
	if ud.fkOff {
		g.put = append(g.put, cascadeSet{t: st.t, rows: ins})
	}
	return err
}

// deleteRows saves what deleting present will take (the rows its ON
// DELETE actions touch, deepest first, then the rows themselves) and
// deletes it.
func (ud *undoer) deleteRows(ctx context.Context, tx *sqlx.Tx, st undoStep, present []row) error {
	if len(present) == 0 {
		return nil
	}
	var sets []cascadeSet
	if !ud.fkOff { // with checks off no ON DELETE action runs: the group check finds what is left
		var err error
		if sets, err = ud.cascade(ctx, tx, st.t, present, " FOR UPDATE"); err != nil {
			return err
		}
	}
	for i := len(sets) - 1; i >= 0; i-- {
		ud.addCascade(sets[i].t.name, sets[i].fk, len(sets[i].rows))
		for _, r := range sets[i].rows {
			if err := ud.out.add(sets[i].t, opPut, 0, r); err != nil {
				return err
			}
		}
	}
	for _, r := range present {
		if err := ud.out.add(st.t, opPut, st.group, r); err != nil {
			return err
		}
	}
	if err := ud.out.sync(); err != nil {
		return err
	}
	return deleteByKey(ctx, tx, ud.schema, st.t, present)
}

// putRows writes the step's rows back: inserted where the key is free,
// overwritten where the row differs, saving to the new undo file how to
// reverse that. It returns the rows inserted.
func (ud *undoer) putRows(ctx context.Context, tx *sqlx.Tx, st undoStep, cur map[string]row) ([]row, error) {
	t := st.t
	var ins, upd []row
	for _, r := range st.rows {
		c, ok := cur[t.keyText(r)]
		var err error
		switch {
		case !ok:
			ins = append(ins, r)
			err = ud.out.add(t, opDelete, st.group, r)
		case !sameRow(c, r):
			upd = append(upd, r)
			err = ud.out.add(t, opPut, st.group, c)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := ud.out.sync(); err != nil {
		return nil, err
	}
	if err := insertStatements(ctx, tx, ud.schema, t, ins); err != nil {
		return nil, err
	}
	if err := writeStamped(ctx, tx, ud.schema, t, ins); err != nil {
		return nil, err
	}
	all := make([]int, len(t.cols))
	for i := range all {
		all[i] = i
	}
	if len(upd) > 0 {
		return ins, updateColumns(ctx, tx, ud.schema, t, all, upd)
	}
	return ins, nil
}

// deleteByKey deletes the rows of t with the keys of rows.
func deleteByKey(ctx context.Context, tx *sqlx.Tx, schema string, t *table, rows []row) error {
	if !t.keyed() {
		return deleteKeyless(ctx, tx, schema, t, rows)
	}
	tuples := distinctTuples(rows, t.key)
	chunk := max(1, min(1000, maxStmtParams/max(1, len(t.key))))
	for start := 0; start < len(tuples); start += chunk {
		cond, args := inCondition(t, t.key, tuples[start:min(start+chunk, len(tuples))])
		if err := execChecked(ctx, tx, t, mysql.Tag+"DELETE t FROM "+mysql.QuoteTable(schema, t.name)+" AS t WHERE "+cond, args); err != nil {
			return err
		}
	}
	return nil
}

// groupState is what the undo did with foreign key checks off: checked by
// query when they go back on.
type groupState struct {
	deleted, put []cascadeSet
}

// setChecks turns foreign key checks off for the rows of a cycle group
// and on again after them, checking first that no row references a row
// the group deleted and that every row it put back finds its parents.
func (ud *undoer) setChecks(ctx context.Context, tx *sqlx.Tx, off bool, g *groupState) error {
	if off == ud.fkOff {
		return nil
	}
	if !off {
		if err := ud.checkGroup(ctx, tx, g); err != nil {
			return err
		}
		*g = groupState{}
	}
	value := "1"
	if off {
		value = "0"
	}
	if _, err := tx.ExecContext(ctx, mysql.Tag+"SET foreign_key_checks = "+value); err != nil {
		return fmt.Errorf("set foreign_key_checks: %w", err)
	}
	ud.fkOff = off
	return nil
}

// checkGroup finds rows left referencing deleted rows, and rows put back
// without their parents.
func (ud *undoer) checkGroup(ctx context.Context, tx *sqlx.Tx, g *groupState) error {
	var problems []string
	for _, d := range g.deleted {
		for _, child := range sortedKeys(ud.fks) {
			for _, fk := range ud.fks[child] {
				if fk.ReferencedTable != d.t.name || fk.ReferencedSchema != "" {
					continue
				}
				ct, err := ud.table(ctx, child)
				if err != nil {
					return err
				}
				left, err := selectIn(ctx, tx, ud.schema, ct, colIndexes(ct, fk.Columns), distinctTuples(d.rows, colIndexes(d.t, fk.ReferencedColumns)), "")
				if err != nil {
					return err
				}
				for _, r := range left {
					problems = append(problems, fmt.Sprintf("%s %s still references %s through %s", child, ct.keyShow(r), d.t.name, fk.Name))
				}
			}
		}
	}
	for _, p := range g.put {
		missing, err := ud.missingParents(ctx, tx, p)
		if err != nil {
			return err
		}
		problems = append(problems, missing...)
	}
	if len(problems) == 0 {
		return nil
	}
	return weekback.Errorf(weekback.EINVALID,
		"the undo of a foreign-key cycle would leave broken references (%s): nothing was written; remove or restore those rows first",
		strings.Join(problems[:min(len(problems), MaxOrphans)], "; "))
}

// missingParents names rows of p whose parent row is not in the target.
func (ud *undoer) missingParents(ctx context.Context, tx *sqlx.Tx, p cascadeSet) ([]string, error) {
	var out []string
	for _, fk := range p.t.fks {
		if fk.ReferencedSchema != "" {
			continue
		}
		pt, err := ud.table(ctx, fk.ReferencedTable)
		if err != nil {
			return nil, err
		}
		missing, err := parentsMissing(ctx, tx, ud.schema, p.t, pt, fk, p.rows)
		if err != nil {
			return nil, err
		}
		out = append(out, missing...)
	}
	return out, nil
}
