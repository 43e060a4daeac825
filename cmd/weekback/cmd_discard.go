package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/jobs"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/snapshotter"
)

// discardCmd is `weekback discard --day DAY|--all-days [--reason TEXT] --yes`.
// It runs with the backup admin account: it records the discard in the
// meta schema (the servers answer 410 from then on), ends the day's jobs,
// drops the slot itself and, with --all-days, every retired copy and the
// off-site copies.
type discardCmd struct {
	app    *app
	days   []weekback.Weekday
	all    bool
	reason string
	yes    bool
	s      *snapshotter.Snapshotter
	meta   *mysql.Meta
}

func newDiscardCmd(a *app, fs *flag.FlagSet, args []string) (Command, error) {
	day := fs.String("day", "", "the day to discard, mon…sun")
	all := fs.Bool("all-days", false, "discard every day, every retired copy and the off-site copies (an erasure request)")
	reason := fs.String("reason", "", "why, for the audit log")
	yes := fs.Bool("yes", false, "really discard (without it: say what would be dropped)")
	if _, err := a.configure(fs, args, requireBackup); err != nil {
		return nil, err
	}
	c := &discardCmd{app: a, all: *all, reason: *reason, yes: *yes, s: a.newSnapshotter()}
	switch {
	case *all && *day != "":
		return nil, usagef("discard: give either --day DAY or --all-days, not both")
	case *all:
		c.days = weekback.Weekdays
	case *day == "":
		return nil, usagef("discard: say which day: --day DAY (mon…sun), or --all-days for every copy")
	default:
		d, err := weekback.ParseWeekday(*day)
		if err != nil {
			return nil, usagef("discard: %v", err)
		}
		c.days = []weekback.Weekday{d}
	}
	return c, nil
}

// Run discards the days (or, without --yes, says what it would drop and
// exits 2).
func (c *discardCmd) Run(ctx context.Context) error {
	if err := c.s.OpenBackup(ctx); err != nil {
		return err
	}
	var err error
	if c.meta, err = c.s.AttachMeta(ctx); err != nil {
		return err
	}
	targets, err := c.targets(ctx)
	if err != nil {
		return err
	}
	if !c.yes {
		return c.preview(ctx, targets)
	}
	for _, g := range targets {
		if err := c.discard(ctx, g.Day); err != nil {
			return err
		}
	}
	if err := c.dropCopies(ctx); err != nil {
		return err
	}
	// A job that completed while the slot was still there (before its
	// worker saw the cancel) is ended now that the slot is gone.
	for _, g := range targets {
		c.endJobs(ctx, g.Day)
	}
	return nil
}

// targets returns the days to discard that have a served copy; a single
// day without one is an error saying so.
func (c *discardCmd) targets(ctx context.Context) ([]*weekback.Generation, error) {
	var out []*weekback.Generation
	for _, d := range c.days {
		g, err := c.meta.Generation(ctx, d)
		if err != nil {
			return nil, err
		}
		if g.Ready() {
			out = append(out, g)
		}
	}
	if len(out) == 0 && !c.all {
		return nil, weekback.Errorf(weekback.EINVALID, "%s has no copy to discard (status %s): run `weekback generations` to see the days", c.days[0], c.generationStatus(ctx))
	}
	return out, nil
}

func (c *discardCmd) generationStatus(ctx context.Context) weekback.GenerationStatus {
	g, err := c.meta.Generation(ctx, c.days[0])
	if err != nil {
		return "unknown"
	}
	return g.Status
}

// preview prints what --yes would drop and returns the usage error.
func (c *discardCmd) preview(ctx context.Context, targets []*weekback.Generation) error {
	w, loc := c.app.env.Stdout, c.app.cfg.Schedule.Location()
	for _, g := range targets {
		fmt.Fprintf(w, "would discard %s: snapshot of %s, %d rows, slot %s\n", g.Day,
			g.Manifest.SnapshotAt.In(loc).Format("2006-01-02 15:04:05 MST"), g.Manifest.Rows, g.Slot)
	}
	if c.all {
		fmt.Fprintln(w, "would drop every retired copy still inside its grace period")
		c.previewOffsite(ctx)
	}
	return usagef("discard: nothing was discarded: add --yes to discard %s", dayList(targets, c.all))
}

func dayList(gens []*weekback.Generation, all bool) string {
	if all {
		return "every day and every copy"
	}
	names := make([]string, len(gens))
	for i, g := range gens {
		names[i] = string(g.Day)
	}
	return strings.Join(names, ", ")
}

// discard records the discard of day, ends its jobs and audits it.
func (c *discardCmd) discard(ctx context.Context, day weekback.Weekday) error {
	d, err := c.meta.Discard(ctx, day, operator(), c.reason)
	if err != nil {
		return err
	}
	n := c.endJobs(ctx, day)
	e := &weekback.AuditEntry{Login: operator(), Client: "cli", Action: weekback.AuditDiscard, Outcome: weekback.OutcomeOK,
		Day: day, Detail: discardDetail(d), Rows: d.Rows}
	if err := c.meta.Audit(context.WithoutCancel(ctx), e); err != nil {
		return fmt.Errorf("audit the discard of %s: %w", day, err)
	}
	fmt.Fprintf(c.app.env.Stdout, "discarded %s (slot %s, %d rows); %d jobs ended\n", day, d.Slot, d.Rows, n)
	return nil
}

// endJobs ends day's jobs and removes their files from exports.dir; it
// returns how many it ended (failures are logged: the discard stands).
func (c *discardCmd) endJobs(ctx context.Context, day weekback.Weekday) int {
	r := jobs.New()
	r.Dir = c.app.cfg.Exports.Dir
	n, err := r.DiscardDay(ctx, c.meta, day)
	if err != nil {
		c.app.logger.Warn("cannot end every job of the discarded day", "day", day, "err", err)
	}
	return n
}

// discardDetail is the audit log's detail of a discard: the reason and
// the copy discarded.
func discardDetail(d *weekback.Discard) string {
	s := "slot " + d.Slot
	if !d.SnapshotAt.IsZero() {
		s += ", snapshot " + d.SnapshotAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	if d.Reason != "" {
		s = "reason: " + d.Reason + "; " + s
	}
	return s
}

// dropCopies drops the discarded slots now (the backup admin account may)
// and, with --all-days, every retired copy and the off-site copies.
func (c *discardCmd) dropCopies(ctx context.Context) error {
	if c.all {
		if err := c.meta.ExpireRetired(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.app.env.Stderr, "waiting %s for the web servers to stop serving it, then dropping\n", mysql.DiscardSettle)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(mysql.DiscardSettle):
	}
	if err := c.drop(ctx); err != nil {
		return err
	}
	if free, err := c.meta.SnapshotLockFree(ctx); err == nil && !free {
		fmt.Fprintln(c.app.env.Stderr, "weekback: a snapshot is running: the copy it builds is served when it ends; discard again after it if that copy must go too")
	}
	if c.all {
		return c.discardOffsite(ctx)
	}
	return nil
}

// drop drops the discarded slots; with --all-days every slot no day
// serves (leftovers of crashed runs too), unless a snapshot runs: then
// only the discarded ones, with a warning.
func (c *discardCmd) drop(ctx context.Context) error {
	if c.all {
		err := c.s.DropUnserved(ctx)
		if weekback.ErrorCode(err) != weekback.ECONFLICT {
			if err == nil {
				fmt.Fprintln(c.app.env.Stdout, "dropped every slot no day serves")
			}
			return err
		}
		fmt.Fprintf(c.app.env.Stderr, "weekback: %s: dropping the discarded slots only; run the discard again after it\n", weekback.ErrorMessage(err))
	}
	dropped, err := c.s.DropDue(ctx)
	for _, slot := range dropped {
		fmt.Fprintf(c.app.env.Stdout, "dropped slot %s\n", slot)
	}
	return err
}

// Close closes the connections.
func (c *discardCmd) Close() error { return c.s.Close() }

func init() {
	commands["discard"] = commandSpec{summary: "drop a day's copy (status discarded, pages 410), audited; --all-days reaches every copy", build: newDiscardCmd,
		synopsis: "--day DAY|--all-days [--reason TEXT] --yes",
		help: "Uses backup.dsn (the backup admin account): the slot is dropped at once. Without --yes it prints what would be\n" +
			"dropped and exits 2. --all-days also drops retired copies and deletes the off-site copies (offsite.target).\n" +
			"The next snapshot of a discarded weekday fills it again."}
}
