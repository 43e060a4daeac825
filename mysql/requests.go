package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Snapshot requests: "take a snapshot now" asked from the browser. The
// server (reader account) only inserts them; the snapshotter daemon claims
// and runs them. The unique key on pending_day keeps one pending request
// per day, so a request while one waits is not queued twice.

// ErrDupEntry is MariaDB's duplicate-key error.
const ErrDupEntry = 1062

const requestColumns = `id, day, requested_by, requested_at, status, started_at, ended_at, run_id, COALESCE(error, '') AS error`

type requestRow struct {
	ID          int64        `db:"id"`
	Day         string       `db:"day"`
	RequestedBy string       `db:"requested_by"`
	RequestedAt sql.NullTime `db:"requested_at"`
	Status      string       `db:"status"`
	StartedAt   sql.NullTime `db:"started_at"`
	EndedAt     sql.NullTime `db:"ended_at"`
	RunID       int64        `db:"run_id"`
	Error       string       `db:"error"`
}

func (r requestRow) request() *weekback.SnapshotRequest {
	return &weekback.SnapshotRequest{ID: r.ID, Day: weekback.Weekday(r.Day), RequestedBy: r.RequestedBy,
		RequestedAt: r.RequestedAt.Time, Status: r.Status, StartedAt: r.StartedAt.Time, EndedAt: r.EndedAt.Time,
		RunID: r.RunID, Error: r.Error}
}

// RequestSnapshot records a request by by for a snapshot of day now. When
// one is already pending for day, nothing is added: that one is returned
// with queued false. Safe for concurrent use (by every server replica).
func (m *Meta) RequestSnapshot(ctx context.Context, day weekback.Weekday, by string) (req *weekback.SnapshotRequest, queued bool, err error) {
	now := m.nowMicro()
	res, err := m.exec(ctx, Tag+"INSERT INTO "+m.table("snapshot_requests")+
		" (day, requested_by, requested_at, status, pending_day) VALUES (?, ?, ?, ?, ?)",
		day, clipText(by, 255), now, weekback.RequestPending, day)
	if IsErrorNumber(err, ErrDupEntry) {
		req, err := m.pendingRequest(ctx, day)
		return req, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("record the snapshot request: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, false, fmt.Errorf("record the snapshot request: %w", err)
	}
	return &weekback.SnapshotRequest{ID: id, Day: day, RequestedBy: by, RequestedAt: now, Status: weekback.RequestPending}, true, nil
}

func (m *Meta) pendingRequest(ctx context.Context, day weekback.Weekday) (*weekback.SnapshotRequest, error) {
	var r requestRow
	err := sqlx.GetContext(ctx, m.db, &r, Tag+"SELECT "+requestColumns+" FROM "+m.table("snapshot_requests")+" WHERE pending_day = ?", day)
	if err != nil {
		return nil, fmt.Errorf("read the pending snapshot request: %w", err)
	}
	return r.request(), nil
}

// SnapshotRequests returns the last limit requests, newest first. Safe for
// concurrent use.
func (m *Meta) SnapshotRequests(ctx context.Context, limit int) ([]*weekback.SnapshotRequest, error) {
	var rows []requestRow
	err := sqlx.SelectContext(ctx, m.db, &rows, Tag+"SELECT "+requestColumns+" FROM "+m.table("snapshot_requests")+" ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("read snapshot requests: %w", err)
	}
	out := make([]*weekback.SnapshotRequest, len(rows))
	for i, r := range rows {
		out[i] = r.request()
	}
	return out, nil
}

// ClaimRequest takes the oldest pending request and marks it running (a
// new request for its day can then be queued); nil when none is pending.
// Safe for concurrent use.
func (m *Meta) ClaimRequest(ctx context.Context) (*weekback.SnapshotRequest, error) {
	var out *weekback.SnapshotRequest
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		var r requestRow
		err := sqlx.GetContext(ctx, tx, &r, Tag+"SELECT "+requestColumns+" FROM "+m.table("snapshot_requests")+
			" WHERE status = ? ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", weekback.RequestPending)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		now := m.nowMicro()
		_, err = tx.ExecContext(ctx, Tag+"UPDATE "+m.table("snapshot_requests")+
			" SET status = ?, pending_day = NULL, started_at = ? WHERE id = ?", weekback.RequestRunning, now, r.ID)
		out = r.request()
		out.Status, out.StartedAt = weekback.RequestRunning, now
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim a snapshot request: %w", err)
	}
	return out, nil
}

// FinishRequest records the outcome of request id: done with the run it
// took, or failed with errText. Safe for concurrent use.
func (m *Meta) FinishRequest(ctx context.Context, id, runID int64, errText string) error {
	status := weekback.RequestDone
	if errText != "" {
		status = weekback.RequestFailed
	}
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("snapshot_requests")+
		" SET status = ?, ended_at = ?, run_id = ?, error = NULLIF(?, '') WHERE id = ?",
		status, m.nowMicro(), runID, clipText(errText, 4000), id)
	if err != nil {
		return fmt.Errorf("finish snapshot request %d: %w", id, err)
	}
	return nil
}

// AbandonRequests marks requests left running by a daemon that ended as
// failed (interrupted). Call it when a daemon starts. Safe for concurrent
// use.
func (m *Meta) AbandonRequests(ctx context.Context) error {
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("snapshot_requests")+
		" SET status = ?, ended_at = ?, error = ? WHERE status = ?",
		weekback.RequestFailed, m.nowMicro(), InterruptedRun, weekback.RequestRunning)
	if err != nil {
		return fmt.Errorf("abandon snapshot requests: %w", err)
	}
	return nil
}

// RecordOffsite records the off-site copy of run id: status
// (weekback.OffsiteCopied or OffsiteFailed), the object's name and, when
// it failed, why. Safe for concurrent use.
func (m *Meta) RecordOffsite(ctx context.Context, id int64, status, name, errText string) error {
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("snapshot_runs")+
		" SET offsite_status = ?, offsite_name = ?, offsite_error = NULLIF(?, '') WHERE id = ?",
		status, clipText(name, 255), clipText(errText, 4000), id)
	if err != nil {
		return fmt.Errorf("record the off-site copy of run %d: %w", id, err)
	}
	return nil
}

// SnapshotLockFree reports whether no process holds the snapshot lock
// (a snapshot can start now). Safe for concurrent use.
func (m *Meta) SnapshotLockFree(ctx context.Context) (bool, error) {
	held, _, err := leaseHeld(ctx, m.db, m.schema, SnapshotLeaseName)
	return !held, err
}

// OffsiteFailures counts the runs whose off-site copy failed. Safe for
// concurrent use.
func (m *Meta) OffsiteFailures(ctx context.Context) (int64, error) {
	var n int64
	err := m.db.QueryRowxContext(ctx, Tag+"SELECT COUNT(*) FROM "+m.table("snapshot_runs")+" WHERE offsite_status = ?", weekback.OffsiteFailed).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count off-site failures: %w", err)
	}
	return n, nil
}
