package compare

import (
	"context"
	"errors"

	"github.com/weekback/weekback/mysql"
)

// Rows travel from a side's reading goroutine to the merge in batches of
// batchRows rows (or batchBytes bytes of values), at most batchQueue
// batches ahead: memory stays flat whatever the table's size. Each batch
// owns its bytes, so a row stays valid after the merge moved on.
const (
	batchRows  = 1024
	batchBytes = 1 << 20
	batchQueue = 4
)

type batch struct {
	rows [][][]byte
	err  error // the scan's error, in the last batch
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

// stream reads spec on its own goroutine and returns the batches; closing
// quit stops it (the scan's remaining rows are drained by the driver, so
// production's snapshot connection stays usable).
func stream(ctx context.Context, spec scanSpec, quit <-chan struct{}) <-chan *batch {
	out := make(chan *batch, batchQueue)
	go func() {
		defer close(out)
		if spec.table == nil {
			return
		}
		err := spec.read(ctx, out, quit)
		if err != nil && !errors.Is(err, errStop) {
			select {
			case out <- &batch{err: err}:
			case <-quit:
			}
		}
	}()
	return out
}

func (spec scanSpec) read(ctx context.Context, out chan<- *batch, quit <-chan struct{}) error {
	conn, inTx, release, err := spec.side.conn(ctx)
	if err != nil {
		return err
	}
	defer release()
	b, size := &batch{}, 0
	send := func() error {
		select {
		case out <- b:
		case <-quit:
			return errStop
		case <-ctx.Done():
			return ctx.Err()
		}
		b, size = &batch{}, 0
		return nil
	}
	err = spec.side.catalog.RunScan(ctx, conn, spec.scan, inTx, func(values [][]byte) error {
		row, n := copyRow(values)
		b.rows, size = append(b.rows, row), size+n
		if len(b.rows) < batchRows && size < batchBytes {
			return nil
		}
		return send()
	})
	if err == nil && len(b.rows) > 0 {
		err = send()
	}
	return err
}

// copyRow copies values into one allocation; nil stays nil (NULL) and an
// empty value stays empty, not nil.
func copyRow(values [][]byte) ([][]byte, int) {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	buf := make([]byte, 0, n)
	row := make([][]byte, len(values))
	for i, v := range values {
		if v == nil {
			continue
		}
		start := len(buf)
		buf = append(buf, v...)
		row[i] = buf[start:len(buf):len(buf)]
	}
	return row, n
}

// reader walks the rows of a stream.
type reader struct {
	ch   <-chan *batch
	rows [][][]byte
	i    int
	err  error
	done bool
}

// peek returns the current row, nil at the end (or on an error: see err).
func (r *reader) peek() [][]byte {
	for !r.done && r.i >= len(r.rows) {
		b, ok := <-r.ch
		if !ok {
			r.done = true
			break
		}
		if b.err != nil {
			r.err, r.done = b.err, true
			break
		}
		r.rows, r.i = b.rows, 0
	}
	if r.done {
		return nil
	}
	return r.rows[r.i]
}

func (r *reader) next() { r.i++ }
