package mysql

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// The content hash of a table is order-independent: the sum, modulo 2^64,
// of one 64-bit digest per row. A row's digest is the first 8 bytes (big
// endian) of the MD5 of its copied columns, each written as "<len>:<bytes>"
// or "-" for NULL, where the bytes are the value exactly as the server
// sends it (SelectExpr). Columns of the long types (BLOB, TEXT, JSON,
// GEOMETRY) are written as "<len>:<md5 hex of the bytes>" instead, so a
// row's encoding never outgrows max_allowed_packet (CONCAT would return
// NULL and the row would silently drop out of the SQL sum). The snapshotter computes it in Go on the rows it
// streams from the source inside the snapshot (RowHasher); verification
// computes it in SQL on the slot (TableHash). Both must agree.

// SelectExpr returns the expression that reads column c losslessly and in
// the same text form the SQL side of the hash sees: FLOAT is widened to
// DOUBLE (FLOAT's own text keeps 6 digits and does not round-trip), and
// FLOAT, DOUBLE and YEAR are printed with CAST(… AS CHAR), whose form the
// wire protocol would otherwise change ("1e+308" vs "1e308", "0" vs
// "0000"). Everything else is read as stored.
func SelectExpr(c Column) string {
	q := QuoteIdent(c.Name)
	switch c.DataType {
	case "float":
		return "CAST(CAST(" + q + " AS DOUBLE) AS CHAR)"
	case "double", "year":
		return "CAST(" + q + " AS CHAR)"
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

// longTypes are the column types whose values may be too long to
// concatenate into one row string; they are hashed on their own first.
var longTypes = map[string]bool{
	"blob": true, "mediumblob": true, "longblob": true, "text": true, "mediumtext": true, "longtext": true,
	"json": true, "geometry": true, "point": true, "linestring": true, "polygon": true, "multipoint": true,
	"multilinestring": true, "multipolygon": true, "geometrycollection": true,
}

// hashSQL returns the SQL expression of the content hash over cols.
func hashSQL(cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v := "CAST(" + SelectExpr(c) + " AS BINARY)"
		body := v
		if longTypes[c.DataType] {
			body = "MD5(" + v + ")"
		}
		parts[i] = "IFNULL(CONCAT(LENGTH(" + v + "), ':', " + body + "), '-')"
	}
	row := "CONCAT(" + strings.Join(parts, ", ") + ")"
	digest := "CAST(CONV(LEFT(MD5(" + row + "), 16), 16, 10) AS UNSIGNED)"
	return "COUNT(*), CAST(COALESCE(SUM(" + digest + "), 0) % 18446744073709551616 AS CHAR)"
}

// TableHash computes the row count and content hash of schema.table over
// cols, in SQL on the server: the definition written out for DBAs (and the
// reference the tests hold RowHasher to). Verification uses StreamHash,
// which gives the same result for a third of the server's CPU.
func TableHash(ctx context.Context, q sqlx.QueryerContext, schema, table string, cols []Column) (rows int64, hash string, err error) {
	query := Tag + "SELECT " + hashSQL(cols) + " FROM " + QuoteTable(schema, table)
	if err := q.QueryRowxContext(ctx, query).Scan(&rows, &hash); err != nil {
		return 0, "", fmt.Errorf("hash table %s.%s: %w", schema, table, err)
	}
	return rows, hash, nil
}

// RowHasher accumulates the content hash of a table row by row, in Go. It
// is not safe for concurrent use.
type RowHasher struct {
	long []bool // per column: hashed on its own first (longTypes)
	rows int64
	sum  uint64
	buf  []byte
}

// NewRowHasher returns a hasher for rows of cols, read with SelectList.
func NewRowHasher(cols []Column) *RowHasher {
	h := &RowHasher{long: make([]bool, len(cols))}
	for i, c := range cols {
		h.long[i] = longTypes[c.DataType]
	}
	return h
}

// Add adds one row, one value per column given to NewRowHasher; a nil
// value is NULL.
func (h *RowHasher) Add(values [][]byte) {
	b := h.buf[:0]
	for i, v := range values {
		if v == nil {
			b = append(b, '-')
			continue
		}
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		if h.long[i] {
			d := md5.Sum(v)
			b = hex.AppendEncode(b, d[:])
		} else {
			b = append(b, v...)
		}
	}
	d := md5.Sum(b)
	h.sum += binary.BigEndian.Uint64(d[:8])
	h.rows++
	h.buf = b
}

// Rows returns the number of rows added.
func (h *RowHasher) Rows() int64 { return h.rows }

// Hash returns the content hash in the form TableHash returns.
func (h *RowHasher) Hash() string { return strconv.FormatUint(h.sum, 10) }
