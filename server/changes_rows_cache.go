package server

// Pages of change rows between two generations, kept in memory: both
// slots are read-only once served, so the rows of one kind of change of a
// table, with the same filters and cursor, are always the same. A page
// asked for by many users at once is read once (the others wait for it),
// and again only after it has been dropped.

import (
	"context"
	"fmt"
	"sync"

	"github.com/weekback/weekback/compare"
)

// Limits of the change rows cache: pages kept, and the bytes of their
// values; a page over maxRowsPageBytes is never kept.
const (
	rowsCachePages   = 256
	rowsCacheBytes   = 64 << 20
	maxRowsPageBytes = 4 << 20
)

// rowsKey names a page of change rows.
type rowsKey struct {
	pair    pairKey
	table   string
	kind    compare.Kind
	filters string
	after   string
	limit   int
}

// rowsEntry is one page, ready when done is closed.
type rowsEntry struct {
	done chan struct{}
	page *changeRowsPage
	err  error
	size int64
}

// rowsCache holds pages of change rows, the oldest dropped first. The
// zero value is ready; it is safe for concurrent use.
type rowsCache struct {
	mu      sync.Mutex
	entries map[rowsKey]*rowsEntry
	order   []rowsKey // kept pages, oldest first
	bytes   int64
}

// get returns the page of key: kept, being read by another request
// (waited for), or read now with load and kept. A failed read is not
// kept: a request that waited for it reads the page itself.
func (rc *rowsCache) get(ctx context.Context, key rowsKey, load func(context.Context) (*changeRowsPage, error)) (*changeRowsPage, error) {
	rc.mu.Lock()
	if e, ok := rc.entries[key]; ok {
		rc.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			return load(ctx)
		}
		return e.page, nil
	}
	if rc.entries == nil {
		rc.entries = map[rowsKey]*rowsEntry{}
	}
	e := &rowsEntry{done: make(chan struct{})}
	rc.entries[key] = e
	rc.mu.Unlock()
	e.page, e.err = load(ctx)
	rc.finish(key, e)
	return e.page, e.err
}

// finish keeps e (dropping the oldest pages over the limits), or forgets
// it when it failed or is too big, and wakes its waiters.
func (rc *rowsCache) finish(key rowsKey, e *rowsEntry) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	defer close(e.done)
	if e.err == nil {
		e.size = pageBytes(e.page)
	}
	if e.err != nil || e.size > maxRowsPageBytes {
		delete(rc.entries, key)
		return
	}
	rc.order = append(rc.order, key)
	rc.bytes += e.size
	for len(rc.order) > rowsCachePages || rc.bytes > rowsCacheBytes {
		old := rc.order[0]
		rc.order = rc.order[1:]
		rc.bytes -= rc.entries[old].size
		delete(rc.entries, old)
	}
}

// pageBytes is about what a page holds in memory: its values and keys.
func pageBytes(p *changeRowsPage) int64 {
	var n int64
	for _, r := range p.Rows {
		for _, vals := range [][][]byte{r.From, r.To} {
			for _, v := range vals {
				n += int64(len(v)) + 24
			}
		}
		for _, k := range r.Key {
			n += int64(len(k)) + 16
		}
		n += int64(len(r.Changes)) * 64
	}
	return n
}

// rowsKeyOf names the page of cq's rows of table between cp's sides.
func rowsKeyOf(cp changePair, table string, cq changeQuery, limit int) rowsKey {
	return rowsKey{pair: pairOf(cp.From, cp.To), table: table, kind: cq.Kind,
		filters: fmt.Sprintf("%q", cq.Filters), after: cq.After, limit: limit}
}
