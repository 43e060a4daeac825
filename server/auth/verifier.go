package auth

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"
)

// Verifier checks passwords against the hashes of one application's users
// table. Hashes whose prefix names their format ($2y$, $6$, $P$, $wp$,
// {bcrypt}, …) are verified whatever the fields say; Scheme says how to read
// a hash without such a prefix (SchemeRedmineSHA1, SchemeECCubeHMAC,
// SchemeMagento2), and AllowWeak lets unsalted hex MD5 and SHA1 digests in.
//
// Set the fields before the first call; a Verifier is then safe for
// concurrent use. Its zero value verifies the prefixed formats only.
type Verifier struct {
	Scheme string
	// Secret is the application's secret some schemes mix in (EC-CUBE's
	// ECCUBE_AUTH_MAGIC). Never logged.
	Secret string
	// Peppers are appended to the password in turn, the first that
	// matches wins (Moodle's $CFG->passwordpeppers, newest first); an
	// empty pepper tries the password alone. No peppers: the password
	// alone. Never logged.
	Peppers   []string
	AllowWeak bool

	sample atomic.Pointer[storedHash] // the hash Dummy verifies against
}

// storedHash is a hash and its salt column, as the users table has them.
type storedHash struct{ encoded, salt string }

// Verify checks password against encoded (and salt, the salt column of the
// schemes that have one; "" otherwise). It returns nil when the password
// matches, ErrMismatch when it does not, an *UnknownFormatError or an
// *InvalidHashError when the hash cannot be verified; in the last two cases
// it first spends the time of Dummy, so that these accounts cannot be told
// apart from wrong passwords by timing. The first hash it could verify
// becomes the one Dummy verifies against when Remember gave none (later
// ones do not: logging in to a cheap account must not make unknown logins
// cheap). Surrounding white space in encoded is ignored.
func (v *Verifier) Verify(encoded, salt, password string) error {
	encoded = strings.TrimSpace(encoded)
	err := v.peppered(encoded, salt, password)
	if err == nil || errors.Is(err, ErrMismatch) {
		v.sample.CompareAndSwap(nil, &storedHash{encoded: encoded, salt: salt})
		return err
	}
	v.Dummy(password)
	return err
}

// Dummy spends the time of verifying password against a real hash of the
// table (the one Remember kept, else the first Verify could verify), with
// the same peppers, and throws the result away; before there is one, the
// time of DummyVerify. Call it when the login does not exist, so that the
// answer takes as long as for a wrong password.
func (v *Verifier) Dummy(password string) {
	if s := v.sample.Load(); s != nil {
		_ = v.peppered(s.encoded, s.salt, password)
		return
	}
	DummyVerify(password)
}

// Remember makes encoded (with salt) the hash Dummy verifies against when
// the Verifier can verify its format: call it at start with a hash of the
// users table (an allowed user's), so that unknown logins cost what a real
// one does from the first. It reports whether the hash was kept.
func (v *Verifier) Remember(encoded, salt string) bool {
	encoded = strings.TrimSpace(encoded)
	err := v.check(encoded, salt, "")
	if err != nil && !errors.Is(err, ErrMismatch) {
		return false
	}
	v.sample.Store(&storedHash{encoded: encoded, salt: salt})
	return true
}

// peppered checks password with each pepper appended in turn.
func (v *Verifier) peppered(encoded, salt, password string) error {
	if len(v.Peppers) == 0 {
		return v.check(encoded, salt, password)
	}
	for _, p := range v.Peppers {
		if err := v.check(encoded, salt, password+p); !errors.Is(err, ErrMismatch) {
			return err
		}
	}
	return ErrMismatch
}

// check verifies one password against one hash.
func (v *Verifier) check(encoded, salt, password string) error {
	format := Format(encoded)
	if err, ok := verifyPrefixed(format, encoded, password); ok {
		return err
	}
	if slices.Contains(knownPrefixes, format) || encoded == "" {
		return &UnknownFormatError{Format: format}
	}
	switch v.Scheme {
	case SchemeRedmineSHA1:
		return verifyRedmine(encoded, salt, password)
	case SchemeECCubeHMAC:
		return verifyECCube(encoded, salt, v.Secret, password)
	case SchemeMagento2:
		return verifyMagento(encoded, password)
	}
	if v.AllowWeak && isHex(encoded) {
		return verifyWeak(format, encoded, password)
	}
	return &UnknownFormatError{Format: format}
}
