package server

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

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
	filter, err := s.auditFilter(c)
	if err != nil {
		return err
	}
	entries, err := s.Audit.AuditEntriesWhere(c.UserContext(), filter, before, AuditPageSize+1)
	if err != nil {
		return err
	}
	next := ""
	if len(entries) > AuditPageSize {
		entries = entries[:AuditPageSize]
		next = auditURL(filter, entries[len(entries)-1].ID)
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
		"Newest": before != 0, "NewestURL": auditURL(filter, 0), "Filter": filter, "Days": s.auditDays(l), "Actions": auditActions(l), "Zone": s.Location.String()})
}

// maxAuditFilter limits each filter of /audit (a login, a table name).
const maxAuditFilter = 255

// auditFilter reads the page's filters: ?action= (kind), ?login= (user),
// ?table= and ?day=. An unknown day or a value longer than
// maxAuditFilter is an EINVALID error.
func (s *Server) auditFilter(c *fiber.Ctx) (weekback.AuditFilter, error) {
	f := weekback.AuditFilter{Action: utils.CopyString(c.Query("action")), Login: utils.CopyString(c.Query("login")),
		Table: utils.CopyString(c.Query("table"))}
	for _, v := range []string{f.Action, f.Login, f.Table} {
		if len(v) > maxAuditFilter {
			return f, s.errorf(c, weekback.EINVALID, "audit.filter.long")
		}
	}
	if day := c.Query("day"); day != "" {
		d, err := weekback.ParseWeekday(day)
		if err != nil {
			return f, s.errorf(c, weekback.EINVALID, "audit.filter.day_invalid")
		}
		f.Day = d
	}
	return f, nil
}

// auditURL returns /audit with f's filters and, when not 0, ?before=.
func auditURL(f weekback.AuditFilter, before int64) string {
	q := url.Values{}
	for k, v := range map[string]string{"action": f.Action, "login": f.Login, "table": f.Table, "day": string(f.Day)} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if before != 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return "/audit"
	}
	return "/audit?" + q.Encode()
}

// auditOption is one choice of the page's day filter.
type auditOption struct{ Value, Label string }

// auditDays returns the seven days for the day filter, in l's language.
func (s *Server) auditDays(l *i18n.Localizer) []auditOption {
	out := make([]auditOption, 0, 7)
	for _, d := range weekback.Weekdays {
		out = append(out, auditOption{Value: string(d), Label: l.Weekday(d.Time())})
	}
	return out
}

// auditActions returns the kinds of entries for the action filter, in
// l's language: writes into production first.
func auditActions(l *i18n.Localizer) []auditOption {
	kinds := []string{weekback.AuditRestore, weekback.AuditUndo, weekback.AuditImport, weekback.AuditTemplateApply,
		weekback.AuditDiscard, weekback.AuditSnapshotRequest, weekback.AuditExport, weekback.AuditDownload, weekback.AuditLogin,
		weekback.AuditLogout, weekback.AuditRefused}
	out := make([]auditOption, len(kinds))
	for i, k := range kinds {
		out[i] = auditOption{Value: k, Label: orKey(l, "audit.action."+k, k)}
	}
	return out
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
