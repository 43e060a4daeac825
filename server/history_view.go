package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// renderHistory answers a record's history as HTML or JSON.
func (s *Server) renderHistory(c *fiber.Ctx, p *dayPage, table string, key []string, days []historyDay) error {
	canon := mysql.FormatRowKey(key)
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"day": p.Gen.Day, "table": table, "key": canon, "banner": p.Banner, "days": days})
	}
	l := s.localizer(c)
	keyText := strings.Join(key, ", ")
	return c.Render("history", fiber.Map{"Title": l.T("history.title", "table", table, "key", keyText), "Banner": p.Banner,
		"Table": table, "Key": keyText, "TableURL": tableURL(p.Gen.Day, table), "Days": days})
}

// recordElsewhere answers a record page whose record this day's copy
// lacks (err, ENOTFOUND) with the newest copy that has it: a 404 that says
// "last seen on Wednesday" with links to it and to the record's history.
// Any other error, or a record no copy has, is err itself.
func (s *Server) recordElsewhere(c *fiber.Ctx, p *dayPage, table string, key []string, err error) error {
	if weekback.ErrorCode(err) != weekback.ENOTFOUND {
		return err
	}
	var versions []recordVersion
	lerr := s.withSlot(c, func(conn *sqlx.Conn) error {
		var e error
		versions, e = s.recordVersions(c.UserContext(), conn, servedByTime(p.Gens), table, key)
		return e
	})
	if lerr != nil {
		s.Logger.Warn("look a record up on the other days", "table", table, "err", lerr)
		return err
	}
	var last *recordVersion
	for i := range versions {
		if versions[i].page != nil {
			last = &versions[i]
		}
	}
	if last == nil {
		return err
	}
	return s.renderRecordGone(c, p, table, key, last, err)
}

// renderRecordGone answers 404 naming the copy last seen holding the record.
func (s *Server) renderRecordGone(c *fiber.Ctx, p *dayPage, table string, key []string, last *recordVersion, err error) error {
	canon := mysql.FormatRowKey(key)
	lastURL, history := tableURL(last.gen.Day, table)+"/rows/"+canon, historyURL(p.Gen.Day, table, canon)
	c.Status(fiber.StatusNotFound)
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"status": fiber.StatusNotFound, "error": s.errorSentence(c, err), "banner": p.Banner,
			"last_seen": fiber.Map{"day": last.gen.Day, "url": lastURL}, "history": history})
	}
	l := s.localizer(c)
	at := last.gen.Manifest.SnapshotAt.In(s.Location)
	keyText, day := strings.Join(key, ", "), l.Weekday(p.Gen.Day.Time())
	return c.Render("record_gone", fiber.Map{"Title": l.T("title.not_found"), "Banner": p.Banner,
		"Message":  l.T("history.gone", "table", table, "key", keyText, "weekday", day),
		"LastSeen": l.T("history.last_seen", "weekday", l.Weekday(last.gen.Day.Time()), "datetime", l.DateTime(at, s.Location)),
		"LastURL":  lastURL, "HistoryURL": history, "TableURL": tableURL(p.Gen.Day, table), "Table": table})
}
