package auth

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Known-answer vectors, produced by other implementations.
const (
	// PHP manual, password_verify() example (PHP's own bcrypt, cost 7).
	phpBcrypt         = "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq"
	phpBcryptPassword = "rasmuslerdorf"

	// Argon2 reference implementation (P-H-C/phc-winner-argon2, src/test.c,
	// the Argon2_id hashtest cases), password "password", salt "somesalt".
	refArgon2idM256P1 = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"
	refArgon2idM256P2 = "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"
	refArgon2Password = "password"

	// Django's test suite (tests/auth_tests/test_hashers.py, test_pbkdf2):
	// make_password("lètmein", "seasalt", "pbkdf2_sha256") with Django 4.1's
	// 390,000 iterations.
	djangoPBKDF2         = "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c="
	djangoPBKDF2Password = "lètmein"
)

func TestVerifyPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, encoded, password string
	}{
		{"bcrypt $2a$ generated", bcryptHash(t, "$2a$", "s3cret"), "s3cret"},
		{"bcrypt $2b$ generated", bcryptHash(t, "$2b$", "s3cret"), "s3cret"},
		{"bcrypt $2y$ generated", bcryptHash(t, "$2y$", "s3cret"), "s3cret"},
		{"bcrypt $2y$ PHP manual", phpBcrypt, phpBcryptPassword},
		{"bcrypt non-ASCII", bcryptHash(t, "$2y$", "pässwörd 日本"), "pässwörd 日本"},
		{"argon2id generated", argon2idHash("s3cret", "saltsaltsalt", 1, 64, 2), "s3cret"},
		{"argon2id generated padded base64", argon2idHash("s3cret", "saltsalt12", 1, 64, 1), "s3cret"},
		{"argon2id reference m=256 p=1", refArgon2idM256P1, refArgon2Password},
		{"argon2id reference m=256 p=2", refArgon2idM256P2, refArgon2Password},
		{"argon2id Django prefix", "argon2" + refArgon2idM256P1, refArgon2Password},
		{"django pbkdf2_sha256 test suite", djangoPBKDF2, djangoPBKDF2Password},
		{"django pbkdf2_sha256 generated", djangoHash("s3cret", "abcdefghijkl", 1000), "s3cret"},
		{"empty password", djangoHash("", "seasalt", 1000), ""},
		{"surrounding white space", " " + phpBcrypt + "\n", phpBcryptPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := VerifyPassword(tt.encoded, tt.password); err != nil {
				t.Errorf("right password: err=%v, want nil", err)
			}
			wrong := tt.password + "z"
			if err := VerifyPassword(tt.encoded, wrong); !errors.Is(err, ErrMismatch) {
				t.Errorf("wrong password %q: err=%v, want ErrMismatch", wrong, err)
			}
		})
	}
}

func TestVerifyPasswordUnknownFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, encoded, format, secret string
	}{
		{"md5crypt", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", "$1$", "qjXMvbEw8oaL"},
		{"django sha1 (its test suite)", "sha1$seasalt$cff36ea83f5706ce9aa7454e63e431fc726b2dc8", "sha1$", "cff36ea83f"},
		{"django unsalted md5 (its test suite)", "88a434c88cca4e900f7874cd98123f43", "unrecognized (32 hex chars)", "88a434c8"},
		{"django pbkdf2_sha1", "pbkdf2_sha1$260000$seasalt$R9mEu2ZKp8n9zNGKgpVHbVoxv2M=", "pbkdf2_sha1$", "R9mEu2ZKp8"},
		{"bcrypt $2x$", "$2x$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234", "$2x$", "abcdefghijkl"},
		{"werkzeug", "pbkdf2:sha256:600000$SALTsalt$0123abcd", "pbkdf2:sha256:", "SALTsalt"},
		{"plain text", "hunter2", "unrecognized (7 chars)", "hunter2"},
		{"plain text with dollar", "my$ecret$pass", "unrecognized (13 chars)", "ecret"},
		{"empty", "", "empty", ""},
		{"blank", "   ", "empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := new(Verifier).check(tt.encoded, "", "password")
			var ufe *UnknownFormatError
			if !errors.As(err, &ufe) {
				t.Fatalf("err=%v, want *UnknownFormatError", err)
			}
			if ufe.Format != tt.format {
				t.Errorf("Format=%q, want %q", ufe.Format, tt.format)
			}
			assertNoSecret(t, err, tt.secret)
		})
	}
}

func TestVerifyPasswordInvalidHash(t *testing.T) {
	t.Parallel()
	good := bcryptHash(t, "$2y$", "s3cret")
	tests := []struct {
		name, encoded, reason, secret string
	}{
		{"bcrypt truncated", good[:50], "50 chars", good[29:50]},
		{"bcrypt cost 31", "$2a$31$" + good[7:], "cost 31 is over", good[29:]},
		{"bcrypt cost 16", "$2b$16$" + good[7:], "cost 16 is over", good[29:]},
		{"bcrypt malformed cost", "$2a$1x$" + good[7:], "malformed cost", good[29:]},
		{"bcrypt bad salt", "$2a$04$" + strings.Repeat("!", 53), "malformed salt", "!!!"},

		{"argon2id v=16", strings.Replace(refArgon2idM256P1, "v=19", "v=16", 1), "version 16", "nf65EOgL"},
		{"argon2id no version", strings.Replace(refArgon2idM256P1, "v=19$", "", 1), "v=16", "nf65EOgL"},
		{"argon2id garbage version", strings.Replace(refArgon2idM256P1, "v=19", "v=c29tZXNhbHQ", 1), "malformed version", "c29tZXNhbHQ"},
		{"argon2id 4 GiB", argon2idPHC("m=4194304,t=2,p=1"), "m=4194304 KiB is outside", "c29tZXNhbHQ"},
		{"argon2id m near 2^32", argon2idPHC("m=4294967295,t=2,p=1"), "is outside", "c29tZXNhbHQ"},
		{"argon2id m over 32 bits", argon2idPHC("m=4294967296,t=2,p=1"), "not m=M,t=T,p=P", "c29tZXNhbHQ"},
		{"argon2id t=1000", argon2idPHC("m=256,t=1000,p=1"), "t=1000 is outside", "c29tZXNhbHQ"},
		{"argon2id t=0", argon2idPHC("m=256,t=0,p=1"), "t=0 is outside", "c29tZXNhbHQ"},
		{"argon2id p=0", argon2idPHC("m=256,t=2,p=0"), "p=0 is outside", "c29tZXNhbHQ"},
		{"argon2id p=255", argon2idPHC("m=65536,t=1,p=255"), "p=255 is outside", "c29tZXNhbHQ"},
		{"argon2id m under 8p", argon2idPHC("m=8,t=2,p=4"), "m=8 KiB is outside", "c29tZXNhbHQ"},
		{"argon2id params out of order", argon2idPHC("t=2,m=256,p=1"), "not m=M,t=T,p=P", "c29tZXNhbHQ"},
		{"argon2id params negative", argon2idPHC("m=256,t=-2,p=1"), "not m=M,t=T,p=P", "c29tZXNhbHQ"},
		{"argon2id keyid param", argon2idPHC("m=256,t=2,p=1,keyid=AAAA"), "not m=M,t=T,p=P", "c29tZXNhbHQ"},
		{"argon2id salt not base64", "$argon2id$v=19$m=256,t=2,p=1$c29t*XNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "salt is not", "nf65EOgL"},
		{"argon2id salt 4 bytes", "$argon2id$v=19$m=256,t=2,p=1$c29tZQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "salt is not", "nf65EOgL"},
		{"argon2id hash 3 bytes", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65", "hash is not", "c29tZXNhbHQ"},
		{"argon2id hash missing", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ", "4 parts", "c29tZXNhbHQ"},
		{"argon2id extra field", refArgon2idM256P1 + "$AAAA", "6 parts", "nf65EOgL"},

		{"pbkdf2 0 iterations", "pbkdf2_sha256$0$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "iterations", "seasalt"},
		{"pbkdf2 100M iterations", "pbkdf2_sha256$100000000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "iterations", "seasalt"},
		{"pbkdf2 iterations not a number", "pbkdf2_sha256$lots$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "iterations", "seasalt"},
		{"pbkdf2 empty salt", "pbkdf2_sha256$1000$$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "empty salt", "8xBlGd3j"},
		{"pbkdf2 hash not base64", "pbkdf2_sha256$1000$seasalt$8xBlGd3jVgvJ*92hWPxi5ww0uuAuAnKgC45eudxro7c=", "hash is not", "seasalt"},
		{"pbkdf2 hash 20 bytes", "pbkdf2_sha256$1000$seasalt$R9mEu2ZKp8n9zNGKgpVHbVoxv2M=", "hash is not", "seasalt"},
		{"pbkdf2 3 fields", "pbkdf2_sha256$1000$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=", "3 fields", "8xBlGd3j"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := new(Verifier).check(tt.encoded, "", "password")
			var ihe *InvalidHashError
			if !errors.As(err, &ihe) {
				t.Fatalf("err=%v, want *InvalidHashError", err)
			}
			if ihe.Format != Format(tt.encoded) {
				t.Errorf("Format=%q, want %q", ihe.Format, Format(tt.encoded))
			}
			if !strings.Contains(ihe.Reason, tt.reason) {
				t.Errorf("Reason=%q, want it to contain %q", ihe.Reason, tt.reason)
			}
			assertNoSecret(t, err, tt.secret)
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct{ encoded, want string }{
		{phpBcrypt, "$2y$"},
		{"$2a$10$x", "$2a$"},
		{"$2b$10$x", "$2b$"},
		{refArgon2idM256P2, "$argon2id$"},
		{"argon2" + refArgon2idM256P2, "argon2$argon2id$"},
		{"argon2$argon2i$v=19$m=512,t=2,p=2$x$y", "argon2$argon2i$"},
		{djangoPBKDF2, "pbkdf2_sha256$"},
		{"$5$rounds=535000$salt$hash", "$5$"},
		{"$y$j9T$salt$hash", "$y$"},
		{"{SSHA}c2FsdGVkaGFzaA==", "{SSHA}"},
		{"\t" + phpBcrypt + "\r\n", "$2y$"},
		{"", "empty"},
		{"pässwörd", "unrecognized (8 chars)"},
		{"0123456789abcdefABCDEF0123456789abcdef01", "unrecognized (40 hex chars)"},
		{"$unknown$thing", "unrecognized (14 chars)"},
	}
	for _, tt := range tests {
		if got := Format(tt.encoded); got != tt.want {
			t.Errorf("Format(%.20q)=%q, want %q", tt.encoded, got, tt.want)
		}
	}
}

// TestVerifyPasswordSpendsOnUnverifiable checks that VerifyPassword returns
// the error of verify and, for a hash it cannot verify, spends a bcrypt
// verification (DummyVerify) rather than answering at once.
func TestVerifyPasswordSpendsOnUnverifiable(t *testing.T) {
	t.Parallel()
	floor := minCostVerifyTime(t)
	encoded := argon2idPHC("m=4194304,t=2,p=1")
	start := time.Now()
	err := VerifyPassword(encoded, "password")
	elapsed := time.Since(start)
	if want := new(Verifier).check(encoded, "", "password"); err == nil || err.Error() != want.Error() {
		t.Errorf("err=%v, want %v", err, want)
	}
	if elapsed < floor {
		t.Errorf("took %v, less than a bcrypt cost-%d verification (%v)", elapsed, bcrypt.MinCost, floor)
	}
}

// TestDummyVerify checks that DummyVerify verifies against a bcrypt hash of
// DummyCost. Its duration is only compared with a far cheaper verification:
// cost 4 is 64 times cheaper than cost 10, so the test cannot flake.
func TestDummyVerify(t *testing.T) {
	t.Parallel()
	if cost, err := bcrypt.Cost(dummyHash()); err != nil || cost != DummyCost {
		t.Fatalf("dummy hash cost=%d err=%v, want %d", cost, err, DummyCost)
	}
	if err := bcrypt.CompareHashAndPassword(dummyHash(), []byte("")); !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		t.Errorf("dummy hash matches the empty password: err=%v", err)
	}
	floor := minCostVerifyTime(t)
	start := time.Now()
	DummyVerify("password")
	if elapsed := time.Since(start); elapsed < floor {
		t.Errorf("DummyVerify took %v, less than a bcrypt cost-%d verification (%v)", elapsed, bcrypt.MinCost, floor)
	}
}

// minCostVerifyTime returns the shortest of three bcrypt verifications at
// MinCost: a lower bound no scheduling hiccup can inflate.
func minCostVerifyTime(t *testing.T) time.Duration {
	t.Helper()
	hash := []byte(bcryptHash(t, "$2a$", "x"))
	best := time.Duration(1 << 62)
	for range 3 {
		start := time.Now()
		_ = bcrypt.CompareHashAndPassword(hash, []byte("y"))
		best = min(best, time.Since(start))
	}
	return best
}

// bcryptHash returns a MinCost bcrypt hash of password under prefix
// ($2a$, $2b$ or $2y$: the same algorithm).
func bcryptHash(t *testing.T, prefix, password string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return prefix + string(hash[4:])
}

// argon2idHash returns the PHC string of an argon2id hash made with x/crypto.
func argon2idHash(password, salt string, time, memory uint32, threads uint8) string {
	key := argon2.IDKey([]byte(password), []byte(salt), time, memory, threads, 32)
	b64 := base64.RawStdEncoding
	if len(salt)%3 != 0 { // exercise the tolerated padding too
		b64 = base64.StdEncoding
	}
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		memory, time, threads, b64.EncodeToString([]byte(salt)), b64.EncodeToString(key))
}

// argon2idPHC returns the reference m=256 vector with other parameters.
func argon2idPHC(params string) string {
	return strings.Replace(refArgon2idM256P1, "m=256,t=2,p=1", params, 1)
}

// djangoHash returns a Django pbkdf2_sha256 hash, computed as Django does.
func djangoHash(password, salt string, iterations int) string {
	key, err := pbkdf2.Key(sha256.New, password, []byte(salt), iterations, sha256.Size)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("pbkdf2_sha256$%d$%s$%s", iterations, salt, base64.StdEncoding.EncodeToString(key))
}

// assertNoSecret fails when err's message contains secret, a piece of the
// salt or hash that must never reach a log.
func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Errorf("error %q contains %q from the hash", err, secret)
	}
}
