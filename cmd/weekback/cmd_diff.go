package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/mysql"
)

// diffCmd is `weekback diff --from DAY --to DAY|production [--table T]…
// [--json] [--show KIND [--csv]]`: what changed between two days, or
// between a day and production.
type diffCmd struct {
	app      *app
	from, to weekback.Weekday // to "" is production
	toLabel  string
	tables   []string
	json     bool
	csv      bool
	show     compare.Kind
	rescan   bool
	s        sides
}

func newDiffCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	c := &diffCmd{app: a}
	var tables multiFlag
	from := fs.String("from", "", "the older day: mon … sun (required)")
	to := fs.String("to", "", "the newer day, or production (required)")
	fs.Var(&tables, "table", "compare only this table (repeatable; default: every table)")
	fs.BoolVar(&c.json, "json", false, "print JSON")
	fs.BoolVar(&c.csv, "csv", false, "with --show: print the rows as reimport CSV")
	fs.BoolVar(&c.rescan, "rescan", false, "read every table, even those both days' manifests give the same content hash")
	show := fs.String("show", "", "print the rows of one kind of change of one --table: added, deleted or changed")
	if _, err := a.configure(fs, args, requireReader); err != nil {
		return nil, err
	}
	if *from == "" || *to == "" {
		return nil, usagef("diff needs --from and --to, for example: weekback diff --from wed --to thu (or --to production)")
	}
	var err error
	if c.from, err = weekback.ParseWeekday(*from); err != nil {
		return nil, usagef("--from %q: use a day, mon … sun", *from)
	}
	if c.to, err = parseOther("--to", *to); err != nil {
		return nil, err
	}
	c.toLabel, c.tables = *to, tables
	return c, c.parseShow(*show)
}

func (c *diffCmd) parseShow(show string) error {
	if c.json && c.csv {
		return usagef("--json and --csv exclude each other: pick one")
	}
	if show == "" {
		if c.csv {
			return usagef("--csv prints rows: add --show added|deleted|changed and one --table")
		}
		return nil
	}
	k, err := compare.ParseKind(show)
	if err != nil {
		return usagef("--show %q: use added, deleted or changed", show)
	}
	if len(c.tables) != 1 {
		return usagef("--show prints the rows of one table: give exactly one --table")
	}
	c.show = k
	return nil
}

// Run compares and prints.
func (c *diffCmd) Run(ctx context.Context) error {
	if err := c.s.open(ctx, c.app.cfg, c.from, c.to, false); err != nil {
		return err
	}
	c.s.c.Progress = progressPrinter(c.app)
	c.s.c.Rescan = c.rescan
	if err := c.checkTables(ctx); err != nil {
		return err
	}
	if c.show != "" {
		return c.rows(ctx)
	}
	changes, err := c.s.c.Tables(ctx, c.tables)
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(changes)
	}
	return c.printText(changes)
}

// checkTables refuses a --table neither side has (exit 2), suggesting the
// closest name.
func (c *diffCmd) checkTables(ctx context.Context) error {
	if len(c.tables) == 0 {
		return nil
	}
	var names []string
	for _, side := range []*compare.Side{c.s.c.From, c.s.c.To} {
		n, err := side.TableNames(ctx)
		if err != nil {
			return err
		}
		names = append(names, n...)
	}
	for _, t := range c.tables {
		if !slices.Contains(names, t) {
			return weekback.Errorf(weekback.EINVALID, "neither %s nor %s has a table %q (names are case-sensitive): %s",
				c.from, c.toLabel, t, weekback.Suggest(t, "tables", names))
		}
	}
	return nil
}

// diffJSON is the output of `diff --json`.
type diffJSON struct {
	From   string                `json:"from"`
	To     string                `json:"to"`
	Tables []compare.TableChange `json:"tables"`
}

func (c *diffCmd) printJSON(changes []compare.TableChange) error {
	enc := json.NewEncoder(c.app.env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(diffJSON{From: string(c.from), To: c.toLabel, Tables: changes})
}

func (c *diffCmd) printText(changes []compare.TableChange) error {
	tw := tabwriter.NewWriter(c.app.env.Stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "table\trows %s\trows %s\tadded\tdeleted\tchanged\t\n", c.from, c.toLabel)
	for _, t := range changes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", t.Table, t.RowsFrom, t.RowsTo, t.Added, t.Deleted, t.Changed, notes(&t, c.from, c.toLabel))
	}
	return tw.Flush()
}

// notes says what else a table's change holds, for the text output.
func notes(t *compare.TableChange, from weekback.Weekday, to string) string {
	var out []string
	switch t.Status {
	case compare.StatusOnlyInFrom:
		out = append(out, "only in "+string(from))
	case compare.StatusOnlyInTo:
		out = append(out, "only in "+to)
	}
	if len(t.ColumnsAdded) > 0 {
		out = append(out, "columns added: "+strings.Join(t.ColumnsAdded, ", "))
	}
	if len(t.ColumnsDropped) > 0 {
		out = append(out, "columns dropped: "+strings.Join(t.ColumnsDropped, ", "))
	}
	if len(t.ColumnsRetyped) > 0 {
		out = append(out, "columns retyped: "+strings.Join(t.ColumnsRetyped, ", "))
	}
	if t.Keyless {
		out = append(out, "no key: compared as a multiset")
	}
	if len(out) == 0 {
		return ""
	}
	return "  (" + strings.Join(out, "; ") + ")"
}

// Close ends production's snapshot and closes the connections.
func (c *diffCmd) Close() error {
	c.s.close()
	return nil
}

// rows prints the rows of one kind of change (--show).
func (c *diffCmd) rows(ctx context.Context) error {
	q := compare.RowQuery{Table: c.tables[0], Kind: c.show}
	var p rowPrinter
	switch {
	case c.json:
		p = &jsonRows{w: c.app.env.Stdout, from: string(c.from), to: c.toLabel, kind: c.show}
	case c.csv:
		p = &csvRows{w: c.app.env.Stdout, kind: c.show}
	default:
		p = &textRows{w: c.app.env.Stdout}
	}
	set, err := c.s.c.Describe(ctx, q.Table)
	if err != nil {
		return err
	}
	if err := p.start(set); err != nil {
		return err
	}
	if _, err := c.s.c.Rows(ctx, q, p.row); err != nil {
		return err
	}
	return p.end()
}

// rowPrinter prints the rows of `diff --show`.
type rowPrinter interface {
	start(set *compare.RowSet) error
	row(r *compare.RowChange) error
	end() error
}

// displayValue returns v as text: NULL, binary values as 0x hex.
func displayValue(col *mysql.RecordColumn, v []byte) string {
	switch {
	case v == nil:
		return "NULL"
	case col.Kind == mysql.KindBinary || col.Kind == mysql.KindBit || col.Kind == mysql.KindGeometry:
		return "0x" + hex.EncodeToString(v) // as exports write them
	}
	return string(v)
}
