package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// The tests named TestGalera… run against the 3-node Galera test cluster
// of scripts/ensure-galera (`make test-galera`); without it they skip.

// galeraPools opens a backup (admin) pool on every node of the cluster.
func galeraPools(t *testing.T) []*sqlx.DB {
	t.Helper()
	dsns := mysqltest.GaleraDSNs(t)
	pools := make([]*sqlx.DB, len(dsns))
	for i, dsn := range dsns {
		db, err := Open(context.Background(), mysqltest.GaleraDSN(t, dsn, ""), "backup.dsn", RoleBackup)
		if err != nil {
			t.Fatalf("open node %d: %v", i+1, err)
		}
		t.Cleanup(func() { db.Close() })
		pools[i] = db
	}
	return pools
}

// galeraPrefix returns a fresh backup prefix whose schemas are dropped
// from the cluster when the test ends.
func galeraPrefix(t *testing.T) string {
	t.Helper()
	prefix := mysqltest.UniqueName("wbgal_")
	mysqltest.DropPrefixOnCleanup(t, mysqltest.OpenNode(t, mysqltest.GaleraDSNs(t)[0]), prefix)
	return prefix
}

// openMetasAtOnce opens prefix's meta schema through every pool at the
// same moment (the first open creates and migrates it).
func openMetasAtOnce(pools []*sqlx.DB, prefix string) ([]*Meta, []error) {
	metas, errs := make([]*Meta, len(pools)), make([]error, len(pools))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range pools {
		wg.Go(func() {
			<-start
			metas[i], errs[i] = OpenMeta(context.Background(), db, prefix)
		})
	}
	close(start)
	wg.Wait()
	return metas, errs
}

// galeraMetas opens a fresh prefix's meta schema on every node.
func galeraMetas(t *testing.T) []*Meta {
	t.Helper()
	pools := galeraPools(t)
	prefix := galeraPrefix(t)
	metas := make([]*Meta, len(pools))
	for i, db := range pools {
		m, err := OpenMeta(context.Background(), db, prefix)
		if err != nil {
			t.Fatalf("open the meta schema on node %d: %v", i+1, err)
		}
		metas[i] = m
	}
	return metas
}

// TestGaleraMigrateAtOnce: the first use of a meta schema on three nodes
// at once succeeds everywhere, applies each migration once and leaves the
// schema a single server's sequential migration makes.
func TestGaleraMigrateAtOnce(t *testing.T) {
	pools := galeraPools(t)
	ref, _ := openLeaseMeta(t) // migrated alone, on the single test server
	want := mysqltest.SchemaShape(t, ref.db.DB, ref.schema)
	files, err := migrationFiles()
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 3; round++ {
		prefix := galeraPrefix(t)
		metas, errs := openMetasAtOnce(pools, prefix)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: open on node %d: %v", round, i+1, err)
			}
		}
		for i, db := range pools {
			if got := mysqltest.SchemaShape(t, db.DB, metas[i].schema); got != want {
				t.Fatalf("round %d: node %d's meta schema differs from a single server's:\n%s\nwant:\n%s", round, i+1, got, want)
			}
			var versions []int
			if err := db.Select(&versions, "SELECT version FROM "+QuoteTable(metas[i].schema, "schema_migrations")+" ORDER BY version"); err != nil {
				t.Fatal(err)
			}
			if len(versions) != len(files) || versions[len(versions)-1] != files[len(files)-1].version {
				t.Fatalf("round %d: node %d records migrations %v, want the %d of this binary", round, i+1, versions, len(files))
			}
		}
	}
}

// TestGaleraSnapshotLockExclusive: snapshots started at the same moment
// on two nodes: exactly one takes the lock, the other is refused naming
// the holder, round after round.
func TestGaleraSnapshotLockExclusive(t *testing.T) {
	ctx := context.Background()
	metas := galeraMetas(t)[:2]
	for round := 1; round <= 10; round++ {
		locks, errs := make([]*Lock, 2), make([]error, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, m := range metas {
			wg.Go(func() {
				<-start
				locks[i], errs[i] = m.LockSnapshot(ctx)
			})
		}
		close(start)
		wg.Wait()
		var held []*Lock
		var refused []error
		for i := range locks {
			if locks[i] != nil {
				held = append(held, locks[i])
			} else {
				refused = append(refused, errs[i])
			}
		}
		if len(held) != 1 {
			t.Fatalf("round %d: %d snapshots took the lock (errors %v), want exactly 1", round, len(held), errs)
		}
		var we *weekback.Error
		if !errors.As(refused[0], &we) || we.Code != weekback.ECONFLICT ||
			!strings.Contains(refused[0].Error(), "another snapshot is running") || !strings.Contains(refused[0].Error(), " pid ") {
			t.Fatalf("round %d: the refused snapshot's error is %v, want ECONFLICT naming the holder", round, refused[0])
		}
		if err := held[0].Release(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGaleraLeaseTakenOver: a holder on node 1 that stops renewing (a
// killed process) keeps its lease until it expires; then node 2 takes it
// over and the old holder learns it lost it.
func TestGaleraLeaseTakenOver(t *testing.T) {
	ctx := context.Background()
	metas := galeraMetas(t)
	const ttl = 1500 * time.Millisecond
	a, err := takeLease(ctx, metas[0].db, metas[0].schema, SnapshotLeaseName, ttl)
	if err != nil || a == nil {
		t.Fatalf("take on node 1: %v, %v", a, err)
	}
	time.Sleep(2 * ttl) // renewed meanwhile
	if b, err := takeLease(ctx, metas[1].db, metas[1].schema, SnapshotLeaseName, ttl); err != nil || b != nil {
		t.Fatalf("take on node 2 while node 1 renews: %v, %v; want refused", b, err)
	}
	a.stopRenewing()
	stopped := time.Now()
	b, err := waitLease(ctx, metas[1].db, metas[1].schema, SnapshotLeaseName, ttl, 10*ttl)
	if err != nil || b == nil {
		t.Fatalf("take over on node 2: %v, %v", b, err)
	}
	defer b.Release()
	took := time.Since(stopped)
	t.Logf("node 2 took the lease over %s after node 1 stopped renewing (lease %s)", took.Round(time.Millisecond), ttl)
	if took < ttl-ttl/3-100*time.Millisecond || took > ttl+time.Second {
		t.Errorf("taken over after %s, want about the lease's %s after the last renewal", took, ttl)
	}
	if err := retryTx(ctx, metas[0].db, func(tx *sqlx.Tx) error { return a.fence(ctx, tx) }); !errors.Is(err, errLeaseLost) {
		t.Errorf("the old holder's fenced write on node 1: %v, want the lease lost", err)
	}
	if c, err := takeLease(ctx, metas[2].db, metas[2].schema, SnapshotLeaseName, ttl); err != nil || c != nil {
		t.Fatalf("take on node 3 while node 2 holds it: %v, %v; want refused", c, err)
	}
}

// TestGaleraSwitchFenced: a run on node 1 whose lease node 2 took over
// cannot switch; node 2's can.
func TestGaleraSwitchFenced(t *testing.T) {
	metas := galeraMetas(t)
	checkSwitchFenced(t, metas[0], metas[1])
}

// galeraJob is an export job of owner on a table named name.
func galeraJob(owner, name string) *weekback.Job {
	return &weekback.Job{Owner: owner, Kind: weekback.JobExport,
		RowsTotal: 100, Params: weekback.JobParams{Day: weekback.Monday, Table: name, Profile: "spreadsheet"}}
}

// TestGaleraJobsExactlyOnce: 80 jobs enqueued at once through nodes 1 and
// 2, then claimed by six workers on three nodes at once: no error, every
// job claimed exactly once. The certification conflicts met on the way
// (retried) are logged.
func TestGaleraJobsExactlyOnce(t *testing.T) {
	ctx := context.Background()
	metas := galeraMetas(t)
	nodes := []*sql.DB{metas[0].db.DB, metas[1].db.DB, metas[2].db.DB}
	before := mysqltest.CertFailures(t, nodes...)
	const jobs = 80
	ids := make(chan int64, jobs)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Go(func() {
			j := galeraJob(fmt.Sprintf("user%d", i%8), fmt.Sprintf("t%d", i))
			if _, err := metas[i%2].Enqueue(ctx, j, jobs); err != nil {
				t.Errorf("enqueue %d on node %d: %v", i, i%2+1, err)
				return
			}
			ids <- j.ID
		})
	}
	wg.Wait()
	close(ids)
	enqueued := mysqltest.CertFailures(t, nodes...) - before
	claimed := make(chan int64, 2*jobs)
	for w := range 6 {
		wg.Go(func() {
			m := metas[w%3]
			for {
				j, err := m.Claim(ctx, fmt.Sprintf("w%d", w), time.Minute)
				if err != nil {
					t.Errorf("claim by w%d on node %d: %v", w, w%3+1, err)
					return
				}
				if j == nil {
					return
				}
				claimed <- j.ID
			}
		})
	}
	wg.Wait()
	close(claimed)
	t.Logf("certification conflicts (retried): %d while enqueuing %d jobs, %d while claiming them",
		enqueued, jobs, mysqltest.CertFailures(t, nodes...)-before-enqueued)
	want := map[int64]bool{}
	for id := range ids {
		want[id] = true
	}
	seen := map[int64]int{}
	for id := range claimed {
		seen[id]++
	}
	if len(want) != jobs {
		t.Fatalf("%d jobs enqueued, want %d", len(want), jobs)
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("job %d claimed %d times, want once", id, seen[id])
		}
	}
	if len(seen) != jobs {
		t.Errorf("%d distinct jobs claimed, want %d", len(seen), jobs)
	}
}
