package export_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/weekback/weekback/export"
)

func TestWriteUnencodableCSV(t *testing.T) {
	tests := []struct {
		name string
		list []export.Unencodable
		want string
	}{
		{"nil", nil, bomText + "row,column,character,code_point\r\n"},
		{"two", []export.Unencodable{
			{Row: 2, Column: "name", Char: "〜", Code: "U+301C"},
			{Row: 0, Column: "a,\"b\"", Char: "😀", Code: "U+1F600"},
		}, bomText + "row,column,character,code_point\r\n2,name,〜,U+301C\r\n0,\"a,\"\"b\"\"\",😀,U+1F600\r\n"},
		{"formula-guarded like the spreadsheet profile", []export.Unencodable{
			{Row: 1, Column: "=HYPERLINK(\"http://x\")", Char: "😀", Code: "U+1F600"},
			{Row: 2, Column: "＠cmd", Char: "😀", Code: "U+1F600"},
			{Row: 3, Column: "\u3000+1", Char: "😀", Code: "U+1F600"},
		}, bomText + "row,column,character,code_point\r\n1,\"'=HYPERLINK(\"\"http://x\"\")\",😀,U+1F600\r\n" +
			"2,'＠cmd,😀,U+1F600\r\n3,'\u3000+1,😀,U+1F600\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := export.WriteUnencodableCSV(&out, tt.list); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Fatalf("got %q, want %q", out.String(), tt.want)
			}
		})
	}
}

// TestAppendUnencodableCSV checks that a list written in batches is the
// file written at once, guards included.
func TestAppendUnencodableCSV(t *testing.T) {
	list := []export.Unencodable{{Row: 1, Column: "-x", Char: "😀", Code: "U+1F600"}, {Row: 2, Column: "=y", Char: "♥", Code: "U+2665"}}
	var whole, parts bytes.Buffer
	if err := export.WriteUnencodableCSV(&whole, list); err != nil {
		t.Fatal(err)
	}
	if err := export.WriteUnencodableCSV(&parts, list[:1]); err != nil {
		t.Fatal(err)
	}
	if err := export.AppendUnencodableCSV(&parts, list[1:]); err != nil {
		t.Fatal(err)
	}
	if parts.String() != whole.String() || !bytes.Contains(whole.Bytes(), []byte("2,'=y,")) {
		t.Fatalf("in batches %q, at once %q; want equal, with '=y guarded", parts.String(), whole.String())
	}
}

func TestWriteUnencodableCSVError(t *testing.T) {
	err := export.WriteUnencodableCSV(failWriter{}, []export.Unencodable{{Row: 1}})
	if !errors.Is(err, errCSVFail) {
		t.Fatalf("err=%v, want %v", err, errCSVFail)
	}
}
