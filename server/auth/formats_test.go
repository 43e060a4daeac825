package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// knownAnswer is a hash published by the application (or the algorithm's
// reference) that writes it, with its password.
type knownAnswer struct {
	name, encoded, salt, password string
	v                             *Verifier
}

// Known-answer vectors of the formats applications store, each from the
// test suite or documentation of the project that writes them.
var knownAnswers = []knownAnswer{
	// moodle/moodle public/lib/tests/authentication/password_test.php,
	// test_validate_sha512_hashes and test_is_legacy_hash_with_sha512.
	{"moodle sha512 pw2", "$6$rounds=10000$0rDIzh/4.MMf9Dm8$Zrj6Ulc1JFj0RFXwMJFsngRSNGlqkPlV1wwRVv7wBLrMeQeMZrwsBO62zy63D//6R5sNGVYQwPB0K8jPCScxB/", "", "pw2", nil},
	{"moodle sha512 abc2", "$6$rounds=10000$t0L6PklgpijV4tMB$1vpCRKCImsVqTPMiZTi6zLGbs.hpAU8I2BhD/IFliBnHJkFZCWEBfTCq6pEzo0Q8nXsryrgeZ.qngcW.eifuW.", "", "abc2", nil},
	{"moodle sha512 complex", "$6$rounds=10000$3TAyVAXN0zmFZ4il$KF8YzduX6Gu0C2xHsY83zoqQ/rLVsb9mLe417wDObo9tO00qeUC68/y2tMq4FL2ixnMPH3OMwzGYo8VJrm8Eq1", "", "C0mP1eX_&}<?@*&%` |\\\"2", nil}, // PHP single quotes keep the backslash
	{"moodle sha512 international", "$6$rounds=10000$SHR/6ctTkfXOy5NP$YPv42hjDjohVWD3B0boyEYTnLcBXBKO933ijHmkPXNL7BpqAcbYMLfTl9rjsPmCt.1GZvEJZ8ikkCPYBC5Sdp.", "", "ĩńťėŕňăţĩōŋāĹ2", nil},
	// moodle password_test.php test_validate_bcrypt_hashes (legacy bcrypt).
	{"moodle bcrypt pw", "$2y$10$LOSDi5eaQJhutSRun.OVJ.ZSxQZabCMay7TO1KmzMkDMPvU40zGXK", "", "pw", nil},
	// The PHP manual's crypt() example (php.net/crypt): "rasmuslerdorf"
	// with salt "usesomesillystringforsalt", cut to 16 characters.
	{"sha512crypt PHP manual", "$6$rounds=5000$usesomesillystri$D4IrlXatmP7rx3P3InaxBeoomnAihCKRVQP22JZ6EY47Wc6BkroIuUUBOov1i.S5KPgErtP/EN5mcO.ChWQW21", "", "rasmuslerdorf", nil},
	{"sha256crypt PHP manual", "$5$rounds=5000$usesomesillystri$KqJWpanXZHKq2BOB43TSaYhEWsQ1Lr5QNyPCDH/Tp.6", "", "rasmuslerdorf", nil},
	// glibc's SHA-crypt tests (crypt/sha256c-test.c, sha512c-test.c: the
	// examples of Ulrich Drepper's specification).
	{"sha512crypt glibc default rounds", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "", "Hello world!", nil},
	{"sha256crypt glibc default rounds", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "", "Hello world!", nil},
	{"sha256crypt glibc rounds=10000, long salt", "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA", "", "Hello world!", nil},
	// The Openwall phpass framework's test.php: the portable hash of
	// "test12345".
	{"openwall phpass", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "", "test12345", nil},
	// drupal/drupal core/modules/phpass/tests/src/Unit/PasswordVerifyTest.php,
	// testPasswordCheckSupported: a Drupal 7 hash and a Drupal 6 hash
	// rehashed on upgrade.
	{"drupal7 $S$", "$S$5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18bk", "", "valid password", nil},
	{"drupal U$S$", "U$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo", "", "valid password", nil},
	// redmine/redmine test/fixtures/users.yml: users admin (password
	// "admin") and rhill ("foo").
	{"redmine admin", "b5b6ff9543bf1387374cdfa27a54c96d236a7150", "82090c953c4a0000a7db253b0691a6b4", "admin", &Verifier{Scheme: SchemeRedmineSHA1}},
	{"redmine rhill", "9e4dd7eeb172c12a0691a6d9d3a269f7e9fe671b", "3126f764c3c5ac61cbfc103f25f934cf", "foo", &Verifier{Scheme: SchemeRedmineSHA1}},
	// magento/magento2 lib/internal/Magento/Framework/Encryption/Test/Unit/
	// EncryptorTest.php, validateHashDataProvider and
	// testGetHashRandomSaltDefaultLength.
	{"magento2 md5", "67a1e09bb1f83f5007dc119c14d663aa:salt:0", "", "password", &Verifier{Scheme: SchemeMagento2}},
	{"magento2 sha256", "13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322:salt:1", "", "password", &Verifier{Scheme: SchemeMagento2}},
	{"magento2 sha256 random salt", "a1c7fc88037b70c9be84d3ad12522c7888f647915db78f42eb572008422ba2fa:-----------random_salt----------:1", "", "password", &Verifier{Scheme: SchemeMagento2}},
	// spring-projects/spring-security crypto/src/test/java/org/
	// springframework/security/crypto/password/Pbkdf2PasswordEncoderTests.java:
	// passivityWhenCustomSaltLengthThenSuccess (SHA1, 185,000 iterations,
	// 16-byte salt: the {pbkdf2} defaults) and
	// matchWhenDefaultsForSpringSecurity_v5_8ThenSuccess.
	{"spring pbkdf2", "{pbkdf2}0123456789abcdef0123456789abcdef10d883c2a0e653c97175c4a2583a7f1fd3301b319a7657d95f75365ea7c04ce1", "", "password", nil},
	{"spring pbkdf2 v5_8", "{pbkdf2@SpringSecurity_v5_8}fefe5120467e5d4ccff442dbb2fa86d276262d97435c0c54e5eebced51ffd144fcb05eb53fea2677216c4f3250010006", "", "password", nil},
	{"spring bcrypt", "{bcrypt}" + phpBcrypt, "", phpBcryptPassword, nil},
	// WordPress 6.8's own tests (tests/phpunit/tests/auth.php) hash at run
	// time and publish no fixed $wp$ vector; this one is a WordPress 6.8
	// hash from the test suite of a PHP package that reads them
	// (ahmedjalsarem/laravel-bcrypt-password, tests/PasswordHasherTest.php).
	{"wordpress 6.8 $wp$", "$wp$2y$10$y6/UfA/WhvVLZK6RxBSJE./L6YpJN8ChGg15a0Pqry/bTGsDuMR1q", "", "Na101918!", nil},
	// passlib's phpass tests ($H$ as phpBB 3.0 writes it).
	{"phpbb $H$", "$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00", "", "test1", nil},
	// Django's own tests hash at run time; these are Django-made hashes
	// published in the tests of programs that read them ("secretdbpass":
	// made by manage.py changepassword; "admin": both hashers).
	{"django bcrypt_sha256 changepassword", "bcrypt_sha256$$2b$12$c6T/4vpvrWs5NhmfIst8O.od24KswgzMu/9Uf1UXHKt2tHuit118i", "", "secretdbpass", nil},
	{"django bcrypt_sha256", "bcrypt_sha256$$2b$12$WZK9cb9qKN.Q5LCYPq/gj.6gvry1b37HUsJER6KhQBnIWmPyyaaqi", "", "admin", nil},
	{"django bcrypt", "bcrypt$$2b$12$qcNExitVe89wMG.nmRD4Qupn2hFm0pxvnu6VC.w6LShOx30l.F9/.", "", "admin", nil},
	// The argon2 reference implementation (src/test.c, Argon2_i cases).
	{"argon2i reference", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA", "", "password", nil},
	{"spring argon2", "{argon2}" + refArgon2idM256P1, "", refArgon2Password, nil},
}

func TestVerifierKnownAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range knownAnswers {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.v
			if v == nil {
				v = new(Verifier)
			}
			if err := v.Verify(tt.encoded, tt.salt, tt.password); err != nil {
				t.Errorf("right password: err=%v, want nil", err)
			}
			if err := v.Verify(tt.encoded, tt.salt, tt.password+"x"); !errors.Is(err, ErrMismatch) {
				t.Errorf("wrong password: err=%v, want ErrMismatch", err)
			}
		})
	}
}

// TestVerifierPeppers checks Moodle's peppers: each is appended to the
// password in turn; with peppers set, the password alone matches only when
// one of them is empty.
func TestVerifierPeppers(t *testing.T) {
	t.Parallel()
	const pepper = "#GV]NLie|x$H9[$rW%94bXZvJHa%z" // moodle password_test.php
	hash := bcryptHash(t, "$2y$", "pepperedpassword"+pepper)
	for _, tt := range []struct {
		name    string
		peppers []string
		want    error
	}{
		{"right pepper second", []string{"other-pepper-of-enough-entropy", pepper}, nil},
		{"no peppers", nil, ErrMismatch},
		{"wrong pepper", []string{"other-pepper-of-enough-entropy"}, ErrMismatch},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{Peppers: tt.peppers}
			if err := v.Verify(hash, "", "pepperedpassword"); !errors.Is(err, tt.want) {
				t.Errorf("err=%v, want %v", err, tt.want)
			}
		})
	}
	plain := bcryptHash(t, "$2y$", "unpeppered")
	if err := (&Verifier{Peppers: []string{pepper, ""}}).Verify(plain, "", "unpeppered"); err != nil {
		t.Errorf("empty pepper: err=%v, want nil", err)
	}
}

// TestVerifierECCube checks EC-CUBE's HMAC against the formula of its
// PasswordEncoder (src/Eccube/Security/Core/Encoder/PasswordEncoder.php:
// hash_hmac('sha256', $raw.':'.$auth_magic, $salt)). EC-CUBE publishes no
// fixed vector, so the expected digest is built here by that formula with
// the standard library's HMAC.
func TestVerifierECCube(t *testing.T) {
	t.Parallel()
	mac := hmac.New(sha256.New, []byte("salt1234"))
	mac.Write([]byte("password:magicmagic"))
	encoded := hex.EncodeToString(mac.Sum(nil))
	v := &Verifier{Scheme: SchemeECCubeHMAC, Secret: "magicmagic"}
	if err := v.Verify(encoded, "salt1234", "password"); err != nil {
		t.Errorf("right password: err=%v", err)
	}
	if err := v.Verify(encoded, "salt1235", "password"); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong salt: err=%v, want ErrMismatch", err)
	}
	if err := (&Verifier{Scheme: SchemeECCubeHMAC}).Verify(encoded, "salt1234", "password"); !errors.As(err, new(*InvalidHashError)) {
		t.Errorf("no secret: err=%v, want *InvalidHashError", err)
	}
	if err := v.Verify(bcryptHash(t, "$2y$", "password"), "", "password"); err != nil {
		t.Errorf("EC-CUBE 4.3 bcrypt: err=%v", err)
	}
}

// TestVerifierWeak checks that unsalted MD5 and SHA1 digests are refused
// unless AllowWeak is set. The MD5 is the one WordPress's
// tests/phpunit/tests/auth.php accepts (md5('password')), the SHA1 Magento's
// EncryptorTest no-salt SHA1 counterpart of the same password.
func TestVerifierWeak(t *testing.T) {
	t.Parallel()
	for _, encoded := range []string{"5f4dcc3b5aa765d61d8327deb882cf99", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"} {
		if err := new(Verifier).Verify(encoded, "", "password"); !errors.As(err, new(*UnknownFormatError)) {
			t.Errorf("%s without AllowWeak: err=%v, want *UnknownFormatError", encoded[:4], err)
		}
		v := &Verifier{AllowWeak: true}
		if err := v.Verify(encoded, "", "password"); err != nil {
			t.Errorf("%s with AllowWeak: err=%v", encoded[:4], err)
		}
		if err := v.Verify(encoded, "", "passwore"); !errors.Is(err, ErrMismatch) {
			t.Errorf("%s wrong password: err=%v", encoded[:4], err)
		}
	}
}

// TestVerifierRefusesNoop checks that Spring's {noop} (the password in
// clear) is refused even with the right password.
func TestVerifierRefusesNoop(t *testing.T) {
	t.Parallel()
	err := new(Verifier).check("{noop}hunter2", "", "hunter2")
	var ih *InvalidHashError
	if !errors.As(err, &ih) || ih.Format != "{noop}" {
		t.Fatalf("err=%v, want *InvalidHashError for {noop}", err)
	}
	assertNoSecret(t, err, "hunter2")
	if err := new(Verifier).check("{scrypt}abc", "", "abc"); !errors.As(err, new(*UnknownFormatError)) {
		t.Errorf("{scrypt}: err=%v, want *UnknownFormatError", err)
	}
}

// TestVerifierMagentoChain checks an upgraded Magento hash: version "1:2"
// is argon2id13 of the hex SHA-256 of salt+password.
func TestVerifierMagentoChain(t *testing.T) {
	t.Parallel()
	salt := "0123456789abcdef0123456789abcdef"
	sha := sha256.Sum256([]byte(salt + "password"))
	key := argon2.IDKey([]byte(hex.EncodeToString(sha[:])), []byte(salt[:16]), 2, 64*1024, 1, 32)
	encoded := hex.EncodeToString(key) + ":" + salt + ":1:2"
	v := &Verifier{Scheme: SchemeMagento2}
	if err := v.Verify(encoded, "", "password"); err != nil {
		t.Errorf("right password: err=%v", err)
	}
	if err := v.Verify(encoded, "", "passwore"); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: err=%v", err)
	}
}

// TestVerifierDummyCostsLikeTheTable checks that Dummy, after a hash of the
// table was verified, costs what verifying that hash costs (within 20 %),
// not what the built-in bcrypt cost-10 hash costs (the table holds a PBKDF2
// hash far cheaper than that, so the fixed dummy would fail), nor what a
// cheaper hash verified since costs.
func TestVerifierDummyCostsLikeTheTable(t *testing.T) {
	hash := djangoHash("s3cret", "seasalt", 100_000)
	v := new(Verifier)
	if !v.Remember(hash, "") {
		t.Fatal("Remember refused a pbkdf2_sha256 hash")
	}
	_ = v.Verify(djangoHash("s3cret", "seasalt", 1_000), "", "wrong") // a cheap account must not make the dummy cheap
	known, unknown := interleavedMedians(9, func() { _ = v.check(hash, "", "wrong") }, func() { v.Dummy("wrong") })
	ratio := float64(unknown) / float64(known)
	t.Logf("dummy/real CPU time = %.2f (%v / %v)", ratio, unknown, known)
	if ratio < 0.8 || ratio > 1.2 {
		t.Errorf("dummy/real = %.2f (%v / %v), want within 0.8..1.2", ratio, unknown, known)
	}
}

// interleavedMedians runs a and b n times each, alternately and in turns
// (a b, b a, …, so that neither always runs first), and returns the median
// CPU time of each: the process's, which on a shared machine measures the
// work done whatever the load of other processes (the test runs alone in
// the process: it is not parallel).
func interleavedMedians(n int, a, b func()) (time.Duration, time.Duration) {
	da, db := make([]time.Duration, n), make([]time.Duration, n)
	for i := range n {
		if i%2 == 0 {
			da[i], db[i] = cpuTimed(a), cpuTimed(b)
		} else {
			db[i], da[i] = cpuTimed(b), cpuTimed(a)
		}
	}
	slices.Sort(da)
	slices.Sort(db)
	return da[n/2], db[n/2]
}

// cpuTimed returns the CPU time (user and system) the process spent in f.
func cpuTimed(f func()) time.Duration {
	start := cpuTime()
	f()
	return cpuTime() - start
}

// cpuTime returns the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
