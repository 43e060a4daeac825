package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// exportCmd is `weekback export --day DAY --table T …`: a table's records
// of one generation as CSV.
type exportCmd struct {
	app   *app
	day   weekback.Weekday
	query mysql.RecordQuery
	csv   export.CSVOptions
	out   string // -o; stdout when ""
	r     slotReader
	unenc int64
	errs  *bufio.Writer // the lines of reportUnencodable, written to stderr in blocks
	anon  bool          // --anonymize
	// --missing-in / --changed-in: only the rows whose key is absent in
	// (differs in) another day or production.
	against *exportAgainst
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func newExportCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &exportCmd{app: a}
	var filters multiFlag
	day := fs.String("day", "", "the generation: mon … sun (required)")
	fs.StringVar(&c.query.Table, "table", "", "the table to export (required)")
	columns := fs.String("columns", "", "columns to export, comma-separated, in order (default: all but credential columns)")
	fs.Var(&filters, "filter", "column=op:value (repeatable, combined with AND); ops: eq ne lt le gt ge contains prefix in isnull notnull")
	sort := fs.String("sort", "", "order by COL, or -COL for descending (default: the primary key)")
	profile := fs.String("profile", "reimport", "reimport (lossless, for weekback import) or spreadsheet (for Excel)")
	encoding := fs.String("encoding", "utf-8", "utf-8, utf-8-bom or shift_jis (shift_jis: spreadsheet profile only)")
	fs.BoolVar(&c.anon, "anonymize", false, "replace the columns of exports.anonymize by stable pseudonyms")
	fs.BoolVar(&c.csv.Lossy, "lossy", false, "write '?' for characters the encoding cannot hold instead of failing")
	missingIn := fs.String("missing-in", "", "only DAY's rows whose key is absent in this day or production (deleted since)")
	changedIn := fs.String("changed-in", "", "only DAY's rows whose values differ in this day or production")
	fs.StringVar(&c.out, "o", "", "write to this file, or into this directory as <table>-<day>-<snapshot date>.csv (default: stdout); written aside and renamed when complete")
	_, err := a.configure(fs, args, requireReader)
	if err != nil {
		return nil, err
	}
	if *day == "" || c.query.Table == "" {
		return nil, usagef("export needs --day and --table, for example: weekback export --day tue --table orders -o orders.csv")
	}
	if c.day, err = weekback.ParseWeekday(*day); err != nil {
		return nil, err
	}
	if err := c.parseQuery(*columns, filters, *sort); err != nil {
		return nil, err
	}
	if c.against, err = parseAgainst(*missingIn, *changedIn); err != nil {
		return nil, err
	}
	if c.csv.Profile, err = export.ParseProfile(*profile); err != nil {
		return nil, err
	}
	if c.csv.Encoding, err = export.ParseEncoding(*encoding); err != nil {
		return nil, err
	}
	c.csv.OnUnencodable = c.reportUnencodable
	return c, nil
}

func (c *exportCmd) parseQuery(columns string, filters []string, sort string) error {
	for _, f := range filters {
		flt, err := weekback.ParseFilter(f)
		if err != nil {
			return err
		}
		c.query.Filters = append(c.query.Filters, flt)
	}
	if columns != "" {
		for col := range strings.SplitSeq(columns, ",") {
			c.query.Columns = append(c.query.Columns, strings.TrimSpace(col))
		}
	}
	var err error
	c.query.Sort, err = weekback.ParseSort(sort)
	return err
}

// reportUnencodable lists one character the encoding cannot hold on
// stderr.
func (c *exportCmd) reportUnencodable(u export.Unencodable) {
	c.unenc++
	if c.errs == nil {
		c.errs = bufio.NewWriter(c.app.env.Stderr)
	}
	fmt.Fprintf(c.errs, "row %d, column %s: %s (%s) cannot be written in %s\n", u.Row, u.Column, u.Char, u.Code, c.csv.Encoding)
}

// Run streams the CSV to stdout or, through a temporary file renamed at
// the end, to -o.
func (c *exportCmd) Run(ctx context.Context) error {
	if err := c.r.open(ctx, c.app.cfg, true); err != nil {
		return err
	}
	gen, err := c.r.generation(ctx, c.day)
	if err != nil {
		return err
	}
	c.query.Schema = gen.Slot
	if st, err := os.Stat(c.out); c.out != "" && err == nil && st.IsDir() {
		c.out = filepath.Join(c.out, export.FileName(c.query.Table, c.day, gen.Manifest.SnapshotAt, c.app.cfg.Schedule.Location(), "csv"))
	}
	if err := c.mask(ctx, gen); err != nil {
		return err
	}
	anon, err := loadAnonymizer(c.app.cfg, c.anon)
	if err != nil {
		return err
	}
	if anon != nil {
		c.csv.Replace = export.NewRowReplacer(weekback.Redaction{}, anon)
	}
	res, err := c.write(ctx)
	if c.errs != nil {
		c.errs.Flush()
	}
	c.audit(ctx, res, err)
	if c.unenc > 0 && !c.csv.Lossy {
		return c.lossError()
	}
	if err != nil {
		return err
	}
	c.app.logger.Info("exported", "day", c.day, "table", c.query.Table, "rows", res.Rows, "file", c.out)
	return nil
}

// lossError is the failure of an export whose characters the encoding
// could not all hold (listed on stderr as they were met): exit 1.
func (c *exportCmd) lossError() error {
	where := "nothing was written to " + c.out
	if c.out == "" {
		where = "the output has '?' in their place"
	}
	return weekback.Errorf(weekback.EABORTED, "%d characters cannot be written in %s (listed above); %s: "+
		"export with --encoding utf-8-bom, which holds every character, or add --lossy to write '?' in their place",
		c.unenc, c.csv.Encoding, where)
}

// mask lists the table's credential columns in the query: they are never
// exported, even when --columns names them.
func (c *exportCmd) mask(ctx context.Context, gen *weekback.Generation) error {
	t, err := manifestTable(gen, c.query.Table)
	if err != nil {
		return err
	}
	auth := c.app.cfg.Auth
	e := c.app.cfg.Exports
	red := weekback.Redaction{PasswordTable: auth.Table, PasswordColumn: auth.PasswordColumn, Globs: c.app.cfg.RedactGlobs(), NoDefaults: !e.RedactDefaults}
	c.query.Masked = red.Masked(t.Name, t.Columns)
	for _, m := range c.query.Masked {
		for _, col := range c.query.Columns {
			if strings.EqualFold(col, m) {
				return weekback.Errorf(weekback.EINVALID,
					"column %s of %s holds credentials and is never exported: remove it from --columns", col, t.Name)
			}
		}
	}
	return nil
}

func (c *exportCmd) write(ctx context.Context) (*export.ExportResult, error) {
	conn, err := c.r.rows.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the backup server: %w", err)
	}
	defer conn.Close()
	run := func(w io.Writer) (*export.ExportResult, error) {
		return export.ExportCSV(ctx, conn, mysql.NewCatalog(), c.query, w, c.csv, nil)
	}
	if c.against != nil {
		keys, err := c.against.keys(ctx, c.app, c.day, c.query)
		if err != nil {
			return nil, err
		}
		run = func(w io.Writer) (*export.ExportResult, error) {
			return export.ExportKeysCSV(ctx, conn, mysql.NewCatalog(), c.query, keys, w, c.csv, nil)
		}
	}
	if c.out == "" {
		return run(c.app.env.Stdout)
	}
	return writeFileAtomic(c.out, run)
}

// audit records the export in the meta schema's audit log; a failure to
// record is logged, not fatal (the file is written).
func (c *exportCmd) audit(ctx context.Context, res *export.ExportResult, err error) {
	e := &weekback.AuditEntry{Login: operator(), Client: "cli", Action: weekback.AuditExport, Outcome: weekback.OutcomeOK,
		Day: c.day, Table: c.query.Table, Detail: export.Describe(c.query, c.csv)}
	if c.against != nil {
		e.Detail += " " + strings.TrimPrefix(c.against.flag, "--") + "=" + c.against.label
	}
	if res != nil {
		e.Rows = res.Rows
	}
	if err != nil {
		e.Outcome = weekback.OutcomeFailed
	}
	if aerr := c.r.meta.Audit(context.WithoutCancel(ctx), e); aerr != nil {
		c.app.logger.Warn("cannot write the audit log", "err", aerr)
	}
}

// writeFileAtomic runs write on a temporary file beside path and renames
// it to path once write succeeded and the file is synced: a failed or
// interrupted export leaves no partial file (and an existing path intact).
func writeFileAtomic[T any](path string, write func(w io.Writer) (T, error)) (T, error) {
	var zero T
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return zero, weekback.Errorf(weekback.EINVALID, "cannot write %s: %v: pick a writable -o", path, err)
	}
	defer os.Remove(f.Name())
	res, err := write(export.WriteBehind(f))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	return res, err
}

// Close closes the connections.
func (c *exportCmd) Close() error {
	if c.against != nil {
		c.against.s.close()
	}
	c.r.close()
	return nil
}
