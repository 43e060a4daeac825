package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
)

// restoreCmd is `weekback restore --from DAY --to DSN (--table T … |
// --all) …` and `weekback restore --undo FILE --to DSN`: a day's rows
// back into production, merge-safe, with one undo file.
type restoreCmd struct {
	app     *app
	cfg     *config.Config
	day     weekback.Weekday
	against weekback.Weekday // --missing-in DAY / --changed-in DAY
	to      string
	undo    string // --undo FILE
	bundle  string // --bundle FILE
	reason  string
	opts    restore.Options
	r       slotReader
	db      *sqlx.DB
}

func newRestoreCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &restoreCmd{app: a}
	var filters multiFlag
	from := fs.String("from", "", "the day to restore from: mon … sun")
	fs.StringVar(&c.to, "to", "", "production: user:password@tcp(host:3306)/schema (required)")
	fs.StringVar(&c.opts.Table, "table", "", "the table whose rows to restore")
	fs.Var(&filters, "filter", "keep rows where EXPR holds: column=op:value (repeatable, combined with AND)")
	missingIn := fs.String("missing-in", "", "keep the rows whose key is absent there: production, or a day")
	changedIn := fs.String("changed-in", "", "keep the rows whose values differ on that day, restored three-way")
	fs.BoolVar(&c.opts.WithChildren, "with-children", false, "also the rows of tables whose foreign keys reference the selected rows, recursively")
	fs.BoolVar(&c.opts.WithRelated, "with-related", false, "also the children and the rows they all reference (parents), recursively")
	fs.BoolVar(&c.opts.All, "all", false, "every table of the day")
	fs.BoolVar(&c.opts.CreateMissing, "create-missing-tables", false, "create the day's tables the target lacks, from production's DDL of that day")
	fs.BoolVar(&c.opts.Execute, "execute", false, "write (without it: print the plan, change nothing)")
	fs.StringVar(&c.opts.UndoPath, "undo-file", "", "the undo file to write (default: weekback-restore-DAY-TIME.undo.jsonl here)")
	fs.StringVar(&c.undo, "undo", "", "reverse the restore recorded in this undo file")
	fs.StringVar(&c.reason, "reason", "", "why, for the audit log")
	fs.StringVar(&c.bundle, "bundle", "", "restore the rows of this bundle (a zip from the server's \"Prepare a restore bundle\" or `weekback download --format csv`) instead of --from DAY")
	fs.BoolVar(&c.opts.AllowBlankCredentials, "allow-blank-credentials", false, "with --bundle: insert rows whose credential columns the bundle holds blank")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if c.to == "" {
		return nil, usagef("restore needs --to DSN, for example: weekback restore --from thu --to 'user:pass@tcp(prod:3306)/sales' --table orders --missing-in production --with-children")
	}
	selecting := len(filters) > 0 || *missingIn != "" || *changedIn != ""
	if c.undo != "" {
		return c, c.checkUndoFlags(*from, selecting || c.bundle != "")
	}
	if c.bundle != "" {
		return c, c.checkBundleFlags(*from, selecting)
	}
	if err := c.parseSelection(*from, filters, *missingIn, *changedIn); err != nil {
		return nil, err
	}
	return c, nil
}

// checkUndoFlags refuses selection flags beside --undo.
func (c *restoreCmd) checkUndoFlags(from string, selecting bool) error {
	if from != "" || c.opts.Table != "" || c.opts.All || selecting || c.opts.WithChildren || c.opts.WithRelated || c.opts.CreateMissing {
		return usagef("restore --undo FILE takes only --to, --execute, --undo-file and --reason: the file says what to reverse")
	}
	return nil
}

// checkBundleFlags refuses selection flags beside --bundle.
func (c *restoreCmd) checkBundleFlags(from string, selecting bool) error {
	if from != "" || c.opts.Table != "" || c.opts.All || selecting || c.opts.WithChildren || c.opts.WithRelated {
		return usagef("restore --bundle FILE takes the rows of the bundle: drop --from, --table, --all, --filter, --missing-in, --changed-in, --with-children and --with-related")
	}
	return nil
}

// parseSelection checks and converts the flags that pick rows.
func (c *restoreCmd) parseSelection(from string, filters []string, missingIn, changedIn string) error {
	switch {
	case from == "":
		return usagef("restore needs --from DAY (the day to bring back) or --undo FILE")
	case c.opts.All == (c.opts.Table != ""):
		return usagef("restore needs exactly one of --table T and --all")
	case c.opts.All && (len(filters) > 0 || missingIn != "" || changedIn != "" || c.opts.WithChildren || c.opts.WithRelated):
		return usagef("--all restores every row of every table: drop --filter, --missing-in, --changed-in, --with-children and --with-related")
	case missingIn != "" && changedIn != "":
		return usagef("use one of --missing-in and --changed-in")
	}
	var err error
	if c.day, err = weekback.ParseWeekday(from); err != nil {
		return err
	}
	for _, f := range filters {
		fl, err := weekback.ParseFilter(f)
		if err != nil {
			return err
		}
		c.opts.Filters = append(c.opts.Filters, fl)
	}
	return c.parseAgainst(missingIn, changedIn)
}

// parseAgainst reads --missing-in / --changed-in.
func (c *restoreCmd) parseAgainst(missingIn, changedIn string) error {
	var err error
	switch {
	case missingIn == restore.Production:
		c.opts.MissingIn = restore.Production
	case missingIn != "":
		c.opts.MissingIn = missingIn
		c.against, err = weekback.ParseWeekday(missingIn)
	case changedIn == restore.Production:
		return usagef("--changed-in takes a day (the day the damage is seen): the three-way restore compares it with the --from day and production")
	case changedIn != "":
		c.opts.ChangedIn = true
		c.against, err = weekback.ParseWeekday(changedIn)
	}
	return err
}

// Run plans (and, with --execute, writes and verifies) the restore, or
// the undo; the report goes to stdout, progress to stderr.
func (c *restoreCmd) Run(ctx context.Context) error {
	var err error
	if c.db, err = mysql.Open(ctx, c.to, "--to", mysql.RoleTarget); err != nil {
		return err
	}
	if c.undo != "" {
		return c.runUndo(ctx)
	}
	if c.bundle != "" {
		return c.runBundle(ctx)
	}
	if c.cfg, err = c.app.loadConfig(); err != nil {
		return err
	}
	if err := requireReader(c.cfg); err != nil {
		return err
	}
	src, err := c.source(ctx)
	if err != nil {
		return err
	}
	c.prepare(fmt.Sprintf("weekback-restore-%s", c.day))
	p, err := restore.Build(ctx, src, c.db, c.opts)
	if err != nil {
		return err
	}
	return c.finish(ctx, p)
}

// prepare sets the logger, the progress writer and, for --execute without
// --undo-file, the undo file: stem, the time, ".undo.jsonl".
func (c *restoreCmd) prepare(stem string) {
	c.opts.Logger, c.opts.Progress = c.app.logger, c.app.env.Stderr
	if c.opts.Execute && c.opts.UndoPath == "" {
		c.opts.UndoPath = stem + "-" + time.Now().UTC().Format("20060102T150405") + ".undo.jsonl"
	}
}

// finish executes the plan when asked, reports it and records the write.
func (c *restoreCmd) finish(ctx context.Context, p *restore.Plan) error {
	var err error
	if c.opts.Execute {
		err = p.Execute(ctx, c.db)
	}
	if rerr := p.WriteReport(c.app.env.Stdout); err == nil {
		err = rerr
	}
	if p.Executed {
		c.app.record(ctx, c.cfg, writeAudit{Action: weekback.AuditRestore, Day: p.Day, Reason: c.reason, Target: targetName(c.to),
			Tables: p.Written(), UndoFile: absPath(p.UndoPath), Bundle: absPath(c.bundle)}, err)
	} else if err == nil {
		fmt.Fprintln(c.app.env.Stderr, "dry run: nothing was written; add --execute to restore")
	}
	return err
}

// runBundle plans (and, with --execute, writes and verifies) the restore
// of a bundle's rows. The configuration is optional: it names the backup
// prefix (whose schemas are refused as targets) and the audit log.
func (c *restoreCmd) runBundle(ctx context.Context) error {
	src := restore.BundleSource{Path: c.bundle}
	if cfg, err := c.app.loadConfig(); err == nil {
		c.cfg, src.Prefix = cfg, cfg.Backup.Prefix
	}
	c.prepare(c.bundle)
	p, err := restore.BuildBundle(ctx, src, c.db, c.opts)
	if err != nil {
		return err
	}
	return c.finish(ctx, p)
}

// source opens the backup server and the day's (and the other day's)
// generation.
func (c *restoreCmd) source(ctx context.Context) (*restore.Source, error) {
	if err := c.r.open(ctx, c.cfg, true); err != nil {
		return nil, err
	}
	gen, err := c.r.generation(ctx, c.day)
	if err != nil {
		return nil, err
	}
	src := &restore.Source{DB: c.r.rows, Gen: gen, Prefix: c.cfg.Backup.Prefix, Digests: c.r.meta}
	if c.against != "" {
		if src.Against, err = c.r.generation(ctx, c.against); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// runUndo reverses the restore of the undo file.
func (c *restoreCmd) runUndo(ctx context.Context) error {
	opts := restore.UndoOptions{Execute: c.opts.Execute, UndoPath: c.opts.UndoPath, Logger: c.app.logger, Progress: c.app.env.Stderr}
	if opts.Execute && opts.UndoPath == "" {
		opts.UndoPath = c.undo + ".undo-" + time.Now().UTC().Format("20060102T150405") + ".jsonl"
	}
	rep, err := restore.Undo(ctx, c.db, c.undo, opts)
	if rep != nil {
		if rerr := rep.WriteReport(c.app.env.Stdout); err == nil {
			err = rerr
		}
	}
	if opts.Execute {
		var written map[string]int64
		if rep != nil {
			written = rep.Written()
		}
		c.app.record(ctx, nil, writeAudit{Action: weekback.AuditUndo, Reason: c.reason, Target: targetName(c.to),
			Tables: written, UndoFile: absPath(opts.UndoPath)}, err)
	} else if err == nil {
		fmt.Fprintln(c.app.env.Stderr, "dry run: nothing was written; add --execute to undo")
	}
	return err
}

// absPath returns path made absolute when it can be ("" stays "").
func absPath(path string) string {
	if path == "" {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// Close closes the connections.
func (c *restoreCmd) Close() error {
	c.r.close()
	if c.db != nil {
		return c.db.Close()
	}
	return nil
}

func init() {
	commands["restore"] = commandSpec{summary: "bring a day's rows back into production, merge-safe, parents first, one undo file (dry run unless --execute)",
		build: newRestoreCmd,
		synopsis: "--from DAY --to DSN (--table T [--filter EXPR]... [--missing-in DAY|production] [--changed-in DAY]\n" +
			"         [--with-children] [--with-related] | --all) [--create-missing-tables] [--reason TEXT] [--execute] [--undo-file FILE]\n" +
			"   or: weekback restore --bundle FILE --to DSN [--create-missing-tables] [--allow-blank-credentials] [--reason TEXT] [--execute] [--undo-file FILE]\n" +
			"   or: weekback restore --undo FILE --to DSN [--reason TEXT] [--execute]",
		help: "Rows present in production with other values are conflicts, never overwritten. --undo FILE reverses a\n" +
			"restore (or an undo) exactly, with the undo file it wrote."}
}
