package export

import (
	"context"
	"errors"
	"sync"
)

// Batch sizes of the read/encode pipeline: a batch is handed over when it
// holds batchRows rows or batchBytes bytes of values, whichever comes
// first; pipeBatches batches exist, so at most about
// pipeBatches×batchBytes of row data is in memory.
const (
	batchRows   = 2048
	batchBytes  = 1 << 20
	pipeBatches = 4
)

// batch is a run of rows copied out of the driver's buffer: the values
// back to back in buf, value i of the batch at buf[start[i]:end[i]], or
// NULL when start[i] is -1.
type batch struct {
	cols       int
	buf        []byte
	start, end []int32
	row        [][]byte
}

func newBatch(cols int) *batch {
	return &batch{cols: cols, buf: make([]byte, 0, batchBytes+64<<10),
		start: make([]int32, 0, batchRows*cols), end: make([]int32, 0, batchRows*cols), row: make([][]byte, cols)}
}

func (b *batch) reset() { b.buf, b.start, b.end = b.buf[:0], b.start[:0], b.end[:0] }

func (b *batch) rows() int { return len(b.start) / b.cols }

func (b *batch) full() bool { return len(b.start) >= batchRows*b.cols || len(b.buf) >= batchBytes }

// add copies one row's values.
func (b *batch) add(values [][]byte) {
	for _, v := range values {
		if v == nil {
			b.start, b.end = append(b.start, -1), append(b.end, -1)
			continue
		}
		s := int32(len(b.buf))
		b.buf = append(b.buf, v...)
		b.start, b.end = append(b.start, s), append(b.end, int32(len(b.buf)))
	}
}

// each calls fn with every row of b; the slice is reused.
func (b *batch) each(fn func(values [][]byte) error) error {
	for r := range b.rows() {
		for c := range b.cols {
			i := r*b.cols + c
			if b.start[i] < 0 {
				b.row[c] = nil
			} else {
				b.row[c] = b.buf[b.start[i]:b.end[i]:b.end[i]]
			}
		}
		if err := fn(b.row); err != nil {
			return err
		}
	}
	return nil
}

// pipeRows runs read on a goroutine of its own, copying the rows it emits
// into batches, and calls consume with each full batch on the calling
// goroutine, in order. The first error of either side stops both and is
// returned (read's error when consume stopped because read failed).
func pipeRows(ctx context.Context, cols int, read func(ctx context.Context, emit func([][]byte) error) error,
	consume func(*batch) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan *batch, pipeBatches)
	for range pipeBatches {
		free <- newBatch(cols)
	}
	full := make(chan *batch, pipeBatches)
	var readErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(full)
		readErr = fill(ctx, free, full, func(emit func([][]byte) error) error { return read(ctx, emit) })
	})
	var consumeErr error
	for b := range full {
		if consumeErr == nil {
			if consumeErr = consume(b); consumeErr != nil {
				cancel()
			}
		}
		b.reset()
		free <- b
	}
	wg.Wait()
	if consumeErr != nil {
		return consumeErr
	}
	return readErr
}

// errStopped ends read when the consumer has stopped.
var errStopped = errors.New("export stopped")

// fill is the reading side of pipeRows.
func fill(ctx context.Context, free <-chan *batch, full chan<- *batch, read func(emit func([][]byte) error) error) error {
	var cur *batch
	next := func() error {
		select {
		case cur = <-free:
			return nil
		case <-ctx.Done():
			return errStopped
		}
	}
	if err := next(); err != nil {
		return err
	}
	err := read(func(values [][]byte) error {
		cur.add(values)
		if !cur.full() {
			return nil
		}
		full <- cur
		return next()
	})
	if err == nil && cur.rows() > 0 {
		full <- cur
	}
	if errors.Is(err, errStopped) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
