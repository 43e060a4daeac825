package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
)

// dayView is one row of the landing page (and of its JSON, which keeps
// to raw values: Name is the day's English name whatever the language).
type dayView struct {
	Day         weekback.Weekday          `json:"day"`
	Name        string                    `json:"name"`
	Label       string                    `json:"-"` // the day's name in the request's language
	Status      weekback.GenerationStatus `json:"status"`
	StatusText  string                    `json:"-"`
	Ready       bool                      `json:"ready"`
	SnapshotAt  string                    `json:"-"`
	SnapshotISO string                    `json:"snapshot_at,omitempty"`
	Tables      int                       `json:"tables,omitempty"`
	Rows        int64                     `json:"rows,omitempty"`
	URL         string                    `json:"url,omitempty"`
	ChangesURL  string                    `json:"changes_url,omitempty"` // since the copy before (logged-in users)
}

// landing shows the seven days (status, snapshot time and links) and the
// week at a glance: every table's row counts over the seven days, to
// logged-in users only (the page is public; table names are not). The
// days' numbers of tables and rows are shown to logged-in users, and to
// everyone with PublicCounts.
func (s *Server) landing(c *fiber.Ctx) error {
	gens, err := s.Generations.Generations(c.UserContext())
	if err != nil {
		return err
	}
	l := s.localizer(c)
	counts := principalOf(c) != nil || s.PublicCounts
	days := make([]dayView, len(gens))
	for i, g := range gens {
		days[i] = s.dayView(l, g, counts)
	}
	var week []*weekChart // table names and counts: for logged-in users only
	if principalOf(c) != nil {
		week = weekCharts(l, gens)
		s.addMoves(l, week, s.weekMoves(c.UserContext(), gens, weekWait))
		s.changesLinks(days, gens)
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"days": days, "timezone": s.Location.String(), "week": week}) // null when anonymous
	}
	return c.Render("index", fiber.Map{"Title": l.T("landing.title"), "Days": days, "Zone": s.Location.String(),
		"Week": week, "WeekLegend": weekLegend(l), "AlertLegend": alertLegend(l, s.AlertFraction, week), "LoggedIn": principalOf(c) != nil, "Counts": counts,
		"Demo": s.demoView(l)})
}

// dayView returns g as a row of the landing page, with its numbers of
// tables and rows when counts is set.
func (s *Server) dayView(l *i18n.Localizer, g *weekback.Generation, counts bool) dayView {
	v := dayView{Day: g.Day, Name: g.Day.Title(), Label: l.Weekday(g.Day.Time()), Status: g.Status,
		StatusText: statusText(l, g), Ready: g.Ready()}
	if g.Ready() {
		at := g.Manifest.SnapshotAt.In(s.Location)
		v.SnapshotAt, v.SnapshotISO = l.DateTime(at, s.Location), at.Format(time.RFC3339)
		v.URL = "/" + string(g.Day) + "/"
	}
	if g.Ready() && counts {
		v.Tables, v.Rows = len(g.Manifest.Tables), g.Manifest.Rows
	}
	return v
}

// Demo is what the demo's pages say about it.
type Demo struct {
	// Logins are the demo's users that may log in.
	Logins []DemoLogin
	// Story is the simulated date each day's copy stands for: the demo
	// takes the seven copies one after the other, now.
	Story map[weekback.Weekday]time.Time
}

// DemoLogin is one login of the demo, shown on its landing page.
type DemoLogin struct {
	Login, Password string
	Admin           bool // sees the audit log and the snapshot runs
}

// demoView is the landing page's demo notice in l's language; nil
// outside the demo.
type demoView struct {
	Text   string
	Logins []DemoLogin
}

func (s *Server) demoView(l *i18n.Localizer) *demoView {
	if s.Demo == nil {
		return nil
	}
	first, last := s.Demo.Story[weekback.Monday], s.Demo.Story[weekback.Sunday]
	return &demoView{Text: l.T("demo.landing", "first", l.Date(first), "last", l.Date(last)), Logins: s.Demo.Logins}
}

// statusText explains the status of g in l's language.
func statusText(l *i18n.Localizer, g *weekback.Generation) string {
	if g.Status == weekback.StatusBuilding && !g.Ready() {
		return l.T("status.building.unserved")
	}
	return l.T("status." + string(g.Status) + ".detail")
}
