package server

// Downloads of a whole day (POST /{day}/downloads): a background job of
// kind download (package jobs) that writes the day's SQL script or CSV
// bundle, with its progress, cancel, expiry and replace-on-repeat.

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
)

// downloadForm is the day page's "Download this day" form.
type downloadForm struct {
	Action    string
	Anonymize bool // the server has exports.anonymize: offer the checkbox
}

// mayDownload reports whether p may download whole days: admins, or
// everyone with DownloadsAll (downloads.allow: all).
func (s *Server) mayDownload(p *principal) bool {
	return p != nil && (p.Admin || s.DownloadsAll)
}

// dayDownloadForm returns the form of day's page, nil when the user may
// not download or jobs are off.
func (s *Server) dayDownloadForm(c *fiber.Ctx, day weekback.Weekday) *downloadForm {
	if s.Jobs == nil || !s.mayDownload(principalOf(c)) {
		return nil
	}
	return &downloadForm{Action: "/" + string(day) + "/downloads", Anonymize: s.Jobs.Anonymizer != nil}
}

// submitDownload starts a download of the day (form fields format, sql or
// csv, and anonymize=1), audits it and sends the browser to the job's page
// (303; JSON: 202 with the job). A user who may not download gets 403;
// the per-user limits answer as for exports (409).
func (s *Server) submitDownload(c *fiber.Ctx) error {
	page, err := s.loadDay(c, func(d weekback.Weekday) string { return "/" + string(d) + "/" })
	if err != nil {
		return err
	}
	p := principalOf(c)
	if !s.mayDownload(p) {
		return fiber.NewError(fiber.StatusForbidden, s.localizer(c).T("download.forbidden"))
	}
	params := weekback.JobParams{Day: page.Gen.Day, Format: utils.CopyString(c.FormValue("format")), Anonymize: c.FormValue("anonymize") == "1"}
	j, replaced, err := s.Jobs.Submit(c.UserContext(), p.Login, weekback.JobDownload, params)
	if err != nil {
		return s.submitError(c, err)
	}
	s.audit(c.UserContext(), &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditDownload,
		Outcome: weekback.OutcomeOK, Day: params.Day,
		Detail: export.DescribeDownload(j.Params.Format, j.Params.Anonymize, nil) + " job=" + strconv.FormatInt(j.ID, 10)})
	if wantsJSON(c) {
		if replaced == nil {
			replaced = []int64{}
		}
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"job": s.jobView(c, j), "replaced": replaced})
	}
	return c.Redirect(jobURL(j.ID), fiber.StatusSeeOther)
}

// anonymizable returns f offering the anonymize box when the server can
// anonymize.
func (s *Server) anonymizable(f exportForm) exportForm {
	f.Anonymize = s.Anonymizer != nil
	return f
}

// downloadFormatKey returns the message key suffix of a download format.
func downloadFormatKey(format string) string {
	if format == "csv" {
		return "csv"
	}
	return "sql"
}
