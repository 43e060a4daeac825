package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/server/auth"
)

// downloadCmd is `weekback download --day DAY --format sql|csv`: a whole
// day as one SQL script or as a bundle of reimport CSVs.
type downloadCmd struct {
	app       *app
	day       weekback.Weekday
	format    string
	anonymize bool
	out       string
	r         slotReader
	src       *sqlx.DB // slot rows as stored (RoleSource)
}

func newDownloadCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &downloadCmd{app: a}
	day := fs.String("day", "", "the generation: mon … sun (required)")
	fs.StringVar(&c.format, "format", "", "sql (one script mariadb loads) or csv (a zip of reimport CSVs, templates and a manifest) (required)")
	fs.BoolVar(&c.anonymize, "anonymize", false, "replace the columns of exports.anonymize by stable pseudonyms")
	fs.StringVar(&c.out, "o", "", "write to this file (gzip-compressed when it ends in .gz), or into this directory (default: stdout); written aside and renamed when complete")
	if _, err := a.configure(fs, args, requireReader); err != nil {
		return nil, err
	}
	if *day == "" || c.format == "" {
		return nil, usagef("download needs --day and --format, for example: weekback download --day tue --format sql -o tue.sql.gz")
	}
	if c.format != "sql" && c.format != "csv" {
		return nil, usagef("--format %q is not known: use sql or csv", c.format)
	}
	var err error
	if c.day, err = weekback.ParseWeekday(*day); err != nil {
		return nil, err
	}
	return c, nil
}

// Run writes the day to stdout or, through a temporary file renamed at the
// end, to -o.
func (c *downloadCmd) Run(ctx context.Context) error {
	if err := c.r.open(ctx, c.app.cfg, false); err != nil {
		return err
	}
	gen, err := c.r.generation(ctx, c.day)
	if err != nil {
		return err
	}
	role := mysql.RoleSource // the script's values as stored
	if c.format == "csv" {
		role = mysql.RoleExport // reimport CSVs are UTF-8
	}
	dsn, key := readerDSN(c.app.cfg)
	if c.src, err = mysql.Open(ctx, dsn, key, role); err != nil {
		return err
	}
	anon, err := loadAnonymizer(c.app.cfg, c.anonymize)
	if err != nil {
		return err
	}
	if st, err := os.Stat(c.out); c.out != "" && err == nil && st.IsDir() {
		c.out = filepath.Join(c.out, export.DayFileName(gen, c.format, c.app.cfg.Schedule.Location()))
	}
	res, err := c.write(ctx, gen, anon)
	c.audit(ctx, res, err)
	if err != nil {
		return err
	}
	c.app.logger.Info("downloaded", "day", c.day, "format", c.format, "rows", res.Rows, "blanked", res.Blanked, "file", c.out)
	return nil
}

func (c *downloadCmd) write(ctx context.Context, gen *weekback.Generation, anon *export.Anonymizer) (*export.DaySQLResult, error) {
	conn, err := c.src.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the backup server: %w", err)
	}
	defer conn.Close()
	auth := c.app.cfg.Auth
	opts := export.DaySQLOptions{Anonymizer: anon,
		Redaction: weekback.Redaction{PasswordTable: auth.Table, PasswordColumn: auth.PasswordColumn, Globs: c.app.cfg.RedactGlobs()}}
	write := func(w io.Writer) (*export.DaySQLResult, error) {
		if c.format == "csv" {
			return export.WriteDayBundle(ctx, conn, gen, w, opts)
		}
		return export.WriteDaySQLFile(ctx, conn, gen, w, opts, export.IsGzipName(c.out))
	}
	if c.out == "" {
		return write(c.app.env.Stdout)
	}
	return writeFileAtomic(c.out, write)
}

// audit records the download in the meta schema's audit log; a failure to
// record is logged, not fatal.
func (c *downloadCmd) audit(ctx context.Context, res *export.DaySQLResult, err error) {
	e := &weekback.AuditEntry{Login: operator(), Client: "cli", Action: weekback.AuditDownload, Outcome: weekback.OutcomeOK,
		Day: c.day, Detail: export.DescribeDownload(c.format, c.anonymize, res)}
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

// loadAnonymizer returns the Anonymizer of cfg's exports.anonymize keyed
// with the key of exports.anonymize_secret_file (created at first use), or
// nil when on is false. Asking for it with no exports.anonymize globs is a
// usage error: nothing would be anonymized.
func loadAnonymizer(cfg *config.Config, on bool) (*export.Anonymizer, error) {
	if !on {
		return nil, nil
	}
	e := cfg.Exports
	if len(e.Anonymize) == 0 {
		return nil, usagef("--anonymize needs exports.anonymize in the configuration: list the \"table.column\" globs to replace, such as [\"customers.email\", \"*.phone\"]")
	}
	key, err := auth.LoadOrCreateKey(e.AnonymizeSecretFile)
	if err != nil {
		return nil, weekback.Errorf(weekback.EINVALID, "exports.anonymize_secret_file %s: %v", e.AnonymizeSecretFile, err)
	}
	return export.NewAnonymizer(key, e.Anonymize, e.AnonymizeDateShiftDays)
}

// Close closes the connections.
func (c *downloadCmd) Close() error {
	c.r.close()
	if c.src != nil {
		c.src.Close()
	}
	return nil
}

func init() {
	commands["download"] = commandSpec{summary: "a whole day as one SQL script (sql) or a zip of reimport CSVs, templates and a manifest (csv)",
		build: newDownloadCmd, synopsis: "--day DAY --format sql|csv [--anonymize] [-o FILE]",
		help: "sql: `mariadb NEW_SCHEMA < FILE` loads every table identically (credential columns blank); FILE ending in .gz is\n" +
			"gzip-compressed. csv: the bundle `weekback restore --bundle` reads."}
}
