package exporter

import "github.com/weekback/weekback/mysql"

// The SQL helpers of import that restore shares: how a column is read so
// that values compare byte for byte with a file's (and between two
// servers), how a key value is typed in a lookup, and how a value is
// sent. They are safe for concurrent use.

// ReadExpr returns the SELECT expression that reads column c of the table
// aliased t as import reads it.
func ReadExpr(c *mysql.RecordColumn) string { return readExpr(c) }

// KeyExpr returns the typed placeholder that matches a key value of c in
// its own type and collation; KeyArg returns the value it takes.
func KeyExpr(c *mysql.RecordColumn) string { return keyExpr(c) }

// KeyArg returns the argument of KeyExpr for the value v (as ReadExpr
// reads it).
func KeyArg(c *mysql.RecordColumn, v []byte) any { return keyArg(c, v) }

// ValueArg returns the placeholder value that writes v (as ReadExpr reads
// it) into c; nil is NULL.
func ValueArg(c *mysql.RecordColumn, v []byte) any { return valueArg(c, v) }

// FieldText shows a value in a report: NULL, 0x-hex for binary kinds, or
// quoted text, shortened.
func FieldText(c *mysql.RecordColumn, v []byte) string { return fieldText(c, v) }
