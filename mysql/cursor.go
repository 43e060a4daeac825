package mysql

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"net/url"
	"strings"

	"github.com/weekback/weekback"
)

// A cursor is a position between two rows of a page order: the order
// values of a row (sort column, then key columns, or the row digest of a
// table without a key) and how many rows sharing those values lie before
// the position (0 or 1 with a key; more for identical rows of a table
// without one). It travels as base64url of a version byte and JSON, and
// carries a signature of the order it belongs to (table, columns,
// direction) so that a cursor of another table or sort is refused.

const (
	cursorVersion = 1
	maxCursorLen  = 64 << 10
	maxSkip       = 1 << 40
)

// errInvalidCursor is what any cursor that is not one of ours gets.
func errInvalidCursor() error {
	return weekback.Errorf(weekback.EINVALID, "this link is no longer valid; go back to the first page").WithKey("error.cursor.invalid")
}

type position struct {
	values []*string // nil for NULL
	skip   int64
}

type cursorJSON struct {
	Sig    uint32    `json:"s"`
	Values []*string `json:"v"`
	Skip   int64     `json:"k,omitempty"`
}

// orderSig identifies an order: the table, its order expressions and the
// direction.
func orderSig(table string, order []orderCol, desc bool) uint32 {
	h := fnv.New32a()
	h.Write([]byte(table))
	for _, o := range order {
		h.Write([]byte{0})
		h.Write([]byte(o.name))
		if o.name == "" {
			h.Write([]byte("\x00digest"))
		}
	}
	if desc {
		h.Write([]byte("\x00desc"))
	}
	return h.Sum32()
}

func encodeCursor(sig uint32, p position) string {
	b, _ := json.Marshal(cursorJSON{Sig: sig, Values: p.values, Skip: p.skip})
	return base64.RawURLEncoding.EncodeToString(append([]byte{cursorVersion}, b...))
}

// decodeCursor reads s for an order of n expressions with signature sig.
// Any cursor that does not fit gives errInvalidCursor.
func decodeCursor(s string, sig uint32, n int) (position, error) {
	if len(s) > maxCursorLen {
		return position{}, errInvalidCursor()
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(raw) < 2 || raw[0] != cursorVersion {
		return position{}, errInvalidCursor()
	}
	dec := json.NewDecoder(bytes.NewReader(raw[1:]))
	dec.DisallowUnknownFields()
	var c cursorJSON
	if err := dec.Decode(&c); err != nil || dec.More() {
		return position{}, errInvalidCursor()
	}
	if c.Sig != sig || len(c.Values) != n || c.Skip < 0 || c.Skip > maxSkip {
		return position{}, errInvalidCursor()
	}
	return position{values: c.Values, skip: c.Skip}, nil
}

// FormatRowKey returns the {key} of a record's URL
// (/{day}/tables/{table}/rows/{key}): the values of the key columns in
// order, each URL-escaped (commas included, "." and ".." as
// EscapePathSegment writes them) and joined by ",".
func FormatRowKey(values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = EscapePathSegment(strings.ReplaceAll(url.PathEscape(v), ",", "%2C"))
	}
	return strings.Join(parts, ",")
}

// EscapePathSegment returns the URL-escaped path segment s safe from dot
// removal: browsers and servers drop a segment "." and go up one for "..",
// even percent-encoded ("%2E"), so such a segment gets a "~" in front ("~.",
// "~.."), and so does one that already reads that way ("~." becomes "~~.").
// Everything else is returned as it is.
func EscapePathSegment(s string) string {
	if isDotSegment(strings.TrimLeft(s, "~")) {
		return "~" + s
	}
	return s
}

// UnescapePathSegment undoes EscapePathSegment on a segment still
// URL-escaped.
func UnescapePathSegment(s string) string {
	if strings.HasPrefix(s, "~") && isDotSegment(strings.TrimLeft(s, "~")) {
		return s[1:]
	}
	return s
}

// isDotSegment reports whether s is a dot segment as URL parsers see it:
// "." or "..", any dot possibly written %2E.
func isDotSegment(s string) bool {
	d := strings.ReplaceAll(strings.ToLower(s), "%2e", ".")
	return d == "." || d == ".."
}

// ParseRowKey reads a {key} as FormatRowKey writes it. s must be the path
// segment as it arrived, still escaped (an unescaped comma inside a value
// is a separator). It returns an ENOTFOUND *weekback.Error when an escape
// is malformed.
func ParseRowKey(s string) ([]string, error) {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		v, err := url.PathUnescape(UnescapePathSegment(p))
		if err != nil {
			return nil, weekback.Errorf(weekback.ENOTFOUND, "the record link %q is malformed; open the record from its table", s).
				WithKey("error.record.bad_link", "key", s)
		}
		parts[i] = v
	}
	return parts, nil
}
