package restore

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/weekback/weekback/mysql"
)

// A valueFunc checks one non-NULL value of the file against its column. It
// returns the value to send (raw bytes for binary kinds, the text itself
// otherwise) or a problem: a lowercase phrase that follows the quoted
// value in a ValueError ("is not a whole number").
type valueFunc func(v []byte) (out []byte, problem string)

// newValueFunc returns the check of c's values. It returns an error when
// the column's type cannot be parsed (an ENUM or SET list).
func newValueFunc(c *mysql.RecordColumn) (valueFunc, error) {
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return intCheck(c), nil
	case "decimal", "numeric":
		return decimalCheck(c), nil
	case "float", "double", "real":
		return floatCheck(c), nil
	case "bit":
		return bitCheck(c), nil
	case "date", "datetime", "timestamp", "time", "year":
		return temporalCheck(c), nil
	case "enum", "set":
		return enumCheck(c)
	}
	switch c.Kind {
	case mysql.KindBinary:
		return binaryCheck(c), nil
	case mysql.KindGeometry:
		return geometryCheck(c), nil
	case mysql.KindJSON:
		return jsonCheck(c), nil
	}
	return textCheck(c), nil
}

// intBits is the width of each integer type.
var intBits = map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "integer": 32, "bigint": 64}

var intText = regexp.MustCompile(`^-?[0-9]+$`)

func unsignedCol(c *mysql.RecordColumn) bool {
	return strings.Contains(strings.ToLower(c.ColumnType), "unsigned")
}

func intCheck(c *mysql.RecordColumn) valueFunc {
	bits := intBits[c.DataType]
	lo, hi := new(big.Int).Lsh(big.NewInt(-1), bits-1), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits-1), big.NewInt(1))
	if unsignedCol(c) {
		lo, hi = big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1))
	}
	rangeText := fmt.Sprintf("is out of range for %s (%s to %s)", c.ColumnType, lo, hi)
	return func(v []byte) ([]byte, string) {
		if !intText.Match(v) {
			return nil, "is not a whole number"
		}
		n, _ := new(big.Int).SetString(string(v), 10)
		if n.Cmp(lo) < 0 || n.Cmp(hi) > 0 {
			return nil, rangeText
		}
		return v, ""
	}
}

var decimalSyntax = regexp.MustCompile(`^-?([0-9]+)(?:\.([0-9]+))?$`)

func decimalCheck(c *mysql.RecordColumn) valueFunc {
	intDigits, scale := c.Precision-c.Scale, c.Scale
	uns := unsignedCol(c)
	return func(v []byte) ([]byte, string) {
		m := decimalSyntax.FindSubmatch(v)
		if m == nil {
			return nil, "is not a decimal number (digits, a point, digits)"
		}
		if whole := strings.TrimLeft(string(m[1]), "0"); len(whole) > intDigits {
			return nil, fmt.Sprintf("has %d digits before the point; %s holds %d", len(whole), c.ColumnType, intDigits)
		}
		if len(m[2]) > scale {
			return nil, fmt.Sprintf("has %d digits after the point; %s keeps %d (it would be rounded)", len(m[2]), c.ColumnType, scale)
		}
		if uns && v[0] == '-' && strings.Trim(string(v), "-0.") != "" {
			return nil, "is negative; the column is unsigned"
		}
		return v, ""
	}
}

var floatSyntax = regexp.MustCompile(`^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`)

// floatCheck accepts a decimal number that fits the column: FLOAT within
// float32 range, FLOAT(M,D) and DOUBLE(M,D) below 10^(M-D).
func floatCheck(c *mysql.RecordColumn) valueFunc {
	limit, strict := math.MaxFloat64, false
	if c.DataType == "float" {
		limit = math.MaxFloat32
	}
	if m, d, ok := typeArgs(c.ColumnType); ok && d >= 0 {
		limit, strict = math.Pow10(m-d), true
	}
	uns := unsignedCol(c)
	return func(v []byte) ([]byte, string) {
		if !floatSyntax.Match(v) {
			return nil, "is not a number"
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if a := math.Abs(f); err != nil || a > limit || strict && a >= limit {
			return nil, "is out of range for " + c.ColumnType
		}
		if uns && f < 0 {
			return nil, "is negative; the column is unsigned"
		}
		return v, ""
	}
}

// typeArgs parses the "(m,d)" or "(m)" of a column type; d is -1 when
// absent.
func typeArgs(columnType string) (m, d int, ok bool) {
	open, end := strings.IndexByte(columnType, '('), strings.IndexByte(columnType, ')')
	if open < 0 || end < open {
		return 0, 0, false
	}
	a, b, two := strings.Cut(columnType[open+1:end], ",")
	m, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, false
	}
	if !two {
		return m, -1, true
	}
	d, err = strconv.Atoi(strings.TrimSpace(b))
	return m, d, err == nil
}

// decodeHex returns the bytes of "0x…" (never nil), or false.
func decodeHex(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '0' || v[1] != 'x' && v[1] != 'X' {
		return nil, false
	}
	out := make([]byte, hex.DecodedLen(len(v)-2))
	if _, err := hex.Decode(out, v[2:]); err != nil {
		return nil, false
	}
	return out, true
}

const notHex = "is not 0x followed by pairs of hex digits (binary values are written as 0x…)"

func binaryCheck(c *mysql.RecordColumn) valueFunc {
	return func(v []byte) ([]byte, string) {
		b, ok := decodeHex(v)
		if !ok {
			return nil, notHex
		}
		if c.MaxBytes > 0 && int64(len(b)) > c.MaxBytes {
			return nil, fmt.Sprintf("is %d bytes; %s holds %d", len(b), c.ColumnType, c.MaxBytes)
		}
		return b, ""
	}
}

// bitCheck accepts the raw big-endian bytes of a BIT(n) value: at most
// ceil(n/8) bytes, below 2^n.
func bitCheck(c *mysql.RecordColumn) valueFunc {
	n, _, ok := typeArgs(c.ColumnType)
	if !ok {
		n = 1
	}
	return func(v []byte) ([]byte, string) {
		b, ok := decodeHex(v)
		if !ok {
			return nil, notHex
		}
		if new(big.Int).SetBytes(b).BitLen() > n {
			return nil, fmt.Sprintf("does not fit %s (more than %d bits)", c.ColumnType, n)
		}
		if len(b) > (n+7)/8 {
			return nil, fmt.Sprintf("is %d bytes; %s holds %d", len(b), c.ColumnType, (n+7)/8)
		}
		return b, ""
	}
}

func jsonCheck(c *mysql.RecordColumn) valueFunc {
	text := textCheck(c)
	return func(v []byte) ([]byte, string) {
		if !json.Valid(v) {
			return nil, "is not valid JSON"
		}
		return text(v)
	}
}

// enumCheck accepts exactly a member of an ENUM, or a comma list of
// members of a SET ("" is the empty set). ENUM's error value "" (stored
// by a permissive server for an unknown member) is refused: the server
// would store it again only with a warning.
func enumCheck(c *mysql.RecordColumn) (valueFunc, error) {
	members, err := enumMembers(c.ColumnType)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", c.Name, err)
	}
	known := make(map[string]bool, len(members))
	for _, m := range members {
		known[m] = true
	}
	list := shorten(c.ColumnType, 80)
	return func(v []byte) ([]byte, string) {
		switch {
		case known[string(v)], len(v) == 0 && c.DataType == "set":
			return v, ""
		case len(v) == 0:
			return nil, "is ENUM's error value (index 0), which the server stores only with a warning: put one of " + list + " or NULL"
		case c.DataType == "enum":
			return nil, "is not one of " + list + " (letter case counts)"
		}
		for part := range strings.SplitSeq(string(v), ",") {
			if !known[part] {
				return nil, fmt.Sprintf("has %q, which is not a member of %s (letter case counts)", shorten(part, 40), list)
			}
		}
		return v, ""
	}, nil
}

// enumMembers parses the members of "enum('a','it”s')" or "set(…)" as
// information_schema prints them: quotes doubled, backslashes escaped.
func enumMembers(columnType string) ([]string, error) {
	open := strings.IndexByte(columnType, '(')
	if open < 0 || !strings.HasSuffix(columnType, ")") {
		return nil, fmt.Errorf("cannot read the members of %q", columnType)
	}
	s := columnType[open+1 : len(columnType)-1]
	var members []string
	for len(s) > 0 {
		if s[0] != '\'' {
			return nil, fmt.Errorf("cannot read the members of %q", columnType)
		}
		m, rest, ok := quotedMember(s[1:])
		if !ok {
			return nil, fmt.Errorf("cannot read the members of %q", columnType)
		}
		members = append(members, m)
		s = strings.TrimPrefix(rest, ",")
	}
	return members, nil
}

// quotedMember reads a member up to its closing quote and returns it and
// what follows the quote.
func quotedMember(s string) (string, string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case s[i] == '\'':
			return b.String(), s[i+1:], true
		case s[i] == '\\' && i+1 < len(s):
			b.WriteByte(s[i+1])
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}

// shorten returns s cut to n runes with "…" when longer.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
