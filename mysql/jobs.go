package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// The job store: the jobs table of the meta schema (migration 0003).
//
// Every transaction here runs at READ COMMITTED: locking reads then lock
// only the rows they return (no gap locks), so claimers that skip each
// other's rows (SKIP LOCKED) and enqueuers never deadlock on ranges.
// Enqueue serializes one owner's requests with a lease (a row of the leases
// table), so the per-user limit holds even when the owner has no row to
// lock yet, on every node of a cluster.

var _ weekback.JobStore = (*Meta)(nil)

// maxJobError is the most of a job's error sentence that is kept (the
// column is a TEXT).
const maxJobError = 8 << 10

// ownerLockWait is how long Enqueue waits for another Enqueue of the same
// owner (each holds the owner's lock for a few statements).
const ownerLockWait = 10 * time.Second

// jobColumns reads a jobRow.
const jobColumns = `id, owner, kind, params, status, created_at, started_at, finished_at,
	rows_done, rows_total, errors, COALESCE(error, '') AS error, file, bytes, error_bytes, replaced_by,
	cancel_requested, seen, worker, lease_until`

type jobRow struct {
	ID              int64        `db:"id"`
	Owner           string       `db:"owner"`
	Kind            string       `db:"kind"`
	Params          string       `db:"params"`
	Status          string       `db:"status"`
	CreatedAt       time.Time    `db:"created_at"`
	StartedAt       sql.NullTime `db:"started_at"`
	FinishedAt      sql.NullTime `db:"finished_at"`
	RowsDone        int64        `db:"rows_done"`
	RowsTotal       int64        `db:"rows_total"`
	Errors          int64        `db:"errors"`
	Error           string       `db:"error"`
	File            string       `db:"file"`
	Bytes           int64        `db:"bytes"`
	ErrorBytes      int64        `db:"error_bytes"`
	ReplacedBy      int64        `db:"replaced_by"`
	CancelRequested bool         `db:"cancel_requested"`
	Seen            bool         `db:"seen"`
	Worker          string       `db:"worker"`
	LeaseUntil      sql.NullTime `db:"lease_until"`
}

// DamagedParams is the error recorded for a job whose stored parameters
// cannot be read: it is failed once, never run.
const DamagedParams = "the export's parameters could not be read back (they are damaged in the meta schema): delete this job and start the export again"

// job returns r as a Job. Parameters that do not parse leave Params empty
// and set Damaged: one bad row never stops a list or the queue.
func (r *jobRow) job() *weekback.Job {
	j := &weekback.Job{
		ID: r.ID, Owner: r.Owner, Kind: weekback.JobKind(r.Kind), Status: weekback.JobStatus(r.Status),
		CreatedAt: r.CreatedAt, StartedAt: r.StartedAt.Time, FinishedAt: r.FinishedAt.Time,
		RowsDone: r.RowsDone, RowsTotal: r.RowsTotal, Errors: r.Errors, Error: r.Error,
		File: r.File, Bytes: r.Bytes, ErrorBytes: r.ErrorBytes, ReplacedBy: r.ReplacedBy, CancelRequested: r.CancelRequested,
		Seen: r.Seen, Worker: r.Worker, LeaseUntil: r.LeaseUntil.Time,
	}
	if err := json.Unmarshal([]byte(r.Params), &j.Params); err != nil {
		j.Params, j.Damaged = weekback.JobParams{}, true
	}
	return j
}

func jobsOf(rows []jobRow) []*weekback.Job {
	out := make([]*weekback.Job, len(rows))
	for i := range rows {
		out[i] = rows[i].job()
	}
	return out
}

// paramKey returns the replace-on-repeat key of a job: the hex SHA-256 of
// owner and the canonical text of what it asks for.
func paramKey(owner string, kind weekback.JobKind, p weekback.JobParams) string {
	sum := sha256.Sum256([]byte(owner + "|" + p.Key(kind)))
	return hex.EncodeToString(sum[:])
}

// nowMicro is the store's clock at the precision of DATETIME(6), so that
// the times set on a Job equal the ones read back.
func (m *Meta) nowMicro() time.Time { return m.now().Truncate(time.Microsecond) }

type txBeginner interface {
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

func jobNotFound(id int64) error {
	return weekback.Errorf(weekback.ENOTFOUND, "job %d does not exist (it may have been deleted or purged)", id)
}

func leaseLost(id int64, worker string) error {
	return weekback.Errorf(weekback.ECONFLICT,
		"lease lost: job %d is no longer run by worker %s (another worker took it over, or it was canceled or deleted)", id, worker)
}

// activeJob is what Enqueue needs of an owner's queued, running or
// downloadable job.
type activeJob struct {
	ID              int64  `db:"id"`
	Status          string `db:"status"`
	ParamKey        string `db:"param_key"`
	ReplacedBy      int64  `db:"replaced_by"`
	CancelRequested bool   `db:"cancel_requested"`
}

// Enqueue adds j as queued, setting its ID, Status and CreatedAt; of its
// other fields only Owner, Kind, Params and RowsTotal are stored. In one
// transaction it locks the owner's active and downloadable jobs and
// replaces those with the same kind and Params.Key that were not replaced
// yet: a queued or downloadable one ends replaced at once (the caller
// removes the files of the latter), a running one gets CancelRequested
// (its worker ends it, as replaced, at its next Renew or when it
// finishes); all get ReplacedBy = j.ID, and their IDs are returned. Jobs being replaced and jobs whose cancel was requested do
// not count toward maxActive (at least 1); when the others already reach
// it, nothing changes and the error is ECONFLICT with a sentence for the
// user. Concurrent Enqueues of one owner are serialized (a lease held
// for the transaction); it is safe for concurrent use by several
// processes.
func (m *Meta) Enqueue(ctx context.Context, j *weekback.Job, maxActive int) ([]int64, error) {
	params, err := json.Marshal(j.Params)
	if err != nil {
		return nil, fmt.Errorf("enqueue job: %w", err)
	}
	lock, err := m.lockOwner(ctx, j.Owner)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	var replaced []int64
	err = retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		replaced, err = m.enqueueTx(ctx, tx, j, string(params), max(maxActive, 1))
		return err
	})
	var we *weekback.Error
	if errors.As(err, &we) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("enqueue job: %w", err)
	}
	return replaced, nil
}

// lockOwner takes the lease of owner's jobs, waiting up to ownerLockWait
// for another Enqueue of the same owner.
func (m *Meta) lockOwner(ctx context.Context, owner string) (*Lock, error) {
	sum := sha256.Sum256([]byte(owner))
	l, err := waitLease(ctx, m.db, m.schema, "jobs."+hex.EncodeToString(sum[:]), ownerLockWait, ownerLockWait)
	if err != nil {
		return nil, fmt.Errorf("enqueue job: %w", err)
	}
	if l == nil {
		return nil, weekback.Errorf(weekback.ECONFLICT, "another export of yours is being added right now: try again in a moment")
	}
	return l, nil
}

func (m *Meta) enqueueTx(ctx context.Context, tx *sqlx.Tx, j *weekback.Job, params string, maxActive int) ([]int64, error) {
	var active []activeJob
	err := sqlx.SelectContext(ctx, tx, &active, Tag+"SELECT id, status, param_key, replaced_by, cancel_requested FROM "+
		m.table("jobs")+" WHERE owner = ? AND status IN (?, ?, ?, ?) FOR UPDATE",
		j.Owner, weekback.JobQueued, weekback.JobRunning, weekback.JobSucceeded, weekback.JobLossy)
	if err != nil {
		return nil, err
	}
	key := paramKey(j.Owner, j.Kind, j.Params)
	var same []activeJob
	counted := 0
	for _, a := range active {
		switch {
		case a.ParamKey == key && a.ReplacedBy == 0:
			same = append(same, a)
		case weekback.JobStatus(a.Status).Final():
		case !a.CancelRequested && a.ReplacedBy == 0:
			counted++
		}
	}
	if counted >= maxActive {
		return nil, weekback.Errorf(weekback.ECONFLICT,
			"you already have %d exports queued or running (the limit is %d): wait for one to finish or cancel one on the jobs page", counted, maxActive)
	}
	if err := m.insertJob(ctx, tx, j, params, key); err != nil {
		return nil, err
	}
	replaced := make([]int64, 0, len(same))
	for _, a := range same {
		if err := m.replaceJob(ctx, tx, a, j.ID, j.CreatedAt); err != nil {
			return nil, err
		}
		replaced = append(replaced, a.ID)
	}
	return replaced, nil
}

func (m *Meta) insertJob(ctx context.Context, tx *sqlx.Tx, j *weekback.Job, params, key string) error {
	now := m.nowMicro()
	res, err := tx.ExecContext(ctx, Tag+"INSERT INTO "+m.table("jobs")+
		" (owner, kind, params, param_key, status, created_at, rows_total) VALUES (?, ?, ?, ?, ?, ?, ?)",
		j.Owner, j.Kind, params, key, weekback.JobQueued, now, j.RowsTotal)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	j.ID, j.Status, j.CreatedAt = id, weekback.JobQueued, now
	return nil
}

// replaceJob replaces a (locked) job by job by: a queued one at once, a
// downloadable one at once (keeping when it finished), a running one
// through its worker.
func (m *Meta) replaceJob(ctx context.Context, tx *sqlx.Tx, a activeJob, by int64, now time.Time) error {
	q := Tag + "UPDATE " + m.table("jobs") + " SET replaced_by = ?, cancel_requested = 1 WHERE id = ?"
	args := []any{by, a.ID}
	switch weekback.JobStatus(a.Status) {
	case weekback.JobQueued:
		q = Tag + "UPDATE " + m.table("jobs") + " SET replaced_by = ?, status = ?, finished_at = ? WHERE id = ?"
		args = []any{by, weekback.JobReplaced, now, a.ID}
	case weekback.JobSucceeded, weekback.JobLossy:
		q = Tag + "UPDATE " + m.table("jobs") + " SET replaced_by = ?, status = ? WHERE id = ?"
		args = []any{by, weekback.JobReplaced, a.ID}
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// canceledStatus is the SQL of the status a job whose cancel was
// requested ends with: replaced when a repeat replaced it, else canceled.
// Its two placeholders take JobReplaced and JobCanceled (stopArgs).
const canceledStatus = "IF(replaced_by <> 0, ?, ?)"

// stopArgs returns the arguments of canceledStatus followed by more.
func stopArgs(more ...any) []any {
	return append([]any{weekback.JobReplaced, weekback.JobCanceled}, more...)
}

// Claim takes a job for worker until now+lease and returns it running,
// with StartedAt set to now (a job taken over restarts: StartedAt is the
// current attempt's start) and RowsDone and Errors back at 0. A running
// job whose lease ran out is taken over first, else the oldest queued
// one; on a Galera cluster each is picked at random among the claimSpread
// oldest, so that claimers on several nodes rarely race for one row. One whose lease ran
// out after a cancel was requested ends canceled (or replaced) instead,
// and one whose parameters cannot be read ends failed with DamagedParams:
// neither is ever claimed. It returns nil when there is nothing to do.
// Rows are locked with SELECT … FOR UPDATE SKIP LOCKED and the claim
// retried on a conflict, so concurrent claimers, in any process on any
// node, never get the same job.
func (m *Meta) Claim(ctx context.Context, worker string, lease time.Duration) (*weekback.Job, error) {
	var j *weekback.Job
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		var err error
		j, err = m.claimTx(ctx, tx, worker, lease)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim job: %w", err)
	}
	return j, nil
}

func (m *Meta) claimTx(ctx context.Context, tx *sqlx.Tx, worker string, lease time.Duration) (*weekback.Job, error) {
	now := m.nowMicro()
	var j *weekback.Job
	for j == nil || j.Damaged {
		if j != nil {
			if err := m.failDamaged(ctx, tx, j.ID, now); err != nil {
				return nil, err
			}
		}
		r, err := m.claimable(ctx, tx, now)
		if r == nil || err != nil {
			return nil, err
		}
		j = r.job()
	}
	j.Status, j.Worker, j.LeaseUntil, j.StartedAt, j.RowsDone, j.Errors = weekback.JobRunning, worker, now.Add(lease), now, 0, 0
	_, err := tx.ExecContext(ctx, Tag+"UPDATE "+m.table("jobs")+
		" SET status = ?, worker = ?, lease_until = ?, started_at = ?, rows_done = 0, errors = 0 WHERE id = ?",
		j.Status, j.Worker, j.LeaseUntil, j.StartedAt, j.ID)
	if err != nil {
		return nil, err
	}
	return j, nil
}

// failDamaged ends job id, whose parameters cannot be read, as failed.
func (m *Meta) failDamaged(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, Tag+"UPDATE "+m.table("jobs")+
		" SET status = ?, error = ?, finished_at = ?, lease_until = NULL WHERE id = ?", weekback.JobFailed, DamagedParams, now, id)
	return err
}

// claimSpread is how many of the first claimable jobs a claim picks from
// at random. SKIP LOCKED skips only rows locked on the same server: on a
// multi-primary cluster, claimers on different nodes that all took the
// oldest job would fail certification against each other every time.
const claimSpread = 8

// claimable locks the next job to claim: a running one whose lease ran
// out, else a queued one. Expired ones whose cancel was requested are
// ended as canceled on the way.
func (m *Meta) claimable(ctx context.Context, tx *sqlx.Tx, now time.Time) (*jobRow, error) {
	for {
		r, err := m.lockOneOf(ctx, tx, "status = ? AND lease_until < ?", "lease_until, id", weekback.JobRunning, now)
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
		if !r.CancelRequested {
			return r, nil
		}
		_, err = tx.ExecContext(ctx, Tag+"UPDATE "+m.table("jobs")+
			" SET status = "+canceledStatus+", finished_at = ?, lease_until = NULL WHERE id = ?", stopArgs(now, r.ID)...)
		if err != nil {
			return nil, err
		}
	}
	return m.lockOneOf(ctx, tx, "status = ?", "created_at, id", weekback.JobQueued)
}

// lockOneOf locks and returns one of the first m.spread jobs matching
// where in order, chosen at random, skipping rows other transactions
// hold; when all of those are held, the first one matching that is not;
// nil when none.
func (m *Meta) lockOneOf(ctx context.Context, tx *sqlx.Tx, where, order string, args ...any) (*jobRow, error) {
	if m.spread <= 1 {
		return m.lockOne(ctx, tx, where+" ORDER BY "+order, args...)
	}
	var ids []int64
	err := sqlx.SelectContext(ctx, tx, &ids, Tag+"SELECT id FROM "+m.table("jobs")+" WHERE "+where+" ORDER BY "+order+" LIMIT ?",
		append(slices.Clone(args), m.spread)...)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for _, id := range ids {
		r, err := m.lockOne(ctx, tx, "id = ? AND "+where, append([]any{id}, args...)...)
		if r != nil || err != nil {
			return r, err
		}
	}
	return m.lockOne(ctx, tx, where+" ORDER BY "+order, args...)
}

// lockOne locks and returns the first job matching where (which may end
// with an ORDER BY), skipping rows other transactions hold; nil when none.
func (m *Meta) lockOne(ctx context.Context, tx *sqlx.Tx, where string, args ...any) (*jobRow, error) {
	var r jobRow
	err := sqlx.GetContext(ctx, tx, &r, Tag+"SELECT "+jobColumns+" FROM "+m.table("jobs")+
		" WHERE "+where+" LIMIT 1 FOR UPDATE SKIP LOCKED", args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Renew extends worker's lease on job id to now+lease and records
// rowsDone. It reports whether a cancel was requested (the worker should
// then stop and Finish the job as canceled). It returns ECONFLICT when
// worker no longer runs the job: another worker took it over, or it was
// released or deleted. A lease that ran out but was not taken over yet is
// still worker's. Safe for concurrent use.
func (m *Meta) Renew(ctx context.Context, id int64, worker string, lease time.Duration, rowsDone int64) (bool, error) {
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("jobs")+
		" SET lease_until = ?, rows_done = ? WHERE id = ? AND worker = ? AND status = ?",
		m.nowMicro().Add(lease), rowsDone, id, worker, weekback.JobRunning)
	if err != nil {
		return false, fmt.Errorf("renew job %d: %w", id, err)
	}
	// The update's row count says "changed", not "matched": read the row back.
	var cancel bool
	err = m.db.QueryRowxContext(ctx, Tag+"SELECT cancel_requested FROM "+m.table("jobs")+
		" WHERE id = ? AND worker = ? AND status = ?", id, worker, weekback.JobRunning).Scan(&cancel)
	if errors.Is(err, sql.ErrNoRows) {
		return false, leaseLost(id, worker)
	}
	if err != nil {
		return false, fmt.Errorf("renew job %d: %w", id, err)
	}
	return cancel, nil
}

// Finish records j's final state as the worker says it (Status, which must
// be succeeded, lossy, failed or canceled; Error, RowsDone, Errors, File,
// Bytes, ErrorBytes), sets j.FinishedAt and clears the lease, if j.Worker
// still runs the job; ECONFLICT otherwise (the result belongs to whoever
// took the job over). A job that a repeat replaced meanwhile ends replaced
// whatever the worker says, and j.Status says so (its files are then the
// worker's to remove); a cancel request alone does not override the
// worker's status. Safe for concurrent use.
func (m *Meta) Finish(ctx context.Context, j *weekback.Job) error {
	if !j.Status.Final() || j.Status == weekback.JobExpired || j.Status == weekback.JobReplaced {
		return fmt.Errorf("finish job %d: %q is not a status a worker ends a job with", j.ID, j.Status)
	}
	now := m.nowMicro()
	status := j.Status
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		var replacedBy int64
		err := tx.QueryRowxContext(ctx, Tag+"SELECT replaced_by FROM "+m.table("jobs")+
			" WHERE id = ? AND worker = ? AND status = ? FOR UPDATE", j.ID, j.Worker, weekback.JobRunning).Scan(&replacedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return leaseLost(j.ID, j.Worker)
		}
		if err != nil {
			return err
		}
		if replacedBy != 0 {
			status = weekback.JobReplaced
		}
		_, err = tx.ExecContext(ctx, Tag+"UPDATE "+m.table("jobs")+
			` SET status = ?, finished_at = ?, rows_done = ?, errors = ?, error = NULLIF(?, ''), file = ?, bytes = ?,
			error_bytes = ?, lease_until = NULL WHERE id = ?`,
			status, now, j.RowsDone, j.Errors, clipText(j.Error, maxJobError), j.File, j.Bytes, j.ErrorBytes, j.ID)
		return err
	})
	if weekback.ErrorCode(err) == weekback.ECONFLICT {
		return err
	}
	if err != nil {
		return fmt.Errorf("finish job %d: %w", j.ID, err)
	}
	j.Status, j.FinishedAt, j.LeaseUntil = status, now, time.Time{}
	return nil
}

// Release puts job id, run by worker, back in the queue (a shutting-down
// worker): status queued, worker, lease and StartedAt cleared, RowsDone and
// Errors back at 0. A job whose cancel was requested ends canceled (or
// replaced) instead. It returns ECONFLICT when worker no longer runs the job. Safe
// for concurrent use.
func (m *Meta) Release(ctx context.Context, id int64, worker string) error {
	res, err := m.exec(ctx, Tag+"UPDATE "+m.table("jobs")+
		` SET finished_at = IF(cancel_requested, ?, NULL), status = IF(cancel_requested, `+canceledStatus+`, ?), worker = '',
		lease_until = NULL, started_at = NULL, rows_done = 0, errors = 0 WHERE id = ? AND worker = ? AND status = ?`,
		append([]any{m.nowMicro()}, stopArgs(weekback.JobQueued, id, worker, weekback.JobRunning)...)...)
	if err != nil {
		return fmt.Errorf("release job %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return leaseLost(id, worker)
	}
	return nil
}
