package mysql

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql/mysqltest"
)

// TestRetryTxDeadlock provokes a real deadlock between two connections
// (each locks one row, then wants the other's): the server kills one
// transaction with 1213 and retryTx runs it again, so both succeed.
func TestRetryTxDeadlock(t *testing.T) {
	ctx := context.Background()
	_, db := openLeaseMeta(t)
	schema := mysqltest.MustCreateSchema(t, mysqltest.MustOpen(t), "wbunit_")
	table := QuoteTable(schema, "t")
	if _, err := db.Exec("CREATE TABLE " + table + " (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO " + table + " VALUES (1, 0), (2, 0)"); err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	var both sync.WaitGroup // both transactions hold their first row
	both.Add(2)
	first := [2]sync.Once{}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, order := range [][2]int{{1, 2}, {2, 1}} {
		wg.Go(func() {
			errs[i] = retryTx(ctx, db, func(tx *sqlx.Tx) error {
				attempts.Add(1)
				if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET n = n + 1 WHERE id = ?", order[0]); err != nil {
					return err
				}
				first[i].Do(func() { both.Done(); both.Wait() })
				_, err := tx.ExecContext(ctx, "UPDATE "+table+" SET n = n + 1 WHERE id = ?", order[1])
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i+1, err)
		}
	}
	if n := attempts.Load(); n < 3 {
		t.Errorf("%d attempts, want a deadlock and a retry (at least 3)", n)
	}
	var sum int
	if err := db.Get(&sum, "SELECT SUM(n) FROM "+table); err != nil || sum != 4 {
		t.Fatalf("sum = %d (%v), want 4: each transaction committed exactly once", sum, err)
	}
}

// TestRetryTxGivesUp: other errors are not retried, and a conflict that
// persists is returned after txAttempts runs.
func TestRetryTxGivesUp(t *testing.T) {
	ctx := context.Background()
	_, db := openLeaseMeta(t)
	var n int
	other := errors.New("not a conflict")
	if err := retryTx(ctx, db, func(*sqlx.Tx) error { n++; return other }); !errors.Is(err, other) || n != 1 {
		t.Fatalf("plain error: %v after %d runs, want it after 1", err, n)
	}
	n = 0
	err := retryTx(ctx, db, func(tx *sqlx.Tx) error {
		n++
		_, err := tx.ExecContext(ctx, "SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found'")
		return err
	})
	if !IsErrorNumber(err, ErrDeadlock) || n != txAttempts {
		t.Fatalf("lasting deadlock: %v after %d runs, want 1213 after %d", err, n, txAttempts)
	}
	if !Unavailable(err) || Unavailable(other) || Unavailable(nil) {
		t.Errorf("Unavailable(lasting deadlock) = %v, Unavailable(plain error) = %v, Unavailable(nil) = %v; want true, false, false",
			Unavailable(err), Unavailable(other), Unavailable(nil))
	}
}
