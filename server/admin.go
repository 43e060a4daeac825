package server

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// The admin's actions on /runs: discard a day (a confirmation page, then
// POST /{day}/discard) and take a snapshot now (POST /runs/snapshot). The
// server only writes the meta schema (its reader account may do nothing
// else): a discard clears the day's pointer, so its pages answer 410 at
// once, and the snapshotter (backup admin account) drops the slot; a
// snapshot request waits there for the snapshotter daemon, which runs it.

// AdminStore is what the admin's actions write in the meta schema
// (mysql.Meta implements it).
type AdminStore interface {
	// Discard clears day's pointer, recording by and reason; ENOTFOUND
	// when nothing is served.
	Discard(ctx context.Context, day weekback.Weekday, by, reason string) (*weekback.Discard, error)
	// DiscardDayJobs ends the jobs of day (see jobs.DayJobStore).
	DiscardDayJobs(ctx context.Context, day weekback.Weekday) ([]*weekback.Job, error)
	// RequestSnapshot queues a snapshot of day unless one is pending.
	RequestSnapshot(ctx context.Context, day weekback.Weekday, by string) (*weekback.SnapshotRequest, bool, error)
	// SnapshotRequests returns the last limit requests, newest first.
	SnapshotRequests(ctx context.Context, limit int) ([]*weekback.SnapshotRequest, error)
}

// MaxDiscardReason is the longest reason the discard form accepts (bytes).
const MaxDiscardReason = 2000

// RequestsShown is how many snapshot requests /runs lists.
const RequestsShown = 5

// requireAdmin answers 404 (audited as a refused access) to anyone but an
// admin, and while the server has no AdminStore.
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	p := principalOf(c)
	if p == nil || !p.Admin || s.Admin == nil {
		if p != nil && !p.Admin {
			s.audit(c.UserContext(), &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditRefused,
				Outcome: weekback.OutcomeFailed, Detail: "admin action " + c.Method() + " " + c.Path() + ": not an admin"})
		}
		return fiber.ErrNotFound
	}
	return c.Next()
}

// discardPage asks the admin to confirm the discard of a day: it names
// the day, its snapshot time and its row count (GET /{day}/discard).
func (s *Server) discardPage(c *fiber.Ctx) error {
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return "/" + string(d) + "/discard" })
	if err != nil {
		return err
	}
	l := s.localizer(c)
	m := p.Gen.Manifest
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"day": p.Gen.Day, "snapshot_at": m.SnapshotAt.In(s.Location).Format(time.RFC3339), "rows": m.Rows})
	}
	weekday := l.Weekday(p.Gen.Day.Time())
	return c.Render("discard", fiber.Map{"Title": l.T("discard.title", "weekday", weekday), "Day": p.Gen.Day, "Banner": p.Banner,
		"Text": l.T("discard.confirm", "weekday", weekday, "datetime", l.DateTime(m.SnapshotAt, s.Location),
			"rows", l.Number(m.Rows)),
		"MaxReason": MaxDiscardReason})
}

// postDiscard discards a day (POST /{day}/discard, form: reason): the
// pointer is cleared (pages answer 410 from now on, on every replica
// within a second), the day's jobs end and their files go, the audit log
// says who and why; then back to /runs.
func (s *Server) postDiscard(c *fiber.Ctx) error {
	day, p := weekback.Weekday(c.Params("day")), principalOf(c)
	reason := utils.CopyString(c.FormValue("reason"))
	if len(reason) > MaxDiscardReason {
		return s.errorf(c, weekback.ETOOLARGE, "discard.reason_too_long", "max", MaxDiscardReason)
	}
	ctx := c.UserContext()
	d, err := s.Admin.Discard(ctx, day, p.Login, reason)
	if err != nil {
		if weekback.ErrorCode(err) == weekback.ENOTFOUND {
			return s.errorf(c, weekback.ENOTFOUND, "discard.nothing", "weekday", s.localizer(c).Weekday(day.Time()))
		}
		return err
	}
	if gc, ok := s.Generations.(interface{ Invalidate() }); ok {
		gc.Invalidate()
	}
	ended := s.endDayJobs(ctx, day)
	s.audit(ctx, &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditDiscard,
		Outcome: weekback.OutcomeOK, Day: day, Detail: discardDetail(d, ended), Rows: d.Rows})
	s.Logger.Info("day discarded", "day", day, "by", p.Login, "slot", d.Slot, "jobs_ended", ended)
	return c.Redirect("/runs#runs-"+string(day), fiber.StatusSeeOther)
}

// endDayJobs ends the jobs of a discarded day and removes their files
// (through the job runner when there is one); it returns how many ended.
func (s *Server) endDayJobs(ctx context.Context, day weekback.Weekday) int {
	if s.Jobs == nil {
		ended, err := s.Admin.DiscardDayJobs(ctx, day)
		if err != nil {
			s.Logger.Error("cannot end the jobs of a discarded day", "day", day, "err", err)
		}
		return len(ended)
	}
	n, err := s.Jobs.DiscardDay(ctx, s.Admin, day)
	if err != nil {
		s.Logger.Error("cannot end every job of a discarded day", "day", day, "err", err)
	}
	s.Jobs.DiscardDayLater(s.Admin, day, mysql.DiscardSettle+s.Jobs.Heartbeat)
	return n
}

// discardDetail is the audit log's detail of a discard.
func discardDetail(d *weekback.Discard, jobsEnded int) string {
	s := "slot " + d.Slot + ", snapshot " + d.SnapshotAt.UTC().Format(time.RFC3339) + ", jobs ended " + strconv.Itoa(jobsEnded)
	if d.Reason != "" {
		s = "reason: " + d.Reason + "; " + s
	}
	return s
}

// postSnapshotNow records a request for a snapshot (POST /runs/snapshot,
// form: day, default today in Server.Location) for the snapshotter
// daemon; a request for a day that already has one waiting adds nothing.
func (s *Server) postSnapshotNow(c *fiber.Ctx) error {
	p := principalOf(c)
	day := weekback.DayOf(s.Now(), s.Location)
	if v := c.FormValue("day"); v != "" {
		d, err := weekback.ParseWeekday(v)
		if err != nil {
			return s.errorf(c, weekback.EINVALID, "snapshot_now.bad_day")
		}
		day = d
	}
	req, queued, err := s.Admin.RequestSnapshot(c.UserContext(), day, p.Login)
	if err != nil {
		return err
	}
	detail := "queued request " + strconv.FormatInt(req.ID, 10)
	if !queued {
		detail = "already queued as request " + strconv.FormatInt(req.ID, 10)
	}
	s.audit(c.UserContext(), &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditSnapshotRequest,
		Outcome: weekback.OutcomeOK, Day: day, Detail: detail})
	if wantsJSON(c) {
		return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"request": req, "queued": queued})
	}
	return c.Redirect("/runs", fiber.StatusSeeOther)
}
