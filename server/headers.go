package server

import "github.com/gofiber/fiber/v2"

// contentSecurityPolicy allows the server's own styles, scripts and
// images only: no inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	return c.Next()
}

// refuseCrossSite answers a download that another site sent the browser
// to (Sec-Fetch-Site: cross-site: a link or a redirect elsewhere, which
// carries the session cookie) with 403 and a page offering the same
// download: clicked there, it comes from this site and goes through.
// Other requests, and browsers that do not send the header, pass.
func (s *Server) refuseCrossSite(c *fiber.Ctx) error {
	if c.Get("Sec-Fetch-Site") != "cross-site" {
		return c.Next()
	}
	l := s.localizer(c)
	s.Logger.Info("download from another site refused", "path", c.Path(), "referer", c.Get(fiber.HeaderReferer))
	c.Status(fiber.StatusForbidden)
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"error": l.T("crosssite.lead"), "status": fiber.StatusForbidden, "url": c.OriginalURL()})
	}
	return c.Render("crosssite", fiber.Map{"Title": l.T("crosssite.title"), "Message": l.T("crosssite.lead"), "URL": c.OriginalURL()})
}
