// Package benchutil holds what the benchmark programs under bench/ share:
// connecting to the test server and dropping a benchmark's schemas, the
// client option file of the mariadb command line tools, running child
// processes with a tail of their stderr and their peak RSS from rusage, and
// the medians and formatting of the reports.
//
// Nothing here is safe for concurrent use unless its comment says so; the
// benchmarks run their measurements one at a time.
package benchutil
