package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/snapshotter"
)

// generationsCmd is `weekback generations [--json]`.
type generationsCmd struct {
	app  *app
	json bool
	s    *snapshotter.Snapshotter
}

func newGenerationsCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	asJSON := fs.Bool("json", false, "print JSON (with the manifests) instead of a table")
	if _, err := a.configure(fs, args, requireBackup); err != nil {
		return nil, err
	}
	return &generationsCmd{app: a, json: *asJSON, s: a.newSnapshotter()}, nil
}

// Run prints the seven days.
func (c *generationsCmd) Run(ctx context.Context) error {
	if err := c.s.OpenBackup(ctx); err != nil {
		return err
	}
	meta, err := c.s.AttachMeta(ctx)
	if err != nil {
		return err
	}
	gens, err := meta.Generations(ctx)
	if err != nil {
		return err
	}
	if c.json {
		enc := json.NewEncoder(c.app.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(gens)
	}
	c.table(gens)
	return nil
}

func (c *generationsCmd) table(gens []*weekback.Generation) {
	loc := c.app.cfg.Schedule.Location()
	w := tabwriter.NewWriter(c.app.env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "DAY\tSTATUS\tSNAPSHOT AT\tPOSITION\tTABLES\tROWS\tMB\tVERIFIED\tSLOT")
	for _, g := range gens {
		at, pos, tables, rows, mb, verified := "-", "-", "-", "-", "-", "-"
		if m := g.Manifest; m != nil {
			at = m.SnapshotAt.In(loc).Format("2006-01-02 15:04:05 MST")
			if p := m.Position.String(); p != "" {
				pos = p
			}
			tables, rows, mb = fmt.Sprint(len(m.Tables)), fmt.Sprint(m.Rows), fmt.Sprintf("%.1f", float64(m.Bytes)/1e6)
			verified = g.VerifiedAt.In(loc).Format(time.DateTime)
		}
		slot := g.Slot
		if slot == "" {
			slot = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", g.Day, g.Status, at, pos, tables, rows, mb, verified, slot)
	}
	w.Flush()
}

// Close closes the connections.
func (c *generationsCmd) Close() error { return c.s.Close() }

// verifyCmd is `weekback verify [--day DAY]`.
type verifyCmd struct {
	app *app
	day weekback.Weekday // "" = every ready generation
	s   *snapshotter.Snapshotter
}

func newVerifyCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	day := fs.String("day", "", "day to verify, mon…sun (default: every generation that has been taken)")
	if _, err := a.configure(fs, args, requireBackup); err != nil {
		return nil, err
	}
	c := &verifyCmd{app: a, s: a.newSnapshotter()}
	if *day != "" {
		var err error
		if c.day, err = weekback.ParseWeekday(*day); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Run verifies one day, or every ready day; the first mismatch found is
// returned (exit 3) after all days were checked.
func (c *verifyCmd) Run(ctx context.Context) error {
	if err := c.s.OpenBackup(ctx); err != nil {
		return err
	}
	days, err := c.days(ctx)
	if err != nil {
		return err
	}
	var firstErr error
	for _, d := range days {
		err := c.s.Verify(ctx, d)
		switch {
		case err == nil:
			fmt.Fprintf(c.app.env.Stdout, "%s: ok\n", d)
		case weekback.ErrorCode(err) == weekback.EMISMATCH:
			fmt.Fprintf(c.app.env.Stdout, "%s: MISMATCH: %s\n", d, weekback.ErrorMessage(err))
		default:
			return err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

func (c *verifyCmd) days(ctx context.Context) ([]weekback.Weekday, error) {
	if c.day != "" {
		return []weekback.Weekday{c.day}, nil
	}
	meta, err := c.s.AttachMeta(ctx)
	if err != nil {
		return nil, err
	}
	gens, err := meta.Generations(ctx)
	if err != nil {
		return nil, err
	}
	var days []weekback.Weekday
	for _, g := range gens {
		if g.Ready() {
			days = append(days, g.Day)
		}
	}
	if len(days) == 0 {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "no generation has been taken yet: run `weekback snapshot` first")
	}
	return days, nil
}

// Close closes the connections.
func (c *verifyCmd) Close() error { return c.s.Close() }

// versionCmd is `weekback version`.
type versionCmd struct{ app *app }

func newVersionCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return &versionCmd{app: a}, nil
}

// Run prints the version.
func (c *versionCmd) Run(context.Context) error {
	fmt.Fprintln(c.app.env.Stdout, "weekback", version)
	return nil
}

// Close does nothing.
func (c *versionCmd) Close() error { return nil }

// requireBackup checks what commands that only read the backup server need.
func requireBackup(cfg *config.Config) error {
	if cfg.Backup.DSN == "" {
		return usagef("backup.dsn is not set: set it in weekback.yaml or WEEKBACK_BACKUP_DSN")
	}
	return nil
}
