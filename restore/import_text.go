package restore

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/encoding/charmap"

	"github.com/weekback/weekback/mysql"
)

// Text arrives as UTF-8 and the server converts it to the column's
// character set. A character the set cannot hold would be stored as '?',
// so every text value is checked first: in Go for the common sets
// (utf8mb4, utf8mb3, latin1, ascii), by the server for any other
// (probeText).

// latin1High is what MariaDB's latin1 holds above ASCII: cp1252, with the
// five bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) mapped to
// the C1 controls of the same number. TestImportLatin1MatchesServer checks it
// against the server.
var latin1High = func() map[rune]bool {
	m := make(map[rune]bool, 128)
	for b := 0x80; b <= 0xFF; b++ {
		r := charmap.Windows1252.DecodeByte(byte(b))
		if r == utf8.RuneError {
			r = rune(b)
		}
		m[r] = true
	}
	return m
}()

// charsetHolds returns whether the character set cs holds the rune, or
// nil when only the server can tell.
func charsetHolds(cs string) func(r rune) bool {
	switch strings.ToLower(cs) {
	case "utf8mb4":
		return func(rune) bool { return true }
	case "utf8mb3", "utf8":
		return func(r rune) bool { return r <= 0xFFFF }
	case "latin1":
		return func(r rune) bool { return r < utf8.RuneSelf || latin1High[r] }
	case "ascii":
		return func(r rune) bool { return r < utf8.RuneSelf }
	}
	return nil
}

// byteLength returns the length of the UTF-8 text v in cs, or -1 when only
// the server can tell.
func byteLength(cs string, v []byte) int {
	switch strings.ToLower(cs) {
	case "utf8mb4", "utf8mb3", "utf8":
		return len(v)
	case "latin1", "ascii":
		return utf8.RuneCount(v)
	}
	return -1
}

// textBlob reports whether the type limits its length in bytes (the TEXT
// types) rather than characters.
func textBlob(dataType string) bool {
	switch dataType {
	case "tinytext", "text", "mediumtext", "longtext":
		return true
	}
	return false
}

// needsProbe reports whether c's values must be checked by the server.
func needsProbe(c *mysql.RecordColumn) bool {
	return c.Charset != "" && charsetHolds(c.Charset) == nil && c.DataType != "enum" && c.DataType != "set"
}

func textCheck(c *mysql.RecordColumn) valueFunc {
	holds := charsetHolds(c.Charset)
	return func(v []byte) ([]byte, string) {
		if !utf8.Valid(v) {
			return nil, "is not valid UTF-8 text"
		}
		if holds != nil {
			for _, r := range string(v) {
				if !holds(r) {
					return nil, fmt.Sprintf("has the character %q (%U), which the column's character set %s cannot hold", r, r, c.Charset)
				}
			}
		}
		return v, lengthProblem(c, v, byteLength(c.Charset, v))
	}
}

// lengthProblem checks a text's length: characters for CHAR and VARCHAR,
// bytes (n, in the column's set; -1 when unknown) for the TEXT types.
func lengthProblem(c *mysql.RecordColumn, v []byte, n int) string {
	if textBlob(c.DataType) {
		if n >= 0 && c.MaxBytes > 0 && int64(n) > c.MaxBytes {
			return fmt.Sprintf("is %d bytes in %s; %s holds %d", n, c.Charset, c.DataType, c.MaxBytes)
		}
		return ""
	}
	if chars := utf8.RuneCount(v); c.MaxChars > 0 && int64(chars) > c.MaxChars {
		return fmt.Sprintf("is %d characters; %s holds %d", chars, c.ColumnType, c.MaxChars)
	}
	return ""
}

// probeValues is how many values one probe query checks.
const probeValues = 200

// probeItem is a text value of a column whose character set only the
// server knows.
type probeItem struct {
	row   int // index in the batch
	col   *mysql.RecordColumn
	value []byte
}

// probeText asks the server to convert each item to its column's
// character set and back: a value that does not come back the same holds
// characters the set cannot, and a TEXT value may be too long in bytes.
// It returns the problem of each item ("" when it fits).
func probeText(ctx context.Context, q sqlx.QueryerContext, items []probeItem) ([]string, error) {
	problems := make([]string, 0, len(items))
	for start := 0; start < len(items); start += probeValues {
		chunk := items[start:min(start+probeValues, len(items))]
		exprs := make([]string, 0, 2*len(chunk))
		args := make([]any, 0, 2*len(chunk))
		for _, it := range chunk {
			cs := it.col.Charset // checked by the catalog: letters, digits, '_'
			exprs = append(exprs, "CONVERT(CONVERT(? USING "+cs+") USING utf8mb4)", "OCTET_LENGTH(CONVERT(? USING "+cs+"))")
			args = append(args, string(it.value), string(it.value))
		}
		got := make([][]byte, len(exprs))
		dest := make([]any, len(exprs))
		for i := range got {
			dest[i] = &got[i]
		}
		if err := q.QueryRowxContext(ctx, mysql.Tag+"SELECT "+strings.Join(exprs, ", "), args...).Scan(dest...); err != nil {
			return nil, fmt.Errorf("check text in the columns' character sets: %w", err)
		}
		for i, it := range chunk {
			problems = append(problems, probeProblem(it, got[2*i], got[2*i+1]))
		}
	}
	return problems, nil
}

func probeProblem(it probeItem, back, octets []byte) string {
	if string(back) != string(it.value) {
		return "has characters that the column's character set " + it.col.Charset + " cannot hold"
	}
	n := -1
	if _, err := fmt.Sscan(string(octets), &n); err != nil {
		n = -1
	}
	return lengthProblem(it.col, it.value, n)
}
