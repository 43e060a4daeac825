// Package restore writes a day's rows back into production: `weekback
// restore` plans which rows of a generation are missing or different in
// the target, loads them parents first (a cycle of foreign keys in one
// transaction), puts back the values production's triggers rewrote,
// verifies what it wrote against the day by content hash, and keeps one
// undo file for the whole restore, which Undo reverses exactly.
//
// It is the only package besides the import and template-apply code that
// writes production; the server never imports it.
package restore
