package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/server/auth"
)

// maxLoginChars is the longest login kept for throttling and the audit log
// (their columns hold 255 characters).
const maxLoginChars = 255

// getLogin shows the login form (GET /login, GET /{day}/login).
func (s *Server) getLogin(c *fiber.Ctx) error {
	l := s.localizer(c)
	lead, next := l.T("login.lead"), "/"
	if d := c.Params("day"); d != "" {
		day := weekback.Weekday(d)
		if !day.Valid() {
			return fiber.ErrNotFound
		}
		lead, next = l.T("login.lead.day", "weekday", l.Weekday(day.Time())), "/"+string(day)+"/"
	}
	if q := c.Query("next"); q != "" {
		next = safeNext(q)
	}
	return s.renderLogin(c, fiber.StatusOK, lead, next, "")
}

// renderLogin answers with the login form (or, for JSON, the message).
func (s *Server) renderLogin(c *fiber.Ctx, status int, lead, next, errMsg string) error {
	noStore(c)
	c.Status(status)
	if wantsJSON(c) {
		if errMsg != "" {
			return c.JSON(fiber.Map{"error": errMsg, "status": status})
		}
		return c.JSON(fiber.Map{"next": next, "csrf": s.loginCSRF(c)})
	}
	return c.Render("login", fiber.Map{"Title": s.localizer(c).T("login.title"), "Lead": lead, "Error": errMsg,
		"Next": next, "CSRF": s.loginCSRF(c)})
}

// postLogin checks a login (POST /login, after the CSRF checks): 303 to
// next with a session cookie, 401 with one generic message for every kind
// of failure, 429 while the login from this client, the client, or (with
// a growing delay) the login is throttled. The attempt is counted before
// the password is checked, so concurrent attempts cannot pass the limit;
// a success, or an attempt that could not be checked, is taken back.
func (s *Server) postLogin(c *fiber.Ctx) error {
	noStore(c)
	ctx := c.UserContext()
	login, password := utils.CopyString(c.FormValue("login")), c.FormValue("password")
	next, client := safeNext(c.FormValue("next")), s.clientAddr(c)
	key := throttleKey(login)
	entry := &weekback.AuditEntry{Login: key, Client: client, Action: weekback.AuditLogin, Outcome: weekback.OutcomeFailed}
	if retry, err := s.reserveAttempt(ctx, key, client); err != nil {
		return err
	} else if retry > 0 {
		s.auditThrottled(ctx, entry)
		return s.tooManyAttempts(c, next, retry)
	}
	u, fail, err := s.authenticate(ctx, login, password)
	if err != nil || u != nil {
		s.releaseAttempt(ctx, key, client)
	}
	if weekback.ErrorCode(err) == weekback.EUNAVAILABLE {
		return s.loginUnavailable(c, entry, next, err)
	}
	if err != nil {
		return err
	}
	if u == nil {
		entry.Detail = fail.detail
		s.audit(ctx, entry)
		s.metrics.loginFailed(fail.reason)
		l := s.localizer(c)
		return s.renderLogin(c, fiber.StatusUnauthorized, l.T("login.lead"), next, l.T("login.failed"))
	}
	token, claims, err := s.Sessions.Issue(u.Login, u.Admin, s.Sessions.Binding(u.PasswordHash))
	if err != nil {
		return err
	}
	s.users.put(u.Login, u, claims.Binding)
	s.setSession(c, token, claims.Expires())
	entry.Login, entry.Outcome = u.Login, weekback.OutcomeOK
	s.audit(ctx, entry)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// auditThrottled audits a refused attempt: one entry per login and client
// per throttle window, its count growing with each attempt.
func (s *Server) auditThrottled(ctx context.Context, e *weekback.AuditEntry) {
	e.Detail = "throttled"
	e.Key = "throttled\x00" + e.Login + "\x00" + e.Client + "\x00" + s.Throttle.WindowOf(s.Now()).UTC().Format(time.RFC3339)
	s.audit(ctx, e)
	s.metrics.loginFailed(failThrottled)
}

// loginUnavailable answers a login that could not be checked because the
// users table cannot be read now (production or the backup server does not
// answer, or no backup is ready): 503 with the login form and err's
// sentence, which says to try again later. It is not a failed attempt: it
// does not count towards throttling.
func (s *Server) loginUnavailable(c *fiber.Ctx, entry *weekback.AuditEntry, next string, err error) error {
	s.Logger.Error("login: cannot check the user", "err", err)
	entry.Detail = "users table unavailable"
	s.audit(c.UserContext(), entry)
	s.metrics.loginFailed(failUnavailable)
	l := s.localizer(c)
	msg, ok := translated(l, err)
	if !ok {
		msg = l.T("error.unavailable")
	}
	return s.renderLogin(c, fiber.StatusServiceUnavailable, l.T("login.lead"), next, msg)
}

// loginFailure says why a login failed: reason for the metrics (one of
// loginFailureReasons), detail for the log and the audit (never for the
// user).
type loginFailure struct{ reason, detail string }

// authenticate returns the user when login and password are right and the
// user is allowed; else nil and why. Every failure costs about one
// password verification. Errors are the database's: the caller answers
// 500/503.
func (s *Server) authenticate(ctx context.Context, login, password string) (*weekback.User, loginFailure, error) {
	if login == "" || password == "" {
		s.verifier().Dummy(password)
		if login == "" {
			return nil, loginFailure{failUnknownUser, "empty login"}, nil
		}
		return nil, loginFailure{failWrongPassword, "empty password"}, nil
	}
	u, err := s.Users(ctx, login)
	switch code := weekback.ErrorCode(err); code {
	case "":
	case weekback.ENOTFOUND, weekback.EINVALID:
		if _, plain := err.(*weekback.Error); !plain || code == weekback.EINVALID {
			s.Logger.Error("login: cannot look up the user", "err", err)
		}
		s.verifier().Dummy(password)
		if code == weekback.EINVALID {
			return nil, loginFailure{failUnknownUser, "configuration problem (see the server log)"}, nil
		}
		return nil, loginFailure{failUnknownUser, "unknown user"}, nil
	default:
		return nil, loginFailure{}, fmt.Errorf("look up user: %w", err)
	}
	err = s.verifier().Verify(u.PasswordHash, u.Salt, password)
	var unknown *auth.UnknownFormatError
	var invalid *auth.InvalidHashError
	switch {
	case errors.As(err, &unknown):
		s.Logger.Warn("login refused: unsupported password hash format", "format", unknown.Format)
		return nil, loginFailure{failUnknownHash, "unsupported password hash format " + unknown.Format}, nil
	case errors.As(err, &invalid):
		s.Logger.Warn("login refused: password hash cannot be verified", "format", invalid.Format, "reason", invalid.Reason)
		return nil, loginFailure{failUnknownHash, "unverifiable password hash (" + invalid.Format + ")"}, nil
	case err != nil:
		return nil, loginFailure{failWrongPassword, "wrong password"}, nil
	case !u.Allowed:
		return nil, loginFailure{failNotAllowed, "not allowed by auth.allow"}, nil
	}
	return u, loginFailure{}, nil
}

// reserveAttempt counts an attempt of login from client, atomically
// with the check of the throttle policy: how long it must wait, 0 when it
// may go on (and is counted).
func (s *Server) reserveAttempt(ctx context.Context, login, client string) (time.Duration, error) {
	now := s.Now()
	retry, err := s.SessionStore.ReserveLogin(ctx, login, client, func(c *weekback.LoginCounters) time.Duration {
		return s.Throttle.Reserve(c, now)
	})
	if err != nil {
		return 0, fmt.Errorf("check throttling: %w", err)
	}
	return retry, nil
}

// releaseAttempt takes back an attempt that succeeded or could not be
// checked; a failure is logged (the attempt then counts as failed).
func (s *Server) releaseAttempt(ctx context.Context, login, client string) {
	if err := s.SessionStore.ReleaseLogin(context.WithoutCancel(ctx), login, client); err != nil {
		s.Logger.Error("cannot release a login attempt", "err", err)
	}
}

// tooManyAttempts answers 429 with Retry-After (whole seconds, rounded up).
func (s *Server) tooManyAttempts(c *fiber.Ctx, next string, retry time.Duration) error {
	secs := int(math.Ceil(retry.Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	l := s.localizer(c)
	msg := l.N("login.throttled.seconds", secs)
	if secs >= 60 {
		msg = l.N("login.throttled", (secs+59)/60, "time", l.Time(s.Now().Add(retry), s.Location))
	}
	return s.renderLogin(c, fiber.StatusTooManyRequests, l.T("login.lead"), next, msg)
}

// postLogout revokes the session until it expires, clears its cookie and
// goes back to the landing page. A logged-in user's POST must carry the
// session's CSRF token.
func (s *Server) postLogout(c *fiber.Ctx) error {
	noStore(c)
	ctx := c.UserContext()
	claims, err := s.session(c)
	if err != nil {
		return err
	}
	if claims != nil {
		if !s.sessionCSRFOK(c, claims.ID()) {
			return s.csrfFailed(c)
		}
		if err := s.SessionStore.Revoke(ctx, claims.ID(), claims.Expires()); err != nil {
			return err
		}
		s.audit(ctx, &weekback.AuditEntry{Login: claims.Login(), Client: s.clientAddr(c), Action: weekback.AuditLogout, Outcome: weekback.OutcomeOK})
	}
	s.clearSession(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}

// audit writes e to the audit log; a failure is logged.
func (s *Server) audit(ctx context.Context, e *weekback.AuditEntry) {
	if err := s.Audit.Audit(ctx, e); err != nil {
		s.Logger.Error("cannot write the audit log", "action", e.Action, "login", e.Login, "err", err)
	}
}

// safeNext returns next when it is a local absolute path (a single "/"
// then no scheme, host, backslash or control character), else "/".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

// throttleKey is the login as failures are counted and audited: lower
// case (so case variants share a budget), at most maxLoginChars.
func throttleKey(login string) string {
	k := strings.ToLower(strings.TrimSpace(login))
	if utf8.RuneCountInString(k) > maxLoginChars {
		k = string([]rune(k)[:maxLoginChars])
	}
	return k
}
