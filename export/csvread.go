package export

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/weekback/weekback"
)

// readBufferSize is the size of CSVReader's bufio.Reader.
const readBufferSize = 64 << 10

// Field is one value read by CSVReader.
type Field struct {
	Null   bool   // the bare word NULL
	Value  []byte // the text as written (0x hex is not decoded); empty when Null
	Quoted bool   // the field was enclosed in quotes (the reimport profile quotes every value)
}

// CSVReader reads files of the reimport profile (see ProfileReimport): a
// leading UTF-8 BOM is skipped, records end in CRLF or LF, quoted fields may
// hold commas, quotes (doubled) and line breaks (kept byte for byte), the
// bare word NULL is a NULL and any other bare field is text (a bare empty
// field is the empty string). Blank lines between records are skipped. It
// does not decode hex: the importer does that by column type.
//
// A CSVReader is not safe for concurrent use.
type CSVReader struct {
	br      *bufio.Reader
	started bool
	bom     bool
	line    int64 // lines consumed so far
	start   int64 // line where the last record started
	records int64
	long    []byte // a line longer than br's buffer
	buf     []byte // the values of the current record, back to back
	ends    []int  // end of each value in buf
	nulls   []bool
	quotes  []bool
	fields  []Field
	err     error // sticky
}

// NewCSVReader returns a CSVReader reading r through a 64 KiB buffer.
func NewCSVReader(r io.Reader) *CSVReader {
	return &CSVReader{br: bufio.NewReaderSize(r, readBufferSize), buf: make([]byte, 0, 4096)}
}

// Read returns the next record (the header row is the first), one Field per
// column, or io.EOF after the last one. The slice and the Values point into
// buffers that the next call reuses: copy what must outlive it. A malformed
// record (an unterminated quote, a quote inside a bare field, text after a
// closing quote) returns a *weekback.Error (EINVALID) naming the line; a
// failing reader returns its error wrapped. Errors are sticky.
func (r *CSVReader) Read() ([]Field, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.started {
		r.started = true
		r.skipBOM()
	}
	fields, err := r.readRecord()
	if err != nil {
		r.err = err
		return nil, err
	}
	r.records++
	return fields, nil
}

// Line returns the 1-based line where the last record read started (0 before
// the first).
func (r *CSVReader) Line() int64 { return r.start }

// Record returns how many records have been read so far, the header
// included.
func (r *CSVReader) Record() int64 { return r.records }

func (r *CSVReader) skipBOM() {
	if b, err := r.br.Peek(3); err == nil && string(b) == bom {
		_, _ = r.br.Discard(3)
		r.bom = true
	}
}

// BOM reports whether the input started with a UTF-8 byte order mark
// (known once the first record is read).
func (r *CSVReader) BOM() bool { return r.bom }

// readLine returns the next line with its terminator (the last line may
// have none), valid until the next call, or io.EOF.
func (r *CSVReader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if err == io.EOF && len(line) > 0 {
		err = nil
	}
	switch {
	case err == io.EOF:
		return nil, io.EOF
	case err != nil:
		return nil, fmt.Errorf("read csv line %d: %w", r.line+1, err)
	}
	r.line++
	return line, nil
}

func (r *CSVReader) readRecord() ([]Field, error) {
	line, err := r.readLine()
	for err == nil && isEOL(line) {
		line, err = r.readLine()
	}
	if err != nil {
		return nil, err
	}
	r.start = r.line
	r.buf, r.ends, r.nulls, r.quotes = r.buf[:0], r.ends[:0], r.nulls[:0], r.quotes[:0]
	for pos := 0; ; pos++ {
		if pos < len(line) && line[pos] == '"' {
			line, pos, err = r.quoted(line, pos+1)
		} else {
			pos, err = r.bare(line, pos)
		}
		if err != nil {
			return nil, err
		}
		if pos >= len(line) || line[pos] != ',' {
			return r.record(), nil
		}
	}
}

// bare reads the unquoted field at line[pos:] and returns the position of
// the comma after it or len(line).
func (r *CSVReader) bare(line []byte, pos int) (int, error) {
	v, end := line[pos:], len(line)
	if i := bytes.IndexByte(v, ','); i >= 0 {
		v, end = v[:i], pos+i
	} else {
		v = trimEOL(v)
	}
	if bytes.IndexByte(v, '"') >= 0 {
		return 0, r.syntaxError("a quote inside an unquoted field: enclose the whole field in quotes and double the quotes inside it")
	}
	r.buf = append(r.buf, v...)
	r.endField(string(v) == "NULL", false)
	return end, nil
}

// quoted reads the quoted field whose text starts at line[pos:], reading
// more lines while it lasts, and returns the line it ends on and the
// position of the comma after it or len(line).
func (r *CSVReader) quoted(line []byte, pos int) ([]byte, int, error) {
	startLine := r.line
	for {
		i := bytes.IndexByte(line[pos:], '"')
		if i < 0 {
			r.buf = append(r.buf, line[pos:]...)
			var err error
			if line, err = r.readLine(); err == io.EOF {
				return nil, 0, weekback.Errorf(weekback.EINVALID,
					"line %d: the quoted field %d never ends: add the closing quote (\")", startLine, len(r.ends)+1)
			} else if err != nil {
				return nil, 0, err
			}
			pos = 0
			continue
		}
		r.buf = append(r.buf, line[pos:pos+i]...)
		pos += i + 1
		if pos < len(line) && line[pos] == '"' {
			r.buf = append(r.buf, '"')
			pos++
			continue
		}
		return r.closeQuoted(line, pos)
	}
}

// closeQuoted ends the quoted field whose closing quote is before line[pos].
func (r *CSVReader) closeQuoted(line []byte, pos int) ([]byte, int, error) {
	rest := line[pos:]
	switch {
	case isEOL(rest):
		pos = len(line)
	case rest[0] != ',':
		return nil, 0, r.syntaxError("text after the closing quote of a field: double the quotes inside a quoted field")
	}
	r.endField(false, true)
	return line, pos, nil
}

func (r *CSVReader) endField(null, quoted bool) {
	r.ends = append(r.ends, len(r.buf))
	r.nulls = append(r.nulls, null)
	r.quotes = append(r.quotes, quoted)
}

func (r *CSVReader) record() []Field {
	r.fields = r.fields[:0]
	start := 0
	for i, end := range r.ends {
		if r.nulls[i] {
			r.fields = append(r.fields, Field{Null: true})
		} else {
			r.fields = append(r.fields, Field{Value: r.buf[start:end:end], Quoted: r.quotes[i]})
		}
		start = end
	}
	return r.fields
}

func (r *CSVReader) syntaxError(msg string) error {
	return weekback.Errorf(weekback.EINVALID, "line %d, field %d: %s", r.line, len(r.ends)+1, msg)
}

// isEOL reports whether b is empty or only a line terminator.
func isEOL(b []byte) bool {
	return len(b) == 0 || string(b) == "\n" || string(b) == "\r\n" || string(b) == "\r"
}

// trimEOL removes the line terminator (LF, CRLF, or a CR ending the file)
// at the end of b.
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}
