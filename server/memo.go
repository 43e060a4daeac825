package server

// Pages read from served slots, kept in memory. A slot is read-only once
// served and a new copy of a day gets a new slot, so a page named by its
// slot and its query is always the same: it is read once while kept, a
// page asked for by many users at once is read once (the others wait for
// it), and again only after it has been dropped.

import (
	"context"
	"encoding/json"
	"html/template"
	"sync"

	"github.com/weekback/weekback/compare"
)

// memo holds values read by key, the oldest dropped first once it holds
// more than maxEntries values or maxBytes bytes (as size counts them, plus
// what grow adds); a value over maxEntryBytes is never kept. It is safe
// for concurrent use once made by newMemo.
type memo[K, V comparable] struct {
	maxEntries              int
	maxBytes, maxEntryBytes int64
	size                    func(V) int64

	mu      sync.Mutex
	entries map[K]*memoEntry[V]
	order   []K // kept values, oldest first
	bytes   int64
}

// memoEntry is one value, ready when done is closed.
type memoEntry[V any] struct {
	done  chan struct{}
	value V
	err   error
	size  int64
}

func newMemo[K, V comparable](maxEntries int, maxBytes, maxEntryBytes int64, size func(V) int64) *memo[K, V] {
	return &memo[K, V]{maxEntries: maxEntries, maxBytes: maxBytes, maxEntryBytes: maxEntryBytes, size: size,
		entries: map[K]*memoEntry[V]{}}
}

// get returns the value of key: kept, being read by another request
// (waited for), or read now with load and kept. A failed read is not
// kept: a request that waited for it reads the value itself.
func (m *memo[K, V]) get(ctx context.Context, key K, load func(context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	if e, ok := m.entries[key]; ok {
		m.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
		if e.err != nil {
			return load(ctx)
		}
		return e.value, nil
	}
	e := &memoEntry[V]{done: make(chan struct{})}
	m.entries[key] = e
	m.mu.Unlock()
	e.value, e.err = load(ctx)
	m.finish(key, e)
	return e.value, e.err
}

// finish keeps e (dropping the oldest values over the limits), or forgets
// it when it failed or is too big, and wakes its waiters.
func (m *memo[K, V]) finish(key K, e *memoEntry[V]) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer close(e.done)
	if e.err == nil {
		e.size = m.size(e.value)
	}
	if e.err != nil || e.size > m.maxEntryBytes {
		delete(m.entries, key)
		return
	}
	m.order = append(m.order, key)
	m.bytes += e.size
	m.trim()
}

// grow counts n more bytes for v, the value kept under key (what was
// written from it since), dropping the oldest values over the limits; it
// does nothing when v is no longer kept.
func (m *memo[K, V]) grow(key K, v V, n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return
	}
	select {
	case <-e.done: // its value is set: compare it
	default:
		return // another read of key, after v was dropped
	}
	if e.value != v {
		return
	}
	e.size += n
	m.bytes += n
	m.trim()
}

// trim drops the oldest values while the limits are exceeded. m.mu is held.
func (m *memo[K, V]) trim() {
	for len(m.order) > m.maxEntries || m.bytes > m.maxBytes {
		old := m.order[0]
		m.order = m.order[1:]
		m.bytes -= m.entries[old].size
		delete(m.entries, old)
	}
}

// pageText holds what is written from a kept page, by what it depends on
// besides the page: its rows as HTML by language (and the day of their
// links), as JSON. Written once, not on every request; its bytes count
// in the memo that keeps the page (grew). The zero value is ready; it is
// safe for concurrent use.
type pageText struct {
	grew func(n int64) // counts n bytes more for the page, if set

	mu   sync.Mutex
	html map[string]template.HTML
	json map[string]json.RawMessage
}

// HTML returns the HTML of key, written by build the first time (every
// time on a nil t: a page not kept).
func (t *pageText) HTML(key string, build func() template.HTML) template.HTML {
	if t == nil {
		return build()
	}
	v, _ := keepText(t, &t.html, key, func() (template.HTML, error) { return build(), nil })
	return v
}

// JSON returns the JSON of key, written by build the first time (every
// time on a nil t); an error is not kept.
func (t *pageText) JSON(key string, build func() (json.RawMessage, error)) (json.RawMessage, error) {
	if t == nil {
		return build()
	}
	return keepText(t, &t.json, key, build)
}

// keepText returns (*m)[key], one of t's maps, built and kept the first
// time.
func keepText[T ~string | ~[]byte](t *pageText, m *map[string]T, key string, build func() (T, error)) (T, error) {
	t.mu.Lock()
	if v, ok := (*m)[key]; ok {
		t.mu.Unlock()
		return v, nil
	}
	v, err := build()
	if err != nil {
		t.mu.Unlock()
		return v, err
	}
	if *m == nil {
		*m = map[string]T{}
	}
	(*m)[key] = v
	t.mu.Unlock()
	if t.grew != nil {
		t.grew(int64(len(key) + len(v)))
	}
	return v, nil
}

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

// newRowsCache returns the cache of pages of change rows between two
// generations.
func newRowsCache() *memo[rowsKey, *changeRowsPage] {
	return newMemo[rowsKey](rowsCachePages, rowsCacheBytes, maxRowsPageBytes, pageBytes)
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
		filters: filtersKey(cq.Filters), after: cq.After, limit: limit}
}
