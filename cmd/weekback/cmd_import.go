package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
)

// importCmd is `weekback import --to DSN --table T [--mode …] [--execute]
// FILE`: the way back into production.
type importCmd struct {
	app    *app
	to     string
	file   string
	reason string
	opts   restore.ImportOptions
	db     *sqlx.DB
}

func newImportCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &importCmd{app: a}
	fs.StringVar(&c.to, "to", "", "the target database: user:password@tcp(host:3306)/schema (required)")
	fs.StringVar(&c.opts.Table, "table", "", "the target table (required)")
	mode := fs.String("mode", "insert", "insert (new rows only; existing different rows are conflicts), upsert (also overwrite, saving an undo file) or missing-only (skip existing rows)")
	fs.BoolVar(&c.opts.Execute, "execute", false, "write (without it: report what would happen, change nothing)")
	fs.StringVar(&c.reason, "reason", "", "why, for the audit log")
	profile := fs.String("profile", "reimport", "how the file was exported: reimport, or spreadsheet (empty cells are NULL in nullable columns, formula guards are removed)")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if c.to == "" || c.opts.Table == "" {
		return nil, usagef("import needs --to DSN and --table, for example: weekback import --to 'user:pass@tcp(prod:3306)/sales' --table orders orders.csv")
	}
	if c.opts.Mode, err = restore.ParseImportMode(*mode); err != nil {
		return nil, err
	}
	if c.opts.Profile, err = export.ParseProfile(*profile); err != nil {
		return nil, err
	}
	c.file = file
	c.opts.UndoPath = restore.UndoPathFor(file, time.Now())
	c.opts.Logger = a.logger
	return c, nil
}

// Run checks the file, classifies its rows and, with --execute, applies
// them; it prints the summary either way.
func (c *importCmd) Run(ctx context.Context) error {
	f, err := os.Open(c.file)
	if err != nil {
		return weekback.Errorf(weekback.EINVALID, "cannot read %s: %v", c.file, err)
	}
	defer f.Close()
	if c.db, err = mysql.Open(ctx, c.to, "--to", mysql.RoleTarget); err != nil {
		return err
	}
	rep, err := restore.Import(ctx, c.db, f, c.opts)
	if rep != nil {
		if werr := rep.WriteSummary(c.app.env.Stdout); err == nil {
			err = werr
		}
		if !rep.Executed && err == nil {
			fmt.Fprintln(c.app.env.Stderr, "dry run: nothing was written; add --execute to apply")
		}
	}
	if rep != nil && rep.Executed {
		c.app.record(ctx, nil, writeAudit{Action: weekback.AuditImport, Reason: c.reason, Target: targetName(c.to),
			Tables: map[string]int64{c.opts.Table: rep.Insert + rep.Update + rep.Delete}, UndoFile: absPath(rep.UndoPath)}, err)
	}
	return err
}

// Close closes the connection.
func (c *importCmd) Close() error {
	if c.db != nil {
		return c.db.Close()
	}
	return nil
}
