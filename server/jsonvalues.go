package server

import (
	"encoding/hex"
	"encoding/json"
	"sync"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback/mysql"
)

// sendJSONRows answers m as JSON with rows as its "rows" member. The rows
// are appended as they encode themselves: through encoding/json, what a
// MarshalJSON method writes is validated and compacted again, which cost
// as much as writing it. The body is built in a pooled buffer and copied
// into the response's own (pooled) one.
func sendJSONRows(c *fiber.Ctx, m fiber.Map, rows []jsonRow) error {
	head, err := json.Marshal(m)
	if err != nil {
		return err
	}
	bp := jsonBuffers.Get().(*[]byte)
	b := append((*bp)[:0], head[:len(head)-1]...) // without its closing brace
	if len(m) > 0 {
		b = append(b, ',')
	}
	b = append(b, `"rows":[`...)
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.appendJSON(b)
	}
	b = append(b, "]}"...)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Response().SetBody(b)
	if cap(b) <= maxPooledJSON {
		*bp = b
		jsonBuffers.Put(bp)
	}
	return nil
}

// jsonBuffers are sendJSONRows' buffers; those grown past maxPooledJSON
// are left to the garbage collector.
var jsonBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledJSON = 1 << 20

// appendJSON appends r as encoding/json would encode it.
func (r jsonRow) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if r.Key != "" {
		b = append(appendJSONString(append(b, `"key":`...), r.Key), ',')
	}
	if r.URL != "" {
		b = append(appendJSONString(append(b, `"url":`...), r.URL), ',')
	}
	b = r.Values.appendJSON(append(b, `"values":`...))
	if len(r.Truncated) > 0 {
		b = append(b, `,"truncated":[`...)
		for i, name := range r.Truncated {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, name)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// jsonValues is a row's values in the JSON form of a page: an object of
// its unmasked columns, in the table's order. It encodes itself (a map
// encoded by encoding/json cost a sorted copy of the keys and a boxed
// value per cell, the largest part of a JSON page's CPU).
type jsonValues struct {
	cols []mysql.RecordColumn
	vals []mysql.Value
}

// MarshalJSON writes the object: null for NULL, binary values as 0x-hex,
// everything else as the text a page shows (invalid UTF-8 as U+FFFD). It
// never fails.
func (jv jsonValues) MarshalJSON() ([]byte, error) {
	n := 2
	for i := range jv.vals {
		n += len(jv.vals[i].Bytes)*2 + 16
	}
	return jv.appendJSON(make([]byte, 0, n)), nil
}

// appendJSON appends the object MarshalJSON writes.
func (jv jsonValues) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	for i, col := range jv.cols {
		if col.Masked || i >= len(jv.vals) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(appendJSONString(b, col.Name), ':')
		b = appendJSONValue(b, col, jv.vals[i])
	}
	return append(b, '}')
}

// appendJSONValue appends v, a value of col, as JSON (see MarshalJSON).
func appendJSONValue(b []byte, col mysql.RecordColumn, v mysql.Value) []byte {
	switch {
	case v.Null:
		return append(b, "null"...)
	case col.Kind == mysql.KindBinary || col.Kind == mysql.KindBit:
		b = append(b, `"0x`...)
		return append(hex.AppendEncode(b, v.Bytes), '"')
	}
	return appendJSONString(b, v.Bytes)
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it (control characters, quote, backslash, <, >, &, U+2028,
// U+2029), with invalid UTF-8 replaced by U+FFFD.
func appendJSONString[T string | []byte](b []byte, s T) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
