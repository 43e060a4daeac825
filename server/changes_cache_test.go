package server

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
)

// TestChangeCache: a pair is compared once however many ask, in the
// background (a page that stops waiting leaves it going), a failure is
// forgotten so the next ask starts again, and close waits for the work.
func TestChangeCache(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	cc := newChangeCache(ctx)
	release := make(chan struct{})
	var calls atomic.Int32
	fail := atomic.Bool{}
	cc.compare = func(ctx context.Context, from, to *weekback.Generation, progress func(compare.Progress)) ([]compare.TableChange, error) {
		calls.Add(1)
		progress(compare.Progress{TablesDone: 1, Tables: 2})
		<-release
		if fail.Load() {
			return nil, errors.New("backup server gone")
		}
		return []compare.TableChange{{Table: "orders", Deleted: 60, RowsFrom: 100}}, nil
	}
	wed := &weekback.Generation{Day: weekback.Wednesday, Slot: "wb_wed_r1"}
	thu := &weekback.Generation{Day: weekback.Thursday, Slot: "wb_thu_r1"}
	e := cc.entry(wed, thu)
	if e.wait(context.Background(), 20*time.Millisecond) {
		t.Fatal("the comparison is done before it was released")
	}
	if p := e.progress.Load(); p == nil || p.TablesDone != 1 {
		t.Errorf("progress %+v, want 1 of 2 tables", p)
	}
	if again := cc.entry(wed, thu); again != e {
		t.Error("asking again started another comparison")
	}
	close(release)
	if !e.wait(context.Background(), 5*time.Second) || e.err != nil || e.byTable["orders"].Deleted != 60 {
		t.Fatalf("done %v err %v tables %v", e.ready(), e.err, e.byTable)
	}
	thu2 := &weekback.Generation{Day: weekback.Thursday, Slot: "wb_thu_r2"} // Thursday replaced by a new snapshot
	fail.Store(true)
	e2 := cc.entry(wed, thu2)
	if !e2.wait(context.Background(), 5*time.Second) || e2.err == nil {
		t.Fatalf("the failing comparison: done %v err %v", e2.ready(), e2.err)
	}
	fail.Store(false)
	if e3 := cc.entry(wed, thu2); e3 == e2 || !e3.wait(context.Background(), 5*time.Second) || e3.err != nil {
		t.Fatalf("after a failure the pair is not compared again")
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d comparisons, want 3 (one per pair, one again after the failure)", n)
	}
	stop()
	cc.close()
}
