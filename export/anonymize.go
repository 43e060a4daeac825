package export

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Anonymizer replaces the values of the columns named by exports.anonymize
// with pseudonyms: the HMAC-SHA256 of the value under a secret key decides
// every replacement character, so the same value gets the same pseudonym
// in every table and every file (joins still work), and nothing of the
// original can be told from it without the key. The method follows the
// column's kind (Method). A nil *Anonymizer anonymizes nothing. It is safe
// for concurrent use.
type Anonymizer struct {
	key       []byte
	globs     []string
	shiftDays int
}

// MinAnonymizeKeyBytes is the shortest key NewAnonymizer accepts.
const MinAnonymizeKeyBytes = 32

// NewAnonymizer returns an Anonymizer of the "table.column" globs (the
// redaction globs' syntax, weekback.MatchGlob) keyed with key. shiftDays,
// when positive, shifts the dates of covered date columns by a constant of
// the row within ±shiftDays days; 0 leaves dates as they are. It returns an
// EINVALID error for a key shorter than MinAnonymizeKeyBytes.
func NewAnonymizer(key []byte, globs []string, shiftDays int) (*Anonymizer, error) {
	if len(key) < MinAnonymizeKeyBytes {
		return nil, weekback.Errorf(weekback.EINVALID, "the anonymization key has %d bytes, fewer than %d: "+
			"delete the key file so that a new one is generated, or put a longer key in it", len(key), MinAnonymizeKeyBytes)
	}
	lower := make([]string, len(globs))
	for i, g := range globs {
		lower[i] = strings.ToLower(g)
	}
	return &Anonymizer{key: key, globs: lower, shiftDays: shiftDays}, nil
}

// Covers reports whether the column table.column is anonymized.
func (a *Anonymizer) Covers(table, column string) bool {
	if a == nil {
		return false
	}
	name := strings.ToLower(table + "." + column)
	for _, g := range a.globs {
		if weekback.MatchGlob(g, name) {
			return true
		}
	}
	return false
}

// Method is how an anonymized column's values are replaced.
type Method string

// Anonymization methods, chosen per column by Method.
const (
	MethodEmail Method = "email"  // u-<hex>@example.invalid, unique as the address was
	MethodPhone Method = "phone"  // every digit replaced, the rest of the format kept
	MethodText  Method = "text"   // name-like text: each letter replaced by one of the same script and case
	MethodDigit Method = "digits" // numbers: every digit replaced, sign, point and length kept
	MethodDate  Method = "date"   // dates shifted by a constant of the row (when configured), else kept
	MethodBytes Method = "bytes"  // binary: as many pseudorandom bytes
	MethodKeep  Method = "keep"   // ENUM, SET, BIT, geometry: kept (their values are a closed list or no personal text)
)

// MethodFor returns the method of column c: by its type first (numbers,
// dates, binary), then by its name (mail → email; phone, tel, fax, mobile
// → phone), else text.
func MethodFor(c mysql.Column) Method {
	name := strings.ToLower(c.Name)
	switch {
	case c.DataType == "enum" || c.DataType == "set" || c.DataType == "bit" || isGeometry(c.DataType):
		return MethodKeep
	case isNumber(c.DataType):
		return MethodDigit
	case c.DataType == "date" || c.DataType == "datetime" || c.DataType == "timestamp":
		return MethodDate
	case isBinary(c.DataType):
		return MethodBytes
	case strings.Contains(name, "mail"):
		return MethodEmail
	case strings.Contains(name, "phone") || strings.Contains(name, "tel") || strings.Contains(name, "fax") ||
		strings.Contains(name, "mobile") || strings.Contains(name, "keitai"):
		return MethodPhone
	}
	return MethodText
}

func isGeometry(dataType string) bool {
	return isBinary(dataType) && dataType != "bit" && dataType != "binary" && dataType != "varbinary" && !strings.HasSuffix(dataType, "blob")
}

// stream is a keyed pseudorandom stream for one value: HMAC-SHA256 blocks
// of the key over method, value and a counter.
type stream struct {
	a     *Anonymizer
	seed  []byte
	block [sha256.Size]byte
	pos   int
	n     uint32
}

func (a *Anonymizer) stream(m Method, v []byte) *stream {
	seed := append([]byte(string(m)+"\x00"), v...)
	return &stream{a: a, seed: seed, pos: sha256.Size}
}

// next returns a pseudorandom number below n.
func (s *stream) next(n int) int {
	if s.pos+4 > len(s.block) {
		mac := hmac.New(sha256.New, s.a.key)
		var ctr [4]byte
		binary.BigEndian.PutUint32(ctr[:], s.n)
		s.n++
		mac.Write(ctr[:])
		mac.Write(s.seed)
		mac.Sum(s.block[:0])
		s.pos = 0
	}
	x := binary.BigEndian.Uint32(s.block[s.pos:])
	s.pos += 4
	return int(uint64(x) * uint64(n) >> 32)
}

// hexDigest returns the first n hex digits of the value's keyed digest.
func (a *Anonymizer) hexDigest(m Method, v []byte, n int) string {
	mac := hmac.New(sha256.New, a.key)
	mac.Write([]byte(string(m) + "\x00"))
	mac.Write(v)
	return hex.EncodeToString(mac.Sum(nil))[:n]
}

// Value returns the pseudonym of v (nil, NULL, stays nil) by method m;
// maxLen, when positive, is the column's length in characters, which an
// e-mail pseudonym fits (down to 22 characters: u-, 4 hex digits and the
// domain).
func (a *Anonymizer) Value(m Method, v []byte, maxLen int) []byte {
	if v == nil {
		return nil
	}
	switch m {
	case MethodEmail:
		return []byte(a.email(v, maxLen))
	case MethodPhone, MethodDigit:
		return a.digits(v)
	case MethodText:
		return a.text(v)
	case MethodBytes:
		s := a.stream(m, v)
		out := make([]byte, len(v))
		for i := range out {
			out[i] = byte(s.next(256))
		}
		return out
	}
	return v
}

// emailDomain is the domain of every e-mail pseudonym: .invalid never
// delivers (RFC 2606).
const emailDomain = "@example.invalid"

// email returns u-<hex>@example.invalid: 16 hex digits (64 bits, so that
// distinct addresses stay distinct), fewer when the column is shorter.
func (a *Anonymizer) email(v []byte, maxLen int) string {
	n := 16
	if maxLen > 0 && maxLen-len(emailDomain)-2 < n {
		n = max(maxLen-len(emailDomain)-2, 4)
	}
	return "u-" + a.hexDigest(MethodEmail, v, n) + emailDomain
}

// digits replaces every ASCII digit of v by a pseudorandom one, keeping
// every other byte (+, -, spaces, parentheses, the decimal point) and a
// leading 0 (trunk prefixes, and numbers do not gain a digit).
func (a *Anonymizer) digits(v []byte) []byte {
	s := a.stream(MethodDigit, v)
	out := make([]byte, len(v))
	first := true
	for i, b := range v {
		out[i] = b
		if b < '0' || b > '9' {
			continue
		}
		switch {
		case first && b == '0':
			out[i] = '0'
		case first:
			out[i] = byte('1' + s.next(9))
		default:
			out[i] = byte('0' + s.next(10))
		}
		first = false
	}
	return out
}

// ColumnFunc returns the function that gives the pseudonym of a value of
// column c of a row (row holds the row's values as read; its first value
// keys the row's date shift).
func (a *Anonymizer) ColumnFunc(table string, c mysql.Column) func(row [][]byte, v []byte) []byte {
	m := MethodFor(c)
	if m == MethodDate {
		return func(row [][]byte, v []byte) []byte { return a.shiftDate(table, row, v) }
	}
	maxLen := 0
	if c.DataType == "varchar" || c.DataType == "char" {
		maxLen = typeWidth(c.ColumnType)
	}
	return func(_ [][]byte, v []byte) []byte { return a.Value(m, v, maxLen) }
}
