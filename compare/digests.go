package compare

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// DigestSource reads the row digests snapshots stored (mysql.Meta):
// fn gets each part of slot's table in order, and owns it.
type DigestSource interface {
	RowDigests(ctx context.Context, slot, table string, fn func(data []byte) error) error
}

// byDigests compares a table by the two generations' row digests
// (mysql/digests.go): keys on one side only are added or deleted rows,
// keys on both with other digests changed rows, as a merge of the rows
// would count them, since a row's digest covers every copied column.
// It returns nil (read the rows) when either side has none, when their
// columns, key or types differ, or when a list does not add up to its
// manifest's row count and content hash (damaged, or not this copy's).
func (c *Comparer) byDigests(ctx context.Context, p *tablePlan) (*TableChange, error) {
	a, b := c.digestPair(p)
	if a == nil {
		return nil, nil
	}
	tc := p.change
	if whole, err := c.mergeDigests(ctx, p, a, b, &tc, nil); err != nil || !whole {
		return nil, err
	}
	c.From.wholeLists.Store(a.Name, true)
	c.To.wholeLists.Store(b.Name, true)
	tc.ByDigests = true
	if tc.Moved() > 0 {
		tc.Status = StatusChanged
	}
	return &tc, nil
}

// keysByDigests is Keys by the two generations' row digests: false (read
// the rows) when the table cannot be, or when q filters or pages. Both
// lists are checked whole before the first key is given.
func (c *Comparer) keysByDigests(ctx context.Context, p *tablePlan, q RowQuery, fn func(key []string) error) (bool, error) {
	if _, err := ParseKind(string(q.Kind)); err != nil || len(q.Filters) > 0 || q.After != "" || q.Limit > 0 {
		return false, nil
	}
	if whole, err := c.digestsWhole(ctx, p); !whole || err != nil {
		return false, err
	}
	a, b := c.digestPair(p)
	emit := func(kind Kind, key []uint64) error {
		if kind != q.Kind {
			return nil
		}
		return fn(mysql.FormatDigestKey(key, a.Digests.Unsigned))
	}
	var tc TableChange
	whole, err := c.mergeDigests(ctx, p, a, b, &tc, emit)
	if err == nil && !whole {
		err = ctx.Err()
		if err == nil { // checked whole a moment ago
			err = fmt.Errorf("the row digests of %s changed while they were read; try again", p.name)
		}
	}
	return true, err
}

// mergeDigests merges the lists of a and b, counting into tc and calling
// emit (when not nil) with each row added, deleted or changed; whole is
// false when either list is not its manifest's (see digestStream.whole).
func (c *Comparer) mergeDigests(ctx context.Context, p *tablePlan, a, b *weekback.TableInfo, tc *TableChange,
	emit func(Kind, []uint64) error) (whole bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	from := c.From.digestStream(ctx, a)
	to := c.To.digestStream(ctx, b)
	err = c.walkDigests(from, to, a.Digests.Unsigned, tc, emit)
	whole = true
	for _, s := range []*digestStream{from, to} {
		w := s.whole() // waits for its reader
		if s.readErr != nil && err == nil {
			err = fmt.Errorf("compare table %s: %w", p.name, s.readErr)
		}
		whole = whole && w
	}
	return whole, err
}

// digestPair returns both manifests' entries of p's table when the table
// can be compared by its row digests, else nils.
func (c *Comparer) digestPair(p *tablePlan) (a, b *weekback.TableInfo) {
	if c.Rescan || c.From.Digests == nil || c.To.Digests == nil || c.From.Manifest == nil || c.To.Manifest == nil ||
		p.key == nil || p.change.ColumnsDiffer() || p.change.Status != StatusSame {
		return nil, nil
	}
	a, b = c.From.Manifest.Table(p.name), c.To.Manifest.Table(p.name)
	if a == nil || b == nil || a.Digests == nil || b.Digests == nil || a.History || b.History ||
		!slices.Equal(a.Columns, b.Columns) || len(a.Columns) != len(p.cols) ||
		!slices.Equal(a.Digests.Key, p.change.Key) || !slices.Equal(b.Digests.Key, p.change.Key) ||
		!slices.Equal(a.Digests.Unsigned, b.Digests.Unsigned) || len(a.Digests.Unsigned) != len(p.change.Key) {
		return nil, nil
	}
	return a, b
}

// walkDigests counts into tc what the two lists' merge finds.
func (c *Comparer) walkDigests(from, to *digestStream, unsigned []bool, tc *TableChange, emit func(Kind, []uint64) error) error {
	hasF, hasT := from.next(), to.next()
	var n int64
	for hasF || hasT {
		var err error
		o := 0
		switch {
		case !hasT:
			o = -1
		case !hasF:
			o = 1
		default:
			o = mysql.CompareDigestKeys(from.key, to.key, unsigned)
		}
		switch {
		case o < 0:
			tc.Deleted++
			tc.RowsFrom++
			err = emitKey(emit, Deleted, from.key)
		case o > 0:
			tc.Added++
			tc.RowsTo++
			err = emitKey(emit, Added, to.key)
		default:
			if from.digest != to.digest {
				tc.Changed++
				err = emitKey(emit, Changed, from.key)
			}
			tc.RowsFrom++
			tc.RowsTo++
		}
		if err != nil {
			return err
		}
		if o <= 0 {
			hasF = from.next()
			if n++; n%progressEvery == 0 {
				c.report(Progress{Table: tc.Table, Rows: n, TableRows: from.info.Rows})
			}
		}
		if o >= 0 {
			hasT = to.next()
		}
	}
	return nil
}

func emitKey(emit func(Kind, []uint64) error, kind Kind, key []uint64) error {
	if emit == nil {
		return nil
	}
	return emit(kind, key)
}

// digestStream is one side's list of row digests, its parts read by a
// goroutine of its own while the merge decodes them.
type digestStream struct {
	info  *weekback.TableInfo
	parts chan []byte
	r     *mysql.DigestReader
	n     int // parts received

	key     []uint64
	digest  uint64
	damaged bool
	readErr error // set before parts is closed
}

func (s *Side) digestStream(ctx context.Context, info *weekback.TableInfo) *digestStream {
	ds := &digestStream{info: info, parts: make(chan []byte, 2), r: mysql.NewDigestReader(info.Digests.Unsigned)}
	go func() {
		defer close(ds.parts)
		ds.readErr = s.Digests.RowDigests(ctx, s.Schema, info.Name, func(data []byte) error {
			select {
			case ds.parts <- data:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if ctx.Err() != nil {
			ds.readErr = nil // the merge stopped early; what it read is judged by whole
		}
	}()
	return ds
}

// next moves to the list's next row; false at its end or at damage.
func (ds *digestStream) next() bool {
	for !ds.r.More() {
		part, ok := <-ds.parts
		if !ok {
			return false
		}
		ds.n++
		ds.r.Feed(part)
	}
	key, d, err := ds.r.Next()
	if err != nil {
		ds.damaged = true
		return false
	}
	ds.key, ds.digest = key, d
	return true
}

// whole reports whether the list read was the table's whole list: its
// parts, rows and the sum of its digests are what the manifest says.
func (ds *digestStream) whole() bool {
	for range ds.parts { // a damaged part ended the merge early
		ds.damaged = true
	}
	want, err := strconv.ParseUint(ds.info.Hash, 10, 64)
	return err == nil && !ds.damaged && ds.n == ds.info.Digests.Parts &&
		ds.r.Rows() == ds.info.Rows && ds.r.Sum() == want
}

// maxDigestPage is the largest page of change rows picked by the row
// digests: its keys become one IN list on both sides.
const maxDigestPage = 1000

// pageByDigests returns the condition that limits a page of q's change
// rows to the keys the row digests give for it (at most q.Limit+1 keys
// of q.Kind after q.After), with its arguments; ok is false when the
// page is read the usual way: filters, no limit or a large one, or a
// table the digests cannot compare.
func (c *Comparer) pageByDigests(ctx context.Context, p *tablePlan, q RowQuery) (cond string, args []any, ok bool, err error) {
	if len(q.Filters) > 0 || q.Limit <= 0 || q.Limit > maxDigestPage {
		return "", nil, false, nil
	}
	a, b := c.digestPair(p)
	if a == nil {
		return "", nil, false, nil
	}
	unsigned := a.Digests.Unsigned
	after, ok := parseDigestCursor(q.After, unsigned)
	if !ok {
		return "", nil, false, nil
	}
	if whole, err := c.digestsWhole(ctx, p); !whole || err != nil {
		return "", nil, false, err
	}
	var keys [][]uint64
	emit := func(kind Kind, key []uint64) error {
		if kind != q.Kind || after != nil && mysql.CompareDigestKeys(key, after, unsigned) <= 0 {
			return nil
		}
		keys = append(keys, slices.Clone(key))
		if len(keys) > q.Limit {
			return errStop
		}
		return nil
	}
	if _, err := c.mergeDigests(ctx, p, a, b, &TableChange{}, emit); err != nil && err != errStop {
		return "", nil, false, err
	}
	cond, args = keyIn(p.change.Key, keys, unsigned)
	return cond, args, true, nil
}

// limitToDigests narrows the scans of a page of change rows to the keys
// the row digests give for it (pageByDigests): the rows of those keys are
// merged as usual, so the page is the one a scan of both tables gives.
func (c *Comparer) limitToDigests(ctx context.Context, p *tablePlan, q RowQuery, from, to *scanSpec) error {
	cond, args, ok, err := c.pageByDigests(ctx, p, q)
	if !ok || err != nil {
		return err
	}
	p.selectList(false) // with arguments: every value cast to text, on both sides alike
	for _, sp := range []*scanSpec{from, to} {
		if sp.table == nil {
			continue
		}
		sp.scan.List = p.list
		where := cond
		if sp.scan.Where != "" {
			where = sp.scan.Where + " AND " + cond
		}
		sp.scan.Where = where
		sp.scan.Args = append(sp.scan.Args, args...)
	}
	return nil
}

// digestsWhole reports whether both sides' row digests of p's table are
// whole (digestStream.whole), reading them only when this pair of sides
// has not read them whole before (by Tables, Keys or an earlier page):
// a list never changes, so later walks may stop early.
func (c *Comparer) digestsWhole(ctx context.Context, p *tablePlan) (bool, error) {
	_, a := c.From.wholeLists.Load(p.name)
	_, b := c.To.wholeLists.Load(p.name)
	if a && b {
		return true, nil
	}
	tc, err := c.byDigests(ctx, p)
	return tc != nil, err
}

// parseDigestCursor reads a page cursor (FormatRowKey) as a key of the
// digests; nil for none, false when it is not one.
func parseDigestCursor(after string, unsigned []bool) ([]uint64, bool) {
	if after == "" {
		return nil, true
	}
	parts, err := mysql.ParseRowKey(after)
	if err != nil {
		return nil, false
	}
	return mysql.ParseDigestKey(parts, unsigned)
}

// keyIn returns "(key columns) IN ((?, …), …)" for keys, or a condition
// no row meets when there are none.
func keyIn(names []string, keys [][]uint64, unsigned []bool) (string, []any) {
	if len(keys) == 0 {
		return "FALSE", nil
	}
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = "t." + mysql.QuoteIdent(n)
	}
	one := "(?" + strings.Repeat(", ?", len(names)-1) + ")"
	args := make([]any, 0, len(keys)*len(names))
	for _, k := range keys {
		for i, v := range k {
			if unsigned[i] {
				args = append(args, v)
			} else {
				args = append(args, int64(v))
			}
		}
	}
	return "(" + strings.Join(cols, ", ") + ") IN (" + one + strings.Repeat(", "+one, len(keys)-1) + ")", args
}
