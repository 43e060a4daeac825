package exporter

import (
	"strings"

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
