// Package export gets data out of a generation: CSV exports of a slot's
// tables, and the CSV format itself (writer, reader, profiles, encodings).
// It only reads; writing into production is package restore's.
//
// CSV comes in two profiles (see README.md, "CSV profiles"):
//
//   - reimport (ProfileReimport): RFC 4180, always UTF-8, every value
//     quoted, NULL as the bare word NULL, binary columns as 0x hex. CSVReader
//     reads it back losslessly (restore.Import uses it).
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
// A whole day leaves as one file: WriteDaySQL (WriteDaySQLFile with gzip)
// writes a slot as an SQL script the mariadb and mysql clients load byte
// for byte, tables in foreign-key order with bounded multi-row INSERTs;
// WriteDayBundle writes it as a zip of reimport CSVs, templates and a
// manifest (BundleManifest) that OpenBundle reads back. Credential columns
// are written blank in both.
//
// Anonymizer replaces the values of the columns of exports.anonymize with
// keyed HMAC pseudonyms that keep their shape (MethodFor chooses how, by
// the column's type and name); CSV exports apply it through
// CSVOptions.Replace (NewRowReplacer), downloads through
// DaySQLOptions.Anonymizer.
package export
