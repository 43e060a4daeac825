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
)

// Downloads of jobs. A file is looked up by the job's id only (the runner
// names the path; nothing of the request reaches the file system), and
// offered under the job's File name. Once exports.download_ttl is over
// the answer is 410 with a sentence saying how to export again.

// jobDownload sends the result of a succeeded job
// (GET /jobs/{id}/download).
func (s *Server) jobDownload(c *fiber.Ctx) error {
	j, err := s.visibleJob(c)
	if err != nil {
		return err
	}
	if s.expired(j) {
		return s.jobGone(c, j)
	}
	if j.Status != weekback.JobSucceeded {
		return s.errorf(c, weekback.ENOTFOUND, "jobs.no_file", "id", j.ID, "status", s.jobView(c, j).StatusText)
	}
	path, err := s.Jobs.Result(j)
	if err != nil {
		return s.fileError(c, j, err)
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
	if enc, _ := export.ParseEncoding(j.Params.Encoding); enc == export.EncodingShiftJIS {
		return "text/csv; charset=Shift_JIS"
	}
	return "text/csv; charset=utf-8"
}

// jobGone answers 410 for a download whose time is over, saying how long
// files are kept and linking back to the table to export again.
func (s *Server) jobGone(c *fiber.Ctx, j *weekback.Job) error {
	l := s.localizer(c)
	back := tableURL(j.Params.Day, j.Params.Table)
	msg := l.T("jobs.gone", "ttl", ttlText(l, s.Jobs.DownloadTTL), "table", j.Params.Table)
	c.Status(fiber.StatusGone)
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"error": msg, "status": fiber.StatusGone, "table_url": back})
	}
	return c.Render("job_gone", fiber.Map{"Title": l.T("jobs.gone.title"), "Message": msg, "TableURL": back,
		"Table": j.Params.Table, "JobURL": jobURL(j.ID)})
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
