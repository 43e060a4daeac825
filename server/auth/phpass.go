package auth

import (
	"crypto/md5"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"strings"
)

// Bounds of the iteration count of phpass hashes, as a power of two. The
// framework and Drupal 7 accept 7 to 30; MaxPhpassLog2 is this package's
// own limit on the cost of one row (WordPress writes 8, Drupal 7 15 or 16).
const (
	minPhpassLog2 = 7
	MaxPhpassLog2 = 20
	// drupalHashLength is the length at which Drupal 7 cuts its hashes.
	drupalHashLength = 55
)

// verifyPhpass checks password against a phpass hash: the portable hashes
// of the Openwall framework ($P$, and $H$ as phpBB writes them: iterated
// MD5) as WordPress, phpBB and Drupal 7 store them, and Drupal 7's $S$
// (iterated SHA-512, cut to 55 characters). A "U" in front ("U$S$…") marks
// a Drupal 6 MD5 hash rehashed on upgrade: the password is hashed with MD5
// first.
func verifyPhpass(format, encoded, password string) error {
	if rest, ok := strings.CutPrefix(encoded, "U$"); ok {
		sum := md5.Sum([]byte(password))
		encoded, password = "$"+rest, hex.EncodeToString(sum[:])
	}
	if len(encoded) < 12 {
		return invalid(format, "%d chars, too short for a phpass hash", len(encoded))
	}
	newHash := md5.New
	if encoded[1] == 'S' {
		newHash = sha512.New
	}
	log2 := strings.IndexByte(cryptAlphabet, encoded[3])
	if log2 < minPhpassLog2 || log2 > MaxPhpassLog2 {
		return invalid(format, "iteration count 2^%d is outside 2^%d..2^%d", log2, minPhpassLog2, MaxPhpassLog2)
	}
	setting, salt := encoded[:12], encoded[4:12]
	got := setting + phpassEncode(phpassSum(newHash, []byte(salt), []byte(password), 1<<log2))
	if len(got) > drupalHashLength {
		got = got[:drupalHashLength]
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(encoded)) != 1 {
		return ErrMismatch
	}
	return nil
}

// phpassSum hashes salt+password, then the digest+password count times.
func phpassSum(newHash func() hash.Hash, salt, password []byte, count int) []byte {
	h := newHash()
	h.Write(salt)
	h.Write(password)
	sum := h.Sum(nil)
	for range count {
		h.Reset()
		h.Write(sum)
		h.Write(password)
		sum = h.Sum(sum[:0])
	}
	return sum
}

// phpassEncode is the framework's encode64: little-endian groups of three
// bytes in the crypt alphabet, a short last group written short.
func phpassEncode(in []byte) string {
	var out strings.Builder
	for i := 0; i < len(in); i += 3 {
		w, n := uint(in[i]), 2
		if i+1 < len(in) {
			w |= uint(in[i+1]) << 8
			n = 3
		}
		if i+2 < len(in) {
			w |= uint(in[i+2]) << 16
			n = 4
		}
		cryptB64(&out, w, n)
	}
	return out.String()
}
