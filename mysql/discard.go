package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Discarding a day. The meta schema records it at once (the pointer is
// cleared, so every server replica answers 410 for the day's pages from
// the next request on) and lists the slot as retired with no grace period;
// dropping the slot itself needs the backup admin account: `weekback
// discard` drops it directly, the snapshotter daemon within seconds
// (DropDue), and any snapshot's cleanup otherwise. The server's reader
// account only writes the meta schema.

// MaxDiscardReason is the longest reason kept (bytes; longer ones are cut).
const MaxDiscardReason = 4000

// DiscardSettle is how long a discarded slot is kept before it may be
// dropped: every server replica's cache of the generations (at most 5 s
// old) has seen the cleared pointer by then, so pages answer 410, never
// an error about a missing schema.
const DiscardSettle = 6 * time.Second

// discardColumns are the generations columns of a discard.
const discardColumns = "discarded_at, discarded_by, COALESCE(discard_reason, '') AS discard_reason"

// discardRow is a discard as stored in generations.
type discardRow struct {
	DiscardedAt   sql.NullTime `db:"discarded_at"`
	DiscardedBy   string       `db:"discarded_by"`
	DiscardReason string       `db:"discard_reason"`
}

// discard returns the discard of r, nil when the day is not discarded.
func (r discardRow) discard() *weekback.Discard {
	if !r.DiscardedAt.Valid {
		return nil
	}
	return &weekback.Discard{At: r.DiscardedAt.Time, By: r.DiscardedBy, Reason: r.DiscardReason}
}

// Discard clears day's pointer and records who discarded it, when and
// why, in one transaction; the slot it pointed at is listed as retired
// with no grace period (to be dropped by the backup admin account). It
// returns what was served. A day with nothing served is ENOTFOUND with a
// sentence saying so. Safe for concurrent use.
func (m *Meta) Discard(ctx context.Context, day weekback.Weekday, by, reason string) (*weekback.Discard, error) {
	d := &weekback.Discard{At: m.nowMicro(), By: clipText(by, 255), Reason: clipText(reason, MaxDiscardReason)}
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		var slot, manifest sql.NullString
		err := tx.QueryRowxContext(ctx, Tag+"SELECT slot, manifest FROM "+m.table("generations")+" WHERE day = ? FOR UPDATE", day).Scan(&slot, &manifest)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (!slot.Valid || slot.String == "")) {
			return weekback.Errorf(weekback.ENOTFOUND, "%s has no copy to discard (it is never taken or already discarded)", day)
		}
		if err != nil {
			return err
		}
		d.Slot = slot.String
		var man weekback.Manifest
		if json.Unmarshal([]byte(manifest.String), &man) == nil {
			d.SnapshotAt, d.Rows = man.SnapshotAt, man.Rows
		}
		return m.discardTx(ctx, tx, day, d)
	})
	if err != nil && weekback.ErrorCode(err) == weekback.EINTERNAL {
		return nil, fmt.Errorf("discard %s: %w", day, err)
	}
	return d, err
}

func (m *Meta) discardTx(ctx context.Context, tx *sqlx.Tx, day weekback.Weekday, d *weekback.Discard) error {
	_, err := tx.ExecContext(ctx, Tag+"UPDATE "+m.table("generations")+
		` SET slot = NULL, manifest = NULL, snapshot_at = NULL, switched_at = NULL, verified_at = NULL,
		discarded_at = ?, discarded_by = ?, discard_reason = ? WHERE day = ?`, d.At, d.By, d.Reason, day)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, Tag+"INSERT INTO "+m.table("retired_slots")+
		" (slot, day, retired_at, drop_after) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE drop_after = VALUES(drop_after)",
		d.Slot, day, d.At, d.At.Add(DiscardSettle))
	return err
}

// ExpireRetired makes every retired slot due for dropping now (an erasure
// request reaches the copies still inside their grace period). Safe for
// concurrent use.
func (m *Meta) ExpireRetired(ctx context.Context) error {
	if _, err := m.exec(ctx, Tag+"UPDATE "+m.table("retired_slots")+" SET drop_after = ?", m.nowMicro()); err != nil {
		return fmt.Errorf("expire retired slots: %w", err)
	}
	return nil
}

// DiscardDayJobs ends the jobs of day's generation: queued ones are
// canceled, running ones asked to stop (their worker removes what they
// wrote), and completed ones expired. It returns the jobs whose files
// are the caller's to remove (the canceled and expired ones). Safe for
// concurrent use.
func (m *Meta) DiscardDayJobs(ctx context.Context, day weekback.Weekday) ([]*weekback.Job, error) {
	const ofDay = "JSON_VALUE(params, '$.day') = ?"
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("jobs")+" SET cancel_requested = 1 WHERE status = ? AND "+ofDay,
		weekback.JobRunning, day)
	if err != nil {
		return nil, fmt.Errorf("cancel the jobs of %s: %w", day, err)
	}
	out, err := m.eachBatch(ctx, waitLocked, "status IN (?, ?, ?) AND "+ofDay,
		[]any{weekback.JobQueued, weekback.JobSucceeded, weekback.JobLossy, day},
		"UPDATE "+m.table("jobs")+" SET status = IF(status = ?, ?, ?), finished_at = COALESCE(finished_at, ?) WHERE id IN (?)",
		weekback.JobQueued, weekback.JobCanceled, weekback.JobExpired, m.nowMicro())
	if err != nil {
		return out, fmt.Errorf("end the jobs of %s: %w", day, err)
	}
	return out, nil
}
