package mysql

import (
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// The content hash of a table is order-independent: the sum, modulo 2^64,
// of one 64-bit digest per row (sums keep duplicate rows, which XOR would
// cancel). A row's digest is the XXH64 of its copied columns, each written
// as "<len>:<bytes>" or "-" for NULL, where the bytes are the value exactly
// as ScanRows delivers it (SelectExpr's lossless text form). The
// snapshotter computes it on the rows it streams from the source inside
// the snapshot, and verification on the rows it reads back from the slot
// (StreamHash): the same code on both sides, so any byte that differs
// shows.

// SelectExpr returns the expression that reads column c losslessly: FLOAT
// is widened to DOUBLE (FLOAT's own text keeps 6 digits and does not
// round-trip), and FLOAT, DOUBLE, YEAR and ZEROFILL integers are read as
// text with CAST(… AS CHAR) so the driver hands over the server's exact
// digits instead of a re-formatted number ("0000" and "00042" stay as
// they are). Other integers are read as they are: the driver's number,
// written back in decimal, is the server's text, and a CAST costs the
// server a conversion per value. Everything else is read as stored.
func SelectExpr(c Column) string {
	q := QuoteIdent(c.Name)
	switch c.DataType {
	case "float":
		return "CAST(CAST(" + q + " AS DOUBLE) AS CHAR)"
	case "double", "year":
		return "CAST(" + q + " AS CHAR)"
	case "tinyint", "smallint", "mediumint", "int", "bigint":
		if strings.Contains(strings.ToLower(c.ColumnType), "zerofill") {
			return "CAST(" + q + " AS CHAR)"
		}
	}
	return q
}

// SelectList returns the SELECT list that streams cols.
func SelectList(cols []Column) string {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = SelectExpr(c)
	}
	return strings.Join(exprs, ", ")
}

// RowHasher accumulates the content hash of a table row by row. It is not
// safe for concurrent use.
type RowHasher struct {
	buf  []byte // the framing of the row being added
	rows int64
	sum  uint64
}

// NewRowHasher returns an empty hasher.
func NewRowHasher() *RowHasher {
	return &RowHasher{}
}

// Add adds one row (a nil value is NULL) and returns its digest.
func (h *RowHasher) Add(values [][]byte) uint64 {
	var d uint64
	d, h.buf = RowDigest(values, h.buf)
	h.sum += d
	h.rows++
	return d
}

// maxFraming bounds the bytes RowDigest copies into its buffer for one
// row; the values of a longer row are hashed where they are.
const maxFraming = 64 << 10

// RowDigest returns the digest of one row (a nil value is NULL): the XXH64
// of its values, each framed as "<len>:<bytes>" or "-". It frames the row
// in buf and hashes it at once (one call instead of two per value); a row
// longer than maxFraming streams its values instead, with the same result.
// It returns buf, grown, for the next row.
func RowDigest(values [][]byte, buf []byte) (uint64, []byte) {
	b := buf[:0]
	var d *xxhash.Digest
	for _, v := range values {
		if v == nil {
			b = append(b, '-')
			continue
		}
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		if len(b)+len(v) <= maxFraming {
			b = append(b, v...)
			continue
		}
		if d == nil {
			d = xxhash.New()
		}
		_, _ = d.Write(b)
		_, _ = d.Write(v)
		b = b[:0]
	}
	if d == nil {
		return xxhash.Sum64(b), b
	}
	_, _ = d.Write(b)
	return d.Sum64(), b
}

// Rows returns the number of rows added.
func (h *RowHasher) Rows() int64 { return h.rows }

// Hash returns the content hash as a decimal string.
func (h *RowHasher) Hash() string { return strconv.FormatUint(h.sum, 10) }
