package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/jobs"
	"github.com/weekback/weekback/mysql"
)

// NotifyJobs is how many of a user's newest jobs the header's notification
// area looks at.
const NotifyJobs = 20

// jobView is one job as the jobs pages show it. Its JSON keeps to raw
// values (times in Server.Location) plus the addresses and the texts, in
// the request's language, that jobs.js puts on the page. The worker and
// its lease stay out of it.
type jobView struct {
	ID              int64              `json:"id"`
	Owner           string             `json:"owner"`
	Kind            weekback.JobKind   `json:"kind"`
	Params          weekback.JobParams `json:"params"`
	Status          weekback.JobStatus `json:"status"` // expired once exports.download_ttl is over; lossy: completed with losses
	Damaged         bool               `json:"damaged,omitempty"`
	Active          bool               `json:"active"`
	CreatedAt       time.Time          `json:"created_at"`
	StartedAt       time.Time          `json:"started_at,omitzero"`
	FinishedAt      time.Time          `json:"finished_at,omitzero"`
	RowsDone        int64              `json:"rows_done"`
	RowsTotal       int64              `json:"rows_total"`
	Percent         int                `json:"percent"`
	Errors          int64              `json:"errors"`
	Error           string             `json:"error,omitempty"`
	File            string             `json:"file,omitempty"`
	Bytes           int64              `json:"bytes,omitempty"`
	ReplacedBy      int64              `json:"replaced_by,omitempty"`
	CancelRequested bool               `json:"cancel_requested,omitempty"`
	Seen            bool               `json:"seen"`

	URL         string `json:"url"`
	DownloadURL string `json:"download_url,omitempty"` // while the file can be downloaded
	// DownloadText is the download link's text: it says when the file
	// completed with losses.
	DownloadText string `json:"download_text,omitempty"`
	ErrorsURL    string `json:"errors_url,omitempty"` // while the error log can be downloaded
	TableURL     string `json:"table_url,omitempty"`  // where to export again (none when the parameters are damaged)

	Description  string   `json:"description"` // the day and the table
	Filters      []string `json:"filters,omitempty"`
	Sort         string   `json:"sort,omitempty"`
	Started      string   `json:"started_text"` // started (or, still queued, created) at
	StartedISO   string   `json:"-"`
	StatusText   string   `json:"status_text"`
	ProgressText string   `json:"progress_text"`
	ErrorsText   string   `json:"errors_text"`
	Indefinite   bool     `json:"-"` // running with no estimate of the total: a progress bar without a value
	// RestoreCommands are, for a restore bundle, the dry run and the
	// --execute run of `weekback restore --bundle` with its file name.
	RestoreCommands []string `json:"restore_commands,omitempty"`
}

// jobView returns j as the request's user sees it.
func (s *Server) jobView(c *fiber.Ctx, j *weekback.Job) jobView {
	return s.jobViewIn(s.localizer(c), j)
}

// jobViewIn returns j as shown in l's language.
func (s *Server) jobViewIn(l *i18n.Localizer, j *weekback.Job) jobView {
	v := jobView{ID: j.ID, Owner: j.Owner, Kind: j.Kind, Params: j.Params, Status: j.Status, Active: !j.Status.Final(), Damaged: j.Damaged,
		CreatedAt: j.CreatedAt.In(s.Location), StartedAt: inZone(j.StartedAt, s.Location), FinishedAt: inZone(j.FinishedAt, s.Location),
		RowsDone: j.RowsDone, RowsTotal: j.RowsTotal, Errors: j.Errors, Error: j.Error, File: j.File, Bytes: j.Bytes,
		ReplacedBy: j.ReplacedBy, CancelRequested: j.CancelRequested, Seen: j.Seen,
		URL: jobURL(j.ID), Sort: j.Params.Sort.String()}
	switch {
	case j.Damaged:
	case j.Kind == weekback.JobDownload:
		v.TableURL = "/" + string(j.Params.Day) + "/"
	case j.Kind == weekback.JobCompare:
		v.TableURL = changesURL(j.Params.Day, string(j.Params.Against))
	default:
		v.TableURL = tableURL(j.Params.Day, j.Params.Table)
	}
	if s.expired(j) {
		v.Status = weekback.JobExpired
	}
	v.Percent = (&weekback.Job{Status: v.Status, RowsDone: j.RowsDone, RowsTotal: j.RowsTotal}).Percent()
	v.Indefinite = v.Status == weekback.JobRunning && j.RowsTotal <= 0
	switch {
	case v.Status.Downloadable() && j.Kind == weekback.JobCompare:
		v.DownloadURL = v.TableURL // no file: the changes page shows the result
	case v.Status.Downloadable():
		v.DownloadURL = v.URL + "/download"
	}
	if j.Errors > 0 && v.Status != weekback.JobExpired && v.Status != weekback.JobReplaced {
		v.ErrorsURL = v.URL + "/errors.csv"
	}
	for _, f := range j.Params.Filters {
		v.Filters = append(v.Filters, f.String())
	}
	s.jobTexts(l, j, &v)
	return v
}

// jobTexts fills v's texts in l's language.
func (s *Server) jobTexts(l *i18n.Localizer, j *weekback.Job, v *jobView) {
	day := string(j.Params.Day)
	if j.Params.Day.Valid() {
		day = l.Weekday(j.Params.Day.Time())
	}
	v.Description = l.T("jobs.describe", "weekday", day, "table", j.Params.Table)
	if j.Kind == weekback.JobDownload {
		v.Description = l.T("download.describe."+downloadFormatKey(j.Params.Format), "weekday", day)
	}
	if j.Kind == weekback.JobBundle {
		v.Description = l.T("bundle.describe", "weekday", day, "table", j.Params.Table)
		v.RestoreCommands = restoreCommands(j.File)
	}
	switch {
	case j.Damaged:
		v.Description, v.Error = l.T("jobs.damaged.describe"), l.T("jobs.damaged")
	case v.Status == weekback.JobExpired && j.Error == mysql.QuotaEvicted:
		v.Error = l.T("jobs.evicted")
	}
	v.DownloadText = l.T("jobs.download")
	if v.Status == weekback.JobLossy {
		v.DownloadText = l.N("jobs.download.lossy", int(j.Errors), "count", l.Number(j.Errors))
	}
	at := j.StartedAt
	if at.IsZero() {
		at = j.CreatedAt
	}
	v.Started, v.StartedISO = l.DateTimeSeconds(at, s.Location), at.In(s.Location).Format(time.RFC3339)
	v.StatusText = jobStatusText(l, v)
	switch {
	case j.RowsTotal > 0 && v.Active:
		v.ProgressText = l.N("jobs.progress", int(j.RowsTotal), "done", l.Number(j.RowsDone), "total", l.Number(j.RowsTotal), "percent", v.Percent)
	default: // unknown, or the estimate is moot once the job is over
		v.ProgressText = l.N("jobs.progress.rows", int(j.RowsDone), "done", l.Number(j.RowsDone))
	}
	v.ErrorsText = l.N("jobs.errors", int(j.Errors), "count", l.Number(j.Errors))
	if j.Kind == weekback.JobCompare {
		compareTexts(l, j, v)
	}
}

// compareTexts fills the texts of v, a comparison's job, in l's
// language: what it compares, its progress in tables, and its link to
// the changes page.
func compareTexts(l *i18n.Localizer, j *weekback.Job, v *jobView) {
	name := func(d weekback.Weekday) string {
		if d.Valid() {
			return l.Weekday(d.Time())
		}
		return string(d)
	}
	if !j.Damaged {
		v.Description = l.T("changes.job.describe", "weekday", name(j.Params.Day), "against", name(j.Params.Against))
	}
	v.DownloadText = l.T("changes.job.open")
	v.ProgressText = l.N("changes.job.progress", int(j.RowsTotal), "done", l.Number(j.RowsDone), "total", l.Number(j.RowsTotal))
}

// jobStatusText says where v is, in l's language.
func jobStatusText(l *i18n.Localizer, v *jobView) string {
	switch {
	case v.ReplacedBy != 0:
		return l.T("jobs.status.replaced", "id", v.ReplacedBy)
	case v.Active && v.CancelRequested:
		return l.T("jobs.status.canceling")
	}
	return orKey(l, "jobs.status."+string(v.Status), string(v.Status))
}

// expired reports whether j's download time (exports.download_ttl) is
// over.
func (s *Server) expired(j *weekback.Job) bool {
	return j.Status == weekback.JobExpired ||
		(j.Status.Downloadable() && j.Kind != weekback.JobCompare && jobs.Expired(j, s.Now(), s.Jobs.DownloadTTL))
}

// inZone returns t in loc, the zero time as it is (so that omitzero
// leaves it out).
func inZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// notifyView is the header's notification area: how many of the user's
// jobs finished (succeeded, with losses or failed) without the user
// having seen them since (a visit of /jobs, or the job's download, marks
// them seen), and a link to the newest of them: its download while there
// is one, else its page. Canceled and replaced jobs are not announced:
// their user (or the repeat that replaced them) did it.
type notifyView struct {
	Unseen   int      `json:"unseen"`
	Latest   *jobView `json:"latest,omitempty"`
	LinkURL  string   `json:"link_url,omitempty"`
	LinkText string   `json:"link_text,omitempty"`
}

// notifyOf returns the notification area of a user's newest jobs (list,
// newest first) in l's language.
func (s *Server) notifyOf(l *i18n.Localizer, list []*weekback.Job) *notifyView {
	n := &notifyView{}
	for _, j := range list {
		if j.Seen || (!j.Status.Downloadable() && j.Status != weekback.JobFailed) {
			continue
		}
		n.Unseen++
		if n.Latest == nil {
			v := s.jobViewIn(l, j)
			n.Latest, n.LinkURL = &v, v.URL
			n.LinkText = l.T("notify.finished", "id", j.ID, "status", v.StatusText)
			switch {
			case v.DownloadURL != "" && j.Kind == weekback.JobCompare:
				n.LinkURL, n.LinkText = v.DownloadURL, l.T("changes.job.notify", "id", j.ID)
			case v.DownloadURL != "" && v.Status == weekback.JobLossy:
				n.LinkURL, n.LinkText = v.URL, l.T("notify.lossy", "file", j.File)
			case v.DownloadURL != "":
				n.LinkURL, n.LinkText = v.DownloadURL, l.T("notify.download", "file", j.File)
			}
		}
	}
	return n
}

// notifier reads a logged-in user's notification area when a page's
// header shows it (never for JSON, downloads or redirects). It lives for
// one request.
type notifier struct {
	s     *Server
	ctx   context.Context
	l     *i18n.Localizer
	login string
}

// Load returns the notification area; nil when the jobs cannot be read
// (logged: the page itself must not fail for its header).
func (n *notifier) Load() *notifyView {
	list, err := n.s.Jobs.Store.Jobs(n.ctx, n.login, NotifyJobs)
	if err != nil {
		if n.ctx.Err() == nil { // a request that ended early is no warning
			n.s.Logger.Warn("cannot read the jobs of the notification area", "login", n.login, "err", err)
		}
		return nil
	}
	return n.s.notifyOf(n.l, list)
}

// bindHeader gives the views of a logged-in user's pages what the header
// shows beyond the login: when jobs are on, the notification area as
// "Notify" (read only if the page renders it; its presence also loads
// jobs.js and offers background exports), and for admins "RunsOn", the
// link to /runs.
func (s *Server) bindHeader(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil {
		return c.Next()
	}
	if s.Jobs != nil {
		c.Bind(fiber.Map{"Notify": &notifier{s: s, ctx: c.UserContext(), l: s.localizer(c), login: p.Login}})
	}
	if p.Admin && s.Runs != nil {
		c.Bind(fiber.Map{"RunsOn": true})
	}
	return c.Next()
}

// notifyJSON answers m (a new map when nil) with the user's notification
// area: "unseen" (the badge's count) and "notify". own holds the user's
// newest jobs when the caller has read them; they are read otherwise.
func (s *Server) notifyJSON(c *fiber.Ctx, m fiber.Map, own ...*weekback.Job) error {
	if m == nil {
		m = fiber.Map{}
	}
	n := &notifyView{}
	if own == nil {
		nt := &notifier{s: s, ctx: c.UserContext(), l: s.localizer(c), login: principalOf(c).Login}
		if v := nt.Load(); v != nil {
			n = v
		}
	} else {
		n = s.notifyOf(s.localizer(c), own[:min(len(own), NotifyJobs)])
	}
	m["unseen"], m["notify"] = n.Unseen, n
	return c.JSON(m)
}
