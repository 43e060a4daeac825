package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/weekback/weekback"
)

// Why a job's context was canceled (context.Cause).
var (
	errCanceled  = errors.New("the job was canceled")
	errLeaseLost = errors.New("the job's lease was lost: it was deleted, taken over, or not renewed in time")
)

// maxClaimBackoff is the longest an idle worker waits after failed
// claims (the backup server is down): it starts at Poll and doubles.
const maxClaimBackoff = 30 * time.Second

// work claims and runs jobs until ctx ends.
func (r *Runner) work(ctx context.Context) {
	wait := r.Poll
	for ctx.Err() == nil {
		j, err := r.Store.Claim(ctx, r.Worker, r.Lease)
		switch {
		case err != nil && ctx.Err() == nil:
			r.Logger.Error("cannot claim a job", "err", err, "retry_in", wait)
			r.idle(ctx, wait)
			wait = min(2*wait, max(maxClaimBackoff, r.Poll))
			continue
		case j != nil:
			r.run(ctx, j)
		default:
			r.idle(ctx, r.Poll)
		}
		wait = r.Poll
	}
}

// idle waits for d, a Kick or the end of ctx.
func (r *Runner) idle(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-r.kick:
	case <-t.C:
	}
}

// run runs job j, which this worker has just claimed, and records how it
// ended. ctx is the Runner's lifetime.
func (r *Runner) run(ctx context.Context, j *weekback.Job) {
	log := r.Logger.With("job", j.ID, "kind", j.Kind, "owner", j.Owner, "day", j.Params.Day, "table", j.Params.Table)
	log.Info("job started", "rows_total", j.RowsTotal)
	start := time.Now()
	jctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a := &attempt{r: r, job: j}
	stop := r.heartbeat(ctx, a, cancel)
	err := a.execute(jctx)
	stop()
	cause := context.Cause(jctx)
	switch {
	case errors.Is(cause, errLeaseLost):
		a.discard()
		log.Warn("job stopped: its lease was lost (deleted, taken over, or not renewed in time)")
	case errors.Is(cause, errCanceled):
		a.discard()
		r.finish(ctx, a, weekback.JobCanceled, "", log)
	case err != nil && ctx.Err() != nil:
		a.discard()
		r.release(ctx, j, log)
	case err != nil:
		a.discard()
		r.finish(ctx, a, weekback.JobFailed, r.failure(err, log), log)
	default:
		r.succeed(ctx, a, log, time.Since(start))
	}
}

// heartbeat renews a's lease every Heartbeat with its progress, until
// the returned function is called (which waits for it). It cancels the
// job (cancel) when a cancel was asked for or the lease was lost.
func (r *Runner) heartbeat(ctx context.Context, a *attempt, cancel context.CancelCauseFunc) (stop func()) {
	hctx, hcancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(r.Heartbeat)
		defer t.Stop()
		renewed := time.Now() // Claim's lease
		for {
			select {
			case <-hctx.Done():
				return
			case <-t.C:
			}
			if why := r.renew(hctx, a, &renewed); why != nil {
				cancel(why)
				return
			}
		}
	}()
	return func() { hcancel(); <-done }
}

// renew extends a's lease, records its progress and sets *renewed to
// when it asked. It returns errCanceled or errLeaseLost when the job must
// stop, nil otherwise: a failed renewal is logged and tried again at the
// next beat, until the lease renewed last has run out (another replica
// may run the job by then).
func (r *Runner) renew(ctx context.Context, a *attempt, renewed *time.Time) error {
	rctx, cancel := context.WithTimeout(ctx, r.Lease)
	defer cancel()
	asked := time.Now()
	stop, err := r.Store.Renew(rctx, a.job.ID, r.Worker, r.Lease, a.rows.Load())
	if err == nil {
		*renewed = asked
	}
	switch code := weekback.ErrorCode(err); {
	case code == weekback.ECONFLICT || code == weekback.ENOTFOUND:
		return errLeaseLost
	case err != nil && ctx.Err() == nil:
		r.Logger.Warn("cannot renew a job's lease", "job", a.job.ID, "err", err)
		if time.Since(*renewed) >= r.Lease {
			return errLeaseLost
		}
	case stop:
		return errCanceled
	}
	return nil
}

// succeed moves a's files into place and records the job as succeeded,
// or as completed with losses (lossy) when its error log lists characters
// the encoding could not hold.
func (r *Runner) succeed(ctx context.Context, a *attempt, log *slog.Logger, took time.Duration) {
	if err := a.commit(); err != nil {
		a.discard()
		r.finish(ctx, a, weekback.JobFailed, r.failure(err, log), log)
		return
	}
	status := weekback.JobSucceeded
	if a.job.Errors > 0 {
		status = weekback.JobLossy
	}
	log.Info("job completed", "status", status, "rows", a.rows.Load(), "bytes", a.job.Bytes, "errors", a.job.Errors,
		"took", took.Round(time.Millisecond))
	r.finish(ctx, a, status, "", log)
}

// finish records a's job as ended with status (and msg, for a failed
// one). When the job was deleted meanwhile its files are removed; when
// another worker holds it, they are left to that worker (which writes the
// same files).
func (r *Runner) finish(ctx context.Context, a *attempt, status weekback.JobStatus, msg string, log *slog.Logger) {
	j := a.job
	j.Status, j.Error, j.RowsDone = status, msg, a.rows.Load()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	err := r.Store.Finish(fctx, j)
	switch weekback.ErrorCode(err) {
	case "":
		r.finished(fctx, j, log)
	case weekback.ECONFLICT, weekback.ENOTFOUND:
		if _, jerr := r.Store.Job(fctx, j.ID); weekback.ErrorCode(jerr) == weekback.ENOTFOUND {
			log.Info("job deleted while it ran: its files are removed")
			_ = r.Remove(j)
			return
		}
		log.Warn("job ended here but another worker holds it now", "status", status)
	default:
		log.Error("cannot record the end of a job", "status", status, "err", err)
	}
}

// finished follows up on j once its end is recorded: a job replaced
// meanwhile loses its files; a downloadable one may push its owner's
// oldest downloads out of the quota.
func (r *Runner) finished(ctx context.Context, j *weekback.Job, log *slog.Logger) {
	switch {
	case j.Status == weekback.JobReplaced:
		log.Info("job ended replaced by a repeat: its files are removed", "by", j.ReplacedBy)
		if err := r.Remove(j); err != nil {
			log.Error("cannot remove the files of a replaced job", "err", err)
		}
	case j.Status.Downloadable():
		r.evict(ctx, j.Owner, j.ID)
	default:
		log.Info("job ended", "status", j.Status)
	}
}

// evict expires owner's oldest downloads, but keep, until the rest fit
// the quota, and removes their files.
func (r *Runner) evict(ctx context.Context, owner string, keep int64) {
	if r.QuotaFiles <= 0 && r.QuotaBytes <= 0 {
		return
	}
	out, err := r.Store.Evict(ctx, owner, r.QuotaFiles, r.QuotaBytes, keep)
	if err != nil {
		r.Logger.Error("cannot keep a user within the export quota", "owner", owner, "err", err)
	}
	for _, j := range out {
		r.Logger.Info("download removed to keep its owner within the quota", "job", j.ID, "owner", owner, "bytes", j.Bytes)
		if err := r.Remove(j); err != nil {
			r.Logger.Error("cannot remove the files of an evicted job", "job", j.ID, "err", err)
		}
	}
}

// release puts j back in the queue (shutdown).
func (r *Runner) release(ctx context.Context, j *weekback.Job, log *slog.Logger) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := r.Store.Release(rctx, j.ID, r.Worker); err != nil {
		log.Error("cannot put a job back in the queue: another worker takes it when its lease runs out", "err", err)
		return
	}
	log.Info("job put back in the queue (shutting down)")
}

// failure returns the sentence a failed job shows for err: its own when
// it is a *weekback.Error, a generic one otherwise (the details are
// logged).
func (r *Runner) failure(err error, log *slog.Logger) string {
	var e *weekback.Error
	if !errors.As(err, &e) {
		log.Error("job failed", "err", err)
		return "the export failed: see the server log"
	}
	if e.Code == weekback.EINTERNAL || e.Code == weekback.EUNAVAILABLE {
		log.Error("job failed", "err", err)
	} else {
		log.Warn("job failed", "err", err)
	}
	return e.Message
}

// attempt is one run of a job by this worker: its temporary files and
// what it wrote.
type attempt struct {
	r    *Runner
	job  *weekback.Job
	rows atomic.Int64
	out  *tempFile // the result
	log  *errorLog // characters the encoding cannot hold; nil until the first
}
