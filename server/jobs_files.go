package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/i18n"
	"github.com/weekback/weekback/mysql"
)

// Downloads of jobs. A file is looked up by the job's id only (the runner
// names the path; nothing of the request reaches the file system), and
// offered under the job's File name. Once exports.download_ttl is over
// the answer is 410 with a sentence saying how to export again.

// jobDownload sends the result of a completed job, succeeded or with
// losses (GET /jobs/{id}/download); a replaced or expired one answers
// 410. The owner's download marks the job seen (the header's badge).
func (s *Server) jobDownload(c *fiber.Ctx) error {
	j, err := s.visibleJob(c)
	if err != nil {
		return err
	}
	if s.expired(j) || j.Status == weekback.JobReplaced {
		return s.jobGone(c, j)
	}
	if !j.Status.Downloadable() || j.Kind == weekback.JobCompare { // a comparison's result is its changes page
		return s.errorf(c, weekback.ENOTFOUND, "jobs.no_file", "id", j.ID, "status", s.jobView(c, j).StatusText)
	}
	path, err := s.Jobs.Result(j)
	if err != nil {
		return s.fileError(c, j, err)
	}
	if p := principalOf(c); p.Login == j.Owner && !j.Seen {
		if err := s.Jobs.Store.MarkSeen(c.UserContext(), p.Login, j.ID); err != nil {
			s.Logger.Warn("cannot mark a downloaded job seen", "job", j.ID, "err", err)
		}
	}
	return s.sendJobFile(c, j, path, jobContentType(j), j.File)
}

// jobErrors sends a job's error log (GET /jobs/{id}/errors.csv), e.g. the
// characters Shift_JIS could not hold, with their row and column.
func (s *Server) jobErrors(c *fiber.Ctx) error {
	j, err := s.visibleJob(c)
	if err != nil {
		return err
	}
	if s.expired(j) {
		return s.jobGone(c, j)
	}
	path, err := s.Jobs.ErrorLog(j)
	if err != nil {
		if weekback.ErrorCode(err) == weekback.ENOTFOUND {
			return s.errorf(c, weekback.ENOTFOUND, "jobs.no_errors", "id", j.ID)
		}
		return err
	}
	return s.sendJobFile(c, j, path, "text/csv; charset=utf-8", "job-"+strconv.FormatInt(j.ID, 10)+"-errors.csv")
}

// fileError answers a result the runner cannot find: gone (410) for a
// succeeded job, whose file was removed early.
func (s *Server) fileError(c *fiber.Ctx, j *weekback.Job, err error) error {
	if weekback.ErrorCode(err) == weekback.ENOTFOUND {
		s.Logger.Warn("the file of a succeeded job is missing", "job", j.ID, "err", err)
		return s.jobGone(c, j)
	}
	return err
}

// sendJobFile streams the file at path (from the runner) as an attachment
// named name. The open file is the body: fasthttp closes it once sent,
// and removing the path meanwhile does not cut the download short.
func (s *Server) sendJobFile(c *fiber.Ctx, j *weekback.Job, path, contentType, name string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s.fileError(c, j, weekback.Errorf(weekback.ENOTFOUND, "job %d: no file", j.ID))
	}
	if err != nil {
		return fmt.Errorf("open the file of job %d: %w", j.ID, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open the file of job %d: %w", j.ID, err)
	}
	noStore(c)
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, attachment(name))
	return c.SendStream(f, int(st.Size()))
}

// jobContentType returns the media type of j's result.
func jobContentType(j *weekback.Job) string {
	if j.Kind == weekback.JobTemplate {
		return fiber.MIMEApplicationJSONCharsetUTF8
	}
	if j.Kind == weekback.JobDownload && j.Params.Format == "csv" || j.Kind == weekback.JobBundle {
		return "application/zip"
	}
	if j.Kind == weekback.JobDownload {
		return "application/gzip"
	}
	if enc, _ := export.ParseEncoding(j.Params.Encoding); enc == export.EncodingShiftJIS {
		return "text/csv; charset=Shift_JIS"
	}
	return "text/csv; charset=utf-8"
}

// jobGone answers 410 for a download that is gone: replaced by a newer
// job (linked), removed for the quota, or its time over (saying how long
// files are kept), with a link back to the table to export again.
func (s *Server) jobGone(c *fiber.Ctx, j *weekback.Job) error {
	l := s.localizer(c)
	back := tableURL(j.Params.Day, j.Params.Table)
	title, msg := l.T("jobs.gone.title"), l.T("jobs.gone", "ttl", ttlText(l, s.Jobs.DownloadTTL), "table", j.Params.Table)
	m := fiber.Map{"status": fiber.StatusGone, "table_url": back}
	switch {
	case j.Status == weekback.JobReplaced:
		title, msg = l.T("jobs.gone.replaced.title"), l.T("jobs.gone.replaced", "id", j.ReplacedBy)
		m["replaced_by"], m["replaced_by_url"] = j.ReplacedBy, jobURL(j.ReplacedBy)
	case j.Error == mysql.QuotaEvicted:
		msg = l.T("jobs.gone.quota", "table", j.Params.Table)
	}
	c.Status(fiber.StatusGone)
	if wantsJSON(c) {
		m["error"] = msg
		return c.JSON(m)
	}
	return c.Render("job_gone", fiber.Map{"Title": title, "Message": msg, "TableURL": back,
		"Table": j.Params.Table, "JobURL": jobURL(j.ID), "NewerURL": m["replaced_by_url"], "Newer": j.ReplacedBy})
}

// ttlText says how long d is in l's language, in hours when it is a whole
// number of them, else in minutes.
func ttlText(l *i18n.Localizer, d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return l.N("jobs.hours", int(d/time.Hour), "count", int(d/time.Hour))
	}
	m := int(max(1, d/time.Minute))
	return l.N("jobs.minutes", m, "count", m)
}
