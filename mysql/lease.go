package mysql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// A lease is a lock kept as a row of the meta schema's leases table, so
// that it holds across every node of a multi-primary cluster. Its holder
// renews it every third of its length; a holder that stops renewing (a
// killed process) loses it when it expires. Times are the server's
// (NOW(6)), so the clocks of the processes do not matter.

// SnapshotLease is how long a snapshot's lock outlives its process: a
// killed snapshot's lock can be taken over this long after its last
// renewal (renewals come every SnapshotLease/3).
const SnapshotLease = 30 * time.Second

// migrateLease is the length of the migration lock's lease, and
// migrateWait how long a process waits for another one's migrations.
const (
	migrateLease = 30 * time.Second
	migrateWait  = 2 * time.Minute
)

// leaseRetryEvery is how often a waiting taker tries again.
const leaseRetryEvery = 100 * time.Millisecond

// Lock is a lease held by this process until Release.
type Lock struct {
	db     *sqlx.DB
	table  string
	name   string
	token  string
	ttl    time.Duration
	stop   chan struct{}
	done   chan struct{}
	lostCh chan struct{}
	mu     sync.Mutex
	lost   error
	closed bool
}

// leaseHolder describes this process in the holder column.
func leaseHolder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s pid %d", host, os.Getpid())
}

// takeLease takes the lease name of schema for ttl without waiting. It
// returns (nil, nil) when another holder's lease has not expired.
func takeLease(ctx context.Context, db *sqlx.DB, schema, name string, ttl time.Duration) (*Lock, error) {
	l := &Lock{db: db, table: QuoteTable(schema, "leases"), name: name, token: newToken(), ttl: ttl}
	err := retryTx(ctx, db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, Tag+"DELETE FROM "+l.table+" WHERE name = ? AND expires_at < NOW(6)", name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, Tag+"INSERT INTO "+l.table+" (name, token, holder, acquired_at, expires_at)"+
			" VALUES (?, ?, ?, NOW(6), NOW(6) + INTERVAL ? MICROSECOND)", name, l.token, clipText(leaseHolder(), 255), ttl.Microseconds())
		return err
	})
	if IsErrorNumber(err, ErrDupEntry) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("take lock %s: %w", name, err)
	}
	l.stop, l.done, l.lostCh = make(chan struct{}), make(chan struct{}), make(chan struct{})
	go l.heartbeat(ttl)
	return l, nil
}

// waitLease takes the lease name, waiting up to wait for its holder.
func waitLease(ctx context.Context, db *sqlx.DB, schema, name string, ttl, wait time.Duration) (*Lock, error) {
	deadline := time.Now().Add(wait)
	for {
		l, err := takeLease(ctx, db, schema, name, ttl)
		if err != nil || l != nil || time.Now().After(deadline) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(jitter(leaseRetryEvery)):
		}
	}
}

// heartbeat renews the lease every ttl/3 until Release. A renewal that
// fails (the server did not answer) is tried again at the next tick: the
// row is still ours unless another process took it over, which ends the
// heartbeat and closes Lost.
func (l *Lock) heartbeat(ttl time.Duration) {
	defer close(l.done)
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if err := l.renew(ttl); errors.Is(err, errLeaseLost) {
				l.mu.Lock()
				l.lost = fmt.Errorf("lock %s: %w", l.name, err)
				l.mu.Unlock()
				close(l.lostCh)
				return
			}
		}
	}
}

// errLeaseLost says another process took over an expired lease.
var errLeaseLost = errors.New("its lease expired and another process took it")

// Lost is closed when the lease was taken over by another process (this
// one failed to renew it in time): work it guarded must stop.
func (l *Lock) Lost() <-chan struct{} { return l.lostCh }

// Context returns a context that is cancelled, with the reason as its
// cause, when parent is or when the lease is lost.
func (l *Lock) Context(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	go func() {
		select {
		case <-l.lostCh:
			cancel(l.Err())
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// Err returns why the lease was lost, or nil while it is held.
func (l *Lock) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

func (l *Lock) renew(ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), ttl/3)
	defer cancel()
	err := retryTx(ctx, l.db, func(tx *sqlx.Tx) error { return l.fence(ctx, tx) })
	if err != nil && !errors.Is(err, errLeaseLost) {
		return fmt.Errorf("renew lock %s: %w", l.name, err)
	}
	return err
}

// fence renews the lease in tx, failing with errLeaseLost when another
// process took it over. A transaction that calls it commits only while
// this process holds the lease: the lease row is in its write set, so a
// concurrent takeover on another node of a cluster fails certification
// against it (one of the two is retried and then sees the other).
func (l *Lock) fence(ctx context.Context, tx *sqlx.Tx) error {
	res, err := tx.ExecContext(ctx, Tag+"UPDATE "+l.table+" SET expires_at = NOW(6) + INTERVAL ? MICROSECOND"+
		" WHERE name = ? AND token = ?", l.ttl.Microseconds(), l.name, l.token)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errLeaseLost
	}
	return nil
}

// stopRenewing ends the heartbeat without deleting the row, as a killed
// process would.
func (l *Lock) stopRenewing() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.stop)
	}
	<-l.done
}

// Release stops the renewals and deletes the lease. It returns an error
// when the lease was lost meanwhile. Calling it again does nothing.
func (l *Lock) Release() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.stop)
	l.mu.Unlock()
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := retryTx(ctx, l.db, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, Tag+"DELETE FROM "+l.table+" WHERE name = ? AND token = ?", l.name, l.token)
		return err
	})
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.name, err)
	}
	return l.Err()
}

// leaseHeld reports whether an unexpired lease name exists, and its holder.
func leaseHeld(ctx context.Context, db sqlx.QueryerContext, schema, name string) (bool, string, error) {
	var holders []string
	err := sqlx.SelectContext(ctx, db, &holders, Tag+"SELECT holder FROM "+QuoteTable(schema, "leases")+
		" WHERE name = ? AND expires_at >= NOW(6)", name)
	if err != nil {
		return false, "", fmt.Errorf("check the lock %s: %w", name, err)
	}
	if len(holders) == 0 {
		return false, "", nil
	}
	return true, holders[0], nil
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
