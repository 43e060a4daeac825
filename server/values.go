package server

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/weekback/weekback/mysql"
)

// shortHexBytes is how many leading bytes of a binary value a page shows.
const shortHexBytes = 16

// maskedText is what a credential column shows instead of its value.
const maskedText = "••••"

// cellView is one value as a page shows it: NULL, masked, binary (size and
// the first bytes in hex), pretty JSON, or text exactly as read.
type cellView struct {
	Kind      mysql.Kind
	Null      bool
	Masked    bool
	Empty     bool // an empty string, not NULL
	Binary    bool
	Pre       bool // pretty JSON, shown as a block
	Truncated bool
	Long      bool // a value long enough to be broken anywhere (short ones never are)
	Text      string
	Size      int64  // binary: its size in bytes
	Hex       string // binary: "0x0102…"
}

// cellOf renders v, a value of col.
func cellOf(col mysql.RecordColumn, v mysql.Value) cellView {
	cv := cellView{Kind: col.Kind, Masked: col.Masked, Null: v.Null, Truncated: v.Truncated}
	switch {
	case cv.Masked:
		cv.Text, cv.Truncated = maskedText, false
	case cv.Null:
	case col.Kind == mysql.KindBinary || col.Kind == mysql.KindBit:
		cv.Binary, cv.Size = true, v.Size
		n := min(len(v.Bytes), shortHexBytes)
		cv.Hex = "0x" + hex.EncodeToString(v.Bytes[:n])
		cv.Truncated = cv.Truncated || int64(n) < v.Size
	case col.Kind == mysql.KindJSON:
		cv.Text, cv.Pre = prettyJSON(v), true
	default:
		cv.Text = strings.ToValidUTF8(string(v.Bytes), "\uFFFD")
	}
	cv.Empty = !cv.Null && !cv.Masked && !cv.Binary && cv.Text == ""
	cv.Long = cv.Binary || utf8.RuneCountInString(cv.Text) > longCell
	return cv
}

// longCell is the length (in characters) after which a value may be
// broken anywhere on the records page; shorter ones keep their words.
const longCell = 24

// prettyJSON indents a whole JSON value; a cut or invalid one is shown as
// it is.
func prettyJSON(v mysql.Value) string {
	var b bytes.Buffer
	if !v.Truncated && json.Indent(&b, v.Bytes, "", "  ") == nil {
		return b.String()
	}
	return strings.ToValidUTF8(string(v.Bytes), "\uFFFD")
}

// columnView is a column of a page's JSON and of its table head.
type columnView struct {
	Name    string     `json:"name"`
	Kind    mysql.Kind `json:"kind"`
	Type    string     `json:"type"`
	Key     bool       `json:"key,omitempty"`
	Masked  bool       `json:"masked,omitempty"`
	SortURL string     `json:"-"`
	Sorted  string     `json:"-"` // "▲", "▼" or ""
}

// jsonRow is one row in the JSON form of a page. Masked columns have no
// value; columns whose value was cut are listed in Truncated.
type jsonRow struct {
	Key       string     `json:"key,omitempty"`
	URL       string     `json:"url,omitempty"`
	Values    jsonValues `json:"values"`
	Truncated []string   `json:"truncated,omitempty"`
}

func jsonRowOf(cols []mysql.RecordColumn, r mysql.Row, url string) jsonRow {
	jr := jsonRow{Key: r.Key, URL: url, Values: jsonValues{cols: cols, vals: r.Values}}
	for i, col := range cols {
		if col.Masked || i >= len(r.Values) {
			continue
		}
		if r.Values[i].Truncated {
			jr.Truncated = append(jr.Truncated, col.Name)
		}
	}
	return jr
}
