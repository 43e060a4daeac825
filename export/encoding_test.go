package export_test

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/text/encoding/japanese"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
)

var sjisOptions = export.CSVOptions{Profile: export.ProfileSpreadsheet, Encoding: export.EncodingShiftJIS}

// mustWriteSJIS writes rows of cols in Shift_JIS and returns the file
// decoded back to UTF-8, the characters reported and Flush's error.
func mustWriteSJIS(tb testing.TB, cols []mysql.RecordColumn, lossy bool, rows ...[][]byte) (string, []export.Unencodable, error) {
	tb.Helper()
	var list []export.Unencodable
	opts := sjisOptions
	opts.Lossy = lossy
	opts.OnUnencodable = func(u export.Unencodable) { list = append(list, u) }
	out, w, err := mustWriteCSV(tb, cols, opts, rows...)
	if w.Unencodable() != int64(len(list)) {
		tb.Fatalf("Unencodable()=%d, want %d (the characters reported)", w.Unencodable(), len(list))
	}
	decoded, derr := japanese.ShiftJIS.NewDecoder().String(out)
	if derr != nil {
		tb.Fatalf("decode the Shift_JIS file: %v", derr)
	}
	return decoded, list, err
}

// checkSJIS compares a decoded file and the characters reported with the
// expected ones.
func checkSJIS(t *testing.T, got string, list []export.Unencodable, wantFile string, want []export.Unencodable) {
	t.Helper()
	if !reflect.DeepEqual(list, want) {
		t.Fatalf("reported %+v, want %+v", list, want)
	}
	if got != wantFile {
		t.Fatalf("file %q, want %q", got, wantFile)
	}
}

func TestShiftJISUnencodable(t *testing.T) {
	cols := []mysql.RecordColumn{csvCol("id", mysql.KindNumber), csvCol("name", mysql.KindText)}
	got, list, err := mustWriteSJIS(t, cols, false,
		[][]byte{csvVal("1"), csvVal("ok")},
		[][]byte{csvVal("2"), csvVal("a¥♥𠮷😀b")})
	want := []export.Unencodable{
		{Row: 2, Column: "name", Char: "¥", Code: "U+00A5"},
		{Row: 2, Column: "name", Char: "♥", Code: "U+2665"},
		{Row: 2, Column: "name", Char: "𠮷", Code: "U+20BB7"},
		{Row: 2, Column: "name", Char: "😀", Code: "U+1F600"},
	}
	checkSJIS(t, got, list, "id,name\r\n1,ok\r\n2,a????b\r\n", want)
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), "4 characters cannot be written in shift_jis") ||
		!strings.Contains(err.Error(), "--lossy") || !strings.Contains(err.Error(), "utf-8") {
		t.Fatalf("Flush: err=%v, want EINVALID naming 4 characters, --lossy and utf-8", err)
	}
}

func TestShiftJISLossy(t *testing.T) {
	got, list, err := mustWriteSJIS(t, []mysql.RecordColumn{csvCol("a", mysql.KindText)}, true, [][]byte{csvVal("x♥y")})
	if err != nil || len(list) != 1 || got != "a\r\nx?y\r\n" {
		t.Fatalf("got %q, %d reported, err=%v; want \"a\\r\\nx?y\\r\\n\", 1, nil", got, len(list), err)
	}
}

func TestShiftJISOneCharacterMessage(t *testing.T) {
	_, _, err := mustWriteSJIS(t, []mysql.RecordColumn{csvCol("a", mysql.KindText)}, false, [][]byte{csvVal("♥")})
	if err == nil || !strings.HasPrefix(err.Error(), "1 character cannot") {
		t.Fatalf("err=%v, want it to start with \"1 character cannot\"", err)
	}
}

func TestShiftJISRoundTrip(t *testing.T) {
	texts := []string{
		"日本語テキスト・ｶﾀｶﾅ①㈱",
		"～―∥－￠￡￢",  // the CP932 forms of 〜—‖−¢£¬
		"髙﨑纊ⅰⅠ№℡∵", // NEC and IBM extensions
		`ASCII ~\ "quoted", end`,
	}
	for _, text := range texts {
		t.Run(text, func(t *testing.T) {
			got, list, err := mustWriteSJIS(t, []mysql.RecordColumn{csvCol("t", mysql.KindText)}, false, [][]byte{csvVal(text)})
			if err != nil || len(list) != 0 {
				t.Fatalf("err=%v, reported %+v; want none", err, list)
			}
			_, line, _ := strings.Cut(got, "\r\n")
			want := text
			if strings.ContainsAny(text, `",`) {
				want = `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
			}
			if line != want+"\r\n" {
				t.Fatalf("decoded %q, want %q", line, want+"\r\n")
			}
		})
	}
}

// TestShiftJISLookalikes checks that the characters whose JIS byte
// Windows reads as another character (¥ as \, ‾ as ~) are reported,
// whatever golang.org/x/text does with them.
func TestShiftJISLookalikes(t *testing.T) {
	for _, r := range "¥‾" {
		_, list, _ := mustWriteSJIS(t, []mysql.RecordColumn{csvCol("t", mysql.KindText)}, true, [][]byte{csvVal(string(r))})
		if len(list) != 1 || list[0].Char != string(r) {
			t.Errorf("%q (U+%04X): reported %+v, want it reported once", r, r, list)
		}
	}
}

// TestShiftJISFoldsJISForms checks that the JIS X 0208 forms CP932 users
// type (a memo written on a Mac: 〜 is U+301C there) are written as the
// CP932 bytes Windows shows the same way, without loss.
func TestShiftJISFoldsJISForms(t *testing.T) {
	memo := "打合せは10時\u301C12時。資料\u22122部\u2014山田\u2016価格\u00A2\u00A3\u00AC"
	cols := []mysql.RecordColumn{csvCol("memo", mysql.KindText)}
	var list []export.Unencodable
	opts := sjisOptions
	opts.OnUnencodable = func(u export.Unencodable) { list = append(list, u) }
	raw, _, err := mustWriteCSV(t, cols, opts, [][]byte{csvVal(memo)})
	if err != nil || len(list) != 0 {
		t.Fatalf("err=%v, reported %+v; want the memo written without loss", err, list)
	}
	for _, c := range []struct {
		name string
		b    string
	}{{"WAVE DASH", "\x81\x60"}, {"MINUS SIGN", "\x81\x7C"}, {"EM DASH", "\x81\x5C"},
		{"DOUBLE VERTICAL LINE", "\x81\x61"}, {"CENT SIGN", "\x81\x91"}, {"POUND SIGN", "\x81\x92"}, {"NOT SIGN", "\x81\xCA"}} {
		if !strings.Contains(raw, c.b) {
			t.Errorf("%s: the file has no % X", c.name, c.b)
		}
	}
	decoded, derr := japanese.ShiftJIS.NewDecoder().String(raw)
	if want := "memo\r\n打合せは10時～12時。資料－2部―山田∥価格￠￡￢\r\n"; derr != nil || decoded != want {
		t.Fatalf("decoded %q (%v), want %q (what Windows shows)", decoded, derr, want)
	}
}

func TestShiftJISHeaderAndInvalidUTF8(t *testing.T) {
	cols := []mysql.RecordColumn{csvCol("名前♥", mysql.KindText), csvCol("b", mysql.KindText)}
	got, list, _ := mustWriteSJIS(t, cols, true, [][]byte{csvVal("ok"), csvVal("a\xffb")})
	want := []export.Unencodable{
		{Row: 0, Column: "名前♥", Char: "♥", Code: "U+2665"},
		{Row: 1, Column: "b", Char: "\uFFFD", Code: "0xFF"},
	}
	checkSJIS(t, got, list, "名前?,b\r\nok,a?b\r\n", want)
}

func TestShiftJISGuardAndQuotes(t *testing.T) {
	got, _, err := mustWriteSJIS(t, []mysql.RecordColumn{csvCol("a", mysql.KindText), csvCol("b", mysql.KindNumber)}, false,
		[][]byte{csvVal(`=「式」,"x"`), csvVal("-12")})
	if want := "a,b\r\n\"'=「式」,\"\"x\"\"\",-12\r\n"; err != nil || got != want {
		t.Fatalf("got %q err=%v, want %q", got, err, want)
	}
}

func TestParseEncoding(t *testing.T) {
	testParse(t, export.ParseEncoding, map[string]export.Encoding{
		"": export.EncodingUTF8, "utf-8": export.EncodingUTF8, "UTF8": export.EncodingUTF8,
		"utf-8-bom": export.EncodingUTF8BOM, "UTF8-BOM": export.EncodingUTF8BOM,
		"shift_jis": export.EncodingShiftJIS, "Shift_JIS": export.EncodingShiftJIS, "SJIS": export.EncodingShiftJIS,
		"cp932": export.EncodingShiftJIS, "CP932": export.EncodingShiftJIS, "Windows-31J": export.EncodingShiftJIS,
	}, "latin1", "utf-8, utf-8-bom or shift_jis")
}

func TestParseProfile(t *testing.T) {
	testParse(t, export.ParseProfile, map[string]export.Profile{
		"": export.ProfileReimport, "reimport": export.ProfileReimport,
		"Spreadsheet": export.ProfileSpreadsheet, "spreadsheet": export.ProfileSpreadsheet,
	}, "excel", "reimport or spreadsheet")
}

// testParse checks that parse accepts each name of good and refuses bad
// with an EINVALID error containing wantMsg.
func testParse[T comparable](t *testing.T, parse func(string) (T, error), good map[string]T, bad, wantMsg string) {
	for in, want := range good {
		t.Run(in, func(t *testing.T) {
			if got, err := parse(in); got != want || err != nil {
				t.Fatalf("got %v, %v; want %v, nil", got, err, want)
			}
			if in == "" {
				return
			}
			// The name in a buffer the server reuses, as a query value:
			// what parse returned must not change with the buffer.
			buf := []byte(in)
			got, _ := parse(unsafe.String(&buf[0], len(buf)))
			clear(buf)
			if got != want {
				t.Fatalf("after the request's buffer was reused: %v, want %v", got, want)
			}
		})
	}
	_, err := parse(bad)
	if weekback.ErrorCode(err) != weekback.EINVALID || !strings.Contains(err.Error(), wantMsg) {
		t.Fatalf("%s: err=%v, want EINVALID containing %q", bad, err, wantMsg)
	}
}
