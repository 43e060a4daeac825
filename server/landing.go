package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
)

// dayView is one row of the landing page (and of its JSON).
type dayView struct {
	Day         weekback.Weekday          `json:"day"`
	Name        string                    `json:"name"`
	Status      weekback.GenerationStatus `json:"status"`
	StatusText  string                    `json:"-"`
	Ready       bool                      `json:"ready"`
	SnapshotAt  string                    `json:"-"`
	SnapshotISO string                    `json:"snapshot_at,omitempty"`
	Tables      int                       `json:"tables,omitempty"`
	Rows        int64                     `json:"rows,omitempty"`
	URL         string                    `json:"url,omitempty"`
}

var statusText = map[weekback.GenerationStatus]string{
	weekback.StatusReady:    "ready",
	weekback.StatusBuilding: "building — the previous copy is served",
	weekback.StatusFailed:   "last run failed — the previous copy is served",
	weekback.StatusNever:    "never taken",
}

// landing shows the seven days: status, snapshot time and links.
func (s *Server) landing(c *fiber.Ctx) error {
	gens, err := s.Generations.Generations(c.UserContext())
	if err != nil {
		return err
	}
	days := make([]dayView, len(gens))
	for i, g := range gens {
		days[i] = s.dayView(g)
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"days": days, "timezone": s.Location.String()})
	}
	return c.Render("index", fiber.Map{"Title": "The last seven days", "Days": days, "Zone": s.Location.String()})
}

func (s *Server) dayView(g *weekback.Generation) dayView {
	v := dayView{Day: g.Day, Name: g.Day.Title(), Status: g.Status, StatusText: statusText[g.Status], Ready: g.Ready()}
	if g.Status == weekback.StatusBuilding && !g.Ready() {
		v.StatusText = "building — not served yet"
	}
	if g.Ready() {
		at := g.Manifest.SnapshotAt.In(s.Location)
		v.SnapshotAt, v.SnapshotISO = at.Format("Mon 2006-01-02 15:04 MST"), at.Format(time.RFC3339)
		v.Tables, v.Rows, v.URL = len(g.Manifest.Tables), g.Manifest.Rows, "/"+string(g.Day)+"/"
	}
	return v
}
