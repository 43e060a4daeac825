package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weekback/weekback/mysql"
)

// TestAppendJSONStringAsEncodingJSON: the hand-written encoder writes what
// encoding/json writes for the same (valid UTF-8) text.
func TestAppendJSONStringAsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " backslash \ slash /`, "tab\tnl\ncr\r nul\x00 bell\x07 del\x7f",
		"<script>&amp;</script>", "日本語のテキスト", "é à ç «»", "line\u2028para\u2029end", "emoji 😀", "\x1f\x01"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
		if got := appendJSONString(nil, []byte(s)); string(got) != string(want) {
			t.Errorf("appendJSONString([]byte(%q)) = %s, want %s", s, got, want)
		}
	}
}

func TestAppendJSONStringInvalidUTF8(t *testing.T) {
	got := string(appendJSONString(nil, []byte("a\xffb\xe3\x81")))
	if want := `"a\ufffdb\ufffd\ufffd"`; got != want {
		t.Errorf("invalid UTF-8: %s, want %s", got, want)
	}
	var back string
	if err := json.Unmarshal([]byte(got), &back); err != nil || !strings.Contains(back, "\uFFFD") {
		t.Errorf("does not decode: %q, %v", back, err)
	}
}

func TestJSONValuesObject(t *testing.T) {
	cols := []mysql.RecordColumn{
		{Column: mysql.Column{Name: "id"}, Kind: mysql.KindNumber},
		{Column: mysql.Column{Name: "pw"}, Kind: mysql.KindText, Masked: true},
		{Column: mysql.Column{Name: "data"}, Kind: mysql.KindBinary},
		{Column: mysql.Column{Name: "note"}, Kind: mysql.KindText},
		{Column: mysql.Column{Name: "gone"}, Kind: mysql.KindText},
	}
	vals := []mysql.Value{{Bytes: []byte("7")}, {}, {Bytes: []byte{0, 0xff}}, {Null: true}, {Bytes: []byte{}}}
	got, err := json.Marshal(jsonValues{cols: cols, vals: vals})
	if want := `{"id":"7","data":"0x00ff","note":null,"gone":""}`; err != nil || string(got) != want {
		t.Errorf("values = %s, %v, want %s", got, err, want)
	}
}

// TestJSONRowAsEncodingJSON: a row appended by hand reads as encoding/json
// writes it (omitted empty members included).
func TestJSONRowAsEncodingJSON(t *testing.T) {
	cols := []mysql.RecordColumn{{Column: mysql.Column{Name: "id"}, Kind: mysql.KindNumber}, {Column: mysql.Column{Name: "t<x>"}, Kind: mysql.KindText}}
	vals := []mysql.Value{{Bytes: []byte("1")}, {Bytes: []byte("a\"b"), Truncated: true}}
	for _, r := range []jsonRow{
		{Key: "1", URL: "/mon/tables/t/rows/1", Values: jsonValues{cols, vals}, Truncated: []string{"t<x>"}},
		{Values: jsonValues{cols, vals}},
		{Values: jsonValues{}},
	} {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.appendJSON(nil); string(got) != string(want) {
			t.Errorf("appendJSON = %s, want %s", got, want)
		}
	}
}
