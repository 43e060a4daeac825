package restore

import (
	"context"
	"errors"
	"fmt"

	"github.com/weekback/weekback"
)

// classifyBatch counts what a batch would do (the check pass).
func (im *importer) classifyBatch(ctx context.Context, batch []importRow) error {
	current, err := im.lookup(ctx, im.db, batch, false)
	if err != nil {
		return err
	}
	im.rep.count(im.classify(batch, current))
	return nil
}

// applyBatch writes a batch in one transaction: it locks and reads the
// rows of the batch's keys, classifies the rows again (the table may have
// changed since the check), saves the current content of every row it
// will change to the undo file and syncs it, writes, and commits. When
// anything fails the transaction is rolled back and the batch's undo rows
// are cut off the undo file again.
func (im *importer) applyBatch(ctx context.Context, batch []importRow) error {
	tx, err := im.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin a transaction: %w", err)
	}
	defer tx.Rollback()
	current, err := im.lookup(ctx, tx, batch, true)
	if err != nil {
		return err
	}
	p := im.classify(batch, current)
	mark, err := im.saveUndo(batch, p)
	if err == nil {
		err = im.writeBatch(ctx, tx, batch, p)
	}
	if err != nil {
		if im.undo != nil {
			err = errors.Join(err, im.undo.cut(mark))
		}
		return im.batchFailed(batch, err)
	}
	// A failed commit may still have committed: the undo rows stay.
	if err := tx.Commit(); err != nil {
		return im.batchFailed(batch, fmt.Errorf("commit: %w", err))
	}
	im.rep.count(p)
	im.opts.Logger.Debug("batch written", "last_row", batch[len(batch)-1].row, "insert", len(p.insert),
		"update", len(p.update), "delete", len(p.remove))
	return nil
}

// batchFailed says which rows a failed batch leaves unwritten.
func (im *importer) batchFailed(batch []importRow, err error) error {
	lo, hi := batch[0].row, batch[len(batch)-1].row
	var we *weekback.Error
	if errors.As(err, &we) {
		return weekback.Errorf(we.Code, "%s. Nothing of rows %d to %d was written (the rows before them were): fix the cause and run the same import again, which leaves the rows already written alone",
			we.Message, lo, hi)
	}
	return fmt.Errorf("write rows %d to %d: %w", lo, hi, err)
}

// saveUndo writes the undo rows of a plan and syncs the undo file,
// creating it on the first change. It returns the file's size before, for
// cut. A table without a key gets no undo rows (nothing could find them).
func (im *importer) saveUndo(batch []importRow, p *batchPlan) (int64, error) {
	if !p.changes() || !im.tbl.keyed() {
		return 0, nil
	}
	if im.undo == nil {
		u, err := createUndo(im.opts.UndoPath, im.tbl.stored)
		if err != nil {
			return 0, err
		}
		im.undo = u
		im.opts.Logger.Info("undo file created", "path", u.path)
	}
	mark := im.undo.size
	for _, i := range p.insert {
		if err := im.undo.add(UndoDelete, im.storedValues(batch[i])); err != nil {
			return mark, err
		}
	}
	for _, list := range [][]int{p.update, p.remove} {
		for _, i := range list {
			if err := im.undo.add(UndoRestore, p.current[i]); err != nil {
				return mark, err
			}
		}
	}
	return mark, im.undo.sync()
}

// storedValues spreads a row of the file over the table's stored columns
// (NULL for columns the file does not have).
func (im *importer) storedValues(row importRow) [][]byte {
	vals := make([][]byte, len(im.tbl.stored))
	for i, fc := range im.tbl.file {
		vals[fc.stored] = row.vals[i]
	}
	return vals
}
