package export

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// IsGzipName reports whether a file name asks for gzip compression (it
// ends in .gz).
func IsGzipName(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".gz") }

// WriteDaySQLFile is WriteDaySQL through a gzip stream when compress is
// set: what `weekback download` writes to a .sql.gz file and off-site
// copies store. The gzip stream is closed (complete) when it returns nil.
func WriteDaySQLFile(ctx context.Context, conn *sqlx.Conn, gen *weekback.Generation, w io.Writer, opts DaySQLOptions, compress bool) (*DaySQLResult, error) {
	if !compress {
		return WriteDaySQL(ctx, conn, gen, w, opts)
	}
	zw := gzip.NewWriter(w)
	res, err := WriteDaySQL(ctx, conn, gen, zw, opts)
	if cerr := zw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write the day's sql: %w", cerr)
	}
	return res, err
}

// DayFileName returns the name a day's download is offered under:
// "<source schema>-<day>-<snapshot date>.sql.gz" for format sql and
// ".zip" for csv, the date in loc (the schedule's time zone).
func DayFileName(gen *weekback.Generation, format string, loc *time.Location) string {
	ext := "sql.gz"
	if format == "csv" {
		ext = "zip"
	}
	return FileName(gen.Manifest.SourceSchema, gen.Day, gen.Manifest.SnapshotAt, loc, ext)
}

// DescribeDownload says what a download wrote, for the audit log: format,
// anonymization, tables, and the credential columns written blank.
func DescribeDownload(format string, anonymized bool, res *DaySQLResult) string {
	parts := []string{"format=" + format}
	if anonymized {
		parts = append(parts, "anonymize")
	}
	if res != nil {
		parts = append(parts, fmt.Sprintf("tables=%d", len(res.Tables)))
		if len(res.Blanked) > 0 {
			parts = append(parts, "blanked="+strings.Join(res.Blanked, ","))
		}
	}
	return strings.Join(parts, " ")
}
