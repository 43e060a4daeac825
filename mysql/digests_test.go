package mysql

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// TestDigestListRoundTrip writes rows with extreme keys (signed and
// unsigned, both ends of 64 bits, jumps back in the second column)
// across several parts and reads them back.
func TestDigestListRoundTrip(t *testing.T) {
	unsigned := []bool{false, true}
	type row struct {
		a int64
		b uint64
	}
	var rows []row
	extremes := func(a int64) {
		for _, b := range []uint64{0, 1, 1 << 63, math.MaxUint64} {
			rows = append(rows, row{a, b})
		}
	}
	for _, a := range []int64{math.MinInt64, -5, 0, 7} {
		extremes(a)
	}
	for i := 0; i < 200000; i++ { // more than one part
		rows = append(rows, row{int64(1000 + i), math.MaxUint64 - uint64(i%3)*(1<<63)})
	}
	extremes(math.MaxInt64)
	var parts [][]byte
	w := NewDigestWriter([]int{1, 0}, unsigned, func(part int, data []byte) error {
		if part != len(parts) {
			t.Fatalf("part %d flushed after %d", part, len(parts))
		}
		parts = append(parts, append([]byte(nil), data...))
		return nil
	})
	var sum uint64
	for i, r := range rows {
		d := uint64(i) * 0x9E3779B97F4A7C15
		sum += d
		w.Add([][]byte{[]byte(strconv.FormatUint(r.b, 10)), []byte(strconv.FormatInt(r.a, 10))}, d)
	}
	n, _, err := w.Close()
	if err != nil || n != len(parts) || n < 2 {
		t.Fatalf("close: %d parts, %v; want %d > 1", n, err, len(parts))
	}
	rd := NewDigestReader(unsigned)
	i := 0
	for _, p := range parts {
		rd.Feed(p)
		for rd.More() {
			key, d, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			want := []uint64{uint64(rows[i].a), rows[i].b}
			if !reflect.DeepEqual(key, want) || d != uint64(i)*0x9E3779B97F4A7C15 {
				t.Fatalf("row %d: %v %x, want %v", i, key, d, want)
			}
			i++
		}
	}
	if i != len(rows) || rd.Rows() != int64(len(rows)) || rd.Sum() != sum {
		t.Errorf("read %d rows (sum %x), want %d (%x)", i, rd.Sum(), len(rows), sum)
	}
}

// TestDigestWriterGivesUp checks the rows a list cannot hold: keys out of
// order or repeated, and values that are not integers of the column.
func TestDigestWriterGivesUp(t *testing.T) {
	for name, keys := range map[string][]string{
		"descending":         {"2", "1"},
		"repeated":           {"1", "1"},
		"signed order":       {"5", "-1"},
		"not a number":       {"1", "x"},
		"NULL":               {"1", ""},
		"beyond int64":       {"1", "9223372036854775808"},
		"beyond 20 digits":   {"1", "000000000000000000001"},
		"minus and unsigned": {"1", "-0"},
	} {
		unsigned := name == "minus and unsigned"
		w := NewDigestWriter([]int{0}, []bool{unsigned}, func(int, []byte) error { return nil })
		for _, k := range keys {
			v := []byte(k)
			if name == "NULL" && k == "" {
				v = nil
			}
			w.Add([][]byte{v}, 1)
		}
		if _, _, err := w.Close(); !errors.Is(err, ErrDigestKeys) {
			t.Errorf("%s: %q written (%v)", name, keys, err)
		}
	}
	w := NewDigestWriter([]int{0}, []bool{true}, func(int, []byte) error { return nil })
	w.Add([][]byte{[]byte("9223372036854775808")}, 1)
	w.Add([][]byte{[]byte("18446744073709551615")}, 1)
	if _, _, err := w.Close(); err != nil {
		t.Errorf("unsigned keys beyond 2^63: %v", err)
	}
	refused := errors.New("packet too big")
	w = NewDigestWriter([]int{0}, []bool{true}, func(int, []byte) error { return refused })
	w.Add([][]byte{[]byte("1")}, 1)
	if _, _, err := w.Close(); err != refused {
		t.Errorf("a refused part: %v, want the store's error", err)
	}
}

// TestDigestKeyText checks that ParseDigestKey reads back what
// FormatDigestKey writes at both ends of both signednesses, and refuses
// text that is not such a key.
func TestDigestKeyText(t *testing.T) {
	unsigned := []bool{true, false, false}
	for _, key := range [][]uint64{{0, 0, 0}, {math.MaxUint64, 1 << 63, math.MaxInt64}, {42, uint64(1<<64 - 7), 7}} {
		text := FormatDigestKey(key, unsigned)
		got, ok := ParseDigestKey(text, unsigned)
		if !ok || !slices.Equal(got, key) {
			t.Fatalf("ParseDigestKey(%q) = %v, %v; want %v", text, got, ok, key)
		}
	}
	for _, bad := range [][]string{
		{"1", "2"},                         // too few columns
		{"-1", "0", "0"},                   // negative unsigned
		{"18446744073709551616", "0", "0"}, // beyond 2^64-1
		{"0", "9223372036854775808", "0"},  // beyond a signed column
		{"0", "1.5", "0"}, {"0", "", "0"}, {"0", "+1", "0"},
	} {
		if got, ok := ParseDigestKey(bad, unsigned); ok {
			t.Errorf("ParseDigestKey(%q) = %v, want false", bad, got)
		}
	}
}
