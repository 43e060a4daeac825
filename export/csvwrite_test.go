package export_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// The -update flag may be registered by another test file of this binary
// too; it is looked up, not owned.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func csvUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// csvCol returns a column named name of kind k.
func csvCol(name string, k mysql.Kind) mysql.RecordColumn {
	return mysql.RecordColumn{Column: mysql.Column{Name: name}, Kind: k}
}

// csvVal returns s as a value (non-nil even when empty).
func csvVal(s string) []byte { return append([]byte{}, s...) }

// mustWriteCSV writes a header and rows with a CSVWriter and returns the
// file and the writer (flushed; Flush's error is returned too).
func mustWriteCSV(tb testing.TB, cols []mysql.RecordColumn, opts export.CSVOptions, rows ...[][]byte) (string, *export.CSVWriter, error) {
	tb.Helper()
	var out bytes.Buffer
	w, err := export.NewCSVWriter(&out, cols, opts)
	if err != nil {
		tb.Fatalf("NewCSVWriter: %v", err)
	}
	if err := w.WriteHeader(); err != nil {
		tb.Fatalf("WriteHeader: %v", err)
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			tb.Fatalf("WriteRow: %v", err)
		}
	}
	err = w.Flush()
	return out.String(), w, err
}

// cellTest is one value written in one column of kind.
type cellTest struct {
	name  string
	kind  mysql.Kind
	value []byte
	want  string // the data line without its CRLF
}

func runCellTests(t *testing.T, opts export.CSVOptions, tests []cellTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := mustWriteCSV(t, []mysql.RecordColumn{csvCol("c", tt.kind)}, opts, [][]byte{tt.value})
			if err != nil {
				t.Fatalf("Flush: %v", err)
			}
			_, line, _ := strings.Cut(got, "\r\n")
			if want := tt.want + "\r\n"; line != want {
				t.Fatalf("got %q, want %q", line, want)
			}
		})
	}
}

func TestCSVWriterReimportCells(t *testing.T) {
	runCellTests(t, export.CSVOptions{}, []cellTest{
		{"null", mysql.KindText, nil, `NULL`},
		{"string NULL", mysql.KindText, csvVal("NULL"), `"NULL"`},
		{"empty", mysql.KindText, csvVal(""), `""`},
		{"quotes", mysql.KindText, csvVal(`a "b" ""`), `"a ""b"" """""`},
		{"comma and line breaks", mysql.KindText, csvVal("a,b\r\nc\nd\r"), "\"a,b\r\nc\nd\r\""},
		{"utf-8 as is", mysql.KindText, csvVal("日本語〜😀"), `"日本語〜😀"`},
		{"invalid utf-8 as is", mysql.KindText, csvVal("\xff\xfe"), "\"\xff\xfe\""},
		{"number", mysql.KindNumber, csvVal("-12.50"), `"-12.50"`},
		{"formula not guarded", mysql.KindText, csvVal("=SUM(A1)"), `"=SUM(A1)"`},
		{"zero date", mysql.KindDatetime, csvVal("0000-00-00 00:00:00"), `"0000-00-00 00:00:00"`},
		{"json", mysql.KindJSON, csvVal(`{"a": [1, "x"]}`), `"{""a"": [1, ""x""]}"`},
		{"binary", mysql.KindBinary, csvVal("\x00\xffA\""), `"0x00ff4122"`},
		{"empty binary", mysql.KindBinary, csvVal(""), `"0x"`},
		{"null binary", mysql.KindBinary, nil, `NULL`},
		{"bit", mysql.KindBit, csvVal("\x02\x01"), `"0x0201"`},
		{"geometry", mysql.KindGeometry, csvVal("\x00\x00\x00\x00\x01"), `"0x0000000001"`},
	})
}

func TestCSVWriterSpreadsheetCells(t *testing.T) {
	opts := export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: export.EncodingUTF8BOM}
	runCellTests(t, opts, []cellTest{
		{"null", mysql.KindText, nil, ``},
		{"empty", mysql.KindText, csvVal(""), ``},
		{"string NULL", mysql.KindText, csvVal("NULL"), `NULL`},
		{"plain", mysql.KindText, csvVal("abc 日本"), `abc 日本`},
		{"comma", mysql.KindText, csvVal("a,b"), `"a,b"`},
		{"quote", mysql.KindText, csvVal(`a"b`), `"a""b"`},
		{"lf", mysql.KindText, csvVal("a\nb"), "\"a\nb\""},
		{"cr", mysql.KindText, csvVal("a\rb"), "\"a\rb\""},
		{"leading space", mysql.KindText, csvVal(" a"), `" a"`},
		{"trailing space", mysql.KindText, csvVal("a "), `"a "`},
		{"trailing tab", mysql.KindText, csvVal("a\t"), "\"a\t\""},
		{"formula", mysql.KindText, csvVal("=SUM(A1)"), `'=SUM(A1)`},
		{"plus", mysql.KindText, csvVal("+cmd"), `'+cmd`},
		{"minus", mysql.KindText, csvVal("-1+1"), `'-1+1`},
		{"at", mysql.KindText, csvVal("@user"), `'@user`},
		{"tab", mysql.KindText, csvVal("\tx"), "\"'\tx\""},
		{"cr first", mysql.KindText, csvVal("\rx"), "\"'\rx\""},
		{"lf first", mysql.KindText, csvVal("\n=1+1"), "\"'\n=1+1\""},
		{"full-width equals", mysql.KindText, csvVal("＝SUM(A1)"), `'＝SUM(A1)`},
		{"full-width plus", mysql.KindText, csvVal("＋cmd"), `'＋cmd`},
		{"full-width minus", mysql.KindText, csvVal("－1"), `'－1`},
		{"full-width at", mysql.KindText, csvVal("＠user"), `'＠user`},
		{"ideographic space", mysql.KindText, csvVal("\u3000=1+1"), "'\u3000=1+1"},
		{"full-width inside", mysql.KindText, csvVal("a＝b"), `a＝b`},
		{"formula with comma", mysql.KindText, csvVal(`=HYPERLINK("x","y")`), `"'=HYPERLINK(""x"",""y"")"`},
		{"number-like text guarded", mysql.KindText, csvVal("-12"), `'-12`},
		{"negative number", mysql.KindNumber, csvVal("-12"), `-12`},
		{"plus decimal", mysql.KindNumber, csvVal("+3.5"), `+3.5`},
		{"exponent", mysql.KindNumber, csvVal("-1.5e10"), `-1.5e10`},
		{"exponent sign", mysql.KindNumber, csvVal("-1.5E-7"), `-1.5E-7`},
		{"fraction only", mysql.KindNumber, csvVal("-.5"), `-.5`},
		{"sign alone", mysql.KindNumber, csvVal("-"), `'-`},
		{"sign and dot", mysql.KindNumber, csvVal("-."), `'-.`},
		{"bad exponent", mysql.KindNumber, csvVal("-1e"), `'-1e`},
		{"formula in number column", mysql.KindNumber, csvVal("-1+2"), `'-1+2`},
		{"negative time", mysql.KindDatetime, csvVal("-838:59:59"), `'-838:59:59`},
		{"date", mysql.KindDatetime, csvVal("2024-02-29"), `2024-02-29`},
		{"json", mysql.KindJSON, csvVal(`{"a":1}`), `"{""a"":1}"`},
		{"binary", mysql.KindBinary, csvVal("\x01\xab"), `0x01ab`},
		{"empty binary", mysql.KindBinary, csvVal(""), `0x`},
		{"geometry", mysql.KindGeometry, csvVal("\x01\x02"), `0x0102`},
		{"bit", mysql.KindBit, csvVal("\x02\x01"), `513`},
		{"bit 64", mysql.KindBit, csvVal("\xff\xff\xff\xff\xff\xff\xff\xff"), `18446744073709551615`},
		{"bit wide", mysql.KindBit, csvVal("\x01\x00\x00\x00\x00\x00\x00\x00\x00"), `18446744073709551616`},
		{"bit leading zeros", mysql.KindBit, csvVal("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05"), `5`},
		{"bit null", mysql.KindBit, nil, ``},
	})
}

func TestCSVWriterHeaderAndBOM(t *testing.T) {
	cols := []mysql.RecordColumn{csvCol("id", mysql.KindNumber), csvCol(`say "x"`, mysql.KindText), csvCol("=x", mysql.KindText)}
	tests := []struct {
		name string
		opts export.CSVOptions
		want string
	}{
		{"reimport", export.CSVOptions{}, "\"id\",\"say \"\"x\"\"\",\"=x\"\r\n"},
		{"reimport bom", export.CSVOptions{Encoding: export.EncodingUTF8BOM}, bomText + "\"id\",\"say \"\"x\"\"\",\"=x\"\r\n"},
		{"spreadsheet", export.CSVOptions{Profile: export.ProfileSpreadsheet}, "id,\"say \"\"x\"\"\",'=x\r\n"},
		{"spreadsheet bom", export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: export.EncodingUTF8BOM}, bomText + "id,\"say \"\"x\"\"\",'=x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, w, err := mustWriteCSV(t, cols, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || w.Rows() != 0 {
				t.Fatalf("got %q rows=%d, want %q rows=0", got, w.Rows(), tt.want)
			}
		})
	}
}

func TestNewCSVWriterErrors(t *testing.T) {
	cols := []mysql.RecordColumn{csvCol("a", mysql.KindText)}
	tests := []struct {
		name string
		cols []mysql.RecordColumn
		opts export.CSVOptions
		want string
	}{
		{"reimport shift_jis", cols, export.CSVOptions{Encoding: export.EncodingShiftJIS}, "use --profile spreadsheet for Shift_JIS"},
		{"unknown profile", cols, export.CSVOptions{Profile: "excel"}, "use reimport or spreadsheet"},
		{"unknown encoding", cols, export.CSVOptions{Encoding: "latin1"}, "use utf-8, utf-8-bom or shift_jis"},
		{"no columns", nil, export.CSVOptions{}, "choose at least one column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := export.NewCSVWriter(&bytes.Buffer{}, tt.cols, tt.opts)
			if w != nil || weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, %v; want an EINVALID error containing %q", w, err, tt.want)
			}
		})
	}
}

func TestCSVWriterRowErrors(t *testing.T) {
	w, err := export.NewCSVWriter(failWriter{}, []mysql.RecordColumn{csvCol("a", mysql.KindText)}, export.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRow([][]byte{csvVal("a"), csvVal("b")}); err == nil || !strings.Contains(err.Error(), "2 values for 1 columns") {
		t.Fatalf("err=%v, want a column count error", err)
	}
	if err := w.WriteRow([][]byte{csvVal("a")}); err != nil {
		t.Fatalf("buffered WriteRow: err=%v", err)
	}
	if err := w.Flush(); !errors.Is(err, errCSVFail) {
		t.Fatalf("Flush: err=%v, want %v", err, errCSVFail)
	}
	if err := w.WriteRow([][]byte{bytes.Repeat([]byte("x"), 70_000)}); !errors.Is(err, errCSVFail) {
		t.Fatalf("WriteRow after a failure: err=%v, want %v", err, errCSVFail)
	}
	if w.Rows() != 1 {
		t.Fatalf("Rows()=%d, want 1", w.Rows())
	}
}

var errCSVFail = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errCSVFail }

// csvZooColumns and csvZooRows are a type-zoo-like table: every kind, the tricky
// values of each.
var csvZooColumns = []mysql.RecordColumn{
	csvCol("id", mysql.KindNumber), csvCol("price", mysql.KindNumber), csvCol("ratio", mysql.KindNumber),
	csvCol("created", mysql.KindDatetime), csvCol("span", mysql.KindDatetime), csvCol("name", mysql.KindText),
	csvCol("note", mysql.KindText), csvCol("data", mysql.KindBinary), csvCol("flags", mysql.KindBit),
	csvCol("doc", mysql.KindJSON), csvCol("place", mysql.KindGeometry),
}

var csvZooRows = [][][]byte{
	{csvVal("1"), csvVal("12.50"), csvVal("-1.5e10"), csvVal("2024-02-29 23:59:59"), csvVal("-838:59:59"), csvVal("日本語テキスト・ｶﾀｶﾅ①㈱"),
		csvVal("NULL"), csvVal("\x00\xff"), csvVal("\x02\x01"), csvVal(`{"a": [1, "x"]}`), csvVal("\x00\x00\x00\x00\x01\x01\x00\x00\x00")},
	{csvVal("2"), csvVal("-0.01"), nil, csvVal("0000-00-00 00:00:00"), csvVal("12:00:00"), csvVal(`He said "hi", then left`),
		nil, csvVal(""), csvVal("\x00"), csvVal("null"), nil},
	{csvVal("3"), nil, csvVal("+3.5"), nil, nil, csvVal("=SUM(A1)"), csvVal("line 1\r\nline 2"), nil, nil, nil, csvVal("\x01")},
	{csvVal("4"), csvVal("0"), csvVal("0"), csvVal("2000-01-01"), csvVal("00:00:00"), csvVal(" padded "), csvVal("@admin"), csvVal("x"), csvVal("\x80"), csvVal("[]"),
		csvVal("")},
	{csvVal("5"), csvVal("-12"), csvVal("1e-7"), csvVal("1999-12-31"), csvVal("-00:00:01"), csvVal("-12"), csvVal("\ttab"), csvVal(""), csvVal(""), csvVal(`"str"`),
		csvVal("")},
}

func TestCSVWriterGolden(t *testing.T) {
	tests := []struct {
		file string
		opts export.CSVOptions
	}{
		{"typezoo_reimport.csv", export.CSVOptions{}},
		{"typezoo_spreadsheet_utf8bom.csv", export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: export.EncodingUTF8BOM}},
		{"typezoo_spreadsheet_sjis.csv", export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: export.EncodingShiftJIS}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, _, err := mustWriteCSV(t, csvZooColumns, tt.opts, csvZooRows...)
			if err != nil {
				t.Fatalf("Flush: %v", err)
			}
			checkCSVGolden(t, filepath.Join("testdata", "csv", tt.file), got)
		})
	}
}

// checkCSVGolden compares got with the golden file path, rewriting it with
// -update.
func checkCSVGolden(t *testing.T, path, got string) {
	t.Helper()
	if csvUpdateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Fatalf("%s: got\n%q\nwant\n%q", path, got, want)
	}
}

func TestCSVWriterReimportAllocs(t *testing.T) {
	cols, row := benchColumns(), benchRow(123456)
	w, err := export.NewCSVWriter(discardWriter{}, cols, export.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if err := w.WriteRow(row); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs per row=%v, want 0", allocs)
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// benchColumns and benchRow are a typical table: ints, a decimal, a date, a
// datetime, varchars.
func benchColumns() []mysql.RecordColumn {
	return []mysql.RecordColumn{
		csvCol("id", mysql.KindNumber), csvCol("customer_id", mysql.KindNumber), csvCol("amount", mysql.KindNumber),
		csvCol("ordered_on", mysql.KindDatetime), csvCol("updated_at", mysql.KindDatetime), csvCol("status", mysql.KindText),
		csvCol("email", mysql.KindText), csvCol("comment", mysql.KindText),
	}
}

func benchRow(i int) [][]byte {
	id := strconv.Itoa(i)
	return [][]byte{csvVal(id), csvVal(strconv.Itoa(i % 9973)), csvVal("1234.56"), csvVal("2024-05-17"), csvVal("2024-05-17 12:34:56"),
		csvVal("shipped"), csvVal("user" + id + "@example.com"), csvVal(`a "quoted" comment, with commas`)}
}

func BenchmarkCSVWriter(b *testing.B) {
	rows := make([][][]byte, 1024)
	for i := range rows {
		rows[i] = benchRow(i)
	}
	benchWriteRows(b, rows, export.CSVOptions{})
}

// benchWriteRows writes rows, round and round, with a CSVWriter of opts.
func benchWriteRows(b *testing.B, rows [][][]byte, opts export.CSVOptions) {
	w, err := export.NewCSVWriter(discardWriter{}, benchColumns(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.WriteRow(rows[i%len(rows)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEncodingCSV writes the rows of BenchmarkCSVWriter with
// encoding/csv, for comparison (it cannot quote every value nor write NULL):
// from strings made beforehand (its best case) and from the []byte values
// a database gives (one string per value).
func BenchmarkEncodingCSV(b *testing.B) {
	raw, strs := make([][][]byte, 1024), make([][]string, 1024)
	for i := range raw {
		raw[i] = benchRow(i)
		for _, val := range raw[i] {
			strs[i] = append(strs[i], string(val))
		}
	}
	b.Run("strings", func(b *testing.B) {
		w := csv.NewWriter(discardWriter{})
		w.UseCRLF = true
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := w.Write(strs[i%len(strs)]); err != nil {
				b.Fatal(err)
			}
		}
		w.Flush()
	})
	b.Run("bytes", func(b *testing.B) {
		w, rec := csv.NewWriter(discardWriter{}), make([]string, len(raw[0]))
		w.UseCRLF = true
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			for j, val := range raw[i%len(raw)] {
				rec[j] = string(val)
			}
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		w.Flush()
	})
}

// BenchmarkCSVWriterShiftJIS writes rows with Japanese, accented and
// ASCII text in the spreadsheet profile in Shift_JIS (the è of each row
// cannot be encoded and is reported).
func BenchmarkCSVWriterShiftJIS(b *testing.B) {
	rows := make([][][]byte, 1024)
	notes := []string{"領収書の宛名は株式会社ウィークバックで", "Livraison après 18h", "置き配希望〜", "Call before delivery — thanks!"}
	for i := range rows {
		rows[i] = benchRow(i)
		rows[i][7] = csvVal(notes[i%len(notes)])
	}
	benchWriteRows(b, rows, export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: export.EncodingShiftJIS, Lossy: true})
}
