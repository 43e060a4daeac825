// Package auth holds the security core of the server's login: it checks
// passwords against the hashes that production applications store, issues
// and parses session tokens, loads the key that signs them, and decides when
// an account or a client address has failed to log in too often.
//
// It has no HTTP code and no storage: the server's handlers call it, and the
// revocation list and the login failures it counts live in the meta schema.
//
// # Passwords
//
// A Verifier checks passwords against the hashes one application stores.
// Formats named by their prefix are recognised whatever the configuration:
//
//   - bcrypt: $2a$, $2b$ and $2y$ (PHP, Laravel, Rails, Node), cost at most
//     MaxBcryptCost;
//   - argon2id and argon2i PHC strings: $argon2id$v=19$m=65536,t=3,p=4$SALT$HASH
//     (PHP password_hash, argon2-cffi, libsodium), also with Django's
//     "argon2" prefix, within MaxArgon2Memory, MaxArgon2Time and
//     MaxArgon2Threads;
//   - Django PBKDF2: pbkdf2_sha256$ITERATIONS$SALT$HASH, at most
//     MaxPBKDF2Iterations, and Django's bcrypt$ and bcrypt_sha256$;
//   - SHA-crypt: $5$ and $6$, with or without rounds= (Moodle 5, glibc),
//     at most MaxSHACryptRounds;
//   - phpass: $P$ and $H$ (WordPress before 6.8, phpBB 3.0), Drupal 7's $S$
//     and the U$-prefixed hashes of Drupal 6 MD5 hashes, at most
//     2^MaxPhpassLog2 iterations;
//   - WordPress 6.8: $wp$ + bcrypt of base64(HMAC-SHA384("wp-sha384", password));
//   - Spring Security: {bcrypt}, {pbkdf2}, {pbkdf2@SpringSecurity_v5_8},
//     {argon2}; {noop} (clear text) is always refused.
//
// Hashes without a prefix need Verifier.Scheme: redmine_sha1 and
// eccube_hmac read the salt column (EC-CUBE also Verifier.Secret), magento2
// reads HASH:SALT:VERSION. Unsalted hex MD5 and SHA1 are accepted only with
// Verifier.AllowWeak. Verifier.Peppers are appended to the password in turn
// (Moodle). VerifyPassword is a Verifier with none of these.
//
// The limits keep a hostile or corrupt row from tying up the server's memory
// or CPU. A wrong password is ErrMismatch; a format the package cannot verify
// is an *UnknownFormatError and a hash of a supported format that cannot be
// verified (truncated, bad base64, parameters out of bounds) an
// *InvalidHashError. Both carry Format, a short description such as "$1$"
// that never includes any part of the salt or hash and is meant for logs.
// Every comparison runs in constant time. Verifier.Dummy lets "no such user"
// take the time of a wrong password: it verifies against a real hash of the
// table (Remember one at start; else the first one verified), so its cost
// follows the table's format and cost rather than a fixed bcrypt cost.
//
// # Sessions
//
// Sessions issues and parses JWTs signed with HMAC-SHA256. Parsing accepts
// only HS256, requires exp, iss, aud, iat, sub and jti, and turns every
// failure into ErrInvalidSession (wrapping the cause for logs). Each token
// carries a random 128-bit jti so that a logout can revoke it.
// LoadOrCreateSecret reads the signing key from server.session_secret_file,
// creating the file (0600) on first start.
//
// # Throttling
//
// ThrottlePolicy.Reserve decides from counters of recent attempts (a login
// from one address, an address for any login, a login from every address)
// whether the next attempt may go on, and counts it when it may: refused
// for the rest of the window past MaxFailures from one address or
// ClientMaxFailures from an address, and past LoginSoftFailures of a login
// only after a delay that doubles with each further failure (a soft lockout
// that never locks the real user out). Sessions.Binding ties a session to
// the password hash it was opened with.
//
// Everything in this package is safe for concurrent use.
package auth
