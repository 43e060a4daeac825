// Package exporter gets data and schemas out of a generation and back into
// production: CSV exports of a slot's tables, templates of a table and its
// related tables, and the importer that loads a reimport CSV into a live
// table.
//
// CSV comes in two profiles (see DESIGN.md, "CSV profiles"):
//
//   - reimport (ProfileReimport): RFC 4180, always UTF-8, every value
//     quoted, NULL as the bare word NULL, binary columns as 0x hex. CSVReader
//     reads it back losslessly.
//   - spreadsheet (ProfileSpreadsheet): for Excel, in UTF-8 with a BOM or in
//     Shift_JIS (CP932), NULL as an empty cell, formulas guarded. Characters
//     the encoding cannot hold are reported one by one (Unencodable), never
//     silently replaced.
//
// ExportCSV streams a table's rows (mysql.Catalog.ScanRecords) into a
// CSVWriter, reading and encoding on separate goroutines with bounded
// batches, so memory stays flat. CSVWriter is hand-written rather than
// built on encoding/csv: it appends a whole row into one reusable buffer
// and writes it through a 64 KiB bufio.Writer, without allocating per value.
//
// BuildTemplate, WriteTemplate and ReadTemplate make and check template
// files (docs/TEMPLATE_FORMAT.md); PlanApply compares one with a target
// database and ApplyPlan.Execute creates the missing tables.
//
// Import checks a reimport CSV against the target table (header, then
// every value by type), classifies its rows by key (insert, update, same,
// skip, conflict) and, when asked to execute, writes them in batches
// inside transactions. Before a row is overwritten or inserted, an undo
// row is written to an undo file (a reimport CSV with a leading
// _weekback_undo column: "restore" rows to put back, "delete" rows to
// remove), synced before each commit; importing the undo file reverses the
// import.
package exporter
