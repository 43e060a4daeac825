package snapshotter

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/weekback/weekback"
)

// Daemon runs a snapshot on a cron schedule in a time zone, never two at
// once (a run still going when the next is due makes that one skip). Each
// run snapshots the weekday it starts on.
type Daemon struct {
	Snapshotter *Snapshotter
	Cron        string
	Location    *time.Location
	Logger      *slog.Logger
	// WithSeconds reads Cron with a leading seconds field (tests).
	WithSeconds bool
	// RequestPoll is how often snapshot requests from the browser and
	// discarded slots are looked for (DefaultRequestPoll when 0).
	RequestPoll time.Duration

	busy sync.Mutex // one snapshot at a time in this process
}

// Run schedules snapshots until ctx ends, then stops the scheduler and
// waits for a running snapshot to end: cancelled mid-copy, it switches
// nothing, so the served generation is untouched.
func (d *Daemon) Run(ctx context.Context) error {
	log := d.Logger.With("component", "snapshotter-daemon")
	if d.RequestPoll <= 0 {
		d.RequestPoll = DefaultRequestPoll
	}
	if err := d.abandonRequests(ctx); err != nil {
		return err
	}
	sched, err := gocron.NewScheduler(gocron.WithLocation(d.Location))
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	job, err := sched.NewJob(gocron.CronJob(d.Cron, d.WithSeconds),
		gocron.NewTask(func() { d.runOnce(ctx, log) }),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithName("snapshot"))
	if err != nil {
		return weekback.Errorf(weekback.EINVALID, "schedule.cron %q: %v", d.Cron, err)
	}
	sched.Start()
	next, _ := job.NextRun()
	log.Info("scheduler started", "cron", d.Cron, "timezone", d.Location.String(), "next_run", next.In(d.Location).Format(time.RFC3339))
	var wg sync.WaitGroup
	wg.Go(func() { d.requestLoop(ctx, &d.busy, log) })
	<-ctx.Done()
	wg.Wait()
	log.Info("stopping: waiting for a running snapshot to stop")
	if err := sched.Shutdown(); err != nil {
		return fmt.Errorf("stop scheduler: %w", err)
	}
	log.Info("stopped")
	return nil
}

func (d *Daemon) runOnce(ctx context.Context, log *slog.Logger) {
	if ctx.Err() != nil {
		return
	}
	d.busy.Lock()
	defer d.busy.Unlock()
	day := weekback.DayOf(d.Snapshotter.Now(), d.Location)
	log.Info("scheduled snapshot starting", "day", day)
	res, err := d.Snapshotter.Snapshot(ctx, day)
	if err != nil {
		log.Error("scheduled snapshot failed; the served generation is unchanged", "day", day, "err", err)
		return
	}
	log.Info(res.Summary())
}
