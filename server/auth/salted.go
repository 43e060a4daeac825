package auth

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Schemes of hashes that carry no prefix and need a second column (the salt)
// or a secret: Verifier.Scheme names them.
const (
	SchemeRedmineSHA1 = "redmine_sha1" // hex SHA1(salt + hex SHA1(password)); salt column
	SchemeECCubeHMAC  = "eccube_hmac"  // hex HMAC-SHA256(key salt, password + ":" + secret); salt column, auth.secret
	SchemeMagento2    = "magento2"     // HASH:SALT:VERSION in one column
)

// Schemes lists the values Verifier.Scheme accepts besides "".
var Schemes = []string{SchemeRedmineSHA1, SchemeECCubeHMAC, SchemeMagento2}

// equalHex compares a computed digest with a stored hex digest (either
// case) in constant time.
func equalHex(got []byte, want string) error {
	w, err := hex.DecodeString(strings.ToLower(want))
	if err != nil || subtle.ConstantTimeCompare(got, w) != 1 {
		return ErrMismatch
	}
	return nil
}

func hexSHA1(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// verifyRedmine checks Redmine's hashed_password: SHA1(salt +
// hex(SHA1(password))) in hex, salt from the salt column.
func verifyRedmine(encoded, salt, password string) error {
	if len(encoded) != 2*sha1.Size || !isHex(encoded) {
		return invalid(SchemeRedmineSHA1, "not %d hex chars", 2*sha1.Size)
	}
	sum := sha1.Sum([]byte(salt + hexSHA1(password)))
	return equalHex(sum[:], encoded)
}

// verifyECCube checks EC-CUBE 2.11 to 4.2's password: HMAC-SHA256 keyed with
// the salt column over password + ":" + ECCUBE_AUTH_MAGIC, in hex; with an
// empty salt (accounts from before 2.11), SHA1(password + ":" + magic).
func verifyECCube(encoded, salt, secret, password string) error {
	if secret == "" {
		return invalid(SchemeECCubeHMAC, "auth.secret (the application's ECCUBE_AUTH_MAGIC) is not set")
	}
	msg := password + ":" + secret
	if salt == "" {
		sum := sha1.Sum([]byte(msg))
		return equalHex(sum[:], encoded)
	}
	mac := hmac.New(sha256.New, []byte(salt))
	mac.Write([]byte(msg))
	return equalHex(mac.Sum(nil), encoded)
}

// Magento 2's hash versions, as its Encryptor numbers them.
const (
	magentoMD5      = "0"
	magentoSHA256   = "1"
	magentoArgon2ID = "2" // libsodium crypto_pwhash, interactive limits
)

// verifyMagento checks Magento 2's HASH:SALT:VERSION, VERSION a chain such as
// "1" or "0:2" when an old hash was upgraded in place (each version hashes
// the previous hex result with the same salt).
func verifyMagento(encoded, password string) error {
	parts := strings.Split(encoded, ":")
	if len(parts) < 3 {
		return invalid(SchemeMagento2, "%d parts, want HASH:SALT:VERSION", len(parts))
	}
	want, salt := parts[0], parts[1]
	value := password
	for _, version := range parts[2:] {
		var err error
		if value, err = magentoStep(version, salt, value); err != nil {
			return err
		}
	}
	got, err := hex.DecodeString(value)
	if err != nil {
		return invalid(SchemeMagento2, "internal: digest is not hex")
	}
	return equalHex(got, want)
}

// magentoStep applies one hash version to value.
func magentoStep(version, salt, value string) (string, error) {
	switch version {
	case magentoMD5:
		sum := md5.Sum([]byte(salt + value))
		return hex.EncodeToString(sum[:]), nil
	case magentoSHA256:
		sum := sha256.Sum256([]byte(salt + value))
		return hex.EncodeToString(sum[:]), nil
	case magentoArgon2ID:
		if salt == "" {
			return "", invalid(SchemeMagento2, "argon2id13 with an empty salt")
		}
		// Magento pads a short salt by repeating it to crypto_pwhash's 16
		// bytes, then uses OPSLIMIT_INTERACTIVE (2 passes),
		// MEMLIMIT_INTERACTIVE (64 MiB), one lane, 32 bytes.
		key := argon2.IDKey([]byte(value), repeatTo([]byte(salt), 16), 2, 64*1024, 1, 32)
		return hex.EncodeToString(key), nil
	}
	return "", invalid(SchemeMagento2, "unknown hash version")
}

// verifyWeak checks an unsalted hex MD5 (32 chars) or SHA1 (40 chars) digest
// of the password: only when the verifier allows weak hashes.
func verifyWeak(format, encoded, password string) error {
	switch len(encoded) {
	case 2 * md5.Size:
		sum := md5.Sum([]byte(password))
		return equalHex(sum[:], encoded)
	case 2 * sha1.Size:
		sum := sha1.Sum([]byte(password))
		return equalHex(sum[:], encoded)
	}
	return &UnknownFormatError{Format: format}
}
