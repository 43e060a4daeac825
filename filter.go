package weekback

import (
	"strings"
)

// FilterOp is the comparison of a Filter.
type FilterOp string

// The filter operators of the records page (`f.COL=op:value`) and of
// `weekback export --filter column=op:value`.
const (
	OpEq       FilterOp = "eq"       // equal
	OpNe       FilterOp = "ne"       // not equal (NULL never matches, as in SQL)
	OpLt       FilterOp = "lt"       // less than
	OpLe       FilterOp = "le"       // less than or equal
	OpGt       FilterOp = "gt"       // greater than
	OpGe       FilterOp = "ge"       // greater than or equal
	OpContains FilterOp = "contains" // the value occurs anywhere (LIKE %value%, in the column's collation)
	OpPrefix   FilterOp = "prefix"   // the column starts with the value (LIKE value%)
	OpIn       FilterOp = "in"       // one of a comma list
	OpIsNull   FilterOp = "isnull"   // NULL; takes no value
	OpNotNull  FilterOp = "notnull"  // not NULL; takes no value
)

// FilterOps lists every operator in the order the documentation gives them.
var FilterOps = []FilterOp{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpContains, OpPrefix, OpIn, OpIsNull, OpNotNull}

// FilterParamPrefix starts the query parameters of the records page that
// carry filters: `f.status=eq:paid`.
const FilterParamPrefix = "f."

// MaxInValues is the longest list an `in` filter accepts.
const MaxInValues = 1000

// Valid reports whether op is one of FilterOps.
func (op FilterOp) Valid() bool {
	for _, o := range FilterOps {
		if o == op {
			return true
		}
	}
	return false
}

// TakesValue reports whether op needs a value (all but isnull and notnull).
func (op FilterOp) TakesValue() bool { return op != OpIsNull && op != OpNotNull }

// Filter is one condition on one column of a table. Several filters are
// combined with AND. Value is the operand of every operator but in, whose
// operands are in Values; isnull and notnull have none. Values are text
// exactly as the user wrote them: how they compare with a column (as a
// number, a date, bytes) is decided by the column's type when the query is
// built.
type Filter struct {
	Column string
	Op     FilterOp
	Value  string
	Values []string // for OpIn
}

// ParseFilter reads the command-line form `column=op:value`, for example
// `status=eq:paid`, `name=contains:O'Brien`, `id=in:1,2,3`,
// `deleted_at=isnull`. The column is everything before the first "=", the
// operator everything up to the next ":", and the value everything after
// it, taken literally (it may hold ":", "=", quotes or spaces). An `in` list
// is split at commas; write a comma inside a value as `\,` and a backslash
// as `\\`. It returns an EINVALID *Error that names the problem and the fix.
func ParseFilter(expr string) (Filter, error) {
	column, rest, ok := strings.Cut(expr, "=")
	if !ok {
		return Filter{}, Errorf(EINVALID,
			"filter %q has no \"=\": write column=op:value, for example status=eq:paid (ops: %s)", expr, FilterOpList())
	}
	if column == "" {
		return Filter{}, Errorf(EINVALID, "filter %q names no column: write column=op:value, for example status=eq:paid", expr)
	}
	return parseOpValue(column, rest)
}

// ParseFilterParam reads the records page's form: column is the name after
// FilterParamPrefix in the query key `f.COL` (the caller strips "f."), and
// param the parameter's value `op:value`. Values follow the rules of
// ParseFilter. It returns an EINVALID *Error that names the problem and the
// fix.
func ParseFilterParam(column, param string) (Filter, error) {
	if column == "" {
		return Filter{}, Errorf(EINVALID, "a filter parameter names no column: write f.COLUMN=op:value, for example f.status=eq:paid").
			WithKey("error.filter.no_column")
	}
	return parseOpValue(column, param)
}

func parseOpValue(column, s string) (Filter, error) {
	opText, value, hasValue := strings.Cut(s, ":")
	op := FilterOp(strings.ToLower(strings.TrimSpace(opText)))
	f := Filter{Column: column, Op: op}
	switch {
	case !op.Valid():
		return Filter{}, Errorf(EINVALID,
			"filter on %s: unknown operator %q: use one of %s, as in %s=eq:VALUE", column, opText, FilterOpList(), column).
			WithKey("error.filter.unknown_op", "column", column, "op", opText, "ops", FilterOpList())
	case !op.TakesValue():
		if value != "" {
			return Filter{}, Errorf(EINVALID, "filter on %s: %s takes no value: write %s=%s", column, op, column, op).
				WithKey("error.filter.takes_no_value", "column", column, "op", string(op))
		}
	case !hasValue:
		return Filter{}, Errorf(EINVALID, "filter on %s: %s needs a value: write %s=%s:VALUE", column, op, column, op).
			WithKey("error.filter.needs_value", "column", column, "op", string(op))
	case op == OpIn:
		f.Values = splitList(value)
		if len(f.Values) > MaxInValues {
			return Filter{}, Errorf(EINVALID, "filter on %s: in lists %d values, at most %d are allowed: split the export or narrow the list",
				column, len(f.Values), MaxInValues).WithKey("error.filter.too_many_values", "column", column, "count", len(f.Values), "max", MaxInValues)
		}
	default:
		f.Value = value
	}
	return f, nil
}

// splitList splits an in list at commas; `\,` is a comma and `\\` a
// backslash inside a value, any other backslash is kept as it is.
func splitList(s string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == ',' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case c == ',':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

// joinList is the inverse of splitList.
func joinList(values []string) string {
	esc := strings.NewReplacer(`\`, `\\`, `,`, `\,`)
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = esc.Replace(v)
	}
	return strings.Join(parts, ",")
}

// FilterOpList returns the names of FilterOps, comma-separated: "eq, ne, …".
func FilterOpList() string {
	names := make([]string, len(FilterOps))
	for i, op := range FilterOps {
		names[i] = string(op)
	}
	return strings.Join(names, ", ")
}

// Param returns the `op:value` form of f, the value of its `f.COL` query
// parameter; ParseFilterParam(f.Column, f.Param()) gives f back.
func (f Filter) Param() string {
	switch {
	case !f.Op.TakesValue():
		return string(f.Op)
	case f.Op == OpIn:
		return string(f.Op) + ":" + joinList(f.Values)
	default:
		return string(f.Op) + ":" + f.Value
	}
}

// String returns the command-line form `column=op:value`; ParseFilter
// gives f back (for columns without "=" in their name).
func (f Filter) String() string { return f.Column + "=" + f.Param() }

// Sort orders records by one column, ascending unless Desc. The zero Sort
// means the table's own order (its primary key).
type Sort struct {
	Column string
	Desc   bool
}

// ParseSort reads "col" (ascending) or "-col" (descending); "" is the
// zero Sort. It returns an EINVALID *Error when "-" names no column.
func ParseSort(s string) (Sort, error) {
	if s == "" {
		return Sort{}, nil
	}
	if col, desc := strings.CutPrefix(s, "-"); desc {
		if col == "" {
			return Sort{}, Errorf(EINVALID, "sort %q names no column: write COLUMN for ascending or -COLUMN for descending", s).
				WithKey("error.sort.no_column", "sort", s)
		}
		return Sort{Column: col, Desc: true}, nil
	}
	return Sort{Column: s}, nil
}

// String returns "col" or "-col", "" for the zero Sort.
func (s Sort) String() string {
	if s.Desc && s.Column != "" {
		return "-" + s.Column
	}
	return s.Column
}
