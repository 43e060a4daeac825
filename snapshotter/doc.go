// Package snapshotter builds Weekback's generations: it takes one
// consistent snapshot of the production schema, copies every table into a
// fresh slot schema on the backup server (LOAD DATA LOCAL INFILE fed from
// the source rows, tables in parallel, biggest first), recreates the views,
// verifies row counts and content hashes against what was read inside the
// snapshot, and only then switches the day's pointer in the meta schema.
//
// A snapshot that fails anywhere before the switch leaves the served
// generation untouched; its half-built slot is dropped at once or by the
// next run. See docs/ARCHITECTURE.md for the design.
package snapshotter
