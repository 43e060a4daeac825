package auth

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"hash"
	"strconv"
	"strings"
)

// Bounds of the rounds of SHA-crypt hashes. Below the minimum and above the
// maximum of the specification the rounds are clamped, as glibc does;
// MaxSHACryptRounds is this package's own limit on the cost of one row.
const (
	shaCryptDefaultRounds = 5000
	shaCryptMinRounds     = 1000
	MaxSHACryptRounds     = 2_000_000
	shaCryptMaxSalt       = 16
)

// shaCryptVariant is SHA-256-crypt ($5$) or SHA-512-crypt ($6$).
type shaCryptVariant struct {
	newHash func() hash.Hash
	order   [][3]int // the byte triples of the final encoding
	last    []int    // the trailing bytes, encoded in 3 (SHA-256) or 2 (SHA-512) chars
}

var (
	sha256Crypt = shaCryptVariant{newHash: sha256.New, last: []int{31, 30},
		order: [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14}, {15, 25, 5}, {6, 16, 26},
			{27, 7, 17}, {18, 28, 8}, {9, 19, 29}}}
	sha512Crypt = shaCryptVariant{newHash: sha512.New, last: []int{63},
		order: [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48},
			{28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13},
			{56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}}}
)

// verifySHACrypt checks password against a SHA-crypt hash (Ulrich Drepper's
// specification, glibc crypt(3), PHP crypt): $6$[rounds=N$]SALT$HASH.
func verifySHACrypt(format, encoded, password string, v shaCryptVariant) error {
	rest := encoded[len(format):]
	rounds := shaCryptDefaultRounds
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		n, after, found := strings.Cut(r, "$")
		parsed, err := strconv.ParseUint(n, 10, 32)
		if !found || err != nil {
			return invalid(format, "rounds are not a number")
		}
		rounds, rest = int(min(max(parsed, shaCryptMinRounds), 999_999_999)), after
	}
	if rounds > MaxSHACryptRounds {
		return invalid(format, "rounds=%d is over the limit of %d", rounds, MaxSHACryptRounds)
	}
	salt, want, ok := strings.Cut(rest, "$")
	if !ok || want == "" {
		return invalid(format, "no hash after the salt")
	}
	salt = salt[:min(len(salt), shaCryptMaxSalt)]
	got := v.encode(v.sum([]byte(password), []byte(salt), rounds))
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrMismatch
	}
	return nil
}

// sum is the digest of the specification's steps 1 to 21.
func (v shaCryptVariant) sum(p, s []byte, rounds int) []byte {
	digest := func(parts ...[]byte) []byte {
		h := v.newHash()
		for _, part := range parts {
			h.Write(part)
		}
		return h.Sum(nil)
	}
	b := digest(p, s, p)
	h := v.newHash()
	h.Write(p)
	h.Write(s)
	h.Write(repeatTo(b, len(p)))
	for n := len(p); n > 0; n >>= 1 {
		if n&1 != 0 {
			h.Write(b)
		} else {
			h.Write(p)
		}
	}
	a := h.Sum(nil)
	pp := repeatTo(digest(repeatTo(p, len(p)*len(p))), len(p))
	ss := repeatTo(digest(repeatTo(s, len(s)*(16+int(a[0])))), len(s))
	c := a
	for i := range rounds {
		h.Reset()
		if i%2 == 1 {
			h.Write(pp)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(ss)
		}
		if i%7 != 0 {
			h.Write(pp)
		}
		if i%2 == 1 {
			h.Write(c)
		} else {
			h.Write(pp)
		}
		c = h.Sum(c[:0])
	}
	return c
}

// encode writes the digest in crypt's base64, bytes permuted as the
// specification says.
func (v shaCryptVariant) encode(d []byte) string {
	var out strings.Builder
	for _, t := range v.order {
		cryptB64(&out, uint(d[t[0]])<<16|uint(d[t[1]])<<8|uint(d[t[2]]), 4)
	}
	if len(v.last) == 2 {
		cryptB64(&out, uint(d[v.last[0]])<<8|uint(d[v.last[1]]), 3)
	} else {
		cryptB64(&out, uint(d[v.last[0]]), 2)
	}
	return out.String()
}

// cryptAlphabet is the base64 alphabet of crypt(3) and phpass.
const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// cryptB64 writes the n low 6-bit groups of w, least significant first.
func cryptB64(out *strings.Builder, w uint, n int) {
	for range n {
		out.WriteByte(cryptAlphabet[w&0x3f])
		w >>= 6
	}
}

// repeatTo returns b repeated to n bytes (b whole times then a prefix).
func repeatTo(b []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n && len(b) > 0 {
		out = append(out, b[:min(len(b), n-len(out))]...)
	}
	return out
}
