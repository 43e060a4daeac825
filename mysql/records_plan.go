package mysql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/weekback/weekback"
)

// plan is a RecordQuery resolved against the catalog: every identifier in
// its SQL comes from RecordTable, every value is a placeholder.
type plan struct {
	t      *RecordTable
	q      RecordQuery
	flavor flavor
	head   string         // SELECT with the statement's limits
	out    []RecordColumn // the page's columns
	where  []string       // filter conditions
	args   []any          // their arguments
	order  []orderCol     // page order: sort column, then key (or digest)
	desc   bool
	keyed  bool // order identifies rows (a key): no two rows share order values
	sig    uint32

	list    []string // SELECT list
	outAt   []int    // per out column: its value in list, -1 when masked
	sizeAt  []int    // per out column: its LENGTH() in list, -1 when none
	cut     []bool   // per out column: value read one past maxLen, to see truncation
	orderAt int      // first order value in list
	keyAt   int      // first key value in list (keyed tables)
	maxLen  int
}

// resolve returns the column of t named name (see RecordTable.Column), an
// EINVALID *weekback.Error naming it when there is none, or when it is
// masked and use says what for.
func resolve(t *RecordTable, masked []string, name, use string) (*RecordColumn, error) {
	c, ok := t.Column(name)
	if !ok {
		var names []string
		for _, n := range t.ColumnNames() {
			if use == "show" || !isMasked(n, masked) {
				names = append(names, n)
			}
		}
		return nil, weekback.Errorf(weekback.EINVALID, "table %s has no column %q: %s one of its columns (%s)",
			t.Name, name, use, weekback.Suggest(name, "columns", names)).
			WithKey(useKeys[use][0], "table", t.Name, "column", name)
	}
	if use != "show" && isMasked(c.Name, masked) {
		return nil, weekback.Errorf(weekback.EINVALID, "column %s holds credentials and cannot be used to %s: remove it", c.Name, use).
			WithKey(useKeys[use][1], "column", c.Name)
	}
	return c, nil
}

// useKeys are the message catalogs' keys of resolve's errors for each
// use: no such column, and a masked column.
var useKeys = map[string][2]string{
	"filter by": {"error.column.filter", "error.column.masked_filter"},
	"sort by":   {"error.column.sort", "error.column.masked_sort"},
	"show":      {"error.column.show", ""},
}

func isMasked(name string, masked []string) bool {
	for _, m := range masked {
		if strings.EqualFold(m, name) {
			return true
		}
	}
	return false
}

// newPlan resolves q (normalized) against t for server flavour f; fits
// tells whether filter values fit their columns.
func newPlan(t *RecordTable, q RecordQuery, f flavor, fits fitsFunc) (*plan, error) {
	p := &plan{t: t, q: q, flavor: f, head: selectHead(f, max(q.Timeout, 0)), desc: q.Sort.Desc, maxLen: q.MaxValueLen}
	if err := p.project(); err != nil {
		return nil, err
	}
	conds, args, err := filterConds(t, q.Masked, q.Filters, fits)
	if err != nil {
		return nil, err
	}
	p.where, p.args = conds, args
	if err := p.anyOf(fits); err != nil {
		return nil, err
	}
	if err := p.orderBy(); err != nil {
		return nil, err
	}
	p.sig = orderSig(t.Name, p.order, p.desc)
	return p, nil
}

// filterConds returns the condition of each filter on t and their
// arguments; errors as resolve and filterSQL.
func filterConds(t *RecordTable, masked []string, filters []weekback.Filter, fits fitsFunc) ([]string, []any, error) {
	var conds []string
	var args []any
	for _, fl := range filters {
		c, err := resolve(t, masked, fl.Column, "filter by")
		if err != nil {
			return nil, nil, err
		}
		cond, a, err := filterSQL(c, fl, fits)
		if err != nil {
			return nil, nil, err
		}
		conds, args = append(conds, cond), append(args, a...)
	}
	return conds, args, nil
}

func (p *plan) project() error {
	names := p.q.Columns
	if len(names) == 0 {
		names = ColumnNames(columnsOf(p.t.Columns))
	}
	seen := map[string]bool{}
	for _, name := range names {
		c, err := resolve(p.t, p.q.Masked, name, "show")
		if err != nil {
			return err
		}
		if seen[c.Name] {
			return weekback.Errorf(weekback.EINVALID, "column %s is listed twice: list each column once", c.Name).
				WithKey("error.column.twice", "column", c.Name)
		}
		seen[c.Name] = true
		oc := *c
		oc.Masked = isMasked(c.Name, p.q.Masked)
		p.out = append(p.out, oc)
	}
	return nil
}

func columnsOf(cols []RecordColumn) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = c.Column
	}
	return out
}

// orderBy sets the page order: the sort column (if any), then the key
// columns not already in it; without a usable key (none, or one with a
// masked column), the row digest.
func (p *plan) orderBy() error {
	var sortCol *RecordColumn
	if p.q.Sort.Column != "" {
		c, err := resolve(p.t, p.q.Masked, p.q.Sort.Column, "sort by")
		if err != nil {
			return err
		}
		sortCol = c
		p.order = append(p.order, orderColOf(c))
	}
	p.keyed = p.t.Key != nil
	for _, name := range p.t.Key {
		if isMasked(name, p.q.Masked) {
			p.keyed = false
		}
	}
	if p.t.View {
		p.order = append(p.order, p.viewOrder(sortCol)...)
	}
	if !p.keyed {
		p.order = append(p.order, digestCol(p.t))
		return nil
	}
	for _, name := range p.t.Key {
		c, _ := p.t.Column(name)
		if sortCol == nil || c.Name != sortCol.Name {
			p.order = append(p.order, orderColOf(c))
		}
	}
	return nil
}

// ViewOrderColumns is how many of a view's first columns order its pages
// (after the sort column, before the row digest that tells rows apart).
const ViewOrderColumns = 2

// viewOrder returns the order of a view's rows: its first
// ViewOrderColumns unmasked columns other than sortCol. A view has no key:
// these give its pages a readable order, the digest after them keeps
// paging exact as long as the view returns the same rows every time.
func (p *plan) viewOrder(sortCol *RecordColumn) []orderCol {
	var out []orderCol
	for i := range p.t.Columns {
		c := &p.t.Columns[i]
		if len(out) == ViewOrderColumns {
			break
		}
		if isMasked(c.Name, p.q.Masked) || sortCol != nil && c.Name == sortCol.Name {
			continue
		}
		out = append(out, orderColOf(c))
	}
	return out
}

// displayList builds the SELECT list of Records: each shown column as the
// page shows it (see Value), then the order values, then the key values.
func (p *plan) displayList() {
	p.list = nil
	for i := range p.out {
		c := &p.out[i]
		at, size, cut := -1, -1, false
		if !c.Masked {
			var e string
			e, cut = p.displayExpr(c)
			at = p.add(e)
			if k := c.Kind; k == KindText || k == KindBinary || k == KindJSON {
				size = p.add("LENGTH(" + colRef(c) + ")")
			}
		}
		p.outAt, p.sizeAt, p.cut = append(p.outAt, at), append(p.sizeAt, size), append(p.cut, cut)
	}
	p.orderAt = len(p.list)
	for _, o := range p.order {
		p.add(o.cursor)
	}
	p.keyAt = len(p.list)
	if p.keyed {
		for _, name := range p.t.Key {
			c, _ := p.t.Column(name)
			p.add(keyText(c))
		}
	}
}

func (p *plan) add(e string) int {
	p.list = append(p.list, e)
	return len(p.list) - 1
}

// displayExpr returns how Records reads c, and whether the value is cut
// after maxLen+1 characters (bytes for binary columns).
func (p *plan) displayExpr(c *RecordColumn) (string, bool) {
	ref := colRef(c)
	cut := p.maxLen > 0 && c.MaxChars > int64(p.maxLen)
	left := ref
	if cut {
		left = "LEFT(" + ref + ", " + strconv.Itoa(p.maxLen+1) + ")"
	}
	switch classOf(c) {
	case classString, classEnum, classJSON:
		return "CONVERT(" + left + " USING utf8mb4)", cut
	case classBinary:
		return left, cut
	case classBit:
		return ref, false
	case classGeometry:
		return "ST_AsText(" + ref + ")", false
	}
	return "CAST(" + ref + " AS CHAR)", false
}

// exportList builds the SELECT list of ScanRecords: the unmasked columns
// read losslessly (SelectExpr; dates and times as the server's text, which
// the lean reader receives as it is: with lean, they are not cast).
func (p *plan) exportList(lean bool) []RecordColumn {
	var cols []RecordColumn
	p.list = nil
	for _, c := range p.out {
		if c.Masked {
			continue
		}
		e := SelectExpr(c.Column)
		if c.Kind == KindDatetime && c.DataType != "year" && !lean {
			e = "CAST(" + QuoteIdent(c.Name) + " AS CHAR)"
		}
		p.add(e)
		cols = append(cols, c)
	}
	return cols
}

// selectSQL returns the query of rows matching the filters and cond in
// page order (reversed when reverse), with LIMIT ?, ? when limit > 0.
func (p *plan) selectSQL(cond string, reverse bool, limit bool) string {
	var b strings.Builder
	b.WriteString(p.head)
	b.WriteString(strings.Join(p.list, ", "))
	b.WriteString(" FROM " + QuoteTable(p.t.Schema, p.t.Name) + " AS t")
	b.WriteString(p.whereSQL(cond))
	if len(p.order) > 0 {
		dir := " ASC"
		if p.desc != reverse {
			dir = " DESC"
		}
		for i, o := range p.order {
			if i == 0 {
				b.WriteString(" ORDER BY ")
			} else {
				b.WriteString(", ")
			}
			b.WriteString(o.order + dir)
		}
	}
	if limit {
		b.WriteString(" LIMIT ?, ?")
	}
	return b.String()
}

func (p *plan) whereSQL(cond string) string {
	conds := p.where
	if cond != "" {
		conds = append(conds[:len(conds):len(conds)], cond)
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// posCond returns the condition that a row's order values stand op
// (<, <=, =, >=, >) to g in page order. MySQL sorts NULL first ascending
// and last descending; the comparisons follow. It returns
// errInvalidCursor when a value of g cannot be one of its column's.
func (p *plan) posCond(g []*string, op string) (string, []any, error) {
	var terms, eqs []string
	var args, eqArgs []any
	for i, o := range p.order {
		if op != "=" {
			greater := (op[0] == '>') != p.desc
			c, a, err := step(o, g[i], greater)
			if err != nil {
				return "", nil, err
			}
			if c != "" {
				terms = append(terms, strings.Join(append(eqs[:len(eqs):len(eqs)], c), " AND "))
				args = append(append(args, eqArgs...), a...)
			}
		}
		e, a, err := equal(o, g[i])
		if err != nil {
			return "", nil, err
		}
		eqs, eqArgs = append(eqs, e), append(eqArgs, a...)
	}
	if op == "=" || op == "<=" || op == ">=" {
		terms = append(terms, strings.Join(eqs, " AND "))
		args = append(args, eqArgs...)
	}
	if len(terms) == 0 {
		return "0 = 1", nil, nil
	}
	return "((" + strings.Join(terms, ") OR (") + "))", args, nil
}

// step is "o's value is greater (less) than v" in SQL's order, where NULL
// is less than every value.
func step(o orderCol, v *string, greater bool) (string, []any, error) {
	switch {
	case v == nil && greater:
		return o.cmp + " IS NOT NULL", nil, nil
	case v == nil:
		return "", nil, nil
	}
	pm, ok := o.param(*v)
	if !ok {
		return "", nil, errInvalidCursor()
	}
	if greater {
		return o.cmp + " > " + pm.sql, pm.args, nil
	}
	if o.nullable {
		return "(" + o.cmp + " < " + pm.sql + " OR " + o.cmp + " IS NULL)", pm.args, nil
	}
	return o.cmp + " < " + pm.sql, pm.args, nil
}

func equal(o orderCol, v *string) (string, []any, error) {
	if v == nil {
		return o.cmp + " IS NULL", nil, nil
	}
	pm, ok := o.param(*v)
	if !ok {
		return "", nil, errInvalidCursor()
	}
	return o.cmp + " = " + pm.sql, pm.args, nil
}

// truncate cuts v after n characters (bytes when binary).
func truncate(v Value, n int, binary bool) Value {
	if binary {
		if len(v.Bytes) > n {
			v.Bytes, v.Truncated = v.Bytes[:n], true
		}
		return v
	}
	at, count := 0, 0
	for at < len(v.Bytes) && count < n {
		_, size := utf8.DecodeRune(v.Bytes[at:])
		at += size
		count++
	}
	if at < len(v.Bytes) {
		v.Bytes, v.Truncated = v.Bytes[:at], true
	}
	return v
}
