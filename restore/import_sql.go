package restore

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// The SQL of an import. Identifiers come from the catalog and are quoted;
// values are placeholders. Rows are found by key through a derived table
// of the batch's keys, each typed like its column (so BIGINT and DECIMAL
// compare exactly and text in the column's own collation, as a single-row
// lookup would), joined with the table on its key.

// Statement limits: placeholders per statement (the protocol allows
// 65,535) and bytes of values per statement (well below the default
// max_allowed_packet).
const (
	maxStmtParams = 60000
	maxStmtBytes  = 4 << 20
)

// readExpr reads c as an export does: numbers, dates and times as the
// server's text, FLOAT widened to DOUBLE, everything else as stored.
func readExpr(c *mysql.RecordColumn) string {
	return readExprOf("t."+mysql.QuoteIdent(c.Name), c)
}

// readExprOf is readExpr of the column reference ref.
func readExprOf(ref string, c *mysql.RecordColumn) string {
	switch {
	case c.DataType == "float":
		return "CAST(CAST(" + ref + " AS DOUBLE) AS CHAR)"
	case c.Kind == mysql.KindDatetime, c.Kind == mysql.KindNumber && c.DataType != "decimal" && c.DataType != "numeric":
		return "CAST(" + ref + " AS CHAR)"
	}
	return ref
}

// keyExpr returns the typed placeholder of a key value of c, and keyArg
// the value it takes.
func keyExpr(c *mysql.RecordColumn) string {
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		if unsignedCol(c) {
			return "CAST(? AS UNSIGNED)"
		}
		return "CAST(? AS SIGNED)"
	case "year", "bit":
		return "CAST(? AS UNSIGNED)"
	case "decimal", "numeric":
		return fmt.Sprintf("CAST(? AS DECIMAL(%d,%d))", c.Precision, c.Scale)
	case "float", "double", "real":
		return "CAST(? AS DOUBLE)"
	case "date":
		return "CAST(? AS DATE)"
	case "datetime", "timestamp":
		return "CAST(? AS DATETIME(6))"
	case "time":
		return "CAST(? AS TIME(6))"
	}
	switch {
	case c.Kind == mysql.KindBinary:
		return "UNHEX(?)"
	case c.Charset != "" && c.Collation != "": // names checked by the catalog
		return "CONVERT(? USING " + c.Charset + ") COLLATE " + c.Collation
	}
	return "?"
}

func keyArg(c *mysql.RecordColumn, v []byte) any {
	switch {
	case c.DataType == "bit":
		return new(big.Int).SetBytes(v).String()
	case c.Kind == mysql.KindBinary:
		return hex.EncodeToString(v)
	}
	return string(v)
}

// valueArg returns the placeholder value of v for c: raw bytes for binary
// kinds (never a nil slice, which would be NULL), text otherwise.
func valueArg(c *mysql.RecordColumn, v []byte) any {
	switch {
	case v == nil:
		return nil
	case export.WritesHex(c.Kind):
		return v
	}
	return string(v)
}

// keysTable returns the derived table "(SELECT ? AS wb_n, key… UNION ALL
// …) AS b" of rows, with its arguments.
func (im *importer) keysTable(batch []importRow, rows []int) (string, []any) {
	cols := make([]*mysql.RecordColumn, len(im.tbl.key))
	for j, k := range im.tbl.key {
		cols[j] = im.tbl.file[k].col
	}
	return derivedKeys(cols, len(rows), func(n int) int { return rows[n] },
		func(n, j int) []byte { return batch[rows[n]].vals[im.tbl.key[j]] })
}

// derivedKeys returns the derived table "(SELECT ? AS wb_n, ? AS wb_k0, …
// UNION ALL …) AS b" of count rows, each key value typed like its column
// of cols: id(n) is row n's wb_n, value(n, j) its value of cols[j].
func derivedKeys(cols []*mysql.RecordColumn, count int, id func(n int) int, value func(n, j int) []byte) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, count*(1+len(cols)))
	b.WriteString("(")
	for n := range count {
		if n > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT ?")
		if n == 0 {
			b.WriteString(" AS wb_n")
		}
		args = append(args, id(n))
		for j, c := range cols {
			b.WriteString(", " + keyExpr(c))
			if n == 0 {
				b.WriteString(" AS wb_k" + strconv.Itoa(j))
			}
			args = append(args, keyArg(c, value(n, j)))
		}
	}
	b.WriteString(") AS b")
	return b.String(), args
}

// keyJoin joins the keys b (first) with the table t through the key's
// index, so that a statement locks only the rows of its keys even where
// the optimizer would rather scan a small table.
func (im *importer) keyJoin() string {
	conds := make([]string, len(im.tbl.key))
	for j, k := range im.tbl.key {
		conds[j] = "t." + mysql.QuoteIdent(im.tbl.file[k].col.Name) + " = b.wb_k" + strconv.Itoa(j)
	}
	return " STRAIGHT_JOIN " + im.quotedTable() + " AS t FORCE INDEX (" + mysql.QuoteIdent(im.tbl.rt.KeyIndex) + ") ON " +
		strings.Join(conds, " AND ")
}

func (im *importer) quotedTable() string { return mysql.QuoteTable(im.tbl.rt.Schema, im.tbl.rt.Name) }

// keyChunk is how many rows one lookup or delete statement names.
func (im *importer) keyChunk() int { return max(1, min(1000, maxStmtParams/(1+len(im.tbl.key)))) }

// lookup returns the current content (stored columns, read as exports
// read them) of the rows with the keys of batch, by batch index. lock
// adds FOR UPDATE (inside the writing transaction).
func (im *importer) lookup(ctx context.Context, q sqlx.QueryerContext, batch []importRow, lock bool) (map[int][][]byte, error) {
	found := map[int][][]byte{}
	if !im.tbl.keyed() {
		return found, nil
	}
	exprs := make([]string, len(im.tbl.stored))
	for i := range im.tbl.stored {
		exprs[i] = readExpr(&im.tbl.stored[i])
	}
	all := make([]int, len(batch))
	for i := range all {
		all[i] = i
	}
	for start := 0; start < len(all); start += im.keyChunk() {
		keys, args := im.keysTable(batch, all[start:min(start+im.keyChunk(), len(all))])
		query := mysql.Tag + "SELECT b.wb_n, " + strings.Join(exprs, ", ") + " FROM " + keys + im.keyJoin()
		if lock {
			query += " FOR UPDATE"
		}
		if err := scanLookup(ctx, q, query, args, len(exprs), found); err != nil {
			return nil, fmt.Errorf("look up rows of %s: %w", im.opts.Table, err)
		}
	}
	return found, nil
}

func scanLookup(ctx context.Context, q sqlx.QueryerContext, query string, args []any, n int, found map[int][][]byte) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var idx int
		vals := make([][]byte, n)
		dest := make([]any, n+1)
		dest[0] = &idx
		for i := range vals {
			dest[i+1] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		found[idx] = vals
	}
	return rows.Err()
}
