package jobs

import (
	"context"
	"io"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
)

// Download formats.
const (
	FormatSQL = "sql" // one SQL script, gzip-compressed (export.WriteDaySQLFile)
	FormatCSV = "csv" // a bundle of reimport CSVs, templates and a manifest (export.WriteDayBundle)
)

// normalizeDownload checks a download's parameters: no table, format sql
// (the default) or csv; everything that only exports take is cleared.
func normalizeDownload(p weekback.JobParams) (weekback.JobParams, error) {
	p.Format = strings.ToLower(strings.TrimSpace(p.Format))
	if p.Format == "" {
		p.Format = FormatSQL
	}
	if p.Format != FormatSQL && p.Format != FormatCSV {
		return p, weekback.Errorf(weekback.EINVALID, "a download is sql or csv, not %q: pick one of the two", p.Format).
			WithKey("download.bad_format", "format", p.Format)
	}
	return weekback.JobParams{Day: p.Day, Format: p.Format, Anonymize: p.Anonymize}, nil
}

// downloadRows returns how many rows a download of gen in format writes:
// the progress bar's 100%.
func downloadRows(gen *weekback.Generation, format string) int64 {
	var n int64
	for _, t := range gen.Manifest.Tables {
		if t.History && format == FormatSQL {
			n += t.Versions
		} else {
			n += t.Rows
		}
	}
	return n
}

// download writes a's whole-day download from gen's slot: the SQL script
// (gzip) through the Stored pool, or the CSV bundle through Slots, with
// the credential columns blank and, when asked, the pseudonyms.
func (a *attempt) download(ctx context.Context, gen *weekback.Generation) error {
	r, j := a.r, a.job
	pool := r.Slots
	if j.Params.Format == FormatSQL {
		pool = r.Stored
	}
	if pool == nil {
		return weekback.Errorf(weekback.EUNAVAILABLE, "this server cannot write SQL downloads: download the CSV bundle instead")
	}
	conn, err := connOf(ctx, pool)
	if err != nil {
		return err
	}
	defer conn.Close()
	opts := export.DaySQLOptions{Redaction: r.Redaction, Progress: func(_ string, rows int64) { a.rows.Store(rows) }}
	if j.Params.Anonymize {
		if r.Anonymizer == nil {
			return weekback.Errorf(weekback.EINVALID, "anonymized downloads are not set up on this server any more: download without anonymization")
		}
		opts.Anonymizer = r.Anonymizer
	}
	if a.out, err = r.createTemp(j.ID, "", r.resultPath(j)); err != nil {
		return err
	}
	var w io.Writer = ctxWriter{ctx, a.out}
	if r.wrap != nil {
		w = r.wrap(w)
	}
	var res *export.DaySQLResult
	if j.Params.Format == FormatCSV {
		res, err = export.WriteDayBundle(ctx, conn, gen, w, opts)
	} else {
		res, err = export.WriteDaySQLFile(ctx, conn, gen, w, opts, true)
	}
	if err != nil {
		return err
	}
	a.rows.Store(res.Rows)
	return nil
}

// connOf returns a connection of pool, EUNAVAILABLE with a sentence when
// the backup server cannot be reached.
func connOf(ctx context.Context, pool *sqlx.DB) (*sqlx.Conn, error) {
	conn, err := pool.Connx(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, weekback.Errorf(weekback.EUNAVAILABLE, "the backup server cannot be reached: try again in a moment")
	}
	return conn, nil
}
