// Command compare benchmarks `weekback diff` against `weekback snapshot`
// on the bench sales schema (bench/dataset): it snapshots the source as
// Monday, changes 1 % of orders (scattered over the whole table: every
// hundredth id) and adds 1,000 customers, snapshots Tuesday, then times
// `diff --from mon --to tue`, the same with --rescan (every table read,
// no content-hash shortcut), `diff --from mon --to production`, and the
// in-server alternative (SQL joins by key with binary comparison, counts
// only), checks every count exactly, prints the medians and the ratios to
// the snapshot of the same run, and puts the source back as it was.
//
// Usage:
//
//	go run ./bench/compare [-scale 1] [-runs 1] [-in-server] [-bin bin/weekback] [-keep]
//
// The server comes from WEEKBACK_TEST_DSN (default root@tcp(127.0.0.1:3306)/).
// A missed target is printed, never an error; the exit code is 1 when a
// count is wrong or something could not be measured.
package main

import (
	"flag"
	"time"

	"github.com/weekback/weekback/bench/internal/benchutil"
)

// Defaults of the flags.
const (
	DefaultScale   = 1.0
	DefaultRuns    = 1
	DefaultBin     = "bin/weekback"
	DefaultTimeout = 30 * time.Minute
)

// options are the parsed flags and environment.
type options struct {
	dsn      string
	scale    float64
	runs     int
	bin      string
	keep     bool
	inServer bool
	timeout  time.Duration
}

func main() {
	benchutil.Main(parseOptions, run)
}

// parseOptions reads the flags in args and WEEKBACK_TEST_DSN.
func parseOptions(args []string) (options, error) {
	o := options{dsn: benchutil.DSN()}
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.Float64Var(&o.scale, "scale", DefaultScale, "dataset scale (1 = 5M rows, ~850 MB; 0.01 for a smoke test)")
	fs.IntVar(&o.runs, "runs", DefaultRuns, "repetitions (each takes two snapshots); medians are reported")
	fs.StringVar(&o.bin, "bin", DefaultBin, "weekback binary (built by make build)")
	fs.BoolVar(&o.inServer, "in-server", false, "also time the in-server SQL joins (slow: minutes at scale 1)")
	fs.BoolVar(&o.keep, "keep", false, "keep the slots and meta schema for inspection")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "limit of one measured command")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := benchutil.CheckRun(fs, o.scale, o.runs, o.timeout); err != nil {
		return o, err
	}
	return o, nil
}
