// Package snapshotter builds Weekback's generations: it takes one
// consistent snapshot of the production schema, copies every table into a
// fresh slot schema on the backup server (LOAD DATA LOCAL INFILE fed from
// the source rows, tables in parallel, biggest first; system-versioned
// tables with their history rows), copies the sequences at their next
// value, recreates the views, verifies row counts and content hashes
// against what was read inside the snapshot, and only then switches the
// day's pointer in the meta schema. Every object of the source schema it
// does not copy is named, with the reason, in the log and the manifest.
//
// A snapshot that fails anywhere before the switch leaves the served
// generation untouched; its half-built slot is dropped at once or by the
// next run. See docs/ARCHITECTURE.md for the design.
package snapshotter
