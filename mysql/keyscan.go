package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
)

// Ordered scans for comparisons: the compare package streams two tables
// in the same order and merges them. The order is the table's key, or
// every sortable column for a table without one; OrderKey tells how each
// order value compares in Go, so the merge agrees with the server.

// OrderKind says how the values of an order column compare.
type OrderKind int

// Order kinds (OrderKeyOf).
const (
	OrderBytes   OrderKind = iota // byte by byte: weight strings, binary strings, dates
	OrderInt                      // signed decimal integer text
	OrderUint                     // unsigned decimal integer text
	OrderDecimal                  // DECIMAL text
	OrderFloat                    // FLOAT/DOUBLE text
)

// OrderKey is how one column takes part in a scan's order: the SELECT
// expression whose value compares in Go as Kind says, in the order
// ORDER BY Order gives.
type OrderKey struct {
	Column string
	Expr   string // SELECT expression of the value compared
	Order  string // ORDER BY expression
	Kind   OrderKind
	// Pad, for a weight string of a PAD SPACE collation, is the weight of
	// one space, which pads the shorter of two values (see PadWeight).
	Pad []byte
}

// OrderKeyOf returns how c orders, and false when its values cannot be
// ordered whole (JSON, geometry, values longer than a sort key): such a
// column is left out of a keyless table's order. Character columns
// compare by WEIGHT_STRING, so that values equal under the collation
// (a key's 'a' and 'A') are one position, as the server sees them.
func OrderKeyOf(c *RecordColumn) (OrderKey, bool) {
	ref := colRef(c)
	k := OrderKey{Column: c.Name, Expr: ref, Order: ref}
	switch classOf(c) {
	case classInt:
		k.Expr, k.Kind = "CAST("+ref+" AS CHAR)", OrderInt
		if unsigned(c) {
			k.Kind = OrderUint
		}
	case classBit:
		k.Expr, k.Kind = "CAST("+ref+" AS UNSIGNED)", OrderUint
	case classEnum:
		k.Expr, k.Order, k.Kind = "CAST("+ref+"+0 AS UNSIGNED)", "("+ref+"+0)", OrderUint
	case classDecimal:
		k.Expr, k.Kind = "CAST("+ref+" AS CHAR)", OrderDecimal
	case classFloat:
		k.Expr, k.Kind = "CAST(CAST("+ref+" AS DOUBLE) AS CHAR)", OrderFloat
	case classString:
		if long(c) {
			return k, false
		}
		k.Expr = "WEIGHT_STRING(" + ref + ")"
	case classBinary:
		if long(c) {
			return k, false
		}
	case classLiteral:
		if c.DataType == "time" {
			return k, false // negative and over-24-hour times do not order as text
		}
		k.Expr = "CAST(" + ref + " AS CHAR)"
	default:
		return k, false
	}
	return k, true
}

// KeyTextExpr returns the SELECT expression of c's part of a row key as
// FormatRowKey takes it (numbers, dates, text as UTF-8; bytes as hex, to
// which "0x" is prefixed by KeyTextValue).
func KeyTextExpr(c *RecordColumn) string { return keyText(c) }

// KeyTextValue returns c's part of a row key from the value KeyTextExpr
// read.
func KeyTextValue(c *RecordColumn, v []byte) string {
	if classOf(c) == classBinary {
		return "0x" + strings.ToLower(string(v))
	}
	return string(v)
}

// KeyAfter returns the condition "the row's key comes after key" in key
// order (ascending), with its arguments; key holds one FormatRowKey part
// per key column. It returns an EINVALID *weekback.Error when a value
// cannot be one of its column's.
func KeyAfter(t *RecordTable, key []string) (string, []any, error) {
	if len(key) != len(t.Key) {
		return "", nil, errInvalidCursor()
	}
	var terms, eqs []string
	var args, eqArgs []any
	for i, name := range t.Key {
		c, _ := t.Column(name)
		pm, ok := keyParam(c, key[i])
		if !ok {
			return "", nil, errInvalidCursor()
		}
		ref := colRef(c)
		if classOf(c) == classEnum {
			n, ok := enumIndex(c, key[i])
			if !ok {
				return "", nil, errInvalidCursor()
			}
			ref, pm = "("+ref+"+0)", param{"?", []any{n}}
		}
		term := strings.Join(append(eqs[:len(eqs):len(eqs)], ref+" > "+pm.sql), " AND ")
		terms, args = append(terms, term), append(append(args, eqArgs...), pm.args...)
		eqs, eqArgs = append(eqs, ref+" = "+pm.sql), append(eqArgs, pm.args...)
	}
	return "((" + strings.Join(terms, ") OR (") + "))", args, nil
}

// FilterWhere returns the conditions of filters on schema.table (the
// records page's filters: typed, placeholders only) joined by AND, "" when
// there are none, and their arguments; columns are referred to through
// the alias t. masked columns cannot be filtered by. Errors as Records.
func (c *Catalog) FilterWhere(ctx context.Context, conn *sqlx.Conn, schema, table string, filters []weekback.Filter,
	masked []string) (string, []any, error) {
	p, err := c.plan(ctx, conn, RecordQuery{Schema: schema, Table: table, Filters: filters, Masked: masked, Timeout: -1})
	if err != nil {
		return "", nil, err
	}
	return strings.Join(p.where, " AND "), p.args, nil
}

// Scan is one ordered scan: SELECT List FROM schema.table AS t WHERE
// Where ORDER BY Order.
type Scan struct {
	Schema, Table string
	List          []string
	Where         string
	Args          []any
	Order         []string
}

// SQL returns the statement of s after head ("SELECT " and its limits).
func (s Scan) SQL(head string) string {
	var b strings.Builder
	b.WriteString(head + strings.Join(s.List, ", ") + " FROM " + QuoteTable(s.Schema, s.Table) + " AS t")
	if s.Where != "" {
		b.WriteString(" WHERE " + s.Where)
	}
	if len(s.Order) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(s.Order, ", "))
	}
	return b.String()
}

// RunScan streams the rows of s on conn and calls fn with their values
// (nil for NULL), valid only during the call. With inTx, conn holds a
// transaction of the caller's (production's consistent snapshot) and the
// statement runs in it; otherwise it runs in a READ ONLY transaction of
// its own, as Records does. conn should be opened with RoleSource. The
// statement has no time limit. Memory stays flat.
func (c *Catalog) RunScan(ctx context.Context, conn *sqlx.Conn, s Scan, inTx bool, fn func(values [][]byte) error) error {
	f, err := c.serverFlavor(ctx, conn)
	if err != nil {
		return err
	}
	run := func(rc rawConn, head string) error {
		return rc.scan(ctx, s.SQL(head), s.Args, len(s.List), fn)
	}
	if inTx {
		err = conn.Raw(func(dc any) error { return run(rawConn{dc: dc}, selectHead(flavorMySQL, 0)) })
	} else {
		err = readOnly(ctx, conn, f, func(rc rawConn) error { return run(rc, selectHead(f, 0)) })
	}
	if err != nil {
		return fmt.Errorf("scan %s.%s: %w", s.Schema, s.Table, err)
	}
	return nil
}

// enumIndex returns the number ENUM or SET column c stores for label
// (c+0): the label's position for ENUM, the sum of its members' bits for
// SET; false when label is not one of c's values.
func enumIndex(c *RecordColumn, label string) (uint64, bool) {
	values := enumValues(c.ColumnType)
	if c.DataType == "enum" {
		for i, v := range values {
			if v == label {
				return uint64(i + 1), true
			}
		}
		return 0, label == ""
	}
	var n uint64
	for part := range strings.SplitSeq(label, ",") {
		found := false
		for i, v := range values {
			if v == part && i < 64 {
				n, found = n|1<<i, true
			}
		}
		if !found && part != "" {
			return 0, false
		}
	}
	return n, true
}

// enumValues returns the labels of "enum('a','b”c')" or "set(…)".
func enumValues(columnType string) []string {
	open := strings.IndexByte(columnType, '(')
	if open < 0 {
		return nil
	}
	var out []string
	var cur strings.Builder
	in := false
	s := columnType[open+1:]
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\'' && in && i+1 < len(s) && s[i+1] == '\'':
			cur.WriteByte('\'')
			i++
		case ch == '\'':
			if in {
				out = append(out, cur.String())
				cur.Reset()
			}
			in = !in
		case in:
			cur.WriteByte(ch)
		}
	}
	return out
}

// PadWeight returns the weight (WEIGHT_STRING) of one space in the
// collation of c when the collation pads with spaces (PAD SPACE: 'a' and
// 'a ' are equal, and 'a' sorts after 'a\t'), for comparing WEIGHT_STRING
// values as the server compares the strings: the shorter is padded with
// it. It returns nil for NO PAD collations and for columns OrderKeyOf
// does not order by a weight string.
func PadWeight(ctx context.Context, q sqlx.QueryerContext, c *RecordColumn) ([]byte, error) {
	if classOf(c) != classString || long(c) || c.Charset == "" {
		return nil, nil
	}
	conv := "CONVERT(? USING " + c.Charset + ") COLLATE " + c.Collation
	var weight []byte
	var padded bool
	err := q.QueryRowxContext(ctx, Tag+"SELECT WEIGHT_STRING("+conv+"), "+conv+" = "+conv, " ", "a", "a ").Scan(&weight, &padded)
	if err != nil {
		return nil, fmt.Errorf("read the collation %s: %w", c.Collation, err)
	}
	if !padded {
		return nil, nil
	}
	return weight, nil
}
