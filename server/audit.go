package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/i18n"
)

// AuditPageSize is the number of audit entries on one page of /audit.
const AuditPageSize = 100

// auditView is one line of the audit page, its values in the request's
// language (the JSON answer keeps the raw weekback.AuditEntry).
type auditView struct {
	ID                                  int64
	At, AtISO                           string
	Login, Client, Action, Outcome, Day string
	Table, Detail, Rows                 string
	Failed                              bool
}

// auditLog shows the audit log to admins (GET /audit), newest first,
// AuditPageSize entries a page, older ones with ?before=<id>. For anyone
// else the page does not exist (404, audited as a refused access).
func (s *Server) auditLog(c *fiber.Ctx) error {
	noStore(c)
	p := principalOf(c)
	if p == nil || !p.Admin {
		if p != nil {
			s.audit(c.UserContext(), &weekback.AuditEntry{Login: p.Login, Client: s.clientAddr(c), Action: weekback.AuditRefused,
				Outcome: weekback.OutcomeFailed, Detail: "audit log: not an admin"})
		}
		return fiber.ErrNotFound
	}
	before, err := s.auditBefore(c)
	if err != nil {
		return err
	}
	entries, err := s.Audit.AuditEntries(c.UserContext(), before, AuditPageSize+1)
	if err != nil {
		return err
	}
	next := ""
	if len(entries) > AuditPageSize {
		entries = entries[:AuditPageSize]
		next = "/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	if wantsJSON(c) {
		if entries == nil {
			entries = []weekback.AuditEntry{}
		}
		return c.JSON(fiber.Map{"entries": entries, "next": next})
	}
	l := s.localizer(c)
	views := make([]auditView, len(entries))
	for i := range entries {
		views[i] = s.auditView(l, &entries[i])
	}
	return c.Render("audit", fiber.Map{"Title": l.T("audit.title"), "Entries": views, "Next": next,
		"Newest": before != 0, "Zone": s.Location.String()})
}

// auditBefore returns the ?before= entry ID (0 for the newest page), or
// an EINVALID error when it is not a positive number.
func (s *Server) auditBefore(c *fiber.Ctx) (int64, error) {
	q := c.Query("before")
	if q == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(q, 10, 64)
	if err != nil || id <= 0 {
		return 0, s.errorf(c, weekback.EINVALID, "audit.before")
	}
	return id, nil
}

// auditView returns e as the audit page shows it in l's language.
func (s *Server) auditView(l *i18n.Localizer, e *weekback.AuditEntry) auditView {
	v := auditView{ID: e.ID, At: l.DateTimeSeconds(e.At, s.Location), AtISO: e.At.In(s.Location).Format(time.RFC3339),
		Login: e.Login, Client: e.Client, Action: orKey(l, "audit.action."+e.Action, e.Action),
		Outcome: orKey(l, "audit.outcome."+e.Outcome, e.Outcome), Day: string(e.Day),
		Table: e.Table, Detail: e.Detail, Failed: e.Outcome == weekback.OutcomeFailed}
	if e.Day.Valid() {
		v.Day = l.Weekday(e.Day.Time())
	}
	if e.Count > 1 {
		v.Detail += " (" + l.N("audit.count", int(e.Count)) + ")"
	}
	if e.Rows != 0 || e.Action == weekback.AuditExport {
		v.Rows = l.Number(e.Rows)
	}
	return v
}

// orKey returns the message key in l's language, or raw when the catalogs
// have no such key (a value written by a newer version).
func orKey(l *i18n.Localizer, key, raw string) string {
	if l.Has(key) {
		return l.T(key)
	}
	return raw
}
