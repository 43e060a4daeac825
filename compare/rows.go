package compare

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// keylessCursor starts the cursor of a table without a key: how many rows
// of the kind came before.
const keylessCursor = "n:"

// Rows streams the rows of q.Kind in q.Table, in key order, calling fn
// with each (its slices stay valid after the call). A table on one side
// only has every row added (or deleted). q.After and q.Limit page through
// them (RowSet.Next); q.Filters select by the version the kind shows. A
// table without a key pages by counting rows (its pages cost a scan from
// the beginning). It returns ENOTFOUND for a table on neither side,
// EINVALID for a bad kind, filter or cursor (*weekback.Error), fn's
// error, and wrapped read errors.
func (c *Comparer) Rows(ctx context.Context, q RowQuery, fn func(*RowChange) error) (*RowSet, error) {
	return c.rows(ctx, q, fn, false)
}

// rows is Rows; with transient, a RowChange's values are valid only
// during fn (its Key stays: strings of their own).
func (c *Comparer) rows(ctx context.Context, q RowQuery, fn func(*RowChange) error, transient bool) (*RowSet, error) {
	if _, err := ParseKind(string(q.Kind)); err != nil {
		return nil, err
	}
	p, err := c.plan(ctx, q.Table)
	if err != nil {
		return nil, err
	}
	set := &RowSet{Table: p.name, Columns: p.cols, Key: p.keyNames()}
	skip, err := p.skip(q.After)
	if err != nil {
		return nil, err
	}
	if c.byHash(q.Table) != nil {
		return set, nil
	}
	from, to, err := c.specs(ctx, p, q)
	if err == nil {
		err = c.limitToDigests(ctx, p, q, &from, &to)
	}
	if err != nil {
		return nil, err
	}
	e := &emitter{p: p, q: q, fn: fn, skip: skip, set: set}
	sk := e.sink()
	sk.transient = transient
	sk.progress = func(n int64) { c.report(Progress{Table: q.Table, Rows: n, TableRows: c.manifestRows(q.Table)}) }
	err = p.merge(ctx, from, to, sk)
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("compare rows of %s: %w", q.Table, err)
	}
	return set, e.err
}

// Describe returns the columns and key of table's comparison (what Rows
// would return before any row), without reading rows. Errors as Rows.
func (c *Comparer) Describe(ctx context.Context, table string) (*RowSet, error) {
	p, err := c.plan(ctx, table)
	if err != nil {
		return nil, err
	}
	return &RowSet{Table: p.name, Columns: p.cols, Key: p.keyNames()}, nil
}

// skip returns how many rows a keyless cursor passes over.
func (p *tablePlan) skip(after string) (int64, error) {
	if after == "" || p.key != nil {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(after, keylessCursor), 10, 64)
	if !strings.HasPrefix(after, keylessCursor) || err != nil || n < 0 {
		return 0, weekback.Errorf(weekback.EINVALID, "this link is no longer valid; go back to the first page").WithKey("error.cursor.invalid")
	}
	return n, nil
}

// emitter turns a merge's findings of one kind into RowChanges.
type emitter struct {
	p       *tablePlan
	q       RowQuery
	fn      func(*RowChange) error
	set     *RowSet
	skip    int64
	emitted int64
	last    *RowChange
	err     error
}

func (e *emitter) sink() sink {
	s := sink{same: func(int64) {}}
	s.from = func(row [][]byte, n int64) error { return e.one(Deleted, row, nil, n) }
	s.to = func(row [][]byte, n int64) error { return e.one(Added, nil, row, n) }
	s.changed = func(f, t [][]byte) error { return e.one(Changed, f, t, 1) }
	return s
}

func (e *emitter) one(kind Kind, from, to [][]byte, n int64) error {
	if kind != e.q.Kind {
		return nil
	}
	if e.skip > 0 {
		e.skip--
		return nil
	}
	if e.q.Limit > 0 && e.emitted == int64(e.q.Limit) {
		e.set.Next = e.cursor()
		return errStop
	}
	r := e.p.rowChange(kind, from, to, n)
	e.emitted++
	e.last = r
	if err := e.fn(r); err != nil {
		e.err = err
		return errStop
	}
	return nil
}

// cursor returns the position after the last row emitted.
func (e *emitter) cursor() string {
	if e.p.key == nil {
		n := e.emitted
		if e.q.After != "" {
			skipped, _ := e.p.skip(e.q.After)
			n += skipped
		}
		return keylessCursor + strconv.FormatInt(n, 10)
	}
	return mysql.FormatRowKey(e.last.Key)
}

// rowChange builds the RowChange of a merged row: the key, the compared
// columns' values with credential columns blanked, and which columns
// changed.
func (p *tablePlan) rowChange(kind Kind, from, to [][]byte, n int64) *RowChange {
	src := from
	if src == nil {
		src = to
	}
	r := &RowChange{Kind: kind, Count: n, From: p.visible(from), To: p.visible(to)}
	for i, c := range p.key {
		r.Key = append(r.Key, mysql.KeyTextValue(c, src[p.keyPos[i]]))
	}
	if kind != Changed {
		return r
	}
	for i, c := range p.cols {
		a, b := from[i], to[i]
		if (a == nil) == (b == nil) && string(a) == string(b) {
			continue
		}
		cc := ColumnChange{Column: c.Name, Index: i, Masked: c.Masked}
		if !c.Masked {
			cc.Old, cc.New = a, b
		}
		r.Changes = append(r.Changes, cc)
	}
	return r
}

// visible returns the columns' values of a scanned row, nil for masked
// columns (their MD5 is never shown).
func (p *tablePlan) visible(row [][]byte) [][]byte {
	if row == nil {
		return nil
	}
	vals := make([][]byte, len(p.cols))
	for i, c := range p.cols {
		if !c.Masked {
			vals[i] = row[i]
		}
	}
	return vals
}

// Keys streams the keys (FormatRowKey parts) of the rows of q.Kind in
// q.Table, in key order: what `export --missing-in` and restore select
// rows by. It returns an EINVALID *weekback.Error for a table without a
// key on both sides; other errors as Rows.
func (c *Comparer) Keys(ctx context.Context, q RowQuery, fn func(key []string) error) error {
	p, err := c.plan(ctx, q.Table)
	if err != nil {
		return err
	}
	if p.key == nil {
		return weekback.Errorf(weekback.EINVALID, "table %s has no primary key (or unique NOT NULL key) on both sides, so its rows "+
			"cannot be picked by key: compare it with `weekback diff --table %s --show %s` instead", q.Table, q.Table, q.Kind)
	}
	if c.byHash(q.Table) == nil {
		if done, err := c.keysByDigests(ctx, p, q, fn); done || err != nil {
			return err
		}
	}
	_, err = c.rows(ctx, q, func(r *RowChange) error { return fn(r.Key) }, true) // only keys are kept
	return err
}
