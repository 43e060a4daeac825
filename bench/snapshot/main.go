// Command snapshot benchmarks `weekback snapshot` against the two copies it
// competes with: mariadb-dump | mariadb into a scratch schema, and the
// in-server limit, CREATE TABLE … LIKE plus INSERT … SELECT per table over
// parallel connections. It generates (or reuses) the source schema
// wbbench_src with bench/dataset, runs the three methods interleaved
// (A, B, C, A, B, C, …) to spread the machine's noise, and prints the
// medians of wall time and peak RSS with the ratios against their targets.
//
// Usage:
//
//	go run ./bench/snapshot [-scale 1] [-runs 3] [-parallelism 4] [-bin bin/weekback] [-keep] [-prefix wbbench]
//
// The server comes from WEEKBACK_TEST_DSN (default root@tcp(127.0.0.1:3306)/).
// A missed target is printed, never an error; the exit code is 1 only when
// something could not be measured (B or C failed, no server, bad flags).
// When the weekback binary is missing or fails, A is skipped with its
// stderr's tail and B and C still run.
package main

import (
	"errors"
	"flag"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// Defaults of the flags.
const (
	DefaultScale       = 1.0
	DefaultRuns        = 3
	DefaultParallelism = 4
	DefaultBin         = "bin/weekback"
	DefaultTimeout     = 30 * time.Minute
	DefaultPrefix      = "wbbench"
)

// options are the parsed flags and environment.
type options struct {
	dsn         string
	scale       float64
	runs        int
	parallelism int
	bin         string
	keep        bool
	timeout     time.Duration
	prefix      string
}

func main() {
	benchutil.Main(parseOptions, run)
}

// parseOptions reads the flags in args and WEEKBACK_TEST_DSN.
func parseOptions(args []string) (options, error) {
	o := options{dsn: benchutil.DSN()}
	fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
	fs.Float64Var(&o.scale, "scale", DefaultScale, "dataset scale (1 = 5M rows, ~850 MB; 0.01 for a smoke test)")
	fs.IntVar(&o.runs, "runs", DefaultRuns, "repetitions of each method; medians are reported")
	fs.IntVar(&o.parallelism, "parallelism", DefaultParallelism, "snapshot.parallelism for weekback and connections for the in-server copy")
	fs.StringVar(&o.bin, "bin", DefaultBin, "weekback binary (built by make build)")
	fs.BoolVar(&o.keep, "keep", false, "keep the scratch, slot and meta schemas for inspection")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "limit of one measured run")
	fs.StringVar(&o.prefix, "prefix", DefaultPrefix, "name prefix of the source, scratch, slot and meta schemas (another prefix lets two runs share a server)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := benchutil.CheckRun(fs, o.scale, o.runs, o.timeout); err != nil {
		return o, err
	}
	if o.parallelism < 1 {
		return o, errors.New("-parallelism must be at least 1")
	}
	if !validPrefix(o.prefix) {
		return o, errors.New("-prefix must be 1 to 40 letters, digits or underscores")
	}
	useSchemas(o.prefix)
	return o, nil
}

// validPrefix reports whether p can name schemas unquoted in the report.
func validPrefix(p string) bool {
	if p == "" || len(p) > 40 {
		return false
	}
	for _, c := range p {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
