package server

// Find: a value across every table of a day. Text columns are searched
// with contains, number columns (and keys of other types) by equality when
// the value can be one of theirs; credential columns never. Each table
// shows at most searchPerTable rows, each statement has the pages' time
// limit, and the whole search stops searching after searchBudget of the
// request's time: the tables left are listed as not searched.

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Limits of a search.
const (
	maxSearchChars  = 200 // longest value searched for
	searchPerTable  = 20  // rows shown per table
	searchParallel  = 3   // tables searched at once
	searchShownCols = 4   // columns shown when no value visibly matched
)

// searchBudget is the share of the request's time a search may use
// before it leaves the remaining tables unsearched.
const searchBudget = 2.0 / 3

var (
	numberText = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	dateText   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?$`)
	hexText    = regexp.MustCompile(`^0x([0-9a-fA-F]{2})*$`)
)

// searchTable is one table's part of a search's answer.
type searchTable struct {
	Table    string       `json:"table"`
	URL      string       `json:"url"`
	Columns  []columnView `json:"columns"`  // the columns shown
	Rows     []jsonRow    `json:"rows"`     // JSON only
	More     bool         `json:"more"`     // more than searchPerTable rows match
	Filtered []filterLink `json:"filtered"` // the table filtered by each column that matched
	Error    string       `json:"error,omitempty"`
	Skipped  bool         `json:"skipped,omitempty"` // not searched: the time ran out

	Keyed bool        `json:"-"`
	Hits  []searchHit `json:"-"`
	err   error       // a user's error, made Error in the request's language

}

// filterLink is the records page of a table filtered by one column.
type filterLink struct {
	Column string `json:"column"`
	URL    string `json:"url"`
}

// searchHit is one matching row on the page.
type searchHit struct {
	URL   string
	Key   string
	Cells []searchCell
}

// searchCell is one shown value, cut into the parts that match the
// searched value and those that do not.
type searchCell struct {
	Cell  cellView
	Parts []textPart
}

// textPart is a piece of a value; Match marks the searched value.
type textPart struct {
	Text  string
	Match bool
}

// search answers GET /{day}/search?q=….
func (s *Server) search(c *fiber.Ctx) error {
	q := strings.TrimSpace(utils.CopyString(c.Query("q")))
	p, err := s.loadDay(c, func(d weekback.Weekday) string { return searchURL(d, q) })
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(q) > maxSearchChars || !utf8.ValidString(q) {
		return s.errorf(c, weekback.EINVALID, "search.too_long", "max", maxSearchChars)
	}
	var tables []*searchTable
	if q != "" {
		if tables, err = s.searchDay(c, p.Gen, q); err != nil {
			return err
		}
	}
	return s.renderSearch(c, p, q, tables)
}

// searchURL returns the address of a search on day.
func searchURL(day weekback.Weekday, q string) string {
	u := "/" + string(day) + "/search"
	if q != "" {
		u += "?q=" + url.QueryEscape(q)
	}
	return u
}

// searchDay searches every table of gen, searchParallel at once, and
// returns those with a match, an error or no time left, in the
// manifest's order.
func (s *Server) searchDay(c *fiber.Ctx, gen *weekback.Generation, q string) ([]*searchTable, error) {
	if s.Slots == nil || s.Catalog == nil {
		return nil, errors.New("server: Slots and Catalog are not set")
	}
	ctx := c.UserContext()
	budget, cancel := context.WithTimeout(ctx, time.Duration(float64(s.RequestTimeout)*searchBudget))
	defer cancel()
	out := make([]*searchTable, len(gen.Manifest.Tables))
	g := new(errgroup.Group)
	g.SetLimit(searchParallel)
	for i, ti := range gen.Manifest.Tables {
		st := &searchTable{Table: ti.Name, URL: tableURL(gen.Day, ti.Name)}
		out[i] = st
		g.Go(func() error { return s.searchOne(budget, gen.Slot, q, st) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var found []*searchTable
	for _, st := range out {
		if st.err != nil {
			st.Error = s.errorSentence(c, st.err)
		}
		if len(st.Hits) > 0 || st.Error != "" || st.Skipped {
			found = append(found, st)
		}
	}
	return found, nil
}

// searchOne searches one table into st. Errors a user can read go to
// st.err, running out of time to st.Skipped; others are returned. It runs
// on its own goroutine: it never touches the request.
func (s *Server) searchOne(ctx context.Context, slot, q string, st *searchTable) error {
	if ctx.Err() != nil {
		st.Skipped = true
		return nil
	}
	conn, err := s.Slots.Connx(ctx)
	if err != nil {
		st.Skipped = ctx.Err() != nil
		return ignoreIf(st.Skipped, weekback.Errorf(weekback.EUNAVAILABLE, "slots unavailable"))
	}
	defer conn.Close()
	page, filters, err := s.searchPage(ctx, conn, slot, q, st.Table)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		st.Skipped = true
		return nil
	case weekback.ErrorCode(err) != weekback.EINTERNAL:
		st.err = err
		return nil
	default:
		return err
	}
	if page != nil {
		fillSearchTable(st, page, filters, q)
	}
	return nil
}

func ignoreIf(ignore bool, err error) error {
	if ignore {
		return nil
	}
	return err
}

// errorSentence returns err's sentence for the request's language.
func (s *Server) errorSentence(c *fiber.Ctx, err error) string {
	_, msg, _ := s.errorMessage(c, s.localizer(c), err)
	return msg
}

// searchPage returns the first searchPerTable rows of table matching q,
// and the filters it searched with (nil page when no column can hold q).
func (s *Server) searchPage(ctx context.Context, conn *sqlx.Conn, slot, q, table string) (*mysql.Page, []weekback.Filter, error) {
	t, err := s.Catalog.Table(ctx, conn, slot, table)
	if err != nil {
		return nil, nil, err
	}
	red := weekback.Redaction{PasswordTable: s.PasswordTable, PasswordColumn: s.PasswordColumn, Globs: s.Redact}
	masked := red.Masked(table, t.ColumnNames())
	filters := searchFilters(t, masked, q)
	if len(filters) == 0 {
		return nil, nil, nil
	}
	page, err := s.Catalog.Records(ctx, conn, mysql.RecordQuery{Schema: slot, Table: table, AnyOf: filters,
		Masked: masked, PageSize: searchPerTable, MaxValueLen: listValueLen})
	return page, filters, err
}

// searchFilters returns how each column of t is searched for q: text
// with contains, numbers and key columns by equality when q can be one of
// their values; masked columns never.
func searchFilters(t *mysql.RecordTable, masked []string, q string) []weekback.Filter {
	var out []weekback.Filter
	for _, col := range t.Columns {
		if isIn(masked, col.Name) {
			continue
		}
		op := searchOp(col, q)
		if op != "" {
			out = append(out, weekback.Filter{Column: col.Name, Op: op, Value: q})
		}
	}
	return out
}

// searchOp returns the operator col is searched for q with, "" for none.
func searchOp(col mysql.RecordColumn, q string) weekback.FilterOp {
	switch {
	case col.Kind == mysql.KindText || col.Kind == mysql.KindJSON:
		return weekback.OpContains
	case col.Kind == mysql.KindNumber && numberText.MatchString(q):
		return weekback.OpEq
	case col.Key && col.Kind == mysql.KindDatetime && dateText.MatchString(q):
		return weekback.OpEq
	case col.Key && col.Kind == mysql.KindBinary && hexText.MatchString(q):
		return weekback.OpEq
	}
	return ""
}

func isIn(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// fillSearchTable puts page's rows into st: the key columns and the
// columns whose shown values match q (the first searched ones when none
// visibly does), and a filtered records link for each of those.
func fillSearchTable(st *searchTable, page *mysql.Page, filters []weekback.Filter, q string) {
	st.Keyed, st.More = page.Key != nil, page.Next != ""
	shown := searchColumns(page, filters, q)
	for _, i := range shown {
		col := page.Columns[i]
		st.Columns = append(st.Columns, columnView{Name: col.Name, Kind: col.Kind, Type: col.ColumnType, Key: col.Key})
	}
	rowBase := st.URL + "/rows/"
	for _, r := range page.Rows {
		h := searchHit{URL: keyURL(rowBase, r.Key), Key: r.Key}
		for _, i := range shown {
			cell := cellOf(page.Columns[i], r.Values[i])
			h.Cells = append(h.Cells, searchCell{Cell: cell, Parts: highlight(cell, q)})
		}
		st.Hits = append(st.Hits, h)
		st.Rows = append(st.Rows, jsonRowOf(page.Columns, r, h.URL))
	}
	for _, f := range filters {
		if matchedIn(page, f, q) {
			v := url.Values{weekback.FilterParamPrefix + f.Column: {f.Param()}}
			st.Filtered = append(st.Filtered, filterLink{Column: f.Column, URL: st.URL + "?" + v.Encode()})
		}
	}
}

// searchColumns returns the indexes of page's columns a result shows.
func searchColumns(page *mysql.Page, filters []weekback.Filter, q string) []int {
	var shown, matched []int
	for i, col := range page.Columns {
		f, searched := filterOf(filters, col.Name)
		switch {
		case col.Key:
			shown = append(shown, i)
		case searched && matchedIn(page, f, q):
			matched = append(matched, i)
		}
	}
	if len(matched) == 0 {
		for i, col := range page.Columns {
			if _, searched := filterOf(filters, col.Name); searched && !col.Key && len(matched) < searchShownCols {
				matched = append(matched, i)
			}
		}
	}
	return append(shown, matched...)
}

func filterOf(filters []weekback.Filter, column string) (weekback.Filter, bool) {
	for _, f := range filters {
		if f.Column == column {
			return f, true
		}
	}
	return weekback.Filter{}, false
}

// matchedIn reports whether a shown value of f's column visibly matches
// q (ignoring case, as most collations do).
func matchedIn(page *mysql.Page, f weekback.Filter, q string) bool {
	for i, col := range page.Columns {
		if col.Name != f.Column {
			continue
		}
		for _, r := range page.Rows {
			if v := r.Values[i]; !v.Null && valueMatches(string(v.Bytes), f.Op, q) {
				return true
			}
		}
	}
	return false
}

func valueMatches(v string, op weekback.FilterOp, q string) bool {
	if op == weekback.OpContains {
		return indexFold(v, q) >= 0
	}
	if numberText.MatchString(v) && numberText.MatchString(q) {
		a, errA := strconv.ParseFloat(v, 64)
		b, errB := strconv.ParseFloat(q, 64)
		return errA == nil && errB == nil && a == b
	}
	return strings.EqualFold(v, q)
}

// indexFold returns the byte index of the first match of q in s ignoring
// case, -1 when none.
func indexFold(s, q string) int {
	n := utf8.RuneCountInString(q)
	if n == 0 {
		return -1
	}
	for i := range s {
		if end := runesLen(s[i:], n); end > 0 && strings.EqualFold(s[i:i+end], q) {
			return i
		}
	}
	return -1
}

// runesLen returns the length in bytes of the first n runes of s, -1 when
// s has fewer.
func runesLen(s string, n int) int {
	at := 0
	for k := 0; k < n; k++ {
		if at >= len(s) {
			return -1
		}
		_, size := utf8.DecodeRuneInString(s[at:])
		at += size
	}
	return at
}

// highlight cuts the text of cell at the matches of q; nil when it has no
// text to cut (NULL, binary, masked).
func highlight(cell cellView, q string) []textPart {
	if cell.Null || cell.Masked || cell.Binary || cell.Text == "" {
		return nil
	}
	var parts []textPart
	rest := cell.Text
	for {
		i := indexFold(rest, q)
		if i < 0 {
			return append(parts, textPart{Text: rest})
		}
		end := i + runesLen(rest[i:], utf8.RuneCountInString(q))
		parts = append(parts, textPart{Text: rest[:i]}, textPart{Text: rest[i:end], Match: true})
		rest = rest[end:]
	}
}
