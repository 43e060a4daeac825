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

// cp932Fold maps the characters that JIS X 0208 and Windows' CP932 table
// assign differently to the CP932 bytes their users mean: Japanese text
// typed on a Mac or in a JIS-based editor holds U+301C WAVE DASH where
// Windows shows 〜 for 0x8160 (U+FF5E in CP932), and so on. Windows reads
// these bytes back as the CP932 look-alike (U+FF5E, U+2015, U+2225,
// U+FF0D, U+FFE0, U+FFE1, U+FFE2).
var cp932Fold = map[rune][2]byte{
	'\u301C': {0x81, 0x60}, // WAVE DASH → 〜 (FULLWIDTH TILDE in CP932)
	'\u2014': {0x81, 0x5C}, // EM DASH → ― (HORIZONTAL BAR)
	'\u2016': {0x81, 0x61}, // DOUBLE VERTICAL LINE → ∥ (PARALLEL TO)
	'\u2212': {0x81, 0x7C}, // MINUS SIGN → － (FULLWIDTH HYPHEN-MINUS)
	'\u00A2': {0x81, 0x91}, // CENT SIGN → ￠
	'\u00A3': {0x81, 0x92}, // POUND SIGN → ￡
	'\u00AC': {0x81, 0xCA}, // NOT SIGN → ￢
}

// notCP932 holds characters that a JIS-based Shift_JIS table maps to a
// byte that Windows (CP932) reads as another character: writing them would
// silently change the text, so they count as unencodable even if an
// encoder accepts them.
var notCP932 = map[rune]bool{
	'\u00A5': true, // YEN SIGN: CP932's 0x5C is the backslash
	'\u203E': true, // OVERLINE: CP932's 0x7E is the tilde
}

// cp932Code is the CP932 encoding of one character: n bytes of b, n == 0
// when CP932 cannot hold it.
type cp932Code struct {
	b [2]byte
	n uint8
}

// cp932Entry is the encoding of one character of the Basic Multilingual
// Plane, once seen.
type cp932Entry struct {
	code cp932Code
	seen bool
}

// cp932 encodes text to CP932 one character at a time, remembering the
// characters it has seen: those of the Basic Multilingual Plane (every
// character CP932 holds) in a table indexed by the character, which costs
// 256 KiB and no hashing, others in a map. It is not safe for concurrent
// use.
type cp932 struct {
	enc   *encoding.Encoder
	dec   *encoding.Decoder
	bmp   []cp932Entry
	cache map[rune]cp932Code
}

func newCP932() *cp932 {
	return &cp932{enc: japanese.ShiftJIS.NewEncoder(), dec: japanese.ShiftJIS.NewDecoder(),
		bmp: make([]cp932Entry, 1<<16), cache: make(map[rune]cp932Code)}
}

// lookup returns the CP932 encoding of r.
func (c *cp932) lookup(r rune) cp932Code {
	if uint32(r) < uint32(len(c.bmp)) {
		e := &c.bmp[r]
		if !e.seen {
			e.code, e.seen = c.encode(r), true
		}
		return e.code
	}
	code, ok := c.cache[r]
	if !ok {
		code = c.encode(r)
		c.cache[r] = code
	}
	return code
}

// encode returns r's CP932 bytes: cp932Fold's for the characters it
// folds, else x/text's when they decode back to r and r is not in
// notCP932.
func (c *cp932) encode(r rune) cp932Code {
	var code cp932Code
	if b, ok := cp932Fold[r]; ok {
		return cp932Code{b: b, n: 2}
	}
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
		j := i
		for j < len(s) && s[j] < utf8.RuneSelf && s[j] != '"' {
			j++
		}
		buf, i = append(buf, s[i:j]...), j // a run of ASCII is CP932 as it is
		if i == len(s) {
			break
		}
		if s[i] == '"' {
			if quote {
				buf = append(buf, '"')
			}
			buf = append(buf, '"')
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
