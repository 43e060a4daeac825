package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// jobBatch is how many jobs Expire and Purge change per transaction.
const jobBatch = 500

// Job returns job id; ENOTFOUND when there is none. Safe for concurrent
// use.
func (m *Meta) Job(ctx context.Context, id int64) (*weekback.Job, error) {
	var r jobRow
	err := sqlx.GetContext(ctx, m.db, &r, m.causal(ctx, Tag+"SELECT "+jobColumns+" FROM "+m.table("jobs")+" WHERE id = ?"), id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, jobNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read job %d: %w", id, err)
	}
	return r.job(), nil
}

// Jobs returns owner's jobs (everyone's when owner is ""), newest first,
// at most limit. Owners compare as bytes ("Zed" is not "zed"). A job whose
// parameters cannot be read is listed with Damaged set. Safe for
// concurrent use.
func (m *Meta) Jobs(ctx context.Context, owner string, limit int) ([]*weekback.Job, error) {
	var rows []jobRow
	var err error
	if owner == "" {
		err = sqlx.SelectContext(ctx, m.db, &rows, Tag+"SELECT "+jobColumns+" FROM "+m.table("jobs")+" ORDER BY id DESC LIMIT ?", limit)
	} else {
		// Every HTML page of a user with jobs on reads these (the
		// notification area): prepared once per connection.
		var st *sqlx.Stmt
		if st, err = m.ownerJobs.stmt(ctx, m.db); err == nil {
			err = st.SelectContext(ctx, &rows, owner, limit)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	return jobsOf(rows), nil
}

// Cancel cancels job id: a queued job at once (status canceled, FinishedAt
// now), a running one by setting CancelRequested (its worker sees it at
// its next Renew and ends the job as canceled); a final job is left alone.
// It returns ENOTFOUND when the job does not exist. Safe for concurrent
// use.
func (m *Meta) Cancel(ctx context.Context, id int64) error {
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		var status string
		err := tx.QueryRowxContext(ctx, Tag+"SELECT status FROM "+m.table("jobs")+" WHERE id = ? FOR UPDATE", id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return jobNotFound(id)
		}
		if err != nil {
			return err
		}
		switch weekback.JobStatus(status) {
		case weekback.JobQueued:
			_, err = tx.ExecContext(ctx, Tag+"UPDATE "+m.table("jobs")+" SET status = ?, finished_at = ? WHERE id = ?",
				weekback.JobCanceled, m.nowMicro(), id)
		case weekback.JobRunning:
			_, err = tx.ExecContext(ctx, Tag+"UPDATE "+m.table("jobs")+" SET cancel_requested = 1 WHERE id = ?", id)
		}
		return err
	})
	if err != nil && weekback.ErrorCode(err) == weekback.EINTERNAL {
		return fmt.Errorf("cancel job %d: %w", id, err)
	}
	return err
}

// Delete removes job id's row, whatever its status (its files are the
// caller's; the worker of a running job loses its lease and gets
// ECONFLICT at its next Renew). It returns ENOTFOUND when the job does not
// exist. Safe for concurrent use.
func (m *Meta) Delete(ctx context.Context, id int64) error {
	res, err := m.exec(ctx, Tag+"DELETE FROM "+m.table("jobs")+" WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete job %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return jobNotFound(id)
	}
	return nil
}

// MarkSeen marks owner's final jobs (succeeded, lossy, failed, canceled,
// expired …) as seen, all of them or only those of ids; queued and
// running ones are left as they are. Safe for concurrent use.
func (m *Meta) MarkSeen(ctx context.Context, owner string, ids ...int64) error {
	q, args := Tag+"UPDATE "+m.table("jobs")+" SET seen = 1 WHERE owner = ? AND seen = 0 AND status NOT IN (?, ?)",
		[]any{owner, weekback.JobQueued, weekback.JobRunning}
	if len(ids) > 0 {
		var err error
		if q, args, err = sqlx.In(q+" AND id IN (?)", append(args, ids)...); err != nil {
			return fmt.Errorf("mark jobs seen: %w", err)
		}
	}
	_, err := m.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("mark jobs seen: %w", err)
	}
	return nil
}

// Expire marks the downloadable jobs (succeeded or lossy; comparisons,
// which have no file, aside) that finished before before as expired and returns them, as expired (their files are
// the caller's to remove).
// It works in transactions of jobBatch jobs: after an error, the batches
// already done stay expired. Safe for concurrent use: two callers never
// return the same job.
func (m *Meta) Expire(ctx context.Context, before time.Time) ([]*weekback.Job, error) {
	out, err := m.eachBatch(ctx, skipLocked, "status IN (?, ?) AND finished_at < ? AND kind <> ?", []any{weekback.JobSucceeded, weekback.JobLossy, before.UTC(), weekback.JobCompare},
		"UPDATE "+m.table("jobs")+" SET status = ? WHERE id IN (?)", weekback.JobExpired)
	if err != nil {
		return nil, fmt.Errorf("expire jobs: %w", err)
	}
	for _, j := range out {
		j.Status = weekback.JobExpired
	}
	return out, nil
}

// Purge deletes the jobs created before before, except running ones, and
// returns them (their files are the caller's to remove). It works in
// transactions of jobBatch jobs: after an error, the batches already done
// stay deleted. Safe for concurrent use: two callers never return the
// same job.
func (m *Meta) Purge(ctx context.Context, before time.Time) ([]*weekback.Job, error) {
	out, err := m.eachBatch(ctx, skipLocked, "created_at < ? AND status <> ?", []any{before.UTC(), weekback.JobRunning},
		"DELETE FROM "+m.table("jobs")+" WHERE id IN (?)")
	if err != nil {
		return nil, fmt.Errorf("purge jobs: %w", err)
	}
	return out, nil
}

// rowLock is how a batch of jobs is locked: skipLocked leaves rows another
// transaction holds for a later pass (the janitor of another replica, a
// claim's scan); waitLocked waits for them, for a pass that must not miss
// one (a discarded day's jobs).
type rowLock string

const (
	skipLocked rowLock = "FOR UPDATE SKIP LOCKED"
	waitLocked rowLock = "FOR UPDATE"
)

// eachBatch locks the jobs matching where, jobBatch at a time (skipping
// rows other transactions hold, or waiting for them, as lock says), applies change with changeArgs followed
// by the batch's IDs (for its last "IN (?)") to each batch in the batch's
// transaction, and returns the jobs as they were before the change.
func (m *Meta) eachBatch(ctx context.Context, lock rowLock, where string, args []any, change string, changeArgs ...any) ([]*weekback.Job, error) {
	var out []*weekback.Job
	for {
		var batch []*weekback.Job
		err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
			var err error
			batch, err = m.changeBatch(ctx, tx, lock, where, args, change, changeArgs)
			return err
		})
		if err != nil {
			return out, err
		}
		out = append(out, batch...)
		if len(batch) < jobBatch {
			return out, nil
		}
	}
}

func (m *Meta) changeBatch(ctx context.Context, tx *sqlx.Tx, lock rowLock, where string, args []any, change string, changeArgs []any) ([]*weekback.Job, error) {
	var rows []jobRow
	err := sqlx.SelectContext(ctx, tx, &rows, Tag+"SELECT "+jobColumns+" FROM "+m.table("jobs")+
		" WHERE "+where+" ORDER BY id LIMIT ? "+string(lock), slices.Concat(args, []any{jobBatch})...)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	q, qargs, err := sqlx.In(Tag+change, slices.Concat(changeArgs, []any{ids})...)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
		return nil, err
	}
	return jobsOf(rows), nil
}
