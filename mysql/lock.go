package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Lock is a named server lock (GET_LOCK) held on its own connection for as
// long as the process needs it. The server releases it when the connection
// ends, so a killed process never leaves it behind.
type Lock struct {
	conn *sqlx.Conn
	name string
}

// TryLock takes the lock name without waiting. It returns (nil, nil) when
// another session holds it.
func TryLock(ctx context.Context, db *sqlx.DB, name string) (*Lock, error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("take lock %s: %w", name, err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowxContext(ctx, Tag+"SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("take lock %s: %w", name, err)
	}
	if got.Int64 != 1 {
		conn.Close()
		return nil, nil
	}
	return &Lock{conn: conn, name: name}, nil
}

// Release releases the lock and closes its connection. Calling it again
// does nothing.
func (l *Lock) Release() error {
	if l.conn == nil {
		return nil
	}
	defer func() { l.conn = nil }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := l.conn.ExecContext(ctx, Tag+"SELECT RELEASE_LOCK(?)", l.name)
	if cerr := l.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// SnapshotLockName returns the name of the lock that keeps snapshots of one
// backup prefix from running at once.
func SnapshotLockName(prefix string) string { return MetaSchema(prefix) + ".snapshot" }

// LockSnapshot takes the snapshot lock of m's prefix. When another run
// holds it, it returns an ECONFLICT error naming that run.
func (m *Meta) LockSnapshot(ctx context.Context) (*Lock, error) {
	l, err := TryLock(ctx, m.db, SnapshotLockName(m.prefix))
	if err != nil || l != nil {
		return l, err
	}
	return nil, weekback.Errorf(weekback.ECONFLICT, "another snapshot is running (%s); wait for it to finish", m.describeRunning(ctx))
}

func (m *Meta) describeRunning(ctx context.Context) string {
	runs, err := m.Runs(ctx, weekback.RunRunning, 5)
	if err != nil || len(runs) == 0 {
		return "it holds the lock " + SnapshotLockName(m.prefix) + " on the backup server"
	}
	var parts []string
	for _, r := range runs {
		parts = append(parts, fmt.Sprintf("run %d of %s on %s pid %d, started %s",
			r.ID, r.Day, r.Host, r.PID, r.StartedAt.UTC().Format(time.RFC3339)))
	}
	return strings.Join(parts, "; ")
}
