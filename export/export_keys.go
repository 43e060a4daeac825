package export

import (
	"context"
	"encoding/hex"
	"io"
	"math/big"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// KeySet is a set of row keys (mysql.FormatRowKey of the key columns'
// values, as the compare package gives them): ExportKeysCSV writes only
// the rows whose key is in it. Its memory grows with the keys added. It
// is not safe for concurrent use.
type KeySet struct {
	keys map[string]struct{}
}

// NewKeySet returns an empty KeySet.
func NewKeySet() *KeySet { return &KeySet{keys: map[string]struct{}{}} }

// Add adds the key made of parts (one per key column).
func (s *KeySet) Add(parts []string) { s.keys[mysql.FormatRowKey(parts)] = struct{}{} }

// Len returns the number of keys.
func (s *KeySet) Len() int { return len(s.keys) }

// ExportKeysCSV is ExportCSV writing only the rows of q whose key is in
// keys, with q's filters, sort, columns and every profile and encoding:
// what `export --missing-in` and `--changed-in` write. The key columns are
// read beside the exported ones when q.Columns leaves them out. It
// returns an EINVALID *weekback.Error when the table has no key; other
// errors as ExportCSV.
func ExportKeysCSV(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, q mysql.RecordQuery, keys *KeySet, w io.Writer,
	opts CSVOptions, progress func(rows int64)) (*ExportResult, error) {
	return exportCSV(ctx, conn, cat, q, keys, w, opts, progress)
}

// scan returns the reading side of an export limited to s: q's rows with
// the key columns appended when missing, emitted without them when their
// key is in s. out is the number of exported columns.
func (s *KeySet) scan(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, q mysql.RecordQuery, out int) (
	func(context.Context, func([][]byte) error) error, error) {
	t, err := cat.Table(ctx, conn, q.Schema, q.Table)
	if err != nil {
		return nil, err
	}
	if t.Key == nil {
		return nil, weekback.Errorf(weekback.EINVALID, "table %s has no primary key (or unique NOT NULL key), so its rows cannot be picked by key: "+
			"export it whole, or compare it with `weekback diff --show`", t.Name)
	}
	q, at, err := withKey(ctx, conn, cat, t, q)
	if err != nil {
		return nil, err
	}
	key := make([]*mysql.RecordColumn, len(t.Key))
	for i, name := range t.Key {
		key[i], _ = t.Column(name)
	}
	parts := make([]string, len(t.Key))
	return func(ctx context.Context, emit func([][]byte) error) error {
		return cat.ScanRecords(ctx, conn, q, func(values [][]byte) error {
			for i, c := range key {
				parts[i] = keyPart(c, values[at[i]])
			}
			if _, ok := s.keys[mysql.FormatRowKey(parts)]; !ok {
				return nil
			}
			return emit(values[:out])
		})
	}, nil
}

// withKey returns q reading t's key columns too (after the exported ones
// when it leaves them out), and where each key column's value is in a row.
func withKey(ctx context.Context, conn *sqlx.Conn, cat *mysql.Catalog, t *mysql.RecordTable, q mysql.RecordQuery) (
	mysql.RecordQuery, []int, error) {
	cols, err := cat.RecordColumns(ctx, conn, q)
	if err != nil {
		return q, nil, err
	}
	if len(q.Columns) == 0 {
		for _, c := range cols {
			q.Columns = append(q.Columns, c.Name)
		}
	}
	for _, name := range t.Key {
		if columnIndex(cols, name) < 0 {
			q.Columns = append(q.Columns, name)
		}
	}
	if cols, err = cat.RecordColumns(ctx, conn, q); err != nil {
		return q, nil, err
	}
	at := make([]int, len(t.Key))
	for i, name := range t.Key {
		at[i] = columnIndex(cols, name)
	}
	return q, at, nil
}

func columnIndex(cols []mysql.RecordColumn, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// keyPart returns a key column's value, as ScanRecords reads it, in the
// form of a row key: binary as 0x hex, BIT as its number.
func keyPart(c *mysql.RecordColumn, v []byte) string {
	switch c.Kind {
	case mysql.KindBinary:
		return "0x" + hex.EncodeToString(v)
	case mysql.KindBit:
		return new(big.Int).SetBytes(v).String()
	}
	return string(v)
}
