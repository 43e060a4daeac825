package server

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
)

// localDay is the c.Locals key of the *dayPage of a request under /{day}/.
const localDay = "weekback.day"

// dayPage is the generation a request under /{day}/ reads, and the banner
// every page of that day shows.
type dayPage struct {
	Gen    *weekback.Generation
	Banner *banner
}

// banner is the strip on top of every page of a day: which backup this is,
// that it is read-only, and links to the same page on the other days.
type banner struct {
	Text   string       `json:"text"`
	Status string       `json:"status,omitempty"` // set when the day is building or failed
	Days   []switchLink `json:"days"`
}

// switchLink is one day of the banner's day switcher.
type switchLink struct {
	Day     weekback.Weekday `json:"day"`
	Label   string           `json:"label"`
	URL     string           `json:"url,omitempty"` // "" when the day has no served copy
	Current bool             `json:"current,omitempty"`
}

// dayParam answers 404 for a /{day}/ that is not one of the seven days
// before anything else (the login included) looks at the request.
func dayParam(c *fiber.Ctx) error {
	noStore(c)
	if !weekback.Weekday(c.Params("day")).Valid() {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// loadDay reads the generations, sets the day's page (and its banner, for
// error pages too) and returns it. samePage gives the address of the same
// page on another day. A day without a served copy is ENOTFOUND with a
// sentence saying why.
func (s *Server) loadDay(c *fiber.Ctx, samePage func(d weekback.Weekday) string) (*dayPage, error) {
	day := weekback.Weekday(c.Params("day"))
	gens, err := s.Generations.Generations(c.UserContext())
	if err != nil {
		return nil, err
	}
	var gen *weekback.Generation
	for _, g := range gens {
		if g.Day == day {
			gen = g
		}
	}
	if gen == nil || !gen.Ready() {
		return nil, notServed(day, gen)
	}
	p := &dayPage{Gen: gen, Banner: s.newBanner(gen, gens, samePage)}
	c.Locals(localDay, p)
	return p, nil
}

// notServed returns the ENOTFOUND error of a day that has no served copy.
func notServed(day weekback.Weekday, g *weekback.Generation) error {
	key := "day.never"
	if g != nil && g.Status == weekback.StatusBuilding {
		key = "day.building"
	} else if g != nil && g.Status == weekback.StatusFailed {
		key = "day.failed"
	}
	return weekback.Errorf(weekback.ENOTFOUND, "%s", msg(key, day.Title()))
}

func (s *Server) newBanner(gen *weekback.Generation, gens []*weekback.Generation, samePage func(d weekback.Weekday) string) *banner {
	at := gen.Manifest.SnapshotAt.In(s.Location)
	b := &banner{Text: msg("banner.text", gen.Day.Title(), at.Format("2006-01-02 15:04 MST"))}
	if gen.Status != weekback.StatusReady {
		b.Status = statusText[gen.Status]
	}
	for _, g := range gens {
		l := switchLink{Day: g.Day, Label: g.Day.Title()[:3], Current: g.Day == gen.Day}
		if g.Ready() {
			l.URL = samePage(g.Day)
		}
		b.Days = append(b.Days, l)
	}
	return b
}

// dayBanner returns the banner of the request's day, nil outside a day.
func dayBanner(c *fiber.Ctx) *banner {
	if p, ok := c.Locals(localDay).(*dayPage); ok {
		return p.Banner
	}
	return nil
}

// tableView is one table (or view) of a day's list.
type tableView struct {
	Name  string `json:"name"`
	Rows  int64  `json:"rows"`
	URL   string `json:"url"`
	View  bool   `json:"view,omitempty"`
	Error string `json:"error,omitempty"` // a view that could not be recreated
}

// dayTables shows the tables and views of a day, with the manifest's row
// counts.
func (s *Server) dayTables(c *fiber.Ctx) error {
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return "/" + string(d) + "/" })
	if err != nil {
		return err
	}
	m := p.Gen.Manifest
	tables := make([]tableView, 0, len(m.Tables))
	for _, t := range m.Tables {
		tables = append(tables, tableView{Name: t.Name, Rows: t.Rows, URL: tableURL(p.Gen.Day, t.Name)})
	}
	views := make([]tableView, 0, len(m.Views))
	for _, v := range m.Views {
		views = append(views, tableView{Name: v.Name, URL: tableURL(p.Gen.Day, v.Name), View: true, Error: v.Error})
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"day": p.Gen.Day, "status": p.Gen.Status, "snapshot_at": m.SnapshotAt.In(s.Location).Format(time.RFC3339),
			"banner": p.Banner, "tables": tables, "views": views, "rows": m.Rows})
	}
	return c.Render("day", fiber.Map{"Title": p.Gen.Day.Title(), "Banner": p.Banner, "Tables": tables, "Views": views,
		"Rows": m.Rows, "Heading": msg("day.heading", p.Gen.Day.Title())})
}

// tableURL returns the address of a table's records on day.
func tableURL(day weekback.Weekday, table string) string {
	return "/" + string(day) + "/tables/" + url.PathEscape(table)
}
