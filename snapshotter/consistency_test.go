package snapshotter_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

const (
	preloaded      = 60000 // parents before the writer starts; each has two children
	childrenPerSeq = 2
	warmupTxns     = 100
)

// writerTxn is one committed transaction of the writer: it inserted parent
// seq preloaded+n with its children and deleted parent seq n with its.
type writerTxn struct{ began, committed time.Time }

// TestConsistentPointInTime runs a writer that commits parent and child
// rows in single transactions during the snapshot. The copy must hold the
// state after exactly k of those transactions (no orphans, no half
// transaction, parents and children copied on different connections agree),
// and k must match the recorded snapshot time.
func TestConsistentPointInTime(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.MustOpen(t)
	src := mysqltest.MustCreateSchema(t, db, "wbt_src_")
	mustLoadParents(t, db, src)
	s := MustOpenSnapshotter(t, db, src)
	s.Parallelism = 4

	w := startWriter(t, mysqltest.DSN(t, src))
	res, err := s.Snapshot(ctx, weekback.Wednesday)
	txns := w.stop()
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if res.Manifest.Mode != weekback.ModeParallel {
		t.Fatalf("mode = %s, want %s (root may take the global read lock)", res.Manifest.Mode, weekback.ModeParallel)
	}
	k := assertStateAfterTxns(t, db, res.Manifest.Slot)
	before, after := 0, 0
	for _, x := range txns {
		if x.committed.Before(res.Manifest.SnapshotAt) {
			before++
		}
		if x.began.Before(res.Manifest.SnapshotAt) {
			after++
		}
	}
	t.Logf("writer committed %d transactions in all; the copy holds the first %d; %d committed before the snapshot time, %d began before it",
		len(txns), k, before, after)
	if k < before || k > after {
		t.Fatalf("copy holds %d transactions, want between %d (committed before %s) and %d (begun before it)",
			k, before, res.Manifest.SnapshotAt.Format(time.RFC3339Nano), after)
	}
	if k == len(txns) {
		t.Fatalf("the writer's every transaction (%d) is in the copy: it did not overlap the snapshot", k)
	}
}

func mustLoadParents(t *testing.T, db *sql.DB, src string) {
	t.Helper()
	p, c := mysql.QuoteTable(src, "parents"), mysql.QuoteTable(src, "children")
	mysqltest.MustExec(t, db,
		"CREATE TABLE "+p+" (id BIGINT AUTO_INCREMENT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, pad CHAR(200) NOT NULL) ENGINE=InnoDB",
		"CREATE TABLE "+c+" (id BIGINT AUTO_INCREMENT PRIMARY KEY, parent_id BIGINT NOT NULL, seq BIGINT NOT NULL, pad CHAR(200) NOT NULL,"+
			" KEY (seq), CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parents (id)) ENGINE=InnoDB",
		fmt.Sprintf("INSERT INTO %s (seq, pad) SELECT seq, REPEAT('p', 200) FROM %s.seq_1_to_%d", p, mysql.QuoteIdent(src), preloaded),
		fmt.Sprintf("INSERT INTO %s (parent_id, seq, pad) SELECT p.id, p.seq, REPEAT('c', 200) FROM %s p, %s.seq_1_to_%d x", c, p, mysql.QuoteIdent(src), childrenPerSeq),
	)
}

type writer struct {
	mu   sync.Mutex
	txns []writerTxn
	done chan struct{}
	wg   sync.WaitGroup
	err  error
}

// startWriter commits transactions until stop; it returns once warmupTxns
// have committed, so the snapshot surely starts while it runs.
func startWriter(t *testing.T, dsn string) *writer {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &writer{done: make(chan struct{})}
	w.wg.Go(func() {
		for n := 1; ; n++ {
			select {
			case <-w.done:
				return
			default:
			}
			began := time.Now()
			if err := writerTxnN(db, n); err != nil {
				w.err = err
				return
			}
			w.mu.Lock()
			w.txns = append(w.txns, writerTxn{began: began, committed: time.Now()})
			w.mu.Unlock()
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		w.mu.Lock()
		n := len(w.txns)
		w.mu.Unlock()
		if n >= warmupTxns || w.err != nil {
			break
		}
	}
	return w
}

func writerTxnN(db *sql.DB, n int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec("INSERT INTO parents (seq, pad) VALUES (?, 'new')", preloaded+n)
	if err != nil {
		return err
	}
	id, _ := res.LastInsertId()
	for range childrenPerSeq {
		if _, err := tx.Exec("INSERT INTO children (parent_id, seq, pad) VALUES (?, ?, 'new')", id, preloaded+n); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("DELETE FROM children WHERE seq = ?", n); err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM parents WHERE seq = ?", n); err != nil {
		return err
	}
	return tx.Commit()
}

func (w *writer) stop() []writerTxn {
	close(w.done)
	w.wg.Wait()
	if w.err != nil {
		panic(fmt.Sprintf("writer: %v", w.err))
	}
	return w.txns
}

// assertStateAfterTxns checks the slot holds exactly the state after the
// writer's first k transactions (parents seq k+1 … preloaded+k, each with
// its children, no orphan) and returns k.
func assertStateAfterTxns(t *testing.T, db *sql.DB, slot string) int {
	t.Helper()
	p, c := mysql.QuoteTable(slot, "parents"), mysql.QuoteTable(slot, "children")
	var minSeq, maxSeq, parents, children, orphans, incomplete int
	db.QueryRow("SELECT MIN(seq), MAX(seq), COUNT(*) FROM "+p).Scan(&minSeq, &maxSeq, &parents)
	db.QueryRow("SELECT COUNT(*) FROM " + c).Scan(&children)
	db.QueryRow("SELECT COUNT(*) FROM " + c + " c LEFT JOIN " + p + " p ON p.id = c.parent_id WHERE p.id IS NULL OR p.seq <> c.seq").Scan(&orphans)
	db.QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM (SELECT p.id FROM %s p LEFT JOIN %s c ON c.parent_id = p.id GROUP BY p.id HAVING COUNT(c.id) <> %d) x",
		p, c, childrenPerSeq)).Scan(&incomplete)
	k := minSeq - 1
	if orphans != 0 || incomplete != 0 {
		t.Fatalf("copy is not one point in time: %d orphan children, %d parents without all their children", orphans, incomplete)
	}
	if parents != preloaded || maxSeq != preloaded+k || children != preloaded*childrenPerSeq {
		t.Fatalf("copy holds parents %d…%d (%d rows) and %d children, want the state after %d transactions: %d…%d (%d rows), %d children",
			minSeq, maxSeq, parents, children, k, k+1, preloaded+k, preloaded, preloaded*childrenPerSeq)
	}
	return k
}
