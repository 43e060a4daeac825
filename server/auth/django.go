package auth

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// verifyDjangoPBKDF2 checks password against Django's PBKDF2 hash:
// pbkdf2_sha256$ITERATIONS$SALT$HASH, the salt used as its UTF-8 bytes and
// the hash (32 bytes) in padded standard base64.
func verifyDjangoPBKDF2(format, encoded, password string) error {
	fields := strings.Split(encoded, "$")
	if len(fields) != 4 {
		return invalid(format, "%d fields, want pbkdf2_sha256$ITERATIONS$SALT$HASH", len(fields))
	}
	iterations, err := strconv.Atoi(fields[1])
	if err != nil || iterations < 1 || iterations > MaxPBKDF2Iterations {
		return invalid(format, "iterations are not a number in 1..%d", MaxPBKDF2Iterations)
	}
	salt := fields[2]
	if salt == "" {
		return invalid(format, "empty salt")
	}
	want, err := base64.StdEncoding.Strict().DecodeString(fields[3])
	if err != nil || len(want) != sha256.Size {
		return invalid(format, "hash is not %d bytes of base64", sha256.Size)
	}
	got, err := pbkdf2.Key(sha256.New, password, []byte(salt), iterations, len(want))
	if err != nil { // only in FIPS 140-only mode, for short salts
		return invalid(format, "pbkdf2: %v", err)
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// verifyDjangoBcrypt checks Django's bcrypt hashers: "bcrypt$" followed by
// a bcrypt hash of the password, and "bcrypt_sha256$" followed by one of
// the hex SHA-256 of the password (so that passwords longer than bcrypt's
// 72 bytes count whole).
func verifyDjangoBcrypt(format, encoded, password string) error {
	rest := strings.TrimPrefix(encoded, format)
	if format == "bcrypt_sha256$" {
		sum := sha256.Sum256([]byte(password))
		password = hex.EncodeToString(sum[:])
	}
	if f := Format(rest); f != "$2a$" && f != "$2b$" && f != "$2y$" {
		return invalid(format, "no bcrypt hash after the prefix")
	}
	return verifyBcrypt(format, rest, password)
}
