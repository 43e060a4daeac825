package mysql

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// loginCounterKeep is how long an idle login counter is kept: longer than
// any throttle window.
const loginCounterKeep = 24 * time.Hour

// reserveTries is how many times ReserveLogin runs its transaction when
// the server chose it as a deadlock's victim.
const reserveTries = 3

// throttleScope is one row of login_throttle: a login from a client, a
// login from anywhere, or a client for any login.
type throttleScope struct {
	scope, login, client string
	counter              *weekback.LoginCounter
}

// scopes returns the rows of an attempt of login from client, in primary
// key order (every transaction locks them in that order: no deadlock
// between two attempts).
func scopes(login, client string, c *weekback.LoginCounters) []throttleScope {
	return []throttleScope{{"c", "", client, &c.Client}, {"l", login, "", &c.Login}, {"p", login, client, &c.Pair}}
}

// ReserveLogin locks the counters of an attempt of login from client (the
// rows of login_throttle, created at zero when missing), lets decide count
// the attempt or refuse it, and stores the counters when it counted it, in
// one transaction: concurrent attempts, on any replica, wait for each
// other. It returns decide's answer. It is safe for concurrent use.
func (m *Meta) ReserveLogin(ctx context.Context, login, client string, decide func(*weekback.LoginCounters) time.Duration) (time.Duration, error) {
	var retry time.Duration
	var err error
	for range reserveTries {
		err = retryTx(ctx, m.db, func(tx *sqlx.Tx) error {
			retry, err = m.reserveTx(ctx, tx, login, client, decide)
			return err
		})
		if !IsErrorNumber(err, ErrDeadlock) {
			break
		}
	}
	if err != nil {
		return 0, fmt.Errorf("reserve login attempt: %w", err)
	}
	m.purgeLoginCounters(ctx)
	return retry, nil
}

func (m *Meta) reserveTx(ctx context.Context, tx *sqlx.Tx, login, client string, decide func(*weekback.LoginCounters) time.Duration) (time.Duration, error) {
	var c weekback.LoginCounters
	rows := scopes(login, client, &c)
	for _, r := range rows {
		if err := m.lockCounter(ctx, tx, r); err != nil {
			return 0, err
		}
	}
	retry := decide(&c)
	if retry > 0 {
		return retry, nil
	}
	for _, r := range rows {
		_, err := tx.ExecContext(ctx, Tag+"UPDATE "+m.table("login_throttle")+" SET window_start = ?, attempts = ?, last_at = ?"+
			" WHERE scope = ? AND login = ? AND client = ?", r.counter.WindowStart.UTC(), r.counter.Attempts, r.counter.Last.UTC(), r.scope, r.login, r.client)
		if err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// lockCounter creates r's row when missing, locks it and reads it into
// r.counter (a row never used reads as the zero counter).
func (m *Meta) lockCounter(ctx context.Context, tx *sqlx.Tx, r throttleScope) error {
	zero := time.Unix(0, 0).UTC()
	_, err := tx.ExecContext(ctx, m.causal(ctx, Tag+"INSERT INTO "+m.table("login_throttle")+" (scope, login, client, window_start, attempts, last_at)"+
		" VALUES (?, ?, ?, ?, 0, ?) ON DUPLICATE KEY UPDATE attempts = attempts"), r.scope, r.login, r.client, zero, zero)
	if err != nil {
		return err
	}
	var start, last time.Time
	err = tx.QueryRowxContext(ctx, Tag+"SELECT window_start, attempts, last_at FROM "+m.table("login_throttle")+
		" WHERE scope = ? AND login = ? AND client = ? FOR UPDATE", r.scope, r.login, r.client).Scan(&start, &r.counter.Attempts, &last)
	if err != nil {
		return err
	}
	if start.After(zero) {
		r.counter.WindowStart = start
	}
	if last.After(zero) {
		r.counter.Last = last
	}
	return nil
}

// ReleaseLogin takes one attempt back from the counters of login from
// client (never below zero).
func (m *Meta) ReleaseLogin(ctx context.Context, login, client string) error {
	var c weekback.LoginCounters
	for _, r := range scopes(login, client, &c) {
		_, err := m.exec(ctx, Tag+"UPDATE "+m.table("login_throttle")+" SET attempts = GREATEST(attempts - 1, 0)"+
			" WHERE scope = ? AND login = ? AND client = ?", r.scope, r.login, r.client)
		if err != nil {
			return fmt.Errorf("release login attempt: %w", err)
		}
	}
	return nil
}

// purgeLoginCounters forgets counters idle for loginCounterKeep, a batch
// at a time; a failure only leaves them for the next attempt.
func (m *Meta) purgeLoginCounters(ctx context.Context) {
	m.exec(ctx, Tag+"DELETE FROM "+m.table("login_throttle")+" WHERE last_at < ? LIMIT 100", m.now().Add(-loginCounterKeep))
}
