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
		if c := compareValue(k, a[at], b[at]); c != 0 {
			return c
		}
	}
	return 0
}

func compareValue(k mysql.OrderKey, a, b []byte) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch k.Kind {
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
	if k.Pad != nil {
		return comparePadded(a, b, k.Pad)
	}
	return bytes.Compare(a, b)
}

// comparePadded compares two weight strings as if the shorter were
// padded with pad (the weight of a space): PAD SPACE collations compare
// 'a' and 'a ' equal, and 'a\t' before 'a'.
func comparePadded(a, b, pad []byte) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 || len(a) == len(b) {
		return c
	}
	rest, sign := a[n:], 1
	if len(b) > len(a) {
		rest, sign = b[n:], -1
	}
	for len(rest) > 0 {
		k := min(len(pad), len(rest))
		if c := bytes.Compare(rest[:k], pad[:k]); c != 0 {
			return sign * c
		}
		if k < len(pad) {
			return -sign // a proper prefix of a space's weight sorts before it
		}
		rest = rest[k:]
	}
	return 0
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
