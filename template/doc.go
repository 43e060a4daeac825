// Package template makes, reads and plans schema templates: a table's
// production DDL and settings with its related tables (the tables its
// foreign keys reach, in both directions), taken from a generation.
//
// Build makes a template from a generation's manifest and its slot's
// information_schema; Write and Read write and check template files
// (docs/TEMPLATE_FORMAT.md, checksummed); PlanApply compares one with a
// target database, column by column, and plans the creation of the missing
// tables in foreign-key order (a foreign-key cycle is broken by creating
// its tables without the closing keys and adding them by ALTER TABLE once
// the referenced table exists). The package only reads: the plan is run
// by restore.ApplyTemplate.
package template
