package mysql

import (
	"context"
	"database/sql/driver"
	"slices"
	"strconv"
)

// Keyset pagination. A position is (g, k): the order values g of a group
// of rows and the number k of that group's rows before the position. With
// a key every group is one row: (g, 1) is "just after row g", (g, 0) "just
// before it". Without a key a group is a set of identical rows (same
// digest), in which any k of them are as good as any other.
//
// After (g, k): the rows from g on, skipping k of g's (with a key: > g or
// >= g). Before (g, k): k rows of g, preceded by the rows < g read in
// reverse order. Page.Prev of a page read after a position is that same
// position, and Page.Next of a page read before one too, so paging back
// gives the same pages as paging forward.

// cursor decodes s for p's order; nil for "".
func (p *plan) cursor(s string) (*position, error) {
	if s == "" {
		return nil, nil
	}
	pos, err := decodeCursor(s, p.sig, len(p.order))
	if err != nil {
		return nil, err
	}
	return &pos, nil
}

// pageAfter fills page with the rows after pos (from the start when nil).
func (p *plan) pageAfter(ctx context.Context, rc rawConn, pos *position, page *Page) error {
	size := p.q.PageSize
	var cond string
	var args []any
	var offset int64
	if pos != nil {
		op := ">="
		switch {
		case p.keyed && pos.skip > 0:
			op = ">"
		case !p.keyed:
			offset = pos.skip
		}
		var err error
		if cond, args, err = p.posCond(pos.values, op); err != nil {
			return err
		}
		page.Prev = encodeCursor(p.sig, *pos)
	}
	rows, err := p.fetch(ctx, rc, cond, args, false, offset, size+1)
	if err != nil {
		return err
	}
	if len(rows) > size {
		rows = rows[:size]
		last := rows[len(rows)-1].order
		k := int64(trailing(rows, last))
		if k == int64(len(rows)) && pos != nil && sameOrder(last, pos.values) {
			k += pos.skip
		}
		page.Next = encodeCursor(p.sig, position{values: last, skip: k})
	}
	page.Rows = rowsOf(rows)
	return nil
}

// pageBefore fills page with the rows before pos. When they are fewer
// than a page, it gives the first page instead.
func (p *plan) pageBefore(ctx context.Context, rc rawConn, pos position, page *Page) error {
	size := p.q.PageSize
	all, err := p.before(ctx, rc, pos, size+1)
	if err != nil {
		return err
	}
	if len(all) < size {
		return p.pageAfter(ctx, rc, nil, page)
	}
	page.Next = encodeCursor(p.sig, pos)
	rows := all
	if len(all) > size {
		rows = all[1:]
		first := rows[0].order
		var j int64
		if !p.keyed && sameOrder(all[0].order, first) {
			m := int64(leading(rows, first))
			if sameOrder(first, pos.values) {
				j = pos.skip - m
			} else {
				n, err := p.count(ctx, rc, first)
				if err != nil {
					return err
				}
				j = n - m
			}
		}
		page.Prev = encodeCursor(p.sig, position{values: first, skip: max(j, 0)})
	}
	page.Rows = rowsOf(rows)
	return nil
}

// before returns up to n rows just before pos, in page order.
func (p *plan) before(ctx context.Context, rc rawConn, pos position, n int) ([]fetched, error) {
	if p.keyed {
		op := "<"
		if pos.skip > 0 {
			op = "<="
		}
		cond, args, err := p.posCond(pos.values, op)
		if err != nil {
			return nil, err
		}
		rows, err := p.fetch(ctx, rc, cond, args, true, 0, n)
		slices.Reverse(rows)
		return rows, err
	}
	var same []fetched
	if pos.skip > 0 {
		cond, args, err := p.posCond(pos.values, "=")
		if err != nil {
			return nil, err
		}
		if same, err = p.fetch(ctx, rc, cond, args, false, 0, int(min(pos.skip, int64(n)))); err != nil {
			return nil, err
		}
	}
	if len(same) == n {
		return same, nil
	}
	cond, args, err := p.posCond(pos.values, "<")
	if err != nil {
		return nil, err
	}
	rows, err := p.fetch(ctx, rc, cond, args, true, 0, n-len(same))
	slices.Reverse(rows)
	return append(rows, same...), err
}

// fetch reads up to limit rows matching the filters and cond, in page
// order or reversed, after skipping offset of them.
func (p *plan) fetch(ctx context.Context, rc rawConn, cond string, condArgs []any, reverse bool, offset int64, limit int) ([]fetched, error) {
	query := p.selectSQL(cond, reverse, true)
	args := append(append(slices.Clip(p.args), condArgs...), offset, int64(limit))
	rows := make([]fetched, 0, limit)
	a := newRowArena(limit * len(p.out))
	err := rc.query(ctx, query, args, func(dr driver.Rows) error {
		return eachRow(dr, func(values []driver.Value) error {
			rows = append(rows, p.convert(values, a))
			return nil
		})
	})
	return rows, err
}

// count returns how many rows matching the filters have order values g.
func (p *plan) count(ctx context.Context, rc rawConn, g []*string) (int64, error) {
	cond, condArgs, err := p.posCond(g, "=")
	if err != nil {
		return 0, err
	}
	query := p.head + "COUNT(*) FROM " + QuoteTable(p.t.Schema, p.t.Name) + " AS t" + p.whereSQL(cond)
	var n int64
	err = rc.query(ctx, query, append(slices.Clip(p.args), condArgs...), func(dr driver.Rows) error {
		return eachRow(dr, func(values []driver.Value) error {
			n, err = strconv.ParseInt(string(textOf(values[0])), 10, 64)
			return err
		})
	})
	return n, err
}

func rowsOf(rows []fetched) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = r.row
	}
	return out
}

// trailing returns how many rows at the end of rows have order values g.
func trailing(rows []fetched, g []*string) int {
	n := 0
	for i := len(rows) - 1; i >= 0 && sameOrder(rows[i].order, g); i-- {
		n++
	}
	return n
}

// leading returns how many rows at the start of rows have order values g.
func leading(rows []fetched, g []*string) int {
	n := 0
	for n < len(rows) && sameOrder(rows[n].order, g) {
		n++
	}
	return n
}

func sameOrder(a, b []*string) bool {
	return slices.EqualFunc(a, b, func(x, y *string) bool {
		return x == nil && y == nil || x != nil && y != nil && *x == *y
	})
}
