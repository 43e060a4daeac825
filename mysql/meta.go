package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// InterruptedRun is the error recorded for a run whose process ended
// before it finished.
const InterruptedRun = "interrupted: the process ended before the run finished"

// Meta is the meta schema <prefix>_meta on the backup server: generation
// pointers, snapshot runs and retired slots. It is safe for concurrent use.
type Meta struct {
	db     *sqlx.DB
	prefix string
	schema string
	Now    func() time.Time
	wsrep  wsrepState // is the backup server a Galera node (causal reads)
	spread int        // how many of the oldest claimable jobs Claim picks from (claimSpread on a cluster)

	ownerJobs *preparedQuery // Jobs of one owner
}

var _ weekback.GenerationStore = (*Meta)(nil)

// MetaSchema returns the name of the meta schema for prefix.
func MetaSchema(prefix string) string { return prefix + "_meta" }

// OpenMeta creates the meta schema of prefix when missing and applies the
// pending migrations. db must be a backup (admin) connection.
func OpenMeta(ctx context.Context, db *sqlx.DB, prefix string) (*Meta, error) {
	m := newMeta(ctx, db, prefix)
	// Idempotent, so retried like the migrations: a Galera node refuses DDL
	// (1047) while its replication is paused by a backup's BACKUP STAGE.
	err := retry(ctx, func() error {
		_, err := db.ExecContext(ctx, Tag+"CREATE DATABASE IF NOT EXISTS "+QuoteIdent(m.schema)+" CHARACTER SET utf8mb4")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create meta schema %s: %w", m.schema, err)
	}
	if err := migrate(ctx, db, m.schema); err != nil {
		return nil, err
	}
	return m, nil
}

// newMeta returns the meta schema of prefix on db. On a Galera node
// (@@wsrep_on) claims pick among the claimSpread oldest jobs at random;
// on a single server, where SKIP LOCKED sees every claimer, the oldest
// first.
func newMeta(ctx context.Context, db *sqlx.DB, prefix string) *Meta {
	m := &Meta{db: db, prefix: prefix, schema: MetaSchema(prefix), Now: time.Now, spread: 1}
	m.ownerJobs = &preparedQuery{query: Tag + "SELECT " + jobColumns + " FROM " + m.table("jobs") + " WHERE owner = ? ORDER BY id DESC LIMIT ?"}
	var on sql.NullBool
	if db.QueryRowxContext(ctx, Tag+"SELECT @@wsrep_on").Scan(&on) == nil && on.Bool {
		m.spread = claimSpread
	}
	return m
}

// AttachMeta opens the existing meta schema of prefix without creating or
// migrating it: the server's reader account may not, and only the
// snapshotter (backup admin, `weekback snapshot` and `snapshotter`) creates
// or changes it; every other command attaches, so a mistyped prefix never
// creates a schema. It returns an EINVALID error
// saying what to run when the schema is missing or older than this binary.
func AttachMeta(ctx context.Context, db *sqlx.DB, prefix string) (*Meta, error) {
	m := newMeta(ctx, db, prefix)
	var version int
	err := db.QueryRowxContext(ctx, Tag+"SELECT COALESCE(MAX(version), 0) FROM "+m.table("schema_migrations")).Scan(&version)
	if IsErrorNumber(err, ErrNoSuchTable) || IsErrorNumber(err, ErrBadDB) || (err == nil && version == 0) {
		return nil, weekback.Errorf(weekback.EINVALID,
			"the backup prefix %q has no meta schema on the backup server (%s does not exist): fix backup.prefix in the configuration (or WEEKBACK_BACKUP_PREFIX) if it is mistyped; otherwise run `weekback snapshot` once, which creates it",
			prefix, m.schema)
	}
	if err != nil {
		return nil, fmt.Errorf("read meta schema %s: %w", m.schema, err)
	}
	files, err := migrationFiles()
	if err != nil {
		return nil, err
	}
	if want := files[len(files)-1].version; version < want {
		return nil, weekback.Errorf(weekback.EINVALID,
			"the meta schema %s is at version %d, this weekback needs %d: run `weekback snapshot` once with this version and the backup admin account (backup.dsn): it migrates", m.schema, version, want)
	}
	return m, nil
}

// Ping reports whether the backup server answers.
func (m *Meta) Ping(ctx context.Context) error { return m.db.PingContext(ctx) }

// Schema returns the meta schema's name.
func (m *Meta) Schema() string { return m.schema }

// Prefix returns the backup prefix.
func (m *Meta) Prefix() string { return m.prefix }

// DB returns the connection pool the store uses.
func (m *Meta) DB() *sqlx.DB { return m.db }

func (m *Meta) table(name string) string { return QuoteTable(m.schema, name) }

// clipText returns s when it has at most max bytes, else its longest
// prefix of whole characters that, followed by "…", fits in max bytes:
// what a meta column of max bytes can hold under the strict sql_mode.
func clipText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func (m *Meta) now() time.Time { return m.Now().UTC() }

type generationRow struct {
	Day        string         `db:"day"`
	Slot       sql.NullString `db:"slot"`
	SwitchedAt sql.NullTime   `db:"switched_at"`
	VerifiedAt sql.NullTime   `db:"verified_at"`
	Manifest   sql.NullString `db:"manifest"`
	discardRow
}

// Generations returns the seven days, Monday first, each with its status,
// slot, manifest and last run.
func (m *Meta) Generations(ctx context.Context) ([]*weekback.Generation, error) {
	var rows []generationRow
	if err := sqlx.SelectContext(ctx, m.db, &rows, Tag+"SELECT day, slot, switched_at, verified_at, manifest, "+discardColumns+" FROM "+m.table("generations")); err != nil {
		return nil, fmt.Errorf("read generations: %w", err)
	}
	byDay := map[weekback.Weekday]generationRow{}
	for _, r := range rows {
		byDay[weekback.Weekday(r.Day)] = r
	}
	last, err := m.lastRuns(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*weekback.Generation, 0, 7)
	for _, d := range weekback.Weekdays {
		g, err := buildGeneration(d, byDay[d], last[d])
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// Generation returns one day.
func (m *Meta) Generation(ctx context.Context, day weekback.Weekday) (*weekback.Generation, error) {
	all, err := m.Generations(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range all {
		if g.Day == day {
			return g, nil
		}
	}
	return nil, weekback.Errorf(weekback.ENOTFOUND, "unknown day %q", day)
}

func buildGeneration(d weekback.Weekday, r generationRow, last *weekback.SnapshotRun) (*weekback.Generation, error) {
	g := &weekback.Generation{Day: d, Status: weekback.StatusNever, LastRun: last}
	if r.Slot.Valid && r.Manifest.Valid {
		g.Slot = r.Slot.String
		g.SwitchedAt = r.SwitchedAt.Time
		g.VerifiedAt = r.VerifiedAt.Time
		g.Manifest = new(weekback.Manifest)
		if err := json.Unmarshal([]byte(r.Manifest.String), g.Manifest); err != nil {
			return nil, fmt.Errorf("read manifest of %s: %w", d, err)
		}
		g.Status = weekback.StatusReady
	}
	since := g.SwitchedAt
	if g.Discarded = r.discard(); g.Discarded != nil && g.Slot == "" {
		g.Status, since = weekback.StatusDiscarded, g.Discarded.At
	}
	switch {
	case last == nil:
	case last.Status == weekback.RunRunning:
		g.Status = weekback.StatusBuilding
	case last.Status == weekback.RunFailed && last.StartedAt.After(since):
		g.Status = weekback.StatusFailed
	}
	return g, nil
}

const runColumns = `id, day, slot, host, pid, started_at, ended_at, status, mode, binlog_file, binlog_pos,
	COALESCE(gtid,'') AS gtid, tables_total, rows_copied, bytes_copied, COALESCE(error,'') AS error,
	offsite_status, offsite_name, COALESCE(offsite_error,'') AS offsite_error`

type runRow struct {
	ID          int64        `db:"id"`
	Day         string       `db:"day"`
	Slot        string       `db:"slot"`
	Host        string       `db:"host"`
	PID         int          `db:"pid"`
	StartedAt   time.Time    `db:"started_at"`
	EndedAt     sql.NullTime `db:"ended_at"`
	Status      string       `db:"status"`
	Mode        string       `db:"mode"`
	BinlogFile  string       `db:"binlog_file"`
	BinlogPos   uint64       `db:"binlog_pos"`
	GTID        string       `db:"gtid"`
	TablesTotal int          `db:"tables_total"`
	Rows        int64        `db:"rows_copied"`
	Bytes       int64        `db:"bytes_copied"`
	Error       string       `db:"error"`
	Offsite     string       `db:"offsite_status"`
	OffsiteName string       `db:"offsite_name"`
	OffsiteErr  string       `db:"offsite_error"`
}

func (r runRow) run() *weekback.SnapshotRun {
	return &weekback.SnapshotRun{
		ID: r.ID, Day: weekback.Weekday(r.Day), Slot: r.Slot, Host: r.Host, PID: r.PID,
		StartedAt: r.StartedAt, EndedAt: r.EndedAt.Time, Status: r.Status, Mode: r.Mode,
		Position: weekback.Position{File: r.BinlogFile, Pos: r.BinlogPos, GTID: r.GTID},
		Tables:   r.TablesTotal, Rows: r.Rows, Bytes: r.Bytes, Error: r.Error,
		Offsite: r.Offsite, OffsiteName: r.OffsiteName, OffsiteError: r.OffsiteErr,
	}
}

func (m *Meta) lastRuns(ctx context.Context) (map[weekback.Weekday]*weekback.SnapshotRun, error) {
	var rows []runRow
	err := sqlx.SelectContext(ctx, m.db, &rows, Tag+"SELECT "+runColumns+" FROM "+m.table("snapshot_runs")+
		" WHERE id IN (SELECT MAX(id) FROM "+m.table("snapshot_runs")+" GROUP BY day)")
	if err != nil {
		return nil, fmt.Errorf("read snapshot runs: %w", err)
	}
	out := map[weekback.Weekday]*weekback.SnapshotRun{}
	for _, r := range rows {
		out[weekback.Weekday(r.Day)] = r.run()
	}
	return out, m.markDead(ctx, out)
}

// markDead shows runs recorded as running while nobody holds the snapshot
// lock as what they are: interrupted (the process ended). The next run
// records that for good.
func (m *Meta) markDead(ctx context.Context, runs map[weekback.Weekday]*weekback.SnapshotRun) error {
	var running []*weekback.SnapshotRun
	for _, r := range runs {
		if r.Status == weekback.RunRunning {
			running = append(running, r)
		}
	}
	if len(running) == 0 {
		return nil
	}
	held, _, err := leaseHeld(ctx, m.db, m.schema, SnapshotLeaseName)
	if err != nil || held {
		return err
	}
	for _, r := range running {
		r.Status, r.Error = weekback.RunFailed, InterruptedRun
	}
	return nil
}

// Runs returns the runs with the given status ("" for all), newest first,
// at most limit.
func (m *Meta) Runs(ctx context.Context, status string, limit int) ([]*weekback.SnapshotRun, error) {
	var rows []runRow
	err := sqlx.SelectContext(ctx, m.db, &rows, Tag+"SELECT "+runColumns+" FROM "+m.table("snapshot_runs")+
		" WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?", status, status, limit)
	if err != nil {
		return nil, fmt.Errorf("read snapshot runs: %w", err)
	}
	out := make([]*weekback.SnapshotRun, len(rows))
	for i, r := range rows {
		out[i] = r.run()
	}
	return out, nil
}

// StartRun records run as running and sets its ID and start time. The slot
// name is derived from the ID by slotName, so it is set here too.
func (m *Meta) StartRun(ctx context.Context, run *weekback.SnapshotRun, slotName func(id int64) string) error {
	run.StartedAt = m.now()
	run.Status = weekback.RunRunning
	res, err := m.exec(ctx, Tag+"INSERT INTO "+m.table("snapshot_runs")+
		" (day, slot, host, pid, started_at, status) VALUES (?, '', ?, ?, ?, ?)",
		run.Day, run.Host, run.PID, run.StartedAt, run.Status)
	if err != nil {
		return fmt.Errorf("record snapshot run: %w", err)
	}
	if run.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("record snapshot run: %w", err)
	}
	run.Slot = slotName(run.ID)
	_, err = m.exec(ctx, Tag+"UPDATE "+m.table("snapshot_runs")+" SET slot = ? WHERE id = ?", run.Slot, run.ID)
	if err != nil {
		return fmt.Errorf("record snapshot run: %w", err)
	}
	return nil
}

// UpdateRun writes run's mode, position and progress.
func (m *Meta) UpdateRun(ctx context.Context, run *weekback.SnapshotRun, tablesDone int) error {
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("snapshot_runs")+
		` SET mode = ?, binlog_file = ?, binlog_pos = ?, gtid = ?, tables_total = ?, tables_done = ?,
		rows_copied = ?, bytes_copied = ? WHERE id = ?`,
		run.Mode, run.Position.File, run.Position.Pos, run.Position.GTID, run.Tables, tablesDone,
		run.Rows, run.Bytes, run.ID)
	if err != nil {
		return fmt.Errorf("update snapshot run %d: %w", run.ID, err)
	}
	return nil
}

// FinishRun records run's outcome (status, end time, totals, error).
func (m *Meta) FinishRun(ctx context.Context, run *weekback.SnapshotRun) error {
	run.EndedAt = m.now()
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("snapshot_runs")+
		` SET status = ?, ended_at = ?, mode = ?, binlog_file = ?, binlog_pos = ?, gtid = ?, tables_total = ?,
		rows_copied = ?, bytes_copied = ?, error = NULLIF(?, '') WHERE id = ?`,
		run.Status, run.EndedAt, run.Mode, run.Position.File, run.Position.Pos, run.Position.GTID, run.Tables,
		run.Rows, run.Bytes, run.Error, run.ID)
	if err != nil {
		return fmt.Errorf("finish snapshot run %d: %w", run.ID, err)
	}
	return nil
}

// AbandonRunning marks every run still recorded as running as failed with
// reason. Call it only while holding the snapshot lock: such runs are
// leftovers of crashed processes.
func (m *Meta) AbandonRunning(ctx context.Context, reason string) ([]*weekback.SnapshotRun, error) {
	runs, err := m.Runs(ctx, weekback.RunRunning, 1000)
	if err != nil {
		return nil, err
	}
	_, err = m.exec(ctx, Tag+"UPDATE "+m.table("snapshot_runs")+
		" SET status = ?, ended_at = ?, error = ? WHERE status = ?", weekback.RunFailed, m.now(), reason, weekback.RunRunning)
	if err != nil {
		return nil, fmt.Errorf("abandon crashed runs: %w", err)
	}
	return runs, nil
}

// Switch points day at slot with manifest in one transaction, records the
// previous slot (if any) as retired until grace has passed, and returns it.
// A snapshot run switches with SwitchFenced.
func (m *Meta) Switch(ctx context.Context, day weekback.Weekday, slot string, manifest *weekback.Manifest, grace time.Duration) (old string, err error) {
	return m.SwitchFenced(ctx, nil, day, slot, manifest, grace)
}

// SwitchFenced is Switch done only while lock (the run's snapshot lease,
// nil for none) is still held: the same transaction renews the lease, so
// a run whose lease another run took over fails (the lease lost) and
// switches nothing, on a single server and across a cluster's nodes.
func (m *Meta) SwitchFenced(ctx context.Context, lock *Lock, day weekback.Weekday, slot string, manifest *weekback.Manifest, grace time.Duration) (old string, err error) {
	body, err := json.Marshal(manifest)
	if err != nil {
		return "", fmt.Errorf("encode manifest: %w", err)
	}
	var prev sql.NullString
	err = retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		prev = sql.NullString{}
		if lock != nil {
			if err := lock.fence(ctx, tx); err != nil {
				return fmt.Errorf("lock %s: %w", lock.name, err)
			}
		}
		return m.switchTx(ctx, tx, day, slot, manifest, grace, string(body), &prev)
	})
	if err != nil {
		return "", fmt.Errorf("switch %s: %w", day, err)
	}
	return prev.String, nil
}

func (m *Meta) switchTx(ctx context.Context, tx *sqlx.Tx, day weekback.Weekday, slot string, manifest *weekback.Manifest, grace time.Duration, body string, prev *sql.NullString) error {
	err := tx.QueryRowxContext(ctx, Tag+"SELECT slot FROM "+m.table("generations")+" WHERE day = ? FOR UPDATE", day).Scan(prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	now := m.now()
	_, err = tx.ExecContext(ctx, Tag+"INSERT INTO "+m.table("generations")+
		` (day, slot, snapshot_at, switched_at, verified_at, manifest) VALUES (?, ?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE slot = VALUES(slot), snapshot_at = VALUES(snapshot_at),
		switched_at = VALUES(switched_at), verified_at = VALUES(verified_at), manifest = VALUES(manifest),
		discarded_at = NULL, discarded_by = '', discard_reason = NULL`,
		day, slot, manifest.SnapshotAt.UTC(), now, now, body)
	if err != nil {
		return err
	}
	if prev.Valid && prev.String != "" && prev.String != slot {
		_, err = tx.ExecContext(ctx, Tag+"INSERT INTO "+m.table("retired_slots")+
			" (slot, day, retired_at, drop_after) VALUES (?, ?, ?, ?)", prev.String, day, now, now.Add(grace))
	}
	return err
}

// MarkVerified records that day's generation was verified now.
func (m *Meta) MarkVerified(ctx context.Context, day weekback.Weekday, slot string) error {
	_, err := m.exec(ctx, Tag+"UPDATE "+m.table("generations")+" SET verified_at = ? WHERE day = ? AND slot = ?", m.now(), day, slot)
	if err != nil {
		return fmt.Errorf("mark %s verified: %w", day, err)
	}
	return nil
}

// RetiredSlots returns the retired slots and when each may be dropped.
func (m *Meta) RetiredSlots(ctx context.Context) (map[string]time.Time, error) {
	rows, err := m.db.QueryxContext(ctx, Tag+"SELECT slot, drop_after FROM "+m.table("retired_slots"))
	if err != nil {
		return nil, fmt.Errorf("read retired slots: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var slot string
		var after time.Time
		if err := rows.Scan(&slot, &after); err != nil {
			return nil, fmt.Errorf("read retired slots: %w", err)
		}
		out[slot] = after
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read retired slots: %w", err)
	}
	return out, nil
}

// ForgetRetired removes slot from the retired list (after it was dropped).
func (m *Meta) ForgetRetired(ctx context.Context, slot string) error {
	if _, err := m.exec(ctx, Tag+"DELETE FROM "+m.table("retired_slots")+" WHERE slot = ?", slot); err != nil {
		return fmt.Errorf("forget retired slot %s: %w", slot, err)
	}
	return nil
}

// preparedQuery is a statement prepared on a pool at its first use and
// kept: database/sql then prepares it once on each connection and only
// executes it afterwards, one round trip instead of three (prepare,
// execute, close). For the meta schema's hottest query with arguments.
// Safe for concurrent use.
type preparedQuery struct {
	query string

	mu sync.Mutex
	st *sqlx.Stmt
}

// stmt returns the statement, preparing it on db the first time (again
// after a failed attempt).
func (p *preparedQuery) stmt(ctx context.Context, db *sqlx.DB) (*sqlx.Stmt, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.st == nil {
		st, err := db.PreparexContext(ctx, p.query)
		if err != nil {
			return nil, err
		}
		p.st = st
	}
	return p.st, nil
}
