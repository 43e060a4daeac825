package mysql

import (
	"database/sql/driver"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// fetched is one row read by Records: the page's row and its order values.
type fetched struct {
	row   Row
	order []*string
}

// rowArena holds the values of the rows of one fetch: their bytes in a
// few large chunks and their Value structs in one slab, instead of an
// allocation per value (which made the garbage collector a large part of
// a page's CPU). Nothing written to it is changed afterwards.
type rowArena struct {
	buf     []byte
	values  []Value
	scratch []byte // for text that is converted further (keys, order values)
}

// arenaChunk is the size of the arena's byte chunks; a longer value gets
// a chunk of its own size.
const arenaChunk = 16 << 10

// maxScalarText bounds the text of a value that is not bytes (a number or
// a time).
const maxScalarText = 64

// newRowArena returns an arena whose slab holds n values.
func newRowArena(n int) *rowArena {
	return &rowArena{values: make([]Value, 0, n)}
}

// take returns n zero Values.
func (a *rowArena) take(n int) []Value {
	if cap(a.values)-len(a.values) < n {
		a.values = make([]Value, 0, max(n, cap(a.values)))
	}
	at := len(a.values)
	a.values = a.values[:at+n]
	return a.values[at : at+n : at+n]
}

// text returns v as text (see appendText), copied into the arena.
func (a *rowArena) text(v driver.Value) []byte {
	need := maxScalarText
	if b, ok := v.([]byte); ok {
		need = len(b)
	}
	if cap(a.buf)-len(a.buf) < need {
		a.buf = make([]byte, 0, max(arenaChunk, need))
	}
	at := len(a.buf)
	a.buf = appendText(a.buf, v)
	return a.buf[at:len(a.buf):len(a.buf)]
}

// str returns v as text in a string of its own.
func (a *rowArena) str(v driver.Value) string {
	a.scratch = appendText(a.scratch[:0], v)
	return string(a.scratch)
}

// convert copies one row of the display list out of the driver's buffer
// into a.
func (p *plan) convert(vals []driver.Value, a *rowArena) fetched {
	var f fetched
	f.row.Values = a.take(len(p.out))
	for i := range p.out {
		if p.outAt[i] < 0 {
			continue
		}
		v := Value{Null: true}
		if x := vals[p.outAt[i]]; x != nil {
			b := a.text(x)
			v = Value{Bytes: b, Size: int64(len(b))}
		}
		if p.sizeAt[i] >= 0 && !v.Null {
			v.Size, _ = strconv.ParseInt(a.str(vals[p.sizeAt[i]]), 10, 64)
		}
		if p.cut[i] && !v.Null {
			v = truncate(v, p.maxLen, p.out[i].Kind == KindBinary)
		}
		f.row.Values[i] = v
	}
	f.order = make([]*string, len(p.order))
	for i, o := range p.order {
		f.order[i] = orderText(vals[p.orderAt+i], o.hex, a)
	}
	if p.keyed {
		f.row.Key = p.rowKey(vals, a)
	}
	return f
}

// rowKey returns the {key} of a row (FormatRowKey of its key values).
func (p *plan) rowKey(vals []driver.Value, a *rowArena) string {
	key := make([]string, len(p.t.Key))
	for i, name := range p.t.Key {
		c, _ := p.t.Column(name)
		key[i] = a.str(vals[p.keyAt+i])
		if classOf(c) == classBinary {
			key[i] = "0x" + strings.ToLower(key[i])
		}
	}
	return FormatRowKey(key)
}

// textOf returns a copy of v as text (see appendText).
func textOf(v driver.Value) []byte {
	if v == nil {
		return nil
	}
	return appendText([]byte{}, v)
}

// appendText appends v as text: bytes as they are, numbers in decimal,
// times as the server prints them.
func appendText(b []byte, v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return append(b, x...)
	case string:
		return append(b, x...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case float32:
		return strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		return x.AppendFormat(b, "2006-01-02 15:04:05.999999")
	}
	return b
}

// orderText returns an order value as a cursor keeps it: nil for NULL,
// hex when hexed.
func orderText(v driver.Value, hexed bool, a *rowArena) *string {
	if v == nil {
		return nil
	}
	s := a.str(v)
	if hexed {
		s = hex.EncodeToString([]byte(s))
	}
	return &s
}
