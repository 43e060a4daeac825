package restore

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// setBack writes the three-way set-backs ups inside tx: each row is
// locked and read again; a field that no longer holds the damaged day's
// value was edited since the plan and becomes a conflict; the row's
// current content goes to the undo file before its fields are set back.
func (p *Plan) setBack(ctx context.Context, tx *sqlx.Tx, u *undoWriter, tp *TablePlan, ups []fieldUpdate) error {
	t := tp.t
	rows := make([]row, len(ups))
	for i, up := range ups {
		rows[i] = tp.rows.rows[up.pos]
	}
	cur, err := lookup(ctx, tx, p.Schema, t, rows, " FOR UPDATE")
	if err != nil {
		return err
	}
	for i, up := range ups {
		day := rows[i]
		c, ok := cur[t.keyText(day)]
		if !ok {
			tp.Update--
			tp.addConflict(Conflict{Key: t.keyShow(day), Note: "deleted from the target since the plan"})
			continue
		}
		if !stillDamaged(c, up) {
			tp.Update--
			tp.addConflict(Conflict{Key: t.keyShow(day), Fields: t.differing(day, up.was, c)})
			continue
		}
		if err := u.add(t, opPut, tp.Group, c); err != nil {
			return err
		}
		if err := u.sync(); err != nil {
			return err
		}
		if err := updateColumns(ctx, tx, p.Schema, t, up.cols, []row{day}); err != nil {
			return err
		}
		tp.Updated++
		tp.written = append(tp.written, merge(c, day, up.cols))
	}
	return nil
}

// stillDamaged reports whether cur still holds the damaged values of the
// fields up sets back.
func stillDamaged(cur row, up fieldUpdate) bool {
	for _, i := range up.cols {
		if !sameValue(cur[i], up.was[i]) {
			return false
		}
	}
	return true
}

// merge returns cur with the values of cols taken from day: the row a
// set-back leaves.
func merge(cur, day row, cols []int) row {
	out := append(row(nil), cur...)
	for _, i := range cols {
		out[i] = day[i]
	}
	return out
}
