package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/weekback/weekback"
)

// DayJobStore ends the jobs of one day's generation (mysql.Meta
// implements it): queued ones canceled, running ones asked to stop,
// completed ones expired; it returns those whose files are to be removed.
type DayJobStore interface {
	DiscardDayJobs(ctx context.Context, day weekback.Weekday) ([]*weekback.Job, error)
}

// DiscardDay ends every job of day's generation (a discarded day) through
// store and removes their files from Dir: a running job's worker sees the
// cancel at its next heartbeat and removes what it wrote. It returns how
// many jobs it ended and the first error. Only Dir and Store's day jobs
// are used: it works on a Runner that is not open (the command line).
func (r *Runner) DiscardDay(ctx context.Context, store DayJobStore, day weekback.Weekday) (int, error) {
	ended, err := store.DiscardDayJobs(ctx, day)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, j := range ended {
		if rerr := r.Remove(j); rerr != nil {
			errs = append(errs, rerr)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return len(ended), fmt.Errorf("end the jobs of %s: %w", day, err)
	}
	return len(ended), nil
}

// discardLaterAttempts is how many times DiscardDayLater tries a pass that
// fails (the meta schema busy or unreachable), d apart.
const discardLaterAttempts = 3

// DiscardDayLater runs DiscardDay again after d, on the runner's own
// goroutine (Close stops and waits for it): a job of the day that
// completed before its worker saw the cancel loses its file once the
// slot is gone. A pass that fails is tried again after d, up to
// discardLaterAttempts times, and logged. Before Open it does nothing.
func (r *Runner) DiscardDayLater(store DayJobStore, day weekback.Weekday, d time.Duration) {
	if r.life == nil {
		return
	}
	r.wg.Go(func() {
		for attempt := 1; ; attempt++ {
			select {
			case <-r.life.Done():
				return
			case <-time.After(d):
			}
			n, err := r.DiscardDay(r.life, store, day)
			if err == nil {
				if n > 0 {
					r.Logger.Info("ended the jobs a discarded day still had", "day", day, "jobs", n)
				}
				return
			}
			if attempt == discardLaterAttempts {
				r.Logger.Error("could not end the jobs of a discarded day; run weekback discard again", "day", day, "err", err)
				return
			}
			r.Logger.Warn("ending the jobs of a discarded day failed; trying again", "day", day, "err", err, "in", d)
		}
	})
}
