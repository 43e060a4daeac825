package main

import (
	"context"
	"os"
	"os/user"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
)

// slotReader is what `export` and `template` share: the backup server
// reached through the reader account (backup.reader_dsn, else backup.dsn),
// its meta schema, and the served generation of one day.
type slotReader struct {
	meta *mysql.Meta
	db   *sqlx.DB // meta schema and catalog (RoleMeta)
	rows *sqlx.DB // slot rows for CSV (RoleExport), when asked for
}

// readerDSN returns the DSN and key the CLI reads slots with.
func readerDSN(cfg *config.Config) (dsn, key string) {
	if cfg.Backup.ReaderDSN != "" {
		return cfg.Backup.ReaderDSN, "backup.reader_dsn"
	}
	return cfg.Backup.DSN, "backup.dsn"
}

// requireReader checks that the backup server can be reached.
func requireReader(cfg *config.Config) error {
	if dsn, _ := readerDSN(cfg); dsn == "" {
		return usagef("neither backup.reader_dsn nor backup.dsn is set: set one in weekback.yaml or WEEKBACK_BACKUP_READER_DSN")
	}
	return nil
}

// open connects and attaches to the meta schema; withRows also opens the
// pool CSV rows are read with.
func (r *slotReader) open(ctx context.Context, cfg *config.Config, withRows bool) error {
	dsn, key := readerDSN(cfg)
	var err error
	if r.db, err = mysql.Open(ctx, dsn, key, mysql.RoleMeta); err != nil {
		return err
	}
	if r.meta, err = mysql.AttachMeta(ctx, r.db, cfg.Backup.Prefix); err != nil {
		return err
	}
	if withRows {
		r.rows, err = mysql.Open(ctx, dsn, key, mysql.RoleExport)
	}
	return err
}

// generation returns day's served generation, or an ENOTFOUND error that
// says which days have one.
func (r *slotReader) generation(ctx context.Context, day weekback.Weekday) (*weekback.Generation, error) {
	g, err := r.meta.Generation(ctx, day)
	if err != nil {
		return nil, err
	}
	if !g.Ready() {
		return nil, weekback.Errorf(weekback.ENOTFOUND,
			"%s has no backup to read (status %s): pick another --day; `weekback generations` lists the days that have one", day, g.Status)
	}
	return g, nil
}

// manifestTable returns the manifest entry of table in gen, or an
// EINVALID error (exit 2) that suggests the closest name or lists the
// day's tables.
func manifestTable(gen *weekback.Generation, table string) (*weekback.TableInfo, error) {
	if t := gen.Manifest.Table(table); t != nil {
		return t, nil
	}
	names := make([]string, len(gen.Manifest.Tables))
	for i, t := range gen.Manifest.Tables {
		names[i] = t.Name
	}
	return nil, weekback.Errorf(weekback.EINVALID, "%s's backup has no table %q (names are case-sensitive): %s",
		gen.Day, table, weekback.Suggest(table, "tables of "+string(gen.Day), names))
}

// close closes the pools.
func (r *slotReader) close() {
	for _, db := range []*sqlx.DB{r.db, r.rows} {
		if db != nil {
			db.Close()
		}
	}
}

// operator names who runs the command, for the audit log: the OS user and
// host ("alice@batch-01").
func operator() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

func init() {
	commands["export"] = commandSpec{summary: "a table's records of one day as CSV (reimport or spreadsheet profile)", build: newExportCmd,
		synopsis: "--day DAY --table T [--columns a,b] [--filter EXPR]... [--sort COL|-COL] [--profile reimport|spreadsheet]\n" +
			"         [--encoding utf-8|utf-8-bom|shift_jis] [--lossy] [--anonymize] [--missing-in DAY|production | --changed-in DAY|production] [-o FILE]",
		help: "EXPR is column=op:value, op one of eq ne lt le gt ge contains prefix in isnull notnull.\n" +
			"--missing-in X keeps DAY's rows whose key X lacks; --changed-in X DAY's version of the rows X holds with other values."}
	commands["diff"] = commandSpec{summary: "what changed between two days, or a day and production: rows added, deleted, changed", build: newDiffCmd,
		synopsis: "--from DAY --to DAY|production [--table T]... [--json] [--rescan]\n" +
			"         --from DAY --to DAY|production --table T --show added|deleted|changed [--json|--csv]",
		help: "Exit 0 whether or not anything differs. production is read through source.dsn inside one consistent snapshot."}
	commands["template"] = commandSpec{summary: "a table's schema and settings with its related tables, as template JSON", build: newTemplateCmd,
		synopsis: "--day DAY --table T [--no-related] [-o FILE]"}
	commands["template-apply"] = commandSpec{summary: "create a template's missing tables in a database (dry run unless --execute)", build: newTemplateApplyCmd,
		synopsis: "--to DSN [--reason TEXT] [--execute] FILE",
		help:     "FILE is a template JSON written by `weekback template` (or the web server's template download)."}
	commands["import"] = commandSpec{summary: "load a reimport CSV into a table (dry run unless --execute; upsert saves an undo file)", build: newImportCmd,
		synopsis: "--to DSN --table T [--mode insert|upsert|missing-only] [--profile reimport|spreadsheet] [--reason TEXT] [--execute] FILE",
		help: "FILE is a reimport CSV (UTF-8) written by `weekback export` or the web server's CSV download with the\n" +
			"default profile, or an undo file an earlier import wrote. A spreadsheet-profile file is refused unless\n" +
			"--profile spreadsheet says how to read it (empty cells are NULL in nullable columns)."}
}
