package export

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"

	"github.com/weekback/weekback"
)

// Encoding is the character encoding of a CSV file.
type Encoding string

// Encodings. EncodingUTF8 is the default; Excel needs EncodingUTF8BOM (or
// EncodingShiftJIS) to recognise a UTF-8 file.
const (
	EncodingUTF8     Encoding = "utf-8"     // UTF-8 without a BOM
	EncodingUTF8BOM  Encoding = "utf-8-bom" // UTF-8 starting with a byte order mark, for Excel
	EncodingShiftJIS Encoding = "shift_jis" // Microsoft's Shift_JIS (CP932, Windows-31J); spreadsheet profile only
)

// bom is the UTF-8 byte order mark.
const bom = "\xef\xbb\xbf"

// encodingAliases maps the lower-cased names ParseEncoding accepts.
var encodingAliases = map[string]Encoding{
	"":            EncodingUTF8,
	"utf-8":       EncodingUTF8,
	"utf8":        EncodingUTF8,
	"utf-8-bom":   EncodingUTF8BOM,
	"utf8-bom":    EncodingUTF8BOM,
	"shift_jis":   EncodingShiftJIS,
	"shift-jis":   EncodingShiftJIS,
	"sjis":        EncodingShiftJIS,
	"cp932":       EncodingShiftJIS,
	"windows-31j": EncodingShiftJIS,
}

// ParseEncoding returns the Encoding named s, ignoring case: "" is
// EncodingUTF8; "utf8", "utf8-bom", "shift-jis", "sjis", "cp932" and
// "windows-31j" are accepted as aliases. Any other name returns a
// *weekback.Error (EINVALID) listing the allowed values. It is safe for
// concurrent use.
func ParseEncoding(s string) (Encoding, error) {
	if e, ok := encodingAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return e, nil
	}
	return "", weekback.Errorf(weekback.EINVALID,
		"unknown encoding %q: use utf-8, utf-8-bom or shift_jis (also written sjis, cp932, windows-31j)", s)
}

// notCP932 holds characters that a JIS-based Shift_JIS table maps to a
// byte sequence that Windows (CP932) reads as another character: writing
// them would silently change the text, so they count as unencodable even
// if an encoder accepts them. golang.org/x/text rejects them today; this
// list keeps it so.
var notCP932 = map[rune]bool{
	'\u301C': true, // WAVE DASH: CP932 has U+FF5E FULLWIDTH TILDE
	'\u2014': true, // EM DASH: CP932 has U+2015 HORIZONTAL BAR
	'\u2016': true, // DOUBLE VERTICAL LINE: CP932 has U+2225
	'\u2212': true, // MINUS SIGN: CP932 has U+FF0D
	'\u00A2': true, // CENT SIGN: CP932 has U+FFE0
	'\u00A3': true, // POUND SIGN: CP932 has U+FFE1
	'\u00AC': true, // NOT SIGN: CP932 has U+FFE2
	'\u00A5': true, // YEN SIGN: CP932's 0x5C is the backslash
	'\u203E': true, // OVERLINE: CP932's 0x7E is the tilde
}

// cp932Code is the CP932 encoding of one character: n bytes of b, n == 0
// when CP932 cannot hold it.
type cp932Code struct {
	b [2]byte
	n uint8
}

// cp932 encodes text to CP932 one character at a time, remembering the
// characters it has seen. It is not safe for concurrent use.
type cp932 struct {
	enc   *encoding.Encoder
	dec   *encoding.Decoder
	cache map[rune]cp932Code
}

func newCP932() *cp932 {
	return &cp932{enc: japanese.ShiftJIS.NewEncoder(), dec: japanese.ShiftJIS.NewDecoder(), cache: make(map[rune]cp932Code)}
}

// lookup returns the CP932 encoding of r.
func (c *cp932) lookup(r rune) cp932Code {
	code, ok := c.cache[r]
	if !ok {
		code = c.encode(r)
		c.cache[r] = code
	}
	return code
}

// encode asks x/text for r's bytes and accepts them only if they decode
// back to r and r is not in notCP932.
func (c *cp932) encode(r rune) cp932Code {
	var code cp932Code
	if notCP932[r] || r == utf8.RuneError {
		return code
	}
	src := utf8.AppendRune(nil, r)
	out, err := c.enc.Bytes(src)
	if err != nil || len(out) == 0 || len(out) > len(code.b) {
		return code
	}
	if back, err := c.dec.Bytes(out); err != nil || !bytes.Equal(back, src) {
		return code
	}
	code.n = uint8(copy(code.b[:], out))
	return code
}

// appendCP932 appends the UTF-8 text s (of column col in row) encoded in
// CP932, its quotes doubled when quote. Each character CP932 cannot hold
// (and each byte that is not UTF-8) is reported and written as '?'.
func (w *CSVWriter) appendCP932(buf []byte, row int64, col int, s []byte, quote bool) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c == '"' && quote {
				buf = append(buf, '"')
			}
			buf = append(buf, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if code := w.sjis.lookup(r); code.n > 0 {
			buf = append(buf, code.b[:code.n]...)
		} else {
			w.reportUnencodable(row, col, s[i:])
			buf = append(buf, '?')
		}
		i += n
	}
	return buf
}

// reportUnencodable counts the character at the start of s and hands it to
// OnUnencodable.
func (w *CSVWriter) reportUnencodable(row int64, col int, s []byte) {
	w.unenc++
	if w.opts.OnUnencodable != nil {
		w.opts.OnUnencodable(newUnencodable(row, w.cols[col].Name, s))
	}
}
