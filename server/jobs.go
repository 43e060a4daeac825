package server

// The export center: background exports a user starts from a records page,
// leaves, and comes back to. Jobs live in the meta schema and
// run on any replica (package jobs); these handlers start, list, show,
// cancel and delete them. Downloads are in jobs_files.go, the views in
// jobs_view.go.
//
// Visibility. A user sees and manages only their own jobs; an admin
// (auth.admin) sees everyone's. Anyone else's job does not exist for
// them: every address of it answers 404 with the sentence of an unknown
// job, never 403.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/jobs"
)

// JobsPageSize is how many jobs /jobs lists (the newest).
const JobsPageSize = 100

// submitExport starts a background export of a table
// (POST /{day}/tables/{table}/exports) with the form fields of export.csv
// (f.COL filters, sort, columns, profile, encoding, lossy). The query is
// checked first, so a bad filter or column is an error page at once; the
// job is audited like a direct download and the browser goes to its page
// (303). A user past exports.max_active_jobs or over the quota of kept
// exports gets 409; parameters over the runner's MaxParamBytes get 413.
func (s *Server) submitExport(c *fiber.Ctx) error {
	er, err := s.parseJobForm(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	params := weekback.JobParams{Day: er.page.Gen.Day, Table: er.table, Filters: er.rq.Filters, Sort: er.rq.Sort,
		Columns: er.query.Columns, Profile: string(er.csv.Profile), Encoding: string(er.csv.Encoding), Lossy: er.csv.Lossy,
		Anonymize: er.anonymize}
	er.against.setParams(&params)
	j, replaced, err := s.Jobs.Submit(c.UserContext(), p.Login, weekback.JobExport, params)
	if err != nil {
		return s.submitError(c, err)
	}
	s.audit(c.UserContext(), &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditExport,
		Outcome: weekback.OutcomeOK, Day: params.Day, Table: params.Table,
		Detail: er.describe() + " job=" + strconv.FormatInt(j.ID, 10)})
	return s.submitted(c, j, replaced)
}

// submitted answers a started job: its view as JSON (202) when asked, else
// a redirect to its page (303).
func (s *Server) submitted(c *fiber.Ctx, j *weekback.Job, replaced []int64) error {
	if wantsJSON(c) {
		if replaced == nil {
			replaced = []int64{}
		}
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"job": s.jobView(c, j), "replaced": replaced})
	}
	return c.Redirect(jobURL(j.ID), fiber.StatusSeeOther)
}

// parseJobForm reads and checks a background job's form fields as
// export.csv reads its query (parseExport, prepareExport).
func (s *Server) parseJobForm(c *fiber.Ctx) (*exportRequest, error) {
	formAsQuery(c)
	er, err := s.parseExport(c)
	if err != nil {
		return nil, err
	}
	return er, s.prepareExport(c, er)
}

// formAsQuery makes the POSTed form fields (the CSRF token aside) the
// request's query, after those of its address: a background export then
// reads its parameters with the very parser of export.csv.
func formAsQuery(c *fiber.Ctx) {
	q := fasthttp.AcquireArgs()
	defer fasthttp.ReleaseArgs(q)
	c.Context().QueryArgs().CopyTo(q)
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) != CSRFField {
			q.AddBytesKV(k, v)
		}
	})
	c.Request().URI().SetQueryStringBytes(q.QueryString())
}

// submitError turns the per-user limits into a sentence in the request's
// language; other errors (EINVALID, ETOOLARGE, ENOTFOUND …) keep theirs.
func (s *Server) submitError(c *fiber.Ctx, err error) error {
	var q *jobs.OverQuotaError
	if errors.As(err, &q) {
		s.Logger.Info("export job refused: over quota", "login", principalOf(c).Login, "files", q.Files, "bytes", q.Bytes)
		l := s.localizer(c)
		ids := make([]string, len(q.Delete))
		for i, j := range q.Delete {
			ids[i] = "#" + strconv.FormatInt(j.ID, 10)
		}
		maxFiles, maxSize := l.T("jobs.quota.none"), l.T("jobs.quota.none")
		if q.MaxFiles > 0 {
			maxFiles = l.Number(int64(q.MaxFiles))
		}
		if q.MaxBytes > 0 {
			maxSize = sizeText(l, q.MaxBytes)
		}
		return s.errorf(c, weekback.ECONFLICT, "jobs.quota", "files", q.Files, "size", sizeText(l, q.Bytes),
			"max_files", maxFiles, "max_size", maxSize, "delete", strings.Join(ids, ", "))
	}
	if weekback.ErrorCode(err) == weekback.ECONFLICT {
		s.Logger.Info("export job refused", "login", principalOf(c).Login, "reason", weekback.ErrorMessage(err))
		return s.errorf(c, weekback.ECONFLICT, "jobs.limit", "max", s.Jobs.MaxActive)
	}
	return err
}

// jobsList lists the user's jobs, newest first (GET /jobs); admins see
// everyone's with all=1. The JSON adds the header's notification area
// ("unseen", "notify"); with notify=1 it has nothing else (what jobs.js
// polls for the badge). The page, not its JSON, marks the user's finished
// jobs as seen.
func (s *Server) jobsList(c *fiber.Ctx) error {
	p := principalOf(c)
	if wantsJSON(c) && c.Query("notify") == "1" {
		return s.notifyJSON(c, nil)
	}
	all := c.Query("all") == "1" && p.Admin
	owner := p.Login
	if all {
		owner = ""
	}
	list, err := s.Jobs.Store.Jobs(c.UserContext(), owner, JobsPageSize)
	if err != nil {
		return err
	}
	views := make([]jobView, len(list))
	for i, j := range list {
		views[i] = s.jobView(c, j)
	}
	if wantsJSON(c) {
		if all {
			list = nil
		}
		return s.notifyJSON(c, fiber.Map{"jobs": views}, list...)
	}
	if err := s.Jobs.Store.MarkSeen(c.UserContext(), p.Login); err != nil && c.UserContext().Err() == nil {
		s.Logger.Warn("cannot mark jobs seen", "login", p.Login, "err", err)
	}
	return c.Render("jobs", fiber.Map{"Title": s.localizer(c).T("jobs.title"), "Jobs": views, "All": all,
		"Admin": p.Admin, "PollURL": pollURL(all), "Zone": s.Location.String()})
}

// pollURL is the address jobs.js polls for the list page.
func pollURL(all bool) string {
	if all {
		return "/jobs?all=1"
	}
	return "/jobs"
}

// jobPage shows one job with its progress (GET /jobs/{id}); jobs.js polls
// its JSON every second while it is active. The page names the jobs it
// replaced.
func (s *Server) jobPage(c *fiber.Ctx) error {
	j, err := s.visibleJob(c)
	if err != nil {
		return err
	}
	v := s.jobView(c, j)
	if wantsJSON(c) {
		return c.JSON(v)
	}
	replaced, err := s.replacedBy(c, j)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	return c.Render("job", fiber.Map{"Title": l.T("jobs.job.title", "id", j.ID), "Job": v, "Replaced": replaced,
		"Mine": j.Owner == principalOf(c).Login, "Zone": s.Location.String()})
}

// replacedBy returns the jobs of j's owner that j replaced (among their
// newest JobsPageSize).
func (s *Server) replacedBy(c *fiber.Ctx, j *weekback.Job) ([]int64, error) {
	list, err := s.Jobs.Store.Jobs(c.UserContext(), j.Owner, JobsPageSize)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, o := range list {
		if o.ReplacedBy == j.ID {
			ids = append(ids, o.ID)
		}
	}
	return ids, nil
}

// cancelJob cancels a queued job, or asks a running one to stop
// (POST /jobs/{id}/cancel); a finished job is left as it is. The browser
// goes back to the form's next page (the job's page by default).
func (s *Server) cancelJob(c *fiber.Ctx) error {
	j, err := s.visibleJob(c)
	if err != nil {
		return err
	}
	if err := s.Jobs.Store.Cancel(c.UserContext(), j.ID); err != nil {
		return err
	}
	s.Jobs.Kick()
	return s.afterAction(c, jobURL(j.ID), "")
}

// deleteJob removes a job, its row and its files (POST /jobs/{id}/delete).
// An active job is canceled first; its worker, which loses the row, stops
// and discards what it wrote. The browser goes back to the form's next
// page (the jobs page by default).
func (s *Server) deleteJob(c *fiber.Ctx) error {
	j, err := s.visibleJob(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if !j.Status.Final() {
		if err := s.Jobs.Store.Cancel(ctx, j.ID); err != nil {
			return err
		}
	}
	if err := s.Jobs.Store.Delete(ctx, j.ID); err != nil && weekback.ErrorCode(err) != weekback.ENOTFOUND {
		return err
	}
	if err := s.Jobs.Remove(j); err != nil {
		return err
	}
	s.Logger.Info("job deleted", "job", j.ID, "owner", j.Owner, "by", principalOf(c).Login)
	return s.afterAction(c, "/jobs", jobURL(j.ID))
}

// afterAction answers a cancel or delete: 204 to JSON clients, else 303 to
// the form's next field when it is a local address other than gone (the
// page of a deleted job), def otherwise.
func (s *Server) afterAction(c *fiber.Ctx, def, gone string) error {
	if wantsJSON(c) {
		return c.SendStatus(fiber.StatusNoContent)
	}
	next := def
	if n := c.FormValue("next"); n != "" && safeNext(n) != gone {
		next = safeNext(n)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// visibleJob returns the job of the address's id when the user may see it
// (theirs, or any for an admin); ENOTFOUND (404) otherwise, the same for
// an id that is not a positive integer, a job that does not exist and
// someone else's job.
func (s *Server) visibleJob(c *fiber.Ctx) (*weekback.Job, error) {
	id, ok := jobID(c.Params("id"))
	if !ok {
		return nil, fiber.ErrNotFound
	}
	j, err := s.Jobs.Store.Job(c.UserContext(), id)
	p := principalOf(c)
	switch {
	case weekback.ErrorCode(err) == weekback.ENOTFOUND:
	case err != nil:
		return nil, err
	case j.Owner == p.Login || p.Admin:
		return j, nil
	}
	return nil, s.errorf(c, weekback.ENOTFOUND, "jobs.not_found", "id", id)
}

// jobID parses the id of a job address: decimal digits only, positive and
// at most 18 digits long (no sign, dot, space or escape gets through).
func jobID(s string) (int64, bool) {
	if s == "" || len(s) > 18 || s[0] == '0' {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// jobURL returns the address of job id's page.
func jobURL(id int64) string { return fmt.Sprintf("/jobs/%d", id) }

// requireJobs answers 404 while no job runner is configured.
func (s *Server) requireJobs(c *fiber.Ctx) error {
	if s.Jobs == nil {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// checkSessionCSRF refuses (403) a logged-in user's POST unless it comes
// from BaseURL's origin and carries the session's token (in the csrf form
// field or the X-CSRF-Token header).
func (s *Server) checkSessionCSRF(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil || !s.originOK(c) || !s.sessionCSRFOK(c, p.JTI) {
		return s.csrfFailed(c)
	}
	return c.Next()
}

// submitTemplate starts a background template job of a table and, unless
// the form says related=0, its related tables
// (POST /{day}/tables/{table}/templates), then shows its job page.
func (s *Server) submitTemplate(c *fiber.Ctx) error {
	table, err := tableParam(c)
	if err != nil {
		return err
	}
	page, err := s.loadDay(c, func(d weekback.Weekday) string { return tableURL(d, table) })
	if err != nil {
		return err
	}
	if err := s.checkTable(c, page.Gen.Manifest, table); err != nil {
		return err
	}
	p := principalOf(c)
	params := weekback.JobParams{Day: page.Gen.Day, Table: table, Related: c.FormValue("related") != "0"}
	j, replaced, err := s.Jobs.Submit(c.UserContext(), p.Login, weekback.JobTemplate, params)
	if err != nil {
		return s.submitError(c, err)
	}
	if wantsJSON(c) {
		if replaced == nil {
			replaced = []int64{}
		}
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"job": s.jobView(c, j), "replaced": replaced})
	}
	return c.Redirect(jobURL(j.ID), fiber.StatusSeeOther)
}
