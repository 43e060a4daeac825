// Package restore holds everything that writes into production: the
// importer of reimport CSVs and the execution of template plans. Nothing
// else in Weekback writes production, and the server never imports this
// package (server.TestServerNeverImportsRestore).
//
// Import checks a reimport CSV against the target table (header, then
// every value by type), classifies its rows by key (insert, update, same,
// skip, conflict) and, when asked to execute, writes them in batches
// inside transactions. Before a row is overwritten or inserted, an undo
// row is written to an undo file (a reimport CSV with a leading
// _weekback_undo column: "restore" rows to put back, "delete" rows to
// remove), synced before each commit; importing the undo file reverses the
// import.
//
// ApplyTemplate runs a template.ApplyPlan: it creates the missing tables
// in the planned order and stops at the first failure, leaving the tables
// created before in place.
package restore
