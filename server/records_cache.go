package server

import (
	"context"
	"strconv"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Limits of the records page cache (memo.go): pages kept, the bytes of
// their values, the largest page kept; and the filtered counts kept.
const (
	recordsCachePages   = 512
	recordsCacheBytes   = 64 << 20
	maxRecordsPageBytes = 4 << 20
	countsCacheEntries  = 4096
)

// recordsKey names a page of records of a served slot: the slot (with
// when its copy was taken: a slot name comes back if the meta schema is
// made anew) and everything that makes the query (the credential columns
// left out depend on the table alone).
type recordsKey struct {
	slot           string
	taken          int64
	table          string
	filters, sort  string // quoted: no two filter lists read the same
	size, valueLen int
	after, before  string
}

// countKey names the count of a filtered query of a served slot.
type countKey struct {
	slot           string
	taken          int64
	table, filters string
}

// recordCount is a filtered query's count, up to MaxCountedRows.
type recordCount struct {
	n    int64
	more bool
}

// recordsCaches are the records pages and filtered counts read from
// served slots.
type recordsCaches struct {
	pages  *memo[recordsKey, *keptPage]
	counts *memo[countKey, recordCount]
}

func newRecordsCaches() recordsCaches {
	return recordsCaches{
		pages:  newMemo[recordsKey](recordsCachePages, recordsCacheBytes, maxRecordsPageBytes, func(k *keptPage) int64 { return recordsPageBytes(k.page) }),
		counts: newMemo[countKey](countsCacheEntries, countsCacheEntries*64, 64, func(recordCount) int64 { return 64 }),
	}
}

// keptPage is a records page with its rows' HTML (by language and day).
type keptPage struct {
	page *mysql.Page
	text pageText
}

// page returns the page q asks for of gen's slot, read with read unless
// kept, and the HTML kept with it. The page is the caller's to change: its
// rows are shared, its fields are not.
func (rc recordsCaches) page(ctx context.Context, gen *weekback.Generation, q mysql.RecordQuery,
	read func(context.Context) (*mysql.Page, error)) (*mysql.Page, *pageText, error) {
	key := recordsKey{slot: gen.Slot, taken: gen.Manifest.SnapshotAt.UnixNano(), table: q.Table, filters: filtersKey(q.Filters), sort: q.Sort.String(),
		size: q.PageSize, valueLen: q.MaxValueLen, after: q.After, before: q.Before}
	k, err := rc.pages.get(ctx, key, func(ctx context.Context) (*keptPage, error) {
		p, err := read(ctx)
		k := &keptPage{page: p}
		k.text.grew = func(n int64) { rc.pages.grow(key, k, n) }
		return k, err
	})
	if err != nil {
		return nil, nil, err
	}
	own := *k.page
	return &own, &k.text, nil
}

// count returns the count of q's filtered rows in gen's slot, read with
// read unless kept.
func (rc recordsCaches) count(ctx context.Context, gen *weekback.Generation, q mysql.RecordQuery,
	read func(context.Context) (recordCount, error)) (recordCount, error) {
	key := countKey{slot: gen.Slot, taken: gen.Manifest.SnapshotAt.UnixNano(), table: q.Table, filters: filtersKey(q.Filters)}
	return rc.counts.get(ctx, key, read)
}

// filtersKey writes fs for a cache key, every field quoted: two lists
// that differ never read the same (their command-line forms can: column
// "a=eq:x" isnull and column "a" eq "x=isnull" are both a=eq:x=isnull).
func filtersKey(fs []weekback.Filter) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(strconv.Quote(f.Column))
		b.WriteString(strconv.Quote(string(f.Op)))
		b.WriteString(strconv.Quote(f.Value))
		for _, v := range f.Values {
			b.WriteString(strconv.Quote(v))
		}
		b.WriteString(";")
	}
	return b.String()
}

// recordsPageBytes is about what a page holds in memory: its values, keys
// and cursors.
func recordsPageBytes(p *mysql.Page) int64 {
	n := int64(len(p.Next) + len(p.Prev) + 256)
	for _, r := range p.Rows {
		n += int64(len(r.Key)) + 40
		for _, v := range r.Values {
			n += int64(len(v.Bytes)) + 48
		}
	}
	return n
}
