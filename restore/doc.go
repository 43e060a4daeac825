// Package restore holds everything that writes into production: the
// importer of reimport CSVs, the execution of template plans, and
// `weekback restore` with its undo. Nothing else in Weekback writes
// production, and the server never imports this package
// (server.TestServerNeverImportsRestore).
//
// Import checks a reimport CSV against the target table (header, then
// every value by type, then the parent rows its foreign keys name),
// classifies its rows by key (insert, update, same, skip, conflict) and,
// when asked to execute, writes them in batches inside transactions.
// Before a row is overwritten or inserted, an undo row is written to an
// undo file (a reimport CSV with a leading _weekback_undo column: "restore"
// rows to put back, "delete" rows to remove), synced before each commit;
// importing the undo file reverses the import.
//
// ApplyTemplate runs a template.ApplyPlan: it creates the missing tables
// in the planned order and stops at the first failure, leaving the tables
// created before in place.
//
// Build and Plan.Execute restore a day's rows: Build selects rows of a
// generation (a table with filters, their children and parents through
// foreign keys, or every table), compares them with production and plans
// inserts, identical rows, conflicts (never overwritten) and three-way
// set-backs, parents first, a cycle of foreign keys as one group;
// Execute writes them in transactions (the group in one, with
// foreign_key_checks=0 for it and its references checked by query), puts
// back the values production's BEFORE INSERT triggers rewrote, and
// verifies every written row against the day by content hash. One undo
// file (JSON lines) records the whole restore; Undo reverses it exactly,
// saving the rows its deletes cascade to in an undo file of its own.
package restore
