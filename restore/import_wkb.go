package restore

import (
	"encoding/binary"

	"github.com/weekback/weekback/mysql"
)

// Spatial values travel as the server stores them: a 4-byte little-endian
// SRID followed by the geometry's WKB. The server takes these bytes as
// they are (it checks that the WKB parses and that its type fits the
// column), so geometryCheck does the same before anything is written.

// wkbTypes is the WKB type each spatial column holds; 0 for any.
var wkbTypes = map[string]uint32{
	"geometry": 0, "point": 1, "linestring": 2, "polygon": 3, "multipoint": 4,
	"multilinestring": 5, "multipolygon": 6, "geometrycollection": 7, "geomcollection": 7,
}

var wkbNames = []string{"", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"}

// maxWKBDepth bounds the nesting of geometry collections.
const maxWKBDepth = 32

func geometryCheck(c *mysql.RecordColumn) valueFunc {
	want := wkbTypes[c.DataType]
	return func(v []byte) ([]byte, string) {
		b, ok := decodeHex(v)
		if !ok {
			return nil, notHex
		}
		if len(b) < 4 {
			return nil, "is not a stored geometry (4 bytes of SRID, then WKB)"
		}
		typ, _, ok := wkbGeometry(b[4:], 0)
		if !ok {
			return nil, "is not a stored geometry (4 bytes of SRID, then WKB)"
		}
		if want != 0 && typ != want {
			return nil, "is a " + wkbNames[typ] + "; the column holds " + wkbNames[want] + " values"
		}
		return b, ""
	}
}

// wkbGeometry parses one WKB geometry at the start of b and returns its
// type and length.
func wkbGeometry(b []byte, depth int) (typ uint32, n int, ok bool) {
	if len(b) < 5 || b[0] > 1 || depth > maxWKBDepth {
		return 0, 0, false
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if b[0] == 0 {
		order = binary.BigEndian
	}
	typ = order.Uint32(b[1:5])
	body := b[5:]
	switch typ {
	case 1:
		n, ok = 16, len(body) >= 16
	case 2:
		n, ok = wkbPoints(body, order)
	case 3:
		n, ok = wkbRings(body, order)
	case 4, 5, 6, 7:
		n, ok = wkbParts(body, order, typ, depth)
	default:
		return 0, 0, false
	}
	return typ, 5 + n, ok
}

// wkbCount reads a uint32 count of items of at least size bytes each that
// must fit in b.
func wkbCount(b []byte, order binary.ByteOrder, size int) (int, bool) {
	if len(b) < 4 {
		return 0, false
	}
	c := order.Uint32(b)
	return int(c), uint64(c)*uint64(size) <= uint64(len(b)-4)
}

func wkbPoints(b []byte, order binary.ByteOrder) (int, bool) {
	c, ok := wkbCount(b, order, 16)
	return 4 + 16*c, ok
}

func wkbRings(b []byte, order binary.ByteOrder) (int, bool) {
	c, ok := wkbCount(b, order, 4)
	if !ok {
		return 0, false
	}
	n := 4
	for range c {
		m, ok := wkbPoints(b[n:], order)
		if !ok {
			return 0, false
		}
		n += m
	}
	return n, true
}

// wkbParts parses the parts of a MULTI… type (each of its single type)
// or of a GEOMETRYCOLLECTION (any type).
func wkbParts(b []byte, order binary.ByteOrder, typ uint32, depth int) (int, bool) {
	c, ok := wkbCount(b, order, 5)
	if !ok {
		return 0, false
	}
	n := 4
	for range c {
		part, m, ok := wkbGeometry(b[n:], depth+1)
		if !ok || typ != 7 && part != typ-3 {
			return 0, false
		}
		n += m
	}
	return n, true
}
