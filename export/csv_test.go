package export_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

// fuzzKinds are the kinds a fuzzed column can have: the first four are
// written byte for byte, the last three as hex.
var fuzzKinds = []mysql.Kind{mysql.KindText, mysql.KindJSON, mysql.KindNumber, mysql.KindDatetime,
	mysql.KindBinary, mysql.KindBit, mysql.KindGeometry}

// fuzzTable turns fuzz input into columns and rows: kinds picks each
// column's kind (3 bits each); in data, each value is a length byte (0xff
// for NULL, else its low 6 bits) followed by that many bytes.
func fuzzTable(ncols uint8, kinds uint32, data []byte) ([]mysql.RecordColumn, [][][]byte) {
	cols := make([]mysql.RecordColumn, int(ncols%8)+1)
	for i := range cols {
		cols[i] = csvCol(fmt.Sprintf("c%d,\"x\"", i), fuzzKinds[int(kinds>>(3*i)&7)%len(fuzzKinds)])
	}
	var rows [][][]byte
	for len(data) > 0 && len(rows) < 1000 {
		row := make([][]byte, len(cols))
		for i := range row {
			row[i], data = fuzzValue(data)
		}
		rows = append(rows, row)
	}
	return cols, rows
}

func fuzzValue(data []byte) ([]byte, []byte) {
	if len(data) == 0 {
		return []byte{}, data
	}
	if data[0] == 0xff {
		return nil, data[1:]
	}
	n := min(int(data[0]&63), len(data)-1)
	return append([]byte{}, data[1:1+n]...), data[1+n:]
}

// fuzzSeed encodes values (nil for NULL) as fuzzTable reads them.
func fuzzSeed(values ...[]byte) []byte {
	var data []byte
	for _, val := range values {
		if val == nil {
			data = append(data, 0xff)
			continue
		}
		data = append(append(data, byte(len(val))), val...)
	}
	return data
}

func FuzzCSVRoundTrip(f *testing.F) {
	tricky := [][]byte{csvVal(""), nil, csvVal("NULL"), csvVal("\"NULL\""), csvVal("\r\n"), csvVal("\n"), csvVal("\r"), csvVal("\""), csvVal("\"\""), csvVal(","),
		csvVal("a,\"b\"\r\nc"), csvVal("\xef\xbb\xbf"), csvVal(" "), csvVal("0x"), csvVal("0xff"), csvVal("日本語〜😀"), csvVal("\xff\xfe\x00"), csvVal("end\r")}
	f.Add(uint8(0), uint32(0), fuzzSeed(tricky...))
	f.Add(uint8(2), uint32(0o40), fuzzSeed(tricky...))
	f.Add(uint8(6), uint32(0o6543210), fuzzSeed(tricky...))
	f.Add(uint8(1), uint32(0o44), fuzzSeed(csvVal(""), nil, csvVal("\x00\xff"), csvVal("")))
	f.Add(uint8(0), uint32(1<<31), fuzzSeed(csvVal("a"), csvVal("\"")))
	f.Add(uint8(3), uint32(0), []byte{})
	f.Fuzz(func(t *testing.T, ncols uint8, kinds uint32, data []byte) {
		cols, rows := fuzzTable(ncols, kinds, data)
		opts := export.CSVOptions{}
		if kinds&(1<<31) != 0 {
			opts.Encoding = export.EncodingUTF8BOM
		}
		out, _, err := mustWriteCSV(t, cols, opts, rows...)
		if err != nil {
			t.Fatalf("Flush: %v", err)
		}
		got := mustReadBack(t, cols, out)
		want := append([][][]byte{columnNames(cols)}, rows...)
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("file %q: read %q, want %q", out, got, want)
		}
	})
}

// mustReadBack reads the reimport file out, decoding the hex of binary
// columns after the header.
func mustReadBack(t *testing.T, cols []mysql.RecordColumn, out string) [][][]byte {
	t.Helper()
	r := export.NewCSVReader(bytes.NewReader([]byte(out)))
	var got [][][]byte
	for {
		fields, err := r.Read()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("file %q: Read: %v", out, err)
		}
		if len(fields) != len(cols) {
			t.Fatalf("file %q, line %d: %d fields, want %d", out, r.Line(), len(fields), len(cols))
		}
		row := make([][]byte, len(fields))
		for i, fl := range fields {
			row[i] = fieldValue(t, fl, r.Record() > 1 && isHexKind(cols[i].Kind))
		}
		got = append(got, row)
	}
}

func fieldValue(t *testing.T, f export.Field, binary bool) []byte {
	t.Helper()
	if f.Null {
		return nil
	}
	if !binary {
		return append([]byte{}, f.Value...)
	}
	b, ok := bytes.CutPrefix(f.Value, []byte("0x"))
	dec, err := hex.DecodeString(string(b))
	if !ok || err != nil {
		t.Fatalf("binary value %q: not 0x hex", f.Value)
	}
	return dec
}

func isHexKind(k mysql.Kind) bool {
	return k == mysql.KindBinary || k == mysql.KindBit || k == mysql.KindGeometry
}

func columnNames(cols []mysql.RecordColumn) [][]byte {
	names := make([][]byte, len(cols))
	for i, c := range cols {
		names[i] = []byte(c.Name)
	}
	return names
}

// normalize maps NULL to "<nil>" and empty values to "" so that
// DeepEqual tells them apart but not nil from empty slices.
func normalize(rows [][][]byte) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		for _, val := range row {
			s := "=" + string(val)
			if val == nil {
				s = "<nil>"
			}
			out[i] = append(out[i], s)
		}
	}
	return out
}

// spreadsheetRows and spreadsheetCells are rows and the cells a CSV reader
// must see in the spreadsheet profile.
var spreadsheetRows = [][][]byte{
	{csvVal("1"), csvVal("=SUM(A1)"), csvVal("日本語テキスト・ｶﾀｶﾅ①㈱"), csvVal("\x00\xff"), csvVal("\x01\x00")},
	{csvVal("-12"), csvVal("a,\"b\"\r\nc"), nil, csvVal(""), nil},
	{csvVal("-1.5e10"), csvVal("@x"), csvVal(" padded "), nil, csvVal("\x05")},
	{nil, csvVal("-12"), csvVal("+1"), csvVal("A"), csvVal("")},
}

var spreadsheetCells = [][]string{
	{"id", "text", "jp", "data", "flags"},
	{"1", "'=SUM(A1)", "日本語テキスト・ｶﾀｶﾅ①㈱", "0x00ff", "256"},
	{"-12", "a,\"b\"\r\nc", "", "0x", ""},
	{"-1.5e10", "'@x", " padded ", "", "5"},
	{"", "'-12", "'+1", "0x41", "0"},
}

// TestSpreadsheetPython opens spreadsheet files with Python's csv module,
// as a second, independent reader.
func TestSpreadsheetPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	cols := []mysql.RecordColumn{csvCol("id", mysql.KindNumber), csvCol("text", mysql.KindText), csvCol("jp", mysql.KindText),
		csvCol("data", mysql.KindBinary), csvCol("flags", mysql.KindBit)}
	tests := []struct {
		encoding export.Encoding
		python   string
	}{{export.EncodingUTF8BOM, "utf-8-sig"}, {export.EncodingShiftJIS, "cp932"}}
	for _, tt := range tests {
		t.Run(string(tt.encoding), func(t *testing.T) {
			opts := export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: tt.encoding}
			out, _, err := mustWriteCSV(t, cols, opts, spreadsheetRows...)
			if err != nil {
				t.Fatalf("Flush: %v", err)
			}
			path := filepath.Join(t.TempDir(), "out.csv")
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := pythonCSV(t, python, path, tt.python); !reflect.DeepEqual(got, spreadsheetCells) {
				t.Fatalf("python read %q, want %q", got, spreadsheetCells)
			}
		})
	}
}

const pythonReadCSV = `import csv, json, sys
with open(sys.argv[1], newline="", encoding=sys.argv[2]) as f:
    json.dump(list(csv.reader(f)), sys.stdout)
`

func pythonCSV(t *testing.T, python, path, encoding string) [][]string {
	t.Helper()
	out, err := exec.Command(python, "-c", pythonReadCSV, path, encoding).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var cells [][]string
	if err := json.Unmarshal(out, &cells); err != nil {
		t.Fatalf("python3 output %q: %v", out, err)
	}
	return cells
}
