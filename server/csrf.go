package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// CSRF protection has two parts. The login form, which has no session yet,
// uses a double-submit cookie: CSRFCookie holds 32 random bytes, and the
// form's hidden CSRFField must carry the same value. Forms of a logged-in
// user carry a synchronizer token derived from the session:
// HMAC-SHA256(session secret, label ‖ jti), so it needs no storage and dies
// with the session. Every POST with an Origin header must also come from
// BaseURL's origin.
const (
	CSRFCookie  = "weekback_csrf"
	CSRFField   = "csrf"
	CSRFHeader  = "X-CSRF-Token"
	csrfBytes   = 32
	csrfLabel   = "weekback csrf v1\x00"
	csrfEncoded = 43 // base64url length of csrfBytes (and of a SHA-256)
)

// csrfFailed is the answer to a POST that fails a CSRF check.
func (s *Server) csrfFailed(c *fiber.Ctx) error {
	noStore(c)
	return fiber.NewError(fiber.StatusForbidden, s.localizer(c).T("csrf.failed"))
}

// checkOrigin refuses POSTs whose Origin header (when present) is not
// BaseURL's origin.
func (s *Server) checkOrigin(c *fiber.Ctx) error {
	if !s.originOK(c) {
		return s.csrfFailed(c)
	}
	return c.Next()
}

// originOK reports whether the request's Origin header is absent or
// BaseURL's origin (logging a refusal).
func (s *Server) originOK(c *fiber.Ctx) bool {
	o := c.Get(fiber.HeaderOrigin)
	if o != "" && (s.origin == "" || !strings.EqualFold(o, s.origin)) {
		s.Logger.Info("cross-origin POST refused", "origin", o, "path", c.Path())
		return false
	}
	return true
}

// loginCSRF returns the request's double-submit token when it looks like
// one, else a new one and sets its cookie.
func (s *Server) loginCSRF(c *fiber.Ctx) string {
	if tok := c.Cookies(CSRFCookie); len(tok) == csrfEncoded {
		if _, err := base64.RawURLEncoding.DecodeString(tok); err == nil {
			return strings.Clone(tok)
		}
	}
	b := make([]byte, csrfBytes)
	rand.Read(b) // never fails (crypto/rand panics rather)
	tok := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: tok, Path: "/", HTTPOnly: true, Secure: s.secure,
		SameSite: fiber.CookieSameSiteStrictMode})
	return tok
}

// checkLoginCSRF lets a login through only when its Origin is right (see
// checkOrigin) and its CSRFField equals its CSRFCookie (compared in
// constant time); refusals count as failed logins.
func (s *Server) checkLoginCSRF(c *fiber.Ctx) error {
	if !s.originOK(c) || !sameToken(c.Cookies(CSRFCookie), c.FormValue(CSRFField)) {
		s.metrics.loginFailed(failCSRF)
		return s.csrfFailed(c)
	}
	return c.Next()
}

// csrfToken returns the synchronizer token of the session jti.
func (s *Server) csrfToken(jti string) string {
	mac := hmac.New(sha256.New, s.Sessions.Secret)
	mac.Write([]byte(csrfLabel + jti))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// sessionCSRFOK reports whether the request carries the synchronizer
// token of jti, in CSRFField or the CSRFHeader.
func (s *Server) sessionCSRFOK(c *fiber.Ctx, jti string) bool {
	got := c.FormValue(CSRFField)
	if got == "" {
		got = c.Get(CSRFHeader)
	}
	return sameToken(s.csrfToken(jti), got)
}

// sameToken compares two tokens in constant time; empty or wrongly sized
// tokens never match.
func sameToken(want, got string) bool {
	return len(want) == csrfEncoded && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
