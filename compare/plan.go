package compare

import (
	"context"
	"strings"

	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// tablePlan is one table resolved on both sides: the compared columns,
// the key (or the order of a keyless table) and the SELECT list each side
// is read with — order values, then key text, then the columns' values.
type tablePlan struct {
	name     string
	from, to *mysql.RecordTable // nil on a side without the table
	cols     []mysql.RecordColumn
	key      []*mysql.RecordColumn // nil: keyless
	order    []mysql.OrderKey
	change   TableChange
	// list is the SELECT list: the columns' values first, then the order
	// values and key text not already among them; orderPos and keyPos say
	// where each is.
	list             []string
	orderPos, keyPos []int
}

// plan resolves table name on both sides of c.
func (c *Comparer) plan(ctx context.Context, name string) (*tablePlan, error) {
	p := &tablePlan{name: name, change: TableChange{Table: name}}
	var err error
	if p.from, err = c.From.table(ctx, name); err != nil {
		return nil, err
	}
	if p.to, err = c.To.table(ctx, name); err != nil {
		return nil, err
	}
	if p.from == nil && p.to == nil {
		return nil, weekback.Errorf(weekback.ENOTFOUND, "neither %s nor %s has a table %q: check the name (case matters)",
			c.From.Label, c.To.Label, name)
	}
	p.change.Status = StatusSame
	switch {
	case p.to == nil:
		p.change.Status = StatusOnlyInFrom
		p.columns(p.from, p.from, c.Redaction)
		p.chooseKey(p.from, p.from)
	case p.from == nil:
		p.change.Status = StatusOnlyInTo
		p.columns(p.to, p.to, c.Redaction)
		p.chooseKey(p.to, p.to)
	default:
		p.columns(p.from, p.to, c.Redaction)
		p.chooseKey(p.from, p.to)
	}
	return p, p.pads(ctx, c)
}

// pads sets the space weight of the order's weight strings in PAD SPACE
// collations, so that Go orders them as the server does.
func (p *tablePlan) pads(ctx context.Context, c *Comparer) error {
	side, t := c.From, p.from
	if t == nil {
		side, t = c.To, p.to
	}
	for i := range p.order {
		o := &p.order[i]
		if !strings.HasPrefix(o.Expr, "WEIGHT_STRING(") {
			continue
		}
		col, _ := t.Column(o.Column)
		w, err := side.padWeight(ctx, col)
		if err != nil {
			return err
		}
		o.Pad = w
	}
	return nil
}

// columns sets the compared columns: the stored columns both sides have
// (From's order and definitions), and the column differences.
func (p *tablePlan) columns(from, to *mysql.RecordTable, red weekback.Redaction) {
	masked := red.Masked(p.name, from.ColumnNames())
	for _, fc := range from.Columns {
		tc, ok := to.Column(fc.Name)
		switch {
		case fc.Generated:
			continue
		case !ok || tc.Generated:
			p.change.ColumnsDropped = append(p.change.ColumnsDropped, fc.Name)
			continue
		case tc.ColumnType != fc.ColumnType || tc.Collation != fc.Collation:
			p.change.ColumnsRetyped = append(p.change.ColumnsRetyped, fc.Name)
		}
		fc.Masked = isMasked(fc.Name, masked)
		p.cols = append(p.cols, fc)
	}
	for _, tc := range to.Columns {
		if fc, ok := from.Column(tc.Name); !tc.Generated && (!ok || fc.Generated) {
			p.change.ColumnsAdded = append(p.change.ColumnsAdded, tc.Name)
		}
	}
}

func isMasked(name string, masked []string) bool {
	for _, m := range masked {
		if strings.EqualFold(m, name) {
			return true
		}
	}
	return false
}

// chooseKey matches rows by the key when both sides have the same key
// columns, of the same types; otherwise the table compares as a multiset,
// ordered by every column that orders whole.
func (p *tablePlan) chooseKey(from, to *mysql.RecordTable) {
	if sameKey(from, to) {
		for _, name := range from.Key {
			c, _ := from.Column(name)
			k, ok := mysql.OrderKeyOf(c)
			if !ok {
				p.key, p.order = nil, nil
				break
			}
			p.key, p.order = append(p.key, c), append(p.order, k)
		}
	}
	if p.key != nil {
		p.change.Key = from.Key
		return
	}
	p.change.Keyless = true
	for i := range p.cols {
		if k, ok := mysql.OrderKeyOf(&p.cols[i]); ok && !p.cols[i].Masked && !p.retyped(p.cols[i].Name) {
			p.order = append(p.order, k)
		}
	}
}

func (p *tablePlan) retyped(name string) bool {
	for _, r := range p.change.ColumnsRetyped {
		if r == name {
			return true
		}
	}
	return false
}

func sameKey(a, b *mysql.RecordTable) bool {
	if a.Key == nil || len(a.Key) != len(b.Key) {
		return false
	}
	for i, name := range a.Key {
		ac, _ := a.Column(name)
		bc, ok := b.Column(b.Key[i])
		if !ok || !strings.EqualFold(ac.Name, bc.Name) || ac.ColumnType != bc.ColumnType || ac.Collation != bc.Collation {
			return false
		}
	}
	return true
}

// selectList sets the SELECT list of both sides: each compared column
// (credential columns as their MD5, so their values never leave the
// server; text in other character sets than UTF-8 converted to it, which
// is lossless), then the order values and key text, each expression read
// once (an integer key's value is its order value and its key text).
// plain is set when neither side's query has arguments: both then come
// in the text protocol, where integers and dates are the server's text
// without a CAST (a third cheaper to read); with arguments (the binary
// protocol on one side) every value is cast to text so that both sides
// write it alike.
func (p *tablePlan) selectList(plain bool) {
	p.list, p.orderPos, p.keyPos = nil, nil, nil
	at := map[string]int{}
	add := func(e string) int {
		if i, ok := at[e]; ok {
			return i
		}
		at[e] = len(p.list)
		p.list = append(p.list, e)
		return len(p.list) - 1
	}
	for i := range p.cols {
		add(valueExpr(&p.cols[i], plain))
	}
	for _, o := range p.order {
		c, _ := p.column(o.Column)
		if plain && c != nil && plainText(c) {
			o.Expr = valueExpr(c, true)
		}
		p.orderPos = append(p.orderPos, add(o.Expr))
	}
	for _, c := range p.key {
		p.keyPos = append(p.keyPos, add(keyTextExpr(c, plain)))
	}
}

// column returns the compared column named name, nil when it is not one
// (a key column of a table compared on one side only is always one).
func (p *tablePlan) column(name string) (*mysql.RecordColumn, bool) {
	for i := range p.cols {
		if p.cols[i].Name == name {
			return &p.cols[i], true
		}
	}
	return nil, false
}

// plainText reports whether the text protocol writes c's values as the
// server's own text, exactly as CAST(c AS CHAR) does: integers (not
// ZEROFILL) and dates.
func plainText(c *mysql.RecordColumn) bool {
	if c.Masked {
		return false
	}
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return !strings.Contains(strings.ToLower(c.ColumnType), "zerofill")
	case "date", "datetime", "timestamp":
		return true
	}
	return false
}

// keyTextExpr is mysql.KeyTextExpr, or the column itself for UTF-8 text
// (the same bytes) and, with plain, for integers and dates.
func keyTextExpr(c *mysql.RecordColumn, plain bool) string {
	if c.Kind == mysql.KindText && utf8Charset(c.Charset) && c.DataType != "enum" && c.DataType != "set" || plain && plainText(c) {
		return valueExpr(c, plain)
	}
	return mysql.KeyTextExpr(c)
}

func valueExpr(c *mysql.RecordColumn, plain bool) string {
	ref := "t." + mysql.QuoteIdent(c.Name)
	switch {
	case c.Masked:
		return "MD5(" + ref + ")"
	case plain && plainText(c):
		return ref
	case c.Kind == mysql.KindDatetime && c.DataType != "year":
		return "CAST(" + ref + " AS CHAR)" // the same text whatever the protocol
	case c.Charset != "" && !utf8Charset(c.Charset) && c.Kind != mysql.KindBinary:
		return "CONVERT(" + ref + " USING utf8mb4)"
	}
	return strings.Replace(mysql.SelectExpr(c.Column), mysql.QuoteIdent(c.Name), ref, 1)
}

func utf8Charset(cs string) bool {
	switch strings.ToLower(cs) {
	case "utf8mb4", "utf8mb3", "utf8", "ascii", "binary":
		return true
	}
	return false
}

// orderBy returns the ORDER BY expressions of the scan.
func (p *tablePlan) orderBy() []string {
	out := make([]string, len(p.order))
	for i, o := range p.order {
		out[i] = o.Order
	}
	return out
}

// masked returns the names of the masked compared columns.
func (p *tablePlan) masked() []string {
	var out []string
	for _, c := range p.cols {
		if c.Masked {
			out = append(out, c.Name)
		}
	}
	return out
}

// keyNames returns the key's column names, nil when keyless.
func (p *tablePlan) keyNames() []string {
	if p.key == nil {
		return nil
	}
	return p.change.Key
}
