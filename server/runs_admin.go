package server

import (
	"context"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
)

// adminPanel is what /runs shows of the admin's actions: the "take a
// snapshot now" form and the last snapshot requests.
type adminPanel struct {
	Enabled  bool          `json:"-"`
	Today    string        `json:"-"` // today's name, for the button
	Requests []requestView `json:"requests"`
	Waiting  bool          `json:"-"` // a request is pending or running
}

// requestView is one snapshot request as /runs lists it.
type requestView struct {
	*weekback.SnapshotRequest
	Text string `json:"text"`
}

// adminView returns the admin panel of /runs and fills the days' discard
// links and discarded sentences. Without an AdminStore it is disabled.
func (s *Server) adminView(ctx context.Context, l *i18n.Localizer, days []runDay) (*adminPanel, error) {
	p := &adminPanel{Requests: []requestView{}}
	if s.Admin == nil {
		return p, nil
	}
	p.Enabled, p.Today = true, l.Weekday(weekback.DayOf(s.Now(), s.Location).Time())
	gens, err := s.Generations.Generations(ctx)
	if err != nil {
		return nil, err
	}
	for i := range days {
		s.discardState(l, &days[i], gens)
	}
	reqs, err := s.Admin.SnapshotRequests(ctx, RequestsShown)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		p.Requests = append(p.Requests, requestView{r, s.requestText(l, r)})
		p.Waiting = p.Waiting || r.Status == weekback.RequestPending || r.Status == weekback.RequestRunning
	}
	return p, nil
}

// discardState sets d's discard link (a served day) or its discarded
// sentence (a discarded one).
func (s *Server) discardState(l *i18n.Localizer, d *runDay, gens []*weekback.Generation) {
	for _, g := range gens {
		switch {
		case g.Day != d.Day:
		case g.Ready():
			d.DiscardURL = "/" + string(g.Day) + "/discard"
		case g.Discarded != nil:
			d.Discarded = l.T("runs.discarded", "datetime", l.DateTime(g.Discarded.At, s.Location), "login", g.Discarded.By,
				"reason", orDash(g.Discarded.Reason))
		}
	}
}

// requestText says where request r is, in l's language.
func (s *Server) requestText(l *i18n.Localizer, r *weekback.SnapshotRequest) string {
	return l.T("runs.request."+r.Status, "weekday", l.Weekday(r.Day.Time()), "login", r.RequestedBy,
		"datetime", l.DateTimeSeconds(r.RequestedAt, s.Location), "error", r.Error)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
