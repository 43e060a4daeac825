package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/mysql"
)

// statusOf maps weekback error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	weekback.EINVALID:     fiber.StatusBadRequest,
	weekback.ETOOLARGE:    fiber.StatusRequestEntityTooLarge,
	weekback.ENOTFOUND:    fiber.StatusNotFound,
	weekback.ECONFLICT:    fiber.StatusConflict,
	weekback.EMISMATCH:    fiber.StatusInternalServerError,
	weekback.EUNAVAILABLE: fiber.StatusServiceUnavailable,
	weekback.EABORTED:     fiber.StatusServiceUnavailable,
	weekback.EINTERNAL:    fiber.StatusInternalServerError,
}

// unavailableRetryAfter is the Retry-After of a 503 answered because the
// backup server did not answer or stayed busy.
const unavailableRetryAfter = 5 * time.Second

// statusKeys names the catalog keys of each status: its page title
// ("title."+key) and its generic sentence ("error."+key).
var statusKeys = map[int]string{
	fiber.StatusBadRequest:            "bad_request",
	fiber.StatusUnauthorized:          "unauthorized",
	fiber.StatusForbidden:             "forbidden",
	fiber.StatusNotFound:              "not_found",
	fiber.StatusConflict:              "conflict",
	fiber.StatusGone:                  "gone",
	fiber.StatusMethodNotAllowed:      "not_allowed",
	fiber.StatusRequestEntityTooLarge: "too_large",
	fiber.StatusTooManyRequests:       "too_many",
	fiber.StatusServiceUnavailable:    "unavailable",
}

// handleError answers every error the same careful way: users see a status
// and a sentence meant for them, in their language (never SQL, a stack
// trace or an internal message); internal errors are logged with the
// request's method and path.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	l := s.localizer(c)
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	status, msg, detail := s.errorMessage(c, l, err)
	c.Status(status)
	if wantsJSON(c) {
		m := fiber.Map{"error": msg, "status": status}
		if detail != "" {
			m["detail"] = detail
		}
		return c.JSON(m)
	}
	return c.Render("error", fiber.Map{"Title": titleOf(l, status), "Message": msg, "Detail": detail, "Banner": dayBanner(c)})
}

// errorMessage returns the status of err and its sentence in l's language.
// A sentence that exists only in English (the weekback errors of other
// packages) is the detail under the status's generic sentence, except in
// English.
func (s *Server) errorMessage(c *fiber.Ctx, l *i18n.Localizer, err error) (status int, msg, detail string) {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status, msg = fe.Code, fe.Message
		if fiberOwn(fe) {
			msg = genericMessage(l, fe.Code)
		}
		if fe.Code == fiber.StatusRequestEntityTooLarge && strings.HasSuffix(c.Path(), "/exports") {
			msg = l.T("jobs.body_too_large", "max", DefaultBodyLimit>>10)
		}
		return status, msg, ""
	case weekback.ErrorCode(err) != weekback.EINTERNAL:
		status, msg = statusOf[weekback.ErrorCode(err)], weekback.ErrorMessage(err)
		if t, ok := translated(l, err); ok {
			return status, t, ""
		}
	case mysql.Unavailable(err):
		s.Logger.Warn("backup server unavailable", "method", c.Method(), "path", c.Path(), "err", err)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(unavailableRetryAfter.Seconds())))
		status = fiber.StatusServiceUnavailable
	default:
		s.Logger.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	if status == 0 {
		status = fiber.StatusInternalServerError
	}
	switch {
	case msg == "":
		msg = genericMessage(l, status)
	case !isUserError(err) && l.Lang() != "en":
		msg, detail = genericMessage(l, status), msg
	}
	return status, msg, detail
}

// translated returns the sentence of err's catalog key (weekback.Error.Key)
// in l's language, and whether it has one the catalogs know.
func translated(l *i18n.Localizer, err error) (string, bool) {
	key, args := weekback.ErrorKey(err)
	if key == "" || !l.Has(key) {
		return "", false
	}
	return l.T(key, args...), true
}

// fiberOwn reports whether fe is one of Fiber's own errors (404, 405,
// 413 …, in English and possibly naming the path) rather than one of the
// server's, whose message is already in the request's language.
func fiberOwn(fe *fiber.Error) bool {
	switch fe.Code {
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed, fiber.StatusRequestEntityTooLarge:
		return true
	}
	return fe.Message == utils.StatusMessage(fe.Code)
}

// genericMessage is the sentence of a status in l's language.
func genericMessage(l *i18n.Localizer, status int) string {
	if k := statusKeys[status]; k != "" {
		return l.T("error." + k)
	}
	return l.T("error.internal")
}

// titleOf is the page title of a status in l's language.
func titleOf(l *i18n.Localizer, status int) string {
	if k := statusKeys[status]; k != "" {
		return l.T("title." + k)
	}
	return l.T("title.internal")
}

// wantsJSON reports whether the client asked for JSON.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}
