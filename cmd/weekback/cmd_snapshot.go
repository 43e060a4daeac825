package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/config"
	"github.com/weekback/weekback/snapshotter"
)

// nowFunc is the clock of the command line (days default to today).
var nowFunc = time.Now

// newSnapshotter builds a Snapshotter from the loaded config.
func (a *app) newSnapshotter() *snapshotter.Snapshotter {
	c := a.cfg
	s := snapshotter.New()
	s.SourceDSN, s.BackupDSN, s.Prefix = c.Source.DSN, c.Backup.DSN, c.Backup.Prefix
	s.Include, s.Exclude = c.Source.Include, c.Source.Exclude
	s.Parallelism = c.Snapshot.Parallelism
	s.GracePeriod = c.Snapshot.GracePeriod.D()
	s.LockWaitTimeout = c.Snapshot.LockWaitTimeout.D()
	s.Logger = a.logger
	s.Progress = a.env.Stderr
	s.Terminal = isTerminal(a.env.Stderr)
	return s
}

// snapshotCmd is `weekback snapshot [--day DAY] [--dry-run]`.
type snapshotCmd struct {
	app    *app
	day    weekback.Weekday
	dryRun bool
	s      *snapshotter.Snapshotter
}

func newSnapshotCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	day := fs.String("day", "", "day to write, mon…sun (default: today in schedule.timezone)")
	dry := fs.Bool("dry-run", false, "check privileges and show what would be copied; write nothing")
	if _, err := a.configure(fs, args, (*config.Config).RequireSnapshot); err != nil {
		return nil, err
	}
	c := &snapshotCmd{app: a, dryRun: *dry}
	var err error
	if c.day, err = a.parseDay(*day); err != nil {
		return nil, err
	}
	c.s = a.newSnapshotter()
	return c, nil
}

// Run takes the snapshot (or plans it with --dry-run) and prints the
// one-line summary on stdout.
func (c *snapshotCmd) Run(ctx context.Context) error {
	if err := c.s.Open(ctx); err != nil {
		return err
	}
	if c.dryRun {
		return c.plan(ctx)
	}
	res, err := c.s.Snapshot(ctx, c.day)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.app.env.Stdout, res.Summary())
	return nil
}

func (c *snapshotCmd) plan(ctx context.Context) error {
	if err := c.s.Preflight(ctx); err != nil {
		return err
	}
	p, err := c.s.Plan(ctx)
	if err != nil {
		return err
	}
	w := c.app.env.Stdout
	fmt.Fprintf(w, "dry run: would snapshot %s into %s's generation: %s\n", p.Schema, c.day, p)
	for _, t := range p.Tables {
		fmt.Fprintf(w, "  table %-40s ~%d rows  ~%.1f MB\n", t.Name, t.EstRows, float64(t.DataLength)/1e6)
	}
	for _, v := range p.Views {
		fmt.Fprintf(w, "  view  %s\n", v.Name)
	}
	for _, sq := range p.Sequences {
		fmt.Fprintf(w, "  sequence %s\n", sq.Name)
	}
	for _, o := range p.Skipped {
		what := "not copied"
		if o.Partial {
			what = "copied in part"
		}
		fmt.Fprintf(w, "  %s: %s %s: %s\n", what, strings.ToLower(o.Type), o.Name, o.Reason)
	}
	return nil
}

// Close closes the connections.
func (c *snapshotCmd) Close() error { return c.s.Close() }

// daemonCmd is `weekback snapshotter`.
type daemonCmd struct {
	d *snapshotter.Daemon
}

func newDaemonCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	cfg, err := a.configure(fs, args, (*config.Config).RequireSnapshot)
	if err != nil {
		return nil, err
	}
	if cfg.Schedule.Cron == "" {
		return nil, usagef("schedule.cron is empty: set it (e.g. \"30 0 * * *\") in weekback.yaml or WEEKBACK_SCHEDULE_CRON")
	}
	s := a.newSnapshotter()
	s.Terminal = false
	return &daemonCmd{d: &snapshotter.Daemon{Snapshotter: s, Cron: cfg.Schedule.Cron, Location: cfg.Schedule.Location(), Logger: a.logger}}, nil
}

// Run connects, then schedules snapshots until ctx ends.
func (c *daemonCmd) Run(ctx context.Context) error {
	if err := c.d.Snapshotter.Open(ctx); err != nil {
		return err
	}
	if err := c.d.Snapshotter.Preflight(ctx); err != nil {
		return err
	}
	return c.d.Run(ctx)
}

// Close closes the connections.
func (c *daemonCmd) Close() error { return c.d.Snapshotter.Close() }
