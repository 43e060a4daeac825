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

func TestWriteUnencodableCSVError(t *testing.T) {
	err := export.WriteUnencodableCSV(failWriter{}, []export.Unencodable{{Row: 1}})
	if !errors.Is(err, errCSVFail) {
		t.Fatalf("err=%v, want %v", err, errCSVFail)
	}
}
