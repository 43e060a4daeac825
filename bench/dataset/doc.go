// Package dataset builds a realistic sales-app production schema for
// benchmarks and integration tests: users, customers, products, orders and
// order_items, InnoDB and utf8mb4 with real foreign keys, about five million
// rows and 850 MB at scale 1.
//
// All rows are generated server-side by INSERT … SELECT from MariaDB's
// Sequence engine (seq_1_to_N) with deterministic pseudo-random expressions,
// so the same scale always yields the same bytes and nothing is shipped over
// the wire; this needs MariaDB, whose Sequence engine provides those
// tables. A marker table, _dataset, records the version and scale so that a
// second Generate with the same arguments reuses the schema.
package dataset
