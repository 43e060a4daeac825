package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
)

// The admin page of snapshot runs (GET /runs): each day's last runs, a
// run under way with its live progress (jobs.js polls the JSON), and a
// chart of the last runs' durations and sizes, so that a slowing or
// growing backup is seen early.

// RunSource reads the report of snapshot runs (mysql.Meta implements it).
type RunSource interface {
	// RecentRuns returns each day's last perDay runs, newest first.
	RecentRuns(ctx context.Context, perDay int) (map[weekback.Weekday][]*weekback.SnapshotRun, error)
	// RunHistory returns the last limit runs that ended, oldest first.
	RunHistory(ctx context.Context, limit int) ([]*weekback.SnapshotRun, error)
}

// What /runs shows.
const (
	RunsPerDay  = 5  // runs listed for each day
	RunsCharted = 30 // runs in the chart
)

// runView is one snapshot run as /runs shows it: raw values in its JSON
// (times in Server.Location, the duration in seconds) plus the texts, in
// the request's language, that jobs.js puts on the page.
type runView struct {
	ID          int64            `json:"id"`
	Day         weekback.Weekday `json:"day"`
	Status      string           `json:"status"`
	StartedAt   time.Time        `json:"started_at"`
	EndedAt     time.Time        `json:"ended_at,omitzero"`
	Seconds     int64            `json:"duration_seconds"`
	Rows        int64            `json:"rows"`
	Bytes       int64            `json:"bytes"`
	TablesDone  int              `json:"tables_done"`
	TablesTotal int              `json:"tables_total"`
	Percent     int              `json:"percent"`
	Verified    bool             `json:"verified"`
	Error       string           `json:"error,omitempty"`
	// Skipped is what the run's copy does not hold (the manifest's list,
	// while the run's slot is served).
	Skipped []weekback.SkippedObject `json:"skipped,omitempty"`

	Running      bool   `json:"running"`
	Started      string `json:"started_text"`
	StartedISO   string `json:"-"`
	Duration     string `json:"duration_text"`
	RowsText     string `json:"rows_text"`
	Size         string `json:"size_text"`
	StatusText   string `json:"status_text"`
	ProgressText string `json:"progress_text"`
}

// runDay is one day of /runs with its last runs.
type runDay struct {
	Day  weekback.Weekday `json:"day"`
	Name string           `json:"-"`
	Runs []runView        `json:"runs"`
}

// runsPage shows the snapshot runs to admins (GET /runs). For anyone else
// the page does not exist (404, audited as a refused access).
func (s *Server) runsPage(c *fiber.Ctx) error {
	noStore(c)
	p := principalOf(c)
	if p == nil || !p.Admin || s.Runs == nil {
		if p != nil && !p.Admin {
			s.audit(c.UserContext(), &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditRefused,
				Outcome: weekback.OutcomeFailed, Detail: "snapshot runs: not an admin"})
		}
		return fiber.ErrNotFound
	}
	recent, err := s.Runs.RecentRuns(c.UserContext(), RunsPerDay)
	if err != nil {
		return err
	}
	history, err := s.Runs.RunHistory(c.UserContext(), RunsCharted)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	days, running := s.runDays(l, recent)
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"days": days, "running": running, "history": s.runViews(l, history)})
	}
	return c.Render("runs", fiber.Map{"Title": l.T("runs.title"), "Days": days, "Running": running,
		"Chart": s.runChart(l, history), "Empty": len(recent) == 0, "Zone": s.Location.String()})
}

// runDays returns the seven days, Monday first, with their runs, and the
// runs under way.
func (s *Server) runDays(l *i18n.Localizer, recent map[weekback.Weekday][]*weekback.SnapshotRun) ([]runDay, []runView) {
	days := make([]runDay, 0, len(weekback.Weekdays))
	running := []runView{}
	for _, d := range weekback.Weekdays {
		rd := runDay{Day: d, Name: l.Weekday(d.Time()), Runs: s.runViews(l, recent[d])}
		for _, v := range rd.Runs {
			if v.Running {
				running = append(running, v)
			}
		}
		days = append(days, rd)
	}
	return days, running
}

// runViews returns runs as shown in l's language.
func (s *Server) runViews(l *i18n.Localizer, runs []*weekback.SnapshotRun) []runView {
	out := make([]runView, len(runs))
	for i, r := range runs {
		out[i] = s.runView(l, r)
	}
	return out
}

// runView returns r as shown in l's language.
func (s *Server) runView(l *i18n.Localizer, r *weekback.SnapshotRun) runView {
	d := r.Duration(s.Now())
	v := runView{ID: r.ID, Day: r.Day, Status: r.Status, StartedAt: r.StartedAt.In(s.Location), EndedAt: inZone(r.EndedAt, s.Location),
		Seconds: int64(d / time.Second), Rows: r.Rows, Bytes: r.Bytes, TablesDone: r.TablesDone, TablesTotal: r.Tables,
		Verified: r.Verified, Error: r.Error, Skipped: r.Skipped, Running: r.Status == weekback.RunRunning,
		Started: l.DateTimeSeconds(r.StartedAt, s.Location), StartedISO: r.StartedAt.In(s.Location).Format(time.RFC3339),
		Duration: durationText(l, d), RowsText: l.Number(r.Rows), Size: sizeText(l, r.Bytes),
		StatusText: orKey(l, "runs.status."+r.Status, r.Status)}
	if r.Tables > 0 {
		v.Percent = min(100, r.TablesDone*100/r.Tables)
	}
	if r.Status == weekback.RunSucceeded {
		v.Percent = 100
	}
	v.ProgressText = l.N("runs.progress", r.Tables, "done", l.Number(int64(r.TablesDone)), "total", l.Number(int64(r.Tables)), "percent", v.Percent)
	return v
}

// durationText says how long d is in l's language: "1 h 05 min",
// "3 min 07 s", "12 s".
func durationText(l *i18n.Localizer, d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	h, m, sec := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	switch {
	case h > 0:
		return l.T("duration.hours", "h", l.Number(int64(h)), "m", twoDigits(m))
	case m > 0:
		return l.T("duration.minutes", "m", m, "s", twoDigits(sec))
	}
	return l.T("duration.seconds", "s", sec)
}

// twoDigits writes n (0–99) with two digits.
func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10%10), byte('0' + n%10)})
}

// sizeText says how large n bytes are in l's language, as a whole number
// of KB (under 1 MB), MB (under 10 GB) or GB, units of 1024.
func sizeText(l *i18n.Localizer, n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n < mb:
		return l.T("size.kb", "n", l.Number((n+kb/2)/kb))
	case n < 10*gb:
		return l.T("size.mb", "n", l.Number((n+mb/2)/mb))
	}
	return l.T("size.gb", "n", l.Number((n+gb/2)/gb))
}
