package server

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/export"
	"github.com/weekback/weekback/mysql"
	"github.com/weekback/weekback/template"
)

// maxUnencodableShown is how many characters the page of a Shift_JIS
// download lists before offering the whole list as CSV.
const maxUnencodableShown = 100

// exportRequest is what an export.csv address asks for.
type exportRequest struct {
	table string
	rq    recordsQuery
	query mysql.RecordQuery
	csv   export.CSVOptions
	list  bool // unencodable=csv: the list of characters the encoding cannot hold, as CSV
	// anonymize (anonymize=1) writes the columns of exports.anonymize as
	// pseudonyms.
	anonymize bool
	page      *dayPage
	// against narrows the export (missing_in, changed_in) to the rows
	// whose key is in keys.
	against *exportAgainst
	keys    *export.KeySet
}

// parseExport reads the records page's filters and sort plus columns,
// profile, encoding and lossy.
func (s *Server) parseExport(c *fiber.Ctx) (*exportRequest, error) {
	table, err := tableParam(c)
	if err != nil {
		return nil, err
	}
	er := &exportRequest{table: table}
	if er.rq, _, err = s.parseRecordsQuery(c); err != nil {
		return nil, s.withBanner(c, table, recordsQuery{}, err)
	}
	if er.csv.Profile, err = export.ParseProfile(c.Query("profile")); err != nil {
		return nil, err
	}
	if er.csv.Encoding, err = export.ParseEncoding(c.Query("encoding")); err != nil {
		return nil, err
	}
	if er.against, err = parseAgainst(c); err != nil {
		return nil, err
	}
	er.csv.Lossy = c.Query("lossy") == "1"
	er.list = c.Query("unencodable") == "csv"
	if er.anonymize = c.Query("anonymize") == "1"; er.anonymize {
		if s.Anonymizer == nil {
			return nil, s.errorf(c, weekback.EINVALID, "download.anonymize_off")
		}
		er.csv.Replace = export.NewRowReplacer(weekback.Redaction{}, s.Anonymizer)
	}
	if cols := c.Query("columns"); cols != "" {
		for col := range strings.SplitSeq(cols, ",") {
			er.query.Columns = append(er.query.Columns, utils.CopyString(strings.TrimSpace(col)))
		}
	}
	return er, nil
}

// exportCSV streams the records of a table as CSV
// (GET /{day}/tables/{table}/export.csv), with the records page's filters
// and sort. The query is checked before anything is sent, so a bad
// filter or column is an error page; then rows stream with flat memory.
// A Shift_JIS download is first checked for characters Shift_JIS cannot
// hold: when there are some, a page lists them (or, with
// unencodable=csv, sends the list as CSV) and offers the download with
// '?' in their place (lossy=1) — nothing is replaced silently.
func (s *Server) exportCSV(c *fiber.Ctx) error {
	er, err := s.parseExport(c)
	if err != nil {
		return err
	}
	if err := s.prepareExport(c, er); err != nil {
		return err
	}
	x, err := s.openExport(c)
	if err != nil {
		return err
	}
	if er.csv.Encoding == export.EncodingShiftJIS && !er.csv.Lossy {
		list, err := s.unencodable(c.UserContext(), x.conn, er)
		if err != nil || len(list) > 0 {
			x.close()
		}
		if err != nil {
			return err
		}
		if len(list) > 0 {
			return s.renderUnencodable(c, er, list)
		}
	}
	s.streamCSV(c, er, x)
	return nil
}

// prepareExport loads the day, checks the table and the query (columns,
// filters, sort) and fills er.query.
func (s *Server) prepareExport(c *fiber.Ctx, er *exportRequest) error {
	var err error
	er.page, err = s.loadDay(c, func(d weekback.Weekday) string { return tableURL(d, er.table) + er.rq.encode(false) })
	if err != nil {
		return err
	}
	if err := s.checkTable(c, er.page.Gen.Manifest, er.table); err != nil {
		return err
	}
	er.query = s.withExportTimeout(er.query)
	q := &er.query
	q.Schema, q.Table, q.Filters, q.Sort = er.page.Gen.Slot, er.table, er.rq.Filters, er.rq.Sort
	return s.withSlot(c, func(conn *sqlx.Conn) error {
		if q.Masked, err = s.masked(c.UserContext(), conn, q.Schema, q.Table); err != nil {
			return err
		}
		_, err := s.Catalog.RecordColumns(c.UserContext(), conn, *q)
		if err == nil && er.against != nil {
			er.keys, err = s.exportKeys(c.UserContext(), er.page.Gens, er.page.Gen, er.table, er.against, er.rq.Filters)
		}
		return err
	})
}

// exportPool returns the pool CSV downloads read with.
func (s *Server) exportPool() *sqlx.DB {
	if s.ExportSlots != nil {
		return s.ExportSlots
	}
	return s.Slots
}

// unencodable runs the export to nowhere on conn and returns the
// characters the encoding cannot hold.
func (s *Server) unencodable(ctx context.Context, conn *sqlx.Conn, er *exportRequest) ([]export.Unencodable, error) {
	var list []export.Unencodable
	opts := er.csv
	opts.Lossy = true
	opts.OnUnencodable = func(u export.Unencodable) { list = append(list, u) }
	_, err := s.runExport(ctx, conn, er.query, er.keys, io.Discard, opts)
	return list, err
}

// renderUnencodable answers a Shift_JIS download that would lose
// characters: 422 with the list (as a page, JSON or, when asked, CSV).
func (s *Server) renderUnencodable(c *fiber.Ctx, er *exportRequest, list []export.Unencodable) error {
	name := export.FileName(er.table, er.page.Gen.Day, er.page.Gen.Manifest.SnapshotAt, s.Location, "unencodable.csv")
	if er.list {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, attachment(name))
		return export.WriteUnencodableCSV(c, list)
	}
	c.Status(fiber.StatusUnprocessableEntity)
	base := c.OriginalURL()
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"error": s.localizer(c).T("export.unencodable", "count", len(list)), "unencodable": list,
			"lossy_url": setParam(base, "lossy", "1"), "list_url": setParam(base, "unencodable", "csv")})
	}
	shown := list[:min(len(list), maxUnencodableShown)]
	return c.Render("unencodable", fiber.Map{"Title": s.localizer(c).T("export.unencodable.title"), "Banner": er.page.Banner,
		"Table": er.table, "Count": len(list), "List": shown, "More": len(list) - len(shown),
		"UTF8URL": setParam(base, "encoding", string(export.EncodingUTF8BOM)), "LossyURL": setParam(base, "lossy", "1"), "ListURL": setParam(base, "unencodable", "csv"),
		"BackURL": tableURL(er.page.Gen.Day, er.table) + er.rq.encode(false)})
}

// setParam returns the local address u with the query parameter key set
// to value (replacing any earlier value).
func setParam(u, key, value string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := parsed.Query()
	q.Set(key, value)
	parsed.RawQuery = q.Encode()
	return parsed.RequestURI()
}

// attachment returns a Content-Disposition header offering name for
// download: an ASCII fallback and the UTF-8 name (RFC 6266), both without
// bidirectional controls (a right-to-left override in a table name would
// show "report‮vsc.exe" as "reportexe.csv").
func attachment(name string) string {
	name = strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, name)
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// isBidiControl reports whether r changes the direction of the text
// around it: the embeddings and overrides U+202A–U+202E, the isolates
// U+2066–U+2069, the marks U+200E, U+200F and U+061C.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// templateJSON answers the template of a table and its related tables
// (GET /{day}/tables/{table}/template.json), as a download;
// related=0 leaves the related tables out.
func (s *Server) templateJSON(c *fiber.Ctx) error {
	table, err := tableParam(c)
	if err != nil {
		return err
	}
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return tableURL(d, table) + "/template.json" })
	if err != nil {
		return err
	}
	if err := s.checkTable(c, p.Gen.Manifest, table); err != nil {
		return err
	}
	t, err := template.Build(c.UserContext(), s.Slots, p.Gen, table, c.Query("related") != "0")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, attachment(export.FileName(table, p.Gen.Day, p.Gen.Manifest.SnapshotAt, s.Location, "template.json")))
	return template.Write(c, t)
}
