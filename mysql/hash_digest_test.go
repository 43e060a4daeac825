package mysql_test

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/weekback/weekback/mysql"
)

// streamer is the row digest as it was first written (RowHasher.Add
// until December 2026): the framing of every value streamed into a reused
// digest. Manifests and row digest lists written since hold its values,
// so RowDigest must equal it on every row.
type streamer struct {
	d   *xxhash.Digest
	num []byte
}

func newStreamer() *streamer { return &streamer{d: xxhash.New(), num: make([]byte, 0, 24)} }

func (s *streamer) digest(values [][]byte) uint64 {
	s.d.Reset()
	for _, v := range values {
		if v == nil {
			_, _ = s.d.Write([]byte{'-'})
			continue
		}
		s.num = strconv.AppendInt(s.num[:0], int64(len(v)), 10)
		s.num = append(s.num, ':')
		_, _ = s.d.Write(s.num)
		_, _ = s.d.Write(v)
	}
	return s.d.Sum64()
}

func streamedDigest(values [][]byte) uint64 { return newStreamer().digest(values) }

// TestRowDigestEqualsStreamed compares RowDigest with the streamed digest
// on rows of every shape: NULLs, empty values, framing characters inside
// values, and values around and beyond the framing limit (64 KiB), alone
// and after each other, with one buffer reused throughout.
func TestRowDigestEqualsStreamed(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 7))
	sizes := []int{0, 1, 9, 10, 99, 100, 8 << 10, 64<<10 - 8, 64<<10 - 3, 64 << 10, 64<<10 + 1, 200 << 10, 1 << 20}
	value := func() []byte {
		switch rng.IntN(6) {
		case 0:
			return nil
		case 1:
			return []byte{}
		case 2:
			return []byte("3:-")
		}
		v := make([]byte, sizes[rng.IntN(len(sizes))])
		for i := range v {
			v[i] = byte(rng.UintN(256))
		}
		return v
	}
	var buf []byte
	for i := range 2000 {
		row := make([][]byte, 1+rng.IntN(8))
		for j := range row {
			row[j] = value()
		}
		var got uint64
		got, buf = mysql.RowDigest(row, buf)
		if want := streamedDigest(row); got != want {
			t.Fatalf("row %d (%d values): RowDigest %d, streamed %d", i, len(row), got, want)
		}
	}
	if cap(buf) > 2*64<<10 {
		t.Errorf("the framing buffer grew to %d bytes; rows longer than 64 KiB must stream", cap(buf))
	}
	// RowHasher sums the same digests, a framed row and a streamed one.
	h := mysql.NewRowHasher()
	h.Add([][]byte{[]byte("1"), nil, []byte("héllo"), {}})
	h.Add([][]byte{bytes.Repeat([]byte{0xFF}, 70<<10)})
	if got, want := h.Hash(), strconv.FormatUint(
		streamedDigest([][]byte{[]byte("1"), nil, []byte("héllo"), {}})+
			streamedDigest([][]byte{bytes.Repeat([]byte{0xFF}, 70<<10)}), 10); got != want || h.Rows() != 2 {
		t.Fatalf("RowHasher: %d rows, hash %s; want 2 rows, hash %s", h.Rows(), got, want)
	}
}

// BenchmarkRowDigest hashes rows shaped like the bench schema's orders
// (six short values): RowDigest against the streamed digest, in one run.
func BenchmarkRowDigest(b *testing.B) {
	row := [][]byte{[]byte("1834567"), []byte("48213"), []byte("shipped"),
		[]byte("2026-11-23 23:30:00"), []byte("12345.67"), nil}
	b.Run("framed", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			_, buf = mysql.RowDigest(row, buf)
		}
	})
	b.Run("streamed", func(b *testing.B) {
		s := newStreamer()
		for b.Loop() {
			s.digest(row)
		}
	})
}
