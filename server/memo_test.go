package server

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
)

func rowsPage(valueBytes int) *changeRowsPage {
	return &changeRowsPage{Set: &compare.RowSet{Table: "t"},
		Rows: []*compare.RowChange{{Kind: compare.Changed, Key: []string{"1"}, From: [][]byte{make([]byte, valueBytes)}}}}
}

func TestRowsCacheReadsAPageOnce(t *testing.T) {
	rc := newRowsCache()
	var loads atomic.Int32
	release := make(chan struct{})
	load := func(context.Context) (*changeRowsPage, error) {
		loads.Add(1)
		<-release
		return rowsPage(10), nil
	}
	key := rowsKey{table: "t", kind: compare.Changed, limit: 50}
	var wg sync.WaitGroup
	pages := make([]*changeRowsPage, 16)
	for i := range pages {
		wg.Go(func() {
			p, err := rc.get(context.Background(), key, load)
			if err != nil {
				t.Errorf("get: %v", err)
			}
			pages[i] = p
		})
	}
	for loads.Load() == 0 {
		runtime.Gosched() // until the first reader is in load
	}
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("loads = %d, want 1 for 16 requests of one page", n)
	}
	for i, p := range pages {
		if p != pages[0] {
			t.Fatalf("request %d got another page", i)
		}
	}
	other := key
	other.after = "cursor"
	if _, err := rc.get(context.Background(), other, load); err != nil || loads.Load() != 2 {
		t.Fatalf("another cursor: err %v, loads %d, want nil, 2", err, loads.Load())
	}
}

func TestRowsCacheForgetsFailures(t *testing.T) {
	rc := newRowsCache()
	key := rowsKey{table: "t"}
	boom := errors.New("boom")
	if _, err := rc.get(context.Background(), key, func(context.Context) (*changeRowsPage, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	p, err := rc.get(context.Background(), key, func(context.Context) (*changeRowsPage, error) { return rowsPage(1), nil })
	if err != nil || p == nil {
		t.Fatalf("after a failure: %v, %v, want a page read again", p, err)
	}
}

func TestRowsCacheLimits(t *testing.T) {
	rc := newRowsCache()
	loads := 0
	load := func(size int) func(context.Context) (*changeRowsPage, error) {
		return func(context.Context) (*changeRowsPage, error) { loads++; return rowsPage(size), nil }
	}
	big := rowsKey{table: "big"}
	rc.get(context.Background(), big, load(maxRowsPageBytes+1))
	rc.get(context.Background(), big, load(maxRowsPageBytes+1))
	if loads != 2 || rc.bytes != 0 {
		t.Fatalf("a page over %d bytes: loads %d, kept %d bytes, want 2 loads and nothing kept", maxRowsPageBytes, loads, rc.bytes)
	}
	for i := range rowsCachePages + 10 {
		rc.get(context.Background(), rowsKey{table: "t", limit: i}, load(1))
	}
	if len(rc.order) != rowsCachePages || len(rc.entries) != rowsCachePages {
		t.Fatalf("kept %d pages (%d entries), want %d", len(rc.order), len(rc.entries), rowsCachePages)
	}
	if _, ok := rc.entries[rowsKey{table: "t", limit: 0}]; ok {
		t.Fatal("the oldest page is still kept")
	}
	for i := range 20 {
		rc.get(context.Background(), rowsKey{table: "m", limit: i}, load(maxRowsPageBytes-100))
	}
	if rc.bytes > rowsCacheBytes {
		t.Fatalf("kept %d bytes, want at most %d", rc.bytes, rowsCacheBytes)
	}
}

// TestRowsKeysOfFilters: two filter lists whose command-line forms read
// the same name two pages.
func TestRowsKeysOfFilters(t *testing.T) {
	a, b := changeQuery{Kind: compare.Changed}, changeQuery{Kind: compare.Changed}
	a.Filters = []weekback.Filter{{Column: "a=eq:x", Op: weekback.OpIsNull}}
	b.Filters = []weekback.Filter{{Column: "a", Op: weekback.OpEq, Value: "x=isnull"}}
	gen := &weekback.Generation{Day: weekback.Monday, Slot: "s"}
	cp := changePair{From: gen, To: gen}
	if rowsKeyOf(cp, "t", a, 50) == rowsKeyOf(cp, "t", b, 50) {
		t.Fatal("two filter lists share a page of change rows")
	}
}
