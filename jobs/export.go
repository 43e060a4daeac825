package jobs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// execute writes a's job into temporary files (kept in a for commit or
// discard). It reads the generation the day's pointer names now, and
// names the file after it.
func (a *attempt) execute(ctx context.Context) error {
	r, j := a.r, a.job
	gen, err := r.generation(ctx, j.Params.Day, j.Params.Table)
	if err != nil {
		return err
	}
	j.File = fileName(j.Kind, j.Params, gen, r.Location)
	switch j.Kind {
	case weekback.JobExport:
		return a.export(ctx, gen)
	case weekback.JobTemplate:
		return a.template(ctx, gen)
	case weekback.JobDownload:
		return a.download(ctx, gen)
	case weekback.JobBundle:
		return a.bundle(ctx, gen)
	case weekback.JobCompare:
		return a.compare(ctx, gen)
	}
	return weekback.Errorf(weekback.EINVALID, "this server cannot run jobs of kind %q: start the export again", j.Kind)
}

// export writes the CSV file of a's job from gen's slot, exactly as the
// direct download (export.csv) does, and its error log.
func (a *attempt) export(ctx context.Context, gen *weekback.Generation) error {
	r, j := a.r, a.job
	conn, err := r.conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	q, err := r.recordQuery(ctx, conn, gen, j.Params)
	if err != nil {
		return err
	}
	opts, err := csvOptions(j.Params)
	if err != nil {
		return err
	}
	a.log = &errorLog{create: func() (*tempFile, error) { return r.createTemp(j.ID, "errors.", r.errorsPath(j)) }}
	opts.Lossy, opts.OnUnencodable = true, a.log.add // reported in the error log, '?' in the file
	if j.Params.Anonymize {
		if r.Anonymizer == nil {
			return weekback.Errorf(weekback.EINVALID, "anonymized exports are not set up on this server any more: export without anonymization")
		}
		opts.Replace = export.NewRowReplacer(weekback.Redaction{}, r.Anonymizer)
	}
	if a.out, err = r.createTemp(j.ID, "", r.resultPath(j)); err != nil {
		return err
	}
	var w io.Writer = ctxWriter{ctx, a.out} // a cancel stops the writing at once, not after the batch
	if r.wrap != nil {
		w = r.wrap(w)
	}
	res, err := r.exportRows(ctx, conn, gen, j.Params, q, w, opts, a.rows.Store)
	if err != nil {
		return err
	}
	a.rows.Store(res.Rows)
	return a.log.finish()
}

// exportRows writes q as CSV: every row, or with missing_in or
// changed_in only those whose keys Keys returns.
func (r *Runner) exportRows(ctx context.Context, conn *sqlx.Conn, gen *weekback.Generation, p weekback.JobParams, q mysql.RecordQuery,
	w io.Writer, opts export.CSVOptions, progress func(int64)) (*export.ExportResult, error) {
	if p.MissingIn == "" && p.ChangedIn == "" {
		return export.ExportCSV(ctx, conn, r.Catalog, q, w, opts, progress)
	}
	if r.Keys == nil {
		return nil, weekback.Errorf(weekback.EINVALID, "this server cannot narrow an export to another day's changes: export the whole table")
	}
	keys, err := r.Keys(ctx, gen, p)
	if err != nil {
		return nil, err
	}
	return export.ExportKeysCSV(ctx, conn, r.Catalog, q, keys, w, opts, progress)
}

// template writes the template JSON of a's job from gen.
func (a *attempt) template(ctx context.Context, gen *weekback.Generation) error {
	r, j := a.r, a.job
	tpl, err := template.Build(ctx, r.Slots, gen, j.Params.Table, j.Params.Related)
	if err != nil {
		return err
	}
	if a.out, err = r.createTemp(j.ID, "", r.resultPath(j)); err != nil {
		return err
	}
	w := bufio.NewWriter(a.out)
	if err := template.Write(w, tpl); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// commit moves a's files to their final names and records their sizes
// in the job (Bytes, Errors). An error log left by an earlier attempt at
// the same job is removed when this one has none.
func (a *attempt) commit() error {
	j := a.job
	if a.out == nil { // a comparison: no file
		return nil
	}
	if a.log != nil && a.log.out != nil {
		size, err := a.log.out.commit()
		if err != nil {
			return err
		}
		j.Errors, j.ErrorBytes = a.log.count, size
	} else if err := os.Remove(a.r.errorsPath(j)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove an old error log: %w", err)
	}
	size, err := a.out.commit()
	j.Bytes = size
	return err
}

// discard removes a's temporary files.
func (a *attempt) discard() {
	a.out.discard()
	if a.log != nil {
		a.log.out.discard()
	}
}

// conn returns a connection of the slot pool.
func (r *Runner) conn(ctx context.Context) (*sqlx.Conn, error) {
	return connOf(ctx, r.Slots)
}

// generation returns the generation day serves, checking that it has
// table. The errors are ENOTFOUND *weekback.Error with a catalog key.
func (r *Runner) generation(ctx context.Context, day weekback.Weekday, table string) (*weekback.Generation, error) {
	gen, err := r.Generations.Generation(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("read the generation of %s: %w", day, err)
	}
	if !gen.Ready() {
		name := day.Time().String()
		return nil, weekback.Errorf(weekback.ENOTFOUND, "There is no ready backup of %s yet. Pick another day.", name).
			WithKey("error.day_not_ready", "weekday", name)
	}
	if table == "" || gen.Manifest.Table(table) != nil { // a download has no table
		return gen, nil
	}
	if v := gen.Manifest.View(table); v != nil {
		if v.Error == "" {
			return gen, nil
		}
		return nil, weekback.Errorf(weekback.ENOTFOUND, "%s is a view this copy could not recreate: open the tables it reads instead.", table).
			WithKey("view.missing", "view", table)
	}
	return nil, weekback.Errorf(weekback.ENOTFOUND, "There is no table “%s” in this backup. Pick a table from the day’s list.", table).
		WithKey("table.unknown", "table", table)
}

// recordQuery returns the query of p's export from gen's slot, with the
// table's credential columns masked (never read, even when p.Columns
// names them), as the direct download builds it.
func (r *Runner) recordQuery(ctx context.Context, conn *sqlx.Conn, gen *weekback.Generation, p weekback.JobParams) (mysql.RecordQuery, error) {
	q := mysql.RecordQuery{Schema: gen.Slot, Table: p.Table, Filters: p.Filters, Sort: p.Sort, Columns: p.Columns, Timeout: r.StatementTimeout}
	t, err := r.Catalog.Relation(ctx, conn, gen.Slot, p.Table)
	if err != nil {
		return q, err
	}
	q.Masked = r.Redaction.Masked(t.Name, t.ColumnNames())
	if t.View {
		q.Masked = r.Redaction.MaskedView(t.Name, t.ColumnNames())
	}
	return q, nil
}

// csvOptions returns the CSV options p asks for; EINVALID for an unknown
// profile or encoding, or Shift_JIS with the reimport profile.
func csvOptions(p weekback.JobParams) (export.CSVOptions, error) {
	var o export.CSVOptions
	var err error
	if o.Profile, err = export.ParseProfile(p.Profile); err != nil {
		return o, err
	}
	if o.Encoding, err = export.ParseEncoding(p.Encoding); err != nil {
		return o, err
	}
	if o.Profile == export.ProfileReimport && o.Encoding == export.EncodingShiftJIS {
		return o, weekback.Errorf(weekback.EINVALID, "the reimport profile is always UTF-8: choose the spreadsheet profile for Shift_JIS")
	}
	o.Lossy = p.Lossy
	return o, nil
}

// fileName returns the name a job's result is offered under.
func fileName(kind weekback.JobKind, p weekback.JobParams, gen *weekback.Generation, loc *time.Location) string {
	ext := "csv"
	switch kind {
	case weekback.JobTemplate:
		ext = "template.json"
	case weekback.JobDownload:
		return export.DayFileName(gen, p.Format, loc)
	case weekback.JobBundle:
		ext = "bundle.zip"
	case weekback.JobCompare:
		return ""
	}
	return export.FileName(p.Table, gen.Day, gen.Manifest.SnapshotAt, loc, ext)
}

// ctxWriter fails its writes once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
