package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/valyala/fasthttp"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/server/auth"
)

// Session cookie names: the __Host- prefix (which browsers accept only
// with Secure, Path=/ and no Domain) when BaseURL is https.
const (
	SessionCookie       = "weekback_session"
	SecureSessionCookie = "__Host-weekback_session"
)

// DefaultUserCacheTTL is the longest a logged-in user's permission is
// remembered before Users is asked again.
const DefaultUserCacheTTL = 60 * time.Second

// localPrincipal is the c.Locals key of the logged-in *principal.
const localPrincipal = "weekback.principal"

// principal is the user of a request that passed requireLogin.
type principal struct {
	Login string
	Admin bool
	JTI   string
	CSRF  string // the synchronizer token of the session's forms
}

// noStore keeps a response out of every cache.
func noStore(c *fiber.Ctx) { c.Set(fiber.HeaderCacheControl, "no-store") }

func (s *Server) sessionCookie() string {
	if s.secure {
		return SecureSessionCookie
	}
	return SessionCookie
}

// setSession sets the session cookie to token until expires.
func (s *Server) setSession(c *fiber.Ctx, token string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: s.sessionCookie(), Value: token, Path: "/", Expires: expires,
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
}

// clearSession deletes the session cookie.
func (s *Server) clearSession(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", Expires: fasthttp.CookieExpireDelete,
		MaxAge: -1, HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
}

// session returns the claims of the request's session cookie, nil when
// there is none or it is invalid or revoked. Errors mean the revocations
// cannot be read: the caller fails closed.
func (s *Server) session(c *fiber.Ctx) (*auth.Claims, error) {
	token := c.Cookies(s.sessionCookie())
	if token == "" || s.Sessions == nil {
		return nil, nil
	}
	claims, err := s.Sessions.Parse(token)
	if err != nil {
		if !errors.Is(err, auth.ErrInvalidSession) {
			return nil, fmt.Errorf("parse session: %w", err)
		}
		s.Logger.Debug("session refused", "err", err)
		return nil, nil
	}
	revoked, err := s.SessionStore.Revoked(c.UserContext(), claims.ID())
	if err != nil {
		return nil, fmt.Errorf("check session: %w", err)
	}
	if revoked {
		return nil, nil
	}
	return claims, nil
}

// requireLogin lets requests with a valid session of a user who is still
// allowed through (setting the principal, unless optionalLogin already
// has), and sends the others to the login page (HTML) or answers 401
// (JSON). Responses are never cached.
func (s *Server) requireLogin(c *fiber.Ctx) error {
	noStore(c)
	if principalOf(c) != nil {
		return c.Next() // optionalLogin made the same checks
	}
	if s.Sessions == nil || s.SessionStore == nil || s.Users == nil {
		return errors.New("login is not configured")
	}
	claims, err := s.session(c)
	if err != nil {
		return err
	}
	if claims == nil {
		return s.loginRequired(c)
	}
	login := utils.CopyString(claims.Login())
	u, binding, err := s.stillAllowed(c.UserContext(), login)
	if err != nil {
		return err
	}
	if u == nil || binding != claims.Binding {
		return s.endSession(c, login, claims, u == nil)
	}
	s.setPrincipal(c, u, claims)
	return c.Next()
}

// endSession ends the session of a user who may no longer log in (gone)
// or whose password changed since the session began: it is revoked,
// audited and its cookie cleared, and the request goes to the login page.
func (s *Server) endSession(c *fiber.Ctx, login string, claims *auth.Claims, gone bool) error {
	ctx := c.UserContext()
	detail := "no longer allowed to log in"
	if !gone {
		detail = "password changed since the session began"
	}
	if err := s.SessionStore.Revoke(ctx, claims.ID(), claims.Expires()); err != nil {
		s.Logger.Error("cannot revoke a session", "err", err)
	}
	s.audit(ctx, &weekback.AuditEntry{Login: login, Client: s.clientAddr(c), Action: weekback.AuditRefused,
		Outcome: weekback.OutcomeFailed, Detail: detail})
	s.clearSession(c)
	return s.loginRequired(c)
}

// optionalLogin sets the principal (for the header of public pages) when
// the request carries a valid session of a user who is still allowed. It
// never redirects, audits or fails: a bad cookie, a revoked session or an
// unreachable database leave the request anonymous, and requireLogin, where
// it runs next, decides again (seeing the principal, it lets it through).
func (s *Server) optionalLogin(c *fiber.Ctx) error {
	if s.Sessions == nil || s.SessionStore == nil || s.Users == nil || c.Cookies(s.sessionCookie()) == "" {
		return c.Next()
	}
	claims, err := s.session(c)
	if err != nil || claims == nil {
		if err != nil {
			s.Logger.Warn("session not checked on a public page", "err", err)
		}
		return c.Next()
	}
	u, binding, err := s.stillAllowed(c.UserContext(), utils.CopyString(claims.Login()))
	if err != nil {
		s.Logger.Warn("session not checked on a public page", "err", err)
	}
	if u != nil && binding == claims.Binding {
		s.setPrincipal(c, u, claims)
	}
	return c.Next()
}

// setPrincipal makes u the request's user (for the handlers and, as "Me",
// for the views: the header's login, admin mark and logout form). The
// answer then holds the session's CSRF token: it is never cached.
func (s *Server) setPrincipal(c *fiber.Ctx, u *weekback.User, claims *auth.Claims) {
	noStore(c)
	p := &principal{Login: u.Login, Admin: u.Admin, JTI: claims.ID(), CSRF: s.csrfToken(claims.ID())}
	c.Locals(localPrincipal, p)
	c.Bind(fiber.Map{"Me": p})
}

// loginRequired answers a request without a usable session.
func (s *Server) loginRequired(c *fiber.Ctx) error {
	if wantsJSON(c) {
		return fiber.NewError(fiber.StatusUnauthorized, s.localizer(c).T("session.required"))
	}
	next := strings.ReplaceAll(url.QueryEscape(safeNext(c.OriginalURL())), "%2F", "/")
	return c.Redirect("/login?next="+next, fiber.StatusSeeOther)
}

// stillAllowed returns the user of login when Users says they may still
// log in, nil when not (or no longer there), with the session binding of
// their password hash (see auth.Sessions.Binding). Answers are cached (see
// userCache): past half the TTL one request asks Users again, and if that
// fails the cached answer stands until the TTL ends.
func (s *Server) stillAllowed(ctx context.Context, login string) (*weekback.User, string, error) {
	u, binding, valid, refresh := s.users.get(login)
	if valid && !refresh {
		return u, binding, nil
	}
	fresh, err := s.lookupAllowed(ctx, login)
	if err != nil && refresh {
		s.users.refreshFailed(login)
		return u, binding, nil
	}
	if err != nil {
		return nil, "", err
	}
	if fresh != nil {
		binding = s.Sessions.Binding(fresh.PasswordHash)
	}
	return s.users.put(login, fresh, binding), binding, nil
}

// lookupAllowed asks Users whether login may log in: the user, or nil when
// not (or no longer there).
func (s *Server) lookupAllowed(ctx context.Context, login string) (*weekback.User, error) {
	u, err := s.Users(ctx, login)
	switch weekback.ErrorCode(err) {
	case "":
	case weekback.ENOTFOUND:
		u = nil
	case weekback.EUNAVAILABLE:
		// The users table cannot be read now (production down): fail
		// closed with a 503 whose sentence says so.
		s.Logger.Warn("cannot check that a logged-in user is still allowed", "login", login, "err", err)
		return nil, fmt.Errorf("check user %q: %w", login, err)
	default:
		// A configuration problem: fail closed, with the details in the
		// log only.
		return nil, fmt.Errorf("check user %q: %v", login, err)
	}
	if u != nil && !u.Allowed {
		u = nil
	}
	return u, nil
}

// principalOf returns the logged-in user set by requireLogin, or nil.
func principalOf(c *fiber.Ctx) *principal {
	p, _ := c.Locals(localPrincipal).(*principal)
	return p
}

// me answers who is logged in (JSON): the login, the admin flag and the
// token the session's forms must carry.
func (s *Server) me(c *fiber.Ctx) error {
	p := principalOf(c)
	return c.JSON(fiber.Map{"login": p.Login, "admin": p.Admin, "csrf": p.CSRF})
}

// userCache remembers for ttl whether logins are still allowed (nil: not
// allowed). Past half the ttl, get asks one caller at a time to check
// again while the others keep the cached answer. It keeps no password
// hash. It is safe for concurrent use.
type userCache struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]userEntry
}

type userEntry struct {
	user       *weekback.User
	binding    string    // the session binding of the user's password hash
	soft       time.Time // from then on, one caller checks again
	until      time.Time // from then on, every caller does
	refreshing bool
}

// maxCachedUsers bounds the cache: past it, expired entries are dropped,
// and everything if none has expired.
const maxCachedUsers = 10_000

func newUserCache(ttl time.Duration, now func() time.Time) *userCache {
	return &userCache{ttl: max(ttl, 0), now: now, m: map[string]userEntry{}}
}

// get returns the cached answer for login and its session binding,
// whether there is a valid one, and whether this caller should check again
// (then the others are not asked to until it calls put or refreshFailed).
func (uc *userCache) get(login string) (u *weekback.User, binding string, valid, refresh bool) {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	e, ok := uc.m[login]
	now := uc.now()
	if !ok || !now.Before(e.until) {
		return nil, "", false, false
	}
	if !now.Before(e.soft) && !e.refreshing {
		e.refreshing = true
		uc.m[login] = e
		return e.user, e.binding, true, true
	}
	return e.user, e.binding, true, false
}

// refreshFailed lets another caller check login again.
func (uc *userCache) refreshFailed(login string) {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	if e, ok := uc.m[login]; ok {
		e.refreshing = false
		uc.m[login] = e
	}
}

// put remembers u (without its password hash) and the session binding of
// that hash for login, and returns the user it keeps.
func (uc *userCache) put(login string, u *weekback.User, binding string) *weekback.User {
	if u != nil {
		c := *u
		c.PasswordHash = ""
		u = &c
	}
	uc.mu.Lock()
	defer uc.mu.Unlock()
	now := uc.now()
	if len(uc.m) >= maxCachedUsers {
		for k, e := range uc.m {
			if !now.Before(e.until) {
				delete(uc.m, k)
			}
		}
		if len(uc.m) >= maxCachedUsers {
			clear(uc.m)
		}
	}
	uc.m[login] = userEntry{user: u, binding: binding, soft: now.Add(uc.ttl / 2), until: now.Add(uc.ttl)}
	return u
}
