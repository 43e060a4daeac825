package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/gocarina/gocsv"
)

// Unencodable is one character the chosen encoding cannot hold.
type Unencodable struct {
	Row    int64  `csv:"row"`        // 1-based data row; 0 for the header row
	Column string `csv:"column"`     // the column's name
	Char   string `csv:"character"`  // the character, or U+FFFD for a byte that is not UTF-8
	Code   string `csv:"code_point"` // "U+2665", or "0xFF" for a byte that is not UTF-8
}

// newUnencodable describes the character at the start of s (of n bytes)
// in column col of row.
func newUnencodable(row int64, col string, s []byte) Unencodable {
	r, n := utf8.DecodeRune(s)
	if r == utf8.RuneError && n <= 1 {
		return Unencodable{Row: row, Column: col, Char: string(utf8.RuneError), Code: fmt.Sprintf("0x%02X", s[0])}
	}
	return Unencodable{Row: row, Column: col, Char: string(r), Code: fmt.Sprintf("U+%04X", r)}
}

// WriteUnencodableCSV writes list to w as a CSV file for Excel: UTF-8 with
// a BOM, CRLF, a header row (row,column,character,code_point), then one
// line per character, text cells guarded against formulas like the
// spreadsheet profile's (GuardCell). It returns the first write error,
// wrapped. It is safe for concurrent use on distinct writers.
func WriteUnencodableCSV(w io.Writer, list []Unencodable) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write unencodable list: %w", err)
	}
	return writeUnencodable(w, list, gocsv.MarshalCSV)
}

// AppendUnencodableCSV writes the lines of list (no BOM, no header) as
// WriteUnencodableCSV does: for a list written in batches.
func AppendUnencodableCSV(w io.Writer, list []Unencodable) error {
	return writeUnencodable(w, list, gocsv.MarshalCSVWithoutHeaders)
}

func writeUnencodable(w io.Writer, list []Unencodable, marshal func(any, gocsv.CSVWriter) error) error {
	guarded := make([]Unencodable, len(list))
	for i, u := range list {
		u.Column, u.Char = GuardCell(u.Column), GuardCell(u.Char)
		guarded[i] = u
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := marshal(guarded, gocsv.NewSafeCSVWriter(cw)); err != nil {
		return fmt.Errorf("write unencodable list: %w", err)
	}
	return nil
}
