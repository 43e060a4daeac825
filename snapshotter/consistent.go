package snapshotter

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// snapshot is a set of source connections that all see the same
// consistent point in time.
type snapshot struct {
	conns []*sqlx.Conn
	mode  string
	why   string // why this mode was chosen
	pos   weekback.Position
	at    time.Time
}

// openSnapshot starts one consistent-snapshot transaction per worker
// (min(parallelism, tables)). Several are started while commits are
// blocked for a moment (blockCommits) so they share one point in time;
// when the account may not block commits, or cannot within lockWait, one
// transaction is used instead.
func openSnapshot(ctx context.Context, db *sqlx.DB, parallelism, tables int, lockWait time.Duration) (*snapshot, error) {
	switch {
	case tables == 1:
		return openSingle(ctx, db, "only one table to copy")
	case parallelism == 1:
		return openSingle(ctx, db, "snapshot.parallelism is 1")
	}
	s, why, err := openLocked(ctx, db, min(parallelism, tables), lockWait)
	if err != nil || s != nil {
		return s, err
	}
	return openSingle(ctx, db, why)
}

// openLocked returns (nil, why, nil) when no global lock can be used, so
// the caller falls back to one connection.
func openLocked(ctx context.Context, db *sqlx.DB, n int, lockWait time.Duration) (*snapshot, string, error) {
	lockConn, err := db.Connx(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("connect to source: %w", err)
	}
	defer lockConn.Close()
	secs := max(1, int(lockWait.Seconds()))
	if _, err := lockConn.ExecContext(ctx, fmt.Sprintf(mysql.Tag+"SET SESSION lock_wait_timeout = %d", secs)); err != nil {
		return nil, "", fmt.Errorf("set lock_wait_timeout: %w", err)
	}
	unlock, how, err := blockCommits(ctx, lockConn)
	if err != nil {
		if why := lockRefused(err, lockWait); why != "" {
			return nil, why, nil
		}
		return nil, "", err
	}
	s := &snapshot{mode: weekback.ModeParallel, why: fmt.Sprintf("%d connections started under %s", n, how)}
	err = s.startAll(ctx, db, n)
	if err == nil {
		s.at, s.pos, err = lockedPosition(ctx, lockConn)
	}
	if _, uerr := lockConn.ExecContext(context.WithoutCancel(ctx), mysql.Tag+unlock); err == nil && uerr != nil {
		err = fmt.Errorf("release the global lock: %w", uerr)
	}
	if err != nil {
		s.close()
		return nil, "", err
	}
	if s.pos.File == "" {
		s.pos = binlogSnapshot(ctx, s.conns[0], s.pos)
	}
	return s, "", nil
}

// blockCommits stops commits on the source for a moment and returns the
// statement that resumes them. MariaDB (10.4+) uses BACKUP STAGE
// BLOCK_COMMIT, which blocks only commits and waits for no running
// transaction. Elsewhere FLUSH TABLES WITH READ LOCK is used; it can wait
// behind open write transactions, bounded by lock_wait_timeout.
func blockCommits(ctx context.Context, c *sqlx.Conn) (unlock, how string, err error) {
	_, err = c.ExecContext(ctx, mysql.Tag+"BACKUP STAGE START")
	switch {
	case err == nil:
		if _, err := c.ExecContext(ctx, mysql.Tag+"BACKUP STAGE BLOCK_COMMIT"); err != nil {
			c.ExecContext(context.WithoutCancel(ctx), mysql.Tag+"BACKUP STAGE END")
			return "", "", fmt.Errorf("backup stage block_commit: %w", err)
		}
		return "BACKUP STAGE END", "BACKUP STAGE BLOCK_COMMIT", nil
	case !mysql.IsErrorNumber(err, mysql.ErrParse):
		return "", "", fmt.Errorf("backup stage start: %w", err)
	}
	if _, err := c.ExecContext(ctx, mysql.Tag+"FLUSH TABLES WITH READ LOCK"); err != nil {
		return "", "", fmt.Errorf("flush tables with read lock: %w", err)
	}
	return "UNLOCK TABLES", "FLUSH TABLES WITH READ LOCK", nil
}

func lockRefused(err error, lockWait time.Duration) string {
	switch {
	case mysql.IsErrorNumber(err, mysql.ErrSpecificAccess), mysql.IsErrorNumber(err, mysql.ErrAccessDenied):
		return "the source account lacks RELOAD, needed to block commits for a moment (BACKUP STAGE or FLUSH TABLES WITH READ LOCK)"
	case mysql.IsErrorNumber(err, mysql.ErrLockWaitTimeout):
		return fmt.Sprintf("the global lock could not be had within %s (long statements on the source)", lockWait)
	}
	return ""
}

func openSingle(ctx context.Context, db *sqlx.DB, why string) (*snapshot, error) {
	s := &snapshot{mode: weekback.ModeSingle, why: why}
	if err := s.startAll(ctx, db, 1); err != nil {
		s.close()
		return nil, err
	}
	var at string
	if err := s.conns[0].QueryRowxContext(ctx, mysql.Tag+"SELECT UTC_TIMESTAMP(6)").Scan(&at); err != nil {
		s.close()
		return nil, fmt.Errorf("read snapshot time: %w", err)
	}
	s.at = parseUTC(at)
	s.pos = binlogSnapshot(ctx, s.conns[0], weekback.Position{})
	return s, nil
}

func (s *snapshot) startAll(ctx context.Context, db *sqlx.DB, n int) error {
	for range n {
		c, err := db.Connx(ctx)
		if err != nil {
			return fmt.Errorf("connect to source: %w", err)
		}
		s.conns = append(s.conns, c)
		for _, q := range []string{
			"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
			"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
		} {
			if _, err := c.ExecContext(ctx, mysql.Tag+q); err != nil {
				return fmt.Errorf("start snapshot transaction: %w", err)
			}
		}
	}
	return nil
}

// lockedPosition reads the time and the binlog position while the global
// read lock is held (nothing can commit).
func lockedPosition(ctx context.Context, c *sqlx.Conn) (time.Time, weekback.Position, error) {
	var at string
	if err := c.QueryRowxContext(ctx, mysql.Tag+"SELECT UTC_TIMESTAMP(6)").Scan(&at); err != nil {
		return time.Time{}, weekback.Position{}, fmt.Errorf("read snapshot time: %w", err)
	}
	var pos weekback.Position
	if rows, err := c.QueryxContext(ctx, mysql.Tag+"SHOW MASTER STATUS"); err == nil {
		pos = scanMasterStatus(rows)
	}
	var gtid sql.NullString
	if err := c.QueryRowxContext(ctx, mysql.Tag+"SELECT @@GLOBAL.gtid_binlog_pos").Scan(&gtid); err == nil {
		pos.GTID = gtid.String
	} else if err := c.QueryRowxContext(ctx, mysql.Tag+"SELECT @@GLOBAL.gtid_executed").Scan(&gtid); err == nil {
		pos.GTID = gtid.String
	}
	return parseUTC(at), pos, nil
}

func scanMasterStatus(rows *sqlx.Rows) weekback.Position {
	defer rows.Close()
	var pos weekback.Position
	if rows.Next() {
		m := map[string]any{}
		if rows.MapScan(m) == nil {
			pos.File = asString(m["File"])
			fmt.Sscan(asString(m["Position"]), &pos.Pos)
		}
	}
	return pos
}

// binlogSnapshot reads MariaDB's binlog_snapshot_file/position, the binlog
// coordinates of the current consistent-snapshot transaction.
func binlogSnapshot(ctx context.Context, c *sqlx.Conn, pos weekback.Position) weekback.Position {
	rows, err := c.QueryxContext(ctx, mysql.Tag+"SHOW STATUS LIKE 'binlog_snapshot_%'")
	if err != nil {
		return pos
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if rows.Scan(&name, &value) != nil {
			continue
		}
		switch strings.ToLower(name) {
		case "binlog_snapshot_file":
			pos.File = value
		case "binlog_snapshot_position":
			fmt.Sscan(value, &pos.Pos)
		}
	}
	return pos
}

func (s *snapshot) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range s.conns {
		c.ExecContext(ctx, mysql.Tag+"ROLLBACK")
		c.Close()
	}
}

func asString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

func parseUTC(s string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02 15:04:05.999999", s, time.UTC)
	return t
}
