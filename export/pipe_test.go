package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

// emitRows emits n rows of three values: the row number, NULL on every
// third row, and a value long enough that batches also fill by bytes.
func emitRows(n int) func(ctx context.Context, emit func([][]byte) error) error {
	return func(ctx context.Context, emit func([][]byte) error) error {
		long := bytes.Repeat([]byte("x"), 700)
		for i := range n {
			var mid []byte
			if i%3 != 0 {
				mid = []byte{}
			}
			if err := emit([][]byte{fmt.Appendf(nil, "%d", i), mid, long[:i%700]}); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestPipeRowsKeepsOrderAndNulls(t *testing.T) {
	const n = 10_000
	i := 0
	err := pipeRows(context.Background(), 3, emitRows(n), func(b *batch) error {
		return b.each(func(v [][]byte) error {
			if got, want := string(v[0]), fmt.Sprint(i); got != want {
				return fmt.Errorf("row %d: first value %q, want %q", i, got, want)
			}
			if (v[1] == nil) != (i%3 == 0) {
				return fmt.Errorf("row %d: NULL is %v", i, v[1] == nil)
			}
			if len(v[2]) != i%700 {
				return fmt.Errorf("row %d: %d bytes, want %d", i, len(v[2]), i%700)
			}
			i++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != n {
		t.Fatalf("rows=%d, want %d", i, n)
	}
}

func TestPipeRowsErrors(t *testing.T) {
	readFail := errors.New("connection lost")
	t.Run("consumer stops the reader", func(t *testing.T) {
		stop := errors.New("disk full")
		err := pipeRows(context.Background(), 3, emitRows(1_000_000), func(*batch) error { return stop })
		if !errors.Is(err, stop) {
			t.Fatalf("err=%v, want %v", err, stop)
		}
	})
	t.Run("reader error after rows", func(t *testing.T) {
		rows := 0
		err := pipeRows(context.Background(), 1, func(ctx context.Context, emit func([][]byte) error) error {
			for range 5000 {
				if err := emit([][]byte{[]byte("a")}); err != nil {
					return err
				}
			}
			return readFail
		}, func(b *batch) error { rows += b.rows(); return nil })
		if !errors.Is(err, readFail) {
			t.Fatalf("err=%v, want %v", err, readFail)
		}
		if rows > 5000 {
			t.Fatalf("rows=%d, want at most 5000", rows)
		}
	})
	t.Run("canceled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		err := pipeRows(ctx, 3, emitRows(1_000_000), func(*batch) error { cancel(); return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
	})
}
