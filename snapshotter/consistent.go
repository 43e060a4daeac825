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
	// noPos says why no binlog position could be read ("" when one was,
	// or when the source has no binlog: then there is none to record).
	noPos string
}

// openSnapshot starts one consistent-snapshot transaction per worker
// (min(parallelism, tables)). Several are started while commits are
// blocked for a moment (blockCommits) so they share one point in time;
// when the account may not block commits, or cannot within lockWait, one
// transaction is used instead.
func openSnapshot(ctx context.Context, db *sqlx.DB, version string, parallelism, tables int, lockWait time.Duration) (*snapshot, error) {
	switch {
	case tables == 1:
		return openSingle(ctx, db, "only one table to copy")
	case parallelism == 1:
		return openSingle(ctx, db, "snapshot.parallelism is 1")
	}
	s, why, err := openLocked(ctx, db, version, min(parallelism, tables), lockWait)
	if err != nil || s != nil {
		return s, err
	}
	return openSingle(ctx, db, why)
}

// openLocked returns (nil, why, nil) when no global lock can be used, so
// the caller falls back to one connection.
func openLocked(ctx context.Context, db *sqlx.DB, version string, n int, lockWait time.Duration) (*snapshot, string, error) {
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
		s.at, s.pos, s.noPos, err = lockedPosition(ctx, lockConn, version)
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
	if s.pos.File != "" || s.pos.GTID != "" {
		s.noPos = ""
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
	var err error
	if s.at, err = readUTC(ctx, s.conns[0]); err != nil {
		s.close()
		return nil, err
	}
	s.pos = binlogSnapshot(ctx, s.conns[0], weekback.Position{})
	if s.pos.File == "" {
		s.noPos = "one connection without a global lock: only MariaDB's binlog_snapshot_file gives the position, and the source reports none"
	}
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
// read lock is held (nothing can commit). version is the source's
// SELECT VERSION(): it decides the statement that reports the position.
// noPos says why no position could be read ("" when one was).
func lockedPosition(ctx context.Context, c *sqlx.Conn, version string) (at time.Time, pos weekback.Position, noPos string, err error) {
	if at, err = readUTC(ctx, c); err != nil {
		return at, pos, "", err
	}
	stmt := binlogStatusStatement(version)
	if rows, err := c.QueryxContext(ctx, mysql.Tag+stmt); err != nil {
		noPos = fmt.Sprintf("%s failed: %v", stmt, err)
	} else if pos = scanMasterStatus(rows); pos.File == "" {
		noPos = stmt + " returned no binlog file (binary logging is off on the source)"
	}
	var gtid sql.NullString
	if err := c.QueryRowxContext(ctx, mysql.Tag+"SELECT @@GLOBAL.gtid_binlog_pos").Scan(&gtid); err == nil {
		pos.GTID = gtid.String
	} else if err := c.QueryRowxContext(ctx, mysql.Tag+"SELECT @@GLOBAL.gtid_executed").Scan(&gtid); err == nil {
		pos.GTID = gtid.String
	}
	return at, pos, noPos, nil
}

// binlogStatusStatement returns the statement that reports the binlog
// position on a server whose SELECT VERSION() is version: MySQL 8.2
// renamed SHOW MASTER STATUS to SHOW BINARY LOG STATUS and 8.4 removed the
// old name; MariaDB and older MySQL servers know SHOW MASTER STATUS.
func binlogStatusStatement(version string) string {
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return "SHOW MASTER STATUS"
	}
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err == nil && (major > 8 || major == 8 && minor >= 2) {
		return "SHOW BINARY LOG STATUS"
	}
	return "SHOW MASTER STATUS"
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

// readUTC reads the server's UTC_TIMESTAMP(6): the snapshot's time.
func readUTC(ctx context.Context, c *sqlx.Conn) (time.Time, error) {
	var at string
	if err := c.QueryRowxContext(ctx, mysql.Tag+"SELECT UTC_TIMESTAMP(6)").Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("read snapshot time: %w", err)
	}
	return parseUTC(at)
}

// parseUTC parses a DATETIME(6) as the server prints it, in UTC.
func parseUTC(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999", s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("read snapshot time: unexpected UTC_TIMESTAMP %q: %w", s, err)
	}
	return t, nil
}
