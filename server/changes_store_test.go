package server

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/mysql/mysqltest"
)

// mustOpenChangeMeta returns a fresh meta schema whose Wednesday and
// Thursday point at the slots wed and thu, and those generations.
func mustOpenChangeMeta(t *testing.T) (meta *mysql.Meta, wed, thu *weekback.Generation) {
	t.Helper()
	ctx := context.Background()
	prefix := mysqltest.UniqueName("wbcs_")
	mysqltest.DropPrefixOnCleanup(t, mysqltest.MustOpen(t), prefix)
	db, err := mysql.Open(ctx, mysqltest.DSN(t, ""), "test", mysql.RoleMeta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if meta, err = mysql.OpenMeta(ctx, db, prefix); err != nil {
		t.Fatal(err)
	}
	wed = &weekback.Generation{Day: weekback.Wednesday, Slot: prefix + "_wed_r1"}
	thu = &weekback.Generation{Day: weekback.Thursday, Slot: prefix + "_thu_r2"}
	for _, g := range []*weekback.Generation{wed, thu} {
		mustSwitch(t, meta, g)
	}
	return meta, wed, thu
}

func mustSwitch(t *testing.T, meta *mysql.Meta, g *weekback.Generation) {
	t.Helper()
	m := &weekback.Manifest{Day: g.Day, Slot: g.Slot, SnapshotAt: time.Now()}
	if _, err := meta.Switch(context.Background(), g.Day, g.Slot, m, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// replica is one server process's change cache over the shared meta
// schema, counting its comparisons.
type replica struct {
	cc    *changeCache
	calls atomic.Int32
}

func newReplica(t *testing.T, store weekback.ChangeSetStore, deleted int64) *replica {
	ctx, stop := context.WithCancel(context.Background())
	r := &replica{cc: newChangeCache(ctx)}
	r.cc.store = store
	r.cc.onStoreError = func(err error) { t.Errorf("stored change sets: %v", err) }
	r.cc.compare = func(ctx context.Context, from, to *weekback.Generation, progress func(compare.Progress)) ([]compare.TableChange, error) {
		r.calls.Add(1)
		return []compare.TableChange{{Table: "orders", Deleted: deleted, RowsFrom: 100, RowsTo: 100 - deleted}}, nil
	}
	t.Cleanup(func() { stop(); r.cc.close() })
	return r
}

// deleted returns the orders deleted between from and to as r's cache
// has them.
func (r *replica) deleted(t *testing.T, from, to *weekback.Generation) int64 {
	t.Helper()
	e := r.cc.entry(from, to)
	if !e.wait(context.Background(), 10*time.Second) || e.err != nil {
		t.Fatalf("comparison: done %v err %v", e.ready(), e.err)
	}
	return e.byTable["orders"].Deleted
}

// TestChangeSetStore: a change set one replica computed is stored in the
// meta schema and read, not computed again, by another replica (or the
// same server after a restart); a pair whose side was replaced by a new
// snapshot is computed again, and the old slot's change set is deleted.
func TestChangeSetStore(t *testing.T) {
	meta, wed, thu := mustOpenChangeMeta(t)
	a := newReplica(t, meta, 60)
	if got := a.deleted(t, wed, thu); got != 60 || a.calls.Load() != 1 {
		t.Fatalf("first replica: deleted=%d after %d comparisons, want 60 after 1", got, a.calls.Load())
	}
	cs, err := meta.ChangeSet(context.Background(), wed.Slot, thu.Slot)
	if err != nil || cs == nil || cs.Engine != compare.EngineVersion {
		t.Fatalf("stored change set %+v, %v; want one of engine %d", cs, err, compare.EngineVersion)
	}
	b := newReplica(t, meta, 999) // would answer 999 if it compared
	if got := b.deleted(t, wed, thu); got != 60 || b.calls.Load() != 0 {
		t.Fatalf("second replica: deleted=%d after %d comparisons, want the stored 60 after none", got, b.calls.Load())
	}
	if again, _ := meta.ChangeSet(context.Background(), wed.Slot, thu.Slot); !again.ComputedAt.Equal(cs.ComputedAt) {
		t.Errorf("computed_at moved from %v to %v: the change set was computed again", cs.ComputedAt, again.ComputedAt)
	}

	thu2 := &weekback.Generation{Day: weekback.Thursday, Slot: thu.Slot + "x"} // Thursday replaced
	mustSwitch(t, meta, thu2)
	c := newReplica(t, meta, 7)
	if got := c.deleted(t, wed, thu2); got != 7 || c.calls.Load() != 1 {
		t.Fatalf("after the replacement: deleted=%d after %d comparisons, want 7 after 1", got, c.calls.Load())
	}
	if old, err := meta.ChangeSet(context.Background(), wed.Slot, thu.Slot); err != nil || old != nil {
		t.Errorf("the replaced slot's change set = %+v, %v; want it deleted", old, err)
	}
}

// TestChangeSetStoreEngine: a change set of another engine version is
// computed again, not reused.
func TestChangeSetStoreEngine(t *testing.T) {
	meta, wed, thu := mustOpenChangeMeta(t)
	old := &weekback.ChangeSet{From: wed.Slot, To: thu.Slot, Engine: compare.EngineVersion - 1, Tables: []byte(`[{"table":"orders","deleted":1}]`)}
	if err := meta.PutChangeSet(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	r := newReplica(t, meta, 60)
	if got := r.deleted(t, wed, thu); got != 60 || r.calls.Load() != 1 {
		t.Fatalf("deleted=%d after %d comparisons, want 60 after 1 (the old engine's result ignored)", got, r.calls.Load())
	}
}
