package server

import (
	"encoding/json"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/mysql"
)

// TestChangeRowsJSONKeptAsEncoded: an answer with the rows changeRowsJSON
// wrote spliced in (as a kept page of changes answers) is the answer
// encoding/json writes with the rows themselves, for text with <, &,
// quotes, U+2028 and CJK, NULLs, binary values and a masked column
// (escaping is the same either way: encoding/json escapes a RawMessage as
// it does the rest).
func TestChangeRowsJSONKeptAsEncoded(t *testing.T) {
	cols := []mysql.RecordColumn{
		{Column: mysql.Column{Name: "id"}, Kind: mysql.KindNumber, Key: true},
		{Column: mysql.Column{Name: "note"}, Kind: mysql.KindText, Nullable: true},
		{Column: mysql.Column{Name: "photo"}, Kind: mysql.KindBinary, Nullable: true},
		{Column: mysql.Column{Name: "secret"}, Kind: mysql.KindText, Masked: true},
	}
	rows := []*compare.RowChange{
		{Kind: compare.Changed, Key: []string{"7"}, Count: 1,
			From: [][]byte{[]byte("7"), []byte(`<b>"x" & 'y'</b>`), {0x00, 0xff}, nil},
			To:   [][]byte{[]byte("7"), []byte("見積〜</script>"), nil, nil},
			Changes: []compare.ColumnChange{
				{Column: "note", Index: 1, Old: []byte(`<b>"x" & 'y'</b>`), New: []byte("見積〜</script>")},
				{Column: "photo", Index: 2, Old: []byte{0x00, 0xff}},
				{Column: "secret", Index: 3, Masked: true},
			}},
		{Kind: compare.Changed, Key: []string{"8"}, Count: 1, From: [][]byte{[]byte("8"), nil, nil, nil},
			To: [][]byte{[]byte("8"), []byte("\u2028"), nil, nil}, Changes: []compare.ColumnChange{{Column: "note", Index: 1, New: []byte("\u2028")}}},
	}
	views := make([]changeJSONRow, len(rows))
	for i, r := range rows {
		views[i] = changeJSONOf(cols, r, weekback.Monday, "orders")
	}
	kept, err := changeRowsJSON(cols, rows, weekback.Monday, "orders")
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(fiber.Map{"day": "mon", "rows": views, "next": "a<b"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(fiber.Map{"day": "mon", "rows": kept, "next": "a<b"})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("kept rows answer\n%s\nwant\n%s", got, want)
	}
}
