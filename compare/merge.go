package compare

import (
	"bytes"
	"context"

	"github.com/weekback/weekback/mysql"
)

// sink receives what a merge finds. A row's values are those of the
// scan (order values, key text, columns); rows are valid after the call
// unless the sink is transient. same counts identical rows (with a key:
// one pair at a time).
type sink struct {
	from, to func(row [][]byte, count int64) error // rows on one side only
	changed  func(from, to [][]byte) error         // same key, other values
	same     func(count int64)
	progress func(fromRows int64)

	// transient: the sink keeps no row after its call, so a keyed merge
	// fills the streams' batches again instead of making new ones.
	transient bool
}

// merge reads the two streams in order and reports to s. With a key each
// order value identifies one row; without, rows of equal order values
// form a group compared as a multiset.
func (p *tablePlan) merge(ctx context.Context, from, to scanSpec, s sink) (err error) {
	quit := make(chan struct{})
	defer close(quit)
	reuse := s.transient && p.key != nil // a group's rows outlive their batch
	rf := newReader(ctx, from, reuse, quit)
	rt := newReader(ctx, to, reuse, quit)
	if p.key != nil {
		err = p.mergeKeyed(rf, rt, s)
	} else {
		err = p.mergeGroups(rf, rt, s)
	}
	if err == nil {
		err = readErr(rf, rt)
	}
	return err
}

// progressEvery is how many rows of From pass between progress reports.
const progressEvery = 1 << 16

func (p *tablePlan) mergeKeyed(rf, rt *reader, s sink) error {
	n := int64(0)
	cols := len(p.cols)
	for {
		f, t := rf.peek(), rt.peek()
		if err := readErr(rf, rt); err != nil {
			return err
		}
		c := 0
		switch {
		case f == nil && t == nil:
			return nil
		case f == nil:
			c = 1
		case t == nil:
			c = -1
		default:
			c = p.compareOrder(f, t)
		}
		var err error
		switch {
		case c < 0:
			err = s.from(f, 1)
		case c > 0:
			err = s.to(t, 1)
		case equalValues(f[:cols], t[:cols]):
			s.same(1)
		default:
			err = s.changed(f, t)
		}
		if err != nil {
			return err
		}
		if c <= 0 {
			rf.next()
			if n++; n%progressEvery == 0 && s.progress != nil {
				s.progress(n)
			}
		}
		if c >= 0 {
			rt.next()
		}
	}
}

// readErr returns the error that ended either stream: a side that failed
// must not look as if it ended (its remaining rows would seem deleted or
// added).
func readErr(rf, rt *reader) error {
	if rf.err != nil {
		return rf.err
	}
	return rt.err
}

func equalValues(a, b [][]byte) bool {
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// groupRow is one distinct row of a group and how many copies of it
// each side has.
type groupRow struct {
	row      [][]byte
	from, to int64
}

func (p *tablePlan) mergeGroups(rf, rt *reader, s sink) error {
	var n, shown int64
	var buf []byte // RowDigest's framing
	cols := len(p.cols)
	for {
		f, t := rf.peek(), rt.peek()
		if err := readErr(rf, rt); err != nil {
			return err
		}
		if f == nil && t == nil {
			return nil
		}
		head := f
		if f == nil || t != nil && p.compareOrder(t, f) < 0 {
			head = t
		}
		group := map[uint64]*groupRow{}
		var order []uint64
		add := func(r *reader, fromSide bool) {
			for row := r.peek(); row != nil && p.compareOrder(row, head) == 0; row = r.peek() {
				var d uint64
				d, buf = mysql.RowDigest(row[:cols], buf)
				g := group[d]
				if g == nil {
					g = &groupRow{row: row}
					group[d] = g
					order = append(order, d)
				}
				if fromSide {
					g.from++
					n++
				} else {
					g.to++
				}
				r.next()
			}
		}
		add(rf, true)
		add(rt, false)
		if err := readErr(rf, rt); err != nil {
			return err
		}
		if err := reportGroup(group, order, s); err != nil {
			return err
		}
		if s.progress != nil && n-shown >= progressEvery {
			s.progress(n)
			shown = n
		}
	}
}

func reportGroup(group map[uint64]*groupRow, order []uint64, s sink) error {
	for _, d := range order {
		g := group[d]
		var err error
		switch {
		case g.from > g.to:
			s.same(g.to)
			err = s.from(g.row, g.from-g.to)
		case g.to > g.from:
			s.same(g.from)
			err = s.to(g.row, g.to-g.from)
		default:
			s.same(g.from)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
