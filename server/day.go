package server

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/mysql"
)

// localDay is the c.Locals key of the *dayPage of a request under /{day}/.
const localDay = "weekback.day"

// dayPage is the generation a request under /{day}/ reads, and the banner
// every page of that day shows.
type dayPage struct {
	Gen    *weekback.Generation
	Gens   []*weekback.Generation // all seven days, Monday first
	Banner *banner
}

// banner is the strip on top of every page of a day: which backup this is,
// that it is read-only, and links to the same page on the other days. Its
// JSON keeps to raw values; Text, StatusText and the labels are for pages.
type banner struct {
	Day        weekback.Weekday          `json:"day"`
	SnapshotAt string                    `json:"snapshot_at"` // RFC 3339, in Server.Location
	Status     weekback.GenerationStatus `json:"status"`
	Days       []switchLink              `json:"days"`
	Text       string                    `json:"-"`
	StatusText string                    `json:"-"` // set when the day is building or failed
	DemoText   string                    `json:"-"` // in the demo: when the copy was taken, and the story's date
}

// switchLink is one day of the banner's day switcher.
type switchLink struct {
	Day     weekback.Weekday `json:"day"`
	Label   string           `json:"-"`             // the short name of the day
	Name    string           `json:"-"`             // its full name
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
		return nil, s.notServed(c, day, gen)
	}
	var l *i18n.Localizer // JSON keeps raw values: no sentences
	if !wantsJSON(c) {
		l = s.localizer(c)
	}
	p := &dayPage{Gen: gen, Gens: gens, Banner: s.newBanner(l, gen, gens, samePage)}
	c.Locals(localDay, p)
	return p, nil
}

// notServed returns the ENOTFOUND error of a day that has no served copy.
func (s *Server) notServed(c *fiber.Ctx, day weekback.Weekday, g *weekback.Generation) error {
	if g != nil && g.Discarded != nil {
		return s.discardedDay(c, g)
	}
	key := "day.never"
	if g != nil && g.Status == weekback.StatusBuilding {
		key = "day.building"
	} else if g != nil && g.Status == weekback.StatusFailed {
		key = "day.failed"
	}
	return s.errorf(c, weekback.ENOTFOUND, key, "weekday", s.localizer(c).Weekday(day.Time()))
}

// discardedDay returns the 410 of a day discarded on purpose: a sentence
// saying when, and that the next snapshot of that weekday fills it again.
func (s *Server) discardedDay(c *fiber.Ctx, g *weekback.Generation) error {
	l := s.localizer(c)
	return fiber.NewError(fiber.StatusGone, l.T("day.discarded", "weekday", l.Weekday(g.Day.Time()),
		"datetime", l.DateTime(g.Discarded.At, s.Location)))
}

// newBanner returns the banner of gen in l's language; without l (JSON),
// only its raw values.
func (s *Server) newBanner(l *i18n.Localizer, gen *weekback.Generation, gens []*weekback.Generation, samePage func(d weekback.Weekday) string) *banner {
	at := gen.Manifest.SnapshotAt.In(s.Location)
	b := &banner{Day: gen.Day, SnapshotAt: at.Format(time.RFC3339), Status: gen.Status}
	if l != nil {
		b.Text = l.T("banner.text", "weekday", l.Weekday(gen.Day.Time()), "datetime", l.DateTime(at, s.Location))
		if s.Demo != nil {
			b.DemoText = l.T("demo.banner", "date", l.Date(s.Demo.Story[gen.Day]))
		}
	}
	if l != nil && gen.Status != weekback.StatusReady {
		b.StatusText = statusText(l, gen)
	}
	for _, g := range gens {
		sl := switchLink{Day: g.Day, Current: g.Day == gen.Day}
		if l != nil {
			sl.Label, sl.Name = l.T("weekday.short."+string(g.Day)), l.Weekday(g.Day.Time())
		}
		if g.Ready() {
			sl.URL = samePage(g.Day)
		}
		b.Days = append(b.Days, sl)
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
	l := s.localizer(c)
	return c.Render("day", fiber.Map{"Title": l.Weekday(p.Gen.Day.Time()), "Banner": p.Banner, "Tables": tables, "Views": views,
		"Rows": m.Rows, "Heading": l.T("day.heading", "weekday", l.Weekday(p.Gen.Day.Time())), "Download": s.dayDownloadForm(c, p.Gen.Day),
		"ChangesURL": changesURL(p.Gen.Day, "")})
}

// tableURL returns the address of a table's records on day.
func tableURL(day weekback.Weekday, table string) string {
	return "/" + string(day) + "/tables/" + mysql.EscapePathSegment(url.PathEscape(table))
}
