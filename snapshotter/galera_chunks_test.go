package snapshotter

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestRowChunks: rows in LOAD DATA form come out in chunks of whole rows,
// whatever the sizes of the reads, and together they are the input.
func TestRowChunks(t *testing.T) {
	var in bytes.Buffer
	for i := range 1000 {
		in.Write(appendRow(nil, [][]byte{fmt.Appendf(nil, "%d", i), []byte("a\nb\tc"), nil}))
	}
	for _, tt := range []struct {
		name      string
		rows      int64
		src, read int // bytes per read of the source and of the LOAD
	}{
		{"one row", 1, 1 << 16, 1 << 16},
		{"bigger than the input", 5000, 1 << 16, 1 << 16},
		{"byte by byte", 7, 1, 3},
		{"small reads", 333, 100, 17},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &rowChunks{src: iotest.HalfReader(bytes.NewReader(in.Bytes())), rows: tt.rows, buf: make([]byte, tt.src)}
			var all bytes.Buffer
			chunks := 0
			for c.next() {
				chunk, err := io.ReadAll(io.LimitReader(readSized{c, tt.read}, 1<<30))
				if err != nil {
					t.Fatal(err)
				}
				if n := int64(strings.Count(string(chunk), "\n")); n > tt.rows || (len(chunk) > 0 && chunk[len(chunk)-1] != '\n') {
					t.Fatalf("chunk %d holds %d rows (ends %q), want at most %d whole rows", chunks, n, chunk[max(0, len(chunk)-3):], tt.rows)
				}
				all.Write(chunk)
				chunks++
			}
			if !bytes.Equal(all.Bytes(), in.Bytes()) {
				t.Fatalf("the chunks together are %d bytes, want the %d of the input", all.Len(), in.Len())
			}
			if want := (1000 + tt.rows - 1) / tt.rows; int64(chunks) < want || int64(chunks) > want+1 {
				t.Errorf("%d chunks, want %d (or one more, empty)", chunks, want)
			}
		})
	}
}

// readSized reads at most n bytes per Read.
type readSized struct {
	r io.Reader
	n int
}

func (s readSized) Read(b []byte) (int, error) { return s.r.Read(b[:min(len(b), s.n)]) }
