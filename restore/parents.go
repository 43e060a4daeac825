package restore

import (
	"context"

	"github.com/weekback/weekback"
)

// checkParents finds the rows to insert whose parent row is neither in
// the target nor among the plan's rows (inserted or already there).
func (b *builder) checkParents(ctx context.Context, p *Plan) error {
	for _, tp := range p.Tables {
		if len(tp.insert) == 0 {
			continue
		}
		rows := make([]row, len(tp.insert))
		for i, pos := range tp.insert {
			rows[i] = tp.rows.rows[pos]
		}
		for _, fk := range tp.t.fks {
			if fk.ReferencedSchema != "" {
				continue
			}
			if err := b.checkForeignKey(ctx, p, tp, fk, rows); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkForeignKey checks one foreign key of rows of tp.
func (b *builder) checkForeignKey(ctx context.Context, p *Plan, tp *TablePlan, fk weekback.TemplateForeignKey, rows []row) error {
	childCols := colIndexes(tp.t, fk.Columns)
	have := map[string]bool{}
	parentPlan := p.byName[fk.ReferencedTable]
	var pt *table
	if parentPlan != nil {
		pt = parentPlan.t
		for _, r := range parentPlan.rows.rows {
			have[joinTexts(pick(r, colIndexes(pt, fk.ReferencedColumns)))] = true
		}
	} else if b.dayHas(fk.ReferencedTable) {
		var err error
		if pt, err = b.table(ctx, fk.ReferencedTable); err != nil {
			return err
		}
	}
	var need [][][]byte
	for _, tu := range distinctTuples(rows, childCols) {
		if !have[joinTexts(tu)] {
			need = append(need, tu)
		}
	}
	if len(need) > 0 && pt != nil && pt.exists {
		refCols := colIndexes(pt, fk.ReferencedColumns)
		found, err := selectIn(ctx, b.target, b.schema, pt, refCols, need, "")
		if err != nil {
			return err
		}
		for _, r := range found {
			have[joinTexts(pick(r, refCols))] = true
		}
	}
	for _, r := range rows {
		tu := pick(r, childCols)
		if !hasNull(tu) && !have[joinTexts(tu)] {
			p.addOrphan(Orphan{Table: tp.Table, Key: tp.t.keyShow(r), ForeignKey: fk.Name, Parent: fk.ReferencedTable,
				Values: showValues(tp.t, childCols, r)})
		}
	}
	return nil
}

func (p *Plan) addOrphan(o Orphan) {
	p.Orphan++
	if len(p.Orphans) < MaxOrphans {
		p.Orphans = append(p.Orphans, o)
	}
}
