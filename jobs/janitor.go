package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// janitor runs Sweep at Open and every JanitorEvery until ctx ends.
func (r *Runner) janitor(ctx context.Context) {
	t := time.NewTicker(r.JanitorEvery)
	defer t.Stop()
	for {
		if err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.Logger.Error("job janitor", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep does the janitor's work once, at Now: it marks the jobs that
// succeeded more than DownloadTTL ago as expired and deletes the jobs
// created more than Retention ago, removing their files, and removes
// temporary files that stopped processes left in Dir, and the stored
// change sets of slots no generation points at (ChangeSets). Every replica
// sweeps; the store hands each job to one of them. It returns the store's
// errors and the files it could not remove, joined. It is safe for
// concurrent use.
func (r *Runner) Sweep(ctx context.Context) error {
	now := r.Now()
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	var errs []error
	expired, err := r.Store.Expire(sctx, now.Add(-r.DownloadTTL))
	if err != nil {
		errs = append(errs, fmt.Errorf("expire downloads: %w", err))
	}
	purged, err := r.Store.Purge(sctx, now.Add(-r.Retention))
	if err != nil {
		errs = append(errs, fmt.Errorf("purge jobs: %w", err))
	}
	for _, j := range append(expired, purged...) {
		if err := r.Remove(j); err != nil {
			errs = append(errs, err)
		}
	}
	if len(expired)+len(purged) > 0 {
		r.Logger.Info("job files removed", "expired", len(expired), "purged", len(purged))
	}
	r.sweepTemp(ctx)
	if r.ChangeSets != nil {
		if n, err := r.ChangeSets.PurgeChangeSets(sctx); err != nil {
			errs = append(errs, err)
		} else if n > 0 {
			r.Logger.Info("change sets of replaced days deleted", "count", n)
		}
	}
	return errors.Join(errs...)
}
