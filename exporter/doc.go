// Package exporter writes the rows of a slot's tables as CSV files and reads
// them back, and builds, compares and applies schema templates.
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
// CSVWriter is hand-written rather than built on encoding/csv: it appends a
// whole row into one reusable buffer and writes it through a 64 KiB
// bufio.Writer, without allocating per value.
package exporter
