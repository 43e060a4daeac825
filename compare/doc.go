// Package compare finds what changed between two generations, or between
// a generation and production: per table the rows added, deleted (matched
// by key) and changed (same key, any stored column different byte for
// byte), and for changed rows which columns changed, old and new value.
//
// Terminology: a Side is one thing compared — a generation's slot on the
// backup server, or production read through source.dsn inside one
// consistent, read-only snapshot (OpenProduction). A Comparer compares
// From with To: Tables gives the counts per table (TableChange), Rows
// streams the rows of one kind of one table (RowChange) with keyset
// paging and filters, and Keys streams only their keys (what `export
// --missing-in` and restore need).
//
// How: both sides are read in the same order — the table's key (primary
// key, else its smallest unique key of NOT NULL columns), or every
// sortable column for a table without one — and merged in one pass, like
// a merge join. Character keys compare by their collation's weight string,
// the shorter padded with a space's weight under PAD SPACE collations (so
// the merge agrees with the server's ORDER BY, and 'a' and 'A' under a
// case-insensitive key, or 'a' and 'a ', are one row whose value
// changed), values compare
// byte for byte: NULL is not ”, trailing spaces and letter case count,
// FLOAT/DOUBLE as the snapshot stores them. Tables without a key compare
// as multisets (how many copies of each distinct row). Memory stays flat:
// each side streams through a few bounded batches; a table without a key
// holds one group of rows with equal sortable columns at a time (the
// whole table when every column is TEXT, BLOB or JSON). Two generations whose
// manifests give a table the same columns, row count and content hash are
// not read at all (the snapshot already hashed every row).
//
// Credential columns (weekback.Redaction) take part in "changed" through
// their MD5, computed by the server: their values never reach this
// process, and RowChange never shows them.
package compare
