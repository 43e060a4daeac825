package server

// The change sets of pairs of generations, computed in the background
// and kept in memory. A slot never changes once served, and a generation
// replaced by a new snapshot gets a new slot, so a pair's result, keyed
// by the two slots, stays right until one side is replaced and is then
// simply never asked for again (and dropped when the cache is full).
// Under the memory, the meta schema keeps finished change sets by the
// same two slots (changes_store.go), so other replicas and a restarted
// server read them instead of comparing again.
// Computations run on the server's lifetime context, not a request's: a
// page that stops waiting leaves the work going, and the next page (or
// the week chart) finds it done. At most changeWorkers run at once.

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
)

// Limits of the change cache.
const (
	changeCacheSize = 64 // pairs kept; done ones are dropped beyond it
	changeWorkers   = 2  // pairs compared at once
)

// pairKey names a pair of generations by their days and slots, older
// first.
type pairKey struct{ from, to string }

func pairOf(from, to *weekback.Generation) pairKey {
	return pairKey{string(from.Day) + "/" + from.Slot, string(to.Day) + "/" + to.Slot}
}

// changeEntry is one pair's comparison, done when done is closed.
type changeEntry struct {
	done     chan struct{}
	tables   []compare.TableChange
	byTable  map[string]compare.TableChange // tables by name
	err      error
	progress atomic.Pointer[compare.Progress]
	started  time.Time
}

// ready reports whether the comparison has finished (well or not).
func (e *changeEntry) ready() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// changeCache holds the comparisons of pairs of generations. It is safe
// for concurrent use.
type changeCache struct {
	ctx     context.Context // the server's lifetime
	wg      sync.WaitGroup
	slots   chan struct{} // one token per running comparison
	compare func(ctx context.Context, from, to *weekback.Generation, progress func(compare.Progress)) ([]compare.TableChange, error)
	onError func(from, to *weekback.Generation, err error)
	digests compare.DigestSource // the sides' row digests (Server.RowDigests)
	// store keeps finished change sets in the meta schema for every
	// replica and the next process (none when nil); its failures go to
	// onStoreError and only cost a comparison.
	store        weekback.ChangeSetStore
	onStoreError func(err error)

	// rows keeps pages of change rows of the pairs (memo.go).
	rows *memo[rowsKey, *changeRowsPage]

	mu    sync.Mutex
	pairs map[pairKey]*changeEntry
	sides map[string]*compare.Side // by day and slot
}

func newChangeCache(ctx context.Context) *changeCache {
	return &changeCache{ctx: ctx, slots: make(chan struct{}, changeWorkers), rows: newRowsCache(),
		pairs: map[pairKey]*changeEntry{}, sides: map[string]*compare.Side{}}
}

// entry returns the comparison of from with to, starting it when no
// one has. A comparison that failed is forgotten, so the next call
// starts again.
func (cc *changeCache) entry(from, to *weekback.Generation) *changeEntry {
	k := pairOf(from, to)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.pairs[k]; ok {
		return e
	}
	if len(cc.pairs) >= changeCacheSize {
		cc.dropDone()
	}
	e := &changeEntry{done: make(chan struct{}), started: time.Now()}
	cc.pairs[k] = e
	cc.wg.Add(1)
	go cc.run(k, e, from, to)
	return e
}

func (cc *changeCache) dropDone() {
	for k, e := range cc.pairs {
		if e.ready() {
			delete(cc.pairs, k)
		}
	}
}

func (cc *changeCache) run(k pairKey, e *changeEntry, from, to *weekback.Generation) {
	defer cc.wg.Done()
	defer close(e.done)
	e.tables, e.err = cc.compute(e, from, to)
	if e.err == nil {
		e.byTable = make(map[string]compare.TableChange, len(e.tables))
		for _, tc := range e.tables {
			e.byTable[tc.Table] = tc
		}
		return
	}
	cc.mu.Lock()
	delete(cc.pairs, k)
	cc.mu.Unlock()
	if cc.onError != nil && cc.ctx.Err() == nil {
		cc.onError(from, to, e.err)
	}
}

// compute returns the pair's stored change set, or compares the pair
// (waiting for a worker) and stores the result.
func (cc *changeCache) compute(e *changeEntry, from, to *weekback.Generation) ([]compare.TableChange, error) {
	if tables, ok := cc.stored(from, to); ok {
		return tables, nil
	}
	select {
	case cc.slots <- struct{}{}:
		defer func() { <-cc.slots }()
	case <-cc.ctx.Done():
		return nil, cc.ctx.Err()
	}
	tables, err := cc.compare(cc.ctx, from, to, func(p compare.Progress) { e.progress.Store(&p) })
	if err == nil {
		cc.keep(from, to, tables)
	}
	return tables, err
}

// wait waits until e is done, ctx ends or budget passes, and reports
// whether e is done.
func (e *changeEntry) wait(ctx context.Context, budget time.Duration) bool {
	if e.ready() || budget <= 0 {
		return e.ready()
	}
	t := time.NewTimer(budget)
	defer t.Stop()
	select {
	case <-e.done:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return e.ready()
}

// close stops the running comparisons and waits for them.
func (cc *changeCache) close() { cc.wg.Wait() }

// maxSides is how many generations' sides (each with its catalog) are
// kept before they are all dropped.
const maxSides = 32

// side returns the comparison side of generation g read through db,
// reusing its catalog across requests.
func (cc *changeCache) side(db *sqlx.DB, g *weekback.Generation) *compare.Side {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	k := string(g.Day) + "/" + g.Slot
	if s, ok := cc.sides[k]; ok {
		return s
	}
	if len(cc.sides) >= maxSides {
		clear(cc.sides)
	}
	s := compare.GenerationSide(db, g)
	s.Digests = cc.digests
	cc.sides[k] = s
	return s
}
