package mysql

import (
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/weekback/weekback"
)

// How values of each column take part in SQL: what Records orders by,
// which text stands for a value in cursors and row keys, and how such a
// text goes back into a query as a typed placeholder.

// Values longer than exactSortBytes are ordered by their first sortPrefix
// characters (bytes for binary columns); sortKeyBytes is the
// max_sort_length every query runs with, enough for sortPrefix characters
// (or exactSortBytes bytes) of any collation's weights. With the server's
// default of 1024 bytes, a filesort compares only a prefix of long values
// while the cursor's WHERE clause compares them whole, and pages would
// skip rows.
const (
	exactSortBytes = 3072
	sortPrefix     = 255
	sortKeyBytes   = 16384
)

type class int

const (
	classLiteral  class = iota // dates, times, UUID, INET6: their text, converted by the server
	classInt                   // integer types and YEAR
	classBit                   // BIT(n), as an unsigned integer
	classDecimal               // DECIMAL
	classFloat                 // FLOAT, DOUBLE
	classString                // character types (MariaDB's JSON included)
	classEnum                  // ENUM, SET: ordered by their index
	classBinary                // byte strings
	classGeometry              // spatial types
	classJSON                  // MySQL's JSON type
)

func classOf(c *RecordColumn) class {
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		return classInt
	case "bit":
		return classBit
	case "decimal", "numeric":
		return classDecimal
	case "float", "double", "real":
		return classFloat
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return classString
	case "enum", "set":
		return classEnum
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return classBinary
	case "json":
		return classJSON
	}
	if c.Kind == KindGeometry {
		return classGeometry
	}
	return classLiteral
}

func colRef(c *RecordColumn) string { return "t." + QuoteIdent(c.Name) }

func unsigned(c *RecordColumn) bool {
	return strings.Contains(strings.ToLower(c.ColumnType), "unsigned")
}

// long reports whether c's values may be too long to sort whole.
func long(c *RecordColumn) bool { return c.MaxBytes > exactSortBytes }

// orderExact reports whether ordering by c orders by the whole value (or
// by an index prefix of subPart characters, unique on its own), so that a
// unique key made of such columns orders rows totally.
func orderExact(c *RecordColumn, subPart int64) bool {
	switch classOf(c) {
	case classString, classBinary:
		return !long(c) || subPart > 0 && subPart <= sortPrefix
	case classGeometry, classJSON:
		return false
	}
	return true
}

// param is a placeholder expression and its arguments.
type param struct {
	sql  string
	args []any
}

// orderCol is one expression of a page's order: a column, or the row
// digest of tables without a key.
type orderCol struct {
	name     string // the column's name; "" for the digest
	order    string // ORDER BY expression
	cmp      string // the expression cursor values are compared with
	cursor   string // SELECT expression whose value stands for the row in a cursor
	hex      bool   // the cursor value is the hex of those bytes
	nullable bool
	param    func(v string) (param, bool) // cursor text → placeholder; false when it cannot be one
}

func orderColOf(c *RecordColumn) orderCol {
	ref := colRef(c)
	o := orderCol{name: c.Name, order: ref, cmp: ref, cursor: "CAST(" + ref + " AS CHAR)", nullable: c.Nullable}
	switch classOf(c) {
	case classInt, classBit:
		o.param = intParam(unsigned(c) || classOf(c) == classBit)
		if classOf(c) == classBit {
			o.cursor = "CAST(" + ref + " AS UNSIGNED)"
		}
	case classDecimal:
		o.param = func(v string) (param, bool) {
			return param{"CAST(? AS DECIMAL(" + strconv.Itoa(c.Precision) + "," + strconv.Itoa(c.Scale) + "))", []any{v}}, decimalText.MatchString(v)
		}
	case classFloat:
		o.cursor = "CAST(CAST(" + ref + " AS DOUBLE) AS CHAR)"
		o.param = floatParam
	case classEnum:
		o.cmp = "(" + ref + "+0)"
		o.cursor = "CAST(" + ref + "+0 AS CHAR)"
		o.param = intParam(true)
	case classString, classJSON:
		cs, coll := c.Charset, c.Collation
		e := ref
		if classOf(c) == classJSON {
			cs, coll, e = "utf8mb4", "utf8mb4_bin", "CONVERT("+ref+" USING utf8mb4) COLLATE utf8mb4_bin"
		}
		if long(c) || classOf(c) == classJSON {
			e = "LEFT(" + e + ", " + strconv.Itoa(sortPrefix) + ")"
		}
		o.order, o.cmp, o.cursor, o.hex = e, e, "CAST("+e+" AS BINARY)", true
		conv := "CONVERT(UNHEX(?) USING " + cs + ")"
		if coll != "" {
			conv += " COLLATE " + coll
		}
		o.param = hexParam(conv)
	case classBinary, classGeometry:
		e := ref
		if classOf(c) == classGeometry {
			e = "LEFT(CAST(" + ref + " AS BINARY), " + strconv.Itoa(sortPrefix) + ")"
		} else if long(c) {
			e = "LEFT(" + ref + ", " + strconv.Itoa(sortPrefix) + ")"
		}
		o.order, o.cmp, o.cursor, o.hex = e, e, e, true
		o.param = hexParam("UNHEX(?)")
	default:
		o.param = func(v string) (param, bool) { return param{"?", []any{v}}, true }
	}
	return o
}

// digestCol orders the rows of a table without a key: the MD5 of every
// stored column's MD5 (or "-" for NULL). Only identical rows share a
// digest.
func digestCol(t *RecordTable) orderCol {
	var parts []string
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Generated {
			continue
		}
		v := "CAST(" + colRef(c) + " AS BINARY)"
		if classOf(c) == classFloat {
			v = "CAST(CAST(" + colRef(c) + " AS DOUBLE) AS BINARY)"
		}
		parts = append(parts, "IFNULL(MD5("+v+"), '-')")
	}
	e := "MD5(CONCAT_WS(',', " + strings.Join(parts, ", ") + "))"
	return orderCol{order: e, cmp: e, cursor: e, param: func(v string) (param, bool) {
		return param{"?", []any{v}}, md5Text.MatchString(v)
	}}
}

var (
	decimalText  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	md5Text      = regexp.MustCompile(`^[0-9a-f]{32}$`)
	temporalText = regexp.MustCompile(`^-?[0-9][0-9 :.T-]*$`)
)

func intParam(uns bool) func(v string) (param, bool) {
	return func(v string) (param, bool) {
		if uns {
			n, err := strconv.ParseUint(v, 10, 64)
			return param{"?", []any{n}}, err == nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return param{"?", []any{n}}, err == nil
	}
}

func floatParam(v string) (param, bool) {
	f, err := strconv.ParseFloat(v, 64)
	return param{"?", []any{f}}, err == nil
}

func hexParam(sql string) func(v string) (param, bool) {
	return func(v string) (param, bool) {
		_, err := hex.DecodeString(v)
		return param{sql, []any{v}}, err == nil
	}
}

// keyText returns the SELECT expression whose value is c's part of a row
// key (readable: numbers, dates, text as UTF-8, bytes as 0x-hex), and
// keyParam turns such a text back into a placeholder compared with c.
func keyText(c *RecordColumn) string {
	ref := colRef(c)
	switch classOf(c) {
	case classString, classEnum:
		return "CONVERT(" + ref + " USING utf8mb4)"
	case classBinary:
		return "HEX(" + ref + ")"
	}
	return orderColOf(c).cursor
}

func keyParam(c *RecordColumn, v string) (param, bool) {
	switch classOf(c) {
	case classString, classEnum:
		return param{"?", []any{v}}, true
	case classBinary:
		h, ok := strings.CutPrefix(v, "0x")
		_, err := hex.DecodeString(h)
		return param{"UNHEX(?)", []any{h}}, ok && err == nil
	}
	return orderColOf(c).param(v)
}

// fitsFunc reports whether the text v can be stored in column c (in its
// character set).
type fitsFunc func(c *RecordColumn, v string) (bool, error)

// mayNotFit reports whether v may have characters c's character set
// cannot hold (then only the server can tell).
func mayNotFit(c *RecordColumn, v string) bool {
	if cl := classOf(c); cl != classString && cl != classEnum || strings.EqualFold(c.Charset, "utf8mb4") {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// filterSQL returns the condition of f on c. A value the column's
// character set cannot hold (fits) is compared with the column converted
// to UTF-8, so that it matches nothing instead of failing with "illegal
// mix of collations".
func filterSQL(c *RecordColumn, f weekback.Filter, fits fitsFunc) (string, []any, error) {
	left := colRef(c)
	if classOf(c) == classGeometry {
		left = "ST_AsText(" + left + ")"
	}
	values := f.Values
	if f.Op != weekback.OpIn {
		values = []string{f.Value}
	} else if len(values) == 0 {
		return "", nil, weekback.Errorf(weekback.EINVALID, "filter on %s: in needs a list: write %s=in:A,B", c.Name, c.Name).
			WithKey("error.filter.empty_list", "column", c.Name)
	}
	for _, v := range values {
		if !f.Op.TakesValue() {
			break
		}
		if !utf8.ValidString(v) {
			return "", nil, weekback.Errorf(weekback.EINVALID, "filter on %s: the value is not valid UTF-8 text; write bytes as 0x-hex", c.Name).
				WithKey("error.filter.not_utf8", "column", c.Name)
		}
		ok, err := fits(c, v)
		if err != nil {
			return "", nil, err
		}
		if !ok {
			left = "CONVERT(" + colRef(c) + " USING utf8mb4)"
		}
	}
	switch f.Op {
	case weekback.OpIsNull:
		return left + " IS NULL", nil, nil
	case weekback.OpNotNull:
		return left + " IS NOT NULL", nil, nil
	case weekback.OpContains:
		return left + " LIKE ? ESCAPE '!'", []any{"%" + likeBang(f.Value) + "%"}, nil
	case weekback.OpPrefix:
		return left + " LIKE ? ESCAPE '!'", []any{likeBang(f.Value) + "%"}, nil
	case weekback.OpIn:
		var ps []string
		var args []any
		for _, v := range f.Values {
			p, err := filterParam(c, v)
			if err != nil {
				return "", nil, err
			}
			ps = append(ps, p.sql)
			args = append(args, p.args...)
		}
		return left + " IN (" + strings.Join(ps, ", ") + ")", args, nil
	}
	op, ok := map[weekback.FilterOp]string{weekback.OpEq: "=", weekback.OpNe: "<>", weekback.OpLt: "<",
		weekback.OpLe: "<=", weekback.OpGt: ">", weekback.OpGe: ">="}[f.Op]
	if !ok {
		return "", nil, weekback.Errorf(weekback.EINVALID, "filter on %s: unknown operator %q", c.Name, f.Op).
			WithKey("error.filter.unknown_op", "column", c.Name, "op", string(f.Op), "ops", weekback.FilterOpList())
	}
	p, err := filterParam(c, f.Value)
	if err != nil {
		return "", nil, err
	}
	return left + " " + op + " " + p.sql, p.args, nil
}

// likeBang escapes s for LIKE … ESCAPE '!': every %, _ and ! is taken
// literally (a backslash is an ordinary character with this escape).
func likeBang(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// filterParam types a filter value for c: numbers as numbers (so that
// BIGINT and DECIMAL compare exactly), 0x-hex as bytes for binary
// columns, everything else as text the server converts.
func filterParam(c *RecordColumn, v string) (param, error) {
	bad := func(what, example string) (param, error) {
		return param{}, weekback.Errorf(weekback.EINVALID, "filter on %s: %q is not %s; write for example %s", c.Name, v, what, example).
			WithKey(notKeys[what], "column", c.Name, "value", v, "example", example)
	}
	switch classOf(c) {
	case classInt:
		if p, ok := intParam(unsigned(c))(v); ok {
			return p, nil
		}
		if decimalText.MatchString(v) {
			return decimalParam(c, v), nil
		}
		return bad("a number", c.Name+"=eq:42")
	case classBit:
		if p, ok := intParam(true)(v); ok {
			return p, nil
		}
		return bad("a whole number", c.Name+"=eq:5")
	case classDecimal:
		if decimalText.MatchString(v) {
			return decimalParam(c, v), nil
		}
		return bad("a number", c.Name+"=ge:12.50")
	case classFloat:
		if p, ok := floatParam(v); ok {
			return p, nil
		}
		return bad("a number", c.Name+"=lt:0.5")
	case classBinary:
		if h, ok := strings.CutPrefix(v, "0x"); ok {
			if _, err := hex.DecodeString(h); err == nil {
				return param{"UNHEX(?)", []any{h}}, nil
			}
		}
	case classLiteral:
		if c.Kind == KindDatetime && !temporalText.MatchString(v) {
			return bad("a date or time", c.Name+"=ge:2026-01-31 or "+c.Name+"=lt:2026-01-31 12:00:00")
		}
	}
	return param{"?", []any{v}}, nil
}

// notKeys names filterParam's kinds of values in the message catalogs'
// keys.
var notKeys = map[string]string{"a number": "error.filter.not_number", "a whole number": "error.filter.not_integer",
	"a date or time": "error.filter.not_date"}

// decimalParam compares v as a DECIMAL wide enough for both the column and
// v's fraction digits (up to 30).
func decimalParam(c *RecordColumn, v string) param {
	frac := 0
	if _, f, ok := strings.Cut(v, "."); ok {
		frac = min(len(f), 30)
	}
	scale := max(c.Scale, frac)
	scale = min(scale, max(c.Scale, 65-max(c.Precision-c.Scale, 1)))
	return param{"CAST(? AS DECIMAL(65," + strconv.Itoa(scale) + "))", []any{v}}
}
