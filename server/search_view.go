package server

import (
	"github.com/gofiber/fiber/v2"
)

// renderSearch answers a search as HTML or JSON.
func (s *Server) renderSearch(c *fiber.Ctx, p *dayPage, q string, tables []*searchTable) error {
	if tables == nil {
		tables = []*searchTable{}
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"day": p.Gen.Day, "q": q, "banner": p.Banner, "per_table": searchPerTable, "tables": tables})
	}
	l := s.localizer(c)
	day := l.Weekday(p.Gen.Day.Time())
	title := l.T("search.title", "weekday", day)
	if q != "" {
		title = l.T("search.title.query", "q", q, "weekday", day)
	}
	return c.Render("search", fiber.Map{"Title": title, "Banner": p.Banner, "Q": q, "Tables": tables,
		"Action": searchURL(p.Gen.Day, ""), "DayURL": "/" + string(p.Gen.Day) + "/", "PerTable": searchPerTable})
}
