package server

// Comparisons in the background: the changes page of a pair not compared
// yet offers to run the comparison as a job of the export center (kind
// compare), with its progress on /jobs; the job runs through the change
// cache, so its result is the one the changes page (on every replica,
// through the meta schema) then shows.

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/weekback/weekback"
)

// compareBeat is how often a comparison job reports its progress.
const compareBeat = time.Second

// CompareJob compares from with to for a background job
// (jobs.Runner.Compare) through the change cache: a comparison of the
// pair already running (a changes page's) is joined, a stored one is
// reused, and the result is stored in the meta schema (ChangeSets). It
// waits until the server is built. It returns the comparison's error, or
// ctx's when ctx ends first (or the server stops under it: the job is
// then put back in the queue by its runner). It is safe for concurrent
// use.
func (s *Server) CompareJob(ctx context.Context, from, to *weekback.Generation, progress func(done, total int)) error {
	select {
	case <-s.built:
	case <-ctx.Done():
		return ctx.Err()
	}
	e := s.changes.entry(from, to)
	t := time.NewTicker(compareBeat)
	defer t.Stop()
	for {
		if p := e.progress.Load(); p != nil {
			progress(p.TablesDone, p.Tables)
		}
		select {
		case <-e.done:
			if e.err != nil && s.changes.ctx.Err() != nil {
				<-ctx.Done() // the server is stopping: so is the runner
				return ctx.Err()
			}
			return e.err
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// submitCompare starts the comparison of a day with another one as a
// background job (POST /{day}/changes/jobs?against=DAY) and sends the
// browser to its page (303; JSON 202 when asked).
func (s *Server) submitCompare(c *fiber.Ctx) error {
	against := utils.CopyString(c.Query("against"))
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return changesURL(d, "") })
	if err != nil {
		return err
	}
	cp, ok, err := s.resolvePair(c, p, against)
	switch {
	case err != nil:
		return err
	case !ok || cp.Production:
		return s.errorf(c, weekback.EINVALID, "changes.job_pair")
	}
	params := weekback.JobParams{Day: p.Gen.Day, Against: weekback.Weekday(cp.Against)}
	j, replaced, err := s.Jobs.Submit(c.UserContext(), principalOf(c).Login, weekback.JobCompare, params)
	if err != nil {
		return s.submitError(c, err)
	}
	return s.submitted(c, j, replaced)
}

// compareJobAction returns the address the changes page's "Compare in
// the background" form posts to, "" when there is no export center or
// the pair is not two days.
func (s *Server) compareJobAction(cp changePair) string {
	if s.Jobs == nil || cp.Production || cp.From == nil || cp.To == nil {
		return ""
	}
	day, other := cp.To.Day, cp.From.Day
	return "/" + string(day) + "/changes/jobs?against=" + string(other)
}
