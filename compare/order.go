package compare

import (
	"bytes"
	"strconv"

	"github.com/weekback/weekback/mysql"
)

// compareOrder compares two scanned rows' order values as the server's
// ORDER BY does: -1, 0 or 1. NULL comes first.
func (p *tablePlan) compareOrder(a, b [][]byte) int {
	for i, k := range p.order {
		at := p.orderPos[i]
		if c := compareValue(k.Kind, a[at], b[at]); c != 0 {
			return c
		}
	}
	return 0
}

func compareValue(kind mysql.OrderKind, a, b []byte) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch kind {
	case mysql.OrderInt, mysql.OrderUint, mysql.OrderDecimal:
		return compareNumber(a, b)
	case mysql.OrderFloat:
		x, _ := strconv.ParseFloat(string(a), 64)
		y, _ := strconv.ParseFloat(string(b), 64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return bytes.Compare(a, b)
}

// compareNumber compares two decimal numbers as the server prints them
// ("-12", "0.50"), without parsing them into a fixed width.
func compareNumber(a, b []byte) int {
	an, bn := len(a) > 0 && a[0] == '-', len(b) > 0 && b[0] == '-'
	switch {
	case an && !bn:
		if isZero(a[1:]) && isZero(b) {
			return 0
		}
		return -1
	case !an && bn:
		if isZero(a) && isZero(b[1:]) {
			return 0
		}
		return 1
	case an && bn:
		return compareMagnitude(b[1:], a[1:])
	}
	return compareMagnitude(a, b)
}

func isZero(s []byte) bool {
	for _, ch := range s {
		if ch != '0' && ch != '.' {
			return false
		}
	}
	return true
}

// compareMagnitude compares two unsigned decimal numbers.
func compareMagnitude(a, b []byte) int {
	ai, af := splitPoint(a)
	bi, bf := splitPoint(b)
	ai, bi = bytes.TrimLeft(ai, "0"), bytes.TrimLeft(bi, "0")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := bytes.Compare(ai, bi); c != 0 {
		return c
	}
	af, bf = bytes.TrimRight(af, "0"), bytes.TrimRight(bf, "0")
	return bytes.Compare(af, bf)
}

func splitPoint(s []byte) (intPart, frac []byte) {
	if i := bytes.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, nil
}
