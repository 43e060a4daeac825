package export

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// ExportResult says what ExportCSV wrote.
type ExportResult struct {
	Columns     []mysql.RecordColumn // the columns of the file, in order
	Rows        int64                // data rows written
	Unencodable int64                // characters the encoding could not hold (reported, replaced by '?')
}

// ExportCSV streams the rows of q (a table of a slot, with its filters,
// sort, columns and masked columns) to w as CSV in opts' profile and
// encoding: a header row, then one line per row. Each row is encoded as
// it is read, so memory stays flat whatever the table's size.
//
// conn must be a connection of a pool opened with mysql.RoleExport (text
// as UTF-8). progress, when set, is called from ExportCSV's goroutine
// with the rows written so far, every progressRows rows and at the end.
// ExportCSV returns the Catalog's errors for a bad query (ENOTFOUND,
// EINVALID), the writer's (EINVALID when characters could not be encoded
// and opts.Lossy is false: the file is complete, with '?' in their place)
// and w's.
func ExportCSV(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, q mysql.RecordQuery, w io.Writer,
	opts CSVOptions, progress func(rows int64)) (*ExportResult, error) {
	return exportCSV(ctx, conn, cat, q, nil, w, opts, progress)
}

// progressRows is how many rows ExportCSV writes between two calls of its
// progress function.
const progressRows = 4096

// exportCSV is ExportCSV keeping only the rows whose key is in keys (all
// when keys is nil).
func exportCSV(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, q mysql.RecordQuery, keys *KeySet, w io.Writer,
	opts CSVOptions, progress func(rows int64)) (*ExportResult, error) {
	q, err := storedColumns(ctx, conn, cat, q, opts.Profile)
	if err != nil {
		return nil, err
	}
	cols, err := cat.RecordColumns(ctx, conn, q)
	if err != nil {
		return nil, err
	}
	scan := func(ctx context.Context, emit func([][]byte) error) error { return cat.ScanRecords(ctx, conn, q, emit) }
	if keys != nil {
		if scan, err = keys.scan(ctx, conn, cat, q, len(cols)); err != nil {
			return nil, err
		}
	}
	cw, err := NewCSVWriter(w, cols, opts)
	if err != nil {
		return nil, err
	}
	res := &ExportResult{Columns: cols}
	write := cw.WriteRow
	if opts.Replace != nil {
		if replace := opts.Replace(q.Table, cols); replace != nil {
			write = func(values [][]byte) error { replace(values); return cw.WriteRow(values) }
		}
	}
	if err := cw.WriteHeader(); err != nil {
		return res, fmt.Errorf("write csv header: %w", err)
	}
	// Rows are encoded as they are read, on this goroutine: the server's
	// thread producing them is the other busy one, and handing rows to a
	// second goroutine cost a copy of each and more CPU than it overlapped
	// (docs/PERFORMANCE.md, "Exports").
	err = scan(ctx, func(values [][]byte) error {
		if err := write(values); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		if progress != nil && cw.Rows()%progressRows == 0 {
			progress(cw.Rows())
		}
		return nil
	})
	if progress != nil && err == nil {
		progress(cw.Rows())
	}
	res.Rows, res.Unencodable = cw.Rows(), cw.Unencodable()
	if err != nil {
		return res, err
	}
	return res, cw.Flush()
}

// storedColumns leaves generated columns out of a reimport export (the
// target computes them; `weekback import` refuses them): q.Columns, when
// empty, becomes the stored columns, and naming a generated one is an
// EINVALID error.
func storedColumns(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, q mysql.RecordQuery, p Profile) (mysql.RecordQuery, error) {
	if p != ProfileReimport && p != "" {
		return q, nil
	}
	t, err := cat.Relation(ctx, conn, q.Schema, q.Table) // a view's columns are never generated
	if err != nil {
		return q, err
	}
	if len(q.Columns) > 0 {
		for _, name := range q.Columns {
			if c, ok := t.Column(name); ok && c.Generated {
				return q, weekback.Errorf(weekback.EINVALID, "column %s of %s is generated: the reimport profile leaves it out "+
					"(the target computes it); remove it from the columns or use the spreadsheet profile", c.Name, t.Name)
			}
		}
		return q, nil
	}
	for _, c := range t.Columns {
		if !c.Generated {
			q.Columns = append(q.Columns, c.Name)
		}
	}
	return q, nil
}

// FileName returns the name a CSV export of table is offered under:
// "<table>-<day>-<snapshot date>.csv", the date in loc (the schedule's
// time zone). Characters a file system or a Content-Disposition header
// would choke on become "_".
func FileName(table string, day weekback.Weekday, snapshotAt time.Time, loc *time.Location, ext string) string {
	if loc == nil {
		loc = time.UTC
	}
	safe := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, table)
	return fmt.Sprintf("%s-%s-%s.%s", safe, day, snapshotAt.In(loc).Format("2006-01-02"), ext)
}

// Describe says what an export asked for, for the audit log: format,
// anonymization (rows rewritten by o.Replace), filters, sort and columns. Filters never name a credential column (the
// Catalog refuses them), so no secret is written.
func Describe(q mysql.RecordQuery, o CSVOptions) string {
	parts := []string{"profile=" + string(o.Profile), "encoding=" + string(o.Encoding)}
	if o.Replace != nil { // exports set it only for --anonymize
		parts = append(parts, "anonymize")
	}
	for _, f := range q.Filters {
		parts = append(parts, "filter="+f.String())
	}
	if s := q.Sort.String(); s != "" {
		parts = append(parts, "sort="+s)
	}
	if len(q.Columns) > 0 {
		parts = append(parts, "columns="+strings.Join(q.Columns, ","))
	}
	return strings.Join(parts, " ")
}
