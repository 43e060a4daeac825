package auth

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strings"
)

// Spring Security's Pbkdf2PasswordEncoder stores hex(salt || hash) and keeps
// its parameters in code: "{pbkdf2}" is PBKDF2-HMAC-SHA1 with 185,000
// iterations (defaultsForSpringSecurity_v5_5, and the constructor defaults
// before it), "{pbkdf2@SpringSecurity_v5_8}" PBKDF2-HMAC-SHA256 with
// 310,000. Both derive 256 bits; the salt is whatever precedes them (8
// bytes before 5.5, 16 since).
const (
	springPBKDF2Bytes       = 32
	springPBKDF2SHA1Rounds  = 185_000
	springPBKDF2SHA256Round = 310_000
)

// verifySpring checks password against a Spring Security
// DelegatingPasswordEncoder string: {id}ENCODED. {bcrypt}, {pbkdf2},
// {pbkdf2@SpringSecurity_v5_8}, {argon2} and {argon2@SpringSecurity_v5_8}
// are verified; {noop} (the password in clear) is refused as invalid; any
// other id is an unknown format.
func verifySpring(format, encoded, password string) error {
	id, rest, _ := strings.Cut(strings.TrimPrefix(encoded, "{"), "}")
	switch id {
	case "bcrypt":
		return verifyBcrypt(format, rest, password)
	case "pbkdf2":
		return verifySpringPBKDF2(format, rest, password, sha1.New, springPBKDF2SHA1Rounds)
	case "pbkdf2@SpringSecurity_v5_8":
		return verifySpringPBKDF2(format, rest, password, sha256.New, springPBKDF2SHA256Round)
	case "argon2", "argon2@SpringSecurity_v5_8":
		if f := Format(rest); f != "$argon2id$" && f != "$argon2i$" {
			return invalid(format, "no argon2 PHC string after the prefix")
		}
		return verifyArgon2(format, rest, password)
	case "noop":
		return invalid(format, "the password is stored in clear; it is never accepted")
	}
	return &UnknownFormatError{Format: format}
}

// verifySpringPBKDF2 checks hex (or, with setEncodeHashAsBase64, base64)
// salt||hash; Spring's secret (appended to the salt) is not supported: the
// default encoders have none.
func verifySpringPBKDF2(format, encoded, password string, newHash func() hash.Hash, rounds int) error {
	raw, err := hex.DecodeString(encoded)
	if err != nil {
		raw, err = base64.StdEncoding.Strict().DecodeString(encoded)
	}
	if err != nil || len(raw) <= springPBKDF2Bytes {
		return invalid(format, "not hex or base64 of a salt and a %d-byte hash", springPBKDF2Bytes)
	}
	salt, want := raw[:len(raw)-springPBKDF2Bytes], raw[len(raw)-springPBKDF2Bytes:]
	got, err := pbkdf2.Key(newHash, password, salt, rounds, springPBKDF2Bytes)
	if err != nil {
		return invalid(format, "pbkdf2: %v", err)
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}
