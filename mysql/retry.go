package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// ErrNotPrimary is Galera's "not connected to the primary component" (the
// node lost its quorum; another node may answer).
const ErrNotPrimary = 1047

// ErrTooManyConnections is the server's "Too many connections".
const ErrTooManyConnections = 1040

// txAttempts is how many times retryTx runs a transaction, and
// txRetryBase the first pause between attempts (doubled each time, with
// jitter).
const (
	txAttempts  = 5
	txRetryBase = 20 * time.Millisecond
)

// retryable reports whether err is a transient conflict worth running the
// transaction again for: a deadlock or certification failure, a lock wait
// timeout, a node outside the primary component.
func retryable(err error) bool {
	return IsErrorNumber(err, ErrDeadlock) || IsErrorNumber(err, ErrLockWaitTimeout) || IsErrorNumber(err, ErrNotPrimary)
}

// retryTx runs fn in a READ COMMITTED transaction on db and commits it when
// fn returns nil. A deadlock, lock wait timeout or certification failure
// (of fn or of the commit) rolls back and runs fn again, a few times, after
// a growing pause with jitter. fn must have no effect outside tx that a
// second run would repeat wrongly.
func retryTx(ctx context.Context, db txBeginner, fn func(tx *sqlx.Tx) error) error {
	return retry(ctx, func() error { return txOnce(ctx, db, fn) })
}

// retry runs fn again after a transient conflict (retryable), like
// retryTx, for work that is safe to repeat but not one transaction: a
// migration step (its DDL commits by itself).
func retry(ctx context.Context, fn func() error) error {
	pause := txRetryBase
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !retryable(err) || attempt == txAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(jitter(pause)):
		}
		pause *= 2
	}
}

func txOnce(ctx context.Context, db txBeginner, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// jitter returns a random duration between d/2 and 3d/2.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d)
}

// Unavailable reports whether err means the server did not answer or was
// too busy to (refused or broken connections, a node outside the primary
// component, conflicts that outlasted retryTx's attempts, too many
// connections): the request may succeed if tried again later.
func Unavailable(err error) bool {
	var nerr net.Error
	var operr *net.OpError
	switch {
	case err == nil:
		return false
	case retryable(err), IsErrorNumber(err, ErrTooManyConnections):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, syscall.ECONNREFUSED):
		return true
	}
	return errors.As(err, &operr) || (errors.As(err, &nerr) && nerr.Timeout())
}

// exec runs one statement on the meta schema through retryTx, so that a
// deadlock or certification failure is tried again like any transaction.
func (m *Meta) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}
