package mysql

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// QuotaEvicted is the error recorded on a job whose download was removed
// to keep its owner within the quota (exports.user_quota_*).
const QuotaEvicted = "removed to make room for newer exports (your quota of kept exports was reached)"

// keptWhere selects an owner's downloadable jobs, oldest first.
// Comparisons have no file: they are never kept nor evicted.
const keptWhere = " WHERE owner = ? AND status IN (?, ?) AND kind <> ? ORDER BY finished_at, id"

// Kept returns owner's downloadable jobs (succeeded or lossy, not yet
// expired), oldest first. Safe for concurrent use.
func (m *Meta) Kept(ctx context.Context, owner string) ([]*weekback.Job, error) {
	var rows []jobRow
	err := sqlx.SelectContext(ctx, m.db, &rows, Tag+"SELECT "+jobColumns+" FROM "+m.table("jobs")+keptWhere,
		owner, weekback.JobSucceeded, weekback.JobLossy, weekback.JobCompare)
	if err != nil {
		return nil, fmt.Errorf("read kept jobs: %w", err)
	}
	return jobsOf(rows), nil
}

// Evict keeps owner within maxFiles downloads and maxBytes bytes (a
// job's result and error log; a limit of 0 or less is no limit): in one
// transaction that locks owner's downloadable jobs, the oldest ones other
// than keep are marked expired, with QuotaEvicted as their error, until
// the others fit. It returns them as expired (their files are the
// caller's to remove). Safe for concurrent use.
func (m *Meta) Evict(ctx context.Context, owner string, maxFiles int, maxBytes int64, keep int64) ([]*weekback.Job, error) {
	var out []*weekback.Job
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		var rows []jobRow
		err := sqlx.SelectContext(ctx, tx, &rows, Tag+"SELECT "+jobColumns+" FROM "+m.table("jobs")+keptWhere+" FOR UPDATE",
			owner, weekback.JobSucceeded, weekback.JobLossy, weekback.JobCompare)
		if err != nil {
			return err
		}
		out, err = m.evictRows(ctx, tx, rows, maxFiles, maxBytes, keep)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("evict jobs of %s: %w", owner, err)
	}
	return out, nil
}

// evictRows expires the oldest of rows (but keep) until the rest fit.
func (m *Meta) evictRows(ctx context.Context, tx *sqlx.Tx, rows []jobRow, maxFiles int, maxBytes int64, keep int64) ([]*weekback.Job, error) {
	files, bytes := len(rows), int64(0)
	for _, r := range rows {
		bytes += r.Bytes + r.ErrorBytes
	}
	over := func() bool { return (maxFiles > 0 && files > maxFiles) || (maxBytes > 0 && bytes > maxBytes) }
	var out []*weekback.Job
	for _, r := range rows {
		if !over() {
			break
		}
		if r.ID == keep {
			continue
		}
		_, err := tx.ExecContext(ctx, Tag+"UPDATE "+m.table("jobs")+" SET status = ?, error = ? WHERE id = ?",
			weekback.JobExpired, QuotaEvicted, r.ID)
		if err != nil {
			return nil, err
		}
		files, bytes = files-1, bytes-r.Bytes-r.ErrorBytes
		j := r.job()
		j.Status, j.Error = weekback.JobExpired, QuotaEvicted
		out = append(out, j)
	}
	return out, nil
}
