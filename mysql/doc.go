// Package mysql is Weekback's MySQL/MariaDB layer: connections with the
// session settings a byte-exact copy needs, strict identifier quoting, the
// catalog of a schema, the content hash shared by the snapshotter and
// `weekback verify`, the meta schema (generations, snapshot runs, the
// snapshot lock, revoked sessions, login failures, audit log) with its
// embedded migrations, and the read side the server and the export package
// share (Catalog, Records, Record, ScanRecords: filters, keyset
// pagination, each query in a read-only transaction with a statement time
// limit), and the login lookup (LookupUser: the auth.* rules compiled into
// one parameterised query, checked against the catalog by CheckUserSpec).
//
// Every query carries the /* weekback */ comment so DBAs can find it in the
// processlist. Identifiers come from the catalog and are quoted with
// QuoteIdent; values are always placeholders; multiStatements stays off.
package mysql
