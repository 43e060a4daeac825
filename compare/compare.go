package compare

import (
	"github.com/weekback/weekback"
	"github.com/weekback/weekback/mysql"
)

// Kind is a kind of row change.
type Kind string

// Row change kinds.
const (
	Added   Kind = "added"   // the key is in To only
	Deleted Kind = "deleted" // the key is in From only
	Changed Kind = "changed" // the key is on both sides with other values
)

// ParseKind returns the Kind named s, or an EINVALID *weekback.Error
// naming the choices.
func ParseKind(s string) (Kind, error) {
	// The constant, never s: a request's query string may share its
	// bytes with a buffer the server reuses, and kinds are kept (cache
	// keys, jobs).
	for _, k := range []Kind{Added, Deleted, Changed} {
		if s == string(k) {
			return k, nil
		}
	}
	return "", weekback.Errorf(weekback.EINVALID, "%q is not a kind of change: use added, deleted or changed", s)
}

// Status says how a table compares as a whole.
type Status string

// Table statuses.
const (
	StatusSame       Status = "same"         // every row identical
	StatusChanged    Status = "changed"      // rows added, deleted or changed
	StatusOnlyInFrom Status = "only_in_from" // the table is in From only (dropped since)
	StatusOnlyInTo   Status = "only_in_to"   // the table is in To only (created since)
)

// TableChange is what changed in one table. Its JSON is one entry of
// `weekback diff --json`'s "tables".
type TableChange struct {
	Table    string `json:"table"`
	RowsFrom int64  `json:"rows_from"`
	RowsTo   int64  `json:"rows_to"`
	Added    int64  `json:"added"`
	Deleted  int64  `json:"deleted"`
	Changed  int64  `json:"changed"`
	Status   Status `json:"status"`
	// Key names the columns rows are matched by; empty when the table has
	// no usable key on both sides and compares as a multiset (Keyless).
	Key     []string `json:"key,omitempty"`
	Keyless bool     `json:"keyless,omitempty"`
	// ColumnsAdded and ColumnsDropped list the stored columns of one side
	// only; ColumnsRetyped those whose type or collation differs. Rows are
	// compared on the columns both sides have.
	ColumnsAdded   []string `json:"columns_added,omitempty"`
	ColumnsDropped []string `json:"columns_dropped,omitempty"`
	ColumnsRetyped []string `json:"columns_retyped,omitempty"`
	// ByHash is set when the table was not read: both generations'
	// manifests give it the same columns, rows and content hash.
	ByHash bool `json:"by_hash,omitempty"`
	// ByDigests is set when the rows were not read: both generations' row
	// digests (one per row, by key, stored by their snapshots) were
	// merged instead.
	ByDigests bool `json:"by_digests,omitempty"`
}

// ColumnsDiffer reports whether the two sides' columns differ.
func (t *TableChange) ColumnsDiffer() bool {
	return len(t.ColumnsAdded)+len(t.ColumnsDropped)+len(t.ColumnsRetyped) > 0
}

// Differs reports whether anything differs: rows, columns or presence.
func (t *TableChange) Differs() bool {
	return t.Status != StatusSame || t.ColumnsDiffer()
}

// Moved returns the rows added, deleted and changed.
func (t *TableChange) Moved() int64 { return t.Added + t.Deleted + t.Changed }

// RowQuery asks Comparer.Rows for the rows of one kind of change of one
// table.
type RowQuery struct {
	Table string
	Kind  Kind
	// Filters select rows by the version they apply to: From's for
	// Deleted and Changed, To's for Added (the records page's filters;
	// credential columns cannot be filtered by).
	Filters []weekback.Filter
	// After is RowSet.Next of a previous call: rows start after it. ""
	// starts at the beginning.
	After string
	// Limit stops after so many rows (RowSet.Next is then set when more
	// may follow); 0 means no limit.
	Limit int
}

// RowChange is one changed row. Values are in the order of
// RowSet.Columns; nil is NULL; text is UTF-8, other values as the
// snapshot stores them (numbers and dates as the server's text, binary
// raw). Masked columns' values are always nil.
type RowChange struct {
	Kind Kind
	// Key holds the key columns' values as FormatRowKey parts (the
	// record page's {key}); nil for a table without a key.
	Key []string
	// Count is how many identical copies of the row were added or deleted
	// (a table without a key); 1 otherwise.
	Count int64
	From  [][]byte // nil for Added
	To    [][]byte // nil for Deleted
	// Changes lists the changed columns of a Changed row (masked ones
	// with Masked set and no values).
	Changes []ColumnChange
}

// ColumnChange is one changed column of a changed row.
type ColumnChange struct {
	Column   string
	Index    int // in RowSet.Columns
	Old, New []byte
	Masked   bool
}

// Values returns the version of the row its kind shows: From's for
// Deleted and Changed, To's for Added.
func (r *RowChange) Values() [][]byte {
	if r.Kind == Added {
		return r.To
	}
	return r.From
}

// RowSet describes the rows Comparer.Rows streamed.
type RowSet struct {
	Table   string
	Columns []mysql.RecordColumn // compared columns (both sides), Masked set on credential columns
	Key     []string             // the key columns; nil without a key
	// Next is the cursor (RowQuery.After) of the rows after the last one
	// streamed when Limit stopped the stream; "" when every row was.
	Next string
}

// Progress is reported while tables are compared.
type Progress struct {
	Table      string
	Rows       int64 // rows of From read so far in Table
	TableRows  int64 // rows of From in Table (from its manifest; 0 when unknown)
	TablesDone int
	Tables     int
}
