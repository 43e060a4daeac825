package server

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/compare"
	"github.com/weekback/weekback/i18n"
)

// tableChangeView is one table of the changes page.
type tableChangeView struct {
	compare.TableChange
	URL                    string // the table's records (on the day that has it)
	AddedURL, DeletedURL   string // its rows of each kind ("" when none)
	ChangedURL, StatusText string
	Notes                  []string // columns added, dropped, retyped; compared by hash
}

// againstOption is one choice of the changes page's "compare with" list.
type againstOption struct {
	Value, Label string
	Selected     bool
}

// renderChanges answers the changes page: the tables of cp biggest
// change first (tables nil: no earlier copy to compare with).
func (s *Server) renderChanges(c *fiber.Ctx, p *dayPage, cp changePair, tables []compare.TableChange) error {
	if wantsJSON(c) {
		m := fiber.Map{"day": p.Gen.Day, "banner": p.Banner, "against": nil, "tables": []compare.TableChange{}}
		if cp.From != nil {
			from, to := cp.labels()
			m["from"], m["to"], m["against"], m["tables"] = from, to, cp.Against, nonNilTables(tables)
		}
		return c.JSON(m)
	}
	l := s.localizer(c)
	views := make([]tableChangeView, 0, len(tables))
	var moved int64
	for _, tc := range biggestFirst(tables) {
		views = append(views, tableChangeOf(l, p.Gen.Day, cp, tc))
		moved += tc.Moved()
	}
	return c.Render("changes", fiber.Map{"Title": l.T("changes.title", "weekday", l.Weekday(p.Gen.Day.Time())),
		"Banner": p.Banner, "Heading": s.changesHeading(l, cp, p.Gen.Day), "Tables": views, "Compared": cp.From != nil,
		"Moved": moved, "Action": changesURL(p.Gen.Day, ""), "Options": s.againstOptions(l, p, cp),
		"DayURL": "/" + string(p.Gen.Day) + "/"})
}

func nonNilTables(t []compare.TableChange) []compare.TableChange {
	if t == nil {
		return []compare.TableChange{}
	}
	return t
}

// changesHeading names the two sides compared, older first.
func (s *Server) changesHeading(l *i18n.Localizer, cp changePair, day weekback.Weekday) string {
	if cp.From == nil {
		return l.T("changes.heading.none", "weekday", l.Weekday(day.Time()))
	}
	if cp.Production {
		return l.T("changes.heading.production", "from", l.Weekday(cp.From.Day.Time()))
	}
	return l.T("changes.heading", "from", l.Weekday(cp.From.Day.Time()), "to", l.Weekday(cp.To.Day.Time()))
}

// againstOptions lists the other served days (and production when
// allowed), the one compared with selected.
func (s *Server) againstOptions(l *i18n.Localizer, p *dayPage, cp changePair) []againstOption {
	var out []againstOption
	for _, g := range p.Gens {
		if g.Ready() && g.Day != p.Gen.Day {
			out = append(out, againstOption{Value: string(g.Day), Label: l.Weekday(g.Day.Time()), Selected: cp.Against == string(g.Day)})
		}
	}
	if s.Production != nil {
		out = append(out, againstOption{Value: compare.Production, Label: l.T("changes.production"), Selected: cp.Production})
	}
	return out
}

// tableChangeOf returns the view of tc on day's changes page.
func tableChangeOf(l *i18n.Localizer, day weekback.Weekday, cp changePair, tc compare.TableChange) tableChangeView {
	v := tableChangeView{TableChange: tc, URL: tableURL(day, tc.Table), StatusText: l.T("changes.status." + string(tc.Status))}
	if tc.Status == compare.StatusOnlyInFrom && cp.From.Day != day {
		v.URL = tableURL(cp.From.Day, tc.Table)
	}
	kindURL := func(n int64, kind compare.Kind) string {
		if n == 0 {
			return ""
		}
		return tableChangesURL(day, tc.Table, cp.Against, kind)
	}
	v.AddedURL, v.DeletedURL, v.ChangedURL = kindURL(tc.Added, compare.Added), kindURL(tc.Deleted, compare.Deleted), kindURL(tc.Changed, compare.Changed)
	for _, n := range []struct {
		key  string
		cols []string
	}{{"changes.columns_added", tc.ColumnsAdded}, {"changes.columns_dropped", tc.ColumnsDropped}, {"changes.columns_retyped", tc.ColumnsRetyped}} {
		if len(n.cols) > 0 {
			v.Notes = append(v.Notes, l.T(n.key, "columns", strings.Join(n.cols, ", ")))
		}
	}
	if tc.Keyless {
		v.Notes = append(v.Notes, l.T("changes.keyless"))
	}
	return v
}

// tableChangesURL returns the address of the rows of one kind of change
// of table on day's changes page.
func tableChangesURL(day weekback.Weekday, table, against string, kind compare.Kind) string {
	v := url.Values{"against": {against}, "kind": {string(kind)}}
	return tableURL(day, table) + "/changes?" + v.Encode()
}

// renderComparing answers a changes page whose comparison is still
// running: 202, its progress, and (HTML) a page that reloads itself.
// jobAction, when set, is where its "Compare in the background" form
// posts.
func (s *Server) renderComparing(c *fiber.Ctx, p *dayPage, cp changePair, progress *compare.Progress, jobAction string) error {
	c.Status(fiber.StatusAccepted)
	from, to := cp.labels()
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"day": p.Gen.Day, "from": from, "to": to, "status": "comparing", "progress": progress})
	}
	l := s.localizer(c)
	text := l.T("changes.comparing")
	if progress != nil && progress.Tables > 0 {
		text = l.T("changes.comparing.progress", "done", progress.TablesDone, "tables", progress.Tables)
	}
	c.Set("Refresh", strconv.Itoa(changesRefresh))
	return c.Render("changes", fiber.Map{"Title": l.T("changes.title", "weekday", l.Weekday(p.Gen.Day.Time())),
		"Banner": p.Banner, "Heading": s.changesHeading(l, cp, p.Gen.Day), "Comparing": text, "JobAction": jobAction,
		"Action": changesURL(p.Gen.Day, ""), "Options": s.againstOptions(l, p, cp), "DayURL": "/" + string(p.Gen.Day) + "/"})
}
