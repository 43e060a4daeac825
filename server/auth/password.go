package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Limits on the cost parameters stored in a hash. Verifying costs what the
// hash says; these bounds keep one row from costing seconds of CPU or
// gigabytes of memory per login attempt.
const (
	MaxBcryptCost       = 15         // 2^15 rounds: about 2 s on a current core
	MaxArgon2Memory     = 1 << 20    // KiB (1 GiB)
	MaxArgon2Time       = 10         // passes
	MaxArgon2Threads    = 64         // lanes
	MaxPBKDF2Iterations = 10_000_000 // Django 5.2 uses 1,000,000
)

// DummyCost is the bcrypt cost of the hash DummyVerify checks against: the
// usual cost of production bcrypt hashes.
const DummyCost = 10

// ErrMismatch is returned by VerifyPassword when the password is wrong.
var ErrMismatch = errors.New("password does not match")

// UnknownFormatError is returned by VerifyPassword for a hash in a format the
// package cannot verify.
type UnknownFormatError struct {
	Format string // as returned by Format: safe to log
}

// Error names the format.
func (e *UnknownFormatError) Error() string {
	return "unsupported password hash format " + e.Format
}

// InvalidHashError is returned by VerifyPassword for a hash of a supported
// format that cannot be verified: truncated, badly encoded, of another
// version, or with cost parameters beyond the Max* limits.
type InvalidHashError struct {
	Format string // as returned by Format: safe to log
	Reason string // what is wrong, without any part of the salt or hash
}

// Error names the format and the reason.
func (e *InvalidHashError) Error() string {
	return "invalid " + e.Format + " password hash: " + e.Reason
}

func invalid(format, reason string, args ...any) error {
	return &InvalidHashError{Format: format, Reason: fmt.Sprintf(reason, args...)}
}

// VerifyPassword checks password against encoded with a Verifier that has
// no scheme, secret or pepper (see Verifier.Verify). It returns nil when the
// password matches, ErrMismatch when it does not, an *UnknownFormatError or
// an *InvalidHashError when the hash cannot be verified (after spending the
// time of DummyVerify).
func VerifyPassword(encoded, password string) error {
	return new(Verifier).Verify(encoded, "", password)
}

// verifyPrefixed checks password against a hash whose format its prefix
// names. ok is false when the prefix is not one of the formats verified
// here (the hash may still be of a Verifier's scheme).
func verifyPrefixed(format, encoded, password string) (err error, ok bool) {
	switch format {
	case "$2a$", "$2b$", "$2y$":
		return verifyBcrypt(format, encoded, password), true
	case "$argon2id$", "$argon2i$":
		return verifyArgon2(format, encoded, password), true
	case "argon2$argon2id$", "argon2$argon2i$":
		return verifyArgon2(format, strings.TrimPrefix(encoded, "argon2"), password), true
	case "pbkdf2_sha256$":
		return verifyDjangoPBKDF2(format, encoded, password), true
	case "bcrypt$", "bcrypt_sha256$":
		return verifyDjangoBcrypt(format, encoded, password), true
	case "$5$":
		return verifySHACrypt(format, encoded, password, sha256Crypt), true
	case "$6$":
		return verifySHACrypt(format, encoded, password, sha512Crypt), true
	case "$P$", "$H$", "$S$", "U$P$", "U$H$", "U$S$":
		return verifyPhpass(format, encoded, password), true
	case "$wp$":
		return verifyWordPress(format, encoded, password), true
	}
	if strings.HasPrefix(format, "{") && slices.Contains(springPrefixes, format) {
		return verifySpring(format, encoded, password), true
	}
	return nil, false
}

// springPrefixes are the ids of Spring Security's DelegatingPasswordEncoder
// (verifySpring verifies some and refuses the others by name).
var springPrefixes = []string{"{bcrypt}", "{pbkdf2}", "{pbkdf2@SpringSecurity_v5_8}", "{argon2}",
	"{argon2@SpringSecurity_v5_8}", "{noop}", "{scrypt}", "{scrypt@SpringSecurity_v4_1}",
	"{scrypt@SpringSecurity_v5_8}", "{sha256}", "{SHA-256}", "{SHA-1}", "{MD4}", "{ldap}"}

// knownPrefixes are the hash formats Format recognises: the supported ones
// and those met in applications' users tables, so that a log can say which
// format to add. Nothing after the prefix is ever part of a description.
var knownPrefixes = []string{
	// bcrypt and the crypt(3) family.
	"$2a$", "$2b$", "$2y$", "$2x$", "$2$", "$1$", "$apr1$", "$5$", "$6$",
	"$y$", "$7$", "$gy$", "$md5$", "$sha1$", "$P$", "$H$", "$wp$",
	// Drupal 7 (phpass SHA-512, and hashes of Drupal 6 MD5 hashes).
	"$S$", "U$P$", "U$H$", "U$S$",
	// PHC strings (argon2 reference, passlib).
	"$argon2id$", "$argon2i$", "$argon2d$", "$scrypt$", "$pbkdf2$",
	"$pbkdf2-sha256$", "$pbkdf2-sha512$", "$bcrypt-sha256$",
	// Django.
	"pbkdf2_sha256$", "pbkdf2_sha1$", "argon2$argon2id$", "argon2$argon2i$",
	"argon2$", "bcrypt_sha256$", "bcrypt$", "scrypt$", "sha1$", "md5$",
	"unsalted_md5$", "unsalted_sha1$", "crypt$",
	// Werkzeug (Flask) and LDAP.
	"pbkdf2:sha256:", "pbkdf2:sha512:", "pbkdf2:sha1:", "scrypt:",
	"{SSHA}", "{SHA}", "{SSHA256}", "{SSHA512}", "{CRYPT}", "{MD5}",
}

func init() { knownPrefixes = append(knownPrefixes, springPrefixes...) }

// Format describes the format of a password hash for logs: its known prefix
// ("$2y$", "$argon2id$", "pbkdf2_sha256$", "$1$", "sha1$", …), "empty", or
// "unrecognized (N chars)" ("N hex chars" when it looks like a bare digest).
// The description never contains any part of the salt or the hash, nor of a
// password stored in clear.
func Format(encoded string) string {
	encoded = strings.TrimSpace(encoded)
	best := ""
	for _, p := range knownPrefixes {
		if len(p) > len(best) && strings.HasPrefix(encoded, p) {
			best = p
		}
	}
	switch {
	case best != "":
		return best
	case encoded == "":
		return "empty"
	case isHex(encoded):
		return fmt.Sprintf("unrecognized (%d hex chars)", len(encoded))
	default:
		return fmt.Sprintf("unrecognized (%d chars)", utf8.RuneCountInString(encoded))
	}
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func verifyBcrypt(format, encoded, password string) error {
	if len(encoded) != 60 {
		return invalid(format, "%d chars, want 60 (a truncated column?)", len(encoded))
	}
	// Go's bcrypt knows $2a$ and $2b$; $2y$ (PHP) is the same algorithm.
	hash := []byte("$2a$" + encoded[4:])
	cost, err := bcrypt.Cost(hash)
	if err != nil {
		return invalid(format, "malformed cost")
	}
	if cost > MaxBcryptCost {
		return invalid(format, "cost %d is over the limit of %d", cost, MaxBcryptCost)
	}
	err = bcrypt.CompareHashAndPassword(hash, []byte(password))
	switch {
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return ErrMismatch
	case err != nil:
		return invalid(format, "malformed salt or hash")
	}
	return nil
}

// dummyHash is the bcrypt hash DummyVerify checks against, computed once.
// Its password is random and never kept.
var dummyHash = sync.OnceValue(func() []byte {
	hash, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), DummyCost)
	if err != nil {
		panic("auth: dummy bcrypt hash: " + err.Error()) // DummyCost is out of range
	}
	return hash
})

// DummyVerify spends the time of verifying password against a bcrypt hash of
// cost DummyCost, and throws the result away. Call it when the login does not
// exist, so that the answer takes as long as for a wrong password. The first
// call also computes the hash it checks against (as long again): call it once
// at startup to keep the first login's timing in line.
func DummyVerify(password string) {
	_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
}
