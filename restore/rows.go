package restore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/weekback/weekback/mysql"
)

// row is one row of a table: its stored columns as ReadExpr reads them;
// nil is NULL.
type row [][]byte

// rowSet holds rows of one table, each key once, in the order added.
type rowSet struct {
	rows  []row
	index map[string]int // keyText → position in rows
}

// add adds r unless a row of its key is there; it reports whether it was
// new.
func (s *rowSet) add(key string, r row) bool {
	if s.index == nil {
		s.index = map[string]int{}
	}
	if _, ok := s.index[key]; ok {
		return false
	}
	s.index[key] = len(s.rows)
	s.rows = append(s.rows, r)
	return true
}

func (s *rowSet) len() int { return len(s.rows) }

// joinTexts is an unambiguous text of values ("len:bytes" each).
func joinTexts(vals []([]byte)) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		if v == nil {
			b.WriteByte('-')
			continue
		}
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.Write(v)
	}
	return b.String()
}

// pick returns r's values of the columns idx.
func pick(r row, idx []int) [][]byte {
	out := make([][]byte, len(idx))
	for i, c := range idx {
		out[i] = r[c]
	}
	return out
}

// keyText identifies r in t: its key values, or all its values when t has
// no key.
func (t *table) keyText(r row) string {
	if !t.keyed() {
		return joinTexts(r)
	}
	return joinTexts(pick(r, t.key))
}

// keyShow shows r's key for people: values joined by "," (all its values
// when t has no key).
func (t *table) keyShow(r row) string {
	idx := t.key
	if !t.keyed() {
		idx = make([]int, len(t.cols))
		for i := range idx {
			idx[i] = i
		}
	}
	return showValues(t, idx, r)
}

// selectAll reads every row of schema.t.
func selectAll(ctx context.Context, q sqlx.QueryerContext, schema string, t *table) ([]row, error) {
	query := mysql.Tag + "SELECT " + t.readExprs() + " FROM " + mysql.QuoteTable(schema, t.name) + " AS t"
	return scanRows(ctx, q, query, nil, len(t.cols))
}

// selectIn reads the rows of schema.t whose columns cols hold one of the
// tuples (values as ReadExpr reads them, typed by t's columns); suffix
// ends each statement (" FOR UPDATE").
func selectIn(ctx context.Context, q sqlx.QueryerContext, schema string, t *table, cols []int, tuples [][][]byte, suffix string) ([]row, error) {
	return selectListIn(ctx, q, schema, t, t.readExprs(), len(t.cols), cols, tuples, suffix)
}

// selectListIn is selectIn reading the n expressions of list.
func selectListIn(ctx context.Context, q sqlx.QueryerContext, schema string, t *table, list string, n int, cols []int, tuples [][][]byte, suffix string) ([]row, error) {
	var out []row
	chunk := max(1, min(1000, maxStmtParams/max(1, len(cols))))
	for start := 0; start < len(tuples); start += chunk {
		cond, args := inCondition(t, cols, tuples[start:min(start+chunk, len(tuples))])
		query := mysql.Tag + "SELECT " + list + " FROM " + mysql.QuoteTable(schema, t.name) + " AS t WHERE " + cond + suffix
		rows, err := scanRows(ctx, q, query, args, n)
		if err != nil {
			return nil, fmt.Errorf("read rows of %s: %w", t.name, err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// inCondition returns "(t.a, t.b) IN ((…), …)" for tuples of cols.
func inCondition(t *table, cols []int, tuples [][][]byte) (string, []any) {
	refs := make([]string, len(cols))
	typed := make([]string, len(cols))
	for i, c := range cols {
		refs[i] = "t." + mysql.QuoteIdent(t.cols[c].Name)
		typed[i] = keyExpr(&t.cols[c])
	}
	one := "(" + strings.Join(typed, ", ") + ")"
	if len(cols) == 1 {
		one = typed[0] // a plain IN list: the optimizer's range access on an index of that column
	}
	args := make([]any, 0, len(tuples)*len(cols))
	for _, tu := range tuples {
		for i, c := range cols {
			args = append(args, keyArg(&t.cols[c], tu[i]))
		}
	}
	return "(" + strings.Join(refs, ", ") + ") IN (" + strings.TrimSuffix(strings.Repeat(one+", ", len(tuples)), ", ") + ")", args
}

func scanRows(ctx context.Context, q sqlx.QueryerContext, query string, args []any, n int) ([]row, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		r := make(row, n)
		dest := make([]any, n)
		for i := range r {
			dest[i] = &r[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// distinctTuples returns the distinct values of cols over rows, leaving
// out tuples with a NULL (they reference nothing).
func distinctTuples(rows []row, cols []int) [][][]byte {
	seen := map[string]bool{}
	var out [][][]byte
	for _, r := range rows {
		tu := pick(r, cols)
		if hasNull(tu) {
			continue
		}
		if k := joinTexts(tu); !seen[k] {
			seen[k] = true
			out = append(out, tu)
		}
	}
	return out
}

func hasNull(vals [][]byte) bool {
	for _, v := range vals {
		if v == nil {
			return true
		}
	}
	return false
}

// lookup returns the rows of schema.t with the keys of rows, by the key
// text of the row asked for: keys match as the server matches them (in
// their column's collation: 'a' finds 'A' under a case-insensitive key),
// through a derived table of the keys joined on the key's index, as the
// importer looks rows up. suffix ends each statement (" FOR UPDATE").
func lookup(ctx context.Context, q sqlx.QueryerContext, schema string, t *table, rows []row, suffix string) (map[string]row, error) {
	if !t.keyed() {
		return lookupKeyless(ctx, q, schema, t, rows, suffix)
	}
	found := map[string]row{}
	chunk := max(1, min(1000, maxStmtParams/(1+len(t.key))))
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		keys, args := keysTable(t, part)
		conds := make([]string, len(t.key))
		for j, k := range t.key {
			conds[j] = "t." + mysql.QuoteIdent(t.cols[k].Name) + " = b.wb_k" + strconv.Itoa(j)
		}
		query := mysql.Tag + "SELECT b.wb_n, " + t.readExprs() + " FROM " + keys + " STRAIGHT_JOIN " + mysql.QuoteTable(schema, t.name) +
			" AS t FORCE INDEX (" + mysql.QuoteIdent(t.rt.KeyIndex) + ") ON " + strings.Join(conds, " AND ") + suffix
		got, err := scanRows(ctx, q, query, args, 1+len(t.cols))
		if err != nil {
			return nil, fmt.Errorf("look up rows of %s: %w", t.name, err)
		}
		for _, r := range got {
			n, _ := strconv.Atoi(string(r[0]))
			found[t.keyText(part[n])] = r[1:]
		}
	}
	return found, nil
}

// keysTable returns the derived table of rows' keys (derivedKeys), wb_n
// being the row's position in rows.
func keysTable(t *table, rows []row) (string, []any) {
	cols := make([]*mysql.RecordColumn, len(t.key))
	for j, k := range t.key {
		cols[j] = &t.cols[k]
	}
	return derivedKeys(cols, len(rows), func(n int) int { return n }, func(n, j int) []byte { return rows[n][t.key[j]] })
}

// sameRow reports whether a and b hold the same bytes.
func sameRow(a, b row) bool {
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || string(a[i]) != string(b[i]) {
			return false
		}
	}
	return true
}

// showValues shows r's values of cols for people, joined by ",".
func showValues(t *table, cols []int, r row) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = strings.Trim(fieldText(&t.cols[c], r[c]), `"`)
	}
	return strings.Join(parts, ",")
}

// keyTexts returns, by keyText, the key of each of rows as the compare
// engine and the records pages write it (mysql.FormatRowKey of
// mysql.KeyTextExpr), read from schema.t.
func keyTexts(ctx context.Context, q sqlx.QueryerContext, schema string, t *table, rows []row) (map[string]string, error) {
	n := len(t.key)
	list := make([]string, 0, 2*n)
	for _, k := range t.key {
		list = append(list, readExpr(&t.cols[k]))
	}
	for _, k := range t.key {
		list = append(list, mysql.KeyTextExpr(&t.cols[k]))
	}
	got, err := selectListIn(ctx, q, schema, t, strings.Join(list, ", "), 2*n, t.key, distinctTuples(rows, t.key), "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(got))
	for _, r := range got {
		parts := make([]string, n)
		for j, k := range t.key {
			parts[j] = mysql.KeyTextValue(&t.cols[k], r[n+j])
		}
		out[joinTexts(r[:n])] = mysql.FormatRowKey(parts)
	}
	return out, nil
}
