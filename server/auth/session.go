package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Session defaults and limits.
const (
	DefaultSessionTTL = 8 * time.Hour
	DefaultAudience   = "weekback"
	SessionLeeway     = 30 * time.Second // clock skew tolerated between replicas
	MinSecretBytes    = 32               // shortest accepted signing key
	MaxTokenBytes     = 4096             // longer tokens are refused unparsed (a cookie holds no more)
)

// tokenIDBytes is the size of a jti: 128 random bits.
const tokenIDBytes = 16

// signingMethod is the only algorithm issued and accepted.
var signingMethod = jwt.SigningMethodHS256

// ErrInvalidSession is returned (wrapping the cause, for logs) by
// Sessions.Parse for any token that is not a valid, current session of this
// server: malformed, tampered, signed otherwise, expired, or for another
// issuer or audience. The user should log in again.
var ErrInvalidSession = errors.New("invalid session")

// Claims are the claims of a session token: sub is the login, adm whether
// the user is an admin, jti the token's revocable identifier, pwb the
// binding of the password hash the user logged in with (Sessions.Binding).
type Claims struct {
	jwt.RegisteredClaims
	Admin   bool   `json:"adm"`
	Binding string `json:"pwb,omitempty"`
}

// Login returns the login the session belongs to (the sub claim).
func (c *Claims) Login() string { return c.Subject }

// ID returns the token's identifier (the jti claim), the key under which a
// logout revokes it.
func (c *Claims) ID() string { return c.RegisteredClaims.ID }

// Expires returns when the token expires (the exp claim); a revocation need
// not be kept past it. It is the zero time if the claim is missing.
func (c *Claims) Expires() time.Time {
	if c.ExpiresAt == nil {
		return time.Time{}
	}
	return c.ExpiresAt.Time
}

// Validate reports an error when sub, jti or iat is missing. The jwt parser
// calls it after its own checks.
func (c *Claims) Validate() error {
	switch {
	case c.Subject == "":
		return errors.New("token has no sub")
	case c.RegisteredClaims.ID == "":
		return errors.New("token has no jti")
	case c.IssuedAt == nil:
		return errors.New("token has no iat")
	}
	return nil
}

// Sessions issues and parses session tokens: JWTs signed with HMAC-SHA256.
// It is safe for concurrent use as long as its fields are not changed.
type Sessions struct {
	Secret   []byte           // signing key, at least MinSecretBytes
	Issuer   string           // iss claim: issued and required
	Audience string           // aud claim: issued and required
	TTL      time.Duration    // lifetime of a token
	Now      func() time.Time // clock

	parsed parsedTokens
}

// NewSessions returns Sessions signing with secret, issuer as iss, and the
// Default* audience and lifetime.
func NewSessions(secret []byte, issuer string) *Sessions {
	return &Sessions{
		Secret:   secret,
		Issuer:   issuer,
		Audience: DefaultAudience,
		TTL:      DefaultSessionTTL,
		Now:      time.Now,
	}
}

// check reports a configuration mistake: sessions must never be issued or
// accepted with a weak key or without their iss and aud checks.
func (s *Sessions) check() error {
	switch {
	case len(s.Secret) < MinSecretBytes:
		return fmt.Errorf("session secret is %d bytes, want at least %d", len(s.Secret), MinSecretBytes)
	case s.Issuer == "":
		return errors.New("session issuer is empty")
	case s.Audience == "":
		return errors.New("session audience is empty")
	case s.TTL <= 0:
		return fmt.Errorf("session ttl %v is not positive", s.TTL)
	}
	return nil
}

func (s *Sessions) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Issue returns a signed token for login, valid from now for TTL, bound to
// binding (Binding of the user's password hash), and its claims. It fails
// only when login is empty or the Sessions is misconfigured (short secret,
// empty issuer or audience, TTL not positive).
func (s *Sessions) Issue(login string, admin bool, binding string) (token string, c *Claims, err error) {
	if err := s.check(); err != nil {
		return "", nil, fmt.Errorf("issue session: %w", err)
	}
	if login == "" {
		return "", nil, errors.New("issue session: empty login")
	}
	id, err := newTokenID()
	if err != nil {
		return "", nil, fmt.Errorf("issue session: %w", err)
	}
	now := s.now()
	c = &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.Issuer,
			Subject:   login,
			Audience:  jwt.ClaimStrings{s.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(s.TTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        id,
		},
		Admin:   admin,
		Binding: binding,
	}
	token, err = jwt.NewWithClaims(signingMethod, c).SignedString(s.Secret)
	if err != nil {
		return "", nil, fmt.Errorf("sign session: %w", err)
	}
	return token, c, nil
}

// newTokenID returns 128 random bits in unpadded base64url.
func newTokenID() (string, error) {
	b := make([]byte, tokenIDBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Parse checks token and returns its claims. Only HS256 signatures by Secret
// are accepted; exp, iat, iss (= Issuer), aud (containing Audience), sub and
// jti are required; exp, nbf and iat are checked against Now with
// SessionLeeway; a lifetime longer than TTL (a token from before TTL was
// lowered) is refused. Every such failure is ErrInvalidSession wrapping the
// cause. Other errors mean the Sessions is misconfigured. Parse does not know
// about revocations: the caller checks ID against them. A token that passed
// is remembered for parsedTokenTTL (exp and the lifetime are checked again
// on every call), so that each request does not verify the signature and
// decode the claims again.
func (s *Sessions) Parse(token string) (*Claims, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("parse session: %w", err)
	}
	if len(token) > MaxTokenBytes {
		return nil, fmt.Errorf("%w: token of %d bytes is over %d", ErrInvalidSession, len(token), MaxTokenBytes)
	}
	now := s.now()
	c := s.parsed.get(token, now)
	if c == nil {
		c = &Claims{}
		if _, err := jwt.ParseWithClaims(token, c, s.key, s.parserOptions()...); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidSession, err)
		}
		s.parsed.put(token, c, now)
	}
	if !now.Before(c.ExpiresAt.Add(SessionLeeway)) {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSession, jwt.ErrTokenExpired)
	}
	// Claims hold whole seconds: allow one for the rounding.
	if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life > s.TTL+time.Second {
		return nil, fmt.Errorf("%w: lifetime %v is over the ttl %v", ErrInvalidSession, life, s.TTL)
	}
	cc := *c
	return &cc, nil
}

func (s *Sessions) parserOptions() []jwt.ParserOption {
	return []jwt.ParserOption{
		jwt.WithValidMethods([]string{signingMethod.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(s.Issuer),
		jwt.WithAudience(s.Audience),
		jwt.WithLeeway(SessionLeeway),
		jwt.WithTimeFunc(s.now),
		jwt.WithStrictDecoding(),
	}
}

// key is the jwt.Keyfunc: Secret, for HS256 tokens only (WithValidMethods
// already refuses the others; this keeps the key from ever meeting another
// algorithm).
func (s *Sessions) key(t *jwt.Token) (any, error) {
	if t.Method != signingMethod {
		return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
	}
	return s.Secret, nil
}

// parsedTokenTTL is how long Parse remembers a valid token;
// maxParsedTokens bounds how many (past it, the memory starts over).
const (
	parsedTokenTTL  = time.Minute
	maxParsedTokens = 10_000
)

// parsedTokens remembers tokens Parse accepted. The zero value is ready;
// it is safe for concurrent use.
type parsedTokens struct {
	mu sync.Mutex
	m  map[string]parsedToken
}

type parsedToken struct {
	c     *Claims
	until time.Time
}

// get returns the claims of token if it was accepted less than
// parsedTokenTTL before now, else nil.
func (p *parsedTokens) get(token string, now time.Time) *Claims {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.m[token]; ok && now.Before(e.until) {
		return e.c
	}
	return nil
}

// put remembers that token was accepted with claims c at now.
func (p *parsedTokens) put(token string, c *Claims, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= maxParsedTokens {
		p.m = map[string]parsedToken{}
	}
	p.m[strings.Clone(token)] = parsedToken{c: c, until: now.Add(parsedTokenTTL)} // token may live in a reused buffer
}

// bindingBytes is the length of a binding before encoding: 128 bits.
const bindingBytes = 16

// Binding returns what a session carries of the password hash it was
// issued for: an HMAC-SHA256 of the hash under a key derived from Secret,
// cut to 128 bits, in unpadded base64url. It reveals nothing of the hash;
// a session whose binding differs from that of the user's current hash
// began before the password changed. It is safe for concurrent use.
func (s *Sessions) Binding(passwordHash string) string {
	k := hmac.New(sha256.New, s.Secret)
	k.Write([]byte("weekback session binding of the password hash"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(passwordHash))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:bindingBytes])
}
