package export_test

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
)

// csvNull stands for a NULL field in the expected records of these tests.
const csvNull = "\x00NULL"

// readAllCSV reads every record of in as strings (csvNull for NULL) and the line
// each started on.
func readAllCSV(tb testing.TB, r *export.CSVReader) (recs [][]string, lines []int64, err error) {
	tb.Helper()
	for {
		fields, err := r.Read()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return recs, lines, err
		}
		rec := make([]string, len(fields))
		for i, f := range fields {
			if rec[i] = string(f.Value); f.Null {
				rec[i] = csvNull
			}
		}
		recs, lines = append(recs, rec), append(lines, r.Line())
	}
}

func TestCSVReader(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	tests := []struct {
		name  string
		in    string
		want  [][]string
		lines []int64
	}{
		{"empty", "", nil, nil},
		{"crlf", "\"a\",\"b\"\r\n\"1\",\"2\"\r\n", [][]string{{"a", "b"}, {"1", "2"}}, []int64{1, 2}},
		{"lf", "\"a\",\"b\"\n\"1\",\"2\"\n", [][]string{{"a", "b"}, {"1", "2"}}, []int64{1, 2}},
		{"no final newline", "\"a\"\r\n\"1\"", [][]string{{"a"}, {"1"}}, []int64{1, 2}},
		{"bom", bomText + "\"a\"\r\n", [][]string{{"a"}}, []int64{1}},
		{"bom only once", bomText + "\"" + bomText + "\"\r\n", [][]string{{bomText}}, []int64{1}},
		{"null", "NULL,\"NULL\",\"\"\r\n", [][]string{{csvNull, "NULL", ""}}, []int64{1}},
		{"bare", "1,abc,,x y\r\n", [][]string{{"1", "abc", "", "x y"}}, []int64{1}},
		{"bare empty last", "a,\r\n", [][]string{{"a", ""}}, []int64{1}},
		{"quotes doubled", "\"say \"\"hi\"\"\",\"\"\"\"\r\n", [][]string{{"say \"hi\"", "\""}}, []int64{1}},
		{"comma inside", "\"a,b\",c\r\n", [][]string{{"a,b", "c"}}, []int64{1}},
		{"line breaks inside", "\"a\r\nb\nc\rd\",\"e\"\r\n\"f\"\r\n", [][]string{{"a\r\nb\nc\rd", "e"}, {"f"}}, []int64{1, 4}},
		{"quoted field ending with newline", "\"a\r\n\"\r\n", [][]string{{"a\r\n"}}, []int64{1}},
		{"blank lines skipped", "\"a\"\r\n\r\n\n\"b\"\r\n", [][]string{{"a"}, {"b"}}, []int64{1, 4}},
		{"hex not decoded", "\"0xff00\",0x\r\n", [][]string{{"0xff00", "0x"}}, []int64{1}},
		{"long line", "\"" + long + "\"," + long + "\r\n\"z\"\r\n", [][]string{{long, long}, {"z"}}, []int64{1, 2}},
		{"cr ending the file", "\"a\",b\r", [][]string{{"a", "b"}}, []int64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, in := range map[string]io.Reader{"whole": strings.NewReader(tt.in), "bytewise": iotest.OneByteReader(strings.NewReader(tt.in))} {
				r := export.NewCSVReader(in)
				got, lines, err := readAllCSV(t, r)
				if err != nil {
					t.Fatalf("%s: err=%v", name, err)
				}
				if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(lines, tt.lines) {
					t.Fatalf("%s: got %q lines %v, want %q lines %v", name, got, lines, tt.want, tt.lines)
				}
				if r.Record() != int64(len(tt.want)) {
					t.Fatalf("%s: Record()=%d, want %d", name, r.Record(), len(tt.want))
				}
			}
		})
	}
}

func TestCSVReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // in the message
	}{
		{"unterminated", "\"a\"\r\n\"b\",\"c\r\nd\r\n", "line 2: the quoted field 2 never ends"},
		{"quote in bare field", "\"a\"\r\n\"b\"\r\nab\"c\r\n", "line 3, field 1: a quote inside an unquoted field"},
		{"text after closing quote", "\"a\"x,\"b\"\r\n", "line 1, field 1: text after the closing quote"},
		{"space after closing quote", "\"a\",\"b\" \r\n", "line 1, field 2: text after the closing quote"},
		{"after multi-line field", "\"a\r\nb\"c\r\n", "line 2, field 1: text after the closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := export.NewCSVReader(strings.NewReader(tt.in))
			_, _, err := readAllCSV(t, r)
			if got := weekback.ErrorCode(err); got != weekback.EINVALID {
				t.Fatalf("code=%q (err=%v), want %q", got, err, weekback.EINVALID)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%q, want it to contain %q", err, tt.want)
			}
			if _, again := r.Read(); again != err {
				t.Fatalf("second Read: err=%v, want the same error %v", again, err)
			}
		})
	}
}

func TestCSVReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	r := export.NewCSVReader(io.MultiReader(strings.NewReader("\"a\"\r\n"), iotest.ErrReader(boom)))
	if _, err := r.Read(); err != nil {
		t.Fatalf("first Read: err=%v", err)
	}
	if _, err := r.Read(); !errors.Is(err, boom) {
		t.Fatalf("err=%v, want %v", err, boom)
	}
}

func TestCSVReaderReusesSlices(t *testing.T) {
	r := export.NewCSVReader(strings.NewReader("\"aaaa\",\"b\"\r\n\"cc\",\"d\"\r\n"))
	first, _ := r.Read()
	kept := string(first[0].Value)
	second, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if kept != "aaaa" || string(second[0].Value) != "cc" {
		t.Fatalf("got %q then %q, want aaaa then cc", kept, second[0].Value)
	}
	// appending to a Value must not overwrite the next one
	_ = append(second[0].Value, 'X')
	if string(second[1].Value) != "d" {
		t.Fatalf("second field=%q after append to the first, want d", second[1].Value)
	}
}

const bomText = "\xef\xbb\xbf"
