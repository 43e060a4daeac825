package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testSecret  = []byte("0123456789abcdef0123456789abcdef-test")
	otherSecret = []byte("fedcba9876543210fedcba9876543210-other")
	testNow     = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
)

const testIssuer = "http://127.0.0.1:8080"

// newTestSessions returns Sessions with testSecret and a clock stopped at
// testNow plus offset.
func newTestSessions(offset time.Duration) *Sessions {
	s := NewSessions(testSecret, testIssuer)
	s.Now = func() time.Time { return testNow.Add(offset) }
	return s
}

func TestNewSessionsDefaults(t *testing.T) {
	s := NewSessions(testSecret, testIssuer)
	if s.TTL != 8*time.Hour || s.Audience != "weekback" || s.Now == nil || s.Issuer != testIssuer {
		t.Errorf("NewSessions=%+v, want TTL 8h, audience weekback, issuer %s, a clock", s, testIssuer)
	}
}

func TestSessionsRoundTrip(t *testing.T) {
	s := newTestSessions(0)
	for _, admin := range []bool{false, true} {
		token, issued, err := s.Issue("yamada.hanako", admin, "")
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Parse(token)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if c.Login() != "yamada.hanako" || c.Admin != admin {
			t.Errorf("login=%q admin=%v, want yamada.hanako %v", c.Login(), c.Admin, admin)
		}
		if c.ID() != issued.ID() || c.ID() == "" {
			t.Errorf("ID=%q, want %q as issued", c.ID(), issued.ID())
		}
		if id, err := base64.RawURLEncoding.DecodeString(c.ID()); err != nil || len(id) != 16 {
			t.Errorf("jti %q: %d bytes (err %v), want 16 bytes of base64url", c.ID(), len(id), err)
		}
		if want := testNow.Add(DefaultSessionTTL); !c.Expires().Equal(want) || !issued.Expires().Equal(want) {
			t.Errorf("Expires=%v (issued %v), want %v", c.Expires(), issued.Expires(), want)
		}
	}
}

func TestSessionsUniqueIDs(t *testing.T) {
	s := newTestSessions(0)
	seen := map[string]bool{}
	for range 100 {
		_, c, err := s.Issue("a", false, "")
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.ID()] {
			t.Fatalf("jti %q issued twice", c.ID())
		}
		seen[c.ID()] = true
	}
}

func TestSessionsClaimNames(t *testing.T) {
	token, _, err := newTestSessions(0).Issue("alice", true, "")
	if err != nil {
		t.Fatal(err)
	}
	header, payload := decodeSegment(t, token, 0), decodeSegment(t, token, 1)
	if header["alg"] != "HS256" {
		t.Errorf("alg=%v, want HS256", header["alg"])
	}
	for _, name := range []string{"sub", "adm", "iat", "nbf", "exp", "iss", "aud", "jti"} {
		if _, ok := payload[name]; !ok {
			t.Errorf("payload %v has no %s claim", payload, name)
		}
	}
	if payload["sub"] != "alice" || payload["adm"] != true || payload["iss"] != testIssuer {
		t.Errorf("payload=%v, want sub alice, adm true, iss %s", payload, testIssuer)
	}
}

func TestSessionsLeeway(t *testing.T) {
	token, _, err := newTestSessions(0).Issue("alice", false, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		offset time.Duration
		ok     bool
	}{
		{-SessionLeeway + time.Second, true}, // a replica whose clock is behind
		{-SessionLeeway - time.Second, false},
		{DefaultSessionTTL + SessionLeeway - time.Second, true},
		{DefaultSessionTTL + SessionLeeway + time.Second, false},
	} {
		_, err := newTestSessions(tt.offset).Parse(token)
		if (err == nil) != tt.ok {
			t.Errorf("parsed at issue time %+v: err=%v, want ok=%v", tt.offset, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidSession) {
			t.Errorf("parsed at issue time %+v: err=%v, want ErrInvalidSession", tt.offset, err)
		}
	}
}

func TestSessionsParseRejects(t *testing.T) {
	ours := newTestSessions(0)
	valid, _, err := ours.Issue("alice", false, "")
	if err != nil {
		t.Fatal(err)
	}
	validClaims := func() jwt.MapClaims {
		return jwt.MapClaims{
			"sub": "alice", "adm": true, "iss": testIssuer, "aud": []string{DefaultAudience},
			"iat": testNow.Unix(), "nbf": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix(),
			"jti": "AAAAAAAAAAAAAAAAAAAAAA",
		}
	}
	without := func(name string) jwt.MapClaims {
		c := validClaims()
		delete(c, name)
		return c
	}
	tests := []struct {
		name  string
		token func(t *testing.T) string
	}{
		{"empty", func(*testing.T) string { return "" }},
		{"garbage", func(*testing.T) string { return "not.a.token" }},
		{"two segments", func(*testing.T) string { return valid[:strings.LastIndex(valid, ".")] }},
		{"oversized", func(*testing.T) string { return valid + strings.Repeat("A", MaxTokenBytes) }},
		{"tampered payload", func(t *testing.T) string {
			payload := decodeSegment(t, valid, 1)
			payload["adm"] = true
			return replaceSegment(t, valid, 1, payload)
		}},
		{"tampered login", func(t *testing.T) string {
			payload := decodeSegment(t, valid, 1)
			payload["sub"] = "root"
			return replaceSegment(t, valid, 1, payload)
		}},
		{"tampered signature", func(*testing.T) string {
			i := strings.LastIndex(valid, ".") + 1
			c := byte('A')
			if valid[i] == 'A' {
				c = 'B'
			}
			return valid[:i] + string(c) + valid[i+1:]
		}},
		{"no signature", func(*testing.T) string { return valid[:strings.LastIndex(valid, ".")+1] }},
		{"alg none", func(t *testing.T) string {
			return encodeSegment(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." +
				encodeSegment(t, validClaims()) + "."
		}},
		{"alg none with our signature", func(t *testing.T) string {
			return replaceSegment(t, valid, 0, map[string]any{"alg": "none", "typ": "JWT"})
		}},
		{"HS512 with our secret", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS512, validClaims(), testSecret)
		}},
		{"HS384 with our secret", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS384, validClaims(), testSecret)
		}},
		{"RS256", func(t *testing.T) string {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			return sign(t, jwt.SigningMethodRS256, validClaims(), key)
		}},
		{"ES256", func(t *testing.T) string {
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			return sign(t, jwt.SigningMethodES256, validClaims(), key)
		}},
		{"other secret", func(t *testing.T) string {
			s := newTestSessions(0)
			s.Secret = otherSecret
			return issue(t, s)
		}},
		{"expired", func(t *testing.T) string { return issue(t, newTestSessions(-DefaultSessionTTL-time.Minute)) }},
		{"issued in the future", func(t *testing.T) string { return issue(t, newTestSessions(time.Hour)) }},
		{"wrong issuer", func(t *testing.T) string {
			s := newTestSessions(0)
			s.Issuer = "https://evil.example"
			return issue(t, s)
		}},
		{"wrong audience", func(t *testing.T) string {
			s := newTestSessions(0)
			s.Audience = "other-app"
			return issue(t, s)
		}},
		{"lifetime over ttl", func(t *testing.T) string {
			s := newTestSessions(0)
			s.TTL = 30 * 24 * time.Hour
			return issue(t, s)
		}},
		{"map claims valid", nil}, // control: the crafted claims pass
		{"missing exp", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, without("exp"), testSecret) }},
		{"missing iss", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, without("iss"), testSecret) }},
		{"missing aud", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, without("aud"), testSecret) }},
		{"missing iat", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, without("iat"), testSecret) }},
		{"missing sub", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, without("sub"), testSecret) }},
		{"missing jti", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, without("jti"), testSecret) }},
		{"exp as string", func(t *testing.T) string {
			c := validClaims()
			c["exp"] = "tomorrow"
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.token == nil {
				if _, err := ours.Parse(sign(t, jwt.SigningMethodHS256, validClaims(), testSecret)); err != nil {
					t.Fatalf("control token refused: %v", err)
				}
				return
			}
			c, err := ours.Parse(tt.token(t))
			if !errors.Is(err, ErrInvalidSession) {
				t.Fatalf("err=%v, want ErrInvalidSession", err)
			}
			if c != nil {
				t.Errorf("claims=%+v, want nil", c)
			}
		})
	}
}

func TestSessionsMisconfigured(t *testing.T) {
	token := issue(t, newTestSessions(0))
	tests := []struct {
		name   string
		change func(*Sessions)
		want   string
	}{
		{"short secret", func(s *Sessions) { s.Secret = testSecret[:31] }, "31 bytes"},
		{"nil secret", func(s *Sessions) { s.Secret = nil }, "0 bytes"},
		{"empty issuer", func(s *Sessions) { s.Issuer = "" }, "issuer is empty"},
		{"empty audience", func(s *Sessions) { s.Audience = "" }, "audience is empty"},
		{"zero ttl", func(s *Sessions) { s.TTL = 0 }, "not positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSessions(0)
			tt.change(s)
			_, _, err := s.Issue("alice", false, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrInvalidSession) {
				t.Errorf("Issue: err=%v, want a configuration error containing %q", err, tt.want)
			}
			_, err = s.Parse(token)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrInvalidSession) {
				t.Errorf("Parse: err=%v, want a configuration error containing %q", err, tt.want)
			}
		})
	}
	if _, _, err := newTestSessions(0).Issue("", false, ""); err == nil {
		t.Error("Issue with an empty login: err=nil, want an error")
	}
}

func TestSessionsNilClock(t *testing.T) {
	s := &Sessions{Secret: testSecret, Issuer: testIssuer, Audience: DefaultAudience, TTL: time.Hour}
	token := issue(t, s)
	if _, err := s.Parse(token); err != nil {
		t.Errorf("Parse with the zero clock: %v", err)
	}
}

func issue(t *testing.T, s *Sessions) string {
	t.Helper()
	token, _, err := s.Issue("alice", false, "")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func sign(t *testing.T, method jwt.SigningMethod, claims jwt.Claims, key any) string {
	t.Helper()
	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func decodeSegment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

func replaceSegment(t *testing.T, token string, i int, v any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	parts[i] = encodeSegment(t, v)
	return strings.Join(parts, ".")
}

// TestSessionsRememberedTokenStillExpires: a token Parse accepted (and
// remembers) is refused once it expires, and its claims are the caller's
// own copy.
func TestSessionsRememberedTokenStillExpires(t *testing.T) {
	var offset time.Duration
	s := NewSessions(testSecret, testIssuer)
	s.Now = func() time.Time { return testNow.Add(offset) }
	s.TTL = 10 * time.Second // expires while remembered
	token, _, err := s.Issue("alice", false, "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Parse(token)
	if err != nil {
		t.Fatal(err)
	}
	c.Subject = "mallory"
	if again, err := s.Parse(token); err != nil || again.Login() != "alice" {
		t.Fatalf("parsed again: %v, %v, want alice", again, err)
	}
	offset = s.TTL + SessionLeeway + time.Second
	if _, err := s.Parse(token); !errors.Is(err, ErrInvalidSession) {
		t.Fatalf("parsed after expiry: err=%v, want ErrInvalidSession", err)
	}
}

// TestSessionBinding: the binding travels in the token, differs for
// another hash or another secret, and does not contain the hash.
func TestSessionBinding(t *testing.T) {
	s := newTestSessions(0)
	hash := "$2b$10$abcdefghijklmnopqrstuuN8dzVbO6uKk1yJOaWvlQ6nbHRbWrS1y"
	b := s.Binding(hash)
	token, _, err := s.Issue("alice", false, b)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Parse(token)
	if err != nil || c.Binding != b || b == "" {
		t.Fatalf("parsed binding = %q (err %v), want %q", c.Binding, err, b)
	}
	other := newTestSessions(0)
	other.Secret = otherSecret
	if s.Binding(hash+"x") == b || other.Binding(hash) == b || s.Binding(hash) != b {
		t.Error("binding does not depend on exactly the hash and the secret")
	}
	if strings.Contains(token, "abcdefghij") || len(b) != 22 {
		t.Errorf("binding %q (token %q): want 22 characters and no trace of the hash", b, token)
	}
}
