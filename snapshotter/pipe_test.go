package snapshotter

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"
)

// pipeStream returns n deterministic pseudo-random bytes.
func pipeStream(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// writeSizes cuts n bytes into writes of many sizes: tiny, around the
// buffer size and several buffers at once.
func writeSizes(n int) []int {
	pattern := []int{1, 7, 0, 4096, pipeBufSize - 1, 1, pipeBufSize, pipeBufSize + 1, 3, 2*pipeBufSize + 17, 65536, 1 << 20}
	var out []int
	for i := 0; n > 0; i++ {
		k := min(pattern[i%len(pattern)], n)
		out = append(out, k)
		n -= k
	}
	return out
}

// tinyReader reads at most 1..13 bytes per call.
type tinyReader struct {
	r io.Reader
	i int
}

func (t *tinyReader) Read(b []byte) (int, error) {
	t.i++
	return t.r.Read(b[:min(len(b), 1+t.i%13)])
}

func TestBufPipeRoundTrip(t *testing.T) {
	data := pipeStream(3<<20 + 12345)
	for _, tt := range []struct {
		name string
		read func(io.Reader) ([]byte, error)
	}{
		{"io.Copy", func(r io.Reader) ([]byte, error) {
			var b bytes.Buffer
			_, err := io.Copy(&b, r)
			return b.Bytes(), err
		}},
		{"tiny reads", func(r io.Reader) ([]byte, error) {
			return io.ReadAll(&tinyReader{r: r})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newBufPipe()
			werr := make(chan error, 1)
			go func() {
				rest := data
				for _, n := range writeSizes(len(data)) {
					if k, err := p.Write(rest[:n]); k != n || err != nil {
						werr <- errors.Join(err, errors.New("short write"))
						p.CloseWithError(err)
						return
					}
					rest = rest[n:]
				}
				p.CloseWithError(nil)
				werr <- nil
			}()
			got, err := tt.read(p)
			p.Close()
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if err := <-werr; err != nil {
				t.Fatalf("write: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("read %d bytes, want the %d written (first difference at %d)", len(got), len(data), firstDiff(got, data))
			}
		})
	}
}

func TestBufPipeEOF(t *testing.T) {
	for _, tt := range []struct {
		name string
		size int
	}{
		{"nothing written", 0},
		{"less than a buffer", 10},
		{"exactly one buffer", pipeBufSize},
		{"a buffer and a byte", pipeBufSize + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := pipeStream(tt.size)
			p := newBufPipe()
			go func() {
				p.Write(data)
				p.CloseWithError(nil)
			}()
			got, err := io.ReadAll(p)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("ReadAll = %d bytes, %v, want the %d written, nil", len(got), err, len(data))
			}
			if n, err := p.Read(make([]byte, 8)); n != 0 || err != io.EOF {
				t.Fatalf("Read after the end = %d, %v, want 0, EOF", n, err)
			}
		})
	}
}

// TestBufPipeCloseWithError: the reader gets what was handed over, then
// the writer's error instead of EOF.
func TestBufPipeCloseWithError(t *testing.T) {
	errBoom := errors.New("boom")
	data := pipeStream(2*pipeBufSize + pipeBufSize/2)
	p := newBufPipe()
	go func() {
		p.Write(data)
		p.CloseWithError(errBoom)
	}()
	got, err := io.ReadAll(p)
	if !errors.Is(err, errBoom) {
		t.Fatalf("ReadAll err = %v, want %v", err, errBoom)
	}
	// The full buffers were handed over before the error; the partial one
	// may be dropped (the stream is failing anyway).
	if len(got) < 2*pipeBufSize || !bytes.Equal(got, data[:len(got)]) {
		t.Fatalf("read %d bytes before the error (prefix of the written: %v), want at least the %d of the full buffers",
			len(got), bytes.Equal(got, data[:min(len(got), len(data))]), 2*pipeBufSize)
	}
	if _, err := p.Read(make([]byte, 1)); !errors.Is(err, errBoom) {
		t.Fatalf("Read after the error = %v, want %v again", err, errBoom)
	}
}

// TestBufPipeReaderClose: a writer blocked on a full pipe returns
// io.ErrClosedPipe once the reader closes, and no goroutine is left
// behind (synctest fails the test on a goroutine still blocked).
func TestBufPipeReaderClose(t *testing.T) {
	for _, tt := range []struct {
		name     string
		readBufs int // buffers the reader drains before it closes
	}{
		{"nothing read", 0},
		{"some read", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newBufPipe()
				data := pipeStream((pipeDepth + 8) * pipeBufSize)
				type result struct {
					n   int
					err error
				}
				done := make(chan result, 1)
				go func() {
					n, err := p.Write(data)
					done <- result{n, err}
				}()
				if tt.readBufs > 0 {
					if _, err := io.ReadFull(p, make([]byte, tt.readBufs*pipeBufSize)); err != nil {
						t.Fatalf("read: %v", err)
					}
				}
				synctest.Wait()
				select {
				case r := <-done:
					t.Fatalf("Write returned %d, %v before the reader closed; want it blocked", r.n, r.err)
				default:
				}
				p.Close()
				select {
				case r := <-done:
					if !errors.Is(r.err, io.ErrClosedPipe) || r.n >= len(data) {
						t.Fatalf("Write = %d, %v, want fewer than %d bytes and io.ErrClosedPipe", r.n, r.err, len(data))
					}
				case <-time.After(10 * time.Second):
					t.Fatal("Write still blocked 10s after the reader closed")
				}
				// The writer side still closes its end, as copy.go does; it must not block.
				p.CloseWithError(nil)
				if err := p.Close(); err != nil {
					t.Fatalf("second Close = %v, want nil", err)
				}
			})
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
