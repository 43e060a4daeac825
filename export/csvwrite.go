package export

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Buffer sizes of CSVWriter.
const (
	writeBufferSize = 64 << 10 // the bufio.Writer
	rowBufferSize   = 4 << 10  // the row buffer to start with
	maxRowBuffer    = 1 << 20  // a row buffer grown past this is dropped after the row
)

// CSVWriter writes rows of a table as CSV in a profile and an encoding
// (CSVOptions). Each row is built in one reusable buffer and written through
// a 64 KiB bufio.Writer: call Flush at the end. In the reimport profile it
// does not allocate per value.
//
// A CSVWriter is not safe for concurrent use.
type CSVWriter struct {
	bw    *bufio.Writer
	cols  []mysql.RecordColumn
	opts  CSVOptions
	sjis  *cp932 // nil unless EncodingShiftJIS
	buf   []byte
	rows  int64
	unenc int64
}

// NewCSVWriter returns a CSVWriter writing rows of cols to w as opts say,
// starting with a BOM for EncodingUTF8BOM. It returns a *weekback.Error
// (EINVALID) for an unknown profile or encoding, a bad combination
// (Shift_JIS with the reimport profile) or no columns.
func NewCSVWriter(w io.Writer, cols []mysql.RecordColumn, opts CSVOptions) (*CSVWriter, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, weekback.Errorf(weekback.EINVALID, "there are no columns to write: choose at least one column")
	}
	cw := &CSVWriter{bw: bufio.NewWriterSize(w, writeBufferSize), cols: cols, opts: opts, buf: make([]byte, 0, rowBufferSize)}
	if opts.Encoding == EncodingShiftJIS {
		cw.sjis = newCP932()
	}
	if opts.Encoding == EncodingUTF8BOM {
		_, _ = cw.bw.WriteString(bom) // cannot fail: the buffer is empty and larger
	}
	return cw, nil
}

// WriteHeader writes the row of column names, quoted and encoded like
// values of a text column (characters the encoding cannot hold are reported
// with Row 0). It returns the write error, wrapped.
func (w *CSVWriter) WriteHeader() error {
	w.buf = w.buf[:0]
	for i := range w.cols {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		name := []byte(w.cols[i].Name)
		if w.opts.Profile == ProfileReimport {
			w.buf = appendQuoted(w.buf, name)
		} else {
			w.buf = w.appendText(w.buf, 0, i, name, false)
		}
	}
	return w.writeLine()
}

// WriteRow writes one data row: values holds one value per column, nil for
// NULL, as the server sends it over a UTF-8 connection (see mysql.Kind).
// The values are not kept after the call. It returns an error for a wrong
// number of values and the write error, wrapped; characters the encoding
// cannot hold are not errors here (see Flush).
func (w *CSVWriter) WriteRow(values [][]byte) error {
	if len(values) != len(w.cols) {
		return fmt.Errorf("write csv row %d: %d values for %d columns", w.rows+1, len(values), len(w.cols))
	}
	row := w.rows + 1
	w.buf = w.buf[:0]
	for i, v := range values {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		if w.opts.Profile == ProfileReimport {
			w.buf = appendReimport(w.buf, w.cols[i].Kind, v)
		} else {
			w.buf = w.appendSpreadsheet(w.buf, row, i, v)
		}
	}
	if err := w.writeLine(); err != nil {
		return err
	}
	w.rows = row
	return nil
}

// Flush writes the buffered data to the underlying writer and returns its
// error, wrapped. When characters could not be encoded and Lossy is false,
// it then returns a *weekback.Error (EINVALID) saying how many (the file
// holds '?' in their place).
func (w *CSVWriter) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if w.unenc > 0 && !w.opts.Lossy {
		what := "characters"
		if w.unenc == 1 {
			what = "character"
		}
		return weekback.Errorf(weekback.EINVALID,
			"%d %s cannot be written in %s: export in utf-8 (or utf-8-bom), or use --lossy to write '?' in their place",
			w.unenc, what, w.opts.Encoding)
	}
	return nil
}

// Rows returns how many data rows have been written.
func (w *CSVWriter) Rows() int64 { return w.rows }

// Unencodable returns how many characters the encoding could not hold (each
// was reported to OnUnencodable and written as '?').
func (w *CSVWriter) Unencodable() int64 { return w.unenc }

func (w *CSVWriter) writeLine() error {
	w.buf = append(w.buf, '\r', '\n')
	_, err := w.bw.Write(w.buf)
	if cap(w.buf) > maxRowBuffer {
		w.buf = make([]byte, 0, rowBufferSize)
	}
	if err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// appendReimport appends v as the reimport profile writes it.
func appendReimport(buf []byte, kind mysql.Kind, v []byte) []byte {
	switch {
	case v == nil:
		return append(buf, "NULL"...)
	case WritesHex(kind):
		buf = append(buf, '"')
		buf = appendHex(buf, v)
		return append(buf, '"')
	}
	return appendQuoted(buf, v)
}

// appendSpreadsheet appends v, the value of column col in row, as the
// spreadsheet profile writes it.
func (w *CSVWriter) appendSpreadsheet(buf []byte, row int64, col int, v []byte) []byte {
	switch kind := w.cols[col].Kind; {
	case v == nil:
		return buf
	case kind == mysql.KindBit:
		return appendBit(buf, v)
	case WritesHex(kind):
		return appendHex(buf, v)
	default:
		return w.appendText(buf, row, col, v, kind == mysql.KindNumber)
	}
}

// appendText appends the text v, quoted when needed, guarded against
// formulas unless number and v is a plain number, and encoded.
func (w *CSVWriter) appendText(buf []byte, row int64, col int, v []byte, number bool) []byte {
	quote := needsQuotes(v)
	if quote {
		buf = append(buf, '"')
	}
	if NeedsGuard(v) && !(number && isPlainNumber(v)) {
		buf = append(buf, '\'')
	}
	switch {
	case w.sjis != nil:
		buf = w.appendCP932(buf, row, col, v, quote)
	case quote:
		buf = appendDoubled(buf, v)
	default:
		buf = append(buf, v...)
	}
	if quote {
		buf = append(buf, '"')
	}
	return buf
}

// appendQuoted appends v in double quotes, its quotes doubled.
func appendQuoted(buf, v []byte) []byte {
	buf = append(buf, '"')
	buf = appendDoubled(buf, v)
	return append(buf, '"')
}

// appendDoubled appends v with its quotes doubled.
func appendDoubled(buf, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, '"')
		if i < 0 {
			return append(buf, v...)
		}
		buf = append(buf, v[:i+1]...)
		buf = append(buf, '"')
		v = v[i+1:]
	}
}

// appendHex appends "0x" and v in lowercase hex.
func appendHex(buf, v []byte) []byte {
	return hex.AppendEncode(append(buf, "0x"...), v)
}

// appendBit appends the big-endian bytes v of a BIT value as an unsigned
// decimal number.
func appendBit(buf, v []byte) []byte {
	for len(v) > 8 && v[0] == 0 {
		v = v[1:]
	}
	if len(v) > 8 {
		return new(big.Int).SetBytes(v).Append(buf, 10)
	}
	var n uint64
	for _, b := range v {
		n = n<<8 | uint64(b)
	}
	return strconv.AppendUint(buf, n, 10)
}

// WritesHex reports whether the reimport profile writes values of kind k
// as 0x followed by hex digits (binary strings, BIT and geometry), the form
// the importer reads back.
func WritesHex(k mysql.Kind) bool {
	return k == mysql.KindBinary || k == mysql.KindBit || k == mysql.KindGeometry
}

// needsQuotes reports whether a spreadsheet cell must be quoted: it holds a
// comma, a quote or a line break, or starts or ends with a space or a tab.
func needsQuotes(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	if isSpace(v[0]) || isSpace(v[len(v)-1]) {
		return true
	}
	for _, c := range v {
		switch c {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// NeedsGuard reports whether a spreadsheet would take v for a formula or
// strip what leads it: it starts with = + - @ TAB CR or LF, with their
// full-width forms ＝ ＋ － ＠ (Excel with a Japanese input method reads
// them as formulas), or with U+3000 IDEOGRAPHIC SPACE. The spreadsheet
// profile then writes a leading single quote (and import with
// --profile spreadsheet removes it). It is safe for concurrent use.
func NeedsGuard(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return true
	}
	r, _ := utf8.DecodeRune(v)
	switch r {
	case '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', '\u3000':
		return true
	}
	return false
}

// GuardCell returns s as the spreadsheet profile writes a text cell:
// prefixed with ' when a spreadsheet would take it for a formula
// (NeedsGuard). Writers of other CSV files meant for Excel (error logs)
// pass their text cells through it. It is safe for concurrent use.
func GuardCell(s string) string {
	if NeedsGuard([]byte(s)) {
		return "'" + s
	}
	return s
}

// isPlainNumber reports whether v is a decimal number as MySQL prints one:
// an optional sign, digits with an optional fraction, an optional exponent.
func isPlainNumber(v []byte) bool {
	i := skipSign(v, 0)
	j := skipDigits(v, i)
	digits := j - i
	if j < len(v) && v[j] == '.' {
		k := skipDigits(v, j+1)
		digits += k - j - 1
		j = k
	}
	if digits == 0 {
		return false
	}
	if j < len(v) && (v[j] == 'e' || v[j] == 'E') {
		k := skipSign(v, j+1)
		if j = skipDigits(v, k); j == k {
			return false
		}
	}
	return j == len(v)
}

func skipSign(v []byte, i int) int {
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		return i + 1
	}
	return i
}

func skipDigits(v []byte, i int) int {
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	return i
}
