package server

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/web"
)

// localLocalizer is the c.Locals key of the request's *i18n.Localizer.
const localLocalizer = "weekback.localizer"

// langCookieMaxAge is how long the language picked with the switcher is
// remembered.
const langCookieMaxAge = 365 * 24 * time.Hour

// langLink is one language of the header's language switcher.
type langLink struct {
	Lang, Name, URL string
	Current         bool
}

// language picks the request's language (the CookieName cookie, else
// Accept-Language, else English) for the handlers and the templates. Every
// response behind it may depend on the language, so it says so in Vary.
func (s *Server) language(c *fiber.Ctx) error {
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	s.localizer(c)
	return c.Next()
}

// localizer returns the request's Localizer, picking it (and binding it,
// the language and the switcher's links to the views) on first use.
func (s *Server) localizer(c *fiber.Ctx) *i18n.Localizer {
	if l, ok := c.Locals(localLocalizer).(*i18n.Localizer); ok {
		return l
	}
	l := s.Messages.Localizer(s.Messages.Match(c.Cookies(i18n.CookieName), c.Get(fiber.HeaderAcceptLanguage)))
	c.Locals(localLocalizer, l)
	c.Bind(fiber.Map{"L": l, "Lang": l.Lang(), "Langs": s.langLinks(l, safeNext(c.OriginalURL()))})
	return l
}

// langLinks returns the switcher's links, each back to next.
func (s *Server) langLinks(cur *i18n.Localizer, next string) []langLink {
	tags := s.Messages.Languages()
	out := make([]langLink, len(tags))
	for i, tag := range tags {
		lang := tag.String()
		out[i] = langLink{Lang: lang, Name: s.Messages.Name(tag), Current: lang == cur.Lang(),
			URL: "/lang/" + lang + "?next=" + url.QueryEscape(next)}
	}
	return out
}

// switchLanguage remembers the language of GET /lang/{code} in its cookie
// and goes back to next (a local path; "/" otherwise). An unsupported code
// is 404. It is public and changes no data.
func (s *Server) switchLanguage(c *fiber.Ctx) error {
	noStore(c)
	tag, ok := s.Messages.Parse(c.Params("code"))
	if !ok {
		return fiber.ErrNotFound
	}
	c.Cookie(&fiber.Cookie{Name: i18n.CookieName, Value: tag.String(), Path: "/", MaxAge: int(langCookieMaxAge.Seconds()),
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
}

// userError is an error whose sentence is already in the request's
// language (weekback errors of other packages are in English).
type userError struct{ err *weekback.Error }

func (e *userError) Error() string { return e.err.Message }
func (e *userError) Unwrap() error { return e.err }

// errorf returns a weekback error with code whose message is key in the
// request's language.
func (s *Server) errorf(c *fiber.Ctx, code, key string, args ...any) error {
	return &userError{&weekback.Error{Code: code, Message: s.localizer(c).T(key, args...)}}
}

// isUserError reports whether err's sentence is in the request's language.
func isUserError(err error) bool {
	var ue *userError
	return errors.As(err, &ue)
}

// localizedViews renders the templates with the functions of the
// request's language: one set of templates per language, each with t, n
// and num bound to that language's Localizer. The Localizer comes from
// the binding's "L" (set by Server.localizer); English without it.
type localizedViews struct {
	byLang     map[string]*html.Engine
	localizers map[string]*i18n.Localizer
	def        *html.Engine
	// inline has Load write each language's argument-free messages into
	// its templates (inlineMessages); on unless a test turns it off.
	inline bool
}

func newLocalizedViews(cat *i18n.Catalog) *localizedViews {
	v := &localizedViews{byLang: map[string]*html.Engine{}, localizers: map[string]*i18n.Localizer{}, inline: true}
	for _, tag := range cat.Languages() {
		l := cat.Localizer(tag)
		e := html.NewFileSystem(http.FS(web.FS), ".html")
		e.AddFuncMap(templateFuncs(l))
		v.byLang[l.Lang()], v.localizers[l.Lang()] = e, l
		if v.def == nil {
			v.def = e // English comes first
		}
	}
	return v
}

// templateFuncs are the text functions of the templates in l's language:
// t KEY [NAME VALUE]… (a message), n KEY COUNT [NAME VALUE]… (its plural
// form for COUNT), num N (a number), and the parts of pages written in Go
// (cells_html.go, parts_html.go, week_html.go), each named below.
func templateFuncs(l *i18n.Localizer) map[string]any {
	return map[string]any{
		"t":   l.T,
		"n":   func(key string, count any, args ...any) string { return l.N(key, toInt(count), args...) },
		"num": func(n any) string { return l.Number(int64(toInt(n))) },
		// cells writes a records row's cells (cellsHTML).
		"cells": func(cells []cellView) template.HTML { return cellsHTML(l, cells) },
		// filterrows, langlinks, dayswitch and colheads write the filter
		// form's rows, the language links, the day switcher and the
		// records table's column heads (parts_html.go).
		"filterrows": func(rows []filterRow) template.HTML { return filterRowsHTML(l, rows) },
		"langlinks":  langLinksHTML,
		"dayswitch":  daySwitchHTML,
		"colheads":   columnHeadsHTML,
		// weekbars and weekalerts write a table's week chart and its
		// alert links (weekBarsHTML, weekAlertsHTML).
		"weekbars":   func(bars []weekBar) template.HTML { return weekBarsHTML(l, bars) },
		"weekalerts": weekAlertsHTML,
	}
}

// toInt converts the integers templates hand to n and num.
func toInt(v any) int {
	switch v := v.(type) {
	case int:
		return v
	case int64:
		return int(v)
	case int32:
		return int(v)
	case uint64:
		return int(v)
	case uint32:
		return int(v)
	}
	return 0
}

// Load parses every language's templates.
func (v *localizedViews) Load() error {
	for lang, e := range v.byLang {
		if err := e.Load(); err != nil {
			return fmt.Errorf("load templates (%s): %w", lang, err)
		}
		if err := wrapPages(e); err != nil {
			return fmt.Errorf("load templates (%s): %w", lang, err)
		}
		escapeAll(e)
		if v.inline {
			inlineMessages(e, v.localizers[lang])
		}
	}
	return nil
}

// escapeAll has html/template escape every template once, before any
// request. It escapes a template on its first Execute, writing the shared
// set, while the html engine copies templates without a lock: the first
// pages rendered at once would race. Executing with no data fails after
// the escaping, which is all that is wanted here.
func escapeAll(e *html.Engine) {
	for _, t := range e.Templates.Templates() {
		_ = t.Execute(io.Discard, nil)
	}
}

// Render renders name in the binding's language; a page in the page
// layout without the engine's lock (see wrapPages).
func (v *localizedViews) Render(out io.Writer, name string, binding any, layout ...string) error {
	e := v.def
	if m, ok := binding.(fiber.Map); ok {
		if l, ok := m["L"].(*i18n.Localizer); ok && v.byLang[l.Lang()] != nil {
			e = v.byLang[l.Lang()]
		}
	}
	if ok, err := renderPage(e, out, name, binding, layout); ok {
		return err
	}
	return e.Render(out, name, binding, layout...)
}
