package mysql

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Row digests are a table's rows written down by their key: for each row,
// in key order, its integer key and the XXH64 digest RowHasher adds for
// it. The snapshotter writes them while it reads a slot's table back, and
// package compare merges two days' lists instead of reading both tables
// (a row is the same when its digest is). Only tables whose key columns
// are all integers have them (their order is the numbers', whatever the
// collation), and only when the read-back met the keys in ascending
// order (InnoDB's clustered order), since the list is written as it is
// read.
//
// A list is stored in parts of at most DigestPartSize bytes, each whole
// rows: for each key column the zigzag varint of its value minus the
// previous row's (as 64-bit words; the first row's from 0, carried across
// parts), then the digest as 8 bytes, little endian.

// DigestPartSize is the size above which a list starts a new part.
const DigestPartSize = 1 << 20

// DigestKey returns the positions in cols of a table's key columns and
// which are unsigned; ok is false when a key column is missing from cols
// or is not a plain integer (ZEROFILL integers keep their zeros as text).
func DigestKey(cols []Column, key []string) (pos []int, unsigned []bool, ok bool) {
	if len(key) == 0 {
		return nil, nil, false
	}
	for _, name := range key {
		i := slices.IndexFunc(cols, func(c Column) bool { return c.Name == name })
		if i < 0 {
			return nil, nil, false
		}
		ct := strings.ToLower(cols[i].ColumnType)
		switch cols[i].DataType {
		case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		default:
			return nil, nil, false
		}
		if strings.Contains(ct, "zerofill") {
			return nil, nil, false
		}
		pos, unsigned = append(pos, i), append(unsigned, strings.Contains(ct, "unsigned"))
	}
	return pos, unsigned, true
}

// ErrDigestKeys ends a list whose rows did not come in key order, or
// whose key values were not integers: the table is compared by its rows.
var ErrDigestKeys = errors.New("no row digests")

// DigestWriter encodes a table's row digests as its rows come, handing
// each full part to flush. It is not safe for concurrent use.
type DigestWriter struct {
	pos      []int
	unsigned []bool
	flush    func(part int, data []byte) error
	prev     []uint64
	key      []uint64
	buf      []byte
	parts    int
	rows     int64
	bytes    int64
	err      error
}

// NewDigestWriter returns a writer of rows whose key columns are at pos
// (unsigned as DigestKey says); flush stores part number part (from 0).
func NewDigestWriter(pos []int, unsigned []bool, flush func(part int, data []byte) error) *DigestWriter {
	return &DigestWriter{pos: pos, unsigned: unsigned, flush: flush,
		prev: make([]uint64, len(pos)), key: make([]uint64, len(pos)), buf: make([]byte, 0, DigestPartSize+256)}
}

// Add writes one row: its values (as ScanRows delivers them) and its
// digest. A row out of key order, or a key that is not an integer, ends
// the list (Close says why); flush's error does too.
func (w *DigestWriter) Add(values [][]byte, digest uint64) {
	if w.err != nil {
		return
	}
	for i, p := range w.pos {
		v, ok := parseInteger(values[p], w.unsigned[i])
		if !ok {
			w.err = fmt.Errorf("%w: a key value is not an integer", ErrDigestKeys)
			return
		}
		w.key[i] = v
	}
	if w.rows > 0 && CompareDigestKeys(w.key, w.prev, w.unsigned) <= 0 {
		w.err = fmt.Errorf("%w: rows not in key order", ErrDigestKeys)
		return
	}
	for i, v := range w.key {
		w.buf = binary.AppendUvarint(w.buf, zigzag(int64(v-w.prev[i])))
		w.prev[i] = v
	}
	w.buf = binary.LittleEndian.AppendUint64(w.buf, digest)
	w.rows++
	if len(w.buf) >= DigestPartSize {
		w.emit()
	}
}

func (w *DigestWriter) emit() {
	if len(w.buf) == 0 || w.err != nil {
		return
	}
	w.err = w.flush(w.parts, w.buf)
	w.parts++
	w.bytes += int64(len(w.buf))
	w.buf = w.buf[:0]
}

// Close flushes the last part and returns how many parts and bytes the
// list has, or why it was given up (the parts already flushed are then
// not a list and must be deleted).
func (w *DigestWriter) Close() (parts int, bytes int64, err error) {
	w.emit()
	return w.parts, w.bytes, w.err
}

// DigestReader decodes a list's rows part by part. It is not safe for
// concurrent use.
type DigestReader struct {
	unsigned []bool
	key      []uint64
	data     []byte
	rows     int64
	sum      uint64
}

// NewDigestReader returns a reader of a list keyed by len(unsigned)
// integer columns.
func NewDigestReader(unsigned []bool) *DigestReader {
	return &DigestReader{unsigned: unsigned, key: make([]uint64, len(unsigned))}
}

// Feed gives the reader the next part; call it when More is false.
func (r *DigestReader) Feed(part []byte) { r.data = part }

// More reports whether the current part has rows left.
func (r *DigestReader) More() bool { return len(r.data) > 0 }

// Next decodes the next row of the current part: its key (valid until
// the next call) and digest. It returns an error for a damaged part.
func (r *DigestReader) Next() (key []uint64, digest uint64, err error) {
	for i := range r.key {
		d, n := binary.Uvarint(r.data)
		if n <= 0 {
			return nil, 0, errors.New("damaged row digests")
		}
		r.key[i] += uint64(unzigzag(d))
		r.data = r.data[n:]
	}
	if len(r.data) < 8 {
		return nil, 0, errors.New("damaged row digests")
	}
	digest = binary.LittleEndian.Uint64(r.data)
	r.data = r.data[8:]
	r.rows++
	r.sum += digest
	return r.key, digest, nil
}

// Rows returns how many rows were decoded: a whole list has the table's
// row count, and its Sum the table's content hash.
func (r *DigestReader) Rows() int64 { return r.rows }

// Sum is the sum (modulo 2^64) of the digests decoded.
func (r *DigestReader) Sum() uint64 { return r.sum }

// CompareDigestKeys orders two keys of lists with the same key columns.
func CompareDigestKeys(a, b []uint64, unsigned []bool) int {
	for i := range a {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if unsigned[i] && x < y || !unsigned[i] && int64(x) < int64(y) {
			return -1
		}
		return 1
	}
	return 0
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// parseInteger parses the decimal text of an integer column's value into
// its 64-bit word (two's complement for signed values).
func parseInteger(b []byte, unsigned bool) (uint64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' && !unsigned {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	switch {
	case unsigned:
		return v, true
	case neg && v <= 1<<63:
		return -v, true
	case !neg && v < 1<<63:
		return v, true
	}
	return 0, false
}

// ParseDigestKey reads the decimal text of a key's column values (as
// FormatDigestKey writes them) into a list key; false when one is not an
// integer of its column's signedness.
func ParseDigestKey(parts []string, unsigned []bool) ([]uint64, bool) {
	if len(parts) != len(unsigned) {
		return nil, false
	}
	key := make([]uint64, len(parts))
	for i, s := range parts {
		v, ok := parseInteger([]byte(s), unsigned[i])
		if !ok {
			return nil, false
		}
		key[i] = v
	}
	return key, true
}

// FormatDigestKey writes a list key's column values as decimal text: the
// key text of package compare's rows (FormatRowKey's parts).
func FormatDigestKey(key []uint64, unsigned []bool) []string {
	out := make([]string, len(key))
	for i, v := range key {
		if unsigned[i] {
			out[i] = strconv.FormatUint(v, 10)
		} else {
			out[i] = strconv.FormatInt(int64(v), 10)
		}
	}
	return out
}
