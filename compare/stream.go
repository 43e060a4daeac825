package compare

import (
	"context"
	"errors"

	"github.com/weekback/weekback/mysql"
)

// Rows travel from a side's reading goroutine to the merge in batches of
// batchRows rows (or batchBytes bytes of values), at most batchQueue
// batches ahead: memory stays flat whatever the table's size. Each batch
// owns its bytes, so a row stays valid after the merge moved on, unless
// the merge hands the batch back to be filled again (reader.free: when
// no row outlives its sink call).
const (
	batchRows  = 1024
	batchBytes = 1 << 20
	batchQueue = 4
)

type batch struct {
	rows [][][]byte
	err  error // the scan's error, in the last batch

	buf    []byte   // the current chunk of the values' bytes
	chunks [][]byte // the chunks of chunkBytes filled so far, or to fill again
	used   int      // chunks in use
	slab   [][]byte // the rows' value slices
	size   int      // bytes of values
}

// chunkBytes is the size of the chunks a batch copies values into (a
// longer value gets a chunk of its own, never reused): no chunk is ever
// grown, so none is copied and left behind half used.
const chunkBytes = 64 << 10

func newBatch(width int) *batch {
	return &batch{rows: make([][][]byte, 0, batchRows), slab: make([][]byte, 0, batchRows*width)}
}

// reset empties b to be filled again with its chunks.
func (b *batch) reset() {
	b.rows, b.slab = b.rows[:0], b.slab[:0]
	b.buf, b.used, b.size = nil, 0, 0
}

// add copies values into b; nil stays nil (NULL) and an empty value stays
// empty, not nil.
func (b *batch) add(values [][]byte) {
	start := len(b.slab)
	for _, v := range values {
		if v == nil {
			b.slab = append(b.slab, nil)
			continue
		}
		if cap(b.buf)-len(b.buf) < len(v) {
			b.buf = b.chunk(len(v))
		}
		at := len(b.buf)
		b.buf = append(b.buf, v...)
		b.slab = append(b.slab, b.buf[at:len(b.buf):len(b.buf)])
		b.size += len(v)
	}
	b.rows = append(b.rows, b.slab[start:len(b.slab):len(b.slab)])
}

// chunk returns an empty chunk for at least n bytes: the next of b's
// chunks, a new one kept for reuse, or one of n bytes for a longer value.
func (b *batch) chunk(n int) []byte {
	switch {
	case n > chunkBytes:
		return make([]byte, 0, n)
	case b.used < len(b.chunks):
		b.used++
		return b.chunks[b.used-1][:0]
	}
	c := make([]byte, 0, chunkBytes)
	b.chunks = append(b.chunks, c)
	b.used++
	return c
}

// errStop ends a scan early without an error.
var errStop = errors.New("stop")

// scanSpec is what one side reads: nil table means the side has none
// (an empty stream).
type scanSpec struct {
	side  *Side
	table *mysql.RecordTable
	scan  mysql.Scan
}

// stream reads spec on its own goroutine and returns the batches, filling
// again the ones handed back on free (nil: none are); closing quit stops
// it. A generation's scan is cancelled (its connection is dropped, the
// server stops the query); production's remaining rows are drained by the
// driver instead, so that its snapshot's connection stays usable.
func stream(ctx context.Context, spec scanSpec, free <-chan *batch, quit <-chan struct{}) <-chan *batch {
	out := make(chan *batch, batchQueue)
	go func() {
		defer close(out)
		if spec.table == nil {
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if spec.side.tx == nil {
			go func() {
				select {
				case <-quit:
					cancel()
				case <-ctx.Done():
				}
			}()
		}
		err := spec.read(ctx, out, free, quit)
		if err != nil && !errors.Is(err, errStop) {
			select {
			case out <- &batch{err: err}:
			case <-quit:
			}
		}
	}()
	return out
}

func (spec scanSpec) read(ctx context.Context, out chan<- *batch, free <-chan *batch, quit <-chan struct{}) error {
	conn, inTx, release, err := spec.side.conn(ctx)
	if err != nil {
		return err
	}
	defer release()
	width := len(spec.scan.List)
	next := func() *batch {
		select {
		case b := <-free:
			b.reset()
			return b
		default:
			return newBatch(width)
		}
	}
	b := next()
	send := func() error {
		select {
		case out <- b:
		case <-quit:
			return errStop
		case <-ctx.Done():
			return ctx.Err()
		}
		b = next()
		return nil
	}
	err = spec.side.catalog.RunScan(ctx, conn, spec.scan, inTx, func(values [][]byte) error {
		b.add(values)
		if len(b.rows) < batchRows && b.size < batchBytes {
			return nil
		}
		return send()
	})
	if err == nil && len(b.rows) > 0 {
		err = send()
	}
	return err
}

// reader walks the rows of a stream.
type reader struct {
	ch   <-chan *batch
	free chan *batch // where a walked batch goes to be filled again, if set
	cur  *batch
	rows [][][]byte
	i    int
	err  error
	done bool
}

// newReader walks spec's rows; with reuse, each batch walked through is
// filled again, so a row is valid only until the next call of peek.
func newReader(ctx context.Context, spec scanSpec, reuse bool, quit <-chan struct{}) *reader {
	r := &reader{}
	if reuse {
		r.free = make(chan *batch, batchQueue)
	}
	r.ch = stream(ctx, spec, r.free, quit)
	return r
}

// peek returns the current row, nil at the end (or on an error: see err).
func (r *reader) peek() [][]byte {
	for !r.done && r.i >= len(r.rows) {
		if r.free != nil && r.cur != nil {
			select {
			case r.free <- r.cur:
			default:
			}
			r.cur = nil
		}
		b, ok := <-r.ch
		if !ok {
			r.done = true
			break
		}
		if b.err != nil {
			r.err, r.done = b.err, true
			break
		}
		r.cur, r.rows, r.i = b, b.rows, 0
	}
	if r.done {
		return nil
	}
	return r.rows[r.i]
}

func (r *reader) next() { r.i++ }
