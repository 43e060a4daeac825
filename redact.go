package weekback

import "strings"

// DefaultRedactGlobs are the "table.column" globs of columns whose names
// say they hold credentials: masked unless Redaction.NoDefaults.
var DefaultRedactGlobs = []string{"*.*password*", "*.*passwd*", "*.*token*", "*.*secret*", "*.api_key"}

// Redaction names the credential columns that are never shown or
// exported (invariant 5): the password column of the users table
// (auth.table, auth.password_column), every column whose "table.column"
// matches one of the Globs (exports.redact), and, unless NoDefaults
// (exports.redact_defaults: false), every one DefaultRedactGlobs matches.
// The zero value masks DefaultRedactGlobs.
type Redaction struct {
	PasswordTable, PasswordColumn string
	Globs                         []string
	NoDefaults                    bool
}

// Masked returns the names among columns of table that r hides. Names are
// compared without case, as MySQL compares them; a malformed glob matches
// nothing. It is safe for concurrent use.
func (r Redaction) Masked(table string, columns []string) []string {
	var out []string
	for _, col := range columns {
		if r.masks(table, col) {
			out = append(out, col)
		}
	}
	return out
}

func (r Redaction) masks(table, col string) bool {
	if r.PasswordColumn != "" && strings.EqualFold(table, r.PasswordTable) && strings.EqualFold(col, r.PasswordColumn) {
		return true
	}
	name := strings.ToLower(table + "." + col)
	return matchesAny(r.Globs, name) || (!r.NoDefaults && matchesAny(DefaultRedactGlobs, name))
}

// matchesAny reports whether one of globs matches name (lower case).
func matchesAny(globs []string, name string) bool {
	for _, g := range globs {
		if MatchGlob(strings.ToLower(g), name) {
			return true
		}
	}
	return false
}

// MaskedView returns the names among columns of a view that r hides. A
// view may read any table, so a column is hidden when its name is the
// password column's or matches the column part of any glob, whatever the
// table. (A view that renames a credential column is not recognised: name
// it in a glob as "view.column".) It is safe for concurrent use.
func (r Redaction) MaskedView(view string, columns []string) []string {
	var out []string
	for _, col := range columns {
		if r.masks(view, col) || r.masksAnyTable(col) {
			out = append(out, col)
		}
	}
	return out
}

func (r Redaction) masksAnyTable(col string) bool {
	if r.PasswordColumn != "" && strings.EqualFold(col, r.PasswordColumn) {
		return true
	}
	for _, g := range r.Globs {
		i := strings.LastIndex(g, ".")
		if MatchGlob(strings.ToLower(g[i+1:]), strings.ToLower(col)) {
			return true
		}
	}
	return false
}
