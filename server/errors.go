package server

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
)

// statusOf maps weekback error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	weekback.EINVALID:     fiber.StatusBadRequest,
	weekback.ENOTFOUND:    fiber.StatusNotFound,
	weekback.ECONFLICT:    fiber.StatusConflict,
	weekback.EMISMATCH:    fiber.StatusInternalServerError,
	weekback.EUNAVAILABLE: fiber.StatusServiceUnavailable,
	weekback.EABORTED:     fiber.StatusServiceUnavailable,
	weekback.EINTERNAL:    fiber.StatusInternalServerError,
}

// handleError answers every error the same careful way: users see a status
// and a sentence meant for them (never SQL, a stack trace or an internal
// message); internal errors are logged with the request's method and path.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, msg := fiber.StatusInternalServerError, "Something went wrong on our side. Please try again; if it persists, tell your administrator."
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status, msg = fe.Code, publicFiberMessage(fe)
	case weekback.ErrorCode(err) != weekback.EINTERNAL:
		status, msg = statusOf[weekback.ErrorCode(err)], weekback.ErrorMessage(err)
	default:
		s.Logger.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	if status == 0 {
		status = fiber.StatusInternalServerError
	}
	c.Status(status)
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"error": msg, "status": status})
	}
	return c.Render("error", fiber.Map{"Title": titleOf(status), "Message": msg, "Banner": dayBanner(c)})
}

// publicFiberMessage returns the message of Fiber's own errors (404, 405,
// 413 …), which carry no internals.
func publicFiberMessage(fe *fiber.Error) string {
	switch fe.Code {
	case fiber.StatusNotFound:
		return "There is no page at this address."
	case fiber.StatusMethodNotAllowed:
		return "This address cannot be used that way: the backup environment is read-only."
	case fiber.StatusRequestEntityTooLarge:
		return "The request is too large."
	}
	return fe.Message
}

func titleOf(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "Not found"
	case fiber.StatusMethodNotAllowed:
		return "Not allowed"
	case fiber.StatusBadRequest:
		return "Bad request"
	case fiber.StatusServiceUnavailable:
		return "Temporarily unavailable"
	case fiber.StatusUnauthorized:
		return msg("title.unauthorized")
	case fiber.StatusForbidden:
		return msg("title.forbidden")
	case fiber.StatusTooManyRequests:
		return msg("title.too_many")
	}
	return "Error"
}

// wantsJSON reports whether the client asked for JSON.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}
