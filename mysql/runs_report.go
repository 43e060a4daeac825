package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// The runs report: what the admin page of snapshot runs shows. A running
// run's live progress (tables_done, rows_copied, bytes_copied) is what the
// snapshotter records about once a second (UpdateRun).

// runReportRow is a runRow with the report's extra columns.
type runReportRow struct {
	runRow
	TablesDone int            `db:"tables_done"`
	VerifiedAt sql.NullTime   `db:"verified_at"`
	Skipped    sql.NullString `db:"skipped"` // the manifest's skipped list, JSON
}

func (r *runReportRow) run() *weekback.SnapshotRun {
	run := r.runRow.run()
	run.TablesDone, run.VerifiedAt = r.TablesDone, r.VerifiedAt.Time
	if run.Status == weekback.RunSucceeded {
		run.TablesDone, run.Verified = run.Tables, true
	}
	if r.Skipped.Valid && r.Skipped.String != "" {
		// A list that does not parse is left out: the report still shows
		// the run.
		_ = json.Unmarshal([]byte(r.Skipped.String), &run.Skipped)
	}
	return run
}

// reportColumns are the columns of the runs report.
const reportColumns = runColumns + ", tables_done, verified_at, skipped"

// runsWithVerification is the runs, each with its slot's verified_at and
// the manifest's skipped objects when the slot is still its day's served
// one.
func (m *Meta) runsWithVerification(extra string) string {
	return "SELECT r.*, g.verified_at, JSON_EXTRACT(g.manifest, '$.skipped') AS skipped" + extra + " FROM " +
		m.table("snapshot_runs") + " r LEFT JOIN " + m.table("generations") + " g ON g.day = r.day AND g.slot = r.slot"
}

// RecentRuns returns, for each day that has runs, its last perDay runs,
// newest first, with their progress, verification and skipped objects
// (the report fields of weekback.SnapshotRun). A run recorded as running while no snapshot
// holds the lock is shown as failed (interrupted), as in Generations. It
// returns the database's error, wrapped. Safe for concurrent use.
func (m *Meta) RecentRuns(ctx context.Context, perDay int) (map[weekback.Weekday][]*weekback.SnapshotRun, error) {
	runs, err := m.runReport(ctx, "SELECT "+reportColumns+" FROM ("+
		m.runsWithVerification(", ROW_NUMBER() OVER (PARTITION BY r.day ORDER BY r.id DESC) AS n")+
		") x WHERE n <= ? ORDER BY day, id DESC", perDay)
	if err != nil {
		return nil, err
	}
	if err := m.markDeadRuns(ctx, runs); err != nil {
		return nil, err
	}
	out := map[weekback.Weekday][]*weekback.SnapshotRun{}
	for _, r := range runs {
		out[r.Day] = append(out[r.Day], r)
	}
	return out, nil
}

// RunHistory returns the last limit runs that ended (succeeded or failed),
// across days, oldest first: the points of a chart of durations and sizes.
// It returns the database's error, wrapped. Safe for concurrent use.
func (m *Meta) RunHistory(ctx context.Context, limit int) ([]*weekback.SnapshotRun, error) {
	return m.runReport(ctx, "SELECT "+reportColumns+" FROM ("+
		m.runsWithVerification("")+" WHERE r.ended_at IS NOT NULL ORDER BY r.id DESC LIMIT ?) x ORDER BY id", limit)
}

func (m *Meta) runReport(ctx context.Context, q string, args ...any) ([]*weekback.SnapshotRun, error) {
	var rows []runReportRow
	if err := sqlx.SelectContext(ctx, m.db, &rows, Tag+q, args...); err != nil {
		return nil, fmt.Errorf("read snapshot runs: %w", err)
	}
	out := make([]*weekback.SnapshotRun, len(rows))
	for i := range rows {
		out[i] = rows[i].run()
	}
	return out, nil
}

// markDeadRuns shows runs recorded as running that no process runs any
// more as interrupted: all but the newest (one snapshot runs at a time),
// and the newest too when nobody holds the snapshot lock.
func (m *Meta) markDeadRuns(ctx context.Context, runs []*weekback.SnapshotRun) error {
	var newest *weekback.SnapshotRun
	for _, r := range runs {
		if r.Status == weekback.RunRunning && (newest == nil || r.ID > newest.ID) {
			newest = r
		}
	}
	if newest == nil {
		return nil
	}
	for _, r := range runs {
		if r.Status == weekback.RunRunning && r != newest {
			r.Status, r.Error = weekback.RunFailed, InterruptedRun
		}
	}
	return m.markDead(ctx, map[weekback.Weekday]*weekback.SnapshotRun{newest.Day: newest})
}
