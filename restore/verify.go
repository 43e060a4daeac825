package restore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// checkGroup checks, inside the transaction of a cycle group written with
// foreign key checks off, that every foreign key of the group's written
// rows finds its parent, in the group or anywhere in the target (a parent
// deleted since the plan is caught here); an orphan rolls the group back,
// with the rows named.
func (p *Plan) checkGroup(ctx context.Context, tx *sqlx.Tx, group []*TablePlan) error {
	var orphans []string
	for _, tp := range group {
		for _, fk := range tp.t.fks {
			parent := p.tables[fk.ReferencedTable]
			if fk.ReferencedSchema != "" || parent == nil || !parent.exists {
				continue
			}
			missing, err := parentsMissing(ctx, tx, p.Schema, tp.t, parent, fk, tp.written)
			if err != nil {
				return err
			}
			orphans = append(orphans, missing...)
		}
	}
	if len(orphans) == 0 {
		return nil
	}
	return weekback.Errorf(weekback.EINVALID,
		"the cycle group %s was rolled back: rows reference parent rows that are not there (%s); add the parents to the restore (--with-related) and run again",
		groupNames(group), strings.Join(orphans[:min(len(orphans), MaxOrphans)], "; "))
}

// parentsMissing names the rows of t whose fk finds no row of pt in the
// target (as q sees it).
func parentsMissing(ctx context.Context, q sqlx.QueryerContext, schema string, t, pt *table, fk weekback.TemplateForeignKey, rows []row) ([]string, error) {
	childCols, refCols := colIndexes(t, fk.Columns), colIndexes(pt, fk.ReferencedColumns)
	found, err := selectIn(ctx, q, schema, pt, refCols, distinctTuples(rows, childCols), "")
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, r := range found {
		have[joinTexts(pick(r, refCols))] = true
	}
	var out []string
	for _, r := range rows {
		if tu := pick(r, childCols); !hasNull(tu) && !have[joinTexts(tu)] {
			out = append(out, fmt.Sprintf("%s %s: %s = %s not in %s", t.name, t.keyShow(r), fk.Name, showValues(t, childCols, r), pt.name))
		}
	}
	return out, nil
}

func groupNames(group []*TablePlan) string {
	names := make([]string, len(group))
	for i, tp := range group {
		names[i] = tp.Table
	}
	return strings.Join(names, ", ")
}

// Verify reads every row the restore wrote back from target and compares
// it with the row it should be (the day's row; for a set-back, the row
// with the day's values in the fields set back): per table, the content
// hash of both sides (mysql.RowHasher) and, when they differ, the rows
// and why. It returns an EMISMATCH *weekback.Error naming the tables that
// differ. It is called by Execute.
func (p *Plan) Verify(ctx context.Context, target sqlx.QueryerContext) error {
	var bad []string
	for _, tp := range p.Tables {
		if len(tp.written) == 0 {
			continue
		}
		if err := p.verifyTable(ctx, target, tp); err != nil {
			return err
		}
		if !tp.Verified {
			bad = append(bad, fmt.Sprintf("%s (%d rows differ)", tp.Table, len(tp.Mismatches)))
		}
	}
	if len(bad) > 0 {
		return weekback.Errorf(weekback.EMISMATCH,
			"the restore wrote rows that do not read back as the day's: %s; the report lists the rows and why; the undo file %s reverses the restore",
			strings.Join(bad, ", "), p.UndoPath)
	}
	return nil
}

func (p *Plan) verifyTable(ctx context.Context, target sqlx.QueryerContext, tp *TablePlan) error {
	t := tp.t
	found, err := lookup(ctx, target, p.Schema, t, tp.written, "")
	if err != nil {
		return fmt.Errorf("verify %s: %w", t.name, err)
	}
	want, got := mysql.NewRowHasher(), mysql.NewRowHasher()
	for _, r := range tp.written {
		want.Add(r)
		back, ok := found[t.keyText(r)]
		if ok {
			got.Add(back)
		}
		if reason := mismatch(t, r, back, ok); reason != "" && len(tp.Mismatches) < MaxMismatches {
			tp.Mismatches = append(tp.Mismatches, Mismatch{Key: t.keyShow(r), Reason: reason})
		}
	}
	tp.DayHash, tp.TargetHash = want.Hash(), got.Hash()
	tp.Verified = tp.DayHash == tp.TargetHash && want.Rows() == got.Rows()
	return nil
}

// mismatch says why back is not r ("" when it is).
func mismatch(t *table, r, back row, found bool) string {
	if !found {
		return "not in the target after the restore (deleted since by another writer, or by a trigger)"
	}
	var parts []string
	for i := range t.cols {
		if sameValue(r[i], back[i]) {
			continue
		}
		d := t.fieldDiff(i, r, nil, back)
		why := ""
		for _, tr := range t.triggers {
			if slices.ContainsFunc(tr.Sets, func(s string) bool { return strings.EqualFold(s, t.cols[i].Name) }) {
				why = " (set by trigger " + tr.Name + ")"
			}
		}
		parts = append(parts, fmt.Sprintf("%s: day %s, target %s%s", d.Column, d.Day, d.Target, why))
	}
	return strings.Join(parts, "; ")
}
