package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/restore"
	"github.com/weekback/weekback/template"
)

// templateCmd is `weekback template --day DAY --table T [--no-related]
// [-o FILE]`: a table's settings and schema, with its related tables.
type templateCmd struct {
	app     *app
	day     weekback.Weekday
	table   string
	related bool
	out     string
	r       slotReader
}

func newTemplateCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &templateCmd{app: a}
	day := fs.String("day", "", "the generation: mon … sun (required)")
	fs.StringVar(&c.table, "table", "", "the table (required)")
	noRelated := fs.Bool("no-related", false, "only the table, not the tables related to it by foreign keys")
	fs.StringVar(&c.out, "o", "", "write to this file (default: stdout)")
	if _, err := a.configure(fs, args, requireReader); err != nil {
		return nil, err
	}
	if *day == "" || c.table == "" {
		return nil, usagef("template needs --day and --table, for example: weekback template --day tue --table orders -o orders.template.json")
	}
	var err error
	if c.day, err = weekback.ParseWeekday(*day); err != nil {
		return nil, err
	}
	c.related = !*noRelated
	return c, nil
}

// Run writes the template JSON.
func (c *templateCmd) Run(ctx context.Context) error {
	if err := c.r.open(ctx, c.app.cfg, false); err != nil {
		return err
	}
	gen, err := c.r.generation(ctx, c.day)
	if err != nil {
		return err
	}
	if _, err := manifestTable(gen, c.table); err != nil {
		return err
	}
	t, err := template.Build(ctx, c.r.db, gen, c.table, c.related)
	if err != nil {
		return err
	}
	write := func(w io.Writer) (struct{}, error) { return struct{}{}, template.Write(w, t) }
	if c.out == "" {
		_, err = write(c.app.env.Stdout)
		return err
	}
	if _, err := writeFileAtomic(c.out, write); err != nil {
		return err
	}
	c.app.logger.Info("template written", "day", c.day, "table", c.table, "tables", len(t.Tables), "file", c.out)
	return nil
}

// Close closes the connections.
func (c *templateCmd) Close() error {
	c.r.close()
	return nil
}

// templateApplyCmd is `weekback template-apply --to DSN [--execute] FILE`.
type templateApplyCmd struct {
	app     *app
	to      string
	execute bool
	file    string
	reason  string
	db      *sqlx.DB
}

func newTemplateApplyCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &templateApplyCmd{app: a}
	fs.StringVar(&c.to, "to", "", "the target database: user:password@tcp(host:3306)/schema (required)")
	fs.BoolVar(&c.execute, "execute", false, "create the missing tables (without it: print the DDL only, change nothing)")
	fs.StringVar(&c.reason, "reason", "", "why, for the audit log")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if c.to == "" {
		return nil, usagef("template-apply needs --to DSN, for example: weekback template-apply --to 'user:pass@tcp(prod:3306)/sales' orders.template.json")
	}
	c.file = file
	return c, nil
}

// Run plans and, with --execute, creates the missing tables.
func (c *templateApplyCmd) Run(ctx context.Context) error {
	f, err := os.Open(c.file)
	if err != nil {
		return weekback.Errorf(weekback.EINVALID, "cannot read %s: %v", c.file, err)
	}
	defer f.Close()
	t, err := template.Read(f)
	if err != nil {
		return err
	}
	if c.db, err = mysql.Open(ctx, c.to, "--to", mysql.RoleTarget); err != nil {
		return err
	}
	plan, err := template.PlanApply(ctx, c.db, t)
	if err != nil {
		return err
	}
	if c.execute {
		err = restore.ApplyTemplate(ctx, c.db, plan)
		created := map[string]int64{}
		for _, name := range plan.Created {
			created[name] = 0
		}
		c.app.record(ctx, nil, writeAudit{Action: weekback.AuditTemplateApply, Reason: c.reason, Target: targetName(c.to), Tables: created}, err)
	}
	if rerr := plan.WriteReport(c.app.env.Stdout); err == nil {
		err = rerr
	}
	if !c.execute && len(plan.Create) > 0 {
		fmt.Fprintln(c.app.env.Stderr, "dry run: nothing was changed; add --execute to create the tables above")
	}
	return err
}

// Close closes the connection.
func (c *templateApplyCmd) Close() error {
	if c.db != nil {
		return c.db.Close()
	}
	return nil
}

// parseFileArgs parses flags placed before or after exactly one FILE
// argument and returns the file.
func parseFileArgs(fs *flag.FlagSet, args []string) (string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return "", err
			}
			return "", usagef("%s: %v", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		return "", usagef("%s needs exactly one FILE argument, got %d: see `%s -h`", fs.Name(), len(files), fs.Name())
	}
	return files[0], nil
}
