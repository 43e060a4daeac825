package restore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
)

// importer runs one Import: a check pass over the whole file (values,
// then classification against the table), then, when executing, a
// writing pass.
type importer struct {
	db      *sqlx.DB
	opts    ImportOptions
	tbl     *importTable
	rep     *ImportReport
	undo    *undoFile
	scratch [][]byte
	keys    map[uint64]int64 // digest of each key of the file → its row (check pass)
	parents []*parentCheck   // the table's foreign keys, checked in the check pass
}

// importRow is a checked row of the file.
type importRow struct {
	row  int64    // data row of the file, from 1
	del  bool     // undo file: remove the row (else write it back)
	vals [][]byte // per file column; nil is NULL, binary kinds as raw bytes
}

// check reads the header and every row, and classifies the rows that fit
// (unless executing in a mode where only the writing pass needs to). It
// returns the report, and an error for a wrong header or values.
func (im *importer) check(ctx context.Context, r io.Reader) (*ImportReport, error) {
	cr := export.NewCSVReader(r)
	header, err := readHeader(cr)
	if err != nil {
		return nil, err
	}
	if im.tbl, err = loadImportTable(ctx, im.db, im.opts.Table, header); err != nil {
		return nil, err
	}
	if err := im.checkKey(); err != nil {
		return nil, err
	}
	if err := im.checkProfile(); err != nil {
		return nil, err
	}
	if err := im.loadParentChecks(ctx); err != nil {
		return nil, err
	}
	im.rep = im.newReport()
	handle := im.classifyBatch
	if im.opts.Execute && (im.opts.Mode != ImportInsert || im.tbl.undo) {
		// Only insert mode's conflicts stop an execution before it starts:
		// other executions classify each batch as they write it.
		handle = func(context.Context, []importRow) error { return nil }
	}
	if err := im.pass(ctx, cr, im.withParents(handle)); err != nil {
		return im.rep, err
	}
	im.settleSelfParents()
	if err := im.valuesError(); err != nil {
		return im.rep, err
	}
	return im.rep, im.orphansError()
}

// withParents checks the parents of a batch's rows before handle.
func (im *importer) withParents(handle func(context.Context, []importRow) error) func(context.Context, []importRow) error {
	return func(ctx context.Context, batch []importRow) error {
		if err := im.checkParents(ctx, batch); err != nil {
			return err
		}
		return handle(ctx, batch)
	}
}

// readHeader returns the names of the header row.
func readHeader(cr *export.CSVReader) ([]string, error) {
	fields, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, weekback.Errorf(weekback.EINVALID, "the file is empty: a reimport CSV starts with a header row of column names")
	}
	if err != nil {
		return nil, csvError(cr, err)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f.Value)
		if f.Null && len(f.Value) == 0 {
			names[i] = "NULL"
		}
	}
	return names, nil
}

// csvError passes the reader's EINVALID sentence on, and words any other
// failure.
func csvError(cr *export.CSVReader, err error) error {
	var we *weekback.Error
	if errors.As(err, &we) {
		return err
	}
	return weekback.Errorf(weekback.EINVALID, "the file is not a valid reimport CSV at line %d (%v): export it again with the reimport profile", cr.Line(), err)
}

// checkKey refuses what needs a key on a table without one.
func (im *importer) checkKey() error {
	if im.tbl.keyed() || im.opts.Mode == ImportInsert && !im.tbl.undo {
		return nil
	}
	return weekback.Errorf(weekback.EINVALID,
		"table %s has no primary key and no NOT NULL unique key, so the rows of the file cannot be matched with its rows: only --mode insert works on it (and cannot be undone)",
		im.opts.Table)
}

func (im *importer) newReport() *ImportReport {
	return &ImportReport{Table: im.opts.Table, Mode: im.opts.Mode, Profile: im.opts.Profile, UndoFile: im.tbl.undo, Keyless: !im.tbl.keyed(),
		Triggers: im.tbl.triggers}
}

// valuesError returns the EINVALID error for the report's value errors,
// or nil when there are none.
func (im *importer) valuesError() error {
	r := im.rep
	if r.ErrorCount == 0 {
		return nil
	}
	first := r.Errors[0]
	what := fmt.Sprintf("%d values of the file do not fit their columns", r.ErrorCount)
	if r.ErrorCount == 1 {
		what = "a value of the file does not fit its column"
	}
	return weekback.Errorf(weekback.EINVALID, "%s (the first: %s): fix the file and run again; nothing was written", what, first.Error())
}

// mayExecute refuses to write when insert mode found conflicts.
func (im *importer) mayExecute(rep *ImportReport) error {
	if rep.Conflict == 0 {
		return nil
	}
	c := rep.Conflicts[0]
	what := fmt.Sprintf("%d rows of the file differ from the rows with the same key", rep.Conflict)
	if rep.Conflict == 1 {
		what = "a row of the file differs from the row with the same key"
	}
	return weekback.Errorf(weekback.ECONFLICT,
		"%s in %s (the first: row %d, key %s): nothing was written. Use --mode upsert to overwrite (the current content goes to the undo file) or --mode missing-only to leave the table's rows as they are",
		what, rep.Table, c.Row, c.Key)
}

// execute writes the rows of r (the same file again).
func (im *importer) execute(ctx context.Context, r io.Reader) (*ImportReport, error) {
	cr := export.NewCSVReader(r)
	if _, err := readHeader(cr); err != nil {
		return im.rep, err
	}
	im.rep, im.keys = im.newReport(), nil // the keys were checked
	im.rep.Executed = true
	im.opts.Logger.Info("import starts", "mode", im.opts.Mode, "undo_file", im.tbl.undo)
	err := im.pass(ctx, cr, im.applyBatch)
	if im.undo != nil {
		err = errors.Join(err, im.closeUndo())
	}
	if err == nil {
		err = im.valuesError()
	}
	im.opts.Logger.Info("import ends", "rows", im.rep.Rows, "insert", im.rep.Insert, "update", im.rep.Update,
		"delete", im.rep.Delete, "same", im.rep.Same, "error", err)
	return im.rep, err
}

// closeUndo closes the undo file, and removes it when no batch was
// committed (it then holds no row: nothing to undo).
func (im *importer) closeUndo() error {
	if err := im.undo.close(); err != nil {
		im.rep.UndoPath = im.undo.path
		return err
	}
	if im.rep.written() == 0 {
		return os.Remove(im.undo.path)
	}
	im.rep.UndoPath = im.undo.path
	return nil
}

// pass reads the rows of cr in batches and hands each batch's good rows
// to handle.
func (im *importer) pass(ctx context.Context, cr *export.CSVReader, handle func(context.Context, []importRow) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return im.aborted(err)
		}
		batch, eof, err := im.readBatch(ctx, cr)
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			if err := handle(ctx, batch); err != nil {
				if ctx.Err() != nil {
					return im.aborted(err)
				}
				return err
			}
		}
		if im.opts.Progress != nil && im.rep.Executed == im.opts.Execute {
			im.opts.Progress(im.rep.Rows)
		}
		if eof {
			return nil
		}
	}
}

func (im *importer) aborted(err error) error {
	im.opts.Logger.Warn("import stopped", "rows", im.rep.Rows, "error", err)
	if im.rep.Executed {
		return weekback.Errorf(weekback.EABORTED,
			"the import stopped after row %d (%v): the batches before were written; run the same import again to finish (rows already written are found identical and left alone)", im.rep.Rows, err)
	}
	return weekback.Errorf(weekback.EABORTED, "the check stopped after row %d (%v): nothing was written", im.rep.Rows, err)
}

// readBatch reads up to BatchSize rows and returns those whose values fit.
func (im *importer) readBatch(ctx context.Context, cr *export.CSVReader) ([]importRow, bool, error) {
	batch := make([]importRow, 0, im.opts.BatchSize)
	eof := false
	for len(batch) < im.opts.BatchSize {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			eof = true
			break
		}
		if err != nil {
			return nil, false, csvError(cr, err)
		}
		im.rep.Rows++
		if err := im.readProfile(im.rep.Rows, cr, fields); err != nil {
			return nil, false, err
		}
		if row, ok := im.parseRow(im.rep.Rows, fields); ok {
			batch = append(batch, row)
		}
	}
	batch, err := im.probeBatch(ctx, batch)
	return batch, eof, err
}

// rewinder lets Import read its input twice: by seeking back when it can,
// else from a private temporary copy made during the first reading.
type rewinder struct {
	r     io.Reader
	seek  io.Seeker
	start int64
	tmp   *os.File
}

func newRewinder(r io.Reader, twice bool) (*rewinder, error) {
	rw := &rewinder{r: r}
	if s, ok := r.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			rw.seek, rw.start = s, pos
			return rw, nil
		}
	}
	if twice {
		tmp, err := os.CreateTemp("", "weekback-import-*.csv")
		if err != nil {
			return nil, fmt.Errorf("copy the input: %w", err)
		}
		rw.tmp = tmp
	}
	return rw, nil
}

func (rw *rewinder) first() io.Reader {
	if rw.tmp != nil {
		return io.TeeReader(rw.r, rw.tmp)
	}
	return rw.r
}

func (rw *rewinder) again() (io.Reader, error) {
	if rw.seek != nil {
		if _, err := rw.seek.Seek(rw.start, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read the input again: %w", err)
		}
		return rw.r, nil
	}
	if _, err := rw.tmp.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read the input again: %w", err)
	}
	return rw.tmp, nil
}

func (rw *rewinder) close() {
	if rw.tmp != nil {
		rw.tmp.Close()
		os.Remove(rw.tmp.Name())
	}
}
