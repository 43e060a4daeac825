package export

import (
	"strings"

	"github.com/weekback/weekback/mysql"
)

// valueWriter appends the SQL literal of one value (nil: NULL) to dst.
type valueWriter func(dst, v []byte) []byte

// literalFor returns how the values of c (as mysql.ScanSource reads them
// with mysql.RoleSource: stored bytes, numbers as the server's exact text)
// are written so that they load back byte for byte: numbers bare, text of
// a UTF-8 or ASCII column quoted and escaped (the script is sent as
// utf8mb4), everything else — binary strings, BIT, geometry, text in
// other character sets — as a 0x hex literal, which loads the bytes
// unconverted. Dates and times are quoted as stored (zero dates load: the
// script's sql_mode allows them).
func literalFor(c mysql.Column, sc slotColumn) valueWriter {
	switch {
	case isNumber(c.DataType):
		return nullOr(appendBare)
	case isBinary(c.DataType):
		return nullOr(appendSQLHex)
	case sc.charset == "" || isUTF8(sc.charset):
		return nullOr(appendSQLString)
	}
	return nullOr(appendSQLHex)
}

func isNumber(dataType string) bool {
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double", "year":
		return true
	}
	return false
}

func isBinary(dataType string) bool {
	switch dataType {
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit",
		"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection":
		return true
	}
	return false
}

func isUTF8(charset string) bool {
	return strings.HasPrefix(charset, "utf8") || charset == "ascii"
}

func nullOr(fn valueWriter) valueWriter {
	return func(dst, v []byte) []byte {
		if v == nil {
			return append(dst, "NULL"...)
		}
		return fn(dst, v)
	}
}

func appendBare(dst, v []byte) []byte { return append(dst, v...) }

// appendSQLHex appends v as a hex literal (” when empty: 0x alone is no
// literal).
func appendSQLHex(dst, v []byte) []byte {
	if len(v) == 0 {
		return append(dst, "''"...)
	}
	return appendHex(dst, v)
}

// appendSQLString appends v as a quoted string literal, escaped as
// mariadb-dump escapes: backslash, quotes, NUL, newline, carriage return
// and Ctrl-Z.
func appendSQLString(dst, v []byte) []byte {
	dst = append(dst, '\'')
	for _, b := range v {
		switch b {
		case 0:
			dst = append(dst, '\\', '0')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0x1a:
			dst = append(dst, '\\', 'Z')
		case '\\', '\'', '"':
			dst = append(dst, '\\', b)
		default:
			dst = append(dst, b)
		}
	}
	return append(dst, '\'')
}

// blankStored returns the stored form of the blank value of a credential
// column: nil (NULL) where the column allows it, otherwise the empty value
// of its type as the server prints it (0 with the column's decimals, the
// zero date and time with its fractional digits, zero bits, ”), so that
// the script still loads into a NOT NULL column and its hash is known.
func blankStored(c mysql.Column, sc slotColumn) []byte {
	if sc.nullable {
		return nil
	}
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "bigint", "float", "double":
		return []byte("0")
	case "year":
		return []byte("0000")
	case "decimal":
		return []byte("0" + fraction(c.ColumnType, ','))
	case "bit":
		return make([]byte, (typeWidth(c.ColumnType)+7)/8)
	case "date":
		return []byte("0000-00-00")
	case "datetime", "timestamp":
		return []byte("0000-00-00 00:00:00" + fraction(c.ColumnType, '('))
	case "time":
		return []byte("00:00:00" + fraction(c.ColumnType, '('))
	}
	return []byte{}
}

// typeWidth returns the first number in a column type's parentheses
// ("bit(12)" → 12), or 1.
func typeWidth(columnType string) int {
	_, after, ok := strings.Cut(columnType, "(")
	n := 0
	for ; ok && after != "" && after[0] >= '0' && after[0] <= '9'; after = after[1:] {
		n = n*10 + int(after[0]-'0')
	}
	if n == 0 {
		return 1
	}
	return n
}

// fraction returns "." and as many zeros as the digits after sep in a
// column type ("decimal(10,2)" with ',' → ".00", "datetime(3)" with '('
// → ".000"), or "" when it has none.
func fraction(columnType string, sep byte) string {
	i := strings.IndexByte(columnType, sep)
	if i < 0 {
		return ""
	}
	n := 0
	for _, r := range columnType[i+1:] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	if n == 0 {
		return ""
	}
	return "." + strings.Repeat("0", n)
}
